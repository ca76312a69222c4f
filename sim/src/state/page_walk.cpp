#include "state/page_walk.hpp"

#include <array>
#include <cstring>
#include <optional>

namespace hvsim::state {

namespace {

// Architectural bits (SDM vol. 3, 4.5).
constexpr std::uint64_t kCr0Wp = 1ull << 16, kEferNxe = 1ull << 11;
constexpr std::uint64_t kPresent = 0x1, kWritable = 0x2, kUser = 0x4, kAccessed = 0x20, kDirty = 0x40, kPageSize = 0x80;
constexpr std::uint64_t kNx = 1ull << 63;
constexpr std::uint64_t kAddressMask = 0x000FFFFFFFFFF000ull;
constexpr std::size_t kLevels = 4;  // PML4, PDPT, PD, PT

// The entries walked down to the leaf: where each sits on the host, and what they allow together.
struct Path {
    std::array<std::uint64_t, kLevels> entry_at{};  // host addresses of the entries walked
    std::size_t leaf_level = 0;
    bool writable = true, user = true, nx = false;
};

// A guest-physical qword's host address, or nothing when its page is not mapped RAM.
std::optional<std::uint64_t> host_address(const ExtentMap<GpaValue>& gpa_map, std::uint64_t gpa) {
    const auto m = gpa_map.at(gpa >> 12);
    if (!m || m->kind != GpaKind::ram) return std::nullopt;
    return m->pfn * hvcall::kPageSize + (gpa & 0xFFF);
}

std::uint64_t read_entry(const PhysicalMemory& mem, std::uint64_t at) {
    std::array<std::byte, 8> raw{};
    mem.read(at, raw);
    std::uint64_t e = 0;
    std::memcpy(&e, raw.data(), 8);
    return e;
}

void write_entry(PhysicalMemory& mem, std::uint64_t at, std::uint64_t e) {
    std::array<std::byte, 8> raw{};
    std::memcpy(raw.data(), &e, 8);
    mem.write(at, raw);
}

// The size, as a shift, of what a leaf entry at `level` maps: 512 GiB >> 9 per level down.
unsigned page_shift(std::size_t level) { return 12 + 9 * static_cast<unsigned>(kLevels - 1 - level); }

// Reserved: PS in a PML4E, address bits beyond the GPA space, NX without EFER.NXE,
// and a large page's base bits below its size (bit 12 is its PAT bit).
bool reserved_bits_set(std::uint64_t e, std::size_t level, bool leaf, std::uint64_t gfn_mask, std::uint64_t efer) {
    const std::uint64_t base_reserved =
        leaf && level < kLevels - 1 ? ((1ull << page_shift(level)) - 1) & ~0x1FFFull : 0;
    return (level == 0 && (e & kPageSize) != 0) || (((e & kAddressMask) >> 12) & gfn_mask) != 0 ||
           ((e & kNx) != 0 && (efer & kEferNxe) == 0) || (e & base_reserved) != 0;
}

// Walks from CR3 to the leaf entry, recording the path; the translation or why there is none.
Walk descend(const PhysicalMemory& mem, const ExtentMap<GpaValue>& gpa_map, const PagingRegisters& regs,
             std::uint64_t gfn_mask, std::uint64_t gva, Path& path) {
    std::uint64_t table = regs.cr3 & kAddressMask;
    for (std::size_t level = 0; level < kLevels; ++level) {
        const std::uint64_t index = (gva >> (39 - 9 * level)) & 511;
        const auto at = host_address(gpa_map, table + index * 8);
        if (!at) return {WalkResult::table_unmapped, table >> 12};
        path.entry_at[level] = *at;
        const std::uint64_t e = read_entry(mem, *at);
        if ((e & kPresent) == 0) return {WalkResult::not_present, 0};
        const bool leaf = level == kLevels - 1 || (level > 0 && (e & kPageSize) != 0);
        if (reserved_bits_set(e, level, leaf, gfn_mask, regs.efer)) return {WalkResult::invalid_flags, 0};
        path.writable = path.writable && (e & kWritable) != 0;
        path.user = path.user && (e & kUser) != 0;
        path.nx = path.nx || (e & kNx) != 0;
        if (leaf) {
            path.leaf_level = level;
            const std::uint64_t offset_mask = (1ull << page_shift(level)) - 1;
            const std::uint64_t base = e & kAddressMask & ~offset_mask;
            return {WalkResult::translated, (base | (gva & offset_mask)) >> 12};
        }
        table = e & kAddressMask;
    }
    return {WalkResult::not_present, 0};  // not reached: a PTE is always a leaf
}

// Whether the path's accumulated permissions deny the access. A supervisor write to a read-only
// page is allowed unless CR0.WP is set.
bool access_denied(const Path& path, const WalkAccess& access, std::uint64_t cr0) {
    const bool write_denied = !path.writable && (access.user || (cr0 & kCr0Wp) != 0);
    return (access.write && write_denied) || (access.user && !path.user) || (access.execute && path.nx) ||
           (access.supervisor_smap && path.user);
}

// Sets A in every entry on the path, and D in the leaf for a write.
void mark_accessed(PhysicalMemory& mem, const Path& path, bool write) {
    for (std::size_t l = 0; l <= path.leaf_level; ++l) {
        std::uint64_t e = read_entry(mem, path.entry_at[l]) | kAccessed;
        if (l == path.leaf_level && write) e |= kDirty;
        write_entry(mem, path.entry_at[l], e);
    }
}

}  // namespace

Walk walk_page_tables(PhysicalMemory& mem, const ExtentMap<GpaValue>& gpa_map, const PagingRegisters& regs,
                      unsigned guest_address_bits, std::uint64_t gva_page, const WalkAccess& access) {
    const std::uint64_t gfn_mask = ~0ull << (guest_address_bits - 12);  // GFN bits beyond the GPA space
    Path path;
    const Walk w = descend(mem, gpa_map, regs, gfn_mask, gva_page << 12, path);
    if (w.result != WalkResult::translated) return w;
    if (!access.privilege_exempt && access_denied(path, access, regs.cr0)) return {WalkResult::privilege_violation, 0};
    if (access.set_accessed_dirty) mark_accessed(mem, path, access.write);
    return w;
}

}  // namespace hvsim::state
