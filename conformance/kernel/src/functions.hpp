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
    // Upstream's documented answer to a failure it cannot handle is BUG() (hv_lp_exists at
    // boot, A-PROC): under an injected failure that BUG is the contract, not a finding.
    bool bugs_on_failure = false;
};

[[nodiscard]] std::span<const KnownFunction> known_functions() noexcept;
[[nodiscard]] std::vector<std::string> known_function_names();
[[nodiscard]] bool bugs_on_failure(std::string_view function) noexcept;

}  // namespace hvsim::kernel
