// What a handler sees, and its only way into the model: the call's shape, its input and
// output blocks (bounded), the model's state, the root's memory, the machine's configuration,
// and the only ways to end a call — ok(), or a rejection through a catalogued rule.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <span>
#include <type_traits>

#include "hvcall/catalogue.hpp"
#include "hvcall/control.hpp"
#include "hvsim/config.hpp"
#include "hvsim/diagnostic.hpp"
#include "hvsim/journal.hpp"
#include "hvsim/memory.hpp"

// Preconditions on handlers (a field read or written outside its call's block) abort with a
// message. On unless the build sets HVSIM_PRECONDITIONS=0 (CMake option HVSIM_PRECONDITIONS,
// sim/CMakeLists.txt): NDEBUG does not turn them off, since the test builds are RelWithDebInfo.
#ifndef HVSIM_PRECONDITIONS
#define HVSIM_PRECONDITIONS 1
#endif

namespace hvsim {

namespace state {
class State;
}

class CallContext;

// The model a call runs against, as Machine hands it to the call's CallContext.
struct CallModel {
    state::State& state;
    std::uint64_t& generation;  // Hypervisor's change count: taking the state bumps it
    PhysicalMemory& memory;
    const MachineConfig& config;
    CallJournal& journal;
};

// A handler's verdict. Success is free to make; an error only comes from CallContext::reject.
class [[nodiscard]] Outcome {
public:
    static constexpr Outcome ok() noexcept { return Outcome{hvcall::Status::SUCCESS}; }
    [[nodiscard]] constexpr hvcall::Status status() const noexcept { return status_; }
    [[nodiscard]] constexpr bool is_ok() const noexcept { return status_ == hvcall::Status::SUCCESS; }

private:
    friend class CallContext;
    constexpr explicit Outcome(hvcall::Status s) noexcept : status_(s) {}
    hvcall::Status status_;
};

class CallContext {
public:
    // `input` and `output` are the call's whole blocks, exactly the sizes Machine checked:
    // header, variable header and every rep element; fixed output and every rep element.
    CallContext(const hvcall::CallInfo& call, hvcall::Control control, std::uint32_t cpu,
                std::span<const std::byte> input, std::span<std::byte> output, const CallModel& model) noexcept
        : call_(call), control_(control), cpu_(cpu), input_(input), output_(output), model_(model) {}

    [[nodiscard]] const hvcall::CallInfo& call() const noexcept { return call_; }
    [[nodiscard]] hvcall::Control control() const noexcept { return control_; }
    [[nodiscard]] std::uint32_t cpu() const noexcept { return cpu_; }
    [[nodiscard]] std::span<const std::byte> input() const noexcept { return input_; }
    [[nodiscard]] std::span<std::byte> output() noexcept { return output_; }

    // The model's state (sim/src/state/state.hpp). Taking it to change it counts as a change
    // (Hypervisor::check_invariants runs again); view() reads without counting.
    [[nodiscard]] state::State& state() noexcept {
        ++model_.generation;
        return model_.state;
    }
    [[nodiscard]] const state::State& view() const noexcept { return model_.state; }
    // The root partition's physical memory: host pages handlers read and fill.
    [[nodiscard]] PhysicalMemory& memory() noexcept { return model_.memory; }
    // The machine's configuration (CPUs, per-CPU pages, the root's id).
    [[nodiscard]] const MachineConfig& config() const noexcept { return model_.config; }

    // Little-endian field access at the offsets the specification gives. The field lies in
    // the call's block (a precondition: see HVSIM_PRECONDITIONS).
    template <class T>
    [[nodiscard]] T in(std::size_t offset) const noexcept {
        static_assert(std::is_trivially_copyable_v<T>);
        check(true, offset, sizeof(T));
        T v{};
        std::memcpy(&v, input_.data() + offset, sizeof v);
        return v;
    }
    template <class T>
    void out(std::size_t offset, T value) noexcept {
        static_assert(std::is_trivially_copyable_v<T>);
        check(false, offset, sizeof(T));
        std::memcpy(output_.data() + offset, &value, sizeof value);
    }
    // Byte runs of the blocks, bounded alike.
    [[nodiscard]] std::span<const std::byte> in_bytes(std::size_t offset, std::size_t size) const noexcept {
        check(true, offset, size);
        return {input_.data() + offset, size};
    }
    [[nodiscard]] std::span<std::byte> out_bytes(std::size_t offset, std::size_t size) noexcept {
        check(false, offset, size);
        return {output_.data() + offset, size};
    }
    // Where rep element `index` starts in the input and output blocks.
    [[nodiscard]] std::size_t rep_input_offset(std::uint32_t index) const noexcept {
        return call_.input_header_size + control_.varhead_qwords() * 8u + std::size_t{index} * call_.rep_input_size;
    }
    [[nodiscard]] std::size_t rep_output_offset(std::uint32_t index) const noexcept {
        return call_.output_size + std::size_t{index} * call_.rep_output_size;
    }

