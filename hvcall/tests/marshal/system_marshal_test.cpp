// The calls the newest drivers added, marshalled by hvcall on the strict model: partition
// property ex and VMM capabilities, system properties, the root's boot path, power and crash,
// the stats-page fallback and map stats page 2, device interrupts, dispatch VP. Each input is
// checked byte for byte against the A-HDKMINI / HDK-2B layouts; strict mode poisons the input
// page before every call, so a byte hvcall forgot to zero shows up here.
#include <catch2/catch_test_macros.hpp>

#include <array>
#include <cstring>

#include "capture.hpp"
#include "fixture.hpp"
#include "hvcall/calls/interrupt.hpp"
#include "hvcall/calls/stats.hpp"
#include "hvcall/calls/system.hpp"
#include "hvcall/calls/vp.hpp"
#include "hvcall/needs_memory.hpp"

using namespace hvcall;
using namespace hvcall::test;

namespace {

hvsim::MachineConfig with_cpus(std::uint32_t cpus) {
    auto c = strict_config();
    c.cpus = cpus;
    return c;
}
hvsim::FaultPlan inject(CallId id, std::uint64_t nth, Status status) {
    hvsim::FaultPlan plan;
    plan.statuses.push_back({info(id).code, nth, status});
    return plan;
}

}  // namespace

TEST_CASE("vmm_capabilities reads SELF's 16-byte property through property ex (HDK-2B input)",
          "[marshal][system][layout]") {
    Sim s;
    CapturingBackend cap(s.backend);
    VmmCapabilities caps{};
    caps.bank0 = ~0ull;
    REQUIRE(vmm_capabilities(cap, caps) == 0);
    CHECK(caps.bank_count == 1);  // HV_PARTITION_VMM_CAPABILITIES_BANK_COUNT
    CHECK(caps.bank0 == 0);       // the model offers none
    const auto& c = cap.last(CallId::get_partition_property_ex);
    CHECK(c.control.raw() == 0x101);
    REQUIRE(c.input.size() == 24);
    CHECK(c.at<std::uint64_t>(0) == kPartitionIdSelf);
    CHECK(c.at<std::uint32_t>(8) == 0x00090007);
    CHECK(c.zero(12, 24));  // padding and the argument
    s.check_clean();
}

TEST_CASE("get_partition_property_ex copies exactly the bytes asked for, and no more than the output holds",
          "[marshal][system]") {
    Sim s;
    std::uint64_t clock = 0;
    REQUIRE(get_partition_property(s.backend, kPartitionIdSelf, property::processor_clock_frequency, clock) == 0);
    REQUIRE(clock > 0xFFFFFF);  // some bytes to compare beyond the first three
    std::array<std::byte, 8> whole{};
    REQUIRE(get_partition_property_ex(s.backend, kPartitionIdSelf, property::processor_clock_frequency, 0, whole) == 0);
    std::uint64_t got = 0;
    std::memcpy(&got, whole.data(), 8);
    CHECK(got == clock);

    std::array<std::byte, 8> part;
    part.fill(std::byte{0xEE});
    REQUIRE(get_partition_property_ex(s.backend, kPartitionIdSelf, property::processor_clock_frequency, 0,
                                      std::span(part).first(3)) == 0);
    CHECK(std::memcmp(part.data(), whole.data(), 3) == 0);
    for (std::size_t i = 3; i < part.size(); ++i) CHECK(part[i] == std::byte{0xEE});  // past the 3 asked for: untouched

    CapturingBackend cap(s.backend);
    std::vector<std::byte> too_big(kPartitionPropertyExMaxValue + 1);
    CHECK(get_partition_property_ex(cap, kPartitionIdSelf, property::processor_clock_frequency, 0, too_big) == -EINVAL);
    CHECK(cap.calls.empty());
    std::vector<std::byte> max(kPartitionPropertyExMaxValue);
    CHECK(get_partition_property_ex(cap, kPartitionIdSelf, property::processor_clock_frequency, 0, max) == 0);
    CHECK(get_partition_property_ex(cap, kPartitionIdSelf, 0x12345678, 0, whole) == -EIO);  // UNKNOWN_PROPERTY
    CHECK(s.last_rule() == hvsim::RuleId::partition_property_unknown);
    s.check_clean();
}

