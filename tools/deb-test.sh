#!/usr/bin/env bash
# The Debian packages, end to end: builds them from a clean export of the committed tree
# (dpkg-buildpackage -us -uc -b), runs lintian (any error fails), then installs them into a
# throwaway Debian 12 root (debootstrap --variant=minbase, from the machine's own Debian source
# entry; no mirror is named here) and there runs `hvsim conformance`, reads `man hvsim-run`, and
# builds and runs examples/downstream against the installed package.
#
#   sudo tools/deb-test.sh [WORK]     (WORK defaults to /var/tmp/hvsim-deb; made afresh)
#
# Needs root (debootstrap, chroot) and the network to Debian's archive; takes about 15 minutes
# on 2 cores (the package build is most of it). Prints the package sizes and lintian's output.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-/var/tmp/hvsim-deb}"
start=$(date +%s)
step() { echo "deb-test: [$(( $(date +%s) - start ))s] $*"; }
fail() { echo "deb-test: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "must run as root (debootstrap and chroot)"
source "$repo/tools/setup.sh"
apt_install dpkg-dev debhelper lintian debootstrap fakeroot cmake ninja-build g++ nlohmann-json3-dev libcli11-dev \
    libdw-dev python3 pkgconf

root="$work/root"
cleanup() {
    umount "$root/proc" 2>/dev/null || true
}
trap cleanup EXIT
cleanup
rm -rf "$work"
mkdir -p "$work/src"

step "exporting HEAD of $repo"
git -C "$repo" archive HEAD | tar -x -C "$work/src"

step "dpkg-buildpackage -us -uc -b (log: $work/build.log)"
(cd "$work/src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 || {
    tail -n 30 "$work/build.log" >&2
    fail "dpkg-buildpackage failed (full log: $work/build.log)"
}
changes=$(ls "$work"/hvsim_*.changes)
echo "packages:"
for deb in "$work"/*.deb; do
    printf '  %-48s %8s KiB packed, %8s KiB installed\n' "$(basename "$deb")" "$(( $(stat -c %s "$deb") / 1024 ))" \
        "$(dpkg-deb -f "$deb" Installed-Size)"
done

step "lintian $changes"
lintian --tag-display-limit 0 "$changes" | tee "$work/lintian.txt" || true
if grep -q '^E:' "$work/lintian.txt"; then fail "lintian reports errors"; fi
echo "lintian: $(grep -c '^E:' "$work/lintian.txt") errors, $(grep -c '^W:' "$work/lintian.txt") warnings, $(grep -c '^I:' "$work/lintian.txt") info"

uri=$(awk 'BEGIN{RS=""} /Suites:[ \t]*bookworm([ \t]|$)/ { if (match($0, /URIs:[ \t]*[^ \t\n]+/)) { s=substr($0,RSTART,RLENGTH); sub(/URIs:[ \t]*/,"",s); print s; exit } }' \
    /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$uri" ] || uri=$(awk '$1=="deb" && $3=="bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$uri" ] || fail "cannot find the machine's Debian bookworm source entry"

step "debootstrap --variant=minbase bookworm $root (log: $work/debootstrap.log)"
debootstrap --variant=minbase bookworm "$root" "$uri" >"$work/debootstrap.log" 2>&1 ||
    fail "debootstrap failed (log: $work/debootstrap.log)"
mount -t proc proc "$root/proc"
mkdir -p "$root/debs" "$root/example"
cp "$work"/*.deb "$root/debs/"
rm -f "$root"/debs/*dbgsym*
cp -r "$repo/examples/downstream/." "$root/example/"

step "installing the packages (and what the example builds with) in the root"
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$work/apt.log" 2>&1
debs=()
for deb in "$root"/debs/*.deb; do debs+=("/debs/$(basename "$deb")"); done
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${debs[@]}" cmake ninja-build g++ pkgconf man-db \
    >>"$work/apt.log" 2>&1 || { tail -n 20 "$work/apt.log" >&2; fail "apt-get install in the root failed"; }

step "hvsim conformance in the root"
chroot "$root" hvsim --version
chroot "$root" hvsim conformance | tail -n 3

step "man hvsim-run in the root"
chroot "$root" env MANPAGER=cat COLUMNS=100 man hvsim-run >"$work/man-hvsim-run.txt" 2>/dev/null
grep -q -- '--junit' "$work/man-hvsim-run.txt" || fail "man hvsim-run does not show --junit"
sed -n '1,12p' "$work/man-hvsim-run.txt"

step "examples/downstream against the installed package in the root"
chroot "$root" bash /example/run.sh /usr /tmp/downstream
step "done: the packages build, lintian reports no error, and they work in a clean Debian 12 root"
