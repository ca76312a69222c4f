#!/usr/bin/env bash
# Runs .clusterfuzzlite/build.sh here, outside its container, the way the OSS-Fuzz toolchain
# runs it for one fuzzing engine, then runs every target it wrote to $OUT once over its seed
# corpus. It checks that the build files build for both engines; it is not a CTest test (two
# whole fuzz builds take several minutes each).
#   ./tools/cflite-build.sh libfuzzer   clang-14, -fsanitize=fuzzer (the engine ClusterFuzzLite runs)
#   ./tools/cflite-build.sh afl         AFL++'s afl-clang-fast and its libAFLDriver.a (OSS-Fuzz's afl engine)
# The build ($WORK) and $OUT go under build/cflite-<engine>/. Installs clang or afl++ when missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

usage() {
    echo "usage: $0 libfuzzer|afl" >&2
    exit 2
}
[ $# -eq 1 ] || usage
engine="$1"
case "$engine" in
    libfuzzer | afl) ;;
    *)
        echo "cflite-build: unknown engine '$engine' (expected libfuzzer or afl)" >&2
        exit 2
        ;;
esac

HVSIM_SETUP_CLANG=1 hvsim_setup
command -v zip >/dev/null || apt_install zip
sanitizers="-fsanitize=address,undefined -fno-omit-frame-pointer"
if [ "$engine" = libfuzzer ]; then
    export CC=clang-14 CXX=clang++-14
    export CFLAGS="$sanitizers -fsanitize=fuzzer-no-link" CXXFLAGS="$sanitizers -fsanitize=fuzzer-no-link"
    export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
else
    command -v afl-clang-fast++ >/dev/null || apt_install afl++
    export CC=afl-clang-fast CXX=afl-clang-fast++ AFL_QUIET=1
    export CFLAGS="$sanitizers" CXXFLAGS="$sanitizers"
    export LIB_FUZZING_ENGINE=/usr/lib/afl/libAFLDriver.a
fi
root="$hvsim_root/build/cflite-$engine"
# $SRC/hvsim is a link to this tree, kept outside it so that nothing walking the tree loops.
SRC=$(mktemp -d)
trap 'rm -rf "$SRC"' EXIT
export SRC WORK="$root/work" OUT="$root/out" FUZZING_ENGINE="$engine"
rm -rf "$OUT" "$WORK" "$root/src"  # a fresh build each time: the toolchain builds from scratch too
mkdir -p "$WORK" "$OUT"
ln -s "$hvsim_root" "$SRC/hvsim"
LDFLAGS="$sanitizers" bash "$hvsim_root/.clusterfuzzlite/build.sh"

# Each target once over its seeds: libFuzzer's own replay mode, or AFL++'s driver reading
# each file (a program built with libAFLDriver runs the files it is given when not under afl-fuzz).
status=0
for t in "$OUT"/*_fuzz; do
    name=$(basename "$t")
    seeds="$hvsim_root/corpus/$name"
    mapfile -t files < <(find "$seeds" -type f | sort | head -200)
    if ASAN_OPTIONS=detect_leaks=0 "$t" "${files[@]}" >"$WORK/$name.log" 2>&1; then
        echo "cflite-build: $engine: $name ran ${#files[@]} seeds"
    else
        echo "cflite-build: $engine: $name FAILED on its seeds (log: $WORK/$name.log)" >&2
        status=1
    fi
done
exit "$status"
