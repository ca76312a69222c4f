// The shim's state, shared by its parts: hypercalls, per-CPU pages and interrupts
// (kshim.cpp), the page allocator and kmalloc (kmem.cpp), the log, WARN/BUG and hv_common's
// helpers (klog.cpp). One shim per process, used from one thread at a time.
#pragma once

#include <array>
#include <csetjmp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "hvcall/catalogue.hpp"
#include "hvsim/kshim_attach.hpp"
#include "kernel_abi.hpp"

namespace hvsim::shim_detail {

constexpr std::size_t kPageArgs = 2;  // input page, then output page

// What kernel code writes to: a CPU's input page with its output page directly after it, one
// 8 KiB block as Linux allocates them for a root partition (HVCOMMON). A batch one element
// too long runs into the output page, as in the kernel, instead of off a heap object. The
// block is copied to the machine's per-CPU pages (also adjacent, in GPA space) around a call.
struct alignas(hvcall::kPageSize) PagePair {
    std::array<std::byte, kPageArgs * hvcall::kPageSize> bytes{};
};

// An irq-off section is one stretch with interrupts disabled; a page is safe to use only in
// the section it was taken in (0: taken with interrupts on, safe in none).
struct CpuState {
    bool irqs_enabled = true;
    std::uint32_t saves = 0;  // local_irq_save calls not yet restored
    std::uint64_t section = 0;
    std::array<std::uint64_t, kPageArgs> page_section{};
};

// The kernel's page allocator over a run of the root's RAM, and kmalloc's live blocks.
struct KernelHeap {
    KernelMemory run;
    std::vector<struct page> mem_map;  // one per PFN below max_pfn
    std::uint64_t next = 0;            // where the next search starts, relative to run.first_pfn
    std::uint64_t pages_out = 0;
    std::unordered_map<const void*, std::size_t> blocks;          // kmalloc'd, by address
    std::unordered_map<const void*, std::uint64_t> page_of_addr;  // page_address results, by page base
    std::uint64_t allocations = 0;
    std::optional<std::uint64_t> failing;
};

struct Shim {
    Machine* machine = nullptr;
    std::uint32_t cpu = 0;
    std::vector<CpuState> cpus;
    std::vector<PagePair> pages;  // per CPU
    std::uint64_t sections = 0;
    // The per-CPU slots hyperv_pcpu_input_arg / hyperv_pcpu_output_arg point at: one pointer
    // per CPU to its input or output page.
    std::array<std::vector<void*>, kPageArgs> slots;
    std::vector<ShimDiagnostic> diagnostics;
    std::vector<LogLine> log;
    std::vector<ShimCall> calls;
    ShimCallObserver observer = nullptr;
    void* observer_context = nullptr;
    KernelHeap heap;
    std::jmp_buf* bug_target = nullptr;
    // Without a machine, kernel code still gets pages to fill (Linux always has them); the
    // call then returns U64_MAX.
    PagePair detached_pages;
    std::array<void*, kPageArgs> detached_slots{};
};

Shim& shim() noexcept;
CpuState& current_cpu() noexcept;

void report(ShimRule rule, const std::string& what);
std::string hex(std::uint64_t value, int digits = 1);

// The page allocator's half of attach: an empty allocator over `run`, a memory map up to the
// machine's highest RAM or MMIO page.
void heap_attach(Machine& machine, KernelMemory run);
// The PFN of a pointer into a page handed out by page_address, if it is one.
std::optional<std::uint64_t> heap_pfn_of(const volatile void* address) noexcept;
// Records a call the kernel code issued (and tells the observer); returns its result word.
std::uint64_t issued(ShimCall call);

}  // namespace hvsim::shim_detail
