// The driver suite's matrix and properties. Each scenario runs once plainly (the baseline),
// then under every schedule a correct driver must not notice (early rep ends, the hypervisor
// restarting reps, strict mode's poison, "needs memory" at each allocation in turn), then with
// a hard failure injected at each of its hypercalls in turn (rollback). Each run is judged on
// its own (kernel-side checks, spec-only violations, errno mapping, page accounting) and
// against the baseline (same errno sequence, same final state).
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <tuple>

#include "functions.hpp"
#include "hvcall/errno.hpp"
#include "hvcall/needs_memory.hpp"
#include "hvsim/hypervisor.hpp"
#include "hvsim/kernel/check.hpp"
#include "scenarios.hpp"

namespace hvsim::kernel {
namespace {

constexpr std::size_t kMaxAllocationFaults = 8;
constexpr std::size_t kFailuresPerCode = 3;
constexpr hvcall::Status kHardFailure = hvcall::Status::ACCESS_DENIED;
constexpr std::string_view kEndsAfterOne = "rep calls end after 1 element";

struct RunOutcome {
    std::vector<Step> steps;
    std::vector<Finding> findings;
    std::string final_digest;
    std::uint64_t allocations = 0;  // the model's, for the needs-memory schedules
    std::vector<ShimCall> calls;
};

std::string errnos(const std::vector<Step>& steps) {
    std::string s;
    for (const auto& st : steps) s += (s.empty() ? "" : ", ") + st.function + "=" + std::to_string(st.ret);
    return s;
}

// Pages the driver allocated must be either in a partition's pool (deposited, not withdrawn)
// or freed; kmalloc blocks freed.
void check_accounting(Run& r) {
    const KernelHoldings held = shim_holdings();
    std::uint64_t pooled = 0;
    auto& hv = r.machine.hypervisor();
    for (const auto id : hv.partition_ids())
        if (const auto p = hv.partition(id)) pooled += p->pool_pages;
    if (const auto root = hv.partition(~0ull)) pooled += root->pool_pages;
    if (held.pages != pooled)
        r.find("deposit.unaccounted", "(teardown)",
               std::to_string(held.pages) + " pages allocated by the driver and not freed, " + std::to_string(pooled) +
                   " deposited in the hypervisor's pools after teardown");
    if (held.kmalloc_blocks != 0)
        r.find("kmalloc.leak", "(teardown)", std::to_string(held.kmalloc_blocks) + " kmalloc blocks never freed");
}

// A step's errno must be the driver's own mapping of the status that failed it.
void check_errnos(Run& r) {
    const auto calls = shim_calls();
    for (const auto& st : r.steps()) {
        if (st.ret >= 0 || st.ret == HVSIM_KERNEL_BUGGED || st.calls == 0) continue;
        const auto last = hvcall::HypercallResult::from_raw(calls[st.first_call + st.calls - 1].result);
        if (last.ok() || hvcall::needs_memory(last.status())) continue;  // failed on its own checks
        const int want = hvcall::to_errno(last);
        if (st.ret != want)
            r.find("errno.not_driver_mapping", st.function,
                   "returned " + std::to_string(st.ret) + " after HV_STATUS_" +
                       std::string(hvcall::status_name(last.status())) + "; hv_result_to_errno gives " +
                       std::to_string(want));
    }
}

// The recorder's view of a run: its callback and the machine the calls ran on.
struct Observed {
    const std::function<void(Machine&, const ShimCall&)>* record;
    Machine* machine;
};

void observe(void* context, const ShimCall& call) {
    auto* o = static_cast<Observed*>(context);
    (*o->record)(*o->machine, call);
}

RunOutcome run_once(const hvsim_kernel_api& api, const Scenario& sc, const Schedule& schedule,
                    const CheckOptions* recording = nullptr) {
    Run r(api, schedule);
    r.scenario_name = sc.name;
    const std::function<void(Machine&, const ShimCall&)>* record = recording ? &recording->record : nullptr;
    if (recording != nullptr) r.on_guest_access = recording->record_guest_access;
    Observed observed{record, &r.machine};
    if (record != nullptr && *record) shim_observe_calls(observe, &observed);
    sc.body(r);
    shim_observe_calls(nullptr, nullptr);
    check_errnos(r);
    check_accounting(r);
    RunOutcome o;
    o.steps = r.steps();
    o.findings = std::move(r.findings());
    o.final_digest = r.machine.hypervisor().digest();
    o.allocations = r.machine.allocations();
    const auto calls = shim_calls();
    o.calls.assign(calls.begin(), calls.end());
    return o;
}

std::vector<Schedule> invisible_schedules(const RunOutcome& baseline) {
    std::vector<Schedule> out;
    auto add = [&](std::string name, FaultPlan plan, bool strict = false, bool restarts = false) {
        out.push_back({std::move(name), std::move(plan), strict, restarts, false, false, std::nullopt, false});
    };
    for (const std::uint32_t k : {1u, 3u}) {
        FaultPlan p;
        p.rep_ends.push_back({FaultPlan::kAnyCall, k});
        add(k == 1 ? std::string(kEndsAfterOne) : "rep calls end after " + std::to_string(k) + " elements", p);
    }
    for (const std::uint64_t seed : {1ull, 2ull}) {
        FaultPlan p;
        p.seed = seed;
        p.early_end_per_mille = 250;
        add("random rep ends (seed " + std::to_string(seed) + ")", p);
    }
    {
        FaultPlan p;
        p.rep_ends.push_back({FaultPlan::kAnyCall, 1});
        add("the hypervisor restarts reps", p, false, true);
    }
    add("strict mode", {}, true);
    // The shortfalls a 7.0 driver deposits for (upstream-linux.md §2): root and contiguous memory.
    out.push_back({"VPs need root memory (0x73)", {}, false, false, true, false, std::nullopt, false});
    out.push_back({"VPs need contiguous memory (0x75)", {}, false, false, false, true, std::nullopt, false});
    const std::uint64_t n = std::min<std::uint64_t>(baseline.allocations, kMaxAllocationFaults);
    for (std::uint64_t i = 0; i < n; ++i) {
        FaultPlan p;
        p.failing_allocations.push_back(i);
        add("needs memory at allocation " + std::to_string(i), p);
    }
    return out;
}

// The first step whose errno differs, or the final state.
void compare(const RunOutcome& base, RunOutcome& o, const Scenario& sc, const Schedule& s) {
    for (std::size_t i = 0; i < std::max(base.steps.size(), o.steps.size()); ++i) {
        if (i < base.steps.size() && i < o.steps.size() && base.steps[i].function == o.steps[i].function &&
            base.steps[i].ret == o.steps[i].ret)
            continue;
        const std::string fn = i < o.steps.size() ? o.steps[i].function : base.steps[i].function;
        o.findings.push_back({"schedule.changes_result", fn, sc.name, s.name,
                              "errnos [" + errnos(o.steps) + "] instead of [" + errnos(base.steps) + "]", 1});
        return;
    }
    if (o.final_digest != base.final_digest)
        o.findings.push_back({"schedule.changes_state", o.steps.empty() ? "" : o.steps.back().function, sc.name, s.name,
                              "same errnos, but the model's final state differs from the plain run's", 1});
}

// Injects kHardFailure at baseline call `index` (counted per code, as FaultPlan does); with
// `ends_after_one`, rep calls also end after each element, so the failure lands mid-batch.
Schedule failure_at(const RunOutcome& base, std::size_t index, bool ends_after_one = false) {
    const auto code = hvcall::Control::from_raw(base.calls[index].control).code();
    std::uint64_t nth = 0;
    for (std::size_t i = 0; i < index; ++i)
        if (hvcall::Control::from_raw(base.calls[i].control).code() == code) ++nth;
    Schedule s;
    s.injects_failure = true;
    s.plan.statuses.push_back({code, nth, kHardFailure});
    if (ends_after_one) s.plan.rep_ends.push_back({FaultPlan::kAnyCall, 1});
    const hvcall::CallInfo* info = hvcall::find_call(code);
    s.name = "HV_STATUS_ACCESS_DENIED at call " + std::to_string(nth) + " of " +
             (info ? std::string(info->linux_name) : std::to_string(code)) +
             (ends_after_one ? ", rep calls ending after 1 element" : "");
    return s;
}

// Where to inject a hard failure: for each call code, its first three calls and its last
// (a deposit ending after every element makes hundreds of calls; what matters is that every
// kind of call fails once at its start, once mid-way and once at its end).
std::vector<std::size_t> failure_points(const std::vector<ShimCall>& calls) {
    std::map<std::uint16_t, std::vector<std::size_t>> by_code;
    for (std::size_t i = 0; i < calls.size(); ++i)
        by_code[hvcall::Control::from_raw(calls[i].control).code()].push_back(i);
    std::set<std::size_t> points;
    for (const auto& [code, at] : by_code) {
        for (std::size_t k = 0; k < std::min<std::size_t>(at.size(), kFailuresPerCode); ++k) points.insert(at[k]);
        points.insert(at.back());
    }
    return {points.begin(), points.end()};
}

// A step that creates something and failed must leave the model as it found it.
void check_rollback(RunOutcome& o, const Scenario& sc, const Schedule& s) {
    for (const auto& st : o.steps) {
        if (!st.creates || st.ret == 0 || st.ret == HVSIM_KERNEL_BUGGED) continue;
        if (st.digest_after != st.digest_before)
            o.findings.push_back({"rollback.incomplete", st.function, sc.name, s.name,
                                  "returned " + std::to_string(st.ret) + " but left what it created in the model", 1});
        return;  // later steps run on a partly failed scenario
    }
}

void merge(std::vector<Finding>& all, std::vector<Finding> more) {
    for (auto& f : more) {
        auto same = std::find_if(all.begin(), all.end(), [&](const Finding& g) {
            return g.id == f.id && g.function == f.function && g.scenario == f.scenario;
        });
        if (same != all.end())
            ++same->times;
        else
            all.push_back(std::move(f));
    }
}

bool wanted(const Scenario& sc, const CheckOptions& options) {
    if (options.functions.empty()) return true;
    for (const auto& f : options.functions)
        for (const auto* list : {&kLifecycle, &sc.functions})
            for (const auto& requirement : *list)
                if (("|" + requirement + "|").find("|" + f + "|") != std::string::npos) return true;
    return false;
}

}  // namespace

std::vector<ScenarioInfo> suite_scenarios() {
    std::vector<ScenarioInfo> out;
    for (const auto& sc : scenarios()) out.push_back({sc.name, sc.functions});
    return out;
}

CheckReport run_driver_suite(const LoadedTree& tree, const CheckOptions& options) {
    const auto started = std::chrono::steady_clock::now();
    CheckReport report;
    std::set<std::string> ran;
    for (const auto& sc : scenarios()) {
        ScenarioResult res{sc.name, sc.functions, false, "", 0};
        if (!wanted(sc, options)) continue;
        std::vector<std::string> needs;
        for (const auto* list : {&kLifecycle, &sc.functions})
            for (const auto& f : *list) {
                const auto name = name_in_tree(f, tree.tree());
                if (!name) {
                    res.skipped = "the tree has no " + f;
                    break;
                }
                needs.push_back(*name);
            }
        if (!res.skipped.empty()) {
            report.scenarios.push_back(res);
            continue;
        }
        const Schedule plain;
        if (options.record_run) options.record_run(sc.name, config_for(plain), plain.plan);
        RunOutcome base = run_once(tree.api(), sc, plain, options.record ? &options : nullptr);
        report.hypercalls += base.calls.size();
        ++res.runs;
        merge(report.findings, std::move(base.findings));
        RunOutcome ends_after_one;  // the calls a failure can land in when reps end early
        for (const auto& s : invisible_schedules(base)) {
            RunOutcome o = run_once(tree.api(), sc, s);
            compare(base, o, sc, s);
            if (s.name == kEndsAfterOne) ends_after_one = o;
            report.hypercalls += o.calls.size();
            ++res.runs;
            merge(report.findings, std::move(o.findings));
        }
        std::vector<Schedule> failures;
        for (const std::size_t i : failure_points(base.calls)) failures.push_back(failure_at(base, i));
        for (const std::size_t i : failure_points(ends_after_one.calls))
            failures.push_back(failure_at(ends_after_one, i, true));
        for (const auto& s : failures) {
            RunOutcome o = run_once(tree.api(), sc, s);
            check_rollback(o, sc, s);
            report.hypercalls += o.calls.size();
            ++res.runs;
            // Only what the failure shows: errno mapping, rollback, kernel-side checks.
            std::erase_if(o.findings, [](const Finding& f) { return f.id == "deposit.unaccounted"; });
            merge(report.findings, std::move(o.findings));
        }
        res.ran = true;
        report.runs += res.runs;
        for (const auto& f : needs) ran.insert(f);
        report.scenarios.push_back(res);
    }
    report.functions_ran.assign(ran.begin(), ran.end());
    for (const auto& fn : known_function_names())
        if (!tree.tree().functions.contains(fn))
            report.functions_missing.push_back(fn);
        else if (!ran.contains(fn) && options.functions.empty())  // --function: the rest is left out, not uncovered
            report.functions_uncovered.push_back(fn);
    report.suite_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

namespace {

// splitmix64: the schedule of run i is a function of (seed, i) alone.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// Where a schedule's choices come from: a seeded stream (kernel fuzz --seed), or a fuzzer's
// bytes (kernel_tree_fuzz, kernel fuzz --input), read big-endian, as few as the bound needs;
// past their end every choice is 0, the plainest.
struct Draw {
    std::uint64_t state = 0;
    std::span<const std::uint8_t> bytes;
    bool from_bytes = false;
    std::uint64_t next(std::uint64_t bound) {
        if (bound == 0) return 0;
        if (!from_bytes) return mix(state++) % bound;
        std::uint64_t v = 0;
        for (std::uint64_t b = bound - 1; b != 0 && !bytes.empty(); b >>= 8) {
            v = (v << 8) | bytes.front();
            bytes = bytes.subspan(1);
        }
        return v % bound;
    }
};

// A random schedule for a scenario whose plain run is `base`; `hard` says whether a hard
// failure was injected (then the run is judged on rollback, not on matching the plain run).
Schedule random_schedule(const RunOutcome& base, Draw& d, bool& hard) {
    Schedule s;
    std::string name;
    if (d.next(2) == 0) {
        s.plan.seed = d.next(~0ull) | 1;
        s.plan.early_end_per_mille = static_cast<std::uint32_t>(100 + d.next(700));
        name += "random rep ends (seed " + std::to_string(s.plan.seed) + ", " +
                std::to_string(s.plan.early_end_per_mille) + "/1000)";
    }
    for (std::uint64_t i = 0, n = d.next(3); i < n && base.allocations > 0; ++i) {
        s.plan.failing_allocations.push_back(d.next(base.allocations + 2));
        name += std::string(name.empty() ? "" : ", ") + "needs memory at allocation " +
                std::to_string(s.plan.failing_allocations.back());
    }
    s.strict = d.next(4) == 0;
    s.restarts = d.next(4) == 0;
    if (s.strict) name += std::string(name.empty() ? "" : ", ") + "strict";
    if (s.restarts) name += std::string(name.empty() ? "" : ", ") + "rep restarts";
    hard = !base.calls.empty() && d.next(3) == 0;
    if (hard) {
        const Schedule f = failure_at(base, d.next(base.calls.size()));
        s.plan.statuses = f.plan.statuses;
        s.injects_failure = true;
        name += std::string(name.empty() ? "" : ", ") + f.name;
    }
    s.name = name.empty() ? "none" : name;
    return s;
}

// The scenarios a tree can run (optionally only the named ones) and each one's plain run.
struct Runnable {
    std::vector<Scenario> scenarios;
    std::vector<RunOutcome> bases;
};

Runnable runnable_scenarios(const LoadedTree& tree, const std::vector<std::string>& only) {
    Runnable r;
    for (const auto& sc : scenarios()) {
        if (!only.empty() && std::find(only.begin(), only.end(), sc.name) == only.end()) continue;
        bool ok = true;
        for (const auto* list : {&kLifecycle, &sc.functions})
            for (const auto& f : *list) ok = ok && name_in_tree(f, tree.tree()).has_value();
        if (ok) r.scenarios.push_back(sc);
    }
    for (const auto& sc : r.scenarios) r.bases.push_back(run_once(tree.api(), sc, Schedule{}));
    return r;
}

// One run of the search: the draw picks the scenario and its schedule; judged on rollback
// when a hard failure was injected, else against the plain run.
FuzzCase run_drawn(const LoadedTree& tree, const Runnable& r, Draw& d, const CheckOptions* recording) {
    const std::size_t which = d.next(r.scenarios.size());
    const Scenario& sc = r.scenarios[which];
    bool hard = false;
    const Schedule s = random_schedule(r.bases[which], d, hard);
    const CheckOptions* rec = recording && recording->record ? recording : nullptr;
    if (rec && rec->record_run) rec->record_run(sc.name, config_for(s), s.plan);
    RunOutcome o = run_once(tree.api(), sc, s, rec);
    if (hard) {
        check_rollback(o, sc, s);
        std::erase_if(o.findings, [](const Finding& f) { return f.id == "deposit.unaccounted"; });
    } else {
        compare(r.bases[which], o, sc, s);
    }
    return {sc.name, s.name, std::move(o.findings)};
}

}  // namespace

struct ByteFuzzer::State {
    const LoadedTree* tree;
    Runnable runnable;
};

ByteFuzzer::ByteFuzzer(const LoadedTree& tree, const std::vector<std::string>& only)
    : state_(std::make_unique<State>(State{&tree, runnable_scenarios(tree, only)})) {}
ByteFuzzer::~ByteFuzzer() = default;

std::size_t ByteFuzzer::scenarios() const noexcept { return state_->runnable.scenarios.size(); }

FuzzCase ByteFuzzer::run(std::span<const std::uint8_t> bytes, const CheckOptions* recording) {
    if (state_->runnable.scenarios.empty()) return {};
    Draw d;
    d.from_bytes = true;
    d.bytes = bytes;
    return run_drawn(*state_->tree, state_->runnable, d, recording);
}

FuzzReport fuzz_driver_suite(const LoadedTree& tree, const FuzzOptions& options) {
    const auto started = std::chrono::steady_clock::now();
    const Runnable runnable = runnable_scenarios(tree, options.scenarios);
    FuzzReport report;
    if (runnable.scenarios.empty()) return report;
    std::set<std::tuple<std::string, std::string, std::string>> seen;
    const std::uint64_t first = options.only_run.value_or(0);
    const std::uint64_t last = options.only_run ? first + 1 : options.runs;
    for (std::uint64_t i = first; i < last; ++i) {
        Draw d{mix(options.seed) ^ mix(i + 1), {}, false};
        FuzzCase c = run_drawn(tree, runnable, d, options.recording);
        ++report.runs;
        for (auto& f : c.findings)
            if (seen.insert({f.id, f.function, f.scenario}).second) report.findings.push_back({std::move(f), i});
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

}  // namespace hvsim::kernel
