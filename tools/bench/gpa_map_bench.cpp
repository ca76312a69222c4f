// Guest memory at scale, end to end (hvcall marshalling + the model), issue 4's three goals:
//  (a) mapping contiguous 4 KiB pages: >= 100 million reps/s, and >= 0.25 of a memory-bandwidth
//      reference measured in the same run (copying 16 bytes per rep: the PFN read from the
//      caller's list and written to the input page);
//  (b) mapping 1 TiB with 2 MiB pages: the time, and the model's GPA map memory (< 1 MiB);
//  (c) 1 million discontiguous 4 KiB mappings: the model's memory (< 128 MiB).
// Issue 17 tightens (a) to >= 0.9 of the copy reference and (c) to <= 32 MiB of model memory.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "hvcall/calls/memory.hpp"
#include "hvcall/calls/partition.hpp"
#include "hvsim/host_pages.hpp"
#include "hvsim/hypervisor.hpp"
#include "hvsim/machine.hpp"

namespace {

using namespace hvcall;

constexpr std::uint32_t kRW = map_flags::readable | map_flags::writable;
constexpr std::uint64_t kPages4k = 1ull << 20;   // (a): 4 GiB of guest memory per iteration
constexpr std::uint64_t kFirstPfn = 1ull << 20;  // guest backing starts at 4 GiB of host RAM
constexpr std::uint64_t kTiB = 1ull << 40;

std::size_t heap_in_use() { return mallinfo2().uordblks; }

// A machine with `ram` bytes of host RAM, one active partition and `pool` extra pool pages.
struct Setup {
    explicit Setup(std::uint64_t ram, std::uint64_t pool) : machine(config(ram)), sim(machine), pages(machine) {
        std::uint64_t self = 0;
        if (get_partition_id(sim, self) != 0) std::abort();
        CreatePartitionArgs args;
        args.flags |= creation_flags::gpa_super_pages_enabled;
        if (create_partition(sim, pages, args, self, id) != 0 || initialize_partition(sim, pages, id) != 0)
            std::abort();
        for (; pool > 0; pool -= std::min<std::uint64_t>(pool, kDepositMax))
            if (deposit_memory(sim, pages, id,
                               static_cast<std::uint32_t>(std::min<std::uint64_t>(pool, kDepositMax))) != 0)
                std::abort();
    }
    static hvsim::MachineConfig config(std::uint64_t ram) {
        hvsim::MachineConfig c;
        c.ram_bytes = ram;
        return c;
    }
    hvsim::Machine machine;
    hvsim::SimBackend sim;
    hvsim::HostPageSource pages;  // the upper half of RAM
    std::uint64_t id = 0;
};

// `per_element`: the handler's bulk step is taken away, so the engine runs the element handler
// rep by rep. (A fault plan no longer does that: the engine takes bulk steps under one.)
void map_contiguous_4k(benchmark::State& state, bool per_element) {
    Setup s(16ull << 30, kPages4k / 512 + 16);  // one table page per 2 MiB, deposited up front
    if (per_element) {
        hvsim::Handler h = s.machine.hypervisor().handler(hvcall::CallId::map_gpa_pages);
        h.batch = nullptr;
        s.machine.hypervisor().set_handler(hvcall::CallId::map_gpa_pages, h);
    }
    std::vector<std::uint64_t> pfns(kPages4k);
    for (std::uint64_t i = 0; i < kPages4k; ++i) pfns[i] = kFirstPfn + i;
    for (auto _ : state) {
        const auto r = map_gpa_pages(s.sim, s.pages, s.id, 0, kPages4k, kRW, pfns);
        if (!r.ok()) state.SkipWithError("map failed");
        state.PauseTiming();
        if (!unmap_gpa_pages(s.sim, s.id, 0, kPages4k, 0).ok()) state.SkipWithError("unmap failed");
        state.ResumeTiming();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kPages4k));
    state.counters["reps/s"] =
        benchmark::Counter(static_cast<double>(state.iterations() * kPages4k), benchmark::Counter::kIsRate);
}
void BM_map_contiguous_4k(benchmark::State& state) { map_contiguous_4k(state, false); }
void BM_map_contiguous_4k_per_element(benchmark::State& state) { map_contiguous_4k(state, true); }
BENCHMARK(BM_map_contiguous_4k)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_map_contiguous_4k_per_element)->Unit(benchmark::kMillisecond)->UseRealTime();

