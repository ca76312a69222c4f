#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build, for libFuzzer or AFL++ alike (tools/cflite-build.sh tries both
# here; runs in the image with $CC, $CXX, $CXXFLAGS, $LIB_FUZZING_ENGINE,
# $SRC, $WORK and $OUT set): every fuzz target linked with the engine, and next to each in $OUT
# its seed corpus (<target>_seed_corpus.zip), dictionary (<target>.dict) and options (<target>.options).
cmake -S "$SRC/hvsim" -B "$WORK/hvsim" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DHVSIM_BUILD_FUZZERS=ON -DHVSIM_FUZZING_ENGINE="$LIB_FUZZING_ENGINE" \
  -DHVSIM_BUILD_TESTS=OFF -DHVSIM_BUILD_TOOLS=OFF -DHVSIM_BUILD_BENCH=OFF
# The planted-bug build is left out: it is broken on purpose.
targets="raw_dispatch_fuzz same_state_under_schedule_fuzz control_result_roundtrip_fuzz
         trace_roundtrip_fuzz scenario_reader_fuzz trace_reader_fuzz devmshv_ioctl_fuzz"
cmake --build "$WORK/hvsim" --target $targets

for t in $targets; do
  cp "$WORK/hvsim/fuzz/$t" "$OUT/"
  (cd "$SRC/hvsim/corpus/$t" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
  case $t in
    # The readers take whole files: the golden traces and suite files run to a few hundred KiB.
    scenario_reader_fuzz|trace_reader_fuzz) max_len=65536 ;;
    *) max_len=4096 ;;
  esac
  printf '[libfuzzer]\nmax_len = %d\n' "$max_len" > "$OUT/$t.options"
done
# The catalogue's codes, statuses and control words help the model targets; the readers have
# their grammars' keys and hostile tokens.
for t in raw_dispatch_fuzz same_state_under_schedule_fuzz control_result_roundtrip_fuzz; do
  cp "$SRC/hvsim/corpus/hypercalls.dict" "$OUT/$t.dict"
done
for t in scenario_reader_fuzz trace_reader_fuzz; do
  cp "$SRC/hvsim/corpus/$t.dict" "$OUT/$t.dict"
done
