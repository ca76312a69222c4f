#include "hvsim/conformance/runner.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>

#include "hvcall/errno.hpp"
#include "hvcall/errno_names.hpp"
#include "hvcall/types/memory.hpp"
#include "hvsim/conformance/typed_calls.hpp"
#include "hvsim/diagnostic.hpp"
#include "hvsim/host_pages.hpp"
#include "hvsim/hypervisor.hpp"
#include "hvsim/machine.hpp"

namespace hvsim::conformance {

namespace {

using hvcall::Control;
using hvcall::HypercallResult;
using hvcall::Status;

// Bounds the blocks a raw step builds or reads, whatever its control word claims.
constexpr std::size_t kMaxBlock = 2 * hvcall::kPageSize;

std::string hex(std::uint64_t v, int digits = 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%0*llX", digits, static_cast<unsigned long long>(v));
    return buf;
}
std::string status_text(Status s) {
    return std::string(hvcall::status_name(s)) + " (" + hex(static_cast<unsigned>(s), 4) + ")";
}
std::string errno_text(int e) {
    if (e == 0 || !hvcall::errno_name(e)) return std::to_string(e);
    return hvcall::errno_text(e) + " (" + std::to_string(e) + ")";
}

// One hypercall as the model answered it.
struct LoggedCall {
    Control control;
    HypercallResult result;
    std::optional<Diagnostic> diagnostic;
    std::vector<Diagnostic> violations;
};

// The model as hvcall's Backend, recording every call.
// Calls reach the model through `inner`: the SimBackend, or a run observer's wrapper of it.
class LoggingBackend final : public hvcall::Backend {
public:
    LoggingBackend(Machine& m, hvcall::Backend& inner) : m_(m), inner_(inner) {}
    std::vector<LoggedCall> log;

