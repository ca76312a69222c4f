// The hostile-input corpus: files and arguments an adversary (or a fuzzing campaign) hands the
// hvsim CLI, each made here at run time (deep nesting, huge files, bad bytes are never checked
// in), run as a child process with its time and memory measured, and judged: the exit code,
// one line on stderr holding the expected words, no crash, no lost input.
//
//   hostile_runner HVSIM WORKDIR CASE      run one case (CTest: hostile.CASE)
//   hostile_runner --list                  the case names
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace {

// Time and memory one case may take: bounds that catch a hang or a blow-up, not a speed test.
// Sanitized builds carry shadow memory and run several times slower (the 3.9 MiB scenario takes
// about 7 s under ASan alone, and CI runs two tests at once on two cores): their bounds are wider.
#if defined(__SANITIZE_ADDRESS__)
constexpr double kMaxSeconds = 30.0;
constexpr long kMaxRssKiB = 3 * 512 * 1024;
#else
constexpr double kMaxSeconds = 10.0;
constexpr long kMaxRssKiB = 512 * 1024;
#endif

std::string g_hvsim;
fs::path g_work;

void write(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << bytes;
}
std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
std::string repeat(const std::string& s, std::size_t n) {
    std::string out;
    out.reserve(s.size() * n);
    for (std::size_t i = 0; i < n; ++i) out += s;
    return out;
}

// A small valid scenario and trace to start from.
const std::string kScenario = R"([{"name": "one partition", "steps": [{"call": "create_partition"}]}])";
const std::string kTraceHeader =
    R"({"hvsim_trace":1,"producer":"hostile","profile":{"backend":"sim","machines":"per run"}})";
const std::string kCborMagic = std::string("\x89HVT", 4);

std::string frame(const std::string& body) {
    std::string f(4, '\0');
    const auto n = static_cast<std::uint32_t>(body.size());
    for (int i = 0; i < 4; ++i) f[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xFF);
    return f + body;
}
// A CBOR trace header: {"hvsim_trace": 1, "producer": "h", "profile": {}}
std::string cbor_header() {
    const std::string map = std::string("\xa3", 1) + "\x6bhvsim_trace" + std::string("\x01", 1) + "\x68producer" +
                            "\x61h" + "\x67profile" + std::string("\xa0", 1);
    return kCborMagic + frame(map);
}

struct Run {
    int exit_code = -1;
    int signal = 0;
    double seconds = 0;
    long rss_kib = 0;
    std::string out, err;
};

Run run(const std::vector<std::string>& args) {
    const fs::path out = g_work / "stdout", err = g_work / "stderr";
    const auto started = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(o, 1);
        ::dup2(e, 2);
        std::vector<char*> argv;
        argv.push_back(const_cast<char*>(g_hvsim.c_str()));
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(g_hvsim.c_str(), argv.data());
        ::_exit(127);
    }
    Run r;
    int status = 0;
    rusage usage{};
    for (;;) {
        const pid_t done = ::wait4(pid, &status, WNOHANG, &usage);
        if (done == pid) break;
        if (std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() > kMaxSeconds) {
            ::kill(pid, SIGKILL);
            ::wait4(pid, &status, 0, &usage);
            r.seconds = kMaxSeconds;
            r.signal = SIGKILL;
            r.out = read(out), r.err = read(err);
            return r;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    r.rss_kib = usage.ru_maxrss;
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    r.out = read(out), r.err = read(err);
    return r;
}

struct Expect {
    Expect(int code, std::string e, std::string start = "", std::string lacks = "")
        : exit_code(code), err(std::move(e)), out_start(std::move(start)), out_lacks(std::move(lacks)) {}
    int exit_code;
    std::string err;        // stderr is one line holding this
    std::string out_start;  // stdout starts with this (when set)
    std::string out_lacks;  // stdout does not hold this (when set)
};

struct Case {
    Case() : expect(2, "") {}
    Case(std::string w, std::function<std::vector<std::string>()> s, Expect e, std::function<std::string()> a)
        : what(std::move(w)), setup(std::move(s)), expect(std::move(e)), after(std::move(a)) {}
    std::string what;
    std::function<std::vector<std::string>()> setup;  // makes the inputs, returns the arguments
    Expect expect;
    std::function<std::string()> after;  // a further check ("" when it holds)
};

fs::path file(const std::string& name, const std::string& bytes) {
    fs::path p = g_work / name;
    write(p, bytes);
    return p;
}

// The input a case must not destroy: its bytes, compared after the run.
std::function<std::string()> unchanged(const std::string& name) {
    auto before = std::make_shared<std::string>();
    *before = kScenario;
    return [name, before] { return read(g_work / name) == *before ? "" : name + " was changed by the run"; };
}

// Inputs nested past the readers' depth limit.
void nesting_cases(std::map<std::string, Case>& c) {
    c["deep_scenario"] = {
        "a scenario file of 200,000 nested arrays",
        [] {
            return std::vector<std::string>{"run", file("deep.json", repeat("[", 200000) + repeat("]", 200000))};
        },
        {2, "nesting deeper than 64 arrays and objects"},
        {}};
    c["deep_scenario_field"] = {"a scenario whose note is 200,000 nested arrays",
                                [] {
                                    return std::vector<std::string>{
                                        "run",
                                        file("deepfield.json", R"([{"name": "x", "note": )" + repeat("[", 200000) +
                                                                   repeat("]", 200000) + R"(, "steps": []}])")};
                                },
                                {2, "nesting deeper than 64"},
                                {}};
    c["deep_jsonl_record"] = {"a JSON Lines record of 100,000 nested objects",
                              [] {
                                  return std::vector<std::string>{
                                      "replay", file("deep.jsonl", kTraceHeader + "\n" + repeat("{\"a\":", 100000) +
                                                                       "1" + repeat("}", 100000) + "\n")};
                              },
                              {2, "line 2: the line is refused: nesting deeper than 64"},
                              {}};
    c["deep_cbor_frame"] = {
        "a CBOR frame of 500,000 nested arrays",
        [] {
            return std::vector<std::string>{
                "replay", file("deep.cbor", cbor_header() + frame(repeat("\x81", 500000) + std::string("\x00", 1)))};
        },
        {2, "the frame is refused: nesting deeper than 64"},
        {}};
}

// Text that is not what it claims to be.
void text_cases(std::map<std::string, Case>& c) {
    c["cbor_not_utf8"] = {"CBOR text that is not UTF-8",
                          [] {
                              const std::string map = std::string("\xa1", 1) + "\x64\x63\x61\x6c\x6c" + "\x62\xff\xfe";
                              return std::vector<std::string>{"replay", file("utf8.cbor", cbor_header() + frame(map))};
                          },
                          {2, "text that is not UTF-8: \"\\xff\\xfe\""},
                          {}};
    c["cbor_not_utf8_parallel"] = {
        "two such traces replayed by two threads",
        [] {
            const std::string map = std::string("\xa1", 1) + "\x64\x63\x61\x6c\x6c" + "\x62\xff\xfe";
            return std::vector<std::string>{"replay", "-j", "2", file("u1.cbor", cbor_header() + frame(map)),
                                            file("u2.cbor", cbor_header() + frame(map))};
        },
        {2, "not UTF-8"},
        {}};
    c["key_with_newline"] = {"a scenario key holding a newline and a control byte",
                             [] {
                                 return std::vector<std::string>{
                                     "run", file("key.json",
                                                 "[{\"name\": \"x\", \"steps\": [{\"call\": \"create_partition\", "
                                                 "\"bad\\nkey\\u0001\": 1}]}]")};
                             },
                             {2, "unknown key 'bad\\nkey\\x01'"},
                             {}};
    c["file_name_not_utf8"] = {"a trace path that is not UTF-8",
                               [] {
                                   return std::vector<std::string>{"replay", (g_work / "bad\xff\x01.jsonl").string()};
                               },
                               {2, "bad\\xff\\x01.jsonl: No such file or directory"},
                               {}};
}

// Unbounded reads and work.
void unbounded_cases(std::map<std::string, Case>& c) {
    c["scenario_is_dev_zero"] = {"/dev/zero as a scenario",
                                 [] {
                                     return std::vector<std::string>{"run", "/dev/zero"};
                                 },
                                 {2, "/dev/zero: is a device, not a file; expected a scenario file"},
                                 {}};
    c["trace_is_dev_zero"] = {"/dev/zero as a trace",
                              [] {
                                  return std::vector<std::string>{"replay", "/dev/zero"};
                              },
                              {2, "/dev/zero: is a device, not a file; expected a trace file"},
                              {}};
    c["trace_is_directory"] = {"a directory as a trace",
                               [] {
                                   fs::create_directories(g_work / "dir");
                                   return std::vector<std::string>{"replay", (g_work / "dir").string()};
                               },
                               {2, "dir: is a directory; expected a trace file"},
                               {}};
    c["huge_scenario"] = {
        "a 5 MiB scenario file",
        [] {
            return std::vector<std::string>{"run", file("huge.json", "[" + repeat(" ", 5u << 20) + "]")};
        },
        {2, "more than the 4 MiB hvsim reads"},
        {}};
    c["large_ordinary_scenario"] = {"a 3.9 MiB array of numbers (memory stays bounded)",
                                    [] {
                                        std::string s = "[1" + repeat(",1", 1950000) + "]";
                                        return std::vector<std::string>{"run", file("large.json", s)};
                                    },
                                    {2, "expected a scenario (an object), got number"},
                                    {}};
    c["huge_jsonl_line"] = {
        "a JSON Lines record of 2 MiB",
        [] {
            return std::vector<std::string>{
                "replay", file("long.jsonl", kTraceHeader + "\n{\"call\": \"" + repeat("a", 2u << 20) + "\"}\n")};
        },
        {2, "expected a record of at most 1 MiB"},
        {}};
    c["unmap_all_of_memory"] = {
        "a typed unmap of 2^64-1 pages",
        [] {
            return std::vector<std::string>{
                "run",
                file("unmap.json", R"([{"name": "x", "steps": [{"call": "create_partition", "capture": {"pid": "id"}},
        {"call": "unmap_gpa_pages", "args": {"partition": "$pid", "gfn": 0, "pages": "0xFFFFFFFFFFFFFFFF"}}]}])")};
        },
        {2, "a step may walk at most 16777216"},
        {}};
    c["range_past_guest_space"] = {
        "a typed map running past 2^52",
        [] {
            return std::vector<std::string>{
                "run",
                file("range.json", R"([{"name": "x", "steps": [{"call": "create_partition", "capture": {"pid": "id"}},
        {"call": "map_gpa_pages", "args": {"partition": "$pid", "gfn": "0xFFFFFFFFFF", "pages": 2}}]}])")};
        },
        {2, "runs past the 52-bit guest physical space"},
        {}};
}