TEST_CASE("get_partition_property_ex sends the argument at offset 16", "[marshal][system][layout]") {
    Sim s;  // a separate machine: the model reads a non-zero argument as a spec-only violation
    CapturingBackend cap(s.backend);
    std::array<std::byte, 8> v{};
    CHECK(get_partition_property_ex(cap, kPartitionIdSelf, property::privilege_flags, 0x0102030405060708, v) ==
          -EINVAL);
    CHECK(cap.last(CallId::get_partition_property_ex).at<std::uint64_t>(16) == 0x0102030405060708);
    CHECK(s.last_rule() == hvsim::RuleId::partition_property_ex_arg_nonzero);
}

TEST_CASE("scheduler_type and get_system_property (A-HDKMINI 8-byte input)", "[marshal][system][layout]") {
    Sim s;
    CapturingBackend cap(s.backend);
    std::uint32_t type = 0;
    REQUIRE(scheduler_type(cap, type) == 0);
    CHECK(type == scheduler::core_smt);
    const auto& c = cap.last(CallId::get_system_property);
    CHECK(c.control.raw() == 0x7B);
    REQUIRE(c.input.size() == 8);
    CHECK(c.at<std::uint32_t>(0) == system_property::scheduler_type);
    CHECK(c.at<std::uint32_t>(4) == 0);

    std::uint64_t value = 1;
    REQUIRE(get_system_property(cap, system_property::crashdump_area, 0, value) == 0);
    CHECK(value == 0);  // no crash-dump area in the model
    CHECK(cap.last(CallId::get_system_property).at<std::uint32_t>(0) == 47);
    value = 7;
    CHECK(get_system_property(cap, 99, 0, value) == -EINVAL);
    CHECK(s.last_rule() == hvsim::RuleId::system_property_unknown);
    CHECK(value == 7);  // written on success only
    s.check_clean();
}

TEST_CASE("the root's boot path: probe, add each AP with deposits into the root, announce", "[marshal][system][boot]") {
    Sim s(with_cpus(4));
    CapturingBackend cap(s.backend);
    bool exists = true;
    REQUIRE(lp_exists(cap, 1, exists) == 0);
    CHECK_FALSE(exists);  // INVALID_LP_INDEX: not started yet
    const auto& probe = cap.last(CallId::get_logical_processor_run_time);
    CHECK(probe.control.raw() == 0x4);
    REQUIRE(probe.input.size() == 4);
    CHECK(probe.at<std::uint32_t>(0) == 1);

    REQUIRE(add_logical_processor(cap, s.pages, s.self, 1, 2) == 0);
    REQUIRE(cap.count(CallId::deposit_memory) == 1);  // the root's pool starts empty: deposit, retry
    CHECK(cap.last(CallId::deposit_memory).at<std::uint64_t>(0) == s.self);
    CHECK(cap.count(CallId::add_logical_processor) == 2);
    const auto& add = cap.last(CallId::add_logical_processor);
    CHECK(add.control.raw() == 0x76);
    REQUIRE(add.input.size() == 16);
    CHECK(add.at<std::uint32_t>(0) == 1);
    CHECK(add.at<std::uint32_t>(4) == 2);
    CHECK(add.zero(8, 16));  // proximity: none, not valid

    REQUIRE(lp_exists(cap, 1, exists) == 0);
    CHECK(exists);
    CHECK(add_logical_processor(cap, s.pages, s.self, 1, 2) == -EINVAL);
    CHECK(s.last_rule() == hvsim::RuleId::lp_already_started);
    exists = true;
    REQUIRE(lp_exists(cap, 9, exists) == 0);  // beyond the machine: INVALID_LP_INDEX too
    CHECK_FALSE(exists);

    REQUIRE(notify_all_processors_started(cap) == 0);
    const auto& note = cap.last(CallId::notify_partition_event);
    CHECK(note.control.raw() == 0x87);
    REQUIRE(note.input.size() == 8);
    CHECK(note.at<std::uint32_t>(0) == partition_event::all_logical_processors_started);
    CHECK(note.at<std::uint32_t>(4) == 0);
    s.check_clean();
}

TEST_CASE("lp_exists: any status but INVALID_LP_INDEX is -EIO (where the driver BUG()s)",
          "[marshal][system][boot][errno]") {
    Sim s(with_cpus(2), inject(CallId::get_logical_processor_run_time, 0, Status::INVALID_PARAMETER));
    bool exists = true;
    CHECK(lp_exists(s.backend, 0, exists) == -EIO);
    CHECK(exists);  // left unwritten
    REQUIRE(lp_exists(s.backend, 0, exists) == 0);
    CHECK(exists);  // LP 0, the boot processor
}

