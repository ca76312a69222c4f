// The header audit. Two probes of hvsim's, compiled like the tree's own files: the macro list
// of the tree's uapi (which names are ioctls, and what their type argument is), then one shared
// object that includes every header and holds each ioctl's value and argument size as an
// enumerator, read back with the layouts from its DWARF. Nothing of C is parsed here: sizes,
// offsets, widths and numbers are the compiler's.
#include "hvsim/kernel/audit.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "dwarf.hpp"
#include "hvsim/fields.hpp"
#include "hvsim/traces/mshv_uapi.hpp"

namespace hvsim::kernel {
namespace fs = std::filesystem;
namespace {

std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llX", static_cast<unsigned long long>(v));
    return buf;
}

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// --- the probes ---------------------------------------------------------------------------

// What hvsim's glue includes (the headers every driver file sees), then each of the tree's
// Hyper-V headers, then the root driver's own headers that compile on their own.
std::string base_probe(const std::vector<std::string>& includes) {
    std::string s =
        "/* hvsim kernel audit: every header of the tree that describes the ABI. */\n"
        "#include <linux/kernel.h>\n#include <linux/ioctl.h>\n#include <linux/mm.h>\n#include <asm/mshyperv.h>\n";
    for (const auto& inc : includes) s += "#include " + inc + "\n";
    return s;
}

// An ioctl macro of the macro list: "#define NAME _IOW(TYPE, NR, ARG)" (object-like only).
struct IoctlMacro {
    std::string name;
    std::string argument;  // the third argument of _IOR/_IOW/_IOWR, trimmed
};

std::vector<std::string> top_level_args(const std::string& inside) {
    std::vector<std::string> args;
    int depth = 0;
    std::string cur;
    for (const char c : inside) {
        if (c == ',' && depth == 0) {
            args.push_back(cur);
            cur.clear();
            continue;
        }
        if (c == '(') ++depth;
        if (c == ')') --depth;
        cur += c;
    }
    args.push_back(cur);
    for (auto& a : args) {
        const auto b = a.find_first_not_of(" \t");
        const auto e = a.find_last_not_of(" \t");
        a = b == std::string::npos ? "" : a.substr(b, e - b + 1);
    }
    return args;
}

std::vector<IoctlMacro> ioctl_macros(const std::string& macro_list) {
    std::vector<IoctlMacro> out;
    std::istringstream lines(macro_list);
    for (std::string line; std::getline(lines, line);) {
        if (!line.starts_with("#define ")) continue;
        const auto name_end = line.find_first_of(" (", 8);
        if (name_end == std::string::npos || line[name_end] == '(') continue;  // function-like
        const std::string name = line.substr(8, name_end - 8);
        const std::string value = line.substr(name_end + 1);
        std::size_t open = std::string::npos;
        for (const char* form : {"_IOWR(", "_IOW(", "_IOR(", "_IO("})
            if (value.starts_with(form)) {
                open = std::string(form).size();
                break;
            }
        if (open == std::string::npos || value.back() != ')') continue;
        const auto args = top_level_args(value.substr(open, value.size() - open - 1));
        out.push_back({name, args.size() == 3 ? args[2] : ""});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
}

// Enumerators the DWARF carries: each ioctl's value and its argument's size.
std::string value_probe(const std::vector<IoctlMacro>& ioctls) {
    std::string s = "\nenum hvsim_audit_values {\n\thvsim_audit_none = 0,\n";
    for (const auto& m : ioctls) {
        s += "\thvsim_ioctl__" + m.name + " = (" + m.name + "),\n";
        if (!m.argument.empty()) s += "\thvsim_argsize__" + m.name + " = sizeof(" + m.argument + "),\n";
    }
    return s + "};\nenum hvsim_audit_values hvsim_audit_values_v;\n";
}

// A union's scalar view of all its bits, by the kernel's names for it: as_uint64, as_uint8[],
// and the spellings the Hyper-V headers also use (as__u32, asu32).
bool is_whole_view(const std::string& name) {
    if (!name.starts_with("as")) return false;
    std::size_t at = 2;
    while (at < name.size() && name[at] == '_') ++at;
    if (at >= name.size() || name[at] != 'u') return false;
    ++at;
    if (name.compare(at, 3, "int") == 0) at += 3;
    return at < name.size() && std::all_of(name.begin() + static_cast<std::ptrdiff_t>(at), name.end(),
                                           [](char c) { return c >= '0' && c <= '9'; });
}

// --- ioctl-number.rst -------------------------------------------------------------------

struct ListedRange {
    std::uint32_t type = 0, first = 0, last = 0;
    std::string header;  // "uapi/misc/mrvl_cn10k_dpi.h"
    std::string comment;
    unsigned line = 0;
};

// Rows "0xB8  01-02  uapi/misc/x.h  comment" of the table; "all" covers every nr.
std::vector<ListedRange> listed_ranges(const fs::path& rst) {
    std::vector<ListedRange> out;
    std::istringstream lines(read_text(rst));
    unsigned n = 0;
    for (std::string line; std::getline(lines, line);) {
        ++n;
        std::istringstream cols(line);
        std::string code, seq, header;
        if (!(cols >> code >> seq >> header) || !code.starts_with("0x")) continue;
        ListedRange r;
        r.line = n;
        try {
            r.type = static_cast<std::uint32_t>(std::stoul(code, nullptr, 16));
            if (seq == "all") {
                r.first = 0, r.last = 0xFF;
            } else {
                const auto dash = seq.find('-');
                r.first = static_cast<std::uint32_t>(std::stoul(seq.substr(0, dash), nullptr, 16));
                r.last = dash == std::string::npos
                             ? r.first
                             : static_cast<std::uint32_t>(std::stoul(seq.substr(dash + 1), nullptr, 16));
            }
        } catch (const std::exception&) {
            continue;  // a row whose columns are not numbers (a heading, a note)
        }
        r.header = header;
        std::getline(cols, r.comment);
        const auto b = r.comment.find_first_not_of(" \t");
        r.comment = b == std::string::npos ? "" : r.comment.substr(b);
        out.push_back(std::move(r));
    }
    return out;
}

// --- the audit ----------------------------------------------------------------------------

class Auditor {
public:
    Auditor(const Tree& tree, const BuildOptions& options) : tree_(tree), cc_(tree, options) {}

    AuditReport run() {
        const auto started = std::chrono::steady_clock::now();
        report_.compiler = cc_.compiler();
        const std::vector<std::string> includes = choose_headers();
        const std::string base = base_probe(includes);
        const auto macros = cc_.macros("audit_macros.c", base);
        if (!macros.error.empty())
            throw TreeError(tree_.root.string() +
                            ": the tree's headers do not compile against hvsim's kernel environment: " + macros.error);
        const auto ioctls = ioctl_macros(read_text(macros.output));
        const auto object = cc_.shared_object("audit_probe.c", base + value_probe(ioctls));
        if (!object.error.empty())
            throw TreeError(
                tree_.root.string() +
                ": the audit probe (the tree's headers and the ioctl values) does not compile: " + object.error);
        try {
            layouts_ = dwarf::read(object.output);
        } catch (const std::exception& e) {
            throw TreeError(tree_.root.string() + ": " + e.what());
        }
        name_anonymous_records();
        check_blocks();
        check_catalogue_structs();
        check_bitfields();
        check_unions();
        read_ioctls(ioctls);
        check_ioctls();
        check_listed_collisions();
        check_mirror();
        report_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return std::move(report_);
    }

private:
    const Tree& tree_;
    ProbeCompiler cc_;
    dwarf::Layouts layouts_;
    AuditReport report_;
    std::map<int, std::pair<int, std::string>> parent_;  // anonymous record -> (its parent, "anonymous struct")
    std::set<std::string> size_mismatched_;              // ioctls already reported for their size

    void find(std::string id, std::string subject, std::string where, std::string evidence) {
        report_.findings.push_back({std::move(id), std::move(subject), std::move(where), std::move(evidence)});
    }

    // The tree's root driver headers join when they compile in hvsim's environment; a header
    // that needs more of the kernel than the environment has is noted, not fatal.
    std::vector<std::string> choose_headers() {
        std::vector<std::string> includes;
        std::vector<fs::path> hyperv;
        for (const auto& e : fs::directory_iterator(tree_.root / "include/hyperv"))
            if (e.path().extension() == ".h") hyperv.push_back(e.path());
        std::sort(hyperv.begin(), hyperv.end());
        for (const auto& h : hyperv) includes.push_back("<hyperv/" + h.filename().string() + ">");
        includes.push_back("<linux/mshv.h>");
        includes.push_back("\"mshv_root.h\"");
        const std::string base = base_probe(includes);
        if (const auto r = cc_.syntax("audit_base.c", base); !r.error.empty())
            throw TreeError(tree_.root.string() +
                            ": the tree's headers do not compile against hvsim's kernel environment: " + r.error);
        std::vector<fs::path> extra;
        for (const auto& e : fs::directory_iterator(tree_.root / "drivers/hv")) {
            const std::string name = e.path().filename().string();
            if (e.path().extension() == ".h" && name.starts_with("mshv") && name != "mshv_root.h" &&
                name.find("trace") == std::string::npos)
                extra.push_back(e.path());
        }
        std::sort(extra.begin(), extra.end());
        for (const auto& h : extra) {
            const std::string inc = "\"" + h.filename().string() + "\"";
            auto with = includes;
            with.push_back(inc);
            if (const auto r = cc_.syntax("audit_try.c", base_probe(with)); r.error.empty())
                includes = std::move(with);
            else
                report_.notes.push_back("drivers/hv/" + h.filename().string() + " left out: " + r.error);
        }
        for (const auto& inc : includes) report_.headers.push_back(inc.substr(1, inc.size() - 2));
        return includes;
    }

    [[nodiscard]] bool ours(const dwarf::Record& r) const { return !r.file.empty() && cc_.in_tree(r.file); }
    [[nodiscard]] std::string where(const dwarf::Record& r) const {
        return cc_.tree_path(r.file) + ":" + std::to_string(r.line);
    }
    [[nodiscard]] std::string title(int index) const {
        const auto& r = layouts_.records[static_cast<std::size_t>(index)];
        if (!r.name.empty()) return (r.is_union ? "union " : "struct ") + r.name;
        const auto it = parent_.find(index);
        if (it == parent_.end()) return r.is_union ? "an anonymous union" : "an anonymous struct";
        return title(it->second.first) + " (its " + it->second.second + ")";
    }

    void name_anonymous_records() {
        for (std::size_t i = 0; i < layouts_.records.size(); ++i)
            for (const auto& m : layouts_.records[i].members)
                if (m.record >= 0 && layouts_.records[static_cast<std::size_t>(m.record)].name.empty() &&
                    !parent_.contains(m.record)) {
                    const auto& inner = layouts_.records[static_cast<std::size_t>(m.record)];
                    parent_[m.record] = {static_cast<int>(i), m.name.empty() ? std::string("anonymous ") +
                                                                                   (inner.is_union ? "union" : "struct")
                                                                             : "member " + m.name};
                }
        report_.records = static_cast<std::size_t>(
            std::count_if(layouts_.records.begin(), layouts_.records.end(), [&](const auto& r) { return ours(r); }));
    }

    // Each block the model knows: its size against the catalogue, each field the model reads
    // against the tree's member of that name.
    void check_blocks() {
        for (const auto& block : fields::blocks()) {
            const dwarf::Record* r = layouts_.find(std::string(block.linux_struct));
            const std::string what =
                std::string(hvcall::info(block.call).linux_name) + " " + std::string(fields::role_name(block.role));
            if (r == nullptr || !ours(*r)) {
                report_.notes.push_back(std::string(block.linux_struct) + " (" + what + "): not in the tree's headers");
                continue;
            }
            ++report_.blocks_checked;
            const std::string subject = (r->is_union ? "union " : "struct ") + r->name;
            judge_size(*r, hvcall::info(block.call), block.role == fields::Role::input, block.catalogue_size(), what);
            for (const auto& field : block.fields) {
                ++report_.fields_checked;
                const std::string path(field.path);
                const auto found = dwarf::find_member(layouts_, *r, path);
                if (!found) {
                    find("layout.field_missing", subject + "." + path, where(*r),
                         "no member " + path + "; the model reads " + std::to_string(field.size) + " bytes at offset " +
                             std::to_string(field.offset));
                    continue;
                }
                const dwarf::Member& m = *found->member;
                const std::uint64_t bytes = m.bitfield() ? 0 : m.byte_size;
                if (found->bit_offset != std::uint64_t{field.offset} * 8)
                    find("layout.field_offset", subject + "." + path, where(*r),
                         "at byte " + std::to_string(found->bit_offset / 8) +
                             (found->bit_offset % 8 ? " bit " + std::to_string(found->bit_offset % 8) : "") +
                             " in the tree; the model reads it at " + std::to_string(field.offset));
                else if (bytes != field.size)
                    find("layout.field_size", subject + "." + path, where(*r),
                         m.type + " (" +
                             (m.bitfield() ? std::to_string(m.bit_size) + " bits" : std::to_string(bytes) + " bytes") +
                             ") in the tree; the model reads " + std::to_string(field.size) + " bytes");
            }
        }
    }

    // A block's size against the catalogue's. An input struct of a variable-header call may
    // count whole qwords of that header in its sizeof (hv_vpset's valid_bank_mask): a note.
    void judge_size(const dwarf::Record& r, const hvcall::CallInfo& call, bool input, std::uint64_t want,
                    const std::string& what) {
        const std::string subject = (r.is_union ? "union " : "struct ") + r.name;
        if (input && call.allows_variable_header() && r.size > want && (r.size - want) % 8 == 0)
            report_.notes.push_back(subject + ": " + std::to_string(r.size) + " bytes, of which " +
                                    std::to_string((r.size - want) / 8) +
                                    " qwords belong to the call's variable header (the catalogue's fixed header is " +
                                    std::to_string(want) + ")");
        else if (r.size != want)
            find("layout.size", subject, where(r),
                 std::to_string(r.size) + " bytes in the tree; hvsim's catalogue has " + std::to_string(want) +
                     " for the " + what);
    }

    // Every hv_input_*/hv_output_* struct the catalogue's sources name (hypercalls.def) that the
    // field table does not already check: its size against the catalogue's for that role.
    void check_catalogue_structs() {
        std::set<std::string> checked;
        for (const auto& block : fields::blocks()) checked.insert(std::string(block.linux_struct));
        for (const auto& call : hvcall::kCalls) {
            for (const auto& [name, output] : structs_named_in(call.source)) {
                if (checked.contains(name)) continue;
                checked.insert(name);
                const dwarf::Record* r = layouts_.find(name);
                if (r == nullptr || !ours(*r)) continue;  // the catalogue cites more headers than a tree has
                ++report_.blocks_checked;
                judge_size(*r, call, !output, output ? call.output_size : call.input_header_size,
                           std::string(call.linux_name) + (output ? " output" : " input"));
            }
        }
    }

    // "HDKMINI hv_input_map_gpa_pages; ..." and the shorthand "hv_input/hv_output_x": the names,
    // each with whether it is an output.
    static std::vector<std::pair<std::string, bool>> structs_named_in(std::string_view source) {
        std::vector<std::pair<std::string, bool>> out;
        const auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; };
        for (std::size_t at = source.find("hv_"); at != std::string_view::npos; at = source.find("hv_", at + 3)) {
            if (at > 0 && ident(source[at - 1])) continue;
            std::size_t end = at;
            while (end < source.size() && (ident(source[end]) || source[end] == '/')) ++end;
            const std::string token(source.substr(at, end - at));
            const auto slash = token.find('/');
            if (slash != std::string::npos) {  // hv_input/hv_output_x
                const std::string tail = token.substr(slash + 1);
                if (token.starts_with("hv_input") && tail.starts_with("hv_output_")) {
                    out.emplace_back("hv_input_" + tail.substr(10), false);
                    out.emplace_back(tail, true);
                }
                continue;
            }
            if (token.starts_with("hv_input_")) out.emplace_back(token, false);
            if (token.starts_with("hv_output_")) out.emplace_back(token, true);
        }
        return out;
    }

    // Runs of bitfields of one declared type: each field must fit in the storage unit it
    // starts in, and the run should name every bit of its last unit.
    void check_bitfields() {
        for (std::size_t i = 0; i < layouts_.records.size(); ++i) {
            const auto& r = layouts_.records[i];
            if (!ours(r)) continue;
            const auto& ms = r.members;
            for (std::size_t a = 0; a < ms.size();) {
                if (!ms[a].bitfield() || ms[a].byte_size == 0) {
                    ++a;
                    continue;
                }
                std::size_t b = a + 1;
                while (b < ms.size() && ms[b].bitfield() && ms[b].byte_size == ms[a].byte_size) ++b;
                judge_run(static_cast<int>(i), a, b);
                a = b;
            }
        }
    }

    void judge_run(int index, std::size_t a, std::size_t b) {
        const auto& r = layouts_.records[static_cast<std::size_t>(index)];
        const auto& ms = r.members;
        const std::uint64_t unit = ms[a].byte_size * 8;
        const std::uint64_t start = ms[a].bit_offset;
        std::uint64_t expected = 0;  // where the next field would start if packed tight
        std::size_t unit_first = a;  // the first field of the current storage unit
        for (std::size_t k = a; k < b; ++k) {
            const std::uint64_t rel = ms[k].bit_offset - start;
            const bool straddles = rel % unit + ms[k].bit_size > unit;    // __packed: it crosses into the next unit
            const bool pushed = rel != expected && expected % unit != 0;  // moved on, leaving bits behind
            if (straddles || pushed) {
                std::string widths;
                std::uint64_t sum = 0;
                for (std::size_t f = unit_first; f <= k; ++f) {
                    widths += (widths.empty() ? "" : " + ") + (ms[f].name.empty() ? "?" : ms[f].name) + ":" +
                              std::to_string(ms[f].bit_size);
                    sum += ms[f].bit_size;
                }
                find("bitfield.overflows_unit", title(index), where(r),
                     widths + " = " + std::to_string(sum) + " bits in one " + ms[a].type + " (" + std::to_string(unit) +
                         " bits); " + title(index) + " is " + std::to_string(r.size) + " bytes");
                return;
            }
            if (rel % unit == 0) unit_first = k;
            expected = rel + ms[k].bit_size;
        }
        if (expected % unit != 0) {
            std::string widths;
            std::uint64_t sum = 0;
            for (std::size_t f = unit_first; f < b; ++f) {
                widths += (widths.empty() ? "" : " + ") + (ms[f].name.empty() ? "?" : ms[f].name) + ":" +
                          std::to_string(ms[f].bit_size);
                sum += ms[f].bit_size;
            }
            find("bitfield.unnamed_bits", title(index), where(r),
                 widths + " = " + std::to_string(sum) + " of the " + std::to_string(unit) + " bits of a " + ms[a].type +
                     "; " + std::to_string(unit - expected % unit) +
                     (unit - expected % unit == 1 ? " bit has" : " bits have") + " no name (declare them reserved)");
        }
    }

    // A union's as_uint* member is the whole: every struct view with bitfields must be as big.
    void check_unions() {
        for (std::size_t i = 0; i < layouts_.records.size(); ++i) {
            const auto& u = layouts_.records[i];
            if (!u.is_union || !ours(u)) continue;
            const dwarf::Member* whole = nullptr;
            for (const auto& m : u.members)
                if (m.scalar && is_whole_view(m.name)) whole = &m;
            if (whole == nullptr) continue;
            for (const auto& m : u.members) {
                if (m.record < 0) continue;
                const auto& view = layouts_.records[static_cast<std::size_t>(m.record)];
                const bool has_bits =
                    std::any_of(view.members.begin(), view.members.end(), [](const auto& f) { return f.bitfield(); });
                if (!has_bits || view.size == whole->byte_size) continue;
                std::uint64_t bits = 0;
                for (const auto& f : view.members) bits += f.bitfield() ? f.bit_size : f.byte_size * 8;
                find("bitfield.union_size", title(static_cast<int>(i)), where(u),
                     title(m.record) + " declares " + std::to_string(bits) + " bits and is " +
                         std::to_string(view.size) + " bytes; " + whole->name + " (" + whole->type + ") is " +
                         std::to_string(whole->byte_size));
            }
        }
    }

    void read_ioctls(const std::vector<IoctlMacro>& macros) {
        for (const auto& m : macros) {
            const auto value = layouts_.enumerator("hvsim_ioctl__" + m.name);
            if (!value) {
                report_.notes.push_back(m.name + ": its value did not reach the probe's debug information");
                continue;
            }
            report_.ioctls.push_back({m.name, static_cast<std::uint32_t>(*value), m.argument});
        }
    }

    [[nodiscard]] std::string uapi_where(const std::string& name) const {
        // The line of the definition in the tree's uapi header, for the reader.
        std::istringstream lines(read_text(tree_.root / "include/uapi/linux/mshv.h"));
        unsigned n = 0;
        for (std::string line; std::getline(lines, line);) {
            ++n;
            if (line.starts_with("#define") && line.find(" " + name) != std::string::npos &&
                (line.find(name + " ") != std::string::npos || line.find(name + "\t") != std::string::npos))
                return "include/uapi/linux/mshv.h:" + std::to_string(n);
        }
        return "include/uapi/linux/mshv.h";
    }

    static std::string upper_to_struct(const std::string& name) {  // MSHV_CREATE_VP -> mshv_create_vp
        std::string s = name;
        std::transform(s.begin(), s.end(), s.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return s;
    }

    void check_ioctls() {
        std::map<std::uint32_t, std::vector<const AuditIoctl*>> by_value;
        std::map<std::uint32_t, std::vector<const AuditIoctl*>> by_nr;  // type << 8 | nr
        for (const auto& io : report_.ioctls) {
            by_value[io.number].push_back(&io);
            by_nr[io.number & 0xFFFF].push_back(&io);
            // The size field against the struct the macro names -- or, when it names none, the
            // struct named after the ioctl (MSHV_CREATE_VP: struct mshv_create_vp).
            std::string named = io.argument;
            std::optional<std::uint64_t> size;
            if (!io.argument.empty()) size = layouts_.enumerator("hvsim_argsize__" + io.name);
            if (io.argument.empty() || !io.argument.starts_with("struct ")) {
                const std::string conventional = upper_to_struct(io.name);
                if (const auto* r = layouts_.find(conventional); r != nullptr && ours(*r) && !r->is_union) {
                    named = "struct " + conventional;
                    size = r->size;
                }
            }
            if (size && *size != io.size() && !(io.argument.empty() && named.empty())) {
                size_mismatched_.insert(io.name);
                find("ioctl.size_mismatch", io.name, uapi_where(io.name),
                     hex(io.number) + " encodes size " + std::to_string(io.size()) + "; " + named + " is " +
                         std::to_string(*size) + " bytes" +
                         (named != io.argument
                              ? " (the macro names " +
                                    (io.argument.empty() ? std::string("no argument") : io.argument) + ")"
                              : ""));
            }
        }
        for (const auto& [value, users] : by_value) {
            if (users.size() < 2) continue;
            std::string names;
            for (const auto* u : users) names += (names.empty() ? "" : ", ") + u->name;
            find("ioctl.duplicate", users.front()->name, uapi_where(users.back()->name),
                 names + " all evaluate to " + hex(value));
        }
        for (const auto& [key, users] : by_nr) {
            std::set<std::uint32_t> values;
            for (const auto* u : users) values.insert(u->number);
            if (values.size() < 2) continue;
            std::string list;
            for (const auto* u : users) list += (list.empty() ? "" : ", ") + u->name + " " + hex(u->number);
            find("ioctl.number_reused", "type " + hex(key >> 8) + " nr " + hex(key & 0xFF),
                 uapi_where(users.front()->name),
                 list + ": one type and number with different directions or sizes (only the fd tells them apart)");
        }
    }

    // Other users of the type that ioctl-number.rst lists; with their header in the tree, their
    // own numbers too.
    void check_listed_collisions() {
        const fs::path rst = tree_.root / "Documentation/userspace-api/ioctl/ioctl-number.rst";
        std::error_code ec;
        if (!fs::exists(rst, ec)) {
            report_.notes.push_back(
                "no Documentation/userspace-api/ioctl/ioctl-number.rst: collisions with other drivers not checked");
            return;
        }
        std::set<std::uint32_t> types;
        for (const auto& io : report_.ioctls) types.insert(io.type());
        for (const auto& row : listed_ranges(rst)) {
            if (!types.contains(row.type) || row.header.find("mshv.h") != std::string::npos) continue;
            const auto theirs = their_ioctls(row);
            std::map<std::uint32_t, std::string> ours_by_nr;
            for (const auto& io : report_.ioctls)
                if (io.type() == row.type && io.nr() >= row.first && io.nr() <= row.last)
                    ours_by_nr[io.nr()] += (ours_by_nr[io.nr()].empty() ? "" : ", ") + io.name + " " + hex(io.number);
            for (const auto& [nr, list] : ours_by_nr) {
                std::string evidence = list + " use nr " + hex(nr) +
                                       ", which ioctl-number.rst:" + std::to_string(row.line) + " gives to " +
                                       row.header + (row.comment.empty() ? "" : " (" + row.comment + ")");
                for (const auto& t : theirs)
                    if (t.nr() == nr) {
                        const bool same = std::any_of(report_.ioctls.begin(), report_.ioctls.end(),
                                                      [&](const auto& io) { return io.number == t.number; });
                        evidence += "; " + t.name + " is " + hex(t.number) + (same ? ", the same full number" : "");
                    }
                find("ioctl.collision", "type " + hex(row.type) + " nr " + hex(nr),
                     "Documentation/userspace-api/ioctl/ioctl-number.rst:" + std::to_string(row.line), evidence);
            }
        }
    }

    std::vector<AuditIoctl> their_ioctls(const ListedRange& row) {
        const fs::path header = tree_.root / "include" / row.header;
        std::error_code ec;
        if (!fs::exists(header, ec)) return {};
        const std::string src =
            "#include <linux/types.h>\n#include <linux/ioctl.h>\n#include \"" + fs::absolute(header).string() + "\"\n";
        const auto macros = cc_.macros("audit_other.c", src);
        if (!macros.error.empty()) {
            report_.notes.push_back(row.header + " left out: " + macros.error);
            return {};
        }
        auto list = ioctl_macros(read_text(macros.output));
        std::erase_if(list, [&](const IoctlMacro& m) {
            return std::any_of(report_.ioctls.begin(), report_.ioctls.end(),
                               [&](const auto& io) { return io.name == m.name; });
        });
        const auto object = cc_.shared_object("audit_other.c", src + value_probe(list));
        if (!object.error.empty()) {
            report_.notes.push_back(row.header + " left out: " + object.error);
            return {};
        }
        std::vector<AuditIoctl> out;
        const auto values = dwarf::read(object.output);
        for (const auto& m : list)
            if (const auto v = values.enumerator("hvsim_ioctl__" + m.name))
                out.push_back({m.name, static_cast<std::uint32_t>(*v), m.argument});
        return out;
    }

    // hvsim's own mirror of the uapi (what the trace replayer and the driver model use).
    void check_mirror() {
        std::set<std::string> seen;
        for (const auto& mirrored : traces::mshv::kIoctls) {
            const std::string name(mirrored.name);
            if (!seen.insert(name).second) continue;
            const auto it = std::find_if(report_.ioctls.begin(), report_.ioctls.end(),
                                         [&](const auto& io) { return io.name == name; });
            if (it == report_.ioctls.end()) {
                report_.notes.push_back(name + ": hvsim mirrors it, the tree's uapi does not define it");
                continue;
            }
            if (it->number != mirrored.number && !size_mismatched_.contains(name))
                find("uapi.drift", name, uapi_where(name),
                     hex(it->number) +
                         " in the tree; hvsim's mirror (conformance/traces/include/hvsim/traces/mshv_uapi.hpp) has " +
                         hex(mirrored.number));
        }
    }
};

}  // namespace

AuditReport audit_tree(const Tree& tree, const BuildOptions& options) { return Auditor(tree, options).run(); }

}  // namespace hvsim::kernel
