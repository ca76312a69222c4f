// Every citation the catalogues make resolves to a row of docs/sources.md, the project's one
// table of source keys. The grammar checked here is the one docs/sources.md states:
//   - catalogue source strings (rules.def, hypercalls.def, kshim_rules.def): clauses separated
//     by ';' outside parentheses; each opens with a key, or keys joined by '/';
//   - status.def's header: every bracketed list ([GDKMINI], [HVCALL, COMMON]) holds keys;
//   - conformance/golden/linux-abi.txt: each entry's comment opens with a key, or with
//     "owner/name path @commit" matching a row's repository, path and commit.
// The .def files are included here with this file's own macros, so the strings checked are the
// ones the build compiles. Each checker returns its problems, so the cases below can also feed
// it small texts and prove it catches what it should.
#include <catch2/catch_test_macros.hpp>

#include <cstddef>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "hvcall/catalogue.hpp"
#include "text_fields.hpp"

#ifndef HVSIM_SOURCE_DIR
#error "HVSIM_SOURCE_DIR must be defined to the project's source directory"
#endif

namespace {

using text_fields::split_ws;
using text_fields::trim;

// --- the catalogue rows, as compiled -------------------------------------------------------------

struct Row {
    std::string_view file;   // path inside the repository
    std::string_view macro;  // HV_RULE, HV_CALL, KSHIM_RULE
    std::string_view ident;
    std::string_view source;
};

constexpr std::string_view kRulesDef = "sim/include/hvsim/rules.def";
constexpr std::string_view kHypercallsDef = "hvcall/abi/include/hvcall/hypercalls.def";
constexpr std::string_view kKshimRulesDef = "sim/shim/include/hvsim/kshim_rules.def";
constexpr std::string_view kStatusDef = "hvcall/abi/include/hvcall/status.def";
constexpr std::string_view kGolden = "conformance/golden/linux-abi.txt";
constexpr std::string_view kSourcesMd = "docs/sources.md";

const Row kRows[] = {
#define HV_RULE(ident, id, status, strength, statement, source) Row{kRulesDef, "HV_RULE", #ident, source},
#include "hvsim/rules.def"
#undef HV_RULE
#define HV_CALL(name, tlfs_name, linux_name, code, kind, fast, header, layout, in_hdr, rep_in, rep_out, out, source) \
    Row{kHypercallsDef, "HV_CALL", #name, source},
#include "hvcall/hypercalls.def"
#undef HV_CALL
#define KSHIM_RULE(ident, id, statement, source) Row{kKshimRulesDef, "KSHIM_RULE", #ident, source},
#include "hvsim/kshim_rules.def"
#undef KSHIM_RULE
};

std::string read_repo_file(std::string_view path) {
    std::ifstream in(std::string(HVSIM_SOURCE_DIR) + "/" + std::string(path), std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The text split into lines (no '\n', no trailing '\r').
std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view line = text.substr(pos, nl - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        out.push_back(line);
        pos = nl + 1;
    }
    return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == sep) {
            out.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    return out;
}

bool is_key_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// --- docs/sources.md -----------------------------------------------------------------------------

struct SourceRow {
    std::vector<std::string> keys;
    std::string repositories;  // the cells as written; matched by containment
    std::string paths;
    std::string commits;
    std::size_t line;
};

struct KeyTable {
    std::vector<SourceRow> rows;
    std::map<std::string, std::size_t, std::less<>> row_of_key;  // key -> index into rows
    std::vector<std::string> problems;

    bool has(std::string_view key) const { return row_of_key.find(key) != row_of_key.end(); }
};

// A key row is a table line whose first cell starts with a backticked key. Its keys are the
// backticked words of that cell; the next cells are repository, path and commit.
KeyTable parse_key_table(std::string_view text) {
    KeyTable table;
    const std::vector<std::string_view> lines = lines_of(text);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string_view line = lines[i];
        if (!line.starts_with("| `")) continue;
        const std::vector<std::string_view> cells = split(line, '|');  // "", key, repo, path, commit, what, ""
        const std::string where = std::string(kSourcesMd) + ":" + std::to_string(i + 1) + ": ";
        if (cells.size() < 7) {
            table.problems.push_back(where +
                                     "a key row needs five cells (key, repository, path, commit, what it names)");
            continue;
        }
        SourceRow row{{}, std::string(trim(cells[2])), std::string(trim(cells[3])), std::string(trim(cells[4])), i + 1};
        const std::vector<std::string_view> quoted = split(cells[1], '`');  // odd entries are backticked
        for (std::size_t q = 1; q < quoted.size(); q += 2) {
            const std::string_view key = quoted[q];
            bool ok = !key.empty();
            for (const char c : key) ok = ok && is_key_char(c);
            if (!ok) {
                table.problems.push_back(where + "'" + std::string(key) + "' is not a key (letters, digits, '-', '.')");
                continue;
            }
            if (const auto it = table.row_of_key.find(key); it != table.row_of_key.end()) {
                table.problems.push_back(where + "key '" + std::string(key) + "' is defined twice (first at line " +
                                         std::to_string(table.rows[it->second].line) + ")");
                continue;
            }
            table.row_of_key.emplace(std::string(key), table.rows.size());
            row.keys.emplace_back(key);
        }
        table.rows.push_back(std::move(row));
    }
    return table;
}

// --- catalogue source strings --------------------------------------------------------------------

// Clauses: the text split at ';' outside parentheses.
std::vector<std::string_view> clauses_of(std::string_view source) {
    std::vector<std::string_view> out;
    int depth = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= source.size(); ++i) {
        if (i == source.size() || (source[i] == ';' && depth == 0)) {
            out.push_back(trim(source.substr(start, i - start)));
            start = i + 1;
        } else if (source[i] == '(') {
            ++depth;
        } else if (source[i] == ')' && depth > 0) {
            --depth;
        }
    }
    return out;
}

// The keys a clause opens with: its first word (up to a space, ':', ',' or '('), less a
// trailing "'s" or '.', split at '/'. A piece may be empty; the caller reports it.
std::vector<std::string_view> opening_keys(std::string_view clause) {
    std::string_view word = clause.substr(0, clause.find_first_of(" \t:,("));
    if (word.ends_with("'s")) word.remove_suffix(2);
    if (word.ends_with('.')) word.remove_suffix(1);
    return split(word, '/');
}

std::size_t line_of_row(std::string_view def_text, const Row& row) {
    const std::string opener = std::string(row.macro) + "(" + std::string(row.ident) + ",";
    const std::vector<std::string_view> lines = lines_of(def_text);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].starts_with(opener)) return i + 1;
    }
    return 0;
}

