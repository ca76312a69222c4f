// Property: a kernel tree's own driver code keeps the driver suite's properties under every
// schedule (kernel check's matrix, drawn from the fuzzer's bytes). The tree is compiled at
// start-up with this build's compiler and flags -- in the fuzz preset, libFuzzer's coverage
// and the sanitizers -- so coverage of the driver's own branches steers the search.
//
//   kernel_tree_fuzz --tree=LINUX [--scenario=NAME]... [libFuzzer flags] [CORPUS...]
//
// ($HVSIM_KERNEL_TREE works too; libFuzzer ignores flags that start with "--".) A finding
// prints its id, function, scenario and schedule and aborts, so libFuzzer keeps the input;
// `hvsim kernel fuzz LINUX --input CRASH [--record TRACE]` explains it and records its trace.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "hvsim/kernel/check.hpp"

namespace {

struct Target {
    std::unique_ptr<hvsim::kernel::LoadedTree> tree;
    std::unique_ptr<hvsim::kernel::ByteFuzzer> fuzzer;
};
Target* g_target = nullptr;

[[noreturn]] void usage(const std::string& why) {
    std::fprintf(stderr,
                 "kernel_tree_fuzz: %s\n"
                 "usage: kernel_tree_fuzz --tree=LINUX [--scenario=NAME]... [libFuzzer flags] [CORPUS...]\n"
                 "  (or set HVSIM_KERNEL_TREE); LINUX is the root of a tree that hvsim kernel check accepts\n",
                 why.c_str());
    std::exit(2);
}

std::vector<std::string> split_flags(std::string_view flags) {
    std::vector<std::string> out;
    std::istringstream in{std::string(flags)};
    for (std::string f; in >> f;) out.push_back(f);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    std::string tree;
    std::vector<std::string> scenarios;
    if (const char* env = std::getenv("HVSIM_KERNEL_TREE")) tree = env;
    for (int i = 1; i < *argc; ++i) {
        const std::string_view arg = (*argv)[i];
        if (arg.starts_with("--tree="))
            tree = arg.substr(7);
        else if (arg.starts_with("--scenario="))
            scenarios.emplace_back(arg.substr(11));
        else if (arg.starts_with("--"))
            usage("unknown option " + std::string(arg));
    }
    if (tree.empty()) usage("no tree (--tree=LINUX or $HVSIM_KERNEL_TREE)");
    try {
        hvsim::kernel::BuildOptions build;
        build.cc = HVSIM_KERNEL_FUZZ_CC;
        build.extra_flags = split_flags(HVSIM_KERNEL_FUZZ_CFLAGS);
        auto loaded = hvsim::kernel::build_tree(hvsim::kernel::open_tree(tree), build);
        auto fuzzer = std::make_unique<hvsim::kernel::ByteFuzzer>(*loaded, scenarios);
        if (fuzzer->scenarios() == 0) usage(tree + ": the tree runs none of the suite's scenarios");
        g_target = new Target{std::move(loaded), std::move(fuzzer)};
        std::fprintf(stderr, "kernel_tree_fuzz: %s built with %s; %zu scenarios\n", tree.c_str(),
                     g_target->tree->compiler().c_str(), g_target->fuzzer->scenarios());
    } catch (const hvsim::kernel::TreeError& e) {
        usage(e.what());
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (g_target == nullptr) usage("not initialised (LLVMFuzzerInitialize did not run)");
    const hvsim::kernel::FuzzCase c = g_target->fuzzer->run({data, size});
    if (c.findings.empty()) return 0;
    for (const auto& f : c.findings)
        std::fprintf(stderr, "kernel_tree_fuzz: FINDING %s in %s (scenario %s, %s): %s\n", f.id.c_str(),
                     f.function.c_str(), c.scenario.c_str(), c.schedule.c_str(), f.evidence.c_str());
    std::abort();
}
