// The shared codecs (codecs.hpp): every field of a machine and a fault plan survives a write and
// a read; each bad value is refused with the field it is in; whatever is accepted builds a
// Machine (whose preconditions abort).
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <string>
#include <vector>

#include "hvsim/conformance/codecs.hpp"
#include "hvsim/machine.hpp"

namespace conf = hvsim::conformance;
using Catch::Matchers::ContainsSubstring;
using nlohmann::json;

namespace {

// Every field away from its default.
hvsim::MachineConfig unusual_machine() {
    hvsim::MachineConfig c;
    c.cpus = 7;
    c.ram_bytes = 3ull << 30;
    c.percpu_base = 0x200000;
    c.root_partition_id = 9;
    c.strict = true;
    c.reject_spec_only = true;
    c.hypervisor_restarts_reps = true;
    c.poison = 0x0123456789ABCDEFull;
    c.mmio = {{(4ull << 30) / 4096, 16}, {(8ull << 30) / 4096, 1}};
    c.max_vps = 17;
    c.guest_address_bits = 40;
    c.costs = {2, 3, 4, 5, true, 6, 7, 8};
    return c;
}

void check_same(const hvsim::MachineConfig& a, const hvsim::MachineConfig& b) {
    CHECK(a.cpus == b.cpus);
    CHECK(a.ram_bytes == b.ram_bytes);
    CHECK(a.percpu_base == b.percpu_base);
    CHECK(a.root_partition_id == b.root_partition_id);
    CHECK(a.strict == b.strict);
    CHECK(a.reject_spec_only == b.reject_spec_only);
    CHECK(a.hypervisor_restarts_reps == b.hypervisor_restarts_reps);
    CHECK(a.poison == b.poison);
    REQUIRE(a.mmio.size() == b.mmio.size());
    for (std::size_t i = 0; i < a.mmio.size(); ++i) {
        CHECK(a.mmio[i].first == b.mmio[i].first);
        CHECK(a.mmio[i].count == b.mmio[i].count);
    }
    CHECK(a.max_vps == b.max_vps);
    CHECK(a.guest_address_bits == b.guest_address_bits);
    CHECK(a.costs.create_partition == b.costs.create_partition);
    CHECK(a.costs.initialize_partition == b.costs.initialize_partition);
    CHECK(a.costs.vp == b.costs.vp);
    CHECK(a.costs.vp_root == b.costs.vp_root);
    CHECK(a.costs.vp_contiguous == b.costs.vp_contiguous);
    CHECK(a.costs.port == b.costs.port);
    CHECK(a.costs.logical_processor == b.costs.logical_processor);
    CHECK(a.costs.page_table == b.costs.page_table);
}

struct Refusal {
    const char* json;
    const char* field;
    const char* reason;
};

// `read` refuses r.json at r.field, for r.reason.
template <class Read>
void check_refused(const Refusal& r, Read read) {
    INFO(r.json);
    try {
        (void)read(json::parse(r.json));
        FAIL("accepted");
    } catch (const conf::CodecError& e) {
        CHECK(e.field() == r.field);
        CHECK_THAT(e.what(), ContainsSubstring(r.reason));
    }
}

}  // namespace

TEST_CASE("a machine round-trips every field", "[codecs]") {
    const hvsim::MachineConfig c = unusual_machine();
    const json written = conf::write_machine(c);
    CHECK(written.size() == 12);
    CHECK(written.at("costs").size() == 8);
    check_same(conf::read_machine(written), c);
    check_same(conf::read_machine(conf::write_machine(hvsim::MachineConfig{})), hvsim::MachineConfig{});
    check_same(conf::read_machine(json::object()), hvsim::MachineConfig{});
    CHECK(conf::write_machine(conf::read_machine(written)) == written);
}

TEST_CASE("numbers as both formats write them: JSON numbers, hex, sizes, self", "[codecs]") {
    const auto m = conf::read_machine(
        json::parse(R"({"ram_bytes": "2GiB", "percpu_base": "0x200000", "poison": "self", "cpus": "4"})"));
    CHECK(m.ram_bytes == 2ull << 30);
    CHECK(m.percpu_base == 0x200000);
    CHECK(m.poison == ~0ull);
    CHECK(m.cpus == 4);
}

