// `hvsim kernel audit TREE`: a tree's Hyper-V headers measured by the compiler and judged
// against the catalogue, the model's field table and hvsim's uapi mirror.
#include "kernel_audit.hpp"

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "hvsim/conformance/reports.hpp"
#include "verbs.hpp"

namespace hvsim::cli {
namespace {

// The checks, in the order they run; a finding's id starts with its check's prefix.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kChecks = {{
    {"layout.", "layouts against the catalogue and the model's field table"},
    {"bitfield.", "bitfields and union views"},
    {"ioctl.", "ioctl numbers"},
    {"uapi.", "the uapi against hvsim's mirror"},
}};

}  // namespace

std::string_view audit_advice(std::string_view id) {
    if (id == "layout.size")
        return "the hypervisor reads the block at the catalogue's size: add or remove the field that differs";
    if (id == "layout.field_offset" || id == "layout.field_size")
        return "the hypervisor reads this field where the model does: fix the members before it, or its type";
    if (id == "layout.field_missing")
        return "the model reads a member of this name: renamed (then hvsim's table needs it) or lost";
    if (id == "bitfield.overflows_unit")
        return "the widths of one storage unit must sum to at most its bits: shorten the reserved run";
    if (id == "bitfield.unnamed_bits")
        return "name the remaining bits (a reserved run) so that every bit is accounted for";
    if (id == "bitfield.union_size") return "the bitfield view must be exactly as wide as the union's as_uint* member";
    if (id == "ioctl.duplicate") return "give each ioctl its own number";
    if (id == "ioctl.number_reused") return "one number, one meaning: a new nr for the ioctl that differs";
    if (id == "ioctl.size_mismatch")
        return "encode the argument with the struct the ioctl copies (_IOW(type, nr, struct x))";
    if (id == "ioctl.collision")
        return "another driver owns this type and number in ioctl-number.rst: pick a free range";
    if (id == "uapi.drift") return "the tree and hvsim disagree on the number: one of them is stale";
    return "";
}

kernel::AuditReport run_audit(const std::string& verb, const kernel::Tree& tree, const std::string& cc) {
    try {
        kernel::BuildOptions build;
        build.cc = cc;
        return kernel::audit_tree(tree, build);
    } catch (const kernel::TreeError& e) {
        throw UsageError("kernel " + verb + ": " + e.what());
    }
}

nlohmann::json audit_json(const kernel::AuditReport& r) {
    nlohmann::json j;
    j["compiler"] = r.compiler;
    j["seconds"] = r.seconds;
    j["headers"] = r.headers;
    j["records"] = r.records;
    j["blocks_checked"] = r.blocks_checked;
    j["fields_checked"] = r.fields_checked;
    j["ioctls"] = nlohmann::json::array();
    for (const auto& io : r.ioctls)
        j["ioctls"].push_back({{"name", io.name},
                               {"number", io.number},
                               {"dir", io.dir()},
                               {"type", io.type()},
                               {"nr", io.nr()},
                               {"size", io.size()},
                               {"argument", io.argument}});
    j["findings"] = nlohmann::json::array();
    for (const auto& f : r.findings)
        j["findings"].push_back({{"id", f.id},
                                 {"subject", f.subject},
                                 {"where", f.where},
                                 {"evidence", f.evidence},
                                 {"fix", std::string(audit_advice(f.id))}});
    j["notes"] = r.notes;
    return j;
}

void print_audit(const std::string& tree, const kernel::AuditReport& r, std::ostream& out) {
    for (const auto& f : r.findings)
        out << "FINDING " << f.id << " " << f.subject << " (" << f.where << ")\n  " << f.evidence
            << "\n  fix: " << audit_advice(f.id) << "\n";
    out << tree << ": header audit of " << r.headers.size() << " headers, " << r.records << " structs and unions, "
        << r.blocks_checked << " hypercall blocks (" << r.fields_checked << " fields), " << r.ioctls.size()
        << " ioctls; " << r.findings.size() << " finding" << (r.findings.size() == 1 ? "" : "s") << " in "
        << static_cast<int>(r.seconds * 1000) << " ms\n";
}

