#include "hvsim/conformance/session.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "hvsim/conformance/output_file.hpp"
#include "hvsim/conformance/reports.hpp"
#include "hvsim/conformance/runner.hpp"

namespace hvsim::conformance {

namespace {

bool ends_with(const std::string& s, const char* suffix) { return s.ends_with(suffix); }

template <class Write>
void write_file(const std::string& path, Write&& write) {
    write_file_atomically(path, [&](std::ostream& out) { write(out); });
}

}  // namespace

bool is_report_path(const std::string& path) {
    return ends_with(path, ".html") || ends_with(path, ".htm") || ends_with(path, ".md");
}

int run_session(const std::vector<Scenario>& scenarios, const SessionOptions& options) {
    RunOptions run;
    run.observer = options.observer;
    const bool terminal = options.progress && isatty(STDERR_FILENO) == 1;
    if (terminal)
        run.progress = [](std::size_t done, std::size_t total, const std::string& what) {
            if (what.empty()) {
                std::fprintf(stderr, "\r\033[K");
            } else {
                std::fprintf(stderr, "\r\033[K[%zu/%zu] %.100s", done + 1, total, what.c_str());
            }
            std::fflush(stderr);
        };
    const Report report = run_scenarios(scenarios, run);
    print_summary(std::cout, report, options.title);
    if (!options.junit.empty())
        write_file(options.junit, [&](std::ostream& o) { write_junit(o, report, options.title); });
    for (const auto& path : options.reports)
        write_file(path, [&](std::ostream& o) {
            if (ends_with(path, ".md"))
                write_markdown(o, report, options.title);
            else
                write_html(o, report, options.title);
        });
    if (report.count(RunVerdict::fail) != 0) return 1;
    if (options.require_full_coverage && report.coverage.covered_count() != kRuleCount) return 1;
    return 0;
}

}  // namespace hvsim::conformance
