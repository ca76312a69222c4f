// Struct and union layouts as the compiler laid them out, read from the DWARF of a probe
// object (elfutils' libdw): sizes, member offsets in bits, bitfield widths, the declared type of
// each member. What `hvsim kernel audit` measures a tree's headers with -- never by parsing C.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hvsim::kernel::dwarf {

struct Member {
    std::string name;              // empty: an anonymous struct or union member
    std::uint64_t bit_offset = 0;  // from the start of the record
    std::uint64_t bit_size = 0;    // a bitfield's width; 0: not a bitfield
    std::uint64_t byte_size = 0;   // of its (declared) type; 0 for a flexible array
    std::string type;              // as declared: "u64", "struct hv_proximity_domain_info", "u8[3]"
    int record = -1;               // index of its struct/union type in Layouts::records
    bool scalar = false;           // a base, enum or pointer type, or an array of one

    [[nodiscard]] bool bitfield() const noexcept { return bit_size != 0; }
};

struct Record {
    std::string name;  // "hv_input_map_gpa_pages"; empty when anonymous
    bool is_union = false;
    std::uint64_t size = 0;
    std::vector<Member> members;
    std::string file;  // where it is declared, as the compiler saw the path
    unsigned line = 0;
};

struct Enumerator {
    std::string name;
    std::uint64_t value;
};

struct Layouts {
    std::vector<Record> records;          // every complete struct and union
    std::vector<Enumerator> enumerators;  // of every enum

    [[nodiscard]] const Record* find(const std::string& name) const;  // a named struct or union
    [[nodiscard]] std::optional<std::uint64_t> enumerator(const std::string& name) const;
};

// Reads a linked object (a shared object: its debug sections are relocated). Throws
// std::runtime_error naming the file when it has no usable DWARF.
[[nodiscard]] Layouts read(const std::filesystem::path& object);

// A member found by a dotted path ("proximity_domain_info.flags"), looking through anonymous
// members as C does; its offset in bits from the start of `record`.
struct Found {
    const Member* member;
    std::uint64_t bit_offset;
};
[[nodiscard]] std::optional<Found> find_member(const Layouts& layouts, const Record& record, const std::string& path);

}  // namespace hvsim::kernel::dwarf
