// The kernel's memory for driver code on the model: a FLATMEM memory map over the root's RAM,
// a page allocator over one run of it (alloc_pages hands out PFNs the hypervisor can take as
// deposits, and page_address is the page's bytes in the model, so both sides see the same
// memory), and kmalloc on the C heap. Allocations can be made to fail, one at a time.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "kernel_abi.hpp"
#include "shim_state.hpp"

constexpr gfp_t kGfpZeroFlag = 0x100u;     // __GFP_ZERO
constexpr gfp_t kGfpNoFailFlag = 0x8000u;  // __GFP_NOFAIL: hvsim's own allocations, never failed

extern "C" {
struct page* hvsim_mem_map = nullptr;
unsigned long max_pfn = 0;
unsigned int nr_cpu_ids = 1;
}

namespace hvsim {
namespace shim_detail {
namespace {

KernelHeap& heap() noexcept { return shim().heap; }

// Counts every allocation; true for the one the scenario asked to fail.
bool allocation_fails() noexcept {
    KernelHeap& h = heap();
    const std::uint64_t index = h.allocations++;
    return h.failing && index == *h.failing;
}

bool page_free(std::uint64_t pfn) noexcept { return (heap().mem_map[pfn].flags & HVSIM_PAGE_ALLOCATED) == 0; }

// First fit of 2^order free pages, aligned to their size, from where the last search ended.
std::optional<std::uint64_t> find_run(unsigned int order) {
    KernelHeap& h = heap();
    const std::uint64_t count = 1ull << order;
    const std::uint64_t first = h.run.first_pfn, end = h.run.first_pfn + h.run.pages;
    for (int pass = 0; pass < 2; ++pass) {
        std::uint64_t pfn = (pass == 0 ? first + h.next : first);
        pfn = (pfn + count - 1) & ~(count - 1);
        const std::uint64_t limit = pass == 0 ? end : std::min(end, first + h.next + count);
        for (; pfn + count <= limit; pfn += count) {
            std::uint64_t i = 0;
            while (i < count && page_free(pfn + i)) ++i;
            if (i == count) return pfn;
        }
    }
    return std::nullopt;
}

}  // namespace

void heap_attach(Machine& machine, KernelMemory run) {
    const std::uint64_t ram_pages = machine.config().ram_bytes / hvcall::kPageSize;
    if (run.pages == 0 || run.first_pfn >= ram_pages)
        throw std::invalid_argument("kshim: the kernel memory run starts outside the machine's RAM");
    run.pages = std::min(run.pages, ram_pages - run.first_pfn);
    std::uint64_t top = ram_pages;
    for (const auto& r : machine.config().mmio_ranges()) top = std::max(top, r.first + r.count);
    KernelHeap& h = heap();
    for (const auto& [block, size] : h.blocks) std::free(const_cast<void*>(block));
    h = KernelHeap{};
    h.run = run;
    h.mem_map.assign(top, page{0, 0, -1});
    hvsim_mem_map = h.mem_map.data();
    max_pfn = static_cast<unsigned long>(top);
    nr_cpu_ids = machine.config().cpus;
}

std::optional<std::uint64_t> heap_pfn_of(const volatile void* address) noexcept {
    const auto base = reinterpret_cast<std::uintptr_t>(address) & ~std::uintptr_t{hvcall::kPageSize - 1};
    const auto it = heap().page_of_addr.find(reinterpret_cast<const void*>(base));
    if (it == heap().page_of_addr.end()) return std::nullopt;
    return it->second;
}

}  // namespace shim_detail

bool shim_page_allocated(std::uint64_t pfn) noexcept {
    const auto& h = shim_detail::shim().heap;
    return pfn < h.mem_map.size() && (h.mem_map[pfn].flags & HVSIM_PAGE_ALLOCATED) != 0;
}

void shim_fail_allocation(std::optional<std::uint64_t> index) noexcept { shim_detail::shim().heap.failing = index; }
std::uint64_t shim_allocations() noexcept { return shim_detail::shim().heap.allocations; }

}  // namespace hvsim

using hvsim::shim_detail::heap;
using hvsim::shim_detail::shim;

