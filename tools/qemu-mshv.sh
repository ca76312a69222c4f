#!/usr/bin/env bash
# Runs the QEMU that tools/setup-qemu-mshv.sh put in a Debian trixie root (qemu-system-x86 from
# trixie-backports, which has `-accel mshv`) on this bookworm host, without chroot:
#   tools/qemu-mshv.sh [QEMU ARGS...]
# The root's own dynamic loader runs the binary against the root's libraries (the binary needs
# glibc >= 2.38; the host has 2.36), so the process sees the host's /dev, files and sockets, and
# an LD_PRELOAD library built on the host is loaded into it: LD_PRELOAD passes through unchanged.
#   HVSIM_QEMU_ROOT  the root (default /var/lib/hvsim/qemu-mshv)
# Firmware and data come from the root (-L, searched in order: a missing file or a dangling link
# in one directory falls through to the next); modules from the root (QEMU_MODULE_DIR), as QEMU
# would otherwise look for them beside the loader it believes is its executable.
set -euo pipefail

root="${HVSIM_QEMU_ROOT:-/var/lib/hvsim/qemu-mshv}"
lib="$root/usr/lib/x86_64-linux-gnu"
loader="$lib/ld-linux-x86-64.so.2"
qemu="$root/usr/bin/qemu-system-x86_64"
if [ ! -x "$qemu" ] || [ ! -x "$loader" ]; then
    echo "qemu-mshv: no QEMU root at $root (no usr/bin/qemu-system-x86_64); run: tools/setup-qemu-mshv.sh" >&2
    exit 2
fi

export QEMU_MODULE_DIR="$lib/qemu"
# glibc's iconv modules must be the root's own (the host's belong to its older glibc).
export GCONV_PATH="$lib/gconv"
exec "$loader" --library-path "$lib" --argv0 "$qemu" "$qemu" \
    -L "$root/usr/share/qemu" -L "$root/usr/share/seabios" "$@"