TEST_CASE("a machine refuses each bad value, naming its field", "[codecs]") {
    const Refusal cases[] = {
        {R"("two")", "", "expected the machine (an object), got string"},
        {R"({"cpu": 2})", "/cpu", "unknown key 'cpu' in the machine"},
        {R"({"cpus": 0})", "/cpus", "at least one CPU"},
        {R"({"cpus": 65})", "/cpus", "value 65 exceeds 64"},
        {R"({"cpus": "two"})", "/cpus", "'two' is not a number"},
        {R"({"cpus": -1})", "/cpus", "negative number -1"},
        {R"({"cpus": 1.5})", "/cpus", "expected a number"},
        {R"({"ram_bytes": 4097})", "/ram_bytes", "whole number of 4 KiB pages"},
        {R"({"ram_bytes": "2TiB"})", "/ram_bytes", "exceeds 1099511627776"},
        {R"({"ram_bytes": "64KiB"})", "/ram_bytes",
         "RAM must hold the per-CPU hypercall pages (at least 1064960 bytes)"},
        {R"({"ram_bytes": 0})", "/ram_bytes", "RAM must hold the per-CPU hypercall pages"},
        {R"({"percpu_base": 4095})", "/percpu_base", "page aligned"},
        {R"({"percpu_base": "1GiB"})", "/percpu_base", "must lie in RAM"},
        {R"({"percpu_base": "2TiB"})", "/percpu_base", "exceeds"},
        {R"({"mmio": {"first": 1}})", "/mmio", "expected a list of {\"first\", \"count\"} PFN ranges"},
        {R"({"mmio": [{"first": 16, "count": 1}]})", "/mmio/0/first", "MMIO ranges must lie above RAM"},
        {R"({"mmio": [{"first": 262143, "count": 1}]})", "/mmio/0/first", "MMIO ranges must lie above RAM"},
        {R"({"mmio": [{"first": 262144, "count": 0}]})", "/mmio/0/count", "at least one page"},
        {R"({"mmio": [{"first": 262144, "count": 18446744073709551615}]})", "/mmio/0/count", "runs past PFN 2^40"},
        {R"({"mmio": [{"first": 1099511627775, "count": 2}]})", "/mmio/0/count", "runs past PFN 2^40"},
        {R"({"mmio": [{"first": 18446744073709551615, "count": 2}]})", "/mmio/0/first", "exceeds 1099511627775"},
        {R"({"mmio": [{"first": 262144}]})", "/mmio/0", "lacks the required key 'count'"},
        {R"({"mmio": [{"first": 262144, "count": 1, "last": 2}]})", "/mmio/0/last",
         "unknown key 'last' in an MMIO range"},
        {R"({"guest_address_bits": 5})", "/guest_address_bits", "at least 21 bits"},
        {R"({"guest_address_bits": 20})", "/guest_address_bits", "at least 21 bits"},
        {R"({"guest_address_bits": 65})", "/guest_address_bits", "value 65 exceeds 64"},
        {R"({"root_partition_id": 0})", "/root_partition_id", "must not be 0"},
        {R"({"root_partition_id": "self"})", "/root_partition_id", "exceeds"},
        {R"({"max_vps": 4294967296})", "/max_vps", "exceeds 4294967295"},
        {R"({"poison": true})", "/poison", "expected a number"},
        {R"({"strict": 1})", "/strict", "expected true or false"},
        {R"({"reject_spec_only": "yes"})", "/reject_spec_only", "expected true or false"},
        {R"({"hypervisor_restarts_reps": null})", "/hypervisor_restarts_reps", "expected true or false"},
        {R"({"costs": []})", "/costs", "expected the costs (an object)"},
        {R"({"costs": {"vps": 1}})", "/costs/vps", "unknown key 'vps' in the costs"},
        {R"({"costs": {"vp": 1048577}})", "/costs/vp", "exceeds 1048576"},
        {R"({"costs": {"vp_root": 1048577}})", "/costs/vp_root", "exceeds 1048576"},
        {R"({"costs": {"port": 1048577}})", "/costs/port", "exceeds 1048576"},
        {R"({"costs": {"logical_processor": -1}})", "/costs/logical_processor", "negative number"},
        {R"({"costs": {"create_partition": "x"}})", "/costs/create_partition", "is not a number"},
        {R"({"costs": {"initialize_partition": 1.0}})", "/costs/initialize_partition", "expected a number"},
        {R"({"costs": {"page_table": 1048577}})", "/costs/page_table", "exceeds 1048576"},
        {R"({"costs": {"vp_contiguous": 1}})", "/costs/vp_contiguous", "expected true or false"},
        {R"({"a/b": 1})", "/a~1b", "unknown key 'a/b'"},
    };
    for (const auto& r : cases) check_refused(r, [](const json& j) { return conf::read_machine(j); });
}

