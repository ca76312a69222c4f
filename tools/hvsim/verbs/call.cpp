// `hvsim call`: issue one raw hypercall on a fresh model and explain the answer.
#include <algorithm>
#include <cstring>
#include <iostream>

#include "hvcall/control.hpp"
#include "hvsim/diagnostic.hpp"
#include "hvsim/machine.hpp"
#include "verbs.hpp"

namespace hvsim::cli {
namespace {

struct CallArgs {
    std::string call;
    std::string rep_count = "0", rep_start = "0", varhead = "0", control, input, input_offset = "0";
    bool fast = false, strict = false, json = false, reject_spec_only = false, record_violations = false;
};

std::uint16_t resolve_code(const std::string& text) {
    if (const auto* c = hvcall::find_call(text)) return c->code;
    if (!text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) != 0)) {
        const std::uint64_t v = parse_u64(text, "call: CODE_OR_NAME");
        if (v > 0xFFFF) throw UsageError("call: code '" + text + "' does not fit 16 bits");
        return static_cast<std::uint16_t>(v);
    }
    throw UsageError("call: '" + text + "' is neither a call code nor a catalogued call name (see 'hvsim calls')");
}

std::uint32_t parse_field(const std::string& text, std::string_view what, std::uint64_t max) {
    const std::uint64_t v = parse_u64(text, std::string("call: ") + std::string(what));
    if (v > max) throw UsageError("call: " + std::string(what) + " " + text + " exceeds " + std::to_string(max));
    return static_cast<std::uint32_t>(v);
}

// "01 02 0a", "01020a" or "0x01020a": pairs of hex digits, spaces and colons ignored.
std::vector<std::byte> parse_hex_bytes(std::string text) {
    if (text.starts_with("0x") || text.starts_with("0X")) text.erase(0, 2);
    std::string digits;
    for (char ch : text) {
        if (ch == ' ' || ch == ':' || ch == '_') continue;
        if (std::isxdigit(static_cast<unsigned char>(ch)) == 0)
            throw UsageError(std::string("call: --input has '") + ch +
                             "', expected hex digits (e.g. 0100000000000000)");
        digits += ch;
    }
    if (digits.size() % 2 != 0)
        throw UsageError("call: --input has an odd number of hex digits (expected whole bytes)");
    std::vector<std::byte> bytes;
    for (std::size_t i = 0; i < digits.size(); i += 2)
        bytes.push_back(static_cast<std::byte>(std::stoul(digits.substr(i, 2), nullptr, 16)));
    return bytes;
}

std::string hex_bytes(std::span<const std::byte> bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s;
    for (std::byte b : bytes) {
        s += kDigits[static_cast<unsigned>(b) >> 4];
        s += kDigits[static_cast<unsigned>(b) & 15];
    }
    return s;
}

nlohmann::json diagnostic_json(const Diagnostic& d) {
    return {{"rule", d.info().id}, {"message", describe(d)}, {"status", static_cast<unsigned>(d.status)}};
}

// The control word: the whole word as given, or made from the fields.
hvcall::Control call_control(const CallArgs& a) {
    const std::uint16_t code = resolve_code(a.call);
    const auto fields = hvcall::Control::Fields{
        .code = code,
        .fast = a.fast,
        .varhead_qwords = parse_field(a.varhead, "--varhead", 0xFFFFFFFF),
        .rep_count = parse_field(a.rep_count, "--rep-count", 0xFFFFFFFF),
        .rep_start = parse_field(a.rep_start, "--rep-start", 0xFFFFFFFF),
    };
    if (!a.control.empty()) return hvcall::Control::from_raw(parse_u64(a.control, "call: --control"));
    if (const auto built = hvcall::Control::make(fields)) return *built;
    throw UsageError("call: " + std::string(hvcall::to_string(hvcall::Control::check(fields))) +
                     " (use --control to send an out-of-range word on purpose)");
}

struct CallInput {
    std::uint32_t offset = 0;  // into the input page
    std::vector<std::byte> bytes;
};

// The input bytes and where they go, checked to fit the input page or the fast register block.
CallInput call_input(const CallArgs& a, hvcall::Control control) {
    CallInput in{parse_field(a.input_offset, "--input-gpa-offset", hvcall::kPageSize - 1), parse_hex_bytes(a.input)};
    if (!control.fast() && in.offset + in.bytes.size() > hvcall::kPageSize)
        throw UsageError("call: --input of " + std::to_string(in.bytes.size()) + " bytes at offset " +
                         std::to_string(in.offset) + " does not fit the 4096-byte input page");
    if (control.fast() && in.bytes.size() > hvcall::kFastXmmBytes)
        throw UsageError("call: --input of " + std::to_string(in.bytes.size()) +
                         " bytes exceeds the 112-byte fast register block");
    return in;
}

