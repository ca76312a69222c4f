// Rule cases of the root's boot, shutdown and crash-path calls (logical processors, system
// properties, sleep states, partition events) and of the 6.19+ partition calls
// (extended properties, stats page 2, dispatch).
#include "model_setup.hpp"
#include "rule_cases.hpp"

namespace hvsim::test {

namespace {

using Opt = std::optional<CaseAnswer>;

// Simple memory-form calls only run in the memory, rep-start-0 variants.
bool skip(const CaseForm& v) { return v.fast || v.rep_start != 0; }

template <class Prepare>
Opt call(const CaseForm& v, CallId id, Prepare prepare) {
    if (skip(v)) return std::nullopt;
    Model md(v.strict);
    const Bytes in = prepare(md);
    return capture(md.m, md.raw(id, in));
}

Bytes sleep_state(std::uint32_t state) { return Bytes{}.at(0, 3u).at(8, state); }

// A device interrupt for the root: FIXED, edge, one vector 0x30, VP mask of CPU 0.
Bytes device_interrupt() {
    return Bytes{}.at(0, kSelf).at(8, std::uint64_t{0x1000}).at(48, 1u).at(56, 0x30u).at(64, std::uint64_t{1});
}

// A model whose child VPs cost `vp` own pages and `vp_root` root pages, contiguous or not, with
// no initialization cost, and an active child holding the deposited PFNs `child_pfns`.
struct VpCosts {
    std::uint32_t vp = 1, vp_root = 0;
    bool contiguous = false;
};
Opt create_vp_with(const CaseForm& v, VpCosts costs, const std::vector<std::uint64_t>& child_offsets,
                   const std::vector<std::uint64_t>& root_offsets) {
    if (skip(v)) return std::nullopt;
    MachineConfig config = test_config(v.strict);
    config.costs.initialize_partition = 0;
    config.costs.vp = costs.vp;
    config.costs.vp_root = costs.vp_root;
    config.costs.vp_contiguous = costs.contiguous;
    Model md(config);
    const auto id = md.create();
    REQUIRE(md.fast(CallId::initialize_partition, id).ok());
    auto pick = [&](const std::vector<std::uint64_t>& offsets) {
        const auto base = md.take_pages(8).front();
        std::vector<std::uint64_t> pfns;
        for (auto o : offsets) pfns.push_back(base + o);
        return pfns;
    };
    if (!child_offsets.empty()) REQUIRE(md.deposit_pfns(id, pick(child_offsets)).ok());
    if (!root_offsets.empty()) REQUIRE(md.deposit_pfns(kSelf, pick(root_offsets)).ok());
    return capture(md.m, md.raw(CallId::create_vp, Bytes{}.at(0, id)));
}

}  // namespace

void add_system_cases(const AddCase& add) {
    add(RuleId::lp_index_unknown, "run time of LP 1 before it was added", [](const CaseForm& v) {
        return call(v, CallId::get_logical_processor_run_time, [](Model&) { return Bytes{}.at(0, 1u); });
    });
    add(RuleId::lp_already_started, "add the boot processor LP 0", [](const CaseForm& v) {
        return call(v, CallId::add_logical_processor, [](Model& md) {
            md.deposit(kSelf, 1);
            return Bytes{}.at(0, 0u);
        });
    });
    add(RuleId::lp_proximity_reserved, "add LP 1 with proximity flag bit 5 set", [](const CaseForm& v) {
        return call(v, CallId::add_logical_processor, [](Model& md) {
            md.deposit(kSelf, 1);
            return Bytes{}.at(0, 1u).at(12, 0x20u);
        });
    });
    add(RuleId::system_property_unknown, "get system property 99", [](const CaseForm& v) {
        return call(v, CallId::get_system_property, [](Model&) { return Bytes{}.at(0, 99u); });
    });
    add(RuleId::system_property_reserved_nonzero, "set the sleep state with bytes 4-7 non-zero", [](const CaseForm& v) {
        return call(v, CallId::set_system_property, [](Model&) { return sleep_state(5).at(4, 1u); });
    });
    add(RuleId::sleep_state_invalid, "register sleep state 7",
        [](const CaseForm& v) { return call(v, CallId::set_system_property, [](Model&) { return sleep_state(7); }); });
    add(RuleId::sleep_state_locked, "register S5 after LOCK", [](const CaseForm& v) {
        return call(v, CallId::set_system_property, [](Model& md) {
            REQUIRE(md.raw(CallId::set_system_property, sleep_state(6)).ok());
            return sleep_state(5);
        });
    });
    add(RuleId::sleep_state_not_registered, "enter S5 with nothing registered",
        [](const CaseForm& v) { return call(v, CallId::enter_sleep_state, [](Model&) { return Bytes{}.at(0, 5u); }); });
    add(RuleId::partition_event_invalid, "crash-dump event with action 9", [](const CaseForm& v) {
        return call(v, CallId::notify_partition_event, [](Model&) { return Bytes{}.at(0, 2u).at(4, 9u); });
    });
    add(RuleId::partition_property_ex_arg_nonzero, "VMM capabilities with an argument", [](const CaseForm& v) {
        return call(v, CallId::get_partition_property_ex,
                    [](Model&) { return Bytes{}.at(0, kSelf).at(8, 0x00090007u).at(16, std::uint64_t{1}); });
    });
    add(RuleId::map_stats_page2_location_invalid, "stats page 2 at a per-CPU page", [](const CaseForm& v) {
        return call(v, CallId::map_stats_page2, [](Model&) {
            return Bytes{}.at(0, 1u).at(24, std::uint64_t{0x100000 / 4096} /* MachineConfig::percpu_base */);
        });
    });
    add(RuleId::device_interrupt_descriptor_invalid, "device interrupt with vector count 0", [](const CaseForm& v) {
        return call(v, CallId::map_device_interrupt, [](Model&) { return device_interrupt().at(48, 0u); });
    });
    add(RuleId::device_interrupt_reserved_nonzero, "device interrupt with target flag bit 2", [](const CaseForm& v) {
        return call(v, CallId::map_device_interrupt, [](Model&) { return device_interrupt().at(60, 4u); });
    });
    add(RuleId::device_interrupt_target_invalid, "device interrupt for a CPU the machine lacks", [](const CaseForm& v) {
        return call(v, CallId::map_device_interrupt,
                    [](Model&) { return device_interrupt().at(64, std::uint64_t{1} << 40); });
    });
    add(RuleId::device_interrupt_not_mapped, "unmap an entry map never handed out", [](const CaseForm& v) {
        return call(v, CallId::unmap_device_interrupt, [](Model&) {
            return Bytes{}.at(0, kSelf).at(8, std::uint64_t{0x1000}).at(16, 1u).at(24, std::uint64_t{0xFEE00000});
        });
    });
    add(RuleId::pool_no_contiguous_run, "a two-page contiguous VP with two scattered pages deposited",
        [](const CaseForm& v) {
            return create_vp_with(v, {2, 0, true}, {0, 2}, {});
        });
    add(RuleId::pool_root_exhausted, "a VP that also takes a root page, with the root's pool spent",
        [](const CaseForm& v) {
            return create_vp_with(v, {1, 1, false}, {0}, {});
        });
    add(RuleId::pool_root_no_contiguous_run, "two contiguous root pages, with two scattered ones in the root",
        [](const CaseForm& v) {
            return create_vp_with(v, {0, 2, true}, {}, {1, 3});  // not next to the root page create took
        });
    add(RuleId::dispatch_vp_flags_reserved, "dispatch with flag bit 7", [](const CaseForm& v) {
        return call(v, CallId::dispatch_vp, [](Model& md) {
            const auto id = md.with_vps(1);
            return Bytes{}.at(0, id).at(12, 0x80u);
        });
    });
}

}  // namespace hvsim::test