// Machine settings out of range.
void settings_cases(std::map<std::string, Case>& c) {
    c["trace_machine_out_of_range"] = {
        "a trace header asking for 5 guest address bits",
        [] {
            return std::vector<std::string>{
                "replay",
                file(
                    "bits.jsonl",
                    R"({"hvsim_trace":1,"producer":"h","profile":{"backend":"sim","machine":{"guest_address_bits":5}}})"
                    "\n")};
        },
        {2, "guest_address_bits\": at least 21 bits"},
        {}};
    c["run_record_mmio_wraps"] = {
        "a trace's \"run\" record asking for an MMIO range past 2^52",
        [] {
            return std::vector<std::string>{
                "replay",
                file(
                    "runrec.jsonl",
                    kTraceHeader + "\n" +
                        R"({"args":{"faults":{},"machine":{"mmio":[{"first":1099511627770,"count":100}]},"scenario":"x"},"model":"run"})"
                        "\n")};
        },
        {2, "line 2: \"args.machine.mmio[0].count\": the range runs past PFN 2^40"},
        {}};
    c["scenario_mmio_wraps"] = {
        "a scenario MMIO range running past 2^52",
        [] {
            return std::vector<std::string>{
                "run",
                file("mmio.json",
                     R"([{"name": "x", "machine": {"mmio": [{"first": 1099511627770, "count": 100}]}, "steps": []}])")};
        },
        {2, "the range runs past PFN 2^40"},
        {}};
}