extern "C" {

void* page_address(const struct page* pg) {
    auto& h = heap();
    if (shim().machine == nullptr || pg < h.mem_map.data() || pg >= h.mem_map.data() + h.mem_map.size()) return nullptr;
    const auto pfn = static_cast<std::uint64_t>(pg - h.mem_map.data());
    void* bytes = shim().machine->memory().page(pfn * hvcall::kPageSize).data();
    h.page_of_addr.emplace(bytes, pfn);
    return bytes;
}

struct page* virt_to_page(const volatile void* address) {
    const auto pfn = hvsim::shim_detail::heap_pfn_of(address);
    return pfn ? &heap().mem_map[*pfn] : nullptr;
}

void* phys_to_virt(phys_addr_t address) {
    const auto pfn = address / hvcall::kPageSize;
    if (pfn >= heap().mem_map.size()) return nullptr;
    return static_cast<char*>(page_address(&heap().mem_map[pfn])) + (address & (hvcall::kPageSize - 1));
}

int page_is_ram(unsigned long pfn) {
    return shim().machine != nullptr && pfn < shim().machine->config().ram_bytes / hvcall::kPageSize;
}

struct page* alloc_pages_node(int /*nid*/, gfp_t gfp, unsigned int order) {
    if (shim().machine == nullptr || hvsim::shim_detail::allocation_fails()) return nullptr;
    const auto first = hvsim::shim_detail::find_run(order);
    if (!first) return nullptr;
    auto& h = heap();
    const std::uint64_t count = 1ull << order;
    for (std::uint64_t i = 0; i < count; ++i) {
        page& pg = h.mem_map[*first + i];
        pg = page{HVSIM_PAGE_ALLOCATED, 1, i == 0 ? static_cast<int>(order) : -1};
        auto& bytes = shim().machine->memory().page((*first + i) * hvcall::kPageSize);
        // Fresh pages hold what they held before, unless zeroing was asked for; strict mode
        // makes that visible with the poison pattern.
        if ((gfp & kGfpZeroFlag) != 0) {
            std::ranges::fill(bytes, std::byte{0});
        } else if (shim().machine->config().strict) {
            const std::uint64_t poison = shim().machine->config().poison;
            for (std::size_t off = 0; off < bytes.size(); off += sizeof poison)
                std::memcpy(bytes.data() + off, &poison, sizeof poison);
        }
    }
    h.pages_out += count;
    h.next = *first + count - h.run.first_pfn;
    if (h.next >= h.run.pages) h.next = 0;
    return &h.mem_map[*first];
}

void __free_pages(struct page* pg, unsigned int order) {
    auto& h = heap();
    if (pg == nullptr) return;
    const auto pfn = static_cast<std::uint64_t>(pg - h.mem_map.data());
    const std::uint64_t count = 1ull << order;
    if (pg < h.mem_map.data() || pfn + count > h.mem_map.size()) {
        hvsim::shim_detail::report(hvsim::ShimRule::page_bad_free,
                                   "__free_pages: a struct page outside the memory map");
        return;
    }
    for (std::uint64_t i = 0; i < count; ++i) {
        page& p = h.mem_map[pfn + i];
        if ((p.flags & HVSIM_PAGE_ALLOCATED) == 0) {
            hvsim::shim_detail::report(hvsim::ShimRule::page_bad_free,
                                       "__free_pages(pfn " + hvsim::shim_detail::hex(pfn + i) + ", order " +
                                           std::to_string(order) + "): the page is not allocated (a double free, or " +
                                           "freed in the wrong units)");
            continue;
        }
        p = page{0, 0, -1};
        --h.pages_out;
    }
}

void put_page(struct page* pg) {
    if (pg != nullptr && --pg->refcount == 0) __free_pages(pg, 0);
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order) {
    struct page* pg = alloc_pages_node(-1, gfp, order);
    return pg ? reinterpret_cast<unsigned long>(page_address(pg)) : 0;
}

void free_pages(unsigned long address, unsigned int order) {
    if (address == 0) return;
    struct page* pg = virt_to_page(reinterpret_cast<void*>(address));
    if (pg == nullptr) {
        hvsim::shim_detail::report(
            hvsim::ShimRule::page_bad_free,
            "free_pages(" + hvsim::shim_detail::hex(address) + "): not an address the page allocator handed out");
        return;
    }
    __free_pages(pg, order);
}

void split_page(struct page* pg, unsigned int order) {
    for (std::uint64_t i = 0; i < (1ull << order); ++i) pg[i].order = 0;
}

void* kmalloc(std::size_t size, gfp_t flags) {
    if ((flags & kGfpNoFailFlag) == 0 && hvsim::shim_detail::allocation_fails()) return nullptr;
    void* p = (flags & kGfpZeroFlag) ? std::calloc(1, size ? size : 1) : std::malloc(size ? size : 1);
    if (p != nullptr) heap().blocks.emplace(p, size);
    return p;
}

void* krealloc(const void* old, std::size_t size, gfp_t flags) {
    void* p = kmalloc(size, flags);
    if (p == nullptr || old == nullptr) return p;
    const auto it = heap().blocks.find(old);
    if (it != heap().blocks.end()) std::memcpy(p, old, std::min(size, it->second));
    kfree(old);
    return p;
}

void kfree(const void* p) {
    if (p == nullptr) return;
    if (heap().blocks.erase(p) == 0) return;  // not ours (or freed twice): leave it to ASan
    std::free(const_cast<void*>(p));
}

// Per-CPU allocations: one slot per CPU, in one zeroed block.
void* hvsim_alloc_percpu(std::size_t size, std::size_t /*align*/) { return kmalloc(size * nr_cpu_ids, kGfpZeroFlag); }
void hvsim_free_percpu(const void* base) { kfree(base); }

}  // extern "C"
