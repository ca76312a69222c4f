#!/usr/bin/env bash
# Puts a QEMU with the MSHV accelerator (`-accel mshv`) on this Debian 12 machine: Debian's
# qemu-system-x86 from trixie-backports, in a minimal trixie root (it needs glibc >= 2.38, so it
# cannot install on bookworm). tools/qemu-mshv.sh runs it from the host without chroot.
# Run tools/setup-qemu-mshv.sh --help for the details.
set -Eeuo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="${HVSIM_QEMU_ROOT:-/var/lib/hvsim/qemu-mshv}"
log="$root.log"
me="setup-qemu-mshv"

usage() {
    cat <<EOF
Usage: tools/setup-qemu-mshv.sh [--help]

Makes a Debian trixie root (debootstrap --variant=minbase) at
  \${HVSIM_QEMU_ROOT:-/var/lib/hvsim/qemu-mshv}   (now: $root)
from this machine's own Debian source entry (the URI of its bookworm stanza in
/etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list; no mirror is named here),
adds trixie-updates and trixie-backports to the root's apt sources with the same URI, and
installs qemu-system-x86 from trixie-backports with --no-install-recommends, together with the
firmware that -M pc and -M q35 load (seabios; ipxe-qemu for NIC option ROMs).

It then checks, through tools/qemu-mshv.sh (the root's loader and libraries, no chroot), that
  qemu-system-x86_64 -accel help   lists mshv, and that
  -M pc and -M q35 with -accel tcg -S start (the BIOS and ROMs load) and quit over QMP.

Safe to run again: does nothing when the root already passes those checks; a root that fails
them is repaired in place; a half-made root from an interrupted run (ROOT.partial) is made anew.
Installs debootstrap on the host (apt) if missing. Needs root. Takes a few minutes the first time
(debootstrap about 1, the QEMU install about 1.5); the root is about 500 MB.
The commands' output goes to ROOT.log.

Exit: 0 ready, 2 failed (one line on stderr saying what failed).
EOF
}

case "${1:-}" in
    -h | --help) usage; exit 0 ;;
    "") ;;
    *) echo "$me: error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
esac

fail() {
    trap - ERR
    echo "$me: error: $*" >&2
    exit 2
}
trap 'fail "unexpected failure at line $LINENO: $BASH_COMMAND"' ERR

# The last meaningful line of the log, for a one-line error.
log_reason() {
    local line
    line=$(grep -E '^(E:|W: Failure|dpkg: error|debootstrap: |.*[Ee]rror)' "$log" 2>/dev/null | tail -n 1 || true)
    [ -n "$line" ] || line=$(grep -v '^[[:space:]]*$' "$log" 2>/dev/null | tail -n 1 || true)
    printf '%s' "${line:-no output}"
}

# run WHAT CMD...: CMD's output to the log; on failure one error line naming WHAT and the reason.
run() {
    local what="$1"; shift
    echo "+ $*" >>"$log"
    "$@" >>"$log" 2>&1 </dev/null || fail "$what failed: $(log_reason) (full log: $log)"
}

t0=$SECONDS
step() { echo "$me: [$((SECONDS - t0))s] $*"; }

# ready DIR: qemu in DIR lists mshv and both machines start with their firmware (TCG, -S).
ready_reason=""
ready() {
    local dir="$1" out m
    ready_reason=""
    if [ ! -x "$dir/usr/bin/qemu-system-x86_64" ]; then
        ready_reason="no usr/bin/qemu-system-x86_64"; return 1
    fi
    if ! out=$(HVSIM_QEMU_ROOT="$dir" "$here/qemu-mshv.sh" -accel help 2>&1); then
        ready_reason="qemu-system-x86_64 -accel help failed: $(printf '%s' "$out" | tail -n 1)"; return 1
    fi
    if ! printf '%s\n' "$out" | grep -qx 'mshv'; then
        ready_reason="qemu-system-x86_64 -accel help does not list mshv (it lists: $(printf '%s' "$out" | tail -n +2 | tr '\n' ' '))"
        return 1
    fi
    for m in pc q35; do
        if ! out=$(printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"quit"}' |
                   HVSIM_QEMU_ROOT="$dir" timeout 60 "$here/qemu-mshv.sh" -M "$m" -accel tcg -S \
                       -nodefaults -display none -m 64 -qmp stdio 2>&1); then
            ready_reason="-M $m does not start: $(printf '%s' "$out" | grep -v '^{' | tail -n 1)"; return 1
        fi
    done
    return 0
}

