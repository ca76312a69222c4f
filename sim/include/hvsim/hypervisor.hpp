// The hypervisor's state and its per-call handlers. Generic rules live in Machine; this
// holds what handlers read and change (partitions, pools, maps, VPs, ports as they arrive).
#pragma once

#include <array>
#include <cstdint>

#include "hvcall/catalogue.hpp"
#include "hvsim/call_context.hpp"

namespace hvsim {

class Hypervisor {
public:
    explicit Hypervisor(std::uint64_t root_partition_id);

    [[nodiscard]] std::uint64_t root_partition_id() const noexcept { return root_partition_id_; }

    [[nodiscard]] const Handler& handler(hvcall::CallId id) const noexcept {
        return handlers_[static_cast<std::size_t>(id)];
    }
    [[nodiscard]] bool implements(hvcall::CallId id) const noexcept { return static_cast<bool>(handler(id)); }
    // Replaces a handler; tests use it to give a catalogued shape a stub behaviour.
    void set_handler(hvcall::CallId id, Handler h) noexcept { handlers_[static_cast<std::size_t>(id)] = h; }

private:
    std::uint64_t root_partition_id_;
    std::array<Handler, hvcall::kCalls.size()> handlers_{};
};

// True when the built-in model has a handler for the call (what `hvsim calls` reports).
[[nodiscard]] bool model_implements(hvcall::CallId id) noexcept;

}  // namespace hvsim
