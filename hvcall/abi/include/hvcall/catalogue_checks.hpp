// Compile-time invariants of the hypercall catalogue. Included by a translation unit of
// hvcall and by the tests, so a bad row in hypercalls.def fails the build.
#pragma once

#include "hvcall/catalogue.hpp"

namespace hvcall::catalogue_checks {

// Rep calls whose reps count something other than list elements. Each entry must stay a
// rep call without elements; a stale entry fails the build (element_free_rep_list_is_current).
inline constexpr CallId kElementFreeRepCalls[] = {
    CallId::unmap_gpa_pages,  // rep count = pages to unmap from the header's GFN base
};

constexpr bool is_element_free_rep(CallId id) {
    for (CallId e : kElementFreeRepCalls)
        if (e == id) return true;
    return false;
}

constexpr bool codes_and_names_unique() {
    for (std::size_t i = 0; i < kCalls.size(); ++i)
        for (std::size_t j = i + 1; j < kCalls.size(); ++j) {
            const auto &a = kCalls[i], &b = kCalls[j];
            if (a.code == b.code || a.name == b.name || a.tlfs_name == b.tlfs_name || a.linux_name == b.linux_name)
                return false;
        }
    return true;
}

constexpr bool ids_match_positions() {
    for (std::size_t i = 0; i < kCalls.size(); ++i)
        if (static_cast<std::size_t>(kCalls[i].id) != i) return false;
    return true;
}

constexpr bool codes_fit_index() {
    for (const auto& c : kCalls)
        if (c.code >= detail::kCodeIndexSize) return false;
    return true;
}

// The fixed part plus one element must fit the input page and the output page.
constexpr bool sizes_fit_a_page() {
    for (const auto& c : kCalls) {
        if (c.input_header_size + c.rep_input_size > kPageSize) return false;
        if (c.output_size + c.rep_output_size > kPageSize) return false;
    }
    return true;
}

constexpr bool rep_calls_have_an_element() {
    for (const auto& c : kCalls) {
        if (c.kind != Kind::Rep || c.layout == Layout::Unknown) continue;
        const bool has_element = c.rep_input_size != 0 || c.rep_output_size != 0;
        if (has_element == is_element_free_rep(c.id)) return false;
    }
    return true;
}

constexpr bool element_free_rep_list_is_current() {
    for (CallId id : kElementFreeRepCalls) {
        const auto& c = info(id);
        if (c.kind != Kind::Rep || c.rep_input_size != 0 || c.rep_output_size != 0) return false;
    }
    return true;
}

constexpr bool simple_calls_have_no_elements() {
    for (const auto& c : kCalls)
        if (c.kind == Kind::Simple && (c.rep_input_size != 0 || c.rep_output_size != 0)) return false;
    return true;
}

// Register-fast calls carry at most RDX:R8 and return nothing but the result word (TLFS).
constexpr bool fast_calls_fit_registers() {
    for (const auto& c : kCalls) {
        if (c.fast == Fast::Regs && (c.input_header_size > kFastRegsBytes || c.output_size != 0)) return false;
        if (c.fast == Fast::Xmm && c.input_header_size > kFastXmmBytes) return false;
    }
    return true;
}

constexpr bool unknown_layouts_claim_no_sizes() {
    for (const auto& c : kCalls)
        if (c.layout == Layout::Unknown &&
            (c.input_header_size | c.rep_input_size | c.rep_output_size | c.output_size) != 0)
            return false;
    return true;
}

static_assert(codes_and_names_unique(), "hypercalls.def: duplicate code or name");
static_assert(ids_match_positions(), "hypercalls.def: CallId out of step with rows");
static_assert(codes_fit_index(), "hypercalls.def: code beyond detail::kCodeIndexSize");
static_assert(sizes_fit_a_page(), "hypercalls.def: header plus one element exceeds a 4 KiB page");
static_assert(rep_calls_have_an_element(),
              "hypercalls.def: rep call without element (or listed element-free with one)");
static_assert(element_free_rep_list_is_current(), "kElementFreeRepCalls: stale entry");
static_assert(simple_calls_have_no_elements(), "hypercalls.def: simple call with rep element sizes");
static_assert(fast_calls_fit_registers(), "hypercalls.def: fast call input exceeds its register budget");
static_assert(unknown_layouts_claim_no_sizes(), "hypercalls.def: Unknown layout with sizes");

}  // namespace hvcall::catalogue_checks
