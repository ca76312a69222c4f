#!/usr/bin/env bash
# Quick start, part 1: install what is missing, build incrementally, run hvsim.
# With no arguments runs the main job (the conformance suite on the embedded model);
# any arguments are passed to hvsim instead:  ./tools/run.sh decode control 0x10000004c
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
hvsim_setup
hvsim_build default
hvsim="$hvsim_root/build/default/tools/hvsim/hvsim"
if [ $# -eq 0 ]; then
    exec "$hvsim" conformance
fi
exec "$hvsim" "$@"