    std::span<std::byte, hvcall::kPageSize> input_page() noexcept override { return inner_.input_page(); }
    std::span<const std::byte, hvcall::kPageSize> output_page() const noexcept override { return inner_.output_page(); }
    HypercallResult hypercall(Control c) noexcept override { return record(c, inner_.hypercall(c)); }
    HypercallResult hypercall_fast(Control c, std::uint64_t rdx, std::uint64_t r8) noexcept override {
        return record(c, inner_.hypercall_fast(c, rdx, r8));
    }
    HypercallResult hypercall_fast_xmm(Control c, hvcall::XmmRegisters& regs) noexcept override {
        return record(c, inner_.hypercall_fast_xmm(c, regs));
    }
    hvcall::PlacedCall hypercall_at(Control c, std::uint64_t input_gpa, std::span<const std::byte> input,
                                    std::uint64_t output_gpa, std::span<std::byte> output) noexcept override {
        const hvcall::PlacedCall placed = inner_.hypercall_at(c, input_gpa, input, output_gpa, output);
        (void)record(c, placed.result);
        return placed;
    }

private:
    HypercallResult record(Control c, HypercallResult r) {
        log.push_back({c, r, m_.last_diagnostic(), {m_.violations().begin(), m_.violations().end()}});
        return r;
    }
    Machine& m_;
    hvcall::Backend& inner_;
};

// A step's plan counts calls from the step's first call; the machine counts from the run's.
FaultPlan to_plan(FaultPlan p, std::uint64_t call_base) {
    for (auto& e : p.rep_ends)
        if (e.call != FaultPlan::kAnyCall) e.call += call_base;
    return p;
}

// Rep calls whose element i addresses guest page base + i (base + 512 i with their large
// flag): under the rep start axis the base moves back so the same pages are touched.
// Offsets and flags are hvcall's (its structs' layouts); no large flag: flags_offset unused.
struct Positional {
    hvcall::CallId call;
    std::uint32_t base_offset, flags_offset, large_flag;
};
constexpr Positional kPositional[] = {
    {hvcall::CallId::map_gpa_pages, offsetof(hvcall::InputMapGpaPages, target_gpa_base),
     offsetof(hvcall::InputMapGpaPages, map_flags), hvcall::map_flags::large_page},
    {hvcall::CallId::unmap_gpa_pages, offsetof(hvcall::InputUnmapGpaPages, target_gpa_base),
     offsetof(hvcall::InputUnmapGpaPages, unmap_flags), hvcall::kUnmapLargePage},
    {hvcall::CallId::get_gpa_pages_access_states, offsetof(hvcall::InputGetGpaPagesAccessStates, gpa_page_number), 0,
     0},
};

// Moves the base of a positional call back by k elements; false when it would go below 0.
bool rebase(std::uint16_t code, std::vector<std::byte>& in, std::uint32_t k) {
    for (const auto& p : kPositional) {
        if (hvcall::info(p.call).code != code) continue;
        std::uint64_t base = 0;
        std::uint32_t flags = 0;
        if (in.size() < p.base_offset + 8 || in.size() < p.flags_offset + 4) return false;
        std::memcpy(&base, in.data() + p.base_offset, 8);
        if (p.large_flag != 0) std::memcpy(&flags, in.data() + p.flags_offset, 4);
        const std::uint64_t step = (flags & p.large_flag) != 0 ? 512 : 1;
        if (base < step * k) return false;
        base -= step * k;
        std::memcpy(in.data() + p.base_offset, &base, 8);
        return true;
    }
    return true;
}

bool allows_both_forms(const RawStep& r) {
    const auto* c = hvcall::find_call(r.code);
    return !r.fast && !r.control && c != nullptr && c->allows_fast();
}
bool shiftable(const RawStep& r) {
    const auto* c = hvcall::find_call(r.code);
    return c != nullptr && c->is_rep() && !r.control && !r.rep_start && r.rep_count && *r.rep_count > 0 &&
           *r.rep_count + kMatrixRepStart <= Control::kMaxRepCount;
}

// A failed step's story, built as the checks run.
struct Verdict {
    std::vector<std::string> mismatches;
    void expect_eq(const std::string& what, std::uint64_t want, std::uint64_t got) {
        if (want != got)
            mismatches.push_back(what + ": expected " + std::to_string(want) + " (" + hex(want) + "), got " +
                                 std::to_string(got) + " (" + hex(got) + ")");
    }
};

// Where a raw step's input and output pieces sit: the matrix's rep start axis shifts the elements
// (not the headers) by k.
struct RawLayout {
    std::size_t in_header = 0, in_elem = 0, out_fixed = 0, out_elem = 0;
    std::uint32_t k = 0;
    [[nodiscard]] std::size_t place_in(std::size_t off) const { return off >= in_header ? off + k * in_elem : off; }
    [[nodiscard]] std::size_t place_out(std::size_t off) const { return off >= out_fixed ? off + k * out_elem : off; }
};

std::string rules_text(std::vector<RuleId> rules) {
    if (rules.empty()) return "none";
    std::sort(rules.begin(), rules.end());
    std::string s;
    for (auto r : rules) s += (s.empty() ? "" : ", ") + std::string(rule_info(r).id);
    return s;
}

class ScenarioRun {
public:
    ScenarioRun(const Scenario& s, const Variant& v, Coverage& coverage, RunObserver* observer)
        : s_(s),
          v_(v),
          coverage_(coverage),
          m_(config(), to_plan(s.faults, 0)),
          pages_(make_pages()),
          sim_(m_),
          observer_(observer),
          backend_(m_, observer ? observer->run_started(s, v, m_.config(), to_plan(s.faults, 0), sim_) : sim_) {}

    std::optional<StepFailure> run() {
        for (std::size_t i = 0; i < s_.steps.size(); ++i) {
            const Step& st = s_.steps[i];
            backend_.log.clear();
            set_strict(v_.strict || st.strict);
            if (st.faults) set_fault_plan(to_plan(*st.faults, m_.calls()));
            Verdict verdict;
            std::uint16_t code = 0;
            try {
                code = execute(st, verdict);
            } catch (const std::exception& e) {
                verdict.mismatches.push_back(std::string("could not run the step: ") + e.what());
            }
            if (st.faults) set_fault_plan({});
            account(st, code, verdict.mismatches.empty());
            note_violations(i, st);
            if (!verdict.mismatches.empty()) {
                StepFailure f{i, st.label(), st.pointer, st.note, std::move(verdict.mismatches), {}};
                for (const auto& call : backend_.log) {
                    if (call.diagnostic) f.diagnostics.push_back("rejected: " + describe(*call.diagnostic));
                    for (const auto& d : call.violations) f.diagnostics.push_back("violation: " + describe(d));
                }
                return f;
            }
        }
        return std::nullopt;
    }
    [[nodiscard]] std::vector<RecordedViolation> take_violations() { return std::move(violations_); }

private:
    // What the step's calls recorded, each rule once, and whether the step expected it.
    void note_violations(std::size_t index, const Step& st) {
        const auto& expected = st.expect.violations;
        for (const auto& call : backend_.log)
            for (const auto& d : call.violations) {
                const bool seen = std::any_of(violations_.begin(), violations_.end(), [&](const RecordedViolation& v) {
                    return v.step == index && v.rule == d.rule;
                });
                if (seen) continue;
                const bool listed =
                    expected && std::find(expected->begin(), expected->end(), d.rule) != expected->end();
                violations_.push_back({index, d.rule, describe(d), listed});
            }
    }