TEST_CASE("add_logical_processor deposits what each needs-memory status asks for into the root",
          "[marshal][system][boot][deposit]") {
    struct Case {
        Status status;
        std::uint32_t pages;
        bool into_self;  // HV_PARTITION_ID_SELF rather than self_id
    };
    constexpr std::uint32_t kContiguous = kMaxContiguousAllocationPages;
    for (const Case& c :
         {Case{Status::INSUFFICIENT_MEMORY, 1, false}, Case{Status::INSUFFICIENT_CONTIGUOUS_MEMORY, kContiguous, false},
          Case{Status::INSUFFICIENT_ROOT_MEMORY, 1, true},
          Case{Status::INSUFFICIENT_CONTIGUOUS_ROOT_MEMORY, kContiguous, true}}) {
        INFO(status_name(c.status));
        Sim s(with_cpus(2), inject(CallId::add_logical_processor, 0, c.status));
        CapturingBackend cap(s.backend);
        REQUIRE(add_logical_processor(cap, s.pages, s.self, 1, 1) == 0);
        const auto& deposit = cap.calls.at(1);  // right after the refused add
        CHECK(deposit.control.code() == 0x48);
        CHECK(deposit.control.rep_count() == c.pages);
        CHECK(deposit.at<std::uint64_t>(0) == (c.into_self ? kPartitionIdSelf : s.self));
        s.check_clean();
    }
}

TEST_CASE("sleep states: register S5 with the whole 72-byte input zeroed, then enter it",
          "[marshal][system][power][layout]") {
    Sim s;
    CapturingBackend cap(s.backend);
    CHECK(enter_sleep_state(cap, sleep_state::s5) == -EINVAL);  // not registered yet
    CHECK(s.last_rule() == hvsim::RuleId::sleep_state_not_registered);
    REQUIRE(set_sleep_state(cap, sleep_state::s5, 0x5, 0x7) == 0);
    const auto& set = cap.last(CallId::set_system_property);
    CHECK(set.control.raw() == 0x6F);
    REQUIRE(set.input.size() == 72);
    CHECK(set.at<std::uint32_t>(0) == system_property::sleep_state);
    CHECK(set.zero(4, 8));
    CHECK(set.at<std::uint32_t>(8) == sleep_state::s5);
    CHECK(set.at<std::uint8_t>(12) == 0x5);
    CHECK(set.at<std::uint8_t>(13) == 0x7);
    CHECK(set.zero(14, 72));  // the union's unused 58 bytes: poisoned by strict mode before the call

    REQUIRE(enter_sleep_state(cap, sleep_state::s5) == 0);
    const auto& enter = cap.last(CallId::enter_sleep_state);
    CHECK(enter.control.raw() == 0x84);
    REQUIRE(enter.input.size() == 4);
    CHECK(enter.at<std::uint32_t>(0) == 5);
    CHECK(set_sleep_state(cap, 7, 0, 0) == -EINVAL);  // past LOCK
    CHECK(s.last_rule() == hvsim::RuleId::sleep_state_invalid);
    s.check_clean();
}

TEST_CASE("the crash path: ROOT_CRASHDUMP actions, then disable the hypervisor (T-CRASH)",
          "[marshal][system][crash][layout]") {
    Sim s;
    CapturingBackend cap(s.backend);
    REQUIRE(notify_crashdump(cap, crashdump_action::entry) == 0);
    const auto& entry = cap.last(CallId::notify_partition_event);
    REQUIRE(entry.input.size() == 8);
    CHECK(entry.at<std::uint32_t>(0) == partition_event::root_crashdump);
    CHECK(entry.at<std::uint32_t>(4) == crashdump_action::entry);
    REQUIRE(notify_crashdump(cap, crashdump_action::suspend_all_vps) == 0);
    CHECK(cap.last(CallId::notify_partition_event).at<std::uint32_t>(4) == 1);
    CHECK(notify_crashdump(cap, 9) == -EINVAL);
    CHECK(s.last_rule() == hvsim::RuleId::partition_event_invalid);

    REQUIRE(disable_hypervisor(cap, 0x9F000, 0x9E000) == 0);
    const auto& off = cap.last(CallId::disable_hyp_ex);
    CHECK(off.control.raw() == 0x10F);
    REQUIRE(off.input.size() == 16);
    CHECK(off.at<std::uint64_t>(0) == 0x9F000);
    CHECK(off.at<std::uint64_t>(8) == 0x9E000);
    s.check_clean();
}

