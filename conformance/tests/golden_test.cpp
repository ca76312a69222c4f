// The golden check: conformance/golden/linux-abi.txt is a hand transcription of the hypercall
// codes and HV_STATUS values from the Linux headers (each line cites what was read). This test
// holds the hvcall catalogue (hypercalls.def) and status list (status.def) to it, both ways:
//   - every golden line names a catalogue row / status with exactly that value;
//   - every catalogue row and every status has a golden line (additions must be transcribed);
//   - a malformed golden line is an error that names its line number.
// The checker takes the golden text and returns the list of problems, so the test cases below
// can also feed it in-memory texts and prove it catches what it should.
#include <catch2/catch_test_macros.hpp>

#include "hvcall/catalogue.hpp"
#include "hvcall/status.hpp"
#include "text_fields.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#ifndef HVSIM_GOLDEN_FILE
#error "HVSIM_GOLDEN_FILE must be defined to the path of conformance/golden/linux-abi.txt"
#endif

namespace {

enum class EntryKind { Hypercall, Status };

struct GoldenEntry {
    EntryKind kind;
    std::string name;     // HVCALL_... or HV_STATUS_...
    std::uint32_t value;  // at most 0xFFFF (codes and statuses are 16-bit)
    std::size_t line;     // 1-based
};

struct ParsedGolden {
    std::vector<GoldenEntry> entries;
    std::vector<std::string> problems;
};

// Whether the check also demands a golden line for every catalogue row and status. Off only for
// small in-memory texts that test one disagreement at a time.
enum class Coverage { Required, NotRequired };

constexpr std::string_view kHypercallPrefix = "HVCALL_";
constexpr std::string_view kStatusPrefix = "HV_STATUS_";
constexpr std::string_view kExpectedForm = "expected '<hypercall|status> <NAME> <0xHEX>  # <source>'";

std::string hex(std::uint32_t value, int digits) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%0*X", digits, static_cast<unsigned>(value));
    return buf;
}
std::string code_hex(std::uint32_t v) { return hex(v, 4); }
std::string status_hex(std::uint32_t v) { return hex(v, 1); }

std::string line_prefix(std::size_t line) { return "line " + std::to_string(line) + ": "; }

using text_fields::split_ws;
using text_fields::trim;

bool valid_name(std::string_view name, std::string_view prefix) {
    if (!name.starts_with(prefix) || name.size() == prefix.size()) return false;
    for (const char c : name) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) return false;
    }
    return true;
}

// "0x" followed by 1-4 hex digits (either case). Returns false for anything else.
bool parse_hex16(std::string_view token, std::uint32_t& out) {
    if (token.size() < 3 || token[0] != '0' || (token[1] != 'x' && token[1] != 'X')) return false;
    const std::string_view digits = token.substr(2);
    if (digits.size() > 4) return false;
    std::uint32_t v = 0;
    for (const char c : digits) {
        std::uint32_t d = 0;
        if (c >= '0' && c <= '9')
            d = static_cast<std::uint32_t>(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = static_cast<std::uint32_t>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = static_cast<std::uint32_t>(c - 'A' + 10);
        else
            return false;
        v = v * 16u + d;
    }
    out = v;
    return true;
}

ParsedGolden parse_golden(std::string_view text) {
    ParsedGolden result;
    std::map<std::string, std::size_t, std::less<>> first_seen;
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t nl = text.find('\n', pos);
        const std::string_view raw = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = (nl == std::string_view::npos) ? text.size() + 1 : nl + 1;
        ++line_no;

        const std::size_t hash = raw.find('#');
        const std::string_view body = trim(raw.substr(0, hash));
        if (body.empty()) continue;  // blank or comment-only line
        const std::string_view source =
            hash == std::string_view::npos ? std::string_view{} : trim(raw.substr(hash + 1));

        const auto bad = [&](std::string_view why) {
            result.problems.push_back(line_prefix(line_no) + "malformed: " + std::string(why) + ", got '" +
                                      std::string(trim(raw)) + "'");
        };

        const std::vector<std::string_view> tokens = split_ws(body);
        if (tokens.size() != 3) {
            bad(kExpectedForm);
            continue;
        }
        EntryKind kind{};
        std::string_view prefix;
        if (tokens[0] == "hypercall") {
            kind = EntryKind::Hypercall;
            prefix = kHypercallPrefix;
        } else if (tokens[0] == "status") {
            kind = EntryKind::Status;
            prefix = kStatusPrefix;
        } else {
            bad("unknown kind '" + std::string(tokens[0]) + "' (" + std::string(kExpectedForm) + ")");
            continue;
        }
        if (!valid_name(tokens[1], prefix)) {
            bad("name must be " + std::string(prefix) + "<UPPER_CASE>");
            continue;
        }
        std::uint32_t value = 0;
        if (!parse_hex16(tokens[2], value)) {
            bad("value must be 0x followed by 1 to 4 hex digits");
            continue;
        }
        if (source.empty()) {
            bad("no source cited (every entry needs a trailing '# repository path @commit' or patch)");
            continue;
        }
        const std::string key = std::string(tokens[0]) + " " + std::string(tokens[1]);
        if (const auto it = first_seen.find(key); it != first_seen.end()) {
            result.problems.push_back(line_prefix(line_no) + std::string(tokens[1]) +
                                      " is listed twice (first at line " + std::to_string(it->second) + ")");
            continue;
        }
        first_seen.emplace(key, line_no);
        result.entries.push_back(GoldenEntry{kind, std::string(tokens[1]), value, line_no});
    }
    return result;
}