    MachineConfig config() const {
        MachineConfig c = s_.machine.config;
        c.strict = v_.strict;
        c.reject_spec_only = s_.reject_spec_only;
        return c;
    }
    void set_strict(bool strict) {
        if (strict == m_.config().strict) return;
        m_.set_strict(strict);
        if (observer_) observer_->strict_set(strict);
    }
    void set_fault_plan(const FaultPlan& plan) {
        m_.set_fault_plan(plan);
        if (observer_) observer_->fault_plan_set(plan);
    }
    HostPageSource make_pages() {
        if (s_.machine.host_pages)
            return HostPageSource(m_, s_.machine.host_pages->first, s_.machine.host_pages->second);
        return HostPageSource(m_);
    }

    std::uint64_t resolve(const Value& v) const {
        if (v.ref.empty()) return v.number;
        const auto it = vars_.find(v.ref);
        if (it == vars_.end())
            throw std::runtime_error("'$" + v.ref + "' was not captured (its step did not produce it)");
        return it->second;
    }

    // Runs the step; returns the call code it is about (for coverage columns), 0 if none.
    std::uint16_t execute(const Step& st, Verdict& v) {
        if (const auto* r = std::get_if<RawStep>(&st.body)) return raw(st, *r, v);
        if (const auto* t = std::get_if<TypedStep>(&st.body)) return typed(st, *t, v);
        if (const auto* g = std::get_if<GuestAccessStep>(&st.body)) {
            const std::uint64_t partition = resolve(g->partition), gfn = resolve(g->gfn), count = resolve(g->count);
            const auto marked = m_.hypervisor().guest_access(partition, gfn, count, g->write);
            if (observer_) observer_->guest_access(partition, gfn, count, g->write, marked);
            if (st.expect.done) v.expect_eq("pages marked", resolve(*st.expect.done), marked);
            return 0;
        }
        for (const auto& c : std::get<std::vector<Check>>(st.body)) check(c, v);
        return 0;
    }

    // A raw step: its control word and input block, issued as given, then its expectations.
    std::uint16_t raw(const Step& st, const RawStep& r, Verdict& v) {
        const auto* info = hvcall::find_call(r.code);
        const std::uint32_t k = rep_start_shift(r, info);
        const Control control = raw_control(r, k);
        const RawLayout layout = raw_layout(info, control, k);
        const std::size_t in_size =
            info ? std::min<std::size_t>(info->input_size(control.varhead_qwords(), control.rep_count()), kMaxBlock)
                 : 0;
        const std::vector<std::byte> in = raw_input(r, layout, in_size);
        const std::size_t out_n = std::min<std::size_t>(
            r.output_size ? *r.output_size + k * layout.out_elem : (info ? info->output_bytes(control.rep_count()) : 0),
            kMaxBlock);
        std::vector<std::byte> out(out_n);
        const HypercallResult result =
            control.fast() ? issue_fast(info, control, in, out) : issue_slow(r, control, in, out);
        check_raw_result(st.expect, result, backend_.log.back(), k, v);
        check_raw_output(st.expect, out, layout, v);
        if (v.mismatches.empty()) capture_raw(st, result, out, layout);
        return r.code;
    }

    // The matrix's rep start axis: how many elements a rep step is shifted by (0 when it is not
    // shiftable, or when a base that cannot move back keeps it at rep start 0).
    std::uint32_t rep_start_shift(const RawStep& r, const hvcall::CallInfo* info) const {
        const std::uint32_t k = v_.rep_start && shiftable(r) ? *v_.rep_start : 0;
        if (k == 0) return 0;
        std::vector<std::byte> header(info->input_header_size);
        for (const auto& f : r.fields)
            if (f.offset + f.size <= header.size()) {
                const std::uint64_t value = resolve(f.value);
                std::memcpy(header.data() + f.offset, &value, f.size);
            }
        if (r.input_hex && !header.empty() && !r.input_hex->empty())
            std::memcpy(header.data(), r.input_hex->data(), std::min(header.size(), r.input_hex->size()));
        return rebase(r.code, header, k) ? k : 0;
    }

