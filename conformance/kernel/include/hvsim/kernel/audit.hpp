// The header audit (`hvsim kernel audit TREE`, and the first part of `kernel check`): a tree's
// Hyper-V headers compiled into a probe, their layouts read from the compiler's debug
// information, and judged against what hvsim knows on its own -- the catalogue's block sizes,
// the model's field table (sim/include/hvsim/fields.def), the ioctl mirror (mshv_uapi.hpp) --
// and against the rules a layout must keep (bitfields that fit their storage unit, unions
// whose views agree, one number per ioctl).
#pragma once

#include <string>
#include <vector>

#include "hvsim/kernel/tree.hpp"

namespace hvsim::kernel {

struct AuditFinding {
    std::string id;        // "layout.size", "bitfield.overflows_unit", "ioctl.duplicate", ...
    std::string subject;   // "struct hv_input_map_gpa_pages", "MSHV_CREATE_VP"
    std::string where;     // "include/hyperv/hvhdk_mini.h:43"
    std::string evidence;  // one line: the tree's value and hvsim's
};

// One ioctl of the tree's uapi, as the compiler evaluated it.
struct AuditIoctl {
    std::string name;
    std::uint32_t number = 0;
    std::string argument;  // the macro's type argument ("struct mshv_create_vp"), empty for _IO
    [[nodiscard]] std::uint32_t dir() const noexcept { return number >> 30; }
    [[nodiscard]] std::uint32_t size() const noexcept { return (number >> 16) & 0x3FFF; }
    [[nodiscard]] std::uint32_t type() const noexcept { return (number >> 8) & 0xFF; }
    [[nodiscard]] std::uint32_t nr() const noexcept { return number & 0xFF; }
};

struct AuditReport {
    std::vector<AuditFinding> findings;
    std::vector<std::string> notes;    // what was not checked, and why
    std::vector<std::string> headers;  // the tree's headers the probe compiled
    std::vector<AuditIoctl> ioctls;
    std::size_t records = 0;  // structs and unions of the tree's headers
    std::size_t blocks_checked = 0, fields_checked = 0;
    double seconds = 0;
    std::string compiler;
};

// Throws TreeError when the tree's headers do not compile in hvsim's environment.
[[nodiscard]] AuditReport audit_tree(const Tree& tree, const BuildOptions& options = {});

}  // namespace hvsim::kernel
