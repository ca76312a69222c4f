#!/usr/bin/env bash
# The house format (.clang-format) over the project's own C++ files (git-tracked *.cpp, *.hpp;
# not build/, not corpus/). Kernel-style C (*.c, *.h under sim/shim/, tabs as in drivers/hv/)
# and the X-macro tables (*.def) are left as written.
#   ./tools/format.sh          check: exit 1 listing the files clang-format-14 would change
#   ./tools/format.sh --diff   check, and print what would change
#   ./tools/format.sh --fix    rewrite the files in place
#   HVSIM_FORMAT_CHECK=0       skip the check (exit 0); --fix still runs
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
mode="${1:---check}"
case "$mode" in
    --check|--diff|--fix) ;;
    *) echo "format: unknown option '$mode' (expected --check, --diff or --fix)" >&2; exit 2 ;;
esac
if [ "$mode" != --fix ] && [ "${HVSIM_FORMAT_CHECK:-1}" = 0 ]; then
    echo "format: skipped (HVSIM_FORMAT_CHECK=0)" >&2
    exit 0
fi
command -v git >/dev/null || apt_install git
command -v clang-format-14 >/dev/null || apt_install clang-format-14
cd "$hvsim_root"
mapfile -t files < <(git ls-files -- '*.cpp' '*.hpp' ':!:build/' ':!:corpus/')
if [ "$mode" = --fix ]; then
    clang-format-14 -i --style=file "${files[@]}"
    exit 0
fi
differ=()
for f in "${files[@]}"; do
    if ! clang-format-14 --style=file "$f" | cmp -s - "$f"; then
        differ+=("$f")
        [ "$mode" = --diff ] && { clang-format-14 --style=file "$f" | diff -u "$f" - || true; }
    fi
done
if [ ${#differ[@]} -ne 0 ]; then
    printf '%s\n' "${differ[@]}"
    echo "format: ${#differ[@]} of ${#files[@]} files differ from .clang-format (./tools/format.sh --fix rewrites them)" >&2
    exit 1
fi
echo "format: ${#files[@]} files formatted" >&2
