// What scenarios and tests can see of the model's state, and the values they set it up with.
// Plain values: the model's own structures stay private (sim/src/state/).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hvsim {

// Partition lifecycle (WDK "Partition State"): created uninitialized, initialized to active,
// finalized, then deleted (the id is invalid afterwards).
enum class PartitionState : std::uint8_t { uninitialized, active, finalized };
// Each enum's names are written once, in enumerator order: to_string reads them, and so do the
// scenario language's assertions (conformance/src/load.cpp, runner.cpp).
inline constexpr std::array<const char*, 3> kPartitionStateNames = {"uninitialized", "active", "finalized"};

namespace detail {
template <typename E, std::size_t N>
[[nodiscard]] constexpr const char* name_of(E e, const std::array<const char*, N>& names) noexcept {
    const auto i = static_cast<std::size_t>(e);
    return i < N ? names[i] : "?";
}
}  // namespace detail

[[nodiscard]] constexpr const char* to_string(PartitionState s) noexcept {
    return detail::name_of(s, kPartitionStateNames);
}

struct PartitionInfo {
    std::uint64_t id = 0;
    PartitionState state{};
    std::uint64_t creation_flags = 0;
    std::uint64_t isolation = 0;                       // hv_partition_isolation_properties as sent
    std::array<std::uint64_t, 3> disabled_features{};  // creation properties: banks 0 and 1, xsave
    std::uint64_t pool_pages = 0;                      // deposited and not withdrawn
    std::uint64_t pool_used = 0;                       // of those, taken by the hypervisor's objects
    std::uint64_t gpa_extents = 0;
    std::uint64_t gpa_pages = 0;  // mapped 4 KiB pages
    friend bool operator==(const PartitionInfo&, const PartitionInfo&) = default;
};

enum class GpaKind : std::uint8_t { ram, mmio, no_access };
inline constexpr std::array<const char*, 3> kGpaKindNames = {"ram", "mmio", "no_access"};
[[nodiscard]] constexpr const char* to_string(GpaKind k) noexcept { return detail::name_of(k, kGpaKindNames); }

// What one guest page maps to.
struct GpaMapping {
    std::uint64_t pfn = 0;  // host PFN (0 for no-access mappings)
    std::uint32_t flags = 0;
    GpaKind kind{};
    bool large = false;  // part of a 2 MiB mapping
    friend bool operator==(const GpaMapping&, const GpaMapping&) = default;
};

// A run of guest pages mapped alike (pfn is the first page's).
struct GpaExtent {
    std::uint64_t gfn = 0;
    std::uint64_t count = 0;
    GpaMapping mapping;
    friend bool operator==(const GpaExtent&, const GpaExtent&) = default;
};

// Who holds a host page.
enum class PfnOwner : std::uint8_t {
    free,       // root RAM, the root's to use
    reserved,   // the machine's own (per-CPU hypercall pages)
    deposited,  // in a partition's pool: the hypervisor's
    mapped,     // mapped into a child partition's GPA space
    mmio,       // a device range
    none,       // no host memory at this PFN
};
inline constexpr std::array<const char*, 6> kPfnOwnerNames = {"free",   "reserved", "deposited",
                                                              "mapped", "mmio",     "none"};
[[nodiscard]] constexpr const char* to_string(PfnOwner o) noexcept { return detail::name_of(o, kPfnOwnerNames); }

struct PfnState {
    PfnOwner owner{};
    std::uint64_t partition = 0;  // deposited into / mapped into
    std::uint32_t map_count = 0;  // GPA pages mapping it (aliases within one partition)
    friend bool operator==(const PfnState&, const PfnState&) = default;
};

// The root's access to a host page (acquire / release sparse SPA page host access).
inline constexpr std::uint8_t kHostReadable = 0x1;
inline constexpr std::uint8_t kHostWritable = 0x2;
struct HostAccess {
    std::uint8_t host_access = kHostReadable | kHostWritable;
    std::uint64_t exclusive_to = 0;  // partition the page is exclusive to, 0 when shared
    friend bool operator==(const HostAccess&, const HostAccess&) = default;
};

// Guest page access state bits (hv_gpa_page_access_state).
inline constexpr std::uint8_t kPageAccessed = 0x1;
inline constexpr std::uint8_t kPageDirty = 0x2;

}  // namespace hvsim