    // The step's control word as written, or made from its fields with rep count and start moved by k.
    Control raw_control(const RawStep& r, std::uint32_t k) const {
        if (r.control) return Control::from_raw(*r.control);
        const bool fast = r.fast ? *r.fast : (allows_both_forms(r) && v_.fast.value_or(false));
        const auto made = Control::make({.code = r.code,
                                         .fast = fast,
                                         .varhead_qwords = r.varhead,
                                         .nested = r.nested,
                                         .rep_count = r.rep_count.value_or(0) + k,
                                         .rep_start = r.rep_start.value_or(0) + k});
        if (!made) throw std::runtime_error("the control fields do not fit their bit fields");
        return Control::from_raw(made->raw() | r.control_bits);
    }

    static RawLayout raw_layout(const hvcall::CallInfo* info, Control control, std::uint32_t k) {
        if (info == nullptr) return {.k = k};
        return {.in_header = info->input_header_size + std::size_t{control.varhead_qwords()} * 8,
                .in_elem = info->rep_input_size,
                .out_fixed = info->output_size,
                .out_elem = info->rep_output_size,
                .k = k};
    }

    // The input block: header (+ variable header), then elements; the matrix's skipped
    // elements (before rep start) are filled with a pattern the model must not read.
    std::vector<std::byte> raw_input(const RawStep& r, const RawLayout& l, std::size_t in_size) const {
        std::vector<std::byte> in(in_size);
        auto put = [&](std::size_t off, std::uint64_t value, std::size_t size) {
            if (off + size > kMaxBlock)
                throw std::runtime_error("input field at " + std::to_string(off) + " beyond the block");
            if (in.size() < off + size) in.resize(off + size);
            std::memcpy(in.data() + off, &value, size);
        };
        const std::size_t hdr = l.in_header, elem = l.in_elem, k = l.k;
        std::fill(in.begin() + static_cast<std::ptrdiff_t>(std::min(hdr, in.size())),
                  in.begin() + static_cast<std::ptrdiff_t>(std::min(hdr + k * elem, in.size())), kSkippedElementFill);
        for (const auto& f : r.fields) put(l.place_in(f.offset), resolve(f.value), f.size);
        for (std::size_t i = 0; i < r.elements.size(); ++i)
            put(hdr + (k + i) * elem, resolve(r.elements[i]), std::min<std::size_t>(elem, 8));
        if (r.input_hex)
            for (std::size_t i = 0; i < r.input_hex->size(); ++i)
                put(l.place_in(i), static_cast<std::uint64_t>((*r.input_hex)[i]), 1);
        if (k != 0) (void)rebase(r.code, in, l.k);
        return in;
    }

    // A fast call: the input in registers (XMM when it does not fit two, or the call takes them),
    // the output read from the registers after the input's, when it fits.
    HypercallResult issue_fast(const hvcall::CallInfo* info, Control control, const std::vector<std::byte>& in,
                               std::vector<std::byte>& out) {
        hvcall::XmmRegisters regs{};
        if (!in.empty()) std::memcpy(regs.data(), in.data(), std::min<std::size_t>(in.size(), hvcall::kFastXmmBytes));
        HypercallResult result;
        if (in.size() > hvcall::kFastRegsBytes || (info && info->allows_xmm()))
            result = backend_.hypercall_fast_xmm(control, regs);
        else
            result = backend_.hypercall_fast(control, regs[0], regs[1]);
        const std::size_t at = info ? info->fast_output_offset(control.varhead_qwords(), control.rep_count()) : 0;
        if (!out.empty() && at + out.size() <= hvcall::kFastXmmBytes)
            std::memcpy(out.data(), reinterpret_cast<const std::byte*>(regs.data()) + at, out.size());
        return result;
    }

    // A memory call: through the per-CPU pages, or placed at the GPAs the step names.
    HypercallResult issue_slow(const RawStep& r, Control control, const std::vector<std::byte>& in,
                               std::vector<std::byte>& out) {
        const std::uint64_t in_gpa = r.input_gpa ? resolve(*r.input_gpa) : m_.input_page_gpa(0) + r.input_offset;
        const std::uint64_t out_gpa = r.output_gpa ? resolve(*r.output_gpa) : m_.output_page_gpa(0) + r.output_offset;
        (void)backend_.input_page();  // poisons the page first in strict mode
        if (in_gpa != m_.input_page_gpa(0) || out_gpa != m_.output_page_gpa(0))
            return backend_.hypercall_at(control, in_gpa, in, out_gpa, out).result;
        // An ordinary call.
        if (!in.empty() && m_.memory().in_ram(in_gpa, in.size())) m_.memory().write(in_gpa, in);
        const HypercallResult result = backend_.hypercall(control);
        if (m_.memory().in_ram(out_gpa, out.size())) m_.memory().read(out_gpa, out);
        return result;
    }