TEST_CASE("map_stats_page: a PARENT area refused with INVALID_PARAMETER is success without a page",
          "[marshal][stats][fallback]") {
    hvsim::FaultPlan plan = inject(CallId::map_stats_page, 0, Status::INVALID_PARAMETER);
    plan.statuses.push_back({info(CallId::map_stats_page).code, 1, Status::INVALID_PARAMETER});
    Sim s(strict_config(), plan);
    const auto id = s.active_with_vps({0});
    std::uint64_t pfn = 0x1234;
    REQUIRE(map_stats_page(s.backend, s.pages, vp_stats(id, 0, stats_area::parent), s.self, pfn) == 0);
    CHECK(pfn == 0);  // older hypervisors have only SELF: the caller falls back to it
    pfn = 0x1234;
    CHECK(map_stats_page(s.backend, s.pages, vp_stats(id, 0, stats_area::self), s.self, pfn) == -EINVAL);
    CHECK(pfn == 0x1234);  // the SELF area has no fallback: the errno, pfn untouched
    REQUIRE(map_stats_page(s.backend, s.pages, vp_stats(id, 0, stats_area::parent), s.self, pfn) == 0);
    CHECK(pfn != 0);  // a hypervisor with the PARENT area maps a real page
    pfn = 0x1234;
    CHECK(map_stats_page(s.backend, s.pages, StatsObject{7, {0, 0, 0, 0, stats_area::parent}}, s.self, pfn) == -EINVAL);
    CHECK(s.last_rule() == hvsim::RuleId::stats_page_type_invalid);  // no known type: no area, no fallback
    CHECK(pfn == 0x1234);
    s.check_clean();
}

TEST_CASE("map_stats_page2 puts the counters in the caller's page (A-HDKMINI 32-byte input)",
          "[marshal][stats][layout]") {
    Sim s(strict_config(), inject(CallId::map_stats_page2, 0, Status::INSUFFICIENT_MEMORY));
    const auto id = s.active_with_vps({2});
    CapturingBackend cap(s.backend);
    CHECK(map_stats_page2(cap, s.pages, vp_stats(id, 2, stats_area::parent), s.self, 0) == -EINVAL);
    CHECK(cap.calls.empty());  // no page: refused before any call
    const std::uint64_t page = s.ram(1).front();
    REQUIRE(map_stats_page2(cap, s.pages, vp_stats(id, 2, stats_area::parent), s.self, page) == 0);
    CHECK(cap.count(CallId::map_stats_page2) == 2);  // needs memory: a deposit into the root, then again
    CHECK(cap.last(CallId::deposit_memory).at<std::uint64_t>(0) == s.self);
    const auto& c = cap.last(CallId::map_stats_page2);
    CHECK(c.control.raw() == 0x131);
    REQUIRE(c.input.size() == 32);
    CHECK(c.at<std::uint32_t>(0) == stats_type::vp);
    CHECK(c.zero(4, 8));
    CHECK(c.at<std::uint64_t>(8) == id);
    CHECK(c.at<std::uint32_t>(16) == 2);
    CHECK(c.zero(20, 23));
    CHECK(c.at<std::uint8_t>(23) == stats_area::parent);
    CHECK(c.at<std::uint64_t>(24) == page);
    CHECK(unmap_stats_page(cap, vp_stats(id, 2, stats_area::parent)) == 0);
    s.check_clean();
}

