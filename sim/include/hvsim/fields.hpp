// The model's per-call field table (fields.def): where each field the model reads lies in its
// block, under the name Linux's headers give it. The handlers take their offsets from here,
// and `hvsim kernel audit` compares a tree's layouts with it; sizes of whole blocks are the
// catalogue's (hvcall/hypercalls.def).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "hvcall/catalogue.hpp"

namespace hvsim::fields {

enum class Role : std::uint8_t { input, output, rep_input, rep_output };

struct Field {
    std::string_view path;  // "proximity_domain_info.flags"
    std::uint32_t offset;
    std::uint32_t size;
};

#define HV_BLOCK(ns, call, role, linux_struct)
#define HV_FIELD(ns, ident, path, offset, size)       \
    namespace ns {                                    \
    inline constexpr Field ident{path, offset, size}; \
    }
#include "hvsim/fields.def"
#undef HV_BLOCK
#undef HV_FIELD

struct Block {
    hvcall::CallId call;
    Role role;
    std::string_view linux_struct;                                // "hv_input_map_gpa_pages"
    std::span<const Field> fields;                                // in the table's order
    [[nodiscard]] std::uint32_t catalogue_size() const noexcept;  // the catalogue's size for this role
};

[[nodiscard]] std::span<const Block> blocks() noexcept;
[[nodiscard]] std::string_view role_name(Role role) noexcept;

}  // namespace hvsim::fields
