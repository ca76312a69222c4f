// The hypervisor's state and its per-call handlers. Generic rules live in Machine; this
// holds what handlers read and change (partitions, pools, maps, VPs, ports as they arrive),
// and the model API scenarios use to set up and inspect it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hvcall/catalogue.hpp"
#include "hvsim/call_context.hpp"
#include "hvsim/config.hpp"
#include "hvsim/model.hpp"

namespace hvsim {

namespace state {
class State;
}

class Hypervisor {
public:
    explicit Hypervisor(const MachineConfig& config);
    ~Hypervisor();
    Hypervisor(Hypervisor&&) noexcept;
    Hypervisor& operator=(Hypervisor&&) noexcept;

    [[nodiscard]] std::uint64_t root_partition_id() const noexcept { return root_partition_id_; }
    // Back to a new hypervisor's state and handlers, reusing the state's memory (Machine::reset).
    void reset();

    [[nodiscard]] const Handler& handler(hvcall::CallId id) const noexcept {
        return handlers_[static_cast<std::size_t>(id)];
    }
    [[nodiscard]] bool implements(hvcall::CallId id) const noexcept { return static_cast<bool>(handler(id)); }
    // Replaces a handler; tests use it to give a catalogued shape a stub behaviour.
    void set_handler(hvcall::CallId id, Handler h) noexcept { handlers_[static_cast<std::size_t>(id)] = h; }

    // --- the model's state, for set-up and assertions ------------------------------------------
    // Partitions other than the root, ascending.
    [[nodiscard]] std::vector<std::uint64_t> partition_ids() const;
    // A partition (the root too; HV_PARTITION_ID_SELF names the root), or nothing once deleted.
    [[nodiscard]] std::optional<PartitionInfo> partition(std::uint64_t id) const;
    [[nodiscard]] std::optional<PartitionState> partition_state(std::uint64_t id) const;
    // What a guest page maps to, or nothing when unmapped.
    [[nodiscard]] std::optional<GpaMapping> gpa_mapping(std::uint64_t id, std::uint64_t gfn) const;
    [[nodiscard]] std::vector<GpaExtent> gpa_extents(std::uint64_t id) const;
    // Heap bytes of one partition's GPA map (extents and table-page sets), and of all state.
    [[nodiscard]] std::size_t gpa_map_bytes(std::uint64_t id) const;
    [[nodiscard]] std::size_t model_bytes() const;
    // A property's current value, or nothing for an unknown code or partition.
    [[nodiscard]] std::optional<std::uint64_t> partition_property(std::uint64_t id, std::uint32_t code) const;

    // A partition's VP indices, ascending; a VP register's value (low, high); whether a vector
    // is pending on a VP; the message type in a VP's SINT slot (0: empty).
    [[nodiscard]] std::vector<std::uint32_t> vp_indices(std::uint64_t id) const;
    [[nodiscard]] std::optional<std::array<std::uint64_t, 2>> vp_register(std::uint64_t id, std::uint32_t vp,
                                                                          std::uint32_t name) const;
    [[nodiscard]] bool interrupt_pending(std::uint64_t id, std::uint32_t vp, std::uint32_t vector) const;
    [[nodiscard]] std::uint32_t message_type(std::uint64_t id, std::uint32_t vp, std::uint32_t sint) const;

    // Host pages: RAM is [0, MachineConfig::ram_bytes), MMIO the configured ranges.
    [[nodiscard]] PfnState pfn_state(std::uint64_t pfn) const;
    // How many pages from `pfn` on are free RAM (0 when `pfn` is not).
    [[nodiscard]] std::uint64_t free_ram_from(std::uint64_t pfn) const;
    [[nodiscard]] HostAccess host_access(std::uint64_t pfn) const;

    // Guest page access state bits (kPageAccessed | kPageDirty), 0 for unmapped pages.
    [[nodiscard]] std::uint8_t page_access_state(std::uint64_t id, std::uint64_t gfn) const;
    // The guest touches [gfn, gfn + count): accessed, and dirty when it writes. Pages that are
    // not mapped are skipped; returns how many were marked.
    std::uint64_t guest_access(std::uint64_t id, std::uint64_t gfn, std::uint64_t count, bool write);

    // Self-check of the whole state: ownership, pool counts, extent maps, table pages. Empty
    // when consistent, else one line per broken invariant. Fuzzers call it after every call,
    // most of which change nothing, so a state untouched since the last check is not rechecked.
    [[nodiscard]] std::string check_invariants() const;
    // The state a caller can observe, as text: partitions, properties, GPA maps, access bits,
    // mapped host pages, host access. Pool sizes are left out (retries deposit different
    // amounts); pages in use are in. Equal digests mean equal final states.
    [[nodiscard]] std::string digest() const;

    // Handlers' way in (sim/src/state/state.hpp). Taking the state to change it counts as a
    // change (check_invariants then runs again), so do not keep the reference across checks.
    [[nodiscard]] state::State& state() noexcept {
        ++generation_;
        return *state_;
    }
    [[nodiscard]] const state::State& state() const noexcept { return *state_; }
    // What Machine hands a call's handlers (CallModel): the state and the change count that
    // CallContext::state() bumps, so a call that never takes the state changes nothing.
    struct StateForCall {
        state::State& state;
        std::uint64_t& generation;
    };
    [[nodiscard]] StateForCall state_for_call() noexcept { return {*state_, generation_}; }

private:
    std::uint64_t root_partition_id_;
    std::array<Handler, hvcall::kCalls.size()> handlers_{};
    std::unique_ptr<state::State> state_;
    std::uint64_t generation_ = 1;  // bumped by every way to change state_
    mutable std::uint64_t checked_generation_ = 0;
    mutable std::string checked_;  // check_invariants' answer at checked_generation_
};

// True when the built-in model has a handler for the call (what `hvsim calls` reports).
[[nodiscard]] bool model_implements(hvcall::CallId id) noexcept;

}  // namespace hvsim
