// `hvsim rules`: the rule catalogue (sim/include/hvsim/rules.def), every check the model makes.
#include <iomanip>
#include <iostream>

#include "hvsim/rules.hpp"
#include "verbs.hpp"

namespace hvsim::cli {

void add_rules(CLI::App& app) {
    auto* verb = app.add_subcommand("rules", "List the rule catalogue: id, status, strength, statement and source");
    auto json = std::make_shared<bool>(false);
    add_json_flag(*verb, *json);
    verb->callback([json] {
        if (*json) {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& r : kRules)
                out.push_back({{"id", r.id},
                               {"status", static_cast<unsigned>(r.status)},
                               {"status_name", hvcall::status_name(r.status)},
                               {"strength", to_string(r.strength)},
                               {"statement", r.statement},
                               {"source", r.source}});
            print_json(out);
            return;
        }
        std::size_t width = 2;
        for (const auto& r : kRules) width = std::max(width, r.id.size());
        for (const auto& r : kRules) {
            std::cout << std::left << std::setw(static_cast<int>(width) + 2) << r.id << std::setw(30)
                      << hvcall::status_name(r.status) << std::setw(11) << to_string(r.strength) << r.statement << "\n"
                      << std::setw(static_cast<int>(width) + 2) << ""
                      << "source: " << r.source << "\n";
        }
        std::cout << kRules.size() << " rules\n";
    });
}

}  // namespace hvsim::cli
