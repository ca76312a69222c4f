// The trace format's enum names, written once per enum (conformance/traces/src/trace.cpp):
// each reads back as what it names.
#include <catch2/catch_test_macros.hpp>

#include "hvsim/traces/trace.hpp"

using namespace hvsim::traces;

TEST_CASE("form and id kind names read back as what they name", "[names]") {
    for (const Form f : {Form::memory, Form::fast, Form::xmm}) CHECK(form_from_string(to_string(f)) == f);
    for (const IdKind k : {IdKind::partition, IdKind::port, IdKind::connection})
        CHECK(id_kind_from_string(to_string(k)) == k);
    CHECK(to_string(IdKind::connection) == "connection");
    CHECK_FALSE(form_from_string("registers"));
    CHECK_FALSE(id_kind_from_string("?"));
}

TEST_CASE("trace file formats by name", "[names]") {
    for (const Format f : {Format::jsonl, Format::cbor}) CHECK(format_from_string(to_string(f)) == f);
    CHECK(format_names() == std::vector<std::string>{"jsonl", "cbor"});
    CHECK_FALSE(format_from_string("json"));
}
