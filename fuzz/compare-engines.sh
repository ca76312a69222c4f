#!/usr/bin/env bash
# Runs each fuzz target for SECONDS under libFuzzer (the `fuzz` preset's build) and under AFL++
# (the `fuzz-afl` preset's), both from the checked-in corpus with the same dictionary, and
# prints the two engines' exec/s side by side: libFuzzer's own final figure
# (stat::average_exec_per_sec) and AFL++'s (execs_per_sec in fuzzer_stats). The two engines
# run at once, each pinned to its own core; new inputs go to a scratch directory, never to
# corpus/. Build both presets first (fuzz/README.md, "Two engines").
#   fuzz/compare-engines.sh [SECONDS] [TARGET...]    default: 60 s, every target but kernel_tree_fuzz
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=fuzz/script-args.sh
. fuzz/script-args.sh
fuzz_parse_args "$@"
for t in "${targets[@]}"; do
    for b in build/fuzz build/fuzz-afl; do
        if [ ! -x "$b/fuzz/$t" ]; then
            echo "compare-engines: $b/fuzz/$t is missing (cmake --preset ${b#build/} && cmake --build --preset ${b#build/})" >&2
            exit 2
        fi
    done
done
command -v afl-fuzz >/dev/null || {
    echo "compare-engines: afl-fuzz is missing (apt-get install afl++)" >&2
    exit 2
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '%-32s %14s %14s %8s\n' target "libFuzzer/s" "AFL++/s" ratio
for t in "${targets[@]}"; do
    dict=$(fuzz_dict "$t")
    max_len=4096
    case $t in scenario_reader_fuzz | trace_reader_fuzz) max_len=65536 ;; esac
    mkdir -p "$work/lf-$t"
    lf_args=(-max_total_time="$seconds" -print_final_stats=1 -max_len="$max_len" -rss_limit_mb=2048)
    [ -z "$dict" ] || lf_args+=(-dict="$dict")
    afl_args=(-i "corpus/$t" -o "$work/afl-$t" -V "$seconds" -m none -t 1000+)
    [ -z "$dict" ] || afl_args+=(-x "$dict")
    taskset -c 0 "build/fuzz/fuzz/$t" "${lf_args[@]}" "$work/lf-$t" "corpus/$t" >"$work/lf-$t.log" 2>&1 &
    lf=$!
    AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_QUIET=1 \
        taskset -c 1 afl-fuzz "${afl_args[@]}" -- "build/fuzz-afl/fuzz/$t" >"$work/afl-$t.log" 2>&1 &
    afl=$!
    wait "$lf" || true
    wait "$afl" || true
    lf_rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/lf-$t.log" | tail -1)
    afl_rate=$(sed -n 's/^execs_per_sec *: *//p' "$work/afl-$t/default/fuzzer_stats" 2>/dev/null | tail -1)
    if [ -z "$lf_rate" ] || [ -z "$afl_rate" ]; then
        echo "compare-engines: $t: no figure (libFuzzer log: $(tail -1 "$work/lf-$t.log"); AFL++ log: $(tail -1 "$work/afl-$t.log"))" >&2
        printf '%-32s %14s %14s %8s\n' "$t" "${lf_rate:-?}" "${afl_rate:-?}" "-"
        continue
    fi
    awk -v t="$t" -v l="$lf_rate" -v a="$afl_rate" 'BEGIN { printf "%-32s %14.0f %14.0f %8.2f\n", t, l, a, a / l }'
done
