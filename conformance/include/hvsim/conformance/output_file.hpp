// Where hvsim writes: never over one of the files it reads, and whole files (JUnit, reports)
// through a temporary file renamed into place, so a failed or interrupted write leaves what
// was there. Traces are the exception: they are written as they are recorded, so that a
// killed recording keeps what it recorded (the reader ignores a cut-off last record).
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace hvsim::conformance {

// Why `output` must not be written given the inputs (files, or directories whose *.json files
// are read): it is one of them, or a scenario a directory input would read. Empty: it may be.
[[nodiscard]] std::string output_conflict(const std::string& output, const std::vector<std::string>& inputs);

// Standard output, by its two spellings ("-" and "/dev/stdout"): a verb then prints its
// summary on standard error.
[[nodiscard]] bool is_stdout_path(const std::string& path) noexcept;

// The whole file through "<path>.tmp-<pid>" renamed over `path`; a special file (a pipe,
// /dev/stdout) is written directly. Throws std::runtime_error naming the path.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace hvsim::conformance