if [ -d "$root" ] && ready "$root"; then
    version=$(HVSIM_QEMU_ROOT="$root" "$here/qemu-mshv.sh" --version | head -n 1)
    echo "$me: $root is ready ($version, -accel mshv listed); nothing to do"
    exit 0
fi

[ "$(id -u)" -eq 0 ] || fail "must run as root (debootstrap and apt-get in the root)"
# One setup at a time; a run that waited may find the root made.
{ mkdir -p "$(dirname "$root")" && exec 9>"$root.lock"; } 2>/dev/null ||
    fail "cannot write $root.lock (is $(dirname "$root") writable?)"
flock 9
if [ -d "$root" ] && ready "$root"; then
    echo "$me: $root is ready (made by another run); nothing to do"
    exit 0
fi
: >"$log"

# shellcheck source=tools/setup.sh
source "$here/setup.sh"
# setup.sh sets its own strict mode and no ERR trap; keep ours.
trap 'fail "unexpected failure at line $LINENO: $BASH_COMMAND"' ERR

# The URI of the machine's own Debian bookworm entry (as setup.sh's enable_backports reads it).
debian_uri() {
    local uri=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        uri=$(awk 'BEGIN{RS=""} /Suites:[ \t]*bookworm([ \t]|$)/ { if (match($0, /URIs:[ \t]*[^ \t\n]+/)) { s=substr($0,RSTART,RLENGTH); sub(/URIs:[ \t]*/,"",s); print s; exit } }' \
            /etc/apt/sources.list.d/debian.sources)
    fi
    if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
        uri=$(awk '$1=="deb" && $3=="bookworm" {print $2; exit}' /etc/apt/sources.list)
    fi
    printf '%s' "$uri"
}
uri=$(debian_uri)
[ -n "$uri" ] || fail "cannot find the machine's Debian bookworm source entry (/etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list) to derive trixie from"

# Mounts made for apt inside the root; undone on any exit.
mounted=()
cleanup() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
    mounted=()
}
trap cleanup EXIT

reinstall=()
if [ -d "$root" ]; then
    # A finished root that fails its checks: repair it in place (reinstalling, as a file may be gone).
    dir="$root"
    reinstall=(--reinstall)
    step "$root exists but is not ready ($ready_reason); repairing it"
else
    dir="$root.partial"
    if [ -e "$dir" ]; then
        if findmnt -rn -o TARGET | grep -q "^$dir\(/\|$\)"; then
            fail "$dir has mounts in it (an interrupted run?); unmount them and run again"
        fi
        step "removing $dir left by an interrupted run"
        rm -rf --one-file-system "$dir"
    fi
    if ! command -v debootstrap >/dev/null; then
        step "installing debootstrap on the host"
        apt_install debootstrap >>"$log" 2>&1 || fail "apt-get install debootstrap failed: $(log_reason) (full log: $log)"
    fi
    step "debootstrap --variant=minbase trixie $dir $uri"
    run "debootstrap" debootstrap --variant=minbase trixie "$dir" "$uri"
fi

step "adding trixie-updates and trixie-backports to the root's apt sources"
printf 'Types: deb\nURIs: %s\nSuites: trixie-updates trixie-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" \
    >"$dir/etc/apt/sources.list.d/hvsim-backports.sources"

for m in proc sys dev; do
    mkdir -p "$dir/$m"
    if ! mountpoint -q "$dir/$m"; then
        case "$m" in
            proc) mount -t proc proc "$dir/proc" ;;
            sys) mount -t sysfs sysfs "$dir/sys" ;;
            dev) mount --bind /dev "$dir/dev" ;;
        esac
        mounted+=("$dir/$m")
    fi
done

step "apt-get update in the root"
run "apt-get update in the root" chroot "$dir" env DEBIAN_FRONTEND=noninteractive apt-get update -q
step "apt-get install ${reinstall[*]:+${reinstall[*]} }--no-install-recommends -t trixie-backports qemu-system-x86 seabios ipxe-qemu"
run "apt-get install qemu-system-x86 in the root" chroot "$dir" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q "${reinstall[@]}" --no-install-recommends -t trixie-backports qemu-system-x86 seabios ipxe-qemu
run "apt-get clean in the root" chroot "$dir" apt-get clean
cleanup

step "checking the root through tools/qemu-mshv.sh"
ready "$dir" || fail "the root at $dir is not usable: $ready_reason (full log: $log)"
if [ "$dir" != "$root" ]; then
    mv "$dir" "$root"
fi
version=$(HVSIM_QEMU_ROOT="$root" "$here/qemu-mshv.sh" --version | head -n 1)
step "done: $root ($version, -accel mshv listed; $(du -sh --one-file-system "$root" | cut -f1))"