    // Expectations on the result word, errno, the rejecting rule and the violations.
    void check_raw_result(const Expect& e, HypercallResult result, const LoggedCall& issued, std::uint32_t k,
                          Verdict& v) const {
        Status want = Status::SUCCESS;
        if (e.status)
            want = *e.status;
        else if (e.rule)
            want = rule_info(*e.rule).status;
        if (result.status() != want)
            v.mismatches.push_back("status: expected " + status_text(want) + ", got " + status_text(result.status()));
        if (e.error && hvcall::to_errno(result) != *e.error)
            v.mismatches.push_back("errno: expected " + errno_text(*e.error) + ", got " +
                                   errno_text(hvcall::to_errno(result)));
        if (e.reps) v.expect_eq("reps completed", resolve(*e.reps) + k, result.reps_completed());
        const std::string got_rule = issued.diagnostic ? std::string(issued.diagnostic->info().id) : "none";
        if (e.rule && (!issued.diagnostic || issued.diagnostic->rule != *e.rule))
            v.mismatches.push_back("rule: expected " + std::string(rule_info(*e.rule).id) + ", got " + got_rule +
                                   mode_hint(*e.rule));
        if (!e.rule && (e.no_rule || want == Status::SUCCESS) && issued.diagnostic)
            v.mismatches.push_back("rule: expected no rejection, got " + got_rule);
        check_violations(e, v);
    }

    // Expectations on output fields and bytes, at their places under the rep start shift.
    void check_raw_output(const Expect& e, const std::vector<std::byte>& out, const RawLayout& l, Verdict& v) const {
        for (const auto& f : e.output) {
            const std::size_t off = l.place_out(f.offset);
            std::uint64_t got = 0;
            if (off + f.size <= out.size() && f.size != 0)
                std::memcpy(&got, out.data() + off, f.size);
            else
                v.mismatches.push_back("output field at " + std::to_string(f.offset) + ": beyond the " +
                                       std::to_string(out.size()) + " output bytes");
            v.expect_eq("output field at " + std::to_string(f.offset) + " (" + std::to_string(f.size) + " bytes)",
                        resolve(f.value), got);
        }
        if (!e.output_hex) return;
        for (std::size_t i = 0; i < e.output_hex->size(); ++i) {
            const std::size_t off = l.place_out(i);
            if (off >= out.size() || out[off] != (*e.output_hex)[i]) {
                v.mismatches.push_back(
                    "output byte " + std::to_string(i) + ": expected " +
                    hex(static_cast<unsigned>((*e.output_hex)[i]), 2) + ", got " +
                    (off < out.size() ? hex(static_cast<unsigned>(out[off]), 2) : std::string("nothing")));
                break;
            }
        }
    }

    // The step's captures: reps completed (as the step counts them) or output fields.
    void capture_raw(const Step& st, HypercallResult result, const std::vector<std::byte>& out, const RawLayout& l) {
        for (const auto& [name, what] : st.captures) {
            if (std::holds_alternative<std::string>(what)) {
                vars_[name] = result.reps_completed() - l.k;
                continue;
            }
            const auto& f = std::get<FieldWrite>(what);
            const std::size_t off = l.place_out(f.offset);
            std::uint64_t got = 0;
            if (off + f.size > out.size()) throw std::runtime_error("capture '" + name + "' beyond the output");
            std::memcpy(&got, out.data() + off, f.size);
            vars_[name] = got;
        }
    }

    void check_violations(const Expect& e, Verdict& v) const {
        std::vector<RuleId> got;
        for (const auto& call : backend_.log)
            for (const auto& d : call.violations)
                if (std::find(got.begin(), got.end(), d.rule) == got.end()) got.push_back(d.rule);
        std::vector<RuleId> want = e.violations.value_or(std::vector<RuleId>{});
        std::sort(want.begin(), want.end());
        want.erase(std::unique(want.begin(), want.end()), want.end());
        std::sort(got.begin(), got.end());
        if (want == got) return;
        std::string hint;
        for (RuleId r : want)
            if (hint.empty() && !std::binary_search(got.begin(), got.end(), r)) hint = mode_hint(r);
        v.mismatches.push_back("violations: expected " + rules_text(want) + ", got " + rules_text(got) + hint);
    }

    // Why an expected rule cannot have come out as expected in this scenario's spec-only mode.
    std::string mode_hint(RuleId r) const {
        const std::string id(rule_info(r).id);
        if (rule_info(r).strength == Strength::Enforced) return "";
        if (s_.reject_spec_only)
            return " (" + id +
                   " is spec-only and this scenario says \"spec_only\": \"reject\": it rejects, never records)";
        return " (" + id +
               " is spec-only: by default it is recorded as a violation and the call proceeds; expect it in "
               "\"violations\", or say \"spec_only\": \"reject\")";
    }

