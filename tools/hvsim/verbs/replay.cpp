// `hvsim replay`: re-issue traces on the model or /dev/mshv and report each trace's first divergence.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include "hvsim/traces/mshv_backend.hpp"
#include "hvsim/traces/replay.hpp"
#include "verbs.hpp"

namespace hvsim::cli {
namespace {

struct ReplayArgs {
    std::vector<std::string> traces;
    std::string backend = "sim", device = "/dev/mshv";
    unsigned jobs = 1;
    bool json = false;
};

struct ReplayOutcome {
    traces::ReplayResult result;
    std::string error;  // a bad trace or an unusable backend: exit 2
};

ReplayOutcome replay_one(const ReplayArgs& a, const std::string& path, traces::SystemDevice& device) {
    ReplayOutcome o;
    try {
        traces::TraceReader reader(traces::slurp(path), path);
        if (a.backend == "sim") {
            traces::SimTarget sim(traces::config_from_profile(reader.header().profile, path + ": header: \"profile"));
            o.result = traces::replay(reader, sim);
        } else {
            traces::MshvOptions opts;
            opts.path = a.device;
            opts.handle_signals = true;
            std::unique_ptr<traces::MshvBackend> backend;
            try {
                backend = std::make_unique<traces::MshvBackend>(device, opts);
            } catch (const std::runtime_error& e) {
                throw UsageError(std::string("replay: --backend mshv: ") + e.what());
            }
            traces::MshvTarget target(*backend);
            o.result = traces::replay(reader, target);
        }
        o.result.trace = path;
    } catch (const traces::TraceError& e) {
        o.error = e.what();
    } catch (const UsageError& e) {
        o.error = e.what();
    } catch (const std::exception& e) {
        // Nothing may leave a worker thread (replay -j N): whatever the trace provoked is its error.
        o.error = path + ": cannot be replayed: " + e.what();
    }
    return o;
}

// "N skipped (X not issued by the target, Y depend on a skipped record)": what was not compared
// and why, so a hardware replay's "equal" is read against what it actually covered.
std::string skip_summary(const traces::ReplayResult& r) {
    std::string s = std::to_string(r.skipped) + " skipped";
    if (r.skipped == 0) return s;
    return s + " (" + std::to_string(r.skipped - r.dependent) + " not issued by the target, " +
           std::to_string(r.dependent) + " depend on a skipped record)";
}

int run_replay(const ReplayArgs& a) {
    std::vector<ReplayOutcome> outcomes(a.traces.size());
    std::atomic<std::size_t> next{0}, finished{0};
    traces::SystemDevice device;
    const bool tty = ::isatty(STDERR_FILENO) != 0;
    std::mutex progress_lock;
    auto worker = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < a.traces.size();) {
            outcomes[i] = replay_one(a, a.traces[i], device);
            const std::size_t done = ++finished;
            if (tty) {
                const std::lock_guard lock(progress_lock);
                std::fprintf(stderr, "\r[%zu/%zu] %s\033[K", done, a.traces.size(), a.traces[i].c_str());
            }
        }
    };
    std::vector<std::thread> pool;
    for (unsigned j = 1; j < std::min<std::size_t>(a.jobs, a.traces.size()); ++j) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (tty) std::fprintf(stderr, "\r\033[K");

    for (const auto& o : outcomes)  // bad input first: one line, exit 2
        if (!o.error.empty()) throw UsageError(o.error);
    int rc = 0;
    if (a.json) {
        nlohmann::json all = nlohmann::json::array();
        for (const auto& o : outcomes) {
            const auto& r = o.result;
            if (r.warning) std::fprintf(stderr, "hvsim: warning: %s\n", r.warning->c_str());
            nlohmann::json j{{"trace", r.trace},
                             {"backend", a.backend},
                             {"records", r.records},
                             {"compared", r.compared},
                             {"equal", r.divergence ? r.compared - 1 : r.compared},
                             {"skipped", r.skipped},
                             {"dependent", r.dependent},
                             {"skip_reasons", r.skip_reasons},
                             {"violations", r.violations},
                             {"divergence", nullptr}};
            if (r.divergence) {
                rc = 1;
                j["divergence"] = {{"record", r.divergence->index},
                                   {"mismatches", r.divergence->mismatches},
                                   {"report", traces::describe(r, *r.divergence)}};
            }
            all.push_back(std::move(j));
        }
        print_json(all);
        return rc;
    }
    for (const auto& o : outcomes) {
        const auto& r = o.result;
        if (r.warning) std::fprintf(stderr, "hvsim: warning: %s\n", r.warning->c_str());
        if (r.divergence) {
            rc = 1;
            std::cout << traces::describe(r, *r.divergence);
        } else {
            std::cout << r.trace << ": " << r.records << " records: " << r.compared << " compared, " << r.compared
                      << " equal, " << skip_summary(r) << "\n";
        }
        for (const auto& [why, n] : r.skip_reasons) std::cout << "  skipped " << n << " x " << why << "\n";
        for (const auto& [rule, n] : r.violations)
            std::cout << "  violation " << n << " x " << rule << " (spec-only: the model let the call go on)\n";
    }
    return rc;
}

}  // namespace

void add_replay(CLI::App& app) {
    auto* verb = app.add_subcommand("replay", "Re-issue recorded hypercalls on a backend and compare the results");
    auto a = std::make_shared<ReplayArgs>();
    verb->add_option("TRACE", a->traces, "trace files (JSON Lines or CBOR)")->required();
    verb->add_option("--backend", a->backend, "sim (the model, configured from the trace header) or mshv (/dev/mshv)")
        ->check(CLI::IsMember({"sim", "mshv"}));
    verb->add_option("--device", a->device, "the mshv device node");
    verb->add_option("-j,--jobs", a->jobs, "traces replayed in parallel")->check(CLI::Range(1u, 256u));
    add_json_flag(*verb, a->json);
    verb->footer("Exit status: 0 every trace replayed equal, 1 a divergence, 2 a bad trace or argument.");
    verb->callback([a] {
        const int rc = run_replay(*a);
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace hvsim::cli
