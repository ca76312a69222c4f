// `hvsim mshv run -- CMD ARGS...`: runs an unchanged VMM with /dev/mshv served by the driver
// model (conformance/mshv). The command's exit status is hvsim's; the summary of what the driver
// served and issued goes to standard error or --log.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "hvsim/conformance/codecs.hpp"
#include "hvsim/conformance/output_file.hpp"
#include "hvsim/devmshv/session.hpp"
#include "verbs.hpp"

extern char** environ;

namespace hvsim::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct MshvRunArgs {
    std::string record, log, regions = "movable", preload;
    std::vector<std::string> machine, command;
    bool strict = false, json = false;
};

// The preload library: --preload, $HVSIM_MSHV_PRELOAD, the installed layout (the library
// directory's hvsim/, found from the executable's own place), then the build tree's.
std::string find_preload(const MshvRunArgs& a) {
    if (!a.preload.empty()) return a.preload;
    if (const char* p = std::getenv("HVSIM_MSHV_PRELOAD"); p != nullptr && *p != '\0') return p;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path installed = exe.parent_path() / HVSIM_INSTALLED_PRELOAD;
        if (fs::exists(installed, ec)) return fs::weakly_canonical(installed, ec).string();
    }
    return HVSIM_MSHV_PRELOAD_PATH;
}

// The machine the preload builds, as JSON: the session's defaults, then each KEY=VALUE (VALUE
// read as JSON where it is, else as a string: "ram_bytes=4GiB"), checked by the shared codec.
std::string machine_json(const MshvRunArgs& a) {
    MachineConfig base = devmshv::session_machine_config();
    base.strict = a.strict;
    json j = conformance::write_machine(base);
    for (const auto& kv : a.machine) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            throw UsageError("mshv run: --machine " + kv + ": expected KEY=VALUE (a key of a scenario's \"machine\")");
        const std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
        json v = json::parse(value, nullptr, false);
        j[key] = v.is_discarded() ? json(value) : v;
    }
    try {
        (void)conformance::read_machine(j);
    } catch (const conformance::CodecError& e) {
        throw UsageError("mshv run: --machine " + (e.field().empty() ? std::string("") : e.field().substr(1)) + ": " +
                         e.what());
    }
    return j.dump();
}

struct Child {
    int status = 0;
    bool exec_failed = false;
    int exec_errno = 0;
};

// fork + execvp with the environment the preload reads; an exec failure comes back through a
// close-on-exec pipe. The parent ignores SIGINT and SIGQUIT while the command runs, as a shell does.
Child run_child(const std::vector<std::string>& command, const std::vector<std::string>& env) {
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    struct sigaction ignore {
    }, old_int{}, old_quit{};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGINT, &ignore, &old_int);
    sigaction(SIGQUIT, &ignore, &old_quit);
    std::vector<char*> argv;
    for (const auto& s : command) argv.push_back(const_cast<char*>(s.c_str()));
    argv.push_back(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
        sigaction(SIGINT, &old_int, nullptr);
        sigaction(SIGQUIT, &old_quit, nullptr);
        ::close(pipefd[0]);
        for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
        execvp(argv[0], argv.data());
        const int err = errno;
        (void)!::write(pipefd[1], &err, sizeof err);
        _exit(127);
    }
    ::close(pipefd[1]);
    Child c;
    if (pid < 0) {
        ::close(pipefd[0]);
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    }
    int err = 0;
    if (::read(pipefd[0], &err, sizeof err) == static_cast<ssize_t>(sizeof err)) {
        c.exec_failed = true;
        c.exec_errno = err;
    }
    ::close(pipefd[0]);
    while (waitpid(pid, &c.status, 0) < 0 && errno == EINTR) {
    }
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGQUIT, &old_quit, nullptr);
    return c;
}

// The channel: JSON lines of notes and per-process summaries.
json read_channel(const std::string& path, std::vector<std::string>& notes) {
    std::vector<json> parts;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        const json j = json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object()) continue;
        if (j.contains("note") && j["note"].is_string()) notes.push_back(j["note"].get<std::string>());
        if (j.contains("summary") && j["summary"].is_object()) parts.push_back(j["summary"]);
    }
    return devmshv::merge_summaries(parts);
}