    // A typed step: the marshalling function run with the step's arguments, then its expectations.
    std::uint16_t typed(const Step& st, const TypedStep& t, Verdict& v) {
        std::map<std::string, std::vector<std::uint64_t>> args;
        for (const auto& [name, values] : t.args)
            for (const auto& x : values) args[name].push_back(resolve(x));
        for (const auto& a : t.call->args) args[std::string(a.name)];  // lists may be empty
        TypedEnv env{backend_, pages_, m_.config().root_partition_id};
        const TypedOutcome o = t.call->run(env, TypedArgs(std::move(args)));

        const Expect& e = st.expect;
        if (e.error && o.error != *e.error)
            v.mismatches.push_back("errno: expected " + errno_text(*e.error) + ", got " + errno_text(o.error));
        check_typed_outputs(e, o, v);
        check_typed_calls(e, v);
        check_violations(e, v);
        if (v.mismatches.empty())
            for (const auto& [name, what] : st.captures) {
                const auto& got = typed_output(o, std::get<std::string>(what));
                if (got.empty())
                    throw std::runtime_error("capture '" + name + "': no output '" + std::get<std::string>(what) + "'");
                vars_[name] = got[0];
            }
        const auto* c = hvcall::find_call(t.call->name);
        if (c != nullptr) return c->code;
        return backend_.log.empty() ? 0 : backend_.log.front().control.code();
    }

    static const std::vector<std::uint64_t>& typed_output(const TypedOutcome& o, const std::string& name) {
        static const std::vector<std::uint64_t> none;
        const auto it = o.outputs.find(name);
        return it == o.outputs.end() ? none : it->second;
    }

    // Expectations on the function's outputs: "done", and each named list value by value.
    void check_typed_outputs(const Expect& e, const TypedOutcome& o, Verdict& v) const {
        if (e.done) {
            const auto& done = typed_output(o, "done");
            v.expect_eq("done", resolve(*e.done), done.empty() ? 0 : done[0]);
        }
        for (const auto& [name, want] : e.outputs) {
            const auto& got = typed_output(o, name);
            if (got.size() != want.size()) {
                v.mismatches.push_back("output " + name + ": expected " + std::to_string(want.size()) +
                                       " value(s), got " + std::to_string(got.size()));
                continue;
            }
            for (std::size_t i = 0; i < want.size(); ++i)
                v.expect_eq("output " + name + (want.size() > 1 ? "[" + std::to_string(i) + "]" : ""), resolve(want[i]),
                            got[i]);
        }
    }

    // Expectations on the hypercalls the function issued: how many, the last one's status, the
    // rule that rejected one of them, or none.
    void check_typed_calls(const Expect& e, Verdict& v) const {
        if (e.hypercalls) v.expect_eq("hypercalls issued", *e.hypercalls, backend_.log.size());
        if (e.status) {
            if (backend_.log.empty())
                v.mismatches.push_back("status: expected " + status_text(*e.status) + ", but no hypercall was issued");
            else if (backend_.log.back().result.status() != *e.status)
                v.mismatches.push_back("status of the last hypercall: expected " + status_text(*e.status) + ", got " +
                                       status_text(backend_.log.back().result.status()));
        }
        if (e.rule) {
            const bool fired = std::any_of(backend_.log.begin(), backend_.log.end(), [&](const LoggedCall& i) {
                return i.diagnostic && i.diagnostic->rule == *e.rule;
            });
            if (!fired) {
                std::vector<RuleId> seen;
                for (const auto& i : backend_.log)
                    if (i.diagnostic) seen.push_back(i.diagnostic->rule);
                v.mismatches.push_back("rule: expected a rejection by " + std::string(rule_info(*e.rule).id) +
                                       ", got " + rules_text(seen) + mode_hint(*e.rule));
            }
        }
        if (e.no_rule)
            for (const auto& i : backend_.log)
                if (i.diagnostic)
                    v.mismatches.push_back("rule: expected no rejection, got " + std::string(i.diagnostic->info().id));
    }