const hvcall::CallInfo* call_by_linux_name(std::string_view name) {
    for (const auto& c : hvcall::kCalls) {
        if (c.linux_name == name) return &c;
    }
    return nullptr;
}

// Every problem found in a golden text, in file order, then coverage gaps in catalogue order.
std::vector<std::string> check_golden(std::string_view text, Coverage coverage = Coverage::Required) {
    ParsedGolden parsed = parse_golden(text);
    std::vector<std::string> problems = std::move(parsed.problems);

    for (const GoldenEntry& e : parsed.entries) {
        if (e.kind == EntryKind::Hypercall) {
            const hvcall::CallInfo* c = call_by_linux_name(e.name);
            if (c == nullptr) {
                problems.push_back(line_prefix(e.line) + e.name + " is not in the catalogue (hypercalls.def)");
            } else if (c->code != e.value) {
                problems.push_back(line_prefix(e.line) + e.name + ": golden " + code_hex(e.value) + ", catalogue " +
                                   code_hex(c->code));
            }
        } else {
            const auto s = hvcall::status_from_name(e.name);
            if (!s) {
                problems.push_back(line_prefix(e.line) + e.name + " is not in status.def");
            } else if (static_cast<std::uint16_t>(*s) != e.value) {
                problems.push_back(line_prefix(e.line) + e.name + ": golden " + status_hex(e.value) + ", status.def " +
                                   status_hex(static_cast<std::uint16_t>(*s)));
            }
        }
    }

    if (coverage == Coverage::Required) {
        const auto has = [&](EntryKind kind, std::string_view name) {
            for (const GoldenEntry& e : parsed.entries) {
                if (e.kind == kind && e.name == name) return true;
            }
            return false;
        };
        for (const auto& c : hvcall::kCalls) {
            if (!has(EntryKind::Hypercall, c.linux_name)) {
                problems.push_back("catalogue row " + std::string(c.name) + " (" + std::string(c.linux_name) + ", " +
                                   code_hex(c.code) + ") has no golden line");
            }
        }
        for (const auto& s : hvcall::kStatuses) {
            const std::string full = std::string(kStatusPrefix) + std::string(s.name);
            if (!has(EntryKind::Status, full)) {
                problems.push_back("status.def entry " + std::string(s.name) + " (" +
                                   status_hex(static_cast<std::uint16_t>(s.status)) + ") has no golden line");
            }
        }
    }
    return problems;
}

