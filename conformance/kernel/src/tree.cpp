// Opening a tree, compiling its driver files against hvsim's kernel environment, loading them.
#include "hvsim/kernel/tree.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "functions.hpp"
#include "hvsim/kernel_api.h"

extern char** environ;

namespace hvsim::kernel {
namespace fs = std::filesystem;

namespace {

// What a tree must have, relative to its root, and why.
struct Required {
    const char* path;
    const char* what;
};
constexpr std::array kRequired = {
    Required{"drivers/hv/mshv_root_hv_call.c", "the root hypercall helpers (Linux 6.15 or newer)"},
    Required{"drivers/hv/mshv_root.h", "the root driver's header"},
    Required{"include/hyperv", "the Hyper-V ABI headers (Linux 6.15 or newer)"},
    Required{"include/asm-generic/mshyperv.h", "the generic Hyper-V header"},
    Required{"include/uapi/linux/mshv.h", "the /dev/mshv user API"},
};
// Compiled when present, after mshv_root_hv_call.c.
constexpr std::array kOptionalSources = {"drivers/hv/hv_proc.c", "drivers/hv/mshv_common.c"};

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool is_ident(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

// `name` followed by "(" as a whole identifier: the tree declares, defines or calls it.
bool mentions_function(const std::string& text, const std::string& name) {
    for (std::size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + 1)) {
        if (at > 0 && is_ident(text[at - 1])) continue;
        std::size_t end = at + name.size();
        if (end < text.size() && is_ident(text[end])) continue;
        while (end < text.size() && (text[end] == ' ' || text[end] == '\t' || text[end] == '\n')) ++end;
        if (end < text.size() && text[end] == '(') return true;
    }
    return false;
}

// A child process's exit status and everything it wrote to stdout and stderr.
struct ProcessResult {
    int status = -1;
    std::string output;
};

ProcessResult run_process(const std::vector<std::string>& argv, const fs::path& log) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) return {-1, "cannot run " + argv[0] + ": " + std::strerror(spawned)};
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(log)};
}

// The compiler's first error as one line: "drivers/hv/x.c:12:3: error: ...", else the first line.
std::string first_error(const std::string& output) {
    std::istringstream lines(output);
    std::string line, first;
    while (std::getline(lines, line)) {
        if (first.empty() && !line.empty()) first = line;
        if (line.find("error:") != std::string::npos || line.find("fatal error") != std::string::npos) return line;
    }
    return first.empty() ? std::string("(no output)") : first;
}

std::string default_compiler() {
    if (const char* cc = std::getenv("CC"); cc != nullptr && *cc != '\0') return cc;
#ifdef HVSIM_KERNEL_CC
    if (fs::exists(HVSIM_KERNEL_CC)) return HVSIM_KERNEL_CC;
#endif
    return "cc";
}

