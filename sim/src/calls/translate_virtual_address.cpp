// HvCallTranslateVirtualAddress: partition id, VP index, padding, control flags, GVA page
// (HDK-3B/MARINER, 32 bytes); output result code, cache type, GPA page (MARINER non-EX form). The
// walk (state/page_walk) is x86-64 4-level paging over the guest's own page tables, read from the
// host pages its GPA map points at; a failed translation is a successful call with a result code.
#include "calls.hpp"
#include "common.hpp"
#include "state/page_walk.hpp"

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
constexpr std::uint64_t kCr0Pg = 1ull << 31, kCr4Pae = 1ull << 5, kCr4La57 = 1ull << 12, kEferLma = 1ull << 10;
constexpr std::uint32_t kReadable = 0x1, kMapWritable = 0x2;  // GPA map flags (HDKMINI)

struct Translation {
    Result result = kSuccess;
    std::uint64_t gpa_page = 0;
    std::uint32_t cache = kCacheWb;
};

// The access the control flags ask the walk to check.
state::WalkAccess walk_access(std::uint64_t flags) {
    return {.write = (flags & kValidateWrite) != 0,
            .execute = (flags & kValidateExecute) != 0,
            .user = (flags & kUserAccess) != 0,
            .supervisor_smap = (flags & kEnforceSmap) != 0 && (flags & kSupervisorAccess) != 0,
            .privilege_exempt = (flags & kPrivilegeExempt) != 0,
            .set_accessed_dirty = (flags & kSetPageTableBits) != 0};
}

Result result_code(state::WalkResult r) {
    switch (r) {
        case state::WalkResult::translated:
            return kSuccess;
        case state::WalkResult::table_unmapped:
            return kGpaUnmapped;
        case state::WalkResult::not_present:
            return kPageNotPresent;
        case state::WalkResult::invalid_flags:
            return kInvalidPageTableFlags;
        case state::WalkResult::privilege_violation:
            return kPrivilegeViolation;
    }
    return kPageNotPresent;
}

// The translated GPA page against the partition's GPA map: its access and its cache type.
void check_gpa(const Partition& p, std::uint64_t flags, Translation& t) {
    const auto m = p.gpa.at(t.gpa_page);
    if (!m || m->kind == GpaKind::no_access)
        t.result = m ? kGpaNoReadAccess : kGpaUnmapped;
    else if ((flags & kValidateRead) != 0 && (m->flags & kReadable) == 0)
        t.result = kGpaNoReadAccess;
    else if ((flags & kValidateWrite) != 0 && (m->flags & kMapWritable) == 0)
        t.result = kGpaNoWriteAccess;
    if (m && m->kind == GpaKind::mmio) t.cache = kCacheUc;
}

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
    const state::PagingRegisters regs{vp->reg(state::reg::cr0), vp->reg(state::reg::cr3), vp->reg(state::reg::efer)};
    const std::uint64_t cr4 = vp->reg(state::reg::cr4);
    const bool paging = (regs.cr0 & kCr0Pg) != 0;
    if (paging && ((cr4 & kCr4Pae) == 0 || (regs.efer & kEferLma) == 0 || (cr4 & kCr4La57) != 0))
        return ctx.reject(RuleId::translate_paging_mode, Site::input, kVpIndex, regs.cr0, cr4);

    const auto gva_page = ctx.in<std::uint64_t>(kGvaPage);
    Translation t{kSuccess, gva_page};
    if (paging) {
        const auto w = state::walk_page_tables(ctx.memory(), p->gpa, regs, s.config().guest_address_bits, gva_page,
                                               walk_access(flags));
        t.result = result_code(w.result);
        t.gpa_page = w.gpa_page;
    }
    if (t.result == kSuccess) check_gpa(*p, flags, t);
    const bool gpa_known = t.result == kSuccess || t.result >= kGpaUnmapped;
    ctx.out<std::uint32_t>(0, t.result);
    ctx.out<std::uint32_t>(4, t.cache);
    ctx.out<std::uint64_t>(8, gpa_known ? t.gpa_page : 0);
    return Outcome::ok();
}

}  // namespace hvsim::calls