// Problems of one source string; `where` names the file, line and row.
std::vector<std::string> check_source(std::string_view where, std::string_view source, const KeyTable& keys) {
    std::vector<std::string> problems;
    const std::vector<std::string_view> clauses = clauses_of(source);
    for (std::size_t c = 0; c < clauses.size(); ++c) {
        const std::string clause_name = "clause " + std::to_string(c + 1) + " '" + std::string(clauses[c]) + "'";
        if (clauses[c].empty()) {
            problems.push_back(std::string(where) + clause_name + " is empty");
            continue;
        }
        for (const std::string_view key : opening_keys(clauses[c])) {
            if (key.empty()) {
                problems.push_back(std::string(where) + clause_name + " does not open with a key");
            } else if (!keys.has(key)) {
                problems.push_back(std::string(where) + "key '" + std::string(key) + "' (" + clause_name +
                                   ") is not in docs/sources.md");
            }
        }
    }
    return problems;
}

std::vector<std::string> check_catalogues(const KeyTable& keys) {
    std::vector<std::string> problems;
    std::map<std::string_view, std::string> texts;
    for (const Row& row : kRows) {
        auto it = texts.find(row.file);
        if (it == texts.end()) it = texts.emplace(row.file, read_repo_file(row.file)).first;
        const std::string where = std::string(row.file) + ":" + std::to_string(line_of_row(it->second, row)) + ": " +
                                  std::string(row.ident) + ": ";
        for (std::string& p : check_source(where, row.source, keys)) problems.push_back(std::move(p));
    }
    return problems;
}

