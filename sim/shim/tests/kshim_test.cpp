// The C shim driven by kernel-style C code (kernel_calls.c): what the machine sees, the
// model's status and rule for each planted bug, and the shim's own diagnostics.
#include <catch2/catch_test_macros.hpp>

#include <set>
#include <stdexcept>
#include <string>

#include "hvsim/kshim_attach.hpp"
#include "model_setup.hpp"
// Last: kshim.h defines kernel names as macros (this_cpu_ptr, local_irq_save, __packed).
#include "kernel_calls.h"

namespace hvsim::test {
namespace {

// A model with the shim attached as CPU 0 for the length of one test.
struct ShimModel : Model {
    explicit ShimModel(MachineConfig config, FaultPlan plan = {}) : Model(std::move(config), std::move(plan)) {
        shim_attach(m);
    }
    explicit ShimModel(bool strict = false) : ShimModel(test_config(strict)) {}
    ~ShimModel() { shim_detach(); }
    ShimModel(const ShimModel&) = delete;
    ShimModel& operator=(const ShimModel&) = delete;

    // Host pages the kernel code's deposits take, from the model's free run.
    void give_kernel_pages(std::uint64_t count) {
        kernel_give_pages(next_pfn, count);
        next_pfn += count;
    }
    // A free run of host pages to map.
    std::uint64_t take_run(std::uint64_t count) {
        const std::uint64_t first = next_pfn;
        next_pfn += count;
        return first;
    }
};

hvcall::Status status_of(u64 result) { return hvcall::HypercallResult::from_raw(result).status(); }

bool has_status(u64 result, hvcall::Status status) { return status_of(result) == status; }

std::set<ShimRule> shim_rules_seen() {
    std::set<ShimRule> rules;
    for (const auto& d : shim_diagnostics()) rules.insert(d.rule);
    return rules;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

constexpr u32 kReadWrite = kMapRead | kMapWrite;
constexpr u64 kGfn = 0x10000;

}  // namespace

TEST_CASE("get partition id reads the answer from the output page of this CPU") {
    ShimModel md;
    u64 id = 0;
    const u64 before = md.m.calls();
    REQUIRE(hv_result_success(hv_call_get_partition_id(&id)));
    CHECK(id == md.m.config().root_partition_id);
    CHECK(md.m.calls() == before + 1);
    CHECK(shim_diagnostics().empty());
}

TEST_CASE("deposits go in batches of 511 pages and initialization deposits and retries until it fits") {
    MachineConfig config = test_config();
    config.costs.initialize_partition = 210;  // two pages more than the driver's first deposit
    ShimModel md(config);
    md.give_kernel_pages(2000);

    const std::uint64_t id = md.create();
    std::uint64_t before = md.m.calls();
    REQUIRE(hv_result_success(hv_call_deposit_pages(id, 1000, BUG_NONE)));
    CHECK(md.hv().partition(id)->pool_pages == 1000);
    CHECK(md.m.calls() == before + 2);  // 511 + 489

    const std::uint64_t other = md.create();
    before = md.m.calls();
    REQUIRE(hv_result_success(hv_call_initialize_partition(other)));
    CHECK(md.hv().partition_state(other) == PartitionState::active);
    CHECK(md.hv().partition(other)->pool_pages == 210);
    // 208 pages in one call, then (initialize, deposit 1) twice, then the initialize that fits.
    CHECK(md.m.calls() == before + 1 + 2 * 2 + 1);
    CHECK(shim_diagnostics().empty());
}

TEST_CASE("map GPA pages in batches of 509 and resume every rep call the model ends early") {
    FaultPlan plan;
    plan.seed = 7;
    plan.early_end_per_mille = 20;
    ShimModel md(test_config(), plan);
    const std::uint64_t id = md.active();
    const std::uint64_t pfn = md.take_run(1200);

    const std::uint64_t before = md.m.calls();
    REQUIRE(hv_result_success(hv_call_map_gpa_pages(id, kGfn, pfn, 1200, kReadWrite, BUG_NONE)));
    CHECK(md.m.calls() > before + 3);  // more than the three batches (509, 509, 182): restarts
    for (const std::uint64_t i : {0ull, 508ull, 509ull, 1199ull}) {
        const auto mapping = md.hv().gpa_mapping(id, kGfn + i);
        REQUIRE(mapping);
        CHECK(mapping->pfn == pfn + i);
    }
    CHECK_FALSE(md.hv().gpa_mapping(id, kGfn + 1200));
    CHECK(shim_diagnostics().empty());
    md.check();
}

TEST_CASE("clear virtual interrupt and delete VP go through the fast register forms") {
    ShimModel md;
    const std::uint64_t id = md.active();
    CHECK(hv_result_success(hv_call_clear_virtual_interrupt(id)));

    CHECK(has_status(hv_call_clear_virtual_interrupt(id + 100), hvcall::Status::INVALID_PARTITION_ID));
    CHECK(md.rule() == RuleId::partition_id_unknown);
    CHECK(has_status(hv_do_fast_hypercall16(HVCALL_DELETE_VP, id, 5), hvcall::Status::INVALID_VP_INDEX));
    CHECK(md.rule() == RuleId::vp_index_unknown);
}

TEST_CASE("bug: a map batch sized for a 16-byte header crosses the input page") {
    ShimModel md;
    const std::uint64_t id = md.active();
    const std::uint64_t pfn = md.take_run(600);
    const u64 result = hv_call_map_gpa_pages(id, kGfn, pfn, 600, kReadWrite, BUG_SPARSE_BATCH);
    CHECK(has_status(result, hvcall::Status::INVALID_ALIGNMENT));
    CHECK(md.rule() == RuleId::gpa_input_crosses_page);
    CHECK(md.m.last_diagnostic()->value == md.m.input_page_gpa(0));
    CHECK(md.m.last_diagnostic()->size == 24 + 510 * 8);  // the first batch: 8 bytes past the page
    // Those 8 bytes went where the kernel would put them: the start of the output page.
    const auto* output = static_cast<const u64*>(*this_cpu_ptr(hyperv_pcpu_output_arg));
    CHECK(output[0] == pfn + 509);
    CHECK_FALSE(md.hv().gpa_mapping(id, kGfn));
}

TEST_CASE("bug: map padding left stale is caught in strict mode where the page holds old bytes") {
    SECTION("strict: the model rejects the padding") {
        ShimModel md(true);
        const std::uint64_t id = md.active();
        const u64 result = hv_call_map_gpa_pages(id, kGfn, md.take_run(8), 8, kReadWrite, BUG_DIRTY_PADDING);
        CHECK(has_status(result, hvcall::Status::INVALID_PARAMETER));
        CHECK(md.rule() == RuleId::map_gpa_pages_padding_nonzero);
        CHECK(md.m.last_diagnostic()->offset == 20);
    }
    SECTION("strict: the same call with the header zeroed succeeds") {
        ShimModel md(true);
        const std::uint64_t id = md.active();
        CHECK(hv_result_success(hv_call_map_gpa_pages(id, kGfn, md.take_run(8), 8, kReadWrite, BUG_NONE)));
    }
    SECTION("not strict: a fresh page is zero, so the bug stays latent") {
        ShimModel md(false);
        const std::uint64_t id = md.active();
        CHECK(hv_result_success(hv_call_map_gpa_pages(id, kGfn, md.take_run(8), 8, kReadWrite, BUG_DIRTY_PADDING)));
    }
}

TEST_CASE("bug: the input page used with interrupts enabled is a shim diagnostic per call") {
    ShimModel md;
    const std::uint64_t id = md.active();
    const u64 result = hv_call_map_gpa_pages(id, kGfn, md.take_run(600), 600, kReadWrite, BUG_IRQS_ON);
    CHECK(hv_result_success(result));         // the hypervisor cannot tell; the call proceeds
    REQUIRE(shim_diagnostics().size() == 2);  // two batches
    for (const auto& d : shim_diagnostics()) {
        CHECK(d.rule == ShimRule::percpu_page_irqs_enabled);
        CHECK(contains(d.message,
                       "kshim.percpu_page.irqs_enabled: hv_do_hypercall(HVCALL_MAP_GPA_PAGES 0x004b): "
                       "interrupts are enabled on CPU 0"));
        CHECK(d.message.find('\n') == std::string::npos);
    }
}

TEST_CASE("bug: a page taken before local_irq_save is a shim diagnostic") {
    ShimModel md;
    void* output = *this_cpu_ptr(hyperv_pcpu_output_arg);
    unsigned long flags;
    local_irq_save(flags);
    CHECK(hv_result_success(hv_do_hypercall(HVCALL_GET_PARTITION_ID, nullptr, output)));
    local_irq_restore(flags);
    REQUIRE(shim_diagnostics().size() == 1);
    CHECK(shim_diagnostics()[0].rule == ShimRule::percpu_page_irqs_enabled);
    CHECK(contains(shim_diagnostics()[0].message, "output page was taken before interrupts were last disabled"));

    shim_clear_diagnostics();
    local_irq_save(flags);  // taken again inside the section: correct
    output = *this_cpu_ptr(hyperv_pcpu_output_arg);
    CHECK(hv_result_success(hv_do_hypercall(HVCALL_GET_PARTITION_ID, nullptr, output)));
    local_irq_restore(flags);
    CHECK(shim_diagnostics().empty());
}

TEST_CASE("bug: a second local_irq_restore on the deposit error path is a shim diagnostic") {
    ShimModel md;
    md.give_kernel_pages(16);
    const std::uint64_t unknown = 0x999;

    CHECK(has_status(hv_call_deposit_pages(unknown, 4, BUG_NONE), hvcall::Status::INVALID_PARTITION_ID));
    CHECK(shim_diagnostics().empty());

    CHECK(has_status(hv_call_deposit_pages(unknown, 4, BUG_DOUBLE_RESTORE), hvcall::Status::INVALID_PARTITION_ID));
    CHECK(md.rule() == RuleId::partition_id_unknown);
    CHECK(shim_rules_seen() == std::set{ShimRule::irq_restore_unbalanced});
    CHECK(shim_diagnostics().size() == 1);
}

TEST_CASE("pointers outside the hypercall pages of this CPU are shim errors and never issued") {
    ShimModel md;
    u64 stack_output = 0;
    const u64 before = md.m.calls();
    CHECK(hv_do_hypercall(HVCALL_GET_PARTITION_ID, nullptr, &stack_output) == U64_MAX);
    CHECK(md.m.calls() == before);
    REQUIRE(shim_diagnostics().size() == 1);
    CHECK(shim_diagnostics()[0].rule == ShimRule::pointer_outside_percpu_pages);
    CHECK(contains(shim_diagnostics()[0].message, "HVCALL_GET_PARTITION_ID 0x0046): output pointer"));

    CHECK(virt_to_phys(&stack_output) == U64_MAX);
    CHECK(shim_diagnostics().size() == 2);

    auto* input = static_cast<std::byte*>(*this_cpu_ptr(hyperv_pcpu_input_arg));
    auto* output = static_cast<std::byte*>(*this_cpu_ptr(hyperv_pcpu_output_arg));
    CHECK(virt_to_phys(input + 24) == md.m.input_page_gpa(0) + 24);
    CHECK(virt_to_phys(output + 4095) == md.m.output_page_gpa(0) + 4095);
}

TEST_CASE("the shim issues calls on the CPU chosen and refuses a page kept across a migration") {
    ShimModel md;
    unsigned long flags;
    local_irq_save(flags);
    void* cpu0_output = *this_cpu_ptr(hyperv_pcpu_output_arg);

    shim_set_cpu(1);
    CHECK(smp_processor_id() == 1);
    CHECK(hv_do_hypercall(HVCALL_GET_PARTITION_ID, nullptr, cpu0_output) == U64_MAX);
    REQUIRE(shim_diagnostics().size() == 1);
    CHECK(contains(shim_diagnostics().back().message, "is not in CPU 1's input or output page"));

    u64 id = 0;
    CHECK(hv_result_success(hv_call_get_partition_id(&id)));
    CHECK(virt_to_phys(*this_cpu_ptr(hyperv_pcpu_input_arg)) == md.m.input_page_gpa(1));
    CHECK_THROWS_AS(shim_set_cpu(2), std::invalid_argument);  // test_config has 2 CPUs
    shim_set_cpu(0);
    local_irq_restore(flags);
    CHECK(shim_rules_seen() == std::set{ShimRule::pointer_outside_percpu_pages});
}

TEST_CASE("strict mode poisons the input page when the kernel code takes it") {
    ShimModel md(true);
    unsigned long flags;
    local_irq_save(flags);
    const auto* input = static_cast<const u64*>(*this_cpu_ptr(hyperv_pcpu_input_arg));
    CHECK(input[0] == md.m.config().poison);
    CHECK(input[511] == md.m.config().poison);
    local_irq_restore(flags);
}

TEST_CASE("without a machine every call returns U64_MAX as Linux does without a hypercall page") {
    shim_detach();
    u64 id = 0;
    CHECK(hv_call_get_partition_id(&id) == U64_MAX);
    CHECK(hv_do_fast_hypercall8(HVCALL_INITIALIZE_PARTITION, 1) == U64_MAX);
    CHECK(hv_result(U64_MAX) == 0xFFFF);
    CHECK_FALSE(hv_result_success(U64_MAX));
    Machine m(test_config());
    CHECK_THROWS_AS(shim_attach(m, 2), std::invalid_argument);
}

TEST_CASE("result word accessors and the shim rule catalogue") {
    CHECK(hv_result(0x0000'0123'0000'000Bull) == HV_STATUS_INSUFFICIENT_MEMORY);
    CHECK(hv_repcomp(0x0000'0123'0000'000Bull) == 0x123);
    CHECK(hv_repcomp(0xFFFF'F000'FFFF'FFFFull) == 0);  // bits 63:44 are not reps completed
    CHECK(hv_result_success(0x0000'0005'0000'0000ull));

    std::set<std::string_view> ids;
    for (const auto& rule : shim_rules()) {
        CHECK(rule.id.starts_with("kshim."));
        CHECK_FALSE(rule.statement.empty());
        CHECK_FALSE(rule.source.empty());
        CHECK(&shim_rule_info(rule.rule) == &rule);
        ids.insert(rule.id);
    }
    CHECK(ids.size() == shim_rules().size());
}

}  // namespace hvsim::test
