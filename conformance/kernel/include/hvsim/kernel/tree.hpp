// A Linux tree's Hyper-V root driver files, built unchanged against hvsim's kernel
// environment into a shared object and loaded into this process, where its hypercalls reach
// the model through the shim (sim/shim). What `hvsim kernel check` and `kernel fuzz` start from.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

struct hvsim_kernel_api;

namespace hvsim::kernel {

// A tree hvsim cannot use: not a kernel tree, a file missing, a compile or load failure. The
// message is one line naming the tree, the file and what was expected (exit 2).
class TreeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The files of a tree that take part, found under its root.
struct Tree {
    std::filesystem::path root;
    std::vector<std::filesystem::path> sources;  // drivers/hv/*.c compiled, mshv_root_hv_call.c first
    std::set<std::string> functions;             // driver functions the tree declares that hvsim can call
};

// Checks the layout (drivers/hv/mshv_root_hv_call.c, include/hyperv/, asm-generic/mshyperv.h,
// uapi/linux/mshv.h, drivers/hv/mshv_root.h) and finds which functions the tree has.
[[nodiscard]] Tree open_tree(const std::filesystem::path& root);

struct BuildOptions {
    std::string cc;                        // empty: $CC, else the C compiler hvsim was built with, else "cc"
    std::filesystem::path work_dir;        // empty: a new directory under the system temp dir
    bool keep = false;                     // keep the work directory (objects, the shared object)
    std::vector<std::string> extra_flags;  // more compiler flags (a fuzzer's coverage, sanitizers)
};

// The tree, compiled and loaded. Unloads on destruction; one at a time per process.
class LoadedTree {
public:
    LoadedTree(const LoadedTree&) = delete;
    LoadedTree& operator=(const LoadedTree&) = delete;
    ~LoadedTree();

    [[nodiscard]] const Tree& tree() const noexcept { return tree_; }
    [[nodiscard]] const hvsim_kernel_api& api() const noexcept { return *api_; }
    [[nodiscard]] double build_seconds() const noexcept { return build_seconds_; }
    [[nodiscard]] const std::string& compiler() const noexcept { return cc_; }

    friend std::unique_ptr<LoadedTree> build_tree(Tree tree, const BuildOptions& options);

private:
    LoadedTree() = default;
    Tree tree_;
    void* handle_ = nullptr;
    const hvsim_kernel_api* api_ = nullptr;
    std::filesystem::path work_dir_;
    bool keep_ = false;
    double build_seconds_ = 0;
    std::string cc_;
};

// Compiles the tree's sources and hvsim's glue against hvsim's kernel environment (the
// tree's own headers for everything Hyper-V) and loads the result. Throws TreeError with the
// compiler's first error, or the symbol hvsim's environment lacks.
[[nodiscard]] std::unique_ptr<LoadedTree> build_tree(Tree tree, const BuildOptions& options = {});

// Compiles probes -- small C files of hvsim's that include a tree's headers -- exactly as
// build_tree compiles the tree's own files (hvsim's kernel environment, then only the tree's
// Hyper-V headers, then drivers/hv), for the header audit. The work directory goes with it.
class ProbeCompiler {
public:
    ProbeCompiler(const Tree& tree, const BuildOptions& options);
    ProbeCompiler(const ProbeCompiler&) = delete;
    ProbeCompiler& operator=(const ProbeCompiler&) = delete;
    ~ProbeCompiler();

    struct Result {
        std::filesystem::path output;  // the shared object, or the macro list (-E -dM)
        std::string error;             // empty on success: else the compiler's first error, one line
    };
    // With debug information for every type declared, linked into a shared object.
    Result shared_object(const std::string& name, const std::string& source);
    // Whether `source` compiles (-fsyntax-only); output is empty.
    Result syntax(const std::string& name, const std::string& source);
    // The macros defined after preprocessing `source` (-E -dM), one "#define" per line.
    Result macros(const std::string& name, const std::string& source);

    // A path in the compiler's messages or debug information, as the user knows it: relative
    // to the tree's root when it is the tree's, else unchanged.
    [[nodiscard]] std::string tree_path(const std::string& compiler_path) const;
    [[nodiscard]] bool in_tree(const std::string& compiler_path) const;
    [[nodiscard]] const std::string& compiler() const noexcept { return cc_; }

private:
    Result run(const std::string& name, const std::string& source, std::vector<std::string> flags,
               const std::string& out);
    const Tree& tree_;
    std::string cc_;
    std::filesystem::path work_, include_;
    bool keep_ = false;
};

// Where hvsim's kernel environment and glue live: $HVSIM_KERNEL_DIR, the installed copy beside
// the running executable (share/hvsim/kernel), else the source tree's.
[[nodiscard]] std::filesystem::path environment_dir();

}  // namespace hvsim::kernel
