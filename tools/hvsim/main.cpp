// hvsim: builds the command line from the verbs, runs it, and turns every bad argument into
// one line on stderr and exit code 2 (help and version exit 0).
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>

#include "hvcall/catalogue.hpp"
#include "hvsim/conformance/limited_input.hpp"
#include "hvsim/hypervisor.hpp"
#include "verbs.hpp"

#ifndef HVSIM_VERSION
#error "HVSIM_VERSION must be defined by the build (PROJECT_VERSION)"
#endif

namespace {

// The deepest verb the parse reached: "" at the top, "decode control" for a leaf.
const CLI::App* deepest_verb(const CLI::App& app, std::string& path) {
    const CLI::App* cur = &app;
    while (!cur->get_subcommands().empty()) {
        cur = cur->get_subcommands().front();
        path += (path.empty() ? "" : " ") + cur->get_name();
    }
    return cur;
}

std::string verb_names(const CLI::App& app) {
    std::string names;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    return names;
}

// The first argument nobody consumed, looking from the deepest verb up to the top.
std::string first_leftover(const CLI::App* verb) {
    for (; verb != nullptr; verb = verb->get_parent()) {
        const auto left = verb->remaining();
        if (!left.empty()) return left.front();
    }
    return "";
}

bool has_verbs(const CLI::App& app) {
    return !app.get_subcommands([](const CLI::App*) { return true; }).empty();
}

// CLI11's messages, reworded to name what was wrong and what was expected.
std::string describe(const CLI::App& app, const CLI::ParseError& e) {
    std::string path;
    const CLI::App* verb = deepest_verb(app, path);
    const std::string where = path.empty() ? "" : path + ": ";
    const std::string help = " (see 'hvsim " + (path.empty() ? "" : path + " ") + "--help')";
    const std::string extra = first_leftover(verb);
    if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr ||
        dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
        if (extra.starts_with("-")) return where + "unknown option '" + extra + "'" + help;
        if (!extra.empty() && has_verbs(*verb)) {
            return where + "unknown verb '" + extra + "' (expected one of: " + verb_names(*verb) + ")";
        }
        if (!extra.empty()) return where + "unexpected argument '" + extra + "'" + help;
    }
    const std::string msg = e.what();
    if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
        if (has_verbs(*verb)) return where + "missing verb (expected one of: " + verb_names(*verb) + ")";
        const std::string name = msg.substr(0, msg.find(" is required"));
        const CLI::Option* opt = verb->get_option_no_throw(name);
        return where + "missing " + name + (opt ? " (expected " + opt->get_description() + ")" : help);
    }
    return where + msg + help;
}

}  // namespace

int main(int argc, char** argv) {
    namespace cli = hvsim::cli;
    CLI::App app{
        "hvsim is a software model of the Microsoft Hyper-V root-partition hypercall interface: "
        "it runs hypercall marshalling code against a simulated hypervisor and explains every rejection.",
        "hvsim"};
    app.set_version_flag("--version", "hvsim " HVSIM_VERSION "\ncatalogue: " + std::string(hvcall::kCatalogueRevision));
    app.require_subcommand(0, 1);
    app.footer(
        "Run 'hvsim VERB --help' for a verb's arguments. Exit status: 0 success, 1 a call or scenario failed, 2 bad arguments.");

    // One line per verb (see verbs.hpp).
    cli::add_decode(app);
    cli::add_calls(app, &hvsim::model_implements);
    cli::add_status(app);
    cli::add_rules(app);
    cli::add_call(app);
    cli::add_run(app);
    cli::add_conformance(app);
    cli::add_replay(app);
    cli::add_diff(app);
    cli::add_record(app);
    cli::add_fuzz_input_to_trace(app);
    cli::add_kernel(app);
    cli::add_mshv(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help/--version print and exit 0; a RuntimeError carries a verb's own exit code.
        if (e.get_exit_code() == 0 || e.get_name() == "RuntimeError") return app.exit(e);
        std::cout.flush();
        std::fprintf(stderr, "hvsim: %s\n", hvsim::conformance::one_line(describe(app, e)).c_str());
        return cli::kExitUsage;
    } catch (const cli::UsageError& e) {
        std::cout.flush();
        std::fprintf(stderr, "hvsim: %s\n",
                     hvsim::conformance::one_line(e.what()).c_str());  // a name from a file may hold anything
        return cli::kExitUsage;
    } catch (const std::exception& e) {
        std::cout.flush();
        std::fprintf(stderr, "hvsim: internal error: %s\n", hvsim::conformance::one_line(e.what()).c_str());
        return 1;
    }
    if (app.get_subcommands().empty()) std::cout << app.help();
    return 0;
}
