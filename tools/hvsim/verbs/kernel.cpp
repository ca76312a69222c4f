// `hvsim kernel check TREE`: a Linux tree's own Hyper-V root driver code, compiled unchanged
// against hvsim's kernel environment and run through the driver suite on the model.
#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "hvsim/conformance/codecs.hpp"
#include "hvsim/conformance/reports.hpp"
#include "hvsim/kernel/check.hpp"
#include "hvsim/kernel/tree.hpp"
#include "hvsim/traces/recording_backend.hpp"
#include "hvsim/traces/replay.hpp"
#include "hvsim/traces/trace.hpp"
#include "kernel_audit.hpp"
#include "verbs.hpp"

namespace hvsim::cli {
namespace {

struct KernelCheckArgs {
    std::string tree;
    bool json = false;
    std::string junit;
    std::string report;
    std::string cc;
    std::vector<std::string> functions;
    std::string record;
    bool keep = false;
};

// A recorded run starts on a fresh machine: the settings that differ from the defaults, and
// the run's fault plan when it has one.
traces::Record run_record(const std::string& scenario, const MachineConfig& machine, const FaultPlan& faults) {
    const nlohmann::json defaults = conformance::write_machine(MachineConfig{});
    const nlohmann::json suite = conformance::write_machine(machine);
    nlohmann::json changes = nlohmann::json::object();
    for (const auto& [key, value] : suite.items())
        if (defaults.value(key, nlohmann::json()) != value) changes[key] = value;
    traces::Record r;
    nlohmann::json args = {{"machine", changes}, {"scenario", "kernel: " + scenario}};
    if (!faults.empty()) args["faults"] = conformance::write_fault_plan(faults);
    r.model = traces::ModelAction{"run", std::move(args), nullptr};
    return r;
}

// The trace record of one hypercall the driver issued: its input as it lay in the machine's
// memory, and its output. Per-CPU pages are the usual placement; anything else (withdraw's
// private output page) is recorded with its GPAs.
traces::Record record_of(Machine& machine, const ShimCall& call) {
    const auto control = hvcall::Control::from_raw(call.control);
    const auto result = hvcall::HypercallResult::from_raw(call.result);
    if (call.fast) {
        std::array<std::byte, 16> regs;
        std::memcpy(regs.data(), &call.input, 8);
        std::memcpy(regs.data() + 8, &call.output, 8);
        return traces::make_record(traces::Form::fast, control, regs, result, {});
    }
    // The input block as the catalogue sizes it for this control word (a whole page if unknown).
    const auto size = traces::input_bytes_for(hvcall::find_call(control.code()), traces::Form::memory, control);
    std::vector<std::byte> input(size.value_or(hvcall::kPageSize)), output(hvcall::kPageSize);
    machine.memory().read(call.input, input);
    if (call.output != 0) machine.memory().read(call.output, output);
    const bool percpu =
        call.input == machine.input_page_gpa(0) && (call.output == 0 || call.output == machine.output_page_gpa(0));
    if (percpu) return traces::make_record(traces::Form::memory, control, input, result, output);
    return traces::make_record_at(control, traces::Placement{call.input, call.output}, input, result,
                                  call.output != 0 ? std::span<const std::byte>(output) : std::span<const std::byte>());
}

// What each finding means and how to fix it: the README's table, in short.
std::string_view advice(std::string_view id) {
    if (id == "schedule.changes_result" || id == "schedule.changes_state")
        return "the driver depends on how the hypervisor schedules reps or memory: resume rep calls from the reps "
               "completed, deposit and retry on every needs-memory status";
    if (id == "rollback.incomplete")
        return "undo what the call created before returning its error, in the units it was created in";
    if (id == "deposit.unaccounted")
        return "free every page that was allocated and not deposited, and withdraw before delete";
    if (id == "kmalloc.leak") return "free what the function allocates on every path";
    if (id == "errno.not_driver_mapping") return "decode the status with hv_result()/hv_result_to_errno(), not by hand";
    if (id.starts_with("output.")) return "read only what the call wrote: the reps it completed, the fields it defines";
    if (id == "kshim.page.bad_free")
        return "a page was freed twice or in the wrong units; a deposit that fails part-way must not free the pages "
               "the hypervisor already took (reps completed), or withdraw returns them again";
    if (id.starts_with("kshim.")) return "see sim/shim/README.md for the kernel-side rule";
    return "the rule's statement (hvsim rules) says what the hypervisor expects";
}

nlohmann::json to_json(const kernel::LoadedTree& tree, const kernel::CheckReport& r, const kernel::AuditReport& audit) {
    nlohmann::json j;
    j["audit"] = audit_json(audit);
    j["tree"] = tree.tree().root.string();
    j["compiler"] = tree.compiler();
    j["build_seconds"] = tree.build_seconds();
    j["suite_seconds"] = r.suite_seconds;
    j["runs"] = r.runs;
    j["hypercalls"] = r.hypercalls;
    j["functions_ran"] = r.functions_ran;
    j["functions_missing"] = r.functions_missing;
    j["functions_uncovered"] = r.functions_uncovered;
    j["scenarios"] = nlohmann::json::array();
    for (const auto& s : r.scenarios)
        j["scenarios"].push_back(
            {{"name", s.name}, {"functions", s.functions}, {"ran", s.ran}, {"skipped", s.skipped}, {"runs", s.runs}});
    j["findings"] = nlohmann::json::array();
    for (const auto& f : r.findings)
        j["findings"].push_back({{"id", f.id},
                                 {"function", f.function},
                                 {"scenario", f.scenario},
                                 {"schedule", f.schedule},
                                 {"evidence", f.evidence},
                                 {"times", f.times},
                                 {"fix", std::string(advice(f.id))}});
    return j;
}

void print_text(const kernel::LoadedTree& tree, const kernel::CheckReport& r, const kernel::AuditReport& audit) {
    print_audit(tree.tree().root.string(), audit, std::cout);
    for (const auto& f : r.findings) {
        std::cout << "FINDING " << f.id << " in " << f.function << " (scenario " << f.scenario << ", " << f.schedule;
        if (f.times > 1) std::cout << "; " << f.times << " runs";
        std::cout << ")\n  " << f.evidence << "\n  fix: " << advice(f.id) << "\n";
    }
    for (const auto& s : r.scenarios)
        if (!s.ran) std::cout << "skipped " << s.name << ": " << s.skipped << "\n";
    const auto ran = std::count_if(r.scenarios.begin(), r.scenarios.end(), [](const auto& s) { return s.ran; });
    std::cout << tree.tree().root.string() << ": " << r.functions_ran.size() << " functions ran in " << ran << " of "
              << r.scenarios.size() << " scenarios (" << r.runs << " runs, " << r.hypercalls << " hypercalls); "
              << r.findings.size() << " finding" << (r.findings.size() == 1 ? "" : "s") << "; build "
              << static_cast<int>(tree.build_seconds() * 1000) << " ms, suite "
              << static_cast<int>(r.suite_seconds * 1000) << " ms\n";
    if (!r.functions_missing.empty()) {
        std::cout << "  not in the tree:";
        for (const auto& f : r.functions_missing) std::cout << " " << f;
        std::cout << "\n";
    }
    if (!r.functions_uncovered.empty()) {
        std::cout << "  in the tree, no scenario yet:";
        for (const auto& f : r.functions_uncovered) std::cout << " " << f;
        std::cout << "\n";
    }
}

// One test case per scenario; its findings are its failures; a skipped scenario is skipped.
void write_junit(const std::string& path, const kernel::LoadedTree& tree, const kernel::CheckReport& r,
                 const kernel::AuditReport& audit) {
    std::ostringstream x;
    std::size_t failures = 0, skipped = 0, tests = r.scenarios.size();
    x << audit_junit_cases(audit, tests, failures);
    for (const auto& s : r.scenarios) {
        x << "  <testcase classname=\"hvsim.kernel\" name=\"" << conformance::xml_escape(s.name) << "\">\n";
        if (!s.ran) {
            ++skipped;
            x << "    <skipped message=\"" << conformance::xml_escape(s.skipped) << "\"/>\n";
        }
        bool failed = false;
        for (const auto& f : r.findings)
            if (f.scenario == s.name) {
                failed = true;
                x << "    <failure type=\"" << conformance::xml_escape(f.id) << "\" message=\""
                  << conformance::xml_escape(f.function + ": " + f.evidence) << "\">"
                  << conformance::xml_escape(f.schedule) << "</failure>\n";
            }
        failures += failed ? 1 : 0;
        x << "  </testcase>\n";
    }
    std::ofstream out(path);
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"hvsim kernel check "
        << conformance::xml_escape(tree.tree().root.string()) << "\" tests=\"" << tests << "\" failures=\"" << failures
        << "\" skipped=\"" << skipped << "\">\n"
        << x.str() << "</testsuite>\n";
    if (!out) throw UsageError("kernel check --junit: cannot write " + path);
}

void write_report(const std::string& path, const kernel::LoadedTree& tree, const kernel::CheckReport& r,
                  const kernel::AuditReport& audit) {
    const bool html = path.ends_with(".html");
    if (!html && !path.ends_with(".md"))
        throw UsageError("kernel check --report: " + path + ": expected a .md or .html file");
    std::ostringstream md;
    md << "# hvsim kernel check: " << tree.tree().root.string() << "\n\n"
       << r.functions_ran.size() << " functions ran, " << r.runs << " runs, " << r.findings.size() << " findings.\n\n";
    md << "## Header audit\n\n"
       << audit.findings.size() << " findings in " << audit.headers.size() << " headers.\n\n"
       << "| finding | subject | where | evidence | fix |\n|---|---|---|---|---|\n";
    for (const auto& f : audit.findings)
        md << "| " << f.id << " | " << f.subject << " | " << f.where << " | " << f.evidence << " | "
           << audit_advice(f.id) << " |\n";
    md << "\n## Driver suite\n\n| finding | function | scenario | run | evidence | fix |\n|---|---|---|---|---|---|\n";
    for (const auto& f : r.findings)
        md << "| " << f.id << " | " << f.function << " | " << f.scenario << " | " << f.schedule << " | " << f.evidence
           << " | " << advice(f.id) << " |\n";
    md << "\n| scenario | functions | result |\n|---|---|---|\n";
    for (const auto& s : r.scenarios) {
        std::string fns;
        for (const auto& f : s.functions) fns += (fns.empty() ? "" : ", ") + f;
        md << "| " << s.name << " | " << fns << " | "
           << (s.ran ? std::to_string(s.runs) + " runs" : "skipped: " + s.skipped) << " |\n";
    }
    std::ofstream out(path);
    if (!html) {
        out << md.str();
    } else {
        out << "<!doctype html><meta charset=\"utf-8\"><title>hvsim kernel check</title><h1>hvsim kernel check: "
            << conformance::xml_escape(tree.tree().root.string())
            << "</h1><table border=\"1\"><tr><th>finding</th><th>function</th>"
            << "<th>scenario</th><th>run</th><th>evidence</th><th>fix</th></tr>";
        for (const auto& f : r.findings)
            out << "<tr><td>" << conformance::xml_escape(f.id) << "</td><td>" << conformance::xml_escape(f.function)
                << "</td><td>" << conformance::xml_escape(f.scenario) << "</td><td>"
                << conformance::xml_escape(f.schedule) << "</td><td>" << conformance::xml_escape(f.evidence)
                << "</td><td>" << conformance::xml_escape(advice(f.id)) << "</td></tr>";
        out << "</table><h2>Header audit</h2><table border=\"1\"><tr><th>finding</th><th>subject</th><th>where</th>"
            << "<th>evidence</th><th>fix</th></tr>";
        for (const auto& f : audit.findings)
            out << "<tr><td>" << conformance::xml_escape(f.id) << "</td><td>" << conformance::xml_escape(f.subject)
                << "</td><td>" << conformance::xml_escape(f.where) << "</td><td>" << conformance::xml_escape(f.evidence)
                << "</td><td>" << conformance::xml_escape(audit_advice(f.id)) << "</td></tr>";
        out << "</table>\n";
    }
    if (!out) throw UsageError("kernel check --report: cannot write " + path);
}

// A trace writer for `path` (nothing when empty) and the callbacks that feed it every
// hypercall, run and guest access of the recorded runs.
std::unique_ptr<traces::TraceWriter> attach_recorder(const std::string& verb, const std::string& path,
                                                     kernel::CheckOptions& options) {
    if (path.empty()) return nullptr;
    std::unique_ptr<traces::TraceWriter> writer;
    try {
        writer = std::make_unique<traces::TraceWriter>(
            path, traces::format_for_path(path),
            traces::Header{traces::kFormatVersion, "hvsim " HVSIM_VERSION " kernel " + verb,
                           traces::profile_for(kernel::suite_machine_config())});
    } catch (const traces::TraceError& e) {
        throw UsageError("kernel " + verb + " --record: " + e.what());
    }
    traces::TraceWriter* w = writer.get();
    options.record = [w](Machine& machine, const ShimCall& call) { w->write(record_of(machine, call)); };
    options.record_run = [w](const std::string& scenario, const MachineConfig& machine, const FaultPlan& faults) {
        w->write(run_record(scenario, machine, faults));
    };
    options.record_guest_access = [w](std::uint64_t id, std::uint64_t gfn, std::uint64_t count, bool write,
                                      std::uint64_t marked) {
        traces::Record r;
        r.model = traces::ModelAction{"guest_access",
                                      {{"partition", id}, {"gfn", gfn}, {"count", count}, {"write", write}},
                                      {{"marked", marked}}};
        w->write(r);
    };
    return writer;
}

// The tree, built; a bad tree or compiler is one usage error (exit 2).
std::unique_ptr<kernel::LoadedTree> load(const std::string& verb, const std::string& root, const std::string& cc,
                                         bool keep) {
    try {
        kernel::BuildOptions build;
        build.cc = cc;
        build.keep = keep;
        return kernel::build_tree(kernel::open_tree(root), build);
    } catch (const kernel::TreeError& e) {
        throw UsageError("kernel " + verb + ": " + e.what());
    }
}

void add_kernel_check(CLI::App& kernel) {
    auto* verb = kernel.add_subcommand(
        "check", "Build a kernel tree's own drivers/hv hypercall code unchanged and run the driver suite on the model");
    auto a = std::make_shared<KernelCheckArgs>();
    verb->add_option("TREE", a->tree, "root of a Linux source tree (drivers/hv, include/hyperv, ...)")->required();
    add_json_flag(*verb, a->json);
    verb->add_option("--junit", a->junit, "also write the scenarios as JUnit XML to this file");
    verb->add_option("--report", a->report, "also write a report (.md or .html) to this file");
    verb->add_option("--cc", a->cc,
                     "C compiler for the tree's files (default: $CC, else the one hvsim was built with)");
    verb->add_option("--function", a->functions, "only scenarios that call these functions (repeatable)");
    verb->add_option("--record", a->record,
                     "record every hypercall of each scenario's plain run as a trace (.cbor: CBOR, else JSON Lines)");
    verb->add_flag("--keep", a->keep, "keep the build directory (its path is printed)");
    verb->footer(
        "Compiles drivers/hv/mshv_root_hv_call.c, hv_proc.c and mshv_common.c against the tree's own include/hyperv,\n"
        "asm-generic/mshyperv.h, drivers/hv/mshv_root.h and uapi/linux/mshv.h, with hvsim supplying the kernel around\n"
        "them, then runs each scenario plainly, under early rep ends, hypervisor rep restarts, strict mode and \"needs\n"
        "memory\" at each allocation, and with a failure injected at each hypercall. The header audit (kernel audit)\n"
        "runs first; its findings are reported with the suite's.\n"
        "Exit status: 0 no finding, 1 findings, 2 a tree hvsim cannot use or bad arguments.");
    verb->callback([a, verb] {
        reject_empty_values(*verb, "kernel check", {"--junit", "--report", "--cc", "--record"});
        const auto tree = load("check", a->tree, a->cc, a->keep);
        const kernel::AuditReport audit = run_audit("check", tree->tree(), a->cc);  // the headers first
        kernel::CheckOptions options;
        options.functions = a->functions;
        for (const auto& f : a->functions)
            if (!tree->tree().functions.contains(f))
                throw UsageError("kernel check --function " + f + ": the tree has no such function hvsim can call");
        const auto writer = attach_recorder("check", a->record, options);
        const kernel::CheckReport report = kernel::run_driver_suite(*tree, options);
        if (writer) std::cerr << "recorded " << writer->records() << " records to " << a->record << "\n";
        if (a->json)
            print_json(to_json(*tree, report, audit));
        else
            print_text(*tree, report, audit);
        if (!a->junit.empty()) write_junit(a->junit, *tree, report, audit);
        if (!a->report.empty()) write_report(a->report, *tree, report, audit);
        if (!report.findings.empty() || !audit.findings.empty()) throw CLI::RuntimeError(1);
    });
}

struct KernelFuzzArgs {
    std::string tree, cc;
    std::uint64_t runs = 500, seed = 1;
    std::optional<std::uint64_t> run;
    std::vector<std::string> scenarios;
    std::string record;
    std::vector<std::string> inputs;
    bool json = false;
};

// A fuzzer input (a libFuzzer crash file, a corpus entry): its bytes, bounded.
std::vector<std::uint8_t> read_input(const std::string& path) {
    constexpr std::size_t kMaxInput = 1 << 20;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw UsageError("kernel fuzz --input " + path +
                         ": not a regular file (expected a fuzzer input, e.g. a crash-* file)");
    std::ifstream in(path, std::ios::binary);
    std::vector<std::uint8_t> bytes(kMaxInput + 1);
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (in.bad()) throw UsageError("kernel fuzz --input " + path + ": cannot be read");
    bytes.resize(static_cast<std::size_t>(in.gcount()));
    if (bytes.size() > kMaxInput)
        throw UsageError("kernel fuzz --input " + path + ": larger than 1 MiB (a fuzzer input is a few bytes)");
    return bytes;
}

// kernel fuzz --input: each input decoded as kernel_tree_fuzz decodes it.
void explain_inputs(const KernelFuzzArgs& a) {
    std::vector<std::vector<std::uint8_t>> inputs;
    for (const auto& path : a.inputs) inputs.push_back(read_input(path));
    if (!a.record.empty() && inputs.size() != 1)
        throw UsageError("kernel fuzz --record: with --input, give exactly one input to record");
    const auto tree = load("fuzz", a.tree, a.cc, false);
    kernel::CheckOptions recording;
    const auto writer = attach_recorder("fuzz", a.record, recording);
    kernel::ByteFuzzer fuzzer(*tree, a.scenarios);
    if (fuzzer.scenarios() == 0)
        throw UsageError("kernel fuzz " + a.tree + ": the tree runs none of the suite's scenarios");
    nlohmann::json j = {{"tree", a.tree}, {"inputs", nlohmann::json::array()}};
    std::size_t findings = 0;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const kernel::FuzzCase c = fuzzer.run(inputs[i], writer ? &recording : nullptr);
        findings += c.findings.size();
        nlohmann::json one = {{"input", a.inputs[i]},
                              {"scenario", c.scenario},
                              {"schedule", c.schedule},
                              {"findings", nlohmann::json::array()}};
        if (!a.json) std::cout << a.inputs[i] << ": scenario " << c.scenario << ", " << c.schedule << "\n";
        for (const auto& f : c.findings) {
            one["findings"].push_back({{"id", f.id}, {"function", f.function}, {"evidence", f.evidence}});
            if (!a.json) std::cout << "FINDING " << f.id << " in " << f.function << "\n  " << f.evidence << "\n";
        }
        j["inputs"].push_back(std::move(one));
    }
    if (writer) std::cerr << "recorded " << writer->records() << " records to " << a.record << "\n";
    if (a.json) print_json(j);
    if (findings != 0) throw CLI::RuntimeError(1);
}

void add_kernel_fuzz(CLI::App& kernel) {
    auto* verb = kernel.add_subcommand(
        "fuzz", "Random schedule search over a kernel tree's driver functions (same properties as kernel check)");
    auto a = std::make_shared<KernelFuzzArgs>();
    verb->add_option("TREE", a->tree, "root of a Linux source tree")->required();
    verb->add_option("--runs", a->runs, "schedules to try (default 500)")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000000}));
    verb->add_option("--seed", a->seed, "seed of the schedule stream (default 1)");
    verb->add_option("--run", a->run, "replay only this run of the stream (a finding's reproducer)");
    verb->add_option("--scenario", a->scenarios, "only these suite scenarios (repeatable)");
    verb->add_option("--cc", a->cc, "C compiler for the tree's files");
    verb->add_option(
        "--record", a->record,
        "with --run or one --input: record that run as a trace (a finding that replays with hvsim replay)");
    verb->add_option("--input", a->inputs,
                     "run these fuzzer inputs (kernel_tree_fuzz's corpus or crash files) instead of the seeded stream");
    add_json_flag(*verb, a->json);
    verb->footer(
        "Each run draws a scenario and a schedule from (seed, run): random rep ends, \"needs memory\" at random\n"
        "allocations, a hard failure at a random hypercall, strict mode, rep restarts. A finding prints the\n"
        "--seed/--run that replays it. With --input, each file's bytes choose the scenario and schedule as the\n"
        "libFuzzer target kernel_tree_fuzz does (fuzz/README.md, \"Fuzz your kernel tree\"): its crash files\n"
        "are explained here and, with --record, become traces.\n"
        "Exit status: 0 no finding, 1 findings, 2 a tree hvsim cannot use.");
    verb->callback([a] {
        const auto known = kernel::suite_scenarios();
        for (const auto& name : a->scenarios)
            if (std::none_of(known.begin(), known.end(), [&](const auto& k) { return k.name == name; }))
                throw UsageError("kernel fuzz --scenario " + name + ": no such scenario (hvsim kernel fuzz --help)");
        if (!a->inputs.empty()) {
            if (a->run) throw UsageError("kernel fuzz --input: --run belongs to the seeded stream, not to inputs");
            explain_inputs(*a);
            return;
        }
        if (!a->record.empty() && !a->run)
            throw UsageError("kernel fuzz --record: needs --run N or one --input (the run to record)");
        const auto tree = load("fuzz", a->tree, a->cc, false);
        kernel::CheckOptions recording;
        const auto writer = attach_recorder("fuzz", a->record, recording);
        kernel::FuzzOptions options;
        options.recording = writer ? &recording : nullptr;
        options.runs = a->runs;
        options.seed = a->seed;
        options.only_run = a->run;
        options.scenarios = a->scenarios;
        const kernel::FuzzReport report = kernel::fuzz_driver_suite(*tree, options);
        if (a->json) {
            nlohmann::json j;
            j["tree"] = a->tree;
            j["runs"] = report.runs;
            j["seconds"] = report.seconds;
            j["findings"] = nlohmann::json::array();
            for (const auto& f : report.findings)
                j["findings"].push_back({{"id", f.finding.id},
                                         {"function", f.finding.function},
                                         {"scenario", f.finding.scenario},
                                         {"schedule", f.finding.schedule},
                                         {"evidence", f.finding.evidence},
                                         {"seed", a->seed},
                                         {"run", f.run}});
            print_json(j);
        } else {
            for (const auto& f : report.findings)
                std::cout << "FINDING " << f.finding.id << " in " << f.finding.function << " (scenario "
                          << f.finding.scenario << ", " << f.finding.schedule << ")\n  " << f.finding.evidence
                          << "\n  replay: hvsim kernel fuzz " << a->tree << " --seed " << a->seed << " --run " << f.run
                          << "\n";
            std::cout << a->tree << ": " << report.runs << " runs in " << static_cast<int>(report.seconds * 1000)
                      << " ms ("
                      << static_cast<std::uint64_t>(static_cast<double>(report.runs) / std::max(report.seconds, 1e-9))
                      << " runs/s), " << report.findings.size() << " findings\n";
        }
        if (!report.findings.empty()) throw CLI::RuntimeError(1);
    });
}

}  // namespace

void add_kernel(CLI::App& app) {
    auto* kernel = app.add_subcommand("kernel", "Run a Linux tree's own Hyper-V driver code on the model");
    kernel->require_subcommand(1);
    add_kernel_check(*kernel);
    add_kernel_audit(*kernel);
    add_kernel_fuzz(*kernel);
}

}  // namespace hvsim::cli
