#!/usr/bin/env bash
# Installs what hvsim needs to build and test on Debian 12, then configures a preset.
# Sourced by run.sh, test.sh, format.sh and tidy.sh (which apt_install clang-format-14 and
# clang-tidy-14 themselves); safe to run again (does nothing when all is present).
#   HVSIM_SETUP_CLANG=1  also install clang + libFuzzer (for the `fuzz` preset).
#   HVSIM_SETUP_QEMU=1   also make the trixie root with Debian's QEMU (-accel mshv) that the
#                        mshv.qemu test runs (tools/setup-qemu-mshv.sh; about 80 s the first time).
set -euo pipefail

hvsim_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Adds bookworm-backports (Catch2 v3 lives only there) by reusing the URIs of the
# machine's own Debian entry, so no mirror is named here.
enable_backports() {
    if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null; then
        return 0
    fi
    local uri=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        # deb822: first URIs line of the stanza whose Suites start with "bookworm ".
        uri=$(awk 'BEGIN{RS=""} /Suites:[ \t]*bookworm([ \t]|$)/ { if (match($0, /URIs:[ \t]*[^ \t\n]+/)) { s=substr($0,RSTART,RLENGTH); sub(/URIs:[ \t]*/,"",s); print s; exit } }' \
            /etc/apt/sources.list.d/debian.sources)
    fi
    if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
        uri=$(awk '$1=="deb" && $3=="bookworm" {print $2; exit}' /etc/apt/sources.list)
    fi
    if [ -z "$uri" ]; then
        echo "setup: cannot find the machine's Debian bookworm source entry to derive bookworm-backports from" >&2
        exit 2
    fi
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" |
        as_root tee /etc/apt/sources.list.d/hvsim-backports.sources >/dev/null
    apt_updated=0
}

apt_updated=0
apt_install() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "setup: installing ${missing[*]}" >&2
    if [ "$apt_updated" -eq 0 ]; then
        as_root apt-get update -qq >&2
        apt_updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

hvsim_setup() {
    if ! dpkg-query -W -f='${Status}' libcatch2-dev 2>/dev/null | grep -q 'install ok installed' ||
       ! dpkg-query -W -f='${Version}' libcatch2-dev 2>/dev/null | grep -q '^3'; then
        enable_backports
        apt_install ca-certificates
        if [ "$apt_updated" -eq 0 ]; then as_root apt-get update -qq >&2; apt_updated=1; fi
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -t bookworm-backports libcatch2-dev >&2
    fi
    apt_install g++ cmake ninja-build git python3 nlohmann-json3-dev libcli11-dev libbenchmark-dev libdw-dev
    if [ "${HVSIM_SETUP_CLANG:-0}" = 1 ]; then
        apt_install clang-14 libclang-rt-14-dev
    fi
    if [ "${HVSIM_SETUP_QEMU:-0}" = 1 ]; then
        # Debian's QEMU with -accel mshv, in a trixie root (the mshv.qemu test); idempotent. A
        # root that cannot be made leaves mshv.qemu Skipped (it names this command), not the build.
        as_root "$hvsim_root/tools/setup-qemu-mshv.sh" >&2 ||
            echo "setup: the QEMU root could not be made (tools/setup-qemu-mshv.sh; see its log): mshv.qemu will report Skipped" >&2
    fi
}

# hvsim_build PRESET: configure once, then build incrementally.
hvsim_build() {
    local preset="$1"
    cd "$hvsim_root"
    if [ ! -f "build/$preset/build.ninja" ]; then
        cmake --preset "$preset" >&2
    fi
    cmake --build --preset "$preset" >&2
}
