// The hypervisor's state: partitions with their pools and GPA maps, and the host's pages
// (who owns each, and the root's access to it). Everything per page is an extent map.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hvsim/config.hpp"
#include "hvsim/model.hpp"
#include "state/extent_map.hpp"
#include "state/properties.hpp"
#include "state/vp.hpp"

namespace hvsim::state {

inline constexpr std::uint64_t kPartitionIdSelf = ~0ull;  // HV_PARTITION_ID_SELF (GDKMINI)
inline constexpr std::uint64_t kLargePages = 512;         // 4 KiB pages in a 2 MiB page
inline constexpr unsigned kLargeShift = 9;                // HV_HYP_LARGE_PAGE_SHIFT - HV_HYP_PAGE_SHIFT
inline constexpr unsigned kTableShift = 9;                // entries per page-table page: 4096 / 8

// What a run of guest pages maps to; a RAM or MMIO base moves with the page.
struct GpaValue {
    std::uint64_t pfn = 0;
    std::uint32_t flags = 0;
    GpaKind kind = GpaKind::ram;
    bool large = false;
    [[nodiscard]] GpaValue advanced(std::uint64_t n) const noexcept {
        return {kind == GpaKind::no_access ? pfn : pfn + n, flags, kind, large};
    }
    friend bool operator==(const GpaValue&, const GpaValue&) = default;
};

// A host page's holder (absent from the map: free root RAM, or MMIO, or nothing).
struct OwnerValue {
    std::uint64_t partition = 0;  // first: 16 bytes in all, so a run is a 32-byte entry
    std::uint32_t map_count = 0;
    PfnOwner owner = PfnOwner::free;
    [[nodiscard]] OwnerValue advanced(std::uint64_t) const noexcept { return *this; }
    friend bool operator==(const OwnerValue&, const OwnerValue&) = default;
};

static_assert(sizeof(GpaValue) == 16 && sizeof(OwnerValue) == 16, "one 32-byte extent map entry per run");

struct AccessBits {
    std::uint8_t bits = 0;
    [[nodiscard]] AccessBits advanced(std::uint64_t) const noexcept { return *this; }
    friend bool operator==(AccessBits, AccessBits) = default;
};

struct HostAccessValue {
    HostAccess access;
    [[nodiscard]] HostAccessValue advanced(std::uint64_t) const noexcept { return *this; }
    friend bool operator==(const HostAccessValue&, const HostAccessValue&) = default;
};

// An installed intercept (install_intercept): what the partition's VPs exit on.
struct Intercept {
    std::uint32_t type = 0;
    std::uint32_t access = 0;
    std::uint64_t parameter = 0;
};

// A registered CPUID result (register_intercept_result): overrides leaf eax / subleaf ecx.
struct CpuidResult {
    std::uint32_t vp = 0;
    std::uint32_t eax = 0, ecx = 0;
    bool subleaf_specific = false;
    bool always_override = false;
    std::array<std::uint32_t, 8> values{};  // eax, eax mask, ebx, ebx mask, ecx, ecx mask, edx, edx mask
};

// A port (create_port), keyed by its partition and id; a connection (connect_port) names one.
struct Port {
    std::uint32_t type = 0;
    std::uint64_t connection_partition = 0;
    std::uint32_t target_sint = 0, target_vp = 0;
    std::uint16_t base_flag = 0, flag_count = 0;
};
struct Connection {
    std::uint64_t port_partition = 0;
    std::uint32_t port_id = 0;
};
struct StatsPage {
    std::uint64_t pfn = 0;        // a pinned page of the root's pool, or the root's own page (overlay)
    std::uint64_t partition = 0;  // the partition the identity names (0: none)
    bool overlay = false;         // MAP_STATS_PAGE2: the root supplied the page; nothing is pinned
};

// The machine-wide state the root's boot, shutdown and crash paths drive (A-PROC, S-COMMON,
// T-CRASH): which logical processors are started, the sleep states registered, and whether
// the machine has powered off or the hypervisor was disabled for a crash dump.
struct SystemState {
    std::vector<bool> started_lps;               // by LP index; LP 0 (the boot processor) starts started
    bool all_lps_started = false;                // NOTIFY_PARTITION_EVENT ALL_LOGICAL_PROCESSORS_STARTED
    std::array<bool, 6> sleep_registered{};      // S1..S5 by state - 1
    std::array<std::uint8_t, 6> pm1a{}, pm1b{};  // their ACPI sleep types
    bool sleep_locked = false;
    std::uint32_t entered_sleep_state = 0;  // 0: running
    std::uint32_t crashdump_action = 0;     // the last ROOT_CRASHDUMP action notified
    bool hypervisor_disabled = false;       // DISABLE_HYP_EX succeeded
    std::uint64_t disable_rip = 0;