// Outputs that would destroy an input.
void data_loss_cases(std::map<std::string, Case>& c) {
    c["record_over_its_input"] = {"record -o naming its own scenario",
                                  [] {
                                      file("in.json", kScenario);
                                      return std::vector<std::string>{"record", (g_work / "in.json").string(), "-o",
                                                                      (g_work / "in.json").string()};
                                  },
                                  {2, "would overwrite what it reads"},
                                  unchanged("in.json")};
    c["run_record_over_its_input"] = {"run --record naming its own scenario",
                                      [] {
                                          file("in.json", kScenario);
                                          return std::vector<std::string>{"run", (g_work / "in.json").string(),
                                                                          "--record", (g_work / "in.json").string()};
                                      },
                                      {2, "would overwrite what it reads"},
                                      unchanged("in.json")};
    c["run_junit_into_its_directory"] = {
        "run DIR --junit DIR/x.json, a scenario the run reads",
        [] {
            fs::create_directories(g_work / "scen");
            write(g_work / "scen/in.json", kScenario);
            return std::vector<std::string>{"run", (g_work / "scen").string(), "--junit",
                                            (g_work / "scen/in.json").string()};
        },
        {2, "a scenario file of the input directory"},
        [] { return read(g_work / "scen/in.json") == kScenario ? "" : "scen/in.json was changed"; }};
    c["fuzz_to_trace_over_its_input"] = {"fuzz-input-to-trace -o naming its input",
                                         [] {
                                             file("in.json", kScenario);
                                             return std::vector<std::string>{"fuzz-input-to-trace", "raw_dispatch_fuzz",
                                                                             (g_work / "in.json").string(), "-o",
                                                                             (g_work / "in.json").string()};
                                         },
                                         {2, "would overwrite what it reads"},
                                         unchanged("in.json")};
    c["record_to_stdout"] = {
        "record -o /dev/stdout: the trace alone on stdout, the summary on stderr",
        [] {
            file("in.json", kScenario);
            return std::vector<std::string>{"record", (g_work / "in.json").string(), "-o", "/dev/stdout"};
        },
        {0, "records in 1 trace(s)", "{\"hvsim_trace\":1", "records in"},
        {}};
    c["record_to_dash"] = {"record -o -: the same",
                           [] {
                               file("in.json", kScenario);
                               return std::vector<std::string>{"record", (g_work / "in.json").string(), "-o", "-"};
                           },
                           {0, "records in 1 trace(s)", "{\"hvsim_trace\":1", "records in"},
                           {}};
}