fs::path make_work_dir(const BuildOptions& options) {
    if (!options.work_dir.empty()) {
        fs::create_directories(options.work_dir);
        return options.work_dir;
    }
    static std::atomic<unsigned> counter{0};
    fs::path dir =
        fs::temp_directory_path() / ("hvsim-kernel-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

// An include directory holding only the tree's Hyper-V headers, so that a full kernel tree's
// other headers (include/linux/...) never stand in for hvsim's environment.
fs::path tree_includes(const Tree& tree, const fs::path& work) {
    fs::path inc = work / "tree-include";
    fs::create_directories(inc / "asm-generic");
    fs::create_directories(inc / "linux");
    fs::create_directory_symlink(fs::absolute(tree.root / "include/hyperv"), inc / "hyperv");
    fs::create_directory_symlink(fs::absolute(tree.root / "include/uapi"), inc / "uapi");
    fs::create_symlink(fs::absolute(tree.root / "include/asm-generic/mshyperv.h"), inc / "asm-generic/mshyperv.h");
    // The kernel build puts include/uapi on the path: <linux/mshv.h> is the uapi header.
    fs::create_symlink(fs::absolute(tree.root / "include/uapi/linux/mshv.h"), inc / "linux/mshv.h");
    return inc;
}

// Paths in the compiler's words as the user knows them: the include links name the tree's
// files (<linux/mshv.h> is include/uapi/linux/mshv.h), and the tree's own are made relative.
std::string as_tree_paths(const std::string& text, const Tree& tree, const fs::path& inc) {
    std::string s = text;
    const auto replace = [&s](const std::string& from, const std::string& to) {
        for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
            s.replace(at, from.size(), to);
    };
    replace(inc.string() + "/linux/mshv.h", "include/uapi/linux/mshv.h");
    replace(inc.string() + "/", "include/");
    replace(fs::absolute(tree.root).lexically_normal().string() + "/", "");
    replace(tree.root.string() + "/", "");
    return s;
}

// How the tree's files and the probes are compiled: the kernel build's dialect, hvsim's
// environment first, then the tree's Hyper-V headers, then drivers/hv for quoted includes.
std::vector<std::string> compile_flags(const std::string& cc, const Tree& tree, const fs::path& inc) {
    const fs::path env = environment_dir();
    return {cc,
            "-std=gnu11",
            "-O1",
            "-g",
            "-fPIC",
            "-w",
            "-fno-strict-aliasing",
            "-D__KERNEL__",
            "-DHVSIM_KERNEL_ENV=1",
            "-I",
            (env / "include").string(),
            "-I",
            (env / "api").string(),
            "-I",
            inc.string(),
            "-I",
            (tree.root / "drivers/hv").string()};
}

}  // namespace

ProbeCompiler::ProbeCompiler(const Tree& tree, const BuildOptions& options)
    : tree_(tree),
      cc_(options.cc.empty() ? default_compiler() : options.cc),
      work_(make_work_dir(options)),
      include_(tree_includes(tree, work_)),
      keep_(options.keep) {}

ProbeCompiler::~ProbeCompiler() {
    if (keep_) return;
    std::error_code ec;
    fs::remove_all(work_, ec);
}

ProbeCompiler::Result ProbeCompiler::run(const std::string& name, const std::string& source,
                                         std::vector<std::string> flags, const std::string& out) {
    const fs::path file = work_ / name;
    std::ofstream(file) << source;
    std::vector<std::string> argv = compile_flags(cc_, tree_, include_);
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.insert(argv.end(), {file.string(), "-o", (work_ / out).string()});
    const auto result = run_process(argv, work_ / (name + ".log"));
    if (result.status == -1 && result.output.starts_with("cannot run"))
        return {{}, result.output + " (the C compiler: --cc, or $CC)"};
    if (result.status != 0) return {{}, tree_path(first_error(result.output))};
    return {work_ / out, ""};
}

ProbeCompiler::Result ProbeCompiler::shared_object(const std::string& name, const std::string& source) {
    return run(name, source, {"-shared", "-fno-eliminate-unused-debug-types", "-g3"}, name + ".so");
}

ProbeCompiler::Result ProbeCompiler::syntax(const std::string& name, const std::string& source) {
    auto r = run(name, source, {"-fsyntax-only"}, name + ".none");
    r.output.clear();
    return r;
}

ProbeCompiler::Result ProbeCompiler::macros(const std::string& name, const std::string& source) {
    return run(name, source, {"-E", "-dM"}, name + ".macros");
}

bool ProbeCompiler::in_tree(const std::string& compiler_path) const {
    return tree_path(compiler_path) != compiler_path;
}

std::string ProbeCompiler::tree_path(const std::string& text) const { return as_tree_paths(text, tree_, include_); }

fs::path environment_dir() {
    if (const char* dir = std::getenv("HVSIM_KERNEL_DIR"); dir != nullptr && *dir != '\0') return dir;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path installed = exe.parent_path() / HVSIM_INSTALLED_KERNEL_DIR;
        if (fs::is_directory(installed / "include", ec)) return fs::weakly_canonical(installed, ec);
    }
    return HVSIM_KERNEL_DIR;
}

Tree open_tree(const fs::path& root) {
    std::error_code ec;
    if (!fs::is_directory(root, ec))
        throw TreeError(root.string() + ": not a directory (expected the root of a Linux source tree)");
    for (const auto& req : kRequired)
        if (!fs::exists(root / req.path, ec))
            throw TreeError(root.string() + ": no " + req.path + " (" + req.what +
                            "); hvsim kernel check needs a tree with the mshv root driver");
    Tree tree{root, {root / "drivers/hv/mshv_root_hv_call.c"}, {}};
    for (const char* rel : kOptionalSources)
        if (fs::exists(root / rel, ec)) tree.sources.push_back(root / rel);
    // A function the tree's sources define or call: a prototype in a header alone is not enough
    // (a header may be newer than the file that should define it).
    std::string text;
    for (const auto& src : tree.sources) text += read_text(src);
    for (const auto& fn : known_functions())
        if (mentions_function(text, std::string(fn.name))) tree.functions.insert(std::string(fn.name));
    return tree;
}