TEST_CASE("a caller's own keys pass through a machine and are named among the expected", "[codecs]") {
    CHECK_NOTHROW(conf::read_machine(json::parse(R"({"host_pages": {"first": 1}})"), {"host_pages"}));
    try {
        (void)conf::read_machine(json::parse(R"({"hosts": 1})"), {"host_pages"});
        FAIL("accepted");
    } catch (const conf::CodecError& e) {
        CHECK_THAT(e.what(), ContainsSubstring("reject_spec_only, host_pages)"));
    }
}

TEST_CASE("every machine at the edges of what the codec accepts builds", "[codecs]") {
    const char* edges[] = {
        R"({"cpus": 64})",
        R"({"guest_address_bits": 21})",
        R"({"guest_address_bits": 64})",
        R"({"mmio": [{"first": 262144, "count": 1}]})",
        R"({"mmio": [{"first": 1099511627775, "count": 1}]})",
        R"({"mmio": [{"first": 262144, "count": 1099511365632}]})",
        R"({"ram_bytes": 1064960})",
        R"({"ram_bytes": "1TiB", "cpus": 1, "percpu_base": 1099511619584})",
        R"({"root_partition_id": 18446744073709551614})",
        R"({"max_vps": 0, "costs": {"vp": 0, "initialize_partition": 1048576}})",
    };
    for (const char* text : edges) {
        INFO(text);
        const hvsim::MachineConfig c = conf::read_machine(json::parse(text));
        hvsim::Machine m(c);
        CHECK(m.config().cpus == c.cpus);
    }
}

TEST_CASE("a fault plan round-trips every field", "[codecs]") {
    hvsim::FaultPlan p;
    p.rep_ends = {{3, 2}, {hvsim::FaultPlan::kAnyCall, 4095}};
    p.failing_allocations = {0, 7};
    p.statuses = {{0x46, 2, hvcall::Status::INVALID_PARAMETER}, {0xFFFF, 0, static_cast<hvcall::Status>(0xFFFF)}};
    p.seed = 99;
    p.early_end_per_mille = 1000;
    p.max_ends_per_loop = 3;
    const json written = conf::write_fault_plan(p);
    CHECK(written.size() == 5);
    const hvsim::FaultPlan q = conf::read_fault_plan(written);
    REQUIRE(q.rep_ends.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
        CHECK(q.rep_ends[i].call == p.rep_ends[i].call);
        CHECK(q.rep_ends[i].after_elements == p.rep_ends[i].after_elements);
    }
    CHECK(q.failing_allocations == p.failing_allocations);
    REQUIRE(q.statuses.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
        CHECK(q.statuses[i].code == p.statuses[i].code);
        CHECK(q.statuses[i].nth == p.statuses[i].nth);
        CHECK(q.statuses[i].status == p.statuses[i].status);
    }
    CHECK(q.seed == p.seed);
    CHECK(q.early_end_per_mille == p.early_end_per_mille);
    CHECK(q.max_ends_per_loop == p.max_ends_per_loop);
    CHECK(conf::write_fault_plan(q) == written);
    CHECK(conf::write_fault_plan(hvsim::FaultPlan{}) == json::object());
    CHECK(conf::read_fault_plan(json::object()).empty());
}

