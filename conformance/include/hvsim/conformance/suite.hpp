// The built-in suite: conformance/suite/*.json, embedded into the binary at build time so
// `hvsim conformance` runs from any directory.
#pragma once

#include <string_view>
#include <vector>

#include "hvsim/conformance/scenario.hpp"

namespace hvsim::conformance {

struct EmbeddedFile {
    std::string_view name;  // "map_gpa_pages.json"
    std::string_view text;
};

[[nodiscard]] const std::vector<EmbeddedFile>& embedded_suite();
// Every embedded file parsed, named "suite/<file>" in messages; throws LoadError.
[[nodiscard]] std::vector<Scenario> load_embedded_suite();

}  // namespace hvsim::conformance
