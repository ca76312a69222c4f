// The driver suite's scenarios (scenarios.cpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "run.hpp"

namespace hvsim::kernel {

struct Scenario {
    std::string name;
    // Besides the partition life cycle every scenario uses; "a|b": the tree's revision of the
    // function is named a or b (the glue adapts either).
    std::vector<std::string> functions;
    void (*body)(Run&);
};

// Every scenario makes and destroys a child partition with these.
inline const std::vector<std::string> kLifecycle = {"hv_call_create_partition", "hv_call_initialize_partition",
                                                    "hv_call_finalize_partition", "hv_call_withdraw_memory",
                                                    "hv_call_delete_partition"};

[[nodiscard]] std::vector<Scenario> scenarios();

// The name a requirement ("a|b") has in `tree`, or nothing when the tree has neither.
[[nodiscard]] std::optional<std::string> name_in_tree(const std::string& requirement, const Tree& tree);

}  // namespace hvsim::kernel
