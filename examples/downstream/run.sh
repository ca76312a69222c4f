#!/usr/bin/env bash
# Builds and runs this example against an hvsim installed at PREFIX, in WORK (made afresh):
# the CMake package, then both pkg-config files. Exit 0 when every program ran and passed.
# CFLAGS, CXXFLAGS and LDFLAGS apply to every compile (CMake reads them too): a sanitizer build
# of hvsim needs its flags in the programs that link it.
set -euo pipefail
if [ $# -ne 2 ]; then
    echo "usage: $0 PREFIX WORK" >&2
    exit 2
fi
prefix="$(cd "$1" && pwd)"
work="$2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rm -rf "$work"
mkdir -p "$work"

echo "== CMake: find_package(hvsim 0.2) from $prefix"
cmake -S "$here" -B "$work/cmake" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >"$work/configure.log" || {
    cat "$work/configure.log" >&2
    exit 1
}
cmake --build "$work/cmake" >"$work/build.log" || { cat "$work/build.log" >&2; exit 1; }
ctest --test-dir "$work/cmake" --output-on-failure

pcdir=$(dirname "$(find "$prefix/lib" "$prefix/share" -maxdepth 3 -name hvsim.pc -path '*pkgconfig*' 2>/dev/null | head -1)")
export PKG_CONFIG_PATH="$pcdir"
export LD_LIBRARY_PATH="$(pkg-config --variable=libdir hvsim)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

echo "== pkg-config hvsim $(pkg-config --modversion hvsim): the C API"
cc ${CFLAGS:-} -std=c11 -Wall -Wextra -Werror "$here/c_api_check.c" ${LDFLAGS:-} $(pkg-config --cflags --libs hvsim) -o "$work/c_api_pc"
"$work/c_api_pc"

echo "== pkg-config hvsim-kshim: kernel-style C on the shim"
cc ${CFLAGS:-} -std=gnu11 -Wall -Wextra -Werror -c "$here/kernel_style.c" $(pkg-config --cflags hvsim-kshim) -o "$work/kernel_style.o"
c++ ${CXXFLAGS:-} -std=c++20 -Wall -Wextra -Werror "$here/kernel_style_main.cpp" "$work/kernel_style.o" ${LDFLAGS:-} \
    $(pkg-config --cflags --libs hvsim-kshim) -o "$work/kernel_style"
"$work/kernel_style"
echo "downstream: every program passed"
