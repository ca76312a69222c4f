#include "dwarf.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <unistd.h>

#include <map>
#include <stdexcept>

namespace hvsim::kernel::dwarf {
namespace {

struct Reader {
    Layouts out;
    std::map<Dwarf_Off, int> by_die;

    static std::string name_of(Dwarf_Die* die) {
        const char* n = dwarf_diename(die);
        return n != nullptr ? n : "";
    }

    static std::optional<std::uint64_t> udata(Dwarf_Die* die, unsigned attribute) {
        Dwarf_Attribute a;
        Dwarf_Word w = 0;
        if (dwarf_attr(die, attribute, &a) == nullptr || dwarf_formudata(&a, &w) != 0) return std::nullopt;
        return w;
    }

    static bool type_of(Dwarf_Die* die, Dwarf_Die* type) {
        Dwarf_Attribute a;
        return dwarf_attr_integrate(die, DW_AT_type, &a) != nullptr && dwarf_formref_die(&a, type) != nullptr;
    }

    // How the type reads in a declaration: typedef names kept ("u64"), records tagged.
    static std::string spelling(Dwarf_Die* type) {
        switch (dwarf_tag(type)) {
            case DW_TAG_structure_type:
                return "struct " + name_of(type);
            case DW_TAG_union_type:
                return "union " + name_of(type);
            case DW_TAG_enumeration_type:
                return "enum " + name_of(type);
            case DW_TAG_pointer_type:
                return "pointer";
            case DW_TAG_const_type:
            case DW_TAG_volatile_type: {
                Dwarf_Die inner;
                return type_of(type, &inner) ? spelling(&inner) : "void";
            }
            case DW_TAG_array_type: {
                Dwarf_Die element;
                std::string s = type_of(type, &element) ? spelling(&element) : "?";
                Dwarf_Die sub;
                if (dwarf_child(type, &sub) == 0) {
                    do {
                        if (dwarf_tag(&sub) != DW_TAG_subrange_type) continue;
                        if (const auto upper = udata(&sub, DW_AT_upper_bound))
                            s += "[" + std::to_string(*upper + 1) + "]";
                        else if (const auto count = udata(&sub, DW_AT_count))
                            s += "[" + std::to_string(*count) + "]";
                        else
                            s += "[]";
                    } while (dwarf_siblingof(&sub, &sub) == 0);
                }
                return s;
            }
            default:
                return name_of(type);
        }
    }

    Member member_of(Dwarf_Die* die, bool in_union) {
        Member m;
        m.name = name_of(die);
        Dwarf_Die declared;
        if (!type_of(die, &declared)) return m;
        m.type = spelling(&declared);
        Dwarf_Die type;
        if (dwarf_peel_type(&declared, &type) != 0) type = declared;
        Dwarf_Word size = 0;
        if (dwarf_aggregate_size(&type, &size) == 0) m.byte_size = size;
        const int tag = dwarf_tag(&type);
        if (tag == DW_TAG_structure_type || tag == DW_TAG_union_type) {
            m.record = record_of(&type);
        } else if (tag == DW_TAG_array_type) {
            Dwarf_Die element, peeled;
            m.scalar = type_of(&type, &element) && dwarf_peel_type(&element, &peeled) == 0 &&
                       dwarf_tag(&peeled) != DW_TAG_structure_type && dwarf_tag(&peeled) != DW_TAG_union_type;
        } else {
            m.scalar = true;
        }
        const std::uint64_t byte_offset = in_union ? 0 : udata(die, DW_AT_data_member_location).value_or(0);
        const int bits = dwarf_bitsize(die);
        if (bits > 0) {
            m.bit_size = static_cast<std::uint64_t>(bits);
            if (const auto data_bit = udata(die, DW_AT_data_bit_offset)) {
                m.bit_offset = *data_bit;
            } else {
                // DWARF 2/3: DW_AT_bit_offset counts from the storage unit's most significant bit.
                const int from_msb = dwarf_bitoffset(die);
                const std::uint64_t unit = udata(die, DW_AT_byte_size).value_or(m.byte_size) * 8;
                m.bit_offset = byte_offset * 8 + unit - static_cast<std::uint64_t>(from_msb) - m.bit_size;
            }
        } else {
            m.bit_offset = byte_offset * 8;
        }
        return m;
    }