int mshv_run(const MshvRunArgs& a) {
    if (a.command.empty())
        throw UsageError("mshv run: missing the command (expected: hvsim mshv run [OPTIONS] -- CMD ARGS...)");
    if (a.regions != "movable" && a.regions != "pinned")
        throw UsageError("mshv run: --regions " + a.regions + ": expected movable or pinned");
    std::vector<std::pair<std::string, std::string>> outputs;
    if (!a.record.empty()) outputs.emplace_back("--record", a.record);
    if (!a.log.empty()) outputs.emplace_back("--log", a.log);
    check_outputs("mshv run", outputs, {});
    if (!a.record.empty() && conformance::is_stdout_path(a.record))
        throw UsageError("mshv run: --record " + a.record +
                         ": the trace must be a file (the command owns standard output)");
    const std::string preload = find_preload(a);
    if (::access(preload.c_str(), R_OK) != 0)
        throw UsageError("mshv run: the preload library " + preload +
                         " is missing (build the hvsim_mshv_preload target, or name it with --preload)");
    const std::string machine = machine_json(a);

    char channel[] = "/tmp/hvsim-mshv-XXXXXX";
    const int cfd = mkstemp(channel);
    if (cfd < 0) throw std::runtime_error(std::string("mkstemp: ") + std::strerror(errno));
    ::close(cfd);
    std::error_code ec;
    if (!a.record.empty()) fs::remove(a.record, ec);  // the first process to open /dev/mshv claims it

    std::string ld = preload;
#ifdef HVSIM_SANITIZER_RUNTIME
    ld = std::string(HVSIM_SANITIZER_RUNTIME) + ":" + ld;  // a sanitized preload needs its runtime first
#endif
    if (const char* old = std::getenv("LD_PRELOAD"); old != nullptr && *old != '\0') ld += std::string(":") + old;
    std::vector<std::string> env = {
        "LD_PRELOAD=" + ld, "HVSIM_MSHV_MACHINE=" + machine, "HVSIM_MSHV_CHANNEL=" + std::string(channel),
        "HVSIM_MSHV_REGIONS=" + a.regions,
        "HVSIM_MSHV_RECORD=" + (a.record.empty() ? std::string() : fs::absolute(a.record).string())};
#ifdef HVSIM_SANITIZER_RUNTIME
    // The sanitizer's runtime now sits in CMD, which is not ours: its leaks are not our findings
    // (the in-process mshv.c_client checks the interposer's). Appended, so the rest of the
    // caller's ASAN_OPTIONS (the asan test preset's abort_on_error) still holds; the last wins.
    const char* asan = std::getenv("ASAN_OPTIONS");
    env.emplace_back(std::string("ASAN_OPTIONS=") + (asan != nullptr && *asan != '\0' ? std::string(asan) + ":" : "") +
                     "detect_leaks=0");
#endif
    const Child c = run_child(a.command, env);

    std::vector<std::string> notes;
    json summary = read_channel(channel, notes);
    fs::remove(channel, ec);
    if (c.exec_failed) {
        std::cerr << "hvsim: mshv run: " << a.command[0] << ": "
                  << (c.exec_errno == ENOENT ? std::string("command not found") : std::strerror(c.exec_errno)) << '\n';
        return c.exec_errno == ENOENT ? 127 : 126;
    }
    std::ostringstream report;
    for (const auto& n : notes) report << "hvsim mshv: " << n << '\n';
    if (a.json)
        report << summary.dump(2) << '\n';
    else
        report << devmshv::summary_text(summary);
    if (!a.record.empty() && summary["traces"].empty())
        report << "hvsim mshv: no process opened /dev/mshv: " << a.record << " was not written\n";
    if (a.log.empty()) {
        std::cerr << report.str();
    } else {
        try {
            conformance::write_file_atomically(a.log, [&](std::ostream& out) { out << report.str(); });
        } catch (const std::exception& e) {
            std::cerr << "hvsim: mshv run: --log " << a.log << ": " << e.what() << '\n' << report.str();
        }
    }
    if (WIFSIGNALED(c.status)) return 128 + WTERMSIG(c.status);
    return WIFEXITED(c.status) ? WEXITSTATUS(c.status) : 1;
}

}  // namespace

void add_mshv(CLI::App& app) {
    auto* mshv = app.add_subcommand("mshv", "Run a VMM on a user-space /dev/mshv served by the model");
    mshv->require_subcommand(1);
    auto a = std::make_shared<MshvRunArgs>();
    auto* run = mshv->add_subcommand(
        "run",
        "Run CMD with /dev/mshv reaching hvsim's driver model: mshv_root's ioctls (newest upstream) over the "
        "hypervisor model, every hypercall judged by the rules. CMD's exit status is hvsim's (127: not found); "
        "a summary of ioctls served, hypercalls issued, rules hit and unknown requests goes to standard error "
        "or --log.");
    run->add_option("--record", a->record,
                    "Write every hypercall the driver model issued to this trace (.cbor: CBOR), "
                    "for 'hvsim replay --backend mshv' on a real root partition")
        ->type_name("TRACE");
    run->add_option("--log", a->log, "Write the summary (and the driver's notes) here instead of standard error")
        ->type_name("FILE");
    run->add_flag("--json", a->json, "The summary as JSON");
    run->add_flag("--strict", a->strict, "Strict mode: poison input pages and undefined output bytes");
    run->add_option("--machine", a->machine,
                    "Set a machine key (as in a scenario's \"machine\"): ram_bytes=4GiB, cpus=4, reject_spec_only=true")
        ->type_name("KEY=VALUE");
    run->add_option("--regions", a->regions,
                    "How guest RAM regions are mapped: movable (6.19 and later: NO_ACCESS until faulted in) or "
                    "pinned (the pages' PFNs, 2 MiB elements on huge pages)")
        ->type_name("movable|pinned")
        ->capture_default_str();
    run->add_option("--preload", a->preload, "The preload library (default: the installed or built one)")
        ->type_name("PATH");
    run->add_option("command", a->command, "The command and its arguments, after --")->type_name("CMD ARGS...");
    run->positionals_at_end();
    reject_empty_values(*run, "mshv run", {"--record", "--log", "--preload", "--regions"});
    run->callback([a] {
        const int status = mshv_run(*a);
        if (status != 0) throw CLI::RuntimeError(status);
    });
}

}  // namespace hvsim::cli
