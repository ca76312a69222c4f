// `hvsim status`: the status codes (status.def) with the errno Linux turns each into.
#include <iomanip>
#include <iostream>
#include <memory>

#include "hvcall/errno.hpp"
#include "hvcall/errno_names.hpp"
#include "verbs.hpp"

namespace hvsim::cli {

void add_status(CLI::App& app) {
    auto json = std::make_shared<bool>(false);
    CLI::App* sub = app.add_subcommand("status", "List the hypervisor status codes with messages and Linux errno");
    add_json_flag(*sub, *json);
    sub->callback([json] {
        if (*json) {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& s : hvcall::kStatuses) {
                const int err = hvcall::errno_for_status(s.status);
                out.push_back({{"value", static_cast<std::uint16_t>(s.status)},
                               {"value_hex", hex(static_cast<std::uint16_t>(s.status), 4)},
                               {"name", s.name},
                               {"linux_name", "HV_STATUS_" + std::string(s.name)},
                               {"message", s.message},
                               {"errno", err},
                               {"errno_name", hvcall::errno_text(err)}});
            }
            return print_json(out);
        }
        std::size_t name_width = 4;
        for (const auto& s : hvcall::kStatuses) name_width = std::max(name_width, s.name.size());
        const int w = static_cast<int>(name_width) + 2;
        std::cout << std::left << std::setw(8) << "VALUE" << std::setw(w) << "NAME" << std::setw(9) << "ERRNO"
                  << "MESSAGE\n";
        for (const auto& s : hvcall::kStatuses) {
            std::cout << std::setw(8) << hex(static_cast<std::uint16_t>(s.status), 4) << std::setw(w) << s.name
                      << std::setw(9) << hvcall::errno_text(hvcall::errno_for_status(s.status)) << s.message << '\n';
        }
        std::cout << "ERRNO is what Linux's hv_result_to_errno() returns for the status\n";
    });
}

}  // namespace hvsim::cli