// --- status.def header ---------------------------------------------------------------------------

// Every [...] in the comment lines before the first HV_STATUS row: comma-separated items, each
// opening with a key ("[MAIN @19c515c2]" cites MAIN).
std::vector<std::string> check_bracketed_header(std::string_view file, std::string_view text, const KeyTable& keys) {
    std::vector<std::string> problems;
    const std::vector<std::string_view> lines = lines_of(text);
    for (std::size_t i = 0; i < lines.size() && !lines[i].starts_with("HV_STATUS("); ++i) {
        std::string_view rest = lines[i];
        for (std::size_t open = rest.find('['); open != std::string_view::npos; open = rest.find('[')) {
            const std::size_t close = rest.find(']', open);
            const std::string where = std::string(file) + ":" + std::to_string(i + 1) + ": ";
            if (close == std::string_view::npos) {
                problems.push_back(where + "'[' without ']'");
                break;
            }
            for (const std::string_view item : split(rest.substr(open + 1, close - open - 1), ',')) {
                const std::string_view t = trim(item);
                const std::string_view key = t.substr(0, t.find_first_of(" \t"));
                if (!keys.has(key))
                    problems.push_back(where + "key '" + std::string(key) + "' is not in docs/sources.md");
            }
            rest.remove_prefix(close + 1);
        }
    }
    return problems;
}

// --- the golden file -----------------------------------------------------------------------------

// The row a repository citation "owner/name path @commit" names, or nullptr: the row lists the
// repository, the path in backticks, and a full commit that starts with the cited one (7 or more
// hex digits).
const SourceRow* row_for_citation(const KeyTable& keys, std::string_view repo, std::string_view path,
                                  std::string_view commit) {
    if (commit.size() < 7 || commit.size() > 40) return nullptr;
    for (const char c : commit) {
        if (!is_hex(c)) return nullptr;
    }
    const std::string quoted_path = "`" + std::string(path) + "`";
    for (const SourceRow& row : keys.rows) {
        if (row.repositories.find(repo) == std::string::npos || row.paths.find(quoted_path) == std::string::npos)
            continue;
        for (std::size_t at = row.commits.find(commit); at != std::string::npos;
             at = row.commits.find(commit, at + 1)) {
            std::size_t end = at;
            while (end < row.commits.size() && is_hex(row.commits[end])) ++end;
            const bool starts_a_hash = at == 0 || !is_hex(row.commits[at - 1]);
            if (starts_a_hash && end - at == 40) return &row;
        }
    }
    return nullptr;
}

std::vector<std::string> check_golden(std::string_view text, const KeyTable& keys) {
    std::vector<std::string> problems;
    const std::vector<std::string_view> lines = lines_of(text);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::size_t hash = lines[i].find('#');
        const std::string_view body = trim(lines[i].substr(0, hash));
        if (body.empty()) continue;                                   // blank or comment-only line
        const std::vector<std::string_view> fields = split_ws(body);  // kind, name, value
        const std::string entry = std::string(fields[0]) + (fields.size() > 1 ? " " + std::string(fields[1]) : "");
        const std::string where = std::string(kGolden) + ":" + std::to_string(i + 1) + ": " + entry + ": ";
        const std::string_view comment =
            hash == std::string_view::npos ? std::string_view{} : trim(lines[i].substr(hash + 1));

        const std::vector<std::string_view> words = split_ws(comment);
        if (words.size() >= 3 && words[2].starts_with('@')) {
            const SourceRow* row = row_for_citation(keys, words[0], words[1], words[2].substr(1));
            if (row == nullptr) {
                problems.push_back(where + "'" + std::string(words[0]) + " " + std::string(words[1]) + " " +
                                   std::string(words[2]) +
                                   "' matches no row of docs/sources.md (repository, path and commit)");
                continue;
            }
            const std::string_view last = words.back();
            if (words.size() > 3 && last.starts_with('(') && last.ends_with(')')) {
                const std::string_view key = last.substr(1, last.size() - 2);
                bool named = false;
                for (const std::string& k : row->keys) named = named || k == key;
                if (!named) {
                    problems.push_back(where + "'(" + std::string(key) + ")' is not the key of the row it cites (" +
                                       row->keys.front() + ", docs/sources.md line " + std::to_string(row->line) + ")");
                }
            }
            continue;
        }
        for (std::string& p : check_source(where, comment, keys)) problems.push_back(std::move(p));
    }
    return problems;
}

