// How a Machine is built: CPUs, the root's host memory (RAM and MMIO ranges), the guest
// physical address width, and what hypervisor objects cost in deposited pages.
#pragma once

#include <cstdint>
#include <vector>

namespace hvsim {

// A run of host page frame numbers.
struct PfnRange {
    std::uint64_t first = 0;
    std::uint64_t count = 0;
    [[nodiscard]] constexpr bool contains(std::uint64_t pfn) const noexcept { return pfn - first < count; }
};

// Pages each object takes from a deposited pool. Sources give no figures: the reference
// driver's empirical deposits (HVCALL: 208 before initialize, 1 page per create retry, 256
// per map retry) are what these defaults are sized against.
struct Costs {
    std::uint32_t create_partition = 1;        // from the creating (root) partition's pool
    std::uint32_t initialize_partition = 200;  // from the partition's own pool
    std::uint32_t vp = 1;                      // per virtual processor, from the partition's pool
    std::uint32_t vp_root = 0;                 // per child VP, from the root's own pool as well
    bool vp_contiguous = false;                // a VP's pages (of either pool) form one run of
                                               // contiguous deposited PFNs
    std::uint32_t port = 1;                    // per port or connection, from its partition's pool
    std::uint32_t logical_processor = 1;       // per added logical processor, from the root's pool
    std::uint32_t page_table = 1;              // per 512 GPA entries: a 2 MiB block with 4 KiB
                                               // mappings, or a 1 GiB block with 2 MiB ones
};

inline constexpr std::uint64_t kDefaultMmioAlign = 1ull << 30;
inline constexpr std::uint64_t kDefaultMmioBytes = 64ull << 20;

struct MachineConfig {
    std::uint32_t cpus = 2;
    std::uint64_t ram_bytes = 1ull << 30;          // root RAM is [0, ram_bytes)
    std::uint64_t percpu_base = 0x100000;          // CPU i: input page at base + i * 8 KiB, output page after it
    std::uint64_t root_partition_id = 1;           // what HvCallGetPartitionId answers the root
    bool strict = false;                           // poison input pages and undefined output bytes
    bool reject_spec_only = false;                 // spec-only rules reject; by default, as hardware most
                                                   // likely does, they are recorded and the call proceeds
    bool hypervisor_restarts_reps = false;         // TLFS continuation: on a time-slice end, rewrite the
                                                   // rep start and re-execute instead of returning
    std::uint64_t poison = 0xDEADBEEFCAFEF00Dull;  // the stale-data pattern strict mode writes

    // Host MMIO (device) ranges: mappable into guests, never RAM; they must lie above RAM.
    // None given: 64 MiB at the first 1 GiB boundary above RAM (kDefaultMmio*).
    std::vector<PfnRange> mmio;
    std::uint32_t max_vps =
        256;  // VP indices below this (MSHV_MAX_VPS; the hypervisor's own limit is not in the sources)
    std::uint32_t guest_address_bits = 48;  // child GPA space: GFNs below 2^(bits - 12)
    Costs costs;

    // One past the highest GFN of a child's GPA space (guest_address_bits).
    [[nodiscard]] constexpr std::uint64_t gfn_limit() const noexcept {
        return guest_address_bits >= 64 ? ~0ull >> 12 : 1ull << (guest_address_bits - 12);
    }

    // The MMIO ranges in force: `mmio`, or the default range above RAM.
    [[nodiscard]] std::vector<PfnRange> mmio_ranges() const {
        if (!mmio.empty()) return mmio;
        const std::uint64_t base = (ram_bytes + kDefaultMmioAlign - 1) / kDefaultMmioAlign * kDefaultMmioAlign;
        return {{base / 4096, kDefaultMmioBytes / 4096}};
    }
};

}  // namespace hvsim
