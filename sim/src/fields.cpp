#include "hvsim/fields.hpp"

#include <array>

namespace hvsim::fields {
namespace {

// Every field of the table, in order, then the blocks as runs of it.
#define HV_BLOCK(ns, call, role, linux_struct)
#define HV_FIELD(ns, ident, path, offset, size) ns::ident,
constexpr Field kFields[] = {
#include "hvsim/fields.def"
};
#undef HV_BLOCK
#undef HV_FIELD

struct BlockRow {
    hvcall::CallId call;
    Role role;
    std::string_view linux_struct;
    std::size_t fields;  // how many field rows follow it
};

// A block's row counts the HV_FIELD rows of its namespace: each field adds one to the count
// of its block, found by name.
#define HV_BLOCK(ns, call, role, linux_struct) BlockRow{hvcall::CallId::call, Role::role, #linux_struct, 0},
#define HV_FIELD(ns, ident, path, offset, size)
constexpr std::array kBlockRows = {
#include "hvsim/fields.def"
};
#undef HV_BLOCK
#undef HV_FIELD

#define HV_BLOCK(ns, call, role, linux_struct) #ns,
#define HV_FIELD(ns, ident, path, offset, size)
constexpr std::array kBlockNames = {
#include "hvsim/fields.def"
};
#undef HV_BLOCK
#undef HV_FIELD

#define HV_BLOCK(ns, call, role, linux_struct)
#define HV_FIELD(ns, ident, path, offset, size) std::string_view{#ns},
constexpr std::string_view kFieldBlocks[] = {
#include "hvsim/fields.def"
};
#undef HV_BLOCK
#undef HV_FIELD

constexpr std::array<Block, kBlockRows.size()> make_blocks() {
    std::array<Block, kBlockRows.size()> out{};
    std::size_t at = 0;
    for (std::size_t b = 0; b < kBlockRows.size(); ++b) {
        std::size_t n = 0;
        // The def file lists a block's fields right after it.
        while (at + n < std::size(kFields) && kFieldBlocks[at + n] == std::string_view{kBlockNames[b]}) ++n;
        out[b] = Block{kBlockRows[b].call, kBlockRows[b].role, kBlockRows[b].linux_struct,
                       std::span<const Field>(kFields + at, n)};
        at += n;
    }
    return out;
}
constexpr auto kBlocks = make_blocks();

// Each field row follows its own block: a field listed under another block breaks the runs.
constexpr bool fields_follow_their_blocks() {
    std::size_t total = 0;
    for (const auto& b : kBlocks) total += b.fields.size();
    return total == std::size(kFields);
}
static_assert(fields_follow_their_blocks(), "fields.def: every HV_FIELD must follow the HV_BLOCK of its namespace");

}  // namespace

std::uint32_t Block::catalogue_size() const noexcept {
    const hvcall::CallInfo& info = hvcall::info(call);
    switch (role) {
        case Role::input:
            return info.input_header_size;
        case Role::output:
            return info.output_size;
        case Role::rep_input:
            return info.rep_input_size;
        case Role::rep_output:
            return info.rep_output_size;
    }
    return 0;
}

std::span<const Block> blocks() noexcept { return kBlocks; }

std::string_view role_name(Role role) noexcept {
    switch (role) {
        case Role::input:
            return "input";
        case Role::output:
            return "output";
        case Role::rep_input:
            return "rep input element";
        case Role::rep_output:
            return "rep output element";
    }
    return "?";
}

}  // namespace hvsim::fields
