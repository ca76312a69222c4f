#!/usr/bin/env bash
# Re-records the golden traces in corpus/traces/ on purpose, after a deliberate change to the
# model's behaviour (or to the suite): `traces.golden` fails until they are re-recorded.
# Review `git diff corpus/traces` before committing: every changed line is a changed result.
#   ./tools/record-golden.sh            with build/default's hvsim
#   HVSIM=path/to/hvsim ./tools/record-golden.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
hvsim="${HVSIM:-build/default/tools/hvsim/hvsim}"
out=corpus/traces

# The built-in suite: one trace per suite file, so a change shows up in that call's trace only.
# Traces of suite files that no longer exist must not linger.
rm -f "$out"/suite/*.jsonl
"$hvsim" record --suite --split -o "$out/suite"
# The workloads: the passthrough one exercises every call /dev/mshv passes through.
"$hvsim" record --workload lifecycle -o "$out/lifecycle.jsonl"
"$hvsim" record --workload passthrough -o "$out/passthrough.jsonl"
"$hvsim" record --workload lifecycle --strict -o "$out/lifecycle_strict.cbor"
