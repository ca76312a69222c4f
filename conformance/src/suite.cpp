#include "hvsim/conformance/suite.hpp"

namespace hvsim::conformance {

std::vector<Scenario> load_embedded_suite() {
    std::vector<Scenario> all;
    for (const auto& f : embedded_suite()) {
        auto s = load_scenarios("suite/" + std::string(f.name), std::string(f.text));
        all.insert(all.end(), std::make_move_iterator(s.begin()), std::make_move_iterator(s.end()));
    }
    return all;
}

}  // namespace hvsim::conformance