    // One assertion's comparisons: its numbers and words against what the model reports.
    struct Comparison {
        const ScenarioRun& run;
        const Check& c;
        Verdict& v;
        [[nodiscard]] std::uint64_t key(const char* k) const { return run.resolve(c.keys.at(k)); }
        void num(const char* k, std::uint64_t got, const std::string& what) const {
            if (const auto it = c.numbers.find(k); it != c.numbers.end())
                v.expect_eq(what + " " + k, run.resolve(it->second), got);
        }
        void word(const char* k, const std::string& got, const std::string& what) const {
            if (const auto it = c.words.find(k); it != c.words.end() && it->second != got)
                v.mismatches.push_back(what + " " + k + ": expected " + it->second + ", got " + got);
        }
    };

    void check(const Check& c, Verdict& v) {
        const Hypervisor& hv = m_.hypervisor();
        const Comparison cmp{*this, c, v};
        if (c.what == "invariants") {
            if (auto broken = hv.check_invariants(); !broken.empty()) {
                std::replace(broken.begin(), broken.end(), '\n', ';');
                v.mismatches.push_back("invariants: " + broken);
            }
        } else if (c.what == "partitions") {
            cmp.num("partitions", hv.partition_ids().size(), "number of");
        } else if (c.what == "partition") {
            check_partition(cmp);
        } else if (c.what == "gpa") {
            check_gpa(cmp);
        } else if (c.what == "pfn") {
            check_pfn(cmp);
        } else if (c.what == "property") {
            check_property(cmp);
        }
    }

    void check_partition(const Comparison& cmp) const {
        const Check& c = cmp.c;
        const std::uint64_t id = cmp.key("partition");
        const std::string what = "partition " + hex(id);
        const auto p = m_.hypervisor().partition(id);
        if (c.exists && *c.exists != p.has_value())
            cmp.v.mismatches.push_back(what + ": expected it to " + (*c.exists ? "exist" : "not exist") + ", it " +
                                       (p ? "does" : "does not"));
        cmp.word("state", p ? to_string(p->state) : "deleted", what);
        if (!p) {
            if (!c.numbers.empty()) cmp.v.mismatches.push_back(what + ": does not exist");
            return;
        }
        cmp.num("pool_pages", p->pool_pages, what);
        cmp.num("pool_used", p->pool_used, what);
        cmp.num("gpa_pages", p->gpa_pages, what);
        cmp.num("gpa_extents", p->gpa_extents, what);
        cmp.num("creation_flags", p->creation_flags, what);
        cmp.num("isolation", p->isolation, what);
    }

    void check_gpa(const Comparison& cmp) const {
        const Check& c = cmp.c;
        const Hypervisor& hv = m_.hypervisor();
        const std::uint64_t id = cmp.key("partition"), gfn = cmp.key("gfn");
        const std::string what = "partition " + hex(id) + " gfn " + hex(gfn);
        const auto g = hv.gpa_mapping(id, gfn);
        if (c.exists && *c.exists != g.has_value())
            cmp.v.mismatches.push_back(what + ": expected " + (*c.exists ? "mapped" : "unmapped") + ", it is " +
                                       (g ? "mapped" : "unmapped"));
        cmp.num("access_state", hv.page_access_state(id, gfn), what);
        if (!g) {
            if (!c.words.empty() || c.numbers.size() > c.numbers.count("access_state"))
                cmp.v.mismatches.push_back(what + ": expected a mapping, it is unmapped");
            return;
        }
        cmp.num("pfn", g->pfn, what);
        cmp.num("flags", g->flags, what);
        cmp.num("large", g->large ? 1 : 0, what);
        cmp.word("kind", to_string(g->kind), what);
    }

    void check_pfn(const Comparison& cmp) const {
        const Hypervisor& hv = m_.hypervisor();
        const std::uint64_t pfn = cmp.key("pfn");
        const std::string what = "pfn " + hex(pfn);
        const auto s = hv.pfn_state(pfn);
        cmp.word("owner", to_string(s.owner), what);
        cmp.num("owner_partition", s.partition, what);
        cmp.num("map_count", s.map_count, what);
        const auto a = hv.host_access(pfn);
        cmp.num("host_access", a.host_access, what);
        cmp.num("exclusive_to", a.exclusive_to, what);
    }

    void check_property(const Comparison& cmp) const {
        const std::uint64_t id = cmp.key("partition");
        const auto code = static_cast<std::uint32_t>(cmp.key("property"));
        const auto value = m_.hypervisor().partition_property(id, code);
        if (!value)
            cmp.v.mismatches.push_back("property " + hex(code, 8) + " of partition " + hex(id) +
                                       ": no such property or partition");
        else
            cmp.num("value", *value, "property " + hex(code, 8));
    }