void report(const std::vector<std::string>& problems) {
    for (const std::string& p : problems) UNSCOPED_INFO(p);
}

KeyTable real_keys() {
    KeyTable keys = parse_key_table(read_repo_file(kSourcesMd));
    report(keys.problems);
    REQUIRE(keys.problems.empty());
    return keys;
}

}  // namespace

TEST_CASE("sources: docs/sources.md has a well-formed key table", "[sources]") {
    const KeyTable keys = real_keys();
    CHECK(keys.rows.size() > 50);
    for (const std::string_view key : {"GDKMINI", "HDK-2B", "HVCALL", "TLFS", "OpenVMM", "KVM", "A-PROC", "hvsim"}) {
        INFO(key);
        CHECK(keys.has(key));
    }
}

TEST_CASE("sources: every catalogue source string cites keys of docs/sources.md", "[sources]") {
    const KeyTable keys = real_keys();
    CHECK(std::size(kRows) > 150);
    const std::vector<std::string> problems = check_catalogues(keys);
    report(problems);
    CHECK(problems.empty());
}

TEST_CASE("sources: status.def's header cites keys of docs/sources.md", "[sources]") {
    const KeyTable keys = real_keys();
    const std::vector<std::string> problems = check_bracketed_header(kStatusDef, read_repo_file(kStatusDef), keys);
    report(problems);
    CHECK(problems.empty());
}

TEST_CASE("sources: every golden line cites a key or a repository row of docs/sources.md", "[sources]") {
    const KeyTable keys = real_keys();
    const std::vector<std::string> problems = check_golden(read_repo_file(kGolden), keys);
    report(problems);
    CHECK(problems.empty());
}

// hvcall::kCatalogueRevision ("... GDKMINI 0bd921a4b4d9, A-GDK ...") names pairs of a key and
// a commit prefix: each key is a row of docs/sources.md whose commit cell starts with it.
TEST_CASE("sources: the catalogue revision names pinned keys and their commits", "[sources]") {
    const KeyTable keys = real_keys();
    const std::string revision(hvcall::kCatalogueRevision);
    const std::string pairs = revision.substr(revision.find(':') + 1);
    std::istringstream words(pairs);
    std::string key, commit;
    int checked = 0;
    while (words >> key >> commit) {
        if (!commit.empty() && commit.back() == ',') commit.pop_back();
        INFO(key << " " << commit);
        REQUIRE(keys.has(key));
        const SourceRow& row = keys.rows[keys.row_of_key.find(key)->second];
        CHECK(row.commits.find(commit) != std::string::npos);
        CHECK(commit.size() >= 12);
        ++checked;
    }
    CHECK(checked >= 3);
}

