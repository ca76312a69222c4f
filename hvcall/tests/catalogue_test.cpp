#include <catch2/catch_test_macros.hpp>

#include <set>
#include <string>

#include "hvcall/catalogue_checks.hpp"

using namespace hvcall;

TEST_CASE("catalogue invariants hold (also checked at compile time)", "[catalogue]") {
    CHECK(catalogue_checks::codes_and_names_unique());
    CHECK(catalogue_checks::ids_match_positions());
    CHECK(catalogue_checks::sizes_fit_a_page());
    CHECK(catalogue_checks::rep_calls_have_an_element());
    CHECK(catalogue_checks::element_free_rep_list_is_current());
    CHECK(catalogue_checks::simple_calls_have_no_elements());
    CHECK(catalogue_checks::fast_calls_fit_registers());
    CHECK(catalogue_checks::unknown_layouts_claim_no_sizes());
}

TEST_CASE("lookups by code and by each name agree", "[catalogue]") {
    for (const auto& c : kCalls) {
        INFO(c.name);
        CHECK(find_call(c.code) == &c);
        CHECK(find_call(c.name) == &c);
        CHECK(find_call(c.tlfs_name) == &c);
        CHECK(find_call(c.linux_name) == &c);
        CHECK(&info(c.id) == &c);
        CHECK(c.tlfs_name.starts_with("HvCall"));
        CHECK(c.linux_name.starts_with("HVCALL_"));
        CHECK_FALSE(c.source.empty());
    }
    CHECK(find_call(std::uint16_t{0x0001}) == nullptr);
    CHECK(find_call(std::uint16_t{0xFFFF}) == nullptr);
    CHECK(find_call("no_such_call") == nullptr);
}

TEST_CASE("batch sizes of the reference driver follow from the catalogue", "[catalogue]") {
    // HVCALL, COMMON, PROC: each batch is (page - header) / element.
    auto batch = [](CallId id) {
        const auto& c = info(id);
        const auto elem = c.rep_input_size ? c.rep_input_size : c.rep_output_size;
        return c.rep_input_size ? (kPageSize - c.input_header_size) / elem : kPageSize / elem;
    };
    CHECK(batch(CallId::map_gpa_pages) == 509);
    CHECK(batch(CallId::deposit_memory) == 511);
    CHECK(batch(CallId::withdraw_memory) == 512);
    CHECK(batch(CallId::acquire_sparse_spa_page_host_access) == 510);
    CHECK(batch(CallId::set_vp_registers) == 127);
    CHECK(batch(CallId::get_vp_registers) == 1020);  // input side; the driver's 256 comes from the output page
    CHECK(kPageSize / info(CallId::get_vp_registers).rep_output_size == 256);
    CHECK((kPageSize - info(CallId::get_vp_state).input_header_size) / 8 == 507);
}

TEST_CASE("input size counts header, variable header and every element", "[catalogue]") {
    const auto& map = info(CallId::map_gpa_pages);
    CHECK(map.input_size(0, 509) == 4096);
    CHECK(map.input_size(0, 510) == 4104);
    CHECK(info(CallId::get_vp_state).input_size(507, 0) == 4096);
    CHECK(info(CallId::get_gpa_pages_access_states).output_bytes(4095) == 4095);
}

TEST_CASE("fast output starts at the first 16-byte boundary after the input", "[catalogue]") {
    const auto& get = info(CallId::get_vp_registers);  // 16-byte header, 4-byte names, 16-byte values
    CHECK(get.fast_output_offset(0, 1) == 32);         // 20 bytes of input
    CHECK(get.fast_output_offset(0, 4) == 32);         // 32: already on a boundary
    CHECK(get.fast_output_offset(0, 5) == 48);
    CHECK(get.fast_output_offset(1, 2) == 32);  // a variable header qword counts too: 16 + 8 + 8
    CHECK(info(CallId::set_vp_registers).fast_output_offset(0, 3) == kFastXmmBytes);  // the input fills the block
    CHECK(info(CallId::get_partition_id).fast_output_offset(0, 0) == 0);
}