    // Coverage: each rule the step expected, in the column of each call it fired in.
    void account(const Step& st, std::uint16_t code, bool passed) {
        std::vector<RuleId> expected = st.expect.violations.value_or(std::vector<RuleId>{});
        if (st.expect.rule) expected.push_back(*st.expect.rule);
        for (RuleId r : expected) {
            bool fired = false;
            for (const auto& i : backend_.log) {
                const bool hit = (i.diagnostic && i.diagnostic->rule == r) ||
                                 std::any_of(i.violations.begin(), i.violations.end(),
                                             [&](const Diagnostic& d) { return d.rule == r; });
                if (!hit) continue;
                fired = true;
                auto& cell = coverage_.cells[static_cast<std::size_t>(r)][column(i.control.code())];
                passed ? ++cell.pass : ++cell.fail;
                break;
            }
            if (!fired || !passed) {
                if (!fired) ++coverage_.cells[static_cast<std::size_t>(r)][column(code)].fail;
            }
        }
    }
    static std::string column(std::uint16_t code) {
        const auto* c = hvcall::find_call(code);
        return c != nullptr ? std::string(c->name) : std::string("unknown code");
    }

    const Scenario& s_;
    Variant v_;
    Coverage& coverage_;
    Machine m_;
    HostPageSource pages_;
    SimBackend sim_;
    RunObserver* observer_;
    LoggingBackend backend_;
    std::map<std::string, std::uint64_t> vars_;
    std::vector<RecordedViolation> violations_;
};

}  // namespace

std::string Variant::name() const {
    std::string s;
    if (fast) s += *fast ? "fast" : "memory";
    if (rep_start) s += (s.empty() ? "" : ", ") + std::string("rep start ") + std::to_string(*rep_start);
    s += (s.empty() ? "" : ", ") + std::string(strict ? "strict" : "not strict");
    return s;
}

std::vector<Variant> matrix(const Scenario& s) {
    bool form = false, rep = false;
    for (const auto& st : s.steps)
        if (const auto* r = std::get_if<RawStep>(&st.body)) {
            form = form || allows_both_forms(*r);
            rep = rep || shiftable(*r);
        }
    std::vector<bool> stricts = s.strict          ? std::vector<bool>{*s.strict}
                                : s.matrix.strict ? std::vector<bool>{false, true}
                                                  : std::vector<bool>{false};
    std::vector<std::optional<bool>> forms = form && s.matrix.form ? std::vector<std::optional<bool>>{false, true}
                                                                   : std::vector<std::optional<bool>>{std::nullopt};
    std::vector<std::optional<std::uint32_t>> starts =
        rep && s.matrix.rep_start ? std::vector<std::optional<std::uint32_t>>{0u, kMatrixRepStart}
                                  : std::vector<std::optional<std::uint32_t>>{std::nullopt};
    std::vector<Variant> out;
    for (const auto& f : forms)
        for (const auto& r : starts)
            for (bool strict : stricts) out.push_back({strict, f, r});
    return out;
}

std::size_t Report::count(RunVerdict o) const {
    return static_cast<std::size_t>(
        std::count_if(runs.begin(), runs.end(), [&](const RunResult& r) { return r.outcome == o; }));
}

Report run_scenarios(const std::vector<Scenario>& scenarios, const RunOptions& options) {
    Report report;
    report.scenarios = scenarios.size();
    std::vector<std::string> files;
    std::size_t total = 0;
    for (const auto& s : scenarios) {
        if (std::find(files.begin(), files.end(), s.file) == files.end()) files.push_back(s.file);
        total += matrix(s).size();
    }
    report.files = files.size();
    std::size_t done = 0;
    for (const auto& s : scenarios) {
        const auto variants = matrix(s);
        std::string missing;
        for (const auto& f : s.requires_features)
            if (!options.features.contains(f)) missing += (missing.empty() ? "" : ", ") + f;
        if (!missing.empty()) {
            RunResult r{&s, {}, RunVerdict::skip, "the model backend lacks " + missing, {}, 0, {}};
            report.runs.push_back(r);
            done += variants.size();
            continue;
        }
        for (const auto& v : variants) {
            if (options.progress) options.progress(done, total, s.file + ": " + s.name + " [" + v.name() + "]");
            const auto t0 = std::chrono::steady_clock::now();
            RunResult r{&s, v, RunVerdict::pass, {}, {}, 0, {}};
            ScenarioRun run(s, v, report.coverage, options.observer);
            r.failure = run.run();
            r.violations = run.take_violations();
            if (r.failure) r.outcome = RunVerdict::fail;
            r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            report.runs.push_back(std::move(r));
            ++done;
        }
    }
    if (options.progress) options.progress(done, total, "");
    return report;
}

}  // namespace hvsim::conformance
