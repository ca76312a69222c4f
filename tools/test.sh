#!/usr/bin/env bash
# Quick start, part 2: install what is missing, build, run the whole test suite with CTest.
# Exits non-zero on any failure; the last line is CTest's summary.
#   ./tools/test.sh             the default preset (g++, RelWithDebInfo)
#   ./tools/test.sh asan        the same tests under ASan + UBSan
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
preset="${1:-default}"
hvsim_setup
hvsim_build "$preset"
cd "$hvsim_root"
ctest --preset "$preset"