std::string read_golden_file() {
    std::ifstream in(HVSIM_GOLDEN_FILE, std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Replaces the first line starting with `start` by `replacement` (or removes it when replacement
// is empty); returns the 1-based number of that line, or 0 if none matched.
std::size_t edit_line(std::string& text, std::string_view start, std::string_view replacement) {
    std::size_t pos = 0;
    std::size_t line_no = 1;
    while (pos < text.size()) {
        const std::size_t nl = text.find('\n', pos);
        const std::size_t end = nl == std::string::npos ? text.size() : nl;
        if (std::string_view(text).substr(pos, end - pos).starts_with(start)) {
            if (replacement.empty())
                text.erase(pos, (nl == std::string::npos ? end : nl + 1) - pos);
            else
                text.replace(pos, end - pos, replacement);
            return line_no;
        }
        pos = end + 1;
        ++line_no;
    }
    return 0;
}

void report(const std::vector<std::string>& problems) {
    for (const std::string& p : problems) UNSCOPED_INFO(p);
}

}  // namespace

TEST_CASE("golden Linux ABI file agrees with the catalogue and status list", "[golden]") {
    const std::string text = read_golden_file();
    const ParsedGolden parsed = parse_golden(text);
    CHECK(parsed.entries.size() == hvcall::kCalls.size() + std::size(hvcall::kStatuses));

    const std::vector<std::string> problems = check_golden(text);
    report(problems);
    CHECK(problems.empty());
}

TEST_CASE("golden check reports exactly the one wrong value it is fed", "[golden]") {
    SECTION("small in-memory text, coverage not required") {
        const std::string text =
            "# a comment line\n"
            "hypercall HVCALL_GET_PARTITION_ID 0x0046  # test\n"
            "\n"
            "hypercall HVCALL_CREATE_VP 0x004f  # test: wrong on purpose (0x004e in the header)\n"
            "status HV_STATUS_INVALID_ALIGNMENT 0x4  # test\n";
        const std::vector<std::string> problems = check_golden(text, Coverage::NotRequired);
        report(problems);
        REQUIRE(problems.size() == 1);
        CHECK(problems[0] == "line 4: HVCALL_CREATE_VP: golden 0x004F, catalogue 0x004E");
    }
    SECTION("wrong status value") {
        const std::string text = "status HV_STATUS_INSUFFICIENT_MEMORY 0xC  # test\n";
        const std::vector<std::string> problems = check_golden(text, Coverage::NotRequired);
        report(problems);
        REQUIRE(problems.size() == 1);
        CHECK(problems[0] == "line 1: HV_STATUS_INSUFFICIENT_MEMORY: golden 0xC, status.def 0xB");
    }
    SECTION("the real golden file with one value changed, coverage required") {
        std::string text = read_golden_file();
        const std::size_t line = edit_line(text, "hypercall HVCALL_GET_PARTITION_ID ",
                                           "hypercall HVCALL_GET_PARTITION_ID 0x0047  # test: wrong on purpose");
        REQUIRE(line != 0);
        const std::vector<std::string> problems = check_golden(text);
        report(problems);
        REQUIRE(problems.size() == 1);
        CHECK(problems[0] ==
              "line " + std::to_string(line) + ": HVCALL_GET_PARTITION_ID: golden 0x0047, catalogue 0x0046");
    }
    SECTION("names unknown to the catalogue") {
        const std::string text =
            "hypercall HVCALL_NO_SUCH_CALL 0x0fff  # test\n"
            "status HV_STATUS_NO_SUCH_STATUS 0x7F  # test\n";
        const std::vector<std::string> problems = check_golden(text, Coverage::NotRequired);
        report(problems);
        REQUIRE(problems.size() == 2);
        CHECK(problems[0] == "line 1: HVCALL_NO_SUCH_CALL is not in the catalogue (hypercalls.def)");
        CHECK(problems[1] == "line 2: HV_STATUS_NO_SUCH_STATUS is not in status.def");
    }
}

TEST_CASE("golden check demands a line for every catalogue row and status", "[golden]") {
    SECTION("a hypercall line removed") {
        std::string text = read_golden_file();
        REQUIRE(edit_line(text, "hypercall HVCALL_DEPOSIT_MEMORY ", "") != 0);
        const std::vector<std::string> problems = check_golden(text);
        report(problems);
        REQUIRE(problems.size() == 1);
        CHECK(problems[0] == "catalogue row deposit_memory (HVCALL_DEPOSIT_MEMORY, 0x0048) has no golden line");
    }
    SECTION("a status line removed") {
        std::string text = read_golden_file();
        REQUIRE(edit_line(text, "status HV_STATUS_CALL_PENDING ", "") != 0);
        const std::vector<std::string> problems = check_golden(text);
        report(problems);
        REQUIRE(problems.size() == 1);
        CHECK(problems[0] == "status.def entry CALL_PENDING (0x79) has no golden line");
    }
}

TEST_CASE("golden check rejects malformed lines by line number", "[golden]") {
    const auto only_problem = [](std::string_view text) {
        const std::vector<std::string> problems = check_golden(text, Coverage::NotRequired);
        report(problems);
        REQUIRE(problems.size() == 1);
        return problems[0];
    };
    const auto starts = [](const std::string& s, std::string_view prefix) {
        return std::string_view(s).starts_with(prefix);
    };

    CHECK(starts(only_problem("# header\n\nhypercall HVCALL_GET_PARTITION_ID  # missing value\n"),
                 "line 3: malformed: "));
    CHECK(starts(only_problem("hypercall HVCALL_GET_PARTITION_ID 0x0046 extra  # test\n"), "line 1: malformed: "));
    CHECK(starts(only_problem("call HVCALL_GET_PARTITION_ID 0x0046  # test\n"), "line 1: malformed: unknown kind"));
    CHECK(starts(only_problem("hypercall GET_PARTITION_ID 0x0046  # test\n"), "line 1: malformed: name must be"));
    CHECK(starts(only_problem("status HVCALL_GET_PARTITION_ID 0x0046  # test\n"), "line 1: malformed: name must be"));
    CHECK(starts(only_problem("hypercall HVCALL_GET_PARTITION_ID 70  # decimal\n"), "line 1: malformed: value"));
    CHECK(starts(only_problem("hypercall HVCALL_GET_PARTITION_ID 0x00046  # too wide\n"), "line 1: malformed: value"));
    CHECK(starts(only_problem("hypercall HVCALL_GET_PARTITION_ID 0x00g6  # not hex\n"), "line 1: malformed: value"));
    CHECK(starts(only_problem("hypercall HVCALL_GET_PARTITION_ID 0x0046\n"), "line 1: malformed: no source cited"));
    CHECK(
        starts(only_problem("hypercall HVCALL_GET_PARTITION_ID 0x0046  #   \n"), "line 1: malformed: no source cited"));
    CHECK(only_problem(
              "hypercall HVCALL_GET_PARTITION_ID 0x0046  # a\r\nhypercall HVCALL_GET_PARTITION_ID 0x0046  # b\r\n") ==
          "line 2: HVCALL_GET_PARTITION_ID is listed twice (first at line 1)");
}