// The reference: the same number of reps, 16 bytes of memory traffic each, as plain copies
// of the same working-set size.
void BM_copy_16_bytes_per_rep(benchmark::State& state) {
    std::vector<std::uint64_t> src(kPages4k * 2, 1), dst(kPages4k * 2);
    for (auto _ : state) {
        std::memcpy(dst.data(), src.data(), src.size() * sizeof(std::uint64_t));
        benchmark::DoNotOptimize(dst.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kPages4k));
    state.counters["reps/s"] =
        benchmark::Counter(static_cast<double>(state.iterations() * kPages4k), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_copy_16_bytes_per_rep)->Unit(benchmark::kMillisecond)->UseRealTime();

double g_tib_map_bytes = 0, g_tib_heap_bytes = 0, g_tib_extents = 0;

void BM_map_1tib_2m(benchmark::State& state) {
    const std::uint64_t large_pages = kTiB / (2ull << 20);
    std::vector<std::uint64_t> heads(large_pages);
    for (std::uint64_t i = 0; i < large_pages; ++i) heads[i] = kFirstPfn + i * 512;
    for (auto _ : state) {
        state.PauseTiming();
        auto s = std::make_unique<Setup>(2 * kTiB + (16ull << 30), 2048);
        const std::size_t heap_before = heap_in_use();
        state.ResumeTiming();
        const auto r = map_gpa_pages(s->sim, s->pages, s->id, 0, kTiB / 4096, kRW | map_flags::large_page, heads);
        state.PauseTiming();
        if (!r.ok()) state.SkipWithError("map failed");
        g_tib_map_bytes = static_cast<double>(s->machine.hypervisor().gpa_map_bytes(s->id));
        g_tib_heap_bytes = static_cast<double>(heap_in_use() - heap_before);
        g_tib_extents = static_cast<double>(s->machine.hypervisor().gpa_extents(s->id).size());
        s.reset();
        state.ResumeTiming();
    }
    state.counters["gpa_map_bytes"] = g_tib_map_bytes;
    state.counters["heap_growth"] = g_tib_heap_bytes;
    state.counters["extents"] = g_tib_extents;
}
BENCHMARK(BM_map_1tib_2m)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

double g_sparse_model_bytes = 0, g_sparse_heap_bytes = 0;

// 1 million single-page mappings at every other GFN: no two can merge.
void BM_map_1m_discontiguous_4k(benchmark::State& state) {
    constexpr std::uint64_t kMappings = 1'000'000;
    for (auto _ : state) {
        state.PauseTiming();
        auto s = std::make_unique<Setup>(64ull << 30, 2 * kMappings / 512 + 16);
        const std::size_t heap_before = heap_in_use();
        const std::size_t model_before = s->machine.hypervisor().model_bytes();
        state.ResumeTiming();
        for (std::uint64_t i = 0; i < kMappings; ++i) {
            const std::uint64_t pfn = kFirstPfn + 2 * i;  // discontiguous on the host side too
            if (!map_gpa_pages(s->sim, s->pages, s->id, 2 * i, 1, kRW, std::span(&pfn, 1)).ok()) {
                state.SkipWithError("map failed");
                break;
            }
        }
        state.PauseTiming();
        g_sparse_model_bytes = static_cast<double>(s->machine.hypervisor().model_bytes() - model_before);
        g_sparse_heap_bytes = static_cast<double>(heap_in_use() - heap_before);
        s.reset();
        state.ResumeTiming();
    }
    state.counters["model_bytes"] = g_sparse_model_bytes;
    state.counters["heap_growth"] = g_sparse_heap_bytes;
}
BENCHMARK(BM_map_1m_discontiguous_4k)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace

// Runs the benchmarks, then prints the figures the goals are judged by, from this one run.
int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

    struct Collect : benchmark::ConsoleReporter {
        double map_rate = 0, element_rate = 0, copy_rate = 0, tib_ms = 0;
        void ReportRuns(const std::vector<Run>& runs) override {
            for (const auto& r : runs) {
                const auto rate = r.counters.find("reps/s");
                if (r.benchmark_name().starts_with("BM_map_contiguous_4k/") && rate != r.counters.end())
                    map_rate = rate->second;
                if (r.benchmark_name().starts_with("BM_map_contiguous_4k_per_element") && rate != r.counters.end())
                    element_rate = rate->second;
                if (r.benchmark_name().starts_with("BM_copy_16_bytes_per_rep") && rate != r.counters.end())
                    copy_rate = rate->second;
                if (r.benchmark_name().starts_with("BM_map_1tib_2m")) tib_ms = r.GetAdjustedRealTime();
            }
            ConsoleReporter::ReportRuns(runs);
        }
    } reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();

    std::printf("\n");
    if (reporter.map_rate > 0) {
        std::printf("(a) contiguous 4 KiB map, end to end: %.1f million reps/s (goal >= 100): %s\n",
                    reporter.map_rate / 1e6, reporter.map_rate >= 100e6 ? "met" : "NOT met");
        if (reporter.copy_rate > 0) {
            const double ratio = reporter.map_rate / reporter.copy_rate;
            std::printf(
                "    16-byte-per-rep copy reference: %.1f million reps/s; ratio %.2f (goal >= 0.25, issue 17: >= 0.9): "
                "%s\n",
                reporter.copy_rate / 1e6, ratio,
                ratio >= 0.9    ? "met"
                : ratio >= 0.25 ? "issue 4's met"
                                : "NOT met");
        }
        if (reporter.element_rate > 0)
            std::printf("    element by element (the bulk step taken away): %.1f million reps/s\n",
                        reporter.element_rate / 1e6);
    }
    if (reporter.tib_ms > 0)
        std::printf(
            "(b) 1 TiB in 2 MiB pages: %.1f ms; GPA map %.0f bytes in %.0f extents, heap growth %.0f bytes "
            "(goal < 1 MiB): %s\n",
            reporter.tib_ms, g_tib_map_bytes, g_tib_extents, g_tib_heap_bytes,
            g_tib_heap_bytes < (1 << 20) && g_tib_map_bytes < (1 << 20) ? "met" : "NOT met");
    if (g_sparse_model_bytes > 0)
        std::printf(
            "(c) 1 million discontiguous 4 KiB mappings: model %.1f MiB (estimate), heap growth %.1f MiB "
            "(goal < 128 MiB, issue 17: model <= 32 MiB): %s\n",
            g_sparse_model_bytes / (1 << 20), g_sparse_heap_bytes / (1 << 20),
            g_sparse_model_bytes <= 32.0 * (1 << 20) && g_sparse_heap_bytes < 128.0 * (1 << 20) ? "met"
            : g_sparse_heap_bytes < 128.0 * (1 << 20)                                           ? "issue 4's met"
                                                                                                : "NOT met");
    return 0;
}
