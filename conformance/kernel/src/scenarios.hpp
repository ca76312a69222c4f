// The driver suite's scenarios (scenarios.cpp).
#pragma once

#include <string>
#include <vector>

#include "run.hpp"

namespace hvsim::kernel {

struct Scenario {
    std::string name;
    std::vector<std::string> functions;  // besides the partition life cycle every scenario uses
    void (*body)(Run&);
};

// Every scenario makes and destroys a child partition with these.
inline const std::vector<std::string> kLifecycle = {"hv_call_create_partition", "hv_call_initialize_partition",
                                                   "hv_call_finalize_partition", "hv_call_withdraw_memory",
                                                   "hv_call_delete_partition"};

[[nodiscard]] std::vector<Scenario> scenarios();

}  // namespace hvsim::kernel
