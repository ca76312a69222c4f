// What read GPA and write GPA share (UAPI-HV hvhdk.h hv_input_read_gpa / hv_input_write_gpa):
// partition id, VP index, byte count, base GPA, control flags (cache type in bits 0-7); the
// output starts with an hv_access_gpa_result. A failed access is a successful call with a
// result code, as the header's result union says.
#pragma once

#include <algorithm>
#include <array>

#include "common.hpp"

namespace hvsim::calls::access_gpa {

inline constexpr std::uint32_t kPartition = 0, kVpIndex = 8, kByteCount = 12, kBaseGpa = 16, kFlags = 24;
inline constexpr std::uint32_t kMaxBytes = 16;  // HV_READ_WRITE_GPA_MAX_SIZE
inline constexpr std::uint64_t kCacheType = 0xFF;
inline constexpr std::uint32_t kReadable = 0x1, kWritable = 0x2;  // GPA map flags (HDKMINI)

// enum hv_access_gpa_result_code (ILLEGAL_OVERLAY_ACCESS 4 needs overlay pages the model has not).
enum Result : std::uint32_t { kSuccess = 0, kUnmapped = 1, kReadIntercept = 2, kWriteIntercept = 3 };

// The range, where its bytes live (16 bytes cross at most one page boundary), and the result.
struct Access {
    std::uint32_t count = 0;
    std::uint64_t gpa = 0;
    std::array<std::uint64_t, 2> host{};
    std::array<std::uint32_t, 2> bytes{};
    std::uint32_t pieces = 0;
    Result result = kSuccess;

    // f(host address, offset into the data, bytes) for each page piece, in order.
    template <class F>
    void each_piece(F&& f) const {
        std::uint32_t at = 0;
        for (std::uint32_t i = 0; i < pieces; ++i) {
            f(host[i], at, bytes[i]);
            at += bytes[i];
        }
    }
};

// enum hv_cache_type (x86): UNCACHED 0, WRITE_COMBINING 1, WRITE_THROUGH 4, WRITE_PROTECTED 5, WRITE_BACK 6.
[[nodiscard]] constexpr bool cache_type_known(std::uint64_t t) noexcept {
    return t == 0 || t == 1 || (t >= 4 && t <= 6);
}

// An active child with the named VP, defined control flags, a byte count of 1-16.
[[nodiscard]] inline Outcome check_header(CallContext& ctx, Partition*& p, Access& a) noexcept {
    state::Vp* vp = nullptr;
    if (auto o = find_active_vp(ctx, kPartition, kVpIndex, p, vp); !o.is_ok()) return o;
    const auto flags = ctx.in<std::uint64_t>(kFlags);
    if (auto o = reserved(ctx, RuleId::access_gpa_flags_reserved, kFlags, flags, ~kCacheType)) return *o;
    if (!cache_type_known(flags & kCacheType))
        return ctx.reject(RuleId::access_gpa_cache_type_invalid, Site::input, kFlags, flags, flags & kCacheType);
    a.count = ctx.in<std::uint32_t>(kByteCount);
    if (a.count == 0 || a.count > kMaxBytes)
        return ctx.reject(RuleId::access_gpa_byte_count_invalid, Site::input, kByteCount, a.count);
    a.gpa = ctx.in<std::uint64_t>(kBaseGpa);
    return Outcome::ok();
}

// Looks every page of the range up in p's GPA map; the header sets no alignment, so a range may
// cross into the next page, which then needs its own mapping. An unmapped page answers UNMAPPED;
// a page without the permission `needed` (no-access mappings included) answers `denied`, the
// intercept the guest's own access would raise. MMIO pages have no bytes in the model and
// answer `denied` too (hvsim's choice: the root emulates what it intercepts). A range that
// wraps past 2^64 starts in a page beyond the GPA space, which is never mapped.
[[nodiscard]] inline Result resolve(const Partition& p, Access& a, std::uint32_t needed, Result denied) noexcept {
    std::uint64_t gpa = a.gpa;
    std::uint32_t left = a.count;
    a.pieces = 0;
    while (left > 0) {
        const auto m = p.gpa.at(gpa >> 12);
        if (!m) return kUnmapped;
        if (m->kind != GpaKind::ram || (m->flags & needed) == 0) return denied;
        const auto offset = static_cast<std::uint32_t>(gpa & 0xFFF);
        const std::uint32_t n = std::min(left, static_cast<std::uint32_t>(hvcall::kPageSize) - offset);
        a.host[a.pieces] = m->pfn * hvcall::kPageSize + offset;
        a.bytes[a.pieces] = n;
        ++a.pieces;
        left -= n;
        gpa += n;
    }
    return kSuccess;
}

// Both calls start alike: the header checks, then the range through the GPA map.
[[nodiscard]] inline Outcome begin(CallContext& ctx, std::uint32_t needed, Result denied, Access& a) noexcept {
    Partition* p = nullptr;
    if (auto o = check_header(ctx, p, a); !o.is_ok()) return o;
    a.result = resolve(*p, a, needed, denied);
    return Outcome::ok();
}

}  // namespace hvsim::calls::access_gpa
