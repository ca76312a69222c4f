// The VP register page (HV_VP_STATE_PAGE_REGISTERS; HDK-2B, HDK-3B): struct hv_vp_register_page,
// written from the VP's register file. The layout lives here and nowhere else.
//
// Offsets checked against the headers, not only derived from their field list:
// - torvalds/linux include/hyperv/hvhdk.h at 0b119045b79a (HDK-OLD) and the 37,315- and
//   41,744-char copies (HDK-2B, HDK-3B) put xmm0 right after rflags, at 152.
// - The patch "mshv: add a missing padding field" (Wei Liu, linux-hyperv, 23 Apr 2026; Fixes
//   e68bda71a2384, Cc stable; reported by two VMM developers) adds `reserved[8]` after
//   registers[18], "missed when importing the header". The header copy that carries
//   HVHDK_H_VERSION 25212 (with the uapi `__u64` types) has the same 8 bytes. So the
//   hypervisor's page has xmm0 at 160, and every field after rflags sits 8 bytes later than in
//   HDK-2B (cr0 352, not 344; interrupt_vectors 688, not 680). We follow the padded layout.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

#include "state/vp.hpp"

namespace hvsim::state {

inline constexpr std::uint16_t kRegisterPageType = 0;  // HV_VP_STATE_PAGE_REGISTERS

namespace register_page {
inline constexpr std::size_t kVersion = 0, kIsValid = 2, kDirty = 4;  // u16, u8, rsvdz u8, u32
inline constexpr std::size_t kGprs = 8;                               // rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8-r15
inline constexpr std::uint32_t kGprCount = 16;
inline constexpr std::size_t kRip = 136, kRflags = 144;
// 152: reserved[8]; 160: xmm0-5 (16 bytes each); 256: es, cs, ss, ds, fs, gs (16 bytes each).
inline constexpr std::size_t kCr0 = 352, kCr3 = 360, kCr4 = 368, kCr8 = 376, kEfer = 384;
// 392: dr7, pending_interruption, interrupt_state, instruction_emulation_hints, xfem (8 each);
// 432: reserved1[0x100]; 688: interrupt_vectors (count byte, then up to 7 vectors).
inline constexpr std::uint16_t kVersion1 = 1;  // HV_VP_REGISTER_PAGE_VERSION_1
static_assert(kRip == kGprs + 8 * kGprCount && kCr0 == kRflags + 8 + 8 + 6 * 16 + 6 * 16);

// The page's fields whose register the model tracks, besides the GPRs (hv_register_name numbers
// those in the page's order, so they are rax + i). The model has no xmm, segment, dr7,
// pending-interruption, interrupt-state, emulation-hint or xfem registers (its xsave bytes are
// an opaque blob), so those fields, and the dispatch-only interrupt vectors, stay zero.
struct Field {
    std::uint32_t name;
    std::size_t offset;
};
inline constexpr std::array kTrackedFields = {
    Field{reg::rip, kRip}, Field{reg::rflags, kRflags}, Field{reg::cr0, kCr0},   Field{reg::cr3, kCr3},
    Field{reg::cr4, kCr4}, Field{reg::cr8, kCr8},       Field{reg::efer, kEfer},
};
}  // namespace register_page

// Where the page shows a register, if it shows it: the GPRs (hv_register_name numbers them in
// the page's order) and the tracked fields.
inline std::optional<std::size_t> register_page_offset(std::uint32_t name) noexcept {
    namespace rp = register_page;
    if (name >= reg::rax && name < reg::rax + rp::kGprCount) return rp::kGprs + 8 * (name - reg::rax);
    for (const rp::Field& f : rp::kTrackedFields)
        if (f.name == name) return f.offset;
    return std::nullopt;
}

// Shows one register's current value, if the page has a field for it.
inline void write_register_field(const Vp& vp, std::uint32_t name, std::span<std::byte, 4096> page) noexcept {
    if (const auto offset = register_page_offset(name)) {
        const std::uint64_t value = vp.reg(name);
        std::memcpy(page.data() + *offset, &value, sizeof value);
    }
}

// Rewrites the whole page from the registers: version 1, valid, nothing dirty. Only this
// direction is modelled. A VMM writing the page and setting dirty bits for the hypervisor to
// consume is read back at the next HvCallDispatchVp, which the model does not have; a later
// register change therefore takes no account of what a VMM wrote there.
inline void write_register_page(const Vp& vp, std::span<std::byte, 4096> page) noexcept {
    namespace rp = register_page;
    auto put = [&](std::size_t offset, auto value) { std::memcpy(page.data() + offset, &value, sizeof value); };
    std::fill(page.begin(), page.end(), std::byte{0});
    put(rp::kVersion, rp::kVersion1);
    put(rp::kIsValid, std::uint8_t{1});
    put(rp::kDirty, std::uint32_t{0});
    for (std::uint32_t i = 0; i < rp::kGprCount; ++i) write_register_field(vp, reg::rax + i, page);
    for (const rp::Field& f : rp::kTrackedFields) write_register_field(vp, f.name, page);
}

}  // namespace hvsim::state
