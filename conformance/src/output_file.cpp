#include "hvsim/conformance/output_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace hvsim::conformance {
namespace fs = std::filesystem;

bool is_stdout_path(const std::string& path) noexcept { return path == "-" || path == "/dev/stdout"; }

std::string output_conflict(const std::string& output, const std::vector<std::string>& inputs) {
    std::error_code ec;
    const fs::path out = fs::weakly_canonical(fs::absolute(output, ec), ec);
    for (const auto& input : inputs) {
        std::error_code in_ec;
        if (fs::exists(output, in_ec) && fs::equivalent(output, input, in_ec)) return "it is the input " + input;
        const fs::path in = fs::weakly_canonical(fs::absolute(input, in_ec), in_ec);
        if (in_ec) continue;
        if (out == in) return "it is the input " + input;
        if (fs::is_directory(in, in_ec) && out.extension() == ".json") {
            const auto rel = out.lexically_relative(in);
            if (!rel.empty() && *rel.begin() != "..") return "it is a scenario file of the input directory " + input;
        }
    }
    return "";
}

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
    std::error_code ec;
    const bool special = is_stdout_path(path) || (fs::exists(path, ec) && !fs::is_regular_file(path, ec));
    const std::string target = path == "-" ? "/dev/stdout" : path;
    const std::string temp = special ? target : path + ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error(path + ": cannot write: " + std::strerror(errno));
        write(out);
        out.flush();
        if (!out) {
            const int e = errno;
            if (!special) fs::remove(temp, ec);
            throw std::runtime_error(path + ": error writing: " + std::strerror(e));
        }
    }
    if (special) return;
    fs::rename(temp, path, ec);
    if (ec) {
        std::error_code rm;
        fs::remove(temp, rm);
        throw std::runtime_error(path + ": cannot replace it: " + ec.message());
    }
}

}  // namespace hvsim::conformance
