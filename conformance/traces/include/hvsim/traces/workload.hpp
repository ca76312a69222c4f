// Built-in workloads: fixed sequences of marshalled hypercalls for `hvsim record`, the golden
// traces and the tests, until the scenario runner can run over an arbitrary Backend.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hvcall/backend.hpp"
#include "hvcall/calls/common.hpp"

namespace hvsim::traces {

struct WorkloadEnv {
    hvcall::Backend& backend;
    hvcall::HostPages& pages;
    std::uint64_t root_id = 1;
};

// "lifecycle": partitions, deposits, GPA maps, VPs, rejections, teardown.
// "passthrough": a partition and a VP, then only calls MSHV_ROOT_HVCALL passes through, on the
//   partition and (get partition property, _ex) on the root itself.
// "scale:N": N rounds of cheap calls, for benchmarks.
[[nodiscard]] std::vector<std::string> workload_names();
// False when `name` is not a workload.
bool run_workload(std::string_view name, WorkloadEnv& env);

}  // namespace hvsim::traces