    // Keeps the LP vector's storage: fuzzers reset the model after every input.
    void reset(std::uint32_t cpus) {
        std::vector<bool> lps = std::move(started_lps);
        *this = SystemState{};
        lps.assign(cpus, false);
        if (cpus != 0) lps[0] = true;
        started_lps = std::move(lps);
    }
};

struct Partition {
    std::uint64_t id = 0;
    PartitionState state = PartitionState::uninitialized;
    std::uint64_t creation_flags = 0;
    std::uint64_t isolation = 0;
    std::array<std::uint64_t, 3> disabled_features{};
    ExtentMap<Unit> pool;          // deposited host PFNs
    std::uint64_t fixed_used = 0;  // pool pages held by initialization, VPs, ports and child partitions
    ExtentMap<GpaValue> gpa;       // GFN -> mapping
    ExtentMap<Unit> tables_4k;     // 2 MiB blocks (GFN >> 9) holding 4 KiB mappings: a table page each
    ExtentMap<Unit> tables_2m;     // 1 GiB blocks (GFN >> 18) holding 2 MiB mappings: a table page each
    ExtentMap<AccessBits> access;  // accessed/dirty bits of mapped pages (absent: clear)
    PropertyValues properties = initial_properties();
    std::map<std::uint32_t, Vp> vps;
    std::vector<Intercept> intercepts;
    std::vector<CpuidResult> cpuid_results;
    ExtentMap<Unit> pinned;  // pool pages handed to the root as overlay pages (VP state, stats)

    [[nodiscard]] std::uint64_t used(const Costs& c) const noexcept {
        return fixed_used + pinned.covered() + (tables_4k.covered() + tables_2m.covered()) * c.page_table;
    }
    [[nodiscard]] bool is_root(std::uint64_t root_id) const noexcept { return id == root_id; }
};

class State {
public:
    explicit State(const MachineConfig& config);
    // Back to the state of a new State with the same configuration, keeping the containers'
    // memory: fuzzers reset after every input, and a rebuild costs a dozen allocations.
    void reset();

    [[nodiscard]] const MachineConfig& config() const noexcept { return config_; }
    [[nodiscard]] const Costs& costs() const noexcept { return config_.costs; }
    [[nodiscard]] std::uint64_t root_id() const noexcept { return root_->id; }
    [[nodiscard]] Partition& root() noexcept { return *root_; }
    [[nodiscard]] const Partition& root() const noexcept { return *root_; }

    // The partition an id names (HV_PARTITION_ID_SELF is the root), or nullptr.
    [[nodiscard]] Partition* find(std::uint64_t id) noexcept {
        if (last_ != nullptr && last_->id == id) return last_;
        if (id == kPartitionIdSelf) return root_;
        auto it = partitions_.find(id);
        if (it == partitions_.end()) return nullptr;
        last_ = it->second.get();
        return last_;
    }
    [[nodiscard]] const Partition* find(std::uint64_t id) const noexcept {
        if (id == kPartitionIdSelf) return root_;
        auto it = partitions_.find(id);
        return it == partitions_.end() ? nullptr : it->second.get();
    }
    [[nodiscard]] const std::map<std::uint64_t, std::unique_ptr<Partition>>& partitions() const noexcept {
        return partitions_;
    }

