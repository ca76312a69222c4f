// HvCallTranslateVirtualAddress: partition id, VP index, padding, control flags, GVA page
// (HDK-3B/MARINER, 32 bytes); output result code, cache type, GPA page (MARINER non-EX form). The
// walk is x86-64 4-level paging over the guest's own page tables, read from the host pages
// its GPA map points at; a failed translation is a successful call with a result code.
#include <array>

#include "calls.hpp"
#include "common.hpp"

namespace hvsim::calls {

namespace {
constexpr std::uint32_t kPartition = 0, kVpIndex = 8, kPadding = 12, kFlags = 16, kGvaPage = 24;
// Control flags (MARINER, x86).
constexpr std::uint64_t kValidateRead = 0x1, kValidateWrite = 0x2, kValidateExecute = 0x4, kPrivilegeExempt = 0x8;
constexpr std::uint64_t kSetPageTableBits = 0x10, kUserAccess = 0x80, kEnforceSmap = 0x100;
constexpr std::uint64_t kSupervisorAccess = 0x40;
constexpr std::uint64_t kDefinedFlags = 0x7FF;
constexpr unsigned kVtlShift = 56;
constexpr std::uint64_t kReservedFlags = ~kDefinedFlags & ((1ull << kVtlShift) - 1);
// Result codes (MARINER).
enum Result : std::uint32_t {
    kSuccess = 0,
    kPageNotPresent = 1,
    kPrivilegeViolation = 2,
    kInvalidPageTableFlags = 3,
    kGpaUnmapped = 4,
    kGpaNoReadAccess = 5,
    kGpaNoWriteAccess = 6,
};
constexpr std::uint32_t kCacheUc = 0, kCacheWb = 6;
// Architectural bits (SDM vol. 3, 4.5).
constexpr std::uint64_t kCr0Pg = 1ull << 31, kCr0Wp = 1ull << 16, kCr4Pae = 1ull << 5, kCr4La57 = 1ull << 12;
constexpr std::uint64_t kEferLma = 1ull << 10, kEferNxe = 1ull << 11;
constexpr std::uint64_t kPresent = 0x1, kWritable = 0x2, kUser = 0x4, kAccessed = 0x20, kDirty = 0x40, kPageSize = 0x80;
constexpr std::uint64_t kNx = 1ull << 63;
constexpr std::uint64_t kAddressMask = 0x000FFFFFFFFFF000ull;
constexpr std::uint32_t kReadable = 0x1, kMapWritable = 0x2;  // GPA map flags (HDKMINI)

struct Walk {
    Result result = kSuccess;
    std::uint64_t gpa_page = 0;
};

}  // namespace

Outcome translate_virtual_address(CallContext& ctx) {
    state::State& s = model(ctx);
    Partition* p = nullptr;
    state::Vp* vp = nullptr;
    if (auto o = find_active_vp(ctx, kPartition, kVpIndex, p, vp); !o.is_ok()) return o;
    if (auto o = reserved(ctx, RuleId::translate_reserved_nonzero, kPadding, ctx.in<std::uint32_t>(kPadding), ~0u))
        return *o;
    const auto flags = ctx.in<std::uint64_t>(kFlags);
    if (auto o = reserved(ctx, RuleId::translate_reserved_nonzero, kFlags, flags, kReservedFlags)) return *o;
    if ((flags >> kVtlShift) != 0)
        return ctx.reject(RuleId::vtl_not_supported, Site::input, kFlags, flags, flags >> kVtlShift << kVtlShift);
    const std::uint64_t cr0 = vp->reg(state::reg::cr0), cr4 = vp->reg(state::reg::cr4),
                        efer = vp->reg(state::reg::efer);
    const bool paging = (cr0 & kCr0Pg) != 0;
    if (paging && ((cr4 & kCr4Pae) == 0 || (efer & kEferLma) == 0 || (cr4 & kCr4La57) != 0))
        return ctx.reject(RuleId::translate_paging_mode, Site::input, kVpIndex, cr0, cr4);

    PhysicalMemory& mem = ctx.memory();
    const std::uint64_t limit = gfn_limit(s);  // GFNs at or above it lie beyond the GPA space
    // A guest-physical qword's host address, or nothing when its page is not mapped RAM.
    auto host = [&](std::uint64_t gpa) -> std::optional<std::uint64_t> {
        const auto m = p->gpa.at(gpa >> 12);
        if (!m || m->kind != GpaKind::ram) return std::nullopt;
        return m->pfn * hvcall::kPageSize + (gpa & 0xFFF);
    };
    const auto gva_page = ctx.in<std::uint64_t>(kGvaPage);
    Walk w;
    w.gpa_page = gva_page;
    if (paging) {
        const std::uint64_t gva = gva_page << 12;
        std::array<std::uint64_t, 4> entry_at{};  // host addresses of the entries walked
        std::uint64_t table = vp->reg(state::reg::cr3) & kAddressMask;
        bool writable = true, user = true, nx = false;
        int level = 0;
        for (; level < 4; ++level) {
            const std::uint64_t index = (gva >> (39 - 9 * level)) & 511;
            const auto at = host(table + index * 8);
            if (!at) {
                w = {kGpaUnmapped, table >> 12};
                break;
            }
            entry_at[static_cast<std::size_t>(level)] = *at;
            std::array<std::byte, 8> raw{};
            mem.read(*at, raw);
            std::uint64_t e;
            std::memcpy(&e, raw.data(), 8);
            if ((e & kPresent) == 0) {
                w = {kPageNotPresent, 0};
                break;
            }
            const bool leaf = level == 3 || (level > 0 && (e & kPageSize) != 0);
            const unsigned page_shift = 12 + 9 * static_cast<unsigned>(3 - level);
            // Reserved: PS in a PML4E, address bits beyond the GPA space, NX without EFER.NXE,
            // and a large page's base bits below its size (bit 12 is its PAT bit).
            const std::uint64_t base_reserved = leaf && level < 3 ? ((1ull << page_shift) - 1) & ~0x1FFFull : 0;
            if ((level == 0 && (e & kPageSize) != 0) || ((e & kAddressMask) >> 12) >= limit ||
                ((e & kNx) != 0 && (efer & kEferNxe) == 0) || (e & base_reserved) != 0) {
                w = {kInvalidPageTableFlags, 0};
                break;
            }
            writable = writable && (e & kWritable) != 0;
            user = user && (e & kUser) != 0;
            nx = nx || (e & kNx) != 0;
            if (leaf) {
                const std::uint64_t base = e & kAddressMask & ~((1ull << page_shift) - 1);
                w.gpa_page = (base | (gva & ((1ull << page_shift) - 1))) >> 12;
                break;
            }
            table = e & kAddressMask;
        }
        if (w.result == kSuccess && (flags & kPrivilegeExempt) == 0) {
            const bool user_access = (flags & kUserAccess) != 0;
            const bool write_denied = !writable && (user_access || (cr0 & kCr0Wp) != 0);
            if (((flags & kValidateWrite) != 0 && write_denied) || (user_access && !user) ||
                ((flags & kValidateExecute) != 0 && nx) ||
                ((flags & kEnforceSmap) != 0 && (flags & kSupervisorAccess) != 0 && user))
                w = {kPrivilegeViolation, 0};
        }
        if (w.result == kSuccess && (flags & kSetPageTableBits) != 0)
            for (int l = 0; l <= level && l < 4; ++l) {
                const std::uint64_t at = entry_at[static_cast<std::size_t>(l)];
                std::array<std::byte, 8> raw{};
                mem.read(at, raw);
                std::uint64_t e;
                std::memcpy(&e, raw.data(), 8);
                e |= kAccessed;
                if (l == level && (flags & kValidateWrite) != 0) e |= kDirty;
                std::memcpy(raw.data(), &e, 8);
                mem.write(at, raw);
            }
    }
    std::uint32_t cache = kCacheWb;
    if (w.result == kSuccess) {
        const auto m = p->gpa.at(w.gpa_page);
        if (!m || m->kind == GpaKind::no_access)
            w.result = m ? kGpaNoReadAccess : kGpaUnmapped;
        else if ((flags & kValidateRead) != 0 && (m->flags & kReadable) == 0)
            w.result = kGpaNoReadAccess;
        else if ((flags & kValidateWrite) != 0 && (m->flags & kMapWritable) == 0)
            w.result = kGpaNoWriteAccess;
        if (m && m->kind == GpaKind::mmio) cache = kCacheUc;
    }
    const bool gpa_known = w.result == kSuccess || w.result >= kGpaUnmapped;
    ctx.out<std::uint32_t>(0, w.result);
    ctx.out<std::uint32_t>(4, cache);
    ctx.out<std::uint64_t>(8, gpa_known ? w.gpa_page : 0);
    return Outcome::ok();
}

}  // namespace hvsim::calls