// Issues the call: fast through the registers (which then hold the output), or placed in the input page.
hvcall::HypercallResult issue(Machine& machine, SimBackend& backend, hvcall::Control control, const CallInput& in,
                              hvcall::XmmRegisters& regs) {
    if (control.fast()) {
        std::memcpy(regs.data(), in.bytes.data(), in.bytes.size());
        return backend.hypercall_fast_xmm(control, regs);
    }
    (void)backend.input_page();  // poisoned first in strict mode; the input then lands in it
    return backend
        .hypercall_at(control, machine.input_page_gpa(0) + in.offset, in.bytes, machine.output_page_gpa(0), {})
        .result;
}

// The output the call defines, when it succeeded.
std::span<const std::byte> defined_output(const SimBackend& backend, hvcall::Control control,
                                          hvcall::HypercallResult result, const hvcall::XmmRegisters& regs) {
    const auto* c = hvcall::find_call(control.code());
    if (c == nullptr || !result.ok()) return {};
    const std::size_t n = c->output_bytes(control.rep_count());
    if (!control.fast()) return backend.output_page().first(n);
    const std::size_t at = c->fast_output_offset(control.varhead_qwords(), control.rep_count());
    return std::as_bytes(std::span(regs)).subspan(std::min(at, hvcall::kFastXmmBytes - n), n);
}

void print_answer_json(const Machine& machine, hvcall::Control control, hvcall::HypercallResult result,
                       std::span<const std::byte> output) {
    const auto& diag = machine.last_diagnostic();
    nlohmann::json out = {
        {"control", hex(control.raw(), 16)},
        {"result", hex(result.raw(), 16)},
        {"status", static_cast<unsigned>(result.status())},
        {"status_name", hvcall::status_name(result.status())},
        {"reps_completed", result.reps_completed()},
        {"rule", diag ? nlohmann::json(diag->info().id) : nlohmann::json(nullptr)},
        {"message", diag ? describe(*diag) : std::string(hvcall::status_message(result.status()))},
        {"output", hex_bytes(output)},
        {"violations", nlohmann::json::array()},
    };
    for (const auto& v : machine.violations()) out["violations"].push_back(diagnostic_json(v));
    print_json(out);
}

void print_answer_text(const Machine& machine, hvcall::Control control, hvcall::HypercallResult result,
                       std::span<const std::byte> output) {
    const auto& diag = machine.last_diagnostic();
    std::cout << "control  " << hex(control.raw(), 16) << "\n"
              << "result   " << hex(result.raw(), 16) << "\n"
              << "status   " << hex(static_cast<unsigned>(result.status()), 4) << " "
              << hvcall::status_name(result.status()) << ": " << hvcall::status_message(result.status()) << "\n"
              << "reps     " << result.reps_completed() << "\n";
    if (diag) std::cout << "rule     " << describe(*diag) << "\n";
    for (const auto& v : machine.violations()) std::cout << "violated " << describe(v) << "\n";
    if (!output.empty()) std::cout << "output   " << hex_bytes(output) << "\n";
}

int run_call(const CallArgs& a) {
    const hvcall::Control control = call_control(a);
    const CallInput input = call_input(a, control);
    MachineConfig config;
    config.strict = a.strict;
    config.reject_spec_only = a.reject_spec_only;
    Machine machine(config);
    SimBackend backend(machine);
    hvcall::XmmRegisters regs{};
    const hvcall::HypercallResult result = issue(machine, backend, control, input, regs);
    const std::span<const std::byte> output = defined_output(backend, control, result, regs);
    if (a.json)
        print_answer_json(machine, control, result, output);
    else
        print_answer_text(machine, control, result, output);
    return result.ok() ? 0 : 1;
}

}  // namespace

void add_call(CLI::App& app) {
    auto* verb = app.add_subcommand(
        "call", "Issue one raw hypercall on a fresh model; print the result word and the rule that decided it");
    auto a = std::make_shared<CallArgs>();
    verb->add_option("CODE_OR_NAME", a->call, "call code (0x46) or catalogued name (get_partition_id)")->required();
    verb->add_option("--rep-count", a->rep_count, "rep count (0..4095)");
    verb->add_option("--rep-start", a->rep_start, "rep start index (0..4095)");
    verb->add_option("--varhead", a->varhead, "variable header size in qwords (0..1023)");
    verb->add_flag("--fast", a->fast, "fast form: --input goes in RDX, R8 and XMM0-5 instead of the input page");
    verb->add_option("--control", a->control, "the whole control word (hex), overriding the fields above");
    verb->add_option("--input", a->input, "input bytes as hex (default: none, the page as it is)");
    verb->add_option("--input-gpa-offset", a->input_offset, "place the input block this many bytes into its page");
    verb->add_flag("--strict", a->strict, "strict mode: poisoned input page and undefined output");
    auto* reject = verb->add_flag("--reject-spec-only", a->reject_spec_only,
                                  "spec-only rules reject the call; by default, as hardware most likely does, "
                                  "they are recorded as violations and the call proceeds");
    verb->add_flag("--record-violations", a->record_violations,
                   "no effect: recording spec-only violations is the default (kept for old scripts)")
        ->excludes(reject);
    add_json_flag(*verb, a->json);
    verb->footer("Exit status: 0 the call succeeded, 1 the model rejected it, 2 bad arguments.");
    verb->callback([a] {
        const int rc = run_call(*a);
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace hvsim::cli
