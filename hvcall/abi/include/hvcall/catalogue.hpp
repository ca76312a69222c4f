// The hypercall catalogue: identities and shapes of every known call, expanded from
// hypercalls.def. Shared by the marshalling library and the model; layouts are not.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace hvcall {

// The upstream revision the catalogue's codes, names and shapes are current with, by the keys
// of docs/sources.md and their commits (`hvsim --version` prints it; conformance_sources_test
// checks that each commit is one docs/sources.md pins). Update it when a newer header is read.
inline constexpr std::string_view kCatalogueRevision =
    "Linux 7.1 with 7.2-rc1 fixes: GDKMINI 0bd921a4b4d9, A-GDK cafac16b6207, A-HDKMINI 2dfb59f50bc1";

inline constexpr std::uint32_t kPageSize = 4096;
inline constexpr std::uint32_t kFastRegsBytes = 16;  // RDX + R8
inline constexpr std::uint32_t kFastXmmBytes = 112;  // RDX + R8 + XMM0..XMM5 (TLFS: 6 XMM registers)

enum class Kind : std::uint8_t { Simple, Rep };
enum class Fast : std::uint8_t { None, Regs, Xmm };
enum class Header : std::uint8_t { Fixed, Variable };
enum class Layout : std::uint8_t { Known, Unknown };

// Every call, as a C++ enumerator in catalogue order (CallId::get_partition_id ...).
enum class CallId : std::uint16_t {
#define HV_CALL(name, tlfs, linux_name, code, kind, fast, header, layout, hdr, rin, rout, out, source) name,
#include "hvcall/hypercalls.def"
#undef HV_CALL
};

struct CallInfo {
    CallId id;
    std::string_view name;        // snake_case: "get_partition_id"
    std::string_view tlfs_name;   // "HvCallGetPartitionId"
    std::string_view linux_name;  // "HVCALL_GET_PARTITION_ID"
    std::uint16_t code;
    Kind kind;
    Fast fast;
    Header header;
    Layout layout;
    std::uint16_t input_header_size;
    std::uint16_t rep_input_size;
    std::uint16_t rep_output_size;
    std::uint16_t output_size;
    std::string_view source;

    [[nodiscard]] constexpr bool is_rep() const noexcept { return kind == Kind::Rep; }
    [[nodiscard]] constexpr bool allows_fast() const noexcept { return fast != Fast::None; }
    [[nodiscard]] constexpr bool allows_xmm() const noexcept { return fast == Fast::Xmm; }
    [[nodiscard]] constexpr bool allows_variable_header() const noexcept { return header == Header::Variable; }

    // Bytes of input for a call with these control fields: header, variable header, then
    // every rep element from index 0 (the list does not shrink as the rep start advances).
    [[nodiscard]] constexpr std::uint32_t input_size(std::uint32_t varhead_qwords,
                                                     std::uint32_t rep_count) const noexcept {
        return input_header_size + varhead_qwords * 8u + rep_count * rep_input_size;
    }
    [[nodiscard]] constexpr std::uint32_t output_bytes(std::uint32_t rep_count) const noexcept {
        return output_size + rep_count * rep_output_size;
    }
    // Fast (XMM) calls: where output starts in the register block (RDX, R8, XMM0..5), the first
    // 16-byte boundary at or after the input (TLFS XMM Fast Hypercalls). Past
    // kFastXmmBytes when the input alone fills the block: there is no room for output then.
    [[nodiscard]] constexpr std::uint32_t fast_output_offset(std::uint32_t varhead_qwords,
                                                             std::uint32_t rep_count) const noexcept {
        return (input_size(varhead_qwords, rep_count) + 15u) & ~15u;
    }
};

inline constexpr std::array kCalls = {
#define HV_CALL(name, tlfs, linux_name, code, kind, fast, header, layout, hdr, rin, rout, out, source) \
    CallInfo{CallId::name,   #name,          #tlfs, #linux_name, code, Kind::kind, Fast::fast,         \
             Header::header, Layout::layout, hdr,   rin,         rout, out,        source},
#include "hvcall/hypercalls.def"
#undef HV_CALL
};

[[nodiscard]] constexpr const CallInfo& info(CallId id) noexcept { return kCalls[static_cast<std::size_t>(id)]; }

namespace detail {
// Codes in the catalogue are all below this; the index table is 2 bytes an entry.
inline constexpr std::uint32_t kCodeIndexSize = 0x200;
inline constexpr std::uint16_t kNoCall = 0xFFFF;

constexpr std::array<std::uint16_t, kCodeIndexSize> make_code_index() {
    std::array<std::uint16_t, kCodeIndexSize> index{};
    index.fill(kNoCall);
    for (std::size_t i = 0; i < kCalls.size(); ++i) index[kCalls[i].code] = static_cast<std::uint16_t>(i);
    return index;
}
inline constexpr auto kCodeIndex = make_code_index();
}  // namespace detail

// The catalogue entry for a call code, or nullptr when the catalogue does not know it.
[[nodiscard]] constexpr const CallInfo* find_call(std::uint16_t code) noexcept {
    if (code >= detail::kCodeIndexSize) return nullptr;
    const std::uint16_t i = detail::kCodeIndex[code];
    return i == detail::kNoCall ? nullptr : &kCalls[i];
}

// Older Linux spellings of a code whose header name changed; the catalogue's linux_name is
// the newest header's.
struct LinuxAlias {
    CallId id;
    std::string_view linux_name;
};
inline constexpr LinuxAlias kLinuxAliases[] = {
    {CallId::get_vp_index_from_apic_id, "HVCALL_GET_VP_ID_FROM_APIC_ID"},  // GDKMINI; A-GDK renames it
};

// By snake_case, TLFS or Linux name ("get_partition_id", "HvCallGetPartitionId",
// "HVCALL_GET_PARTITION_ID"), or an older Linux name (kLinuxAliases).
[[nodiscard]] constexpr const CallInfo* find_call(std::string_view name) noexcept {
    for (const auto& c : kCalls) {
        if (c.name == name || c.tlfs_name == name || c.linux_name == name) return &c;
    }
    for (const auto& a : kLinuxAliases)
        if (a.linux_name == name) return &kCalls[static_cast<std::size_t>(a.id)];
    return nullptr;
}

[[nodiscard]] constexpr std::string_view to_string(Kind k) noexcept { return k == Kind::Rep ? "rep" : "simple"; }
[[nodiscard]] constexpr std::string_view to_string(Fast f) noexcept {
    return f == Fast::None ? "none" : f == Fast::Regs ? "regs" : "xmm";
}

}  // namespace hvcall
