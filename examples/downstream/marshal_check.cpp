// What a VMM's unit test does with hvsim: run its hypercall marshalling against the model and
// ask why a call was refused. Here hvcall's own functions stand in for the VMM's code: create
// and initialize a partition (with the deposits the model asks for), then a call with a
// reserved control bit, which the model rejects naming the rule.
#include <cstdio>

#include "hvcall/calls/partition.hpp"
#include "hvsim/host_pages.hpp"
#include "hvsim/machine.hpp"

int main() {
    hvsim::Machine machine;
    hvsim::SimBackend cpu(machine);
    hvsim::HostPageSource pages(machine);

    std::uint64_t id = 0;
    if (const int rc = hvcall::create_partition(cpu, pages, {}, machine.config().root_partition_id, id); rc != 0) {
        std::fprintf(stderr, "create_partition: %d\n", rc);
        return 1;
    }
    if (const int rc = hvcall::initialize_partition(cpu, pages, id); rc != 0) {
        std::fprintf(stderr, "initialize_partition: %d\n", rc);
        return 1;
    }

    const auto result = cpu.hypercall(hvcall::Control::from_raw(0x0046 | (1ull << 27)));  // get_partition_id, bit 27
    const auto& why = machine.last_diagnostic();
    if (result.status() == hvcall::Status::SUCCESS || !why || why->info().id != "control.reserved_bits") {
        std::fprintf(stderr, "the reserved bit was not rejected as control.reserved_bits\n");
        return 1;
    }
    std::printf("partition %llu created and initialized; bit 27 rejected: %s\n", static_cast<unsigned long long>(id),
                hvsim::describe(*why).c_str());
    return 0;
}