    // Ends the call with an enforced rule's status and records the diagnostic.
    [[nodiscard]] Outcome reject(EnforcedRule rule, Site site = Site::none, std::uint32_t offset = 0,
                                 std::uint64_t value = 0, std::uint64_t bits = 0) noexcept;
    // A rule was broken where the call could go on (a reserved field). The catalogue decides
    // (CallJournal::breach): an enforced rule, or a spec-only one on a machine that rejects
    // them, ends the call and the rejection is returned; else the violation is recorded and
    // nothing is returned: the call proceeds.
    [[nodiscard]] std::optional<Outcome> violation(RuleId rule, Site site, std::uint32_t offset, std::uint64_t value,
                                                   std::uint64_t bits = 0) noexcept;
    // Every allocation from deposited memory asks first: the fault plan may make it fail.
    [[nodiscard]] bool allocation_fails() noexcept { return model_.journal.allocation_fails(); }
    // The same question without asking: a bulk step stops before an allocation that would fail.
    [[nodiscard]] bool next_allocation_fails() const noexcept { return model_.journal.next_allocation_fails(); }

private:
    void check(bool input, std::size_t offset, std::size_t size) const noexcept {
#if HVSIM_PRECONDITIONS
        const std::size_t block = input ? input_.size() : output_.size();
        if (offset > block || size > block - offset) [[unlikely]]
            outside_block(input, offset, size);
#else
        (void)input, (void)offset, (void)size;
#endif
    }
    // Names the call, the block, the offset and the sizes on stderr, and aborts.
    [[noreturn]] void outside_block(bool input, std::size_t offset, std::size_t size) const noexcept;

    const hvcall::CallInfo& call_;
    hvcall::Control control_;
    std::uint32_t cpu_;
    std::span<const std::byte> input_;
    std::span<std::byte> output_;
    CallModel model_;
};

// A rep call's header, read and checked once per call and handed to each of its elements: the
// call's own struct (what its header says, and what the checks looked up), kept in storage the
// engine owns for the length of one call. rep_handler() below types it.
class RepHeader {
public:
    static constexpr std::size_t kBytes = 64;

    template <class H>
    H& emplace() noexcept {
        fits<H>();
        return *::new (static_cast<void*>(bytes_)) H{};
    }
    template <class H>
    [[nodiscard]] const H& get() const noexcept {
        fits<H>();
        return *std::launder(reinterpret_cast<const H*>(bytes_));
    }

private:
    template <class H>
    static constexpr void fits() noexcept {
        static_assert(sizeof(H) <= kBytes && alignof(H) <= alignof(std::max_align_t));
        static_assert(std::is_trivially_destructible_v<H>, "the engine never destroys a header");
    }
    alignas(std::max_align_t) std::byte bytes_[kBytes];
};

// A simple call's handler.
using SimpleHandler = Outcome (*)(CallContext&);
// A rep call's steps; the engine owns the loop (Machine::run). `header` runs once, before the
// element at rep start, and a rejection there is the first element's; `element` runs element
// `index`. `batch`, optional, is the bulk form: it runs elements [first, first + count) in one
// go where it can, with exactly the effects the element step would have, and returns how many
// it ran (a prefix; 0 is always allowed). It never rejects: whatever it cannot do is left to
// the element step, which also means it stops before an allocation the fault plan fails
// (CallContext::next_allocation_fails). The engine hands it no more elements than the fault
// plan lets run before it ends the call (FaultState::run_before_end).
using RepHeaderHandler = Outcome (*)(CallContext&, RepHeader&);
using RepHandler = Outcome (*)(CallContext&, const RepHeader&, std::uint32_t index);
using RepBatchHandler = std::uint32_t (*)(CallContext&, const RepHeader&, std::uint32_t first, std::uint32_t count);

struct Handler {
    SimpleHandler simple = nullptr;
    RepHeaderHandler header = nullptr;
    RepHandler element = nullptr;
    RepBatchHandler batch = nullptr;
    [[nodiscard]] explicit operator bool() const noexcept { return simple != nullptr || element != nullptr; }
};

// A rep call's Handler from its typed steps: Header(ctx, h) reads and checks the call's header
// into h, Element(ctx, h, index) runs one element, Batch(ctx, h, first, count) the bulk form.
template <class H, Outcome (*Header)(CallContext&, H&), Outcome (*Element)(CallContext&, const H&, std::uint32_t),
          std::uint32_t (*Batch)(CallContext&, const H&, std::uint32_t, std::uint32_t) = nullptr>
constexpr Handler rep_handler() noexcept {
    Handler h;
    h.header = [](CallContext& ctx, RepHeader& r) { return Header(ctx, r.emplace<H>()); };
    h.element = [](CallContext& ctx, const RepHeader& r, std::uint32_t index) {
        return Element(ctx, r.get<H>(), index);
    };
    if constexpr (Batch != nullptr)
        h.batch = [](CallContext& ctx, const RepHeader& r, std::uint32_t first, std::uint32_t count) {
            return Batch(ctx, r.get<H>(), first, count);
        };
    return h;
}

}  // namespace hvsim
