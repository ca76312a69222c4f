#!/usr/bin/env bash
# Runs each fuzz target for SECONDS from its checked-in corpus under libFuzzer, the plain build
# (`fuzz-plain` preset) and the ASan + UBSan build (`fuzz` preset) at once, each pinned to its
# own core, and prints libFuzzer's own exec/s (stat::average_exec_per_sec) for both: the
# conditions of fuzz/README.md's "Speed" table (-seed=1, the model targets with
# corpus/hypercalls.dict, the readers with their dictionaries and -max_len=65536). New inputs go
# to a scratch directory, never to corpus/. Build both presets first. Keep the machine otherwise
# idle: the figures are only as quiet as the machine.
#   fuzz/speed.sh [SECONDS] [TARGET...]    default: 60 s, every target but kernel_tree_fuzz
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=fuzz/script-args.sh
. fuzz/script-args.sh
fuzz_parse_args "$@"
for t in "${targets[@]}"; do
    [ -d "corpus/$t" ] || {
        echo "speed: no corpus/$t: not a fuzz target (see fuzz/README.md)" >&2
        exit 2
    }
    for b in build/fuzz-plain build/fuzz; do
        if [ ! -x "$b/fuzz/$t" ]; then
            echo "speed: $b/fuzz/$t is missing (cmake --preset ${b#build/} && cmake --build --preset ${b#build/})" >&2
            exit 2
        fi
    done
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

args_for() {
    local args=(-seed=1 -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048)
    local dict
    dict=$(fuzz_dict "$1")
    [ -z "$dict" ] || args+=(-dict="$dict")
    case $1 in scenario_reader_fuzz | trace_reader_fuzz) args+=(-max_len=65536) ;; esac
    echo "${args[@]}"
}

printf '%-32s %14s %14s\n' target "plain exec/s" "ASan exec/s"
for t in "${targets[@]}"; do
    read -r -a args <<<"$(args_for "$t")"
    rates=()
    core=0
    for b in fuzz-plain fuzz; do
        mkdir -p "$work/$b-$t"
        taskset -c "$core" "build/$b/fuzz/$t" "${args[@]}" "$work/$b-$t" "corpus/$t" >"$work/$b-$t.log" 2>&1 &
        core=$((core + 1))
    done
    wait || true
    for b in fuzz-plain fuzz; do
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$b-$t.log" | tail -1)
        if grep -qE '^==[0-9]+==ERROR|^SUMMARY: |deadly signal' "$work/$b-$t.log"; then
            echo "speed: $b/$t found something; its log:" >&2
            tail -30 "$work/$b-$t.log" >&2
            exit 1
        fi
        rates+=("${rate:-?}")
    done
    printf '%-32s %14s %14s\n' "$t" "${rates[0]}" "${rates[1]}"
done
