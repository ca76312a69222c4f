// Attaches the C shim to a machine and runs kernel_style.c's wrapper on it (pkg-config build:
// c++ -std=c++20 kernel_style_main.cpp kernel_style.o $(pkg-config --cflags --libs hvsim-kshim)).
#include <cstdint>
#include <cstdio>

#include "hvsim/kshim_attach.hpp"

extern "C" int kernel_style_partition_id(std::uint64_t* id);

int main() {
    hvsim::Machine machine;
    hvsim::shim_attach(machine);
    std::uint64_t id = 0;
    const int rc = kernel_style_partition_id(&id);  // on the machine's per-CPU pages, as a kernel's
    hvsim::shim_detach();
    if (rc != 0 || id != machine.config().root_partition_id) {
        std::fprintf(stderr, "kernel_style_partition_id: %d, id %llu\n", rc, static_cast<unsigned long long>(id));
        return 1;
    }
    std::printf("kernel-style wrapper on the shim: root partition %llu\n", static_cast<unsigned long long>(id));
    return 0;
}