    Partition& create(std::uint64_t flags, std::uint64_t isolation);
    void remove(std::uint64_t id);
    // Finalization frees every hypervisor object of the partition back into its pool.
    void finalize(Partition& p);

    // A pool page of p for an overlay the root reads (VP state page, stats page): the lowest
    // pool page not already pinned, counted as used. The caller has checked can_allocate.
    [[nodiscard]] std::uint64_t pin_page(Partition& p);
    void unpin_page(Partition& p, std::uint64_t pfn);

    std::map<std::pair<std::uint64_t, std::uint32_t>, Port> ports;              // (partition, port id)
    std::map<std::pair<std::uint64_t, std::uint32_t>, Connection> connections;  // (partition, connection id)
    std::map<std::array<std::uint64_t, 3>, StatsPage> stats_pages;              // (type, identity qwords)
    SystemState system;
    // Device interrupts mapped, by (partition, device id, the MSI entry handed out): a count, as
    // one device may map the same entry twice.
    std::map<std::array<std::uint64_t, 3>, std::uint32_t> device_interrupts;

    // Drops a stats page's hold on the root's pool (an overlay page holds nothing).
    void release_stats_page(const StatsPage& sp) {
        if (!sp.overlay) unpin_page(*root_, sp.pfn);
    }

    // --- host pages
    [[nodiscard]] bool is_ram(std::uint64_t pfn, std::uint64_t count = 1) const noexcept {
        return pfn < ram_pfns_ && count <= ram_pfns_ - pfn;
    }
    // How many pages from `pfn` on are RAM that nothing owns (0 when `pfn` is not).
    [[nodiscard]] std::uint64_t free_ram_from(std::uint64_t pfn) const {
        return pfn < ram_pfns_ ? std::min(owners.free_from(pfn), ram_pfns_ - pfn) : 0;
    }
    [[nodiscard]] bool is_mmio(std::uint64_t pfn, std::uint64_t count = 1) const noexcept;
    [[nodiscard]] PfnState pfn_state(std::uint64_t pfn) const;
    [[nodiscard]] HostAccess host_access_of(std::uint64_t pfn) const;
    // Every page of [pfn, pfn + count) satisfies f(OwnerValue) (absent pages are free RAM).
    template <class F>
    [[nodiscard]] bool all_owners(std::uint64_t pfn, std::uint64_t count, F&& f) const {
        bool ok = true;
        std::uint64_t pos = pfn;
        owners.for_each_in(pfn, count, [&](const auto& e) {
            if (e.start > pos && !f(OwnerValue{})) ok = false;
            if (!f(e.value)) ok = false;
            pos = e.end();
        });
        if (pos < pfn + count && !f(OwnerValue{})) ok = false;
        return ok;
    }
    // Mapping references to [pfn, pfn + count) from partition `id` (RAM only; MMIO is untracked).
    void add_map_refs(std::uint64_t pfn, std::uint64_t count, std::uint64_t id);
    void drop_map_refs(std::uint64_t pfn, std::uint64_t count);

    // --- guest pages
    // Removes [gfn, gfn + count) from p's map: PFN references, access bits and table pages go.
    void unmap_range(Partition& p, std::uint64_t gfn, std::uint64_t count);

    // Every broken invariant between the maps, a line each (state/invariants.cpp); empty when sound.
    [[nodiscard]] std::string check_invariants() const;
    [[nodiscard]] std::string digest() const;
    [[nodiscard]] std::size_t bytes() const;

    ExtentMap<OwnerValue> owners;            // host PFN -> holder, for every page not free
    ExtentMap<HostAccessValue> host_access;  // host PFN -> root access, where not the default

private:
    void reserve_percpu_pages();
    void release_tables(Partition& p, std::uint64_t gfn, std::uint64_t count);

    MachineConfig config_;
    std::uint64_t ram_pfns_;
    std::map<std::uint64_t, std::unique_ptr<Partition>> partitions_;  // the root included
    Partition* root_ = nullptr;
    Partition* last_ = nullptr;  // one-entry lookup cache: rep calls name the same partition per element
    std::uint64_t next_id_;
};

}  // namespace hvsim::state