    int record_of(Dwarf_Die* die) {
        const Dwarf_Off off = dwarf_dieoffset(die);
        if (const auto it = by_die.find(off); it != by_die.end()) return it->second;
        const int index = static_cast<int>(out.records.size());
        by_die[off] = index;
        Record r;
        r.name = name_of(die);
        r.is_union = dwarf_tag(die) == DW_TAG_union_type;
        const int size = dwarf_bytesize(die);
        r.size = size > 0 ? static_cast<std::uint64_t>(size) : 0;
        if (const char* file = dwarf_decl_file(die)) r.file = file;
        int line = 0;
        if (dwarf_decl_line(die, &line) == 0) r.line = static_cast<unsigned>(line);
        out.records.push_back(std::move(r));
        std::vector<Member> members;
        Dwarf_Die child;
        if (dwarf_child(die, &child) == 0) {
            do {
                if (dwarf_tag(&child) == DW_TAG_member)
                    members.push_back(member_of(&child, out.records[index].is_union));
            } while (dwarf_siblingof(&child, &child) == 0);
        }
        out.records[static_cast<std::size_t>(index)].members = std::move(members);
        return index;
    }

    void walk(Dwarf_Die* die) {
        const int tag = dwarf_tag(die);
        if ((tag == DW_TAG_structure_type || tag == DW_TAG_union_type) && !dwarf_hasattr(die, DW_AT_declaration))
            record_of(die);
        if (tag == DW_TAG_enumerator) {
            Dwarf_Attribute a;
            Dwarf_Word u = 0;
            Dwarf_Sword s = 0;
            if (dwarf_attr(die, DW_AT_const_value, &a) != nullptr) {
                if (dwarf_formudata(&a, &u) == 0)
                    out.enumerators.push_back({name_of(die), u});
                else if (dwarf_formsdata(&a, &s) == 0)
                    out.enumerators.push_back({name_of(die), static_cast<std::uint64_t>(s)});
            }
        }
        Dwarf_Die child;
        if (dwarf_child(die, &child) != 0) return;
        do walk(&child);
        while (dwarf_siblingof(&child, &child) == 0);
    }
};

}  // namespace

const Record* Layouts::find(const std::string& name) const {
    for (const auto& r : records)
        if (r.name == name) return &r;
    return nullptr;
}

std::optional<std::uint64_t> Layouts::enumerator(const std::string& name) const {
    for (const auto& e : enumerators)
        if (e.name == name) return e.value;
    return std::nullopt;
}

Layouts read(const std::filesystem::path& object) {
    const int fd = ::open(object.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error(object.string() + ": cannot be opened");
    Dwarf* dw = dwarf_begin(fd, DWARF_C_READ);
    if (dw == nullptr) {
        ::close(fd);
        throw std::runtime_error(object.string() + ": no DWARF debug information (" + dwarf_errmsg(-1) + ")");
    }
    Reader reader;
    Dwarf_Off off = 0, next = 0;
    std::size_t header = 0;
    while (dwarf_nextcu(dw, off, &next, &header, nullptr, nullptr, nullptr) == 0) {
        Dwarf_Die cu;
        if (dwarf_offdie(dw, off + header, &cu) != nullptr) reader.walk(&cu);
        off = next;
    }
    dwarf_end(dw);
    ::close(fd);
    return std::move(reader.out);
}

std::optional<Found> find_member(const Layouts& layouts, const Record& record, const std::string& path) {
    const auto dot = path.find('.');
    const std::string head = path.substr(0, dot);
    for (const auto& m : record.members) {
        if (m.name == head) {
            if (dot == std::string::npos) return Found{&m, m.bit_offset};
            if (m.record < 0) return std::nullopt;
            const auto inner =
                find_member(layouts, layouts.records[static_cast<std::size_t>(m.record)], path.substr(dot + 1));
            if (!inner) return std::nullopt;
            return Found{inner->member, m.bit_offset + inner->bit_offset};
        }
        if (m.name.empty() && m.record >= 0) {  // an anonymous struct or union: its members are the record's
            if (const auto inner = find_member(layouts, layouts.records[static_cast<std::size_t>(m.record)], path))
                return Found{inner->member, m.bit_offset + inner->bit_offset};
        }
    }
    return std::nullopt;
}

}  // namespace hvsim::kernel::dwarf
