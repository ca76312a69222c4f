#!/usr/bin/env bash
# clang-tidy-14 with .clang-tidy over the project's sources in build/default's
# compile_commands.json (not build/'s generated files). Exits non-zero on any finding.
#   ./tools/tidy.sh                 every source (several minutes on 2 cores)
#   ./tools/tidy.sh --changed BASE  only the sources changed since BASE (committed or not), and
#                                   the sources that include a changed header (CI runs every source)
#   HVSIM_TIDY_JOBS=N               parallel clang-tidy processes (default: nproc)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
base=""
case "${1:-}" in
    "") ;;
    --changed)
        [ -n "${2:-}" ] || { echo "tidy: --changed needs a BASE revision" >&2; exit 2; }
        base="$2" ;;
    *) echo "tidy: unknown option '$1' (expected --changed BASE)" >&2; exit 2 ;;
esac
hvsim_setup
command -v clang-tidy-14 >/dev/null || apt_install clang-tidy-14
hvsim_build default   # generated sources, and compile_commands.json (the preset exports it)
cd "$hvsim_root"
db=build/default/compile_commands.json
mapfile -t all < <(sed -n 's|^ *"file": "\(.*\)",\{0,1\}$|\1|p' "$db" | grep -v "^$hvsim_root/build/" | sort -u)
if [ ${#all[@]} -eq 0 ]; then
    echo "tidy: no sources in $db" >&2
    exit 2
fi
# Sources clang 14 cannot parse (g++ can): a structured binding captured by a lambda (C++20,
# clang 16). Checked again once the tree moves to a newer clang-tidy or the code changes.
skip=(conformance/traces/tests/mshv_backend_test.cpp)
for s in "${skip[@]}"; do
    for i in "${!all[@]}"; do [ "${all[$i]}" = "$hvsim_root/$s" ] && unset 'all[i]'; done
done
all=("${all[@]}")
files=("${all[@]}")
if [ -n "$base" ]; then
    if ! from=$(git merge-base "$base" HEAD 2>/dev/null); then
        echo "tidy: cannot resolve '$base'; checking every source" >&2
    else
        mapfile -t changed < <(git diff --name-only "$from" -- '*.cpp' '*.hpp' '*.c' '*.h' '*.def')
        files=()
        for f in "${all[@]}"; do
            rel="${f#"$hvsim_root"/}"
            for c in "${changed[@]}"; do
                # The source itself, or a source that includes a changed header by its name.
                if [ "$rel" = "$c" ] || { [[ "$c" != *.cpp && "$c" != *.c ]] &&
                        grep -q "#include [\"<].*$(basename "$c")[\">]" "$f"; }; then
                    files+=("$f")
                    break
                fi
            done
        done
        echo "tidy: ${#changed[@]} files changed since $base; checking ${#files[@]} sources" >&2
        [ ${#files[@]} -eq 0 ] && exit 0
    fi
fi
start=$SECONDS
status=0
printf '%s\n' "${files[@]}" |
    xargs -P "${HVSIM_TIDY_JOBS:-$(nproc)}" -n 4 clang-tidy-14 -p build/default --quiet --warnings-as-errors='*' \
        2> >(grep -v -e '^[0-9]* warnings\? generated\.$' -e '^[0-9]* warnings\? and [0-9]* errors\? generated\.$' \
                     -e '^Suppressed [0-9]* warnings' -e '^Use -header-filter=' >&2) ||
    status=$?
if [ "$status" -ne 0 ]; then
    echo "tidy: findings in ${#files[@]} sources checked ($((SECONDS - start)) s)" >&2
    exit 1
fi
echo "tidy: ${#files[@]} sources clean ($((SECONDS - start)) s)" >&2
