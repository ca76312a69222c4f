// One run as the command line does it: progress on a terminal, the summary, the report
// files, and the exit code (0 all passed, 1 a run failed or coverage was required and short).
#pragma once

#include <string>
#include <vector>

#include "hvsim/conformance/scenario.hpp"

namespace hvsim::conformance {

class RunObserver;

struct SessionOptions {
    std::string title = "hvsim conformance";
    std::string junit;                 // JUnit XML path, or empty
    std::vector<std::string> reports;  // *.html / *.md paths
    bool require_full_coverage = false;
    bool progress = true;             // only ever drawn when stderr is a terminal
    RunObserver* observer = nullptr;  // `hvsim run --record`: sees every run's calls
};

// Throws std::runtime_error when a report file cannot be written.
[[nodiscard]] int run_session(const std::vector<Scenario>& scenarios, const SessionOptions& options);

// True for report paths run_session can write (by extension).
[[nodiscard]] bool is_report_path(const std::string& path);

}  // namespace hvsim::conformance
