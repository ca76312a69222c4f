#include "hvsim/diagnostic.hpp"

#include <cinttypes>
#include <cstdio>

namespace hvsim {

namespace {

std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    return buf;
}

std::string bit_list(std::uint64_t bits) {
    std::string s;
    for (unsigned b = 0; b < 64; ++b) {
        if ((bits >> b & 1) == 0) continue;
        s += s.empty() ? "bit " : ", ";
        s += std::to_string(b);
    }
    return s;
}

}  // namespace

std::string describe_detail(const Diagnostic& d) {
    switch (d.site) {
        case Site::control:
            if (d.rule == RuleId::control_reserved_bits || d.rule == RuleId::control_nested ||
                d.rule == RuleId::control_fast_not_allowed)
                return "control word " + hex(d.value) + ", " + bit_list(d.bits) + " set";
            if (d.rule == RuleId::fault_injected_status)
                return "status " + hex(d.value) + " (" + std::string(hvcall::status_name(d.status)) +
                       ") from the fault plan";
            if (d.rule == RuleId::fast_input_too_large || d.rule == RuleId::fast_output_too_large ||
                d.rule == RuleId::fast_xmm_not_allowed)
                return std::to_string(d.value) + " bytes";
            if (d.bits != 0) return "control field value " + std::to_string(d.value) + " (mask " + hex(d.bits) + ")";
            return "value " + std::to_string(d.value);
        case Site::input:
            return "input offset " + std::to_string(d.offset) + ": value " + hex(d.value) +
                   (d.bits != 0 ? ", offending bits " + hex(d.bits) : std::string{});
        case Site::input_gpa:
        case Site::output_gpa:
            return std::string(d.site == Site::input_gpa ? "input" : "output") + " block at GPA " + hex(d.value) +
                   ", " + std::to_string(d.size) + " bytes";
        case Site::none:
            break;
    }
    return {};
}

std::string describe(const Diagnostic& d) {
    std::string s{d.info().id};
    s += ": ";
    s += d.info().statement;
    if (std::string detail = describe_detail(d); !detail.empty()) s += " (" + detail + ")";
    return s;
}

}  // namespace hvsim