TEST_CASE("map_device_interrupt: a FIXED vector to one CPU's sparse VP set, rep count 0, varhead banks + 1",
          "[marshal][interrupt][layout]") {
    Sim s(with_cpus(72));
    CapturingBackend cap(s.backend);
    constexpr std::uint64_t kDevice = 0x4000000000000123;  // device type PCI (bits 62-63) and a RID
    InterruptEntry low{};
    REQUIRE(map_device_interrupt(cap, s.self, kDevice, 0x30, 1, false, low) == 0);
    const auto& c = cap.last(CallId::map_device_interrupt);
    CHECK(c.control.code() == 0x7C);
    CHECK(c.control.rep_count() == 0);
    CHECK(c.control.varhead_qwords() == 2);  // the bank mask and bank 0
    CHECK(c.control.raw() == (0x7Cull | (2ull << 17)));
    REQUIRE(c.input.size() == 72 + 16);
    CHECK(c.at<std::uint64_t>(0) == s.self);
    CHECK(c.at<std::uint64_t>(8) == kDevice);
    CHECK(c.zero(16, 40));  // flags, base IRT index, logical entry
    CHECK(c.at<std::uint32_t>(40) == interrupt_type::fixed);
    CHECK(c.at<std::uint32_t>(44) == trigger_mode::edge);
    CHECK(c.at<std::uint32_t>(48) == 1);  // one vector
    CHECK(c.zero(52, 56));
    CHECK(c.at<std::uint32_t>(56) == 0x30);
    CHECK(c.at<std::uint32_t>(60) == device_target::processor_set);
    CHECK(c.at<std::uint64_t>(64) == kGenericSetSparse4k);
    CHECK(c.at<std::uint64_t>(72) == 0x1);        // valid bank mask
    CHECK(c.at<std::uint64_t>(80) == 1ull << 1);  // CPU 1
    CHECK(low.source == interrupt_source::msi);
    InterruptEntry from_page{};
    std::memcpy(&from_page, s.backend.output_page().data(), sizeof from_page);
    CHECK(low == from_page);

    InterruptEntry high{};
    REQUIRE(map_device_interrupt(cap, s.self, kDevice, 0x31, 70, true, high) == 0);
    const auto& h = cap.last(CallId::map_device_interrupt);
    CHECK(h.control.varhead_qwords() == 3);  // the mask covers banks 0 and 1, as cpumask_to_vpset
    REQUIRE(h.input.size() == 72 + 24);
    CHECK(h.at<std::uint32_t>(44) == trigger_mode::level);
    CHECK(h.at<std::uint64_t>(72) == 0x3);
    CHECK(h.at<std::uint64_t>(80) == 0);
    CHECK(h.at<std::uint64_t>(88) == 1ull << 6);  // CPU 70: bank 1, bit 6
    CHECK_FALSE(high == low);

    const auto before = cap.calls.size();
    InterruptEntry none{};
    CHECK(map_device_interrupt(cap, s.self, kDevice, 0x32, 64 * 64, false, none) == -EINVAL);
    CHECK(cap.calls.size() == before);
    CHECK(map_device_interrupt(cap, s.self, kDevice, 0x32, 72, false, none) == -EINVAL);  // no such CPU
    CHECK(s.last_rule() == hvsim::RuleId::device_interrupt_target_invalid);
    CHECK(none == InterruptEntry{});  // a failed map leaves the entry alone

    REQUIRE(unmap_device_interrupt(cap, s.self, kDevice, low) == 0);
    const auto& u = cap.last(CallId::unmap_device_interrupt);
    CHECK(u.control.raw() == 0x7D);
    REQUIRE(u.input.size() == 36);
    CHECK(u.at<std::uint64_t>(0) == s.self);
    CHECK(u.at<std::uint64_t>(8) == kDevice);
    CHECK(u.at<std::uint32_t>(16) == low.source);
    CHECK(u.zero(20, 24));
    CHECK(u.at<std::uint64_t>(24) == low.data);
    CHECK(u.at<std::uint32_t>(32) == 0);                                  // flags
    CHECK(unmap_device_interrupt(cap, s.self, kDevice, low) == -EINVAL);  // unmapped already
    CHECK(s.last_rule() == hvsim::RuleId::device_interrupt_not_mapped);
    REQUIRE(unmap_device_interrupt(cap, s.self, kDevice, high) == 0);
    s.check_clean();
}

