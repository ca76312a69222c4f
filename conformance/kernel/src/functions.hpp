// The driver functions hvsim knows how to call, by the name a tree gives them, with the file
// that defines them upstream. The glue (sim/shim/kernel/glue/hvsim_glue.c) has one adapter
// per API revision of each; the driver suite (suite.cpp) says which scenarios use which.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hvsim::kernel {

struct KnownFunction {
    std::string_view name;  // "hv_call_map_gpa_pages"
    std::string_view file;  // "drivers/hv/mshv_root_hv_call.c"
};

[[nodiscard]] std::span<const KnownFunction> known_functions() noexcept;
[[nodiscard]] std::vector<std::string> known_function_names();

}  // namespace hvsim::kernel