LoadedTree::~LoadedTree() {
    if (handle_ != nullptr) ::dlclose(handle_);
    if (!keep_ && !work_dir_.empty()) {
        std::error_code ec;
        fs::remove_all(work_dir_, ec);
    }
}

std::unique_ptr<LoadedTree> build_tree(Tree tree, const BuildOptions& options) {
    const auto started = std::chrono::steady_clock::now();
    std::unique_ptr<LoadedTree> loaded(new LoadedTree);
    loaded->cc_ = options.cc.empty() ? default_compiler() : options.cc;
    loaded->work_dir_ = make_work_dir(options);
    loaded->keep_ = options.keep;
    const fs::path work = loaded->work_dir_;
    const fs::path env = environment_dir();
    const fs::path inc = tree_includes(tree, work);

    // Which functions the glue may call: the tree has them (see open_tree).
    {
        std::ofstream have(work / "hvsim_tree_functions.h");
        have << "/* Generated by hvsim kernel check: the driver functions this tree has. */\n";
        for (const auto& fn : tree.functions) have << "#define HVSIM_HAVE_" << fn << " 1\n";
    }

    std::vector<fs::path> sources = tree.sources;
    sources.push_back(env / "glue/hvsim_glue.c");
    std::vector<std::string> objects;
    for (std::size_t i = 0; i < sources.size(); ++i) {
        const std::string object = (work / ("unit" + std::to_string(i) + ".o")).string();
        std::vector<std::string> argv = compile_flags(loaded->cc_, tree, inc);
        argv.insert(argv.end(), {"-include", (work / "hvsim_tree_functions.h").string()});
        argv.insert(argv.end(), options.extra_flags.begin(), options.extra_flags.end());
        argv.insert(argv.end(), {"-c", sources[i].string(), "-o", object});
        const auto result = run_process(argv, work / "compile.log");
        if (result.status == -1 && result.output.starts_with("cannot run"))
            throw TreeError(tree.root.string() + ": " + result.output + " (the C compiler: --cc, or $CC)");
        if (result.status != 0) {
            const bool ours = i + 1 == sources.size();
            throw TreeError(tree.root.string() + ": " +
                            (ours ? "hvsim's glue" : fs::relative(sources[i], tree.root).string()) +
                            " does not compile against hvsim's kernel environment: " +
                            as_tree_paths(first_error(result.output), tree, inc));
        }
        objects.push_back(object);
    }
    const std::string shared = (work / "tree.so").string();
    std::vector<std::string> link = {loaded->cc_, "-shared", "-o", shared};
    link.insert(link.end(), options.extra_flags.begin(), options.extra_flags.end());
    link.insert(link.end(), objects.begin(), objects.end());
    if (const auto result = run_process(link, work / "link.log"); result.status != 0)
        throw TreeError(tree.root.string() + ": linking the driver files failed: " + first_error(result.output));

    loaded->handle_ = ::dlopen(shared.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (loaded->handle_ == nullptr) {
        const std::string why = ::dlerror();
        const auto at = why.find("undefined symbol: ");
        if (at != std::string::npos)
            throw TreeError(tree.root.string() + ": the driver files use " + why.substr(at + 18) +
                            ", which hvsim's kernel environment does not provide");
        throw TreeError(tree.root.string() + ": cannot load the built driver files: " + why);
    }
    using ApiFn = const hvsim_kernel_api* (*)();
    auto api_fn = reinterpret_cast<ApiFn>(::dlsym(loaded->handle_, "hvsim_kernel_api_table"));
    if (api_fn == nullptr || api_fn() == nullptr || api_fn()->version != HVSIM_KERNEL_API_VERSION)
        throw TreeError(tree.root.string() + ": hvsim's glue did not load (version mismatch)");
    loaded->api_ = api_fn();
    loaded->tree_ = std::move(tree);
    loaded->build_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return loaded;
}

}  // namespace hvsim::kernel