TEST_CASE("dispatch_vp: time slice and SPEC_CTRL 0, the state and event out (HDK 32-byte input)",
          "[marshal][vp][dispatch][layout]") {
    Sim s;
    const auto id = s.active_with_vps({0});
    CapturingBackend cap(s.backend);
    std::uint32_t state = 9, event = 9;
    REQUIRE(dispatch_vp(cap, id, 0, 0, state, event) == 0);
    CHECK(state == dispatch_state::blocked);  // a new VP is explicitly suspended
    CHECK(event == dispatch_event::suspend);
    const RegisterAssoc resume{0, 0, 0, {0, 0}};  // EXPLICIT_SUSPEND (name 0) = 0, as a VMM does
    REQUIRE(set_vp_registers(s.backend, id, 0, std::span(&resume, 1)).ok());
    REQUIRE(dispatch_vp(cap, id, 0, 0, state, event) == 0);
    CHECK(state == dispatch_state::blocked);  // nothing to run: the VP halts
    CHECK(event == dispatch_event::invalid);
    const auto& c = cap.last(CallId::dispatch_vp);
    CHECK(c.control.raw() == 0xC2);
    REQUIRE(c.input.size() == 32);
    CHECK(c.at<std::uint64_t>(0) == id);
    CHECK(c.at<std::uint32_t>(8) == 0);
    CHECK(c.at<std::uint32_t>(12) == 0);
    CHECK(c.zero(16, 32));

    const RegisterAssoc suspended[] = {{reg::explicit_suspend, 0, 0, {1, 0}}};
    REQUIRE(set_vp_registers(s.backend, id, 0, suspended).ok());
    REQUIRE(dispatch_vp(cap, id, 0, dispatch_flags::scan_interrupt_injection, state, event) == 0);
    CHECK(state == dispatch_state::blocked);
    CHECK(event == dispatch_event::suspend);
    CHECK(cap.last(CallId::dispatch_vp).at<std::uint32_t>(12) == dispatch_flags::scan_interrupt_injection);

    const RegisterAssoc intercepted[] = {{reg::explicit_suspend, 0, 0, {0, 0}}, {reg::intercept_suspend, 0, 0, {1, 0}}};
    REQUIRE(set_vp_registers(s.backend, id, 0, intercepted).ok());
    REQUIRE(dispatch_vp(cap, id, 0, 0, state, event) == 0);
    CHECK(state == dispatch_state::ready);
    CHECK(event == dispatch_event::intercept);
    REQUIRE(dispatch_vp(cap, id, 0, dispatch_flags::clear_intercept_suspend, state, event) == 0);
    CHECK(state == dispatch_state::blocked);

    const auto before = cap.calls.size();
    CHECK(dispatch_vp(cap, id, 0, 0x80, state, event) == -EINVAL);
    CHECK(cap.calls.size() == before);
    state = 9;
    CHECK(dispatch_vp(cap, id, 5, 0, state, event) == -EINVAL);  // no VP 5
    CHECK(state == 9);
    s.check_clean();
}

TEST_CASE("the new structs are the catalogue's sizes", "[agreement][system]") {
    CHECK(sizeof(InputGetPartitionPropertyEx) == info(CallId::get_partition_property_ex).input_header_size);
    CHECK(kPartitionPropertyExMaxValue == info(CallId::get_partition_property_ex).output_size);
    CHECK(sizeof(InputGetSystemProperty) == info(CallId::get_system_property).input_header_size);
    CHECK(sizeof(OutputGetSystemProperty) == info(CallId::get_system_property).output_size);
    CHECK(sizeof(InputSetSystemProperty) == info(CallId::set_system_property).input_header_size);
    CHECK(sizeof(InputEnterSleepState) == info(CallId::enter_sleep_state).input_header_size);
    CHECK(sizeof(InputNotifyPartitionEvent) == info(CallId::notify_partition_event).input_header_size);
    CHECK(sizeof(InputDisableHypEx) == info(CallId::disable_hyp_ex).input_header_size);
    CHECK(sizeof(InputGetLogicalProcessorRunTime) == info(CallId::get_logical_processor_run_time).input_header_size);
    CHECK(sizeof(OutputGetLogicalProcessorRunTime) == info(CallId::get_logical_processor_run_time).output_size);
    CHECK(sizeof(InputAddLogicalProcessor) == info(CallId::add_logical_processor).input_header_size);
    CHECK(sizeof(OutputAddLogicalProcessor) == info(CallId::add_logical_processor).output_size);
    CHECK(sizeof(InputMapStatsPage2) == info(CallId::map_stats_page2).input_header_size);
    CHECK(sizeof(InputMapDeviceInterrupt) == info(CallId::map_device_interrupt).input_header_size);
    CHECK(sizeof(OutputMapDeviceInterrupt) == info(CallId::map_device_interrupt).output_size);
    CHECK(sizeof(InputUnmapDeviceInterrupt) == info(CallId::unmap_device_interrupt).input_header_size);
    CHECK(sizeof(InputDispatchVp) == info(CallId::dispatch_vp).input_header_size);
    CHECK(sizeof(OutputDispatchVp) == info(CallId::dispatch_vp).output_size);
}
