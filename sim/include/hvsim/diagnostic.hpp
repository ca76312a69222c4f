// Why the model rejected a call (or recorded a violation): the rule, and where.
#pragma once

#include <cstdint>
#include <string>

#include "hvsim/rules.hpp"

namespace hvsim {

// Which part of the call the offending value came from.
enum class Site : std::uint8_t {
    control,     // the control word; `bits` are the offending control bits
    input,       // the input block; `offset` is the byte offset in it
    input_gpa,   // the input GPA register
    output_gpa,  // the output GPA register
    none,
};

struct Diagnostic {
    RuleId rule{};
    hvcall::Status status{};  // what the call returned (the rule's status, or the plan's)
    Site site = Site::none;
    std::uint32_t offset = 0;  // byte offset in the input block when site == input
    std::uint64_t value = 0;   // the offending value (a GPA, a size, a field)
    std::uint64_t bits = 0;    // the offending bits, where a mask applies
    std::uint32_t size = 0;    // the parameter block's size, for GPA rules

    [[nodiscard]] const RuleInfo& info() const noexcept { return rule_info(rule); }
    friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
};

// "control.reserved_bits: control bits 30:27, ... must be zero (control bits 0x8000000 set: bit 27)"
[[nodiscard]] std::string describe(const Diagnostic& d);
// The bracketed detail alone: "control bits 0x8000000 set: bit 27".
[[nodiscard]] std::string describe_detail(const Diagnostic& d);

}  // namespace hvsim
