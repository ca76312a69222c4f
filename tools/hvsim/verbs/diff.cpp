// `hvsim diff`: compare two traces record by record (ids mapped), e.g. model against hardware.
#include <cstdio>
#include <iostream>

#include "hvsim/traces/replay.hpp"
#include "verbs.hpp"

namespace hvsim::cli {

void add_diff(CLI::App& app) {
    auto* verb = app.add_subcommand("diff", "Compare two traces record by record and report the first difference");
    auto paths = std::make_shared<std::array<std::string, 2>>();
    verb->add_option("A", (*paths)[0], "the first trace")->required();
    verb->add_option("B", (*paths)[1], "the second trace")->required();
    verb->footer("Exit status: 0 the same, 1 they differ, 2 a bad trace or argument.");
    verb->callback([paths] {
        traces::ReplayResult r;
        try {
            traces::TraceReader a(traces::slurp((*paths)[0]), (*paths)[0]);
            traces::TraceReader b(traces::slurp((*paths)[1]), (*paths)[1]);
            r = traces::diff(a, b, (*paths)[1]);
        } catch (const traces::TraceError& e) {
            throw UsageError(e.what());
        } catch (const std::exception& e) {
            throw UsageError((*paths)[0] + " and " + (*paths)[1] + ": cannot be compared: " + e.what());
        }
        r.trace = (*paths)[0];
        if (r.warning) std::fprintf(stderr, "hvsim: warning: %s\n", r.warning->c_str());
        if (r.divergence) {
            std::cout << traces::describe(r, *r.divergence);
            throw CLI::RuntimeError(1);
        }
        std::cout << (*paths)[0] << " and " << (*paths)[1] << ": " << r.records << " records, all equal\n";
    });
}

}  // namespace hvsim::cli