std::string audit_junit_cases(const kernel::AuditReport& r, std::size_t& tests, std::size_t& failures) {
    std::ostringstream x;
    for (const auto& [prefix, what] : kChecks) {
        ++tests;
        x << "  <testcase classname=\"hvsim.kernel.audit\" name=\"" << conformance::xml_escape(what) << "\">\n";
        bool failed = false;
        for (const auto& f : r.findings)
            if (f.id.starts_with(prefix)) {
                failed = true;
                x << "    <failure type=\"" << conformance::xml_escape(f.id) << "\" message=\""
                  << conformance::xml_escape(f.subject + ": " + f.evidence) << "\">" << conformance::xml_escape(f.where)
                  << "</failure>\n";
            }
        failures += failed ? 1 : 0;
        x << "  </testcase>\n";
    }
    return x.str();
}

namespace {
struct AuditArgs {
    std::string tree, junit, cc;
    bool json = false;
};
}  // namespace

void add_kernel_audit(CLI::App& kernel) {
    auto* verb = kernel.add_subcommand(
        "audit", "Measure a kernel tree's Hyper-V headers with the compiler: struct layouts, bitfields, ioctl numbers");
    auto a = std::make_shared<AuditArgs>();
    verb->add_option("TREE", a->tree,
                     "root of a Linux source tree (include/hyperv, drivers/hv, include/uapi/linux/mshv.h)")
        ->required();
    add_json_flag(*verb, a->json);
    verb->add_option("--junit", a->junit, "also write the checks as JUnit XML to this file");
    verb->add_option("--cc", a->cc, "C compiler for the probe (default: $CC, else the one hvsim was built with)");
    verb->footer(
        "Compiles the tree's include/hyperv/*.h, drivers/hv/mshv*.h and include/uapi/linux/mshv.h into a probe and reads\n"
        "every struct's and union's layout and every ioctl's number from its debug information (DWARF). Checks: each\n"
        "hypercall block's size against hvsim's catalogue and each field the model reads against its offset and size\n"
        "(sim/include/hvsim/fields.def); bitfields that overflow their storage unit or leave bits unnamed; union views\n"
        "of another size than their as_uint* member; ioctls with one number, reused numbers, sizes that are not their\n"
        "struct's, numbers ioctl-number.rst gives to another driver; drift from hvsim's uapi mirror.\n"
        "Exit status: 0 no finding, 1 findings, 2 a tree hvsim cannot use or bad arguments.");
    verb->callback([a, verb] {
        reject_empty_values(*verb, "kernel audit", {"--junit", "--cc"});
        kernel::Tree tree;
        try {
            tree = kernel::open_tree(a->tree);
        } catch (const kernel::TreeError& e) {
            throw UsageError(std::string("kernel audit: ") + e.what());
        }
        const kernel::AuditReport report = run_audit("audit", tree, a->cc);
        if (a->json) {
            nlohmann::json j = audit_json(report);
            j["tree"] = a->tree;
            print_json(j);
        } else {
            print_audit(a->tree, report, std::cout);
        }
        if (!a->junit.empty()) {
            std::size_t tests = 0, failures = 0;
            const std::string cases = audit_junit_cases(report, tests, failures);
            std::ofstream out(a->junit);
            out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"hvsim kernel audit "
                << conformance::xml_escape(a->tree) << "\" tests=\"" << tests << "\" failures=\"" << failures << "\">\n"
                << cases << "</testsuite>\n";
            if (!out) throw UsageError("kernel audit --junit: cannot write " + a->junit);
        }
        if (!report.findings.empty()) throw CLI::RuntimeError(1);
    });
}

}  // namespace hvsim::cli
