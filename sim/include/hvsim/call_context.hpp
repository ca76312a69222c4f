// What a handler sees: the call's shape, its input and output blocks, and the only ways
// to end a call — ok(), or a rejection through a catalogued rule.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <type_traits>

#include "hvcall/catalogue.hpp"
#include "hvcall/control.hpp"
#include "hvsim/diagnostic.hpp"

namespace hvsim {

class Machine;
class Hypervisor;
class CallContext;

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
    CallContext(Machine& machine, Hypervisor& hv, const hvcall::CallInfo& call, hvcall::Control control,
                std::uint32_t cpu, std::span<const std::byte> input, std::span<std::byte> output) noexcept
        : call_(call), control_(control), cpu_(cpu), input_(input), output_(output), machine_(machine), hv_(hv) {}

    [[nodiscard]] const hvcall::CallInfo& call() const noexcept { return call_; }
    [[nodiscard]] hvcall::Control control() const noexcept { return control_; }
    [[nodiscard]] std::uint32_t cpu() const noexcept { return cpu_; }
    [[nodiscard]] Hypervisor& hypervisor() noexcept { return hv_; }
    [[nodiscard]] Machine& machine() noexcept { return machine_; }
    [[nodiscard]] std::span<const std::byte> input() const noexcept { return input_; }
    [[nodiscard]] std::span<std::byte> output() noexcept { return output_; }

    // Little-endian field access at the offsets the specification gives.
    template <class T>
    [[nodiscard]] T in(std::size_t offset) const noexcept {
        static_assert(std::is_trivially_copyable_v<T>);
        T v{};
        std::memcpy(&v, input_.data() + offset, sizeof v);
        return v;
    }
    template <class T>
    void out(std::size_t offset, T value) noexcept {
        static_assert(std::is_trivially_copyable_v<T>);
        std::memcpy(output_.data() + offset, &value, sizeof value);
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
    // (Machine::breach): an enforced rule, or a spec-only one on a machine that rejects them,
    // ends the call and the rejection is returned; else the violation is recorded and nothing
    // is returned: the call proceeds.
    [[nodiscard]] std::optional<Outcome> violation(RuleId rule, Site site, std::uint32_t offset,
                                                   std::uint64_t value, std::uint64_t bits = 0) noexcept;
    // Every allocation from deposited memory asks first: the fault plan may make it fail.
    [[nodiscard]] bool allocation_fails() noexcept;

private:
    const hvcall::CallInfo& call_;
    hvcall::Control control_;
    std::uint32_t cpu_;
    std::span<const std::byte> input_;
    std::span<std::byte> output_;
    Machine& machine_;
    Hypervisor& hv_;
};

// A simple call's handler, or a rep call's per-element handler (the engine owns the loop).
using SimpleHandler = Outcome (*)(CallContext&);
using RepHandler = Outcome (*)(CallContext&, std::uint32_t index);
// Optional bulk form of a rep handler: runs elements [first, first + count) in one go where it
// can, with exactly the effects the element handler would have, and returns how many it ran
// (a prefix; 0 is always allowed). It never rejects: whatever it cannot do is left to the
// element handler. The engine uses it only when no fault plan is active.
using RepBatchHandler = std::uint32_t (*)(CallContext&, std::uint32_t first, std::uint32_t count);

struct Handler {
    SimpleHandler simple = nullptr;
    RepHandler element = nullptr;
    RepBatchHandler batch = nullptr;
    [[nodiscard]] explicit operator bool() const noexcept { return simple != nullptr || element != nullptr; }
};

}  // namespace hvsim