TEST_CASE("sources: the checks catch what they should", "[sources]") {
    const std::string table =
        "| Key | Repository | Path | Commit | What it names |\n"
        "|---|---|---|---|---|\n"
        "| `GDKMINI` | torvalds/linux | `include/hyperv/hvgdk_mini.h` | 0bd921a4b4d9ca832578fcc61a6a99bd980776c9 | codes |\n"
        "| `hvsim`, `HVSIM` | this repository | - | - | the project |\n"
        "| `TLFS` | MicrosoftDocs/Virtualization-Documentation | `x.md` | 77e0742a8029cf3b5a96c84dfab2ce7ba623286c | spec |\n";
    const KeyTable keys = parse_key_table(table);
    report(keys.problems);
    REQUIRE(keys.problems.empty());
    CHECK(keys.has("HVSIM"));

    SECTION("a table that defines a key twice or a malformed key") {
        const KeyTable bad = parse_key_table(table + "| `TLFS` | a | b | c | d |\n| `no key` | a | b | c | d |\n");
        report(bad.problems);
        REQUIRE(bad.problems.size() == 2);
        CHECK(bad.problems[0] == "docs/sources.md:6: key 'TLFS' is defined twice (first at line 5)");
        CHECK(bad.problems[1] == "docs/sources.md:7: 'no key' is not a key (letters, digits, '-', '.')");
    }
    SECTION("source strings: good forms pass") {
        for (const std::string_view s : {"GDKMINI", "GDKMINI code, layout not read", "TLFS/GDKMINI: x; hvsim's choice",
                                         "TLFS (a; b) c; hvsim. x", "GDKMINI(x); HVSIM: y"}) {
            INFO(s);
            const std::vector<std::string> problems = check_source("f: ", s, keys);
            report(problems);
            CHECK(problems.empty());
        }
    }
    SECTION("source strings: an unknown key, a clause without a key, an empty clause") {
        const std::vector<std::string> problems =
            check_source("f:1: row: ", "TLFS x; TLFS/KVM y; the rest; ; /z", keys);
        report(problems);
        REQUIRE(problems.size() == 5);
        CHECK(problems[0] == "f:1: row: key 'KVM' (clause 2 'TLFS/KVM y') is not in docs/sources.md");
        CHECK(problems[1] == "f:1: row: key 'the' (clause 3 'the rest') is not in docs/sources.md");
        CHECK(problems[2] == "f:1: row: clause 4 '' is empty");
        CHECK(problems[3] == "f:1: row: clause 5 '/z' does not open with a key");
        CHECK(problems[4] == "f:1: row: key 'z' (clause 5 '/z') is not in docs/sources.md");
    }
    SECTION("status.def header: bracketed lists") {
        const std::vector<std::string> problems = check_bracketed_header(
            "s.def", "// a [GDKMINI] and [TLFS, hvsim x] and [A-GDK]\nHV_STATUS(SUCCESS, 0, \"[NOPE]\")\n", keys);
        report(problems);
        REQUIRE(problems.size() == 1);
        CHECK(problems[0] == "s.def:1: key 'A-GDK' is not in docs/sources.md");
    }
    SECTION("golden lines: keys and repository citations") {
        const std::string golden =
            "# header [anything]\n"
            "hypercall HVCALL_A 0x0001  # torvalds/linux include/hyperv/hvgdk_mini.h @0bd921a4b4d9ca832578fcc61a6a99bd980776c9\n"
            "hypercall HVCALL_B 0x0002  # torvalds/linux include/hyperv/hvgdk_mini.h @0bd921a4b4d9 (GDKMINI)\n"
            "hypercall HVCALL_C 0x0003  # TLFS page\n"
            "hypercall HVCALL_D 0x0004  # torvalds/linux include/hyperv/hvgdk_mini.h @1111111111111111111111111111111111111111\n"
            "hypercall HVCALL_E 0x0005  # gregkh/linux include/hyperv/hvgdk_mini.h @0bd921a4b4d9ca832578fcc61a6a99bd980776c9\n"
            "hypercall HVCALL_F 0x0006  # torvalds/linux include/hyperv/hvgdk_mini.h @0bd921a4b4d9ca832578fcc61a6a99bd980776c9 (TLFS)\n"
            "status HV_STATUS_G 0x7  # LIST patch\n";
        const std::vector<std::string> problems = check_golden(golden, keys);
        report(problems);
        REQUIRE(problems.size() == 4);
        CHECK(problems[0].starts_with("conformance/golden/linux-abi.txt:5: hypercall HVCALL_D: "));
        CHECK(problems[0].ends_with("matches no row of docs/sources.md (repository, path and commit)"));
        CHECK(problems[1].starts_with("conformance/golden/linux-abi.txt:6: hypercall HVCALL_E: 'gregkh/linux "));
        CHECK(problems[2] ==
              "conformance/golden/linux-abi.txt:7: hypercall HVCALL_F: '(TLFS)' is not the key of the row "
              "it cites (GDKMINI, docs/sources.md line 3)");
        CHECK(problems[3] ==
              "conformance/golden/linux-abi.txt:8: status HV_STATUS_G: key 'LIST' (clause 1 'LIST patch') is "
              "not in docs/sources.md");
    }
}