TEST_CASE("a fault plan reads names and defaults as a scenario writes them", "[codecs]") {
    const auto p = conf::read_fault_plan(json::parse(
        R"({"rep_ends": [{}], "statuses": [{"code": "get_partition_id", "status": "OPERATION_FAILED"}], "random_ends": {"per_mille": 5}})"));
    REQUIRE(p.rep_ends.size() == 1);
    CHECK(p.rep_ends[0].call == hvsim::FaultPlan::kAnyCall);
    CHECK(p.rep_ends[0].after_elements == 1);
    REQUIRE(p.statuses.size() == 1);
    CHECK(p.statuses[0].code == 0x46);
    CHECK(p.statuses[0].nth == 0);
    CHECK(p.statuses[0].status == hvcall::Status::OPERATION_FAILED);
    CHECK(p.seed == 0);
    CHECK(p.early_end_per_mille == 5);
}

TEST_CASE("a fault plan refuses each bad value, naming its field", "[codecs]") {
    const Refusal cases[] = {
        {R"([])", "", "expected a fault plan (an object), got array"},
        {R"({"seed": 1})", "/seed", "unknown key 'seed' in a fault plan"},
        {R"({"rep_ends": {}})", "/rep_ends", "expected a list, got object"},
        {R"({"rep_ends": [{"after": 0}]})", "/rep_ends/0/after", "at least one element runs before a time-slice end"},
        {R"({"rep_ends": [{"after": 4096}]})", "/rep_ends/0/after", "exceeds 4095"},
        {R"({"rep_ends": [{"call": -1}]})", "/rep_ends/0/call", "negative number"},
        {R"({"rep_ends": [{"calls": 1}]})", "/rep_ends/0/calls", "unknown key 'calls' in a rep end"},
        {R"({"failing_allocations": 0})", "/failing_allocations", "expected a list, got number"},
        {R"({"failing_allocations": [0, "x"]})", "/failing_allocations/1", "is not a number"},
        {R"({"statuses": [{"status": "OPERATION_FAILED"}]})", "/statuses/0", "lacks the required key 'code'"},
        {R"({"statuses": [{"code": 70}]})", "/statuses/0", "lacks the required key 'status'"},
        {R"({"statuses": [{"call": 70, "status": 1}]})", "/statuses/0/call",
         "unknown key 'call' in an injected status"},
        {R"({"statuses": [{"code": 70, "status": 0}]})", "/statuses/0/status", "must be an error, not SUCCESS"},
        {R"({"statuses": [{"code": 70, "status": "SUCCESS"}]})", "/statuses/0/status", "must be an error, not SUCCESS"},
        {R"({"statuses": [{"code": 70, "status": "BOGUS"}]})", "/statuses/0/status", "unknown status 'BOGUS'"},
        {R"({"statuses": [{"code": 70, "status": 65536}]})", "/statuses/0/status", "exceeds 65535"},
        {R"({"statuses": [{"code": "get_partition_idd", "status": 1}]})", "/statuses/0/code",
         "is not a catalogued call"},
        {R"({"statuses": [{"code": 65536, "status": 1}]})", "/statuses/0/code", "exceeds 65535"},
        {R"({"statuses": [{"code": 70, "nth": -1, "status": 1}]})", "/statuses/0/nth", "negative number"},
        {R"({"random_ends": {"seed": 1}})", "/random_ends", "lacks the required key 'per_mille'"},
        {R"({"random_ends": {"per_mille": 1001}})", "/random_ends/per_mille", "exceeds 1000"},
        {R"({"random_ends": {"per_mille": 1, "rate": 2}})", "/random_ends/rate",
         "unknown key 'rate' in the random ends"},
        {R"({"random_ends": 5})", "/random_ends", "expected the random ends (an object)"},
        {R"({"max_ends_per_loop": 4096})", "/max_ends_per_loop", "exceeds 4095"},
        {R"({"max_ends_per_loop": -1})", "/max_ends_per_loop", "negative number"},
    };
    for (const auto& r : cases) check_refused(r, conf::read_fault_plan);
}