// Empty arguments.
void argument_cases(std::map<std::string, Case>& c) {
    c["empty_junit"] = {"run --junit with an empty name",
                        [] {
                            return std::vector<std::string>{"run", file("in.json", kScenario).string(), "--junit", ""};
                        },
                        {2, "run --junit: expected a non-empty value"},
                        {}};
    c["empty_record"] = {
        "run --record with an empty name",
        [] {
            return std::vector<std::string>{"run", file("in.json", kScenario).string(), "--record", ""};
        },
        {2, "run --record: expected a non-empty value"},
        {}};
    c["empty_output"] = {"record -o with an empty name",
                         [] {
                             return std::vector<std::string>{"record", file("in.json", kScenario).string(), "-o", ""};
                         },
                         {2, "record -o: expected a non-empty value"},
                         {}};
}

// Crash safety: a recording killed before its header.
void crash_safety_cases(std::map<std::string, Case>& c) {
    c["empty_trace"] = {"a zero-length trace: nothing was recorded",
                        [] {
                            return std::vector<std::string>{"replay", file("empty.jsonl", "").string()};
                        },
                        {0, "the file is empty: nothing was recorded"},
                        {}};
}

std::map<std::string, Case> cases() {
    std::map<std::string, Case> c;
    nesting_cases(c);
    text_cases(c);
    unbounded_cases(c);
    settings_cases(c);
    data_loss_cases(c);
    argument_cases(c);
    crash_safety_cases(c);
    return c;
}

std::string judge(const Case& k, const Run& r) {
    std::ostringstream why;
    if (r.signal == SIGKILL && r.seconds >= kMaxSeconds)
        return "took more than " + std::to_string(static_cast<int>(kMaxSeconds)) + " s (killed)";
    if (r.signal != 0) return "killed by signal " + std::to_string(r.signal);
    if (r.rss_kib > kMaxRssKiB)
        return "used " + std::to_string(r.rss_kib / 1024) + " MiB, more than " + std::to_string(kMaxRssKiB / 1024);
    if (r.exit_code != k.expect.exit_code) why << "exit " << r.exit_code << ", expected " << k.expect.exit_code << "\n";
    std::string err = r.err;
    if (!err.empty() && err.back() == '\n') err.pop_back();
    if (err.find('\n') != std::string::npos) why << "stderr is not one line\n";
    if (err.find(k.expect.err) == std::string::npos) why << "stderr lacks: " << k.expect.err << "\n";
    if (!k.expect.out_start.empty() && !r.out.starts_with(k.expect.out_start))
        why << "stdout does not start with " << k.expect.out_start << "\n";
    if (!k.expect.out_lacks.empty() && r.out.find(k.expect.out_lacks) != std::string::npos)
        why << "stdout holds " << k.expect.out_lacks << "\n";
    if (k.after)
        if (const std::string bad = k.after(); !bad.empty()) why << bad << "\n";
    if (why.str().empty()) return "";
    return why.str() + "--- stdout (first 300 bytes)\n" + r.out.substr(0, 300) + "\n--- stderr (first 600 bytes)\n" +
           r.err.substr(0, 600);
}

}  // namespace

int main(int argc, char** argv) {
    const auto all = cases();
    if (argc == 2 && std::string(argv[1]) == "--list") {
        for (const auto& [name, k] : all) std::cout << name << "\n";
        return 0;
    }
    if (argc != 4) {
        std::cerr << "usage: hostile_runner HVSIM WORKDIR CASE | --list\n";
        return 2;
    }
    g_hvsim = argv[1];
    g_work = argv[3] == nullptr ? "" : fs::path(argv[2]) / argv[3];
    const auto it = all.find(argv[3]);
    if (it == all.end()) {
        std::cerr << "hostile_runner: no case " << argv[3] << " (--list)\n";
        return 2;
    }
    fs::remove_all(g_work);
    fs::create_directories(g_work);
    const Case& k = it->second;
    const Run r = run(k.setup());
    const std::string bad = judge(k, r);
    std::printf("%s: %s: exit %d, %.2f s, %ld MiB\n", it->first.c_str(), k.what.c_str(), r.exit_code, r.seconds,
                r.rss_kib / 1024);
    if (!bad.empty()) {
        std::printf("FAILED: %s\n", bad.c_str());
        return 1;
    }
    return 0;
}
