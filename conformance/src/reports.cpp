#include "hvsim/conformance/reports.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "hvcall/catalogue.hpp"

namespace hvsim::conformance {

namespace {

std::string percent(std::size_t n, std::size_t of) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f%%",
                  of == 0 ? 100.0 : 100.0 * static_cast<double>(n) / static_cast<double>(of));
    return buf;
}

std::string run_name(const RunResult& r) {
    return r.scenario->name + (r.outcome == RunVerdict::skip ? std::string() : " [" + r.variant.name() + "]");
}

// Columns of the matrix: every call some rule fired in, catalogue order, unknown codes last.
std::vector<std::string> columns(const Report& report) {
    std::set<std::string> seen;
    for (const auto& rule : report.coverage.cells)
        for (const auto& [call, cell] : rule) seen.insert(call);
    std::vector<std::string> out;
    for (const auto& c : hvcall::kCalls)
        if (seen.contains(std::string(c.name))) out.emplace_back(c.name);
    if (seen.contains("unknown code")) out.emplace_back("unknown code");
    return out;
}

enum class RuleState { covered, failed, uncovered };
RuleState state(const Report& report, std::size_t r) {
    bool failed = false;
    for (const auto& [call, cell] : report.coverage.cells[r]) failed = failed || cell.fail != 0;
    if (failed) return RuleState::failed;
    return report.coverage.covered(r) ? RuleState::covered : RuleState::uncovered;
}

// Per rule, in catalogue order: the runs that recorded it as a violation, and the scenarios.
struct ViolationRow {
    std::size_t rule = 0;
    std::size_t runs = 0, unexpected = 0;  // unexpected: runs whose step did not list it (they failed)
    std::vector<std::string> scenarios;    // "file: name", each once
};
std::vector<ViolationRow> violation_rows(const Report& report) {
    std::vector<ViolationRow> rows(kRuleCount);
    for (const auto& r : report.runs) {
        std::set<std::size_t> in_run, unexpected;
        for (const auto& v : r.violations) {
            in_run.insert(static_cast<std::size_t>(v.rule));
            if (!v.expected) unexpected.insert(static_cast<std::size_t>(v.rule));
        }
        for (const std::size_t rule : in_run) {
            ViolationRow& row = rows[rule];
            ++row.runs;
            row.unexpected += unexpected.contains(rule);
            const std::string where = r.scenario->file + ": " + r.scenario->name;
            if (std::find(row.scenarios.begin(), row.scenarios.end(), where) == row.scenarios.end())
                row.scenarios.push_back(where);
        }
    }
    std::vector<ViolationRow> out;
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (rows[i].runs != 0) {
            rows[i].rule = i;
            out.push_back(std::move(rows[i]));
        }
    return out;
}
// "12 violations recorded in 8 runs, all expected" (or "3 not expected").
std::string violations_line(const Report& report) {
    std::size_t n = 0, runs = 0, unexpected = 0;
    for (const auto& r : report.runs) {
        n += r.violations.size();
        runs += !r.violations.empty();
        for (const auto& v : r.violations) unexpected += !v.expected;
    }
    return std::to_string(n) + " spec-only violation" + (n == 1 ? "" : "s") + " recorded (the call went on) in " +
           std::to_string(runs) + " run" + (runs == 1 ? "" : "s") + ", " +
           (unexpected == 0 ? std::string("all expected") : std::to_string(unexpected) + " not expected");
}
std::string violation_text(const RecordedViolation& v) {
    return "step " + std::to_string(v.step) + ": " +
           (v.expected ? "violation (expected): " : "violation (NOT expected): ") + v.detail;
}
std::string scenarios_text(const ViolationRow& row, std::size_t most) {
    std::string s;
    for (std::size_t i = 0; i < row.scenarios.size() && i < most; ++i) s += (i ? "; " : "") + row.scenarios[i];
    if (row.scenarios.size() > most) s += "; +" + std::to_string(row.scenarios.size() - most) + " more";
    return s;
}

std::string failure_text(const StepFailure& f) {
    std::string s = "step " + std::to_string(f.index) + " (" + f.label + ", at " + f.pointer + ")" +
                    (f.note.empty() ? "" : ": " + f.note) + "\n";
    for (const auto& m : f.mismatches) s += "  " + m + "\n";
    for (const auto& d : f.diagnostics) s += "  model " + d + "\n";
    if (f.diagnostics.empty()) s += "  model: no rejection, no violation\n";
    return s;
}

}  // namespace

std::string xml_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')
                    out += ' ';
                else
                    out += c;
        }
    }
    return out;
}

std::vector<std::string> uncovered_rules(const Report& report) {
    std::vector<std::string> out;
    for (std::size_t r = 0; r < kRuleCount; ++r)
        if (!report.coverage.covered(r)) out.emplace_back(kRules[r].id);
    return out;
}

void print_summary(std::ostream& out, const Report& report, const std::string& title) {
    for (const auto& r : report.runs) {
        if (r.outcome != RunVerdict::fail) continue;
        out << "FAIL " << r.scenario->file << ": " << run_name(r) << "\n" << failure_text(*r.failure);
    }
    for (const auto& r : report.runs)
        if (r.outcome == RunVerdict::skip)
            out << "SKIP " << r.scenario->file << ": " << r.scenario->name << ": " << r.skip_reason << "\n";
    if (const auto rows = violation_rows(report); !rows.empty()) {
        out << violations_line(report) << ":\n";
        for (const auto& row : rows)
            out << "  " << kRules[row.rule].id << ": " << row.runs << " run" << (row.runs == 1 ? "" : "s")
                << (row.unexpected ? " (" + std::to_string(row.unexpected) + " not expected)" : std::string())
                << ", in " << scenarios_text(row, 2) << "\n";
    }
    const std::size_t covered = report.coverage.covered_count();
    out << title << ": " << report.runs.size() << " runs of " << report.scenarios << " scenarios in " << report.files
        << " files: " << report.count(RunVerdict::pass) << " passed, " << report.count(RunVerdict::fail) << " failed, "
        << report.count(RunVerdict::skip) << " skipped\n";
    out << "rule coverage: " << covered << "/" << kRuleCount << " catalogued rules exercised and expected ("
        << percent(covered, kRuleCount) << ")\n";
    const auto missing = uncovered_rules(report);
    if (!missing.empty()) {
        out << "uncovered rules:";
        for (const auto& id : missing) out << " " << id;
        out << "\n";
    }
}

void write_junit(std::ostream& out, const Report& report, const std::string& suite_name) {
    std::vector<std::string> files;
    for (const auto& r : report.runs)
        if (std::find(files.begin(), files.end(), r.scenario->file) == files.end()) files.push_back(r.scenario->file);
    double total = 0;
    for (const auto& r : report.runs) total += r.seconds;
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out << "<testsuites name=\"" << xml_escape(suite_name) << "\" tests=\"" << report.runs.size() << "\" failures=\""
        << report.count(RunVerdict::fail) << "\" skipped=\"" << report.count(RunVerdict::skip) << "\" time=\"" << total
        << "\">\n";
    for (const auto& file : files) {
        std::size_t tests = 0, failures = 0, skipped = 0;
        double time = 0;
        for (const auto& r : report.runs) {
            if (r.scenario->file != file) continue;
            ++tests;
            failures += r.outcome == RunVerdict::fail;
            skipped += r.outcome == RunVerdict::skip;
            time += r.seconds;
        }
        out << "  <testsuite name=\"" << xml_escape(file) << "\" tests=\"" << tests << "\" failures=\"" << failures
            << "\" errors=\"0\" skipped=\"" << skipped << "\" time=\"" << time << "\">\n";
        for (const auto& r : report.runs) {
            if (r.scenario->file != file) continue;
            out << "    <testcase classname=\"" << xml_escape(file) << "\" name=\"" << xml_escape(run_name(r))
                << "\" time=\"" << r.seconds << "\"";
            if (r.outcome == RunVerdict::pass && r.violations.empty()) {
                out << "/>\n";
                continue;
            }
            out << ">\n";
            if (r.outcome == RunVerdict::skip) {
                out << "      <skipped message=\"" << xml_escape(r.skip_reason) << "\"/>\n";
            } else if (r.failure) {
                const auto& f = *r.failure;
                out << "      <failure message=\""
                    << xml_escape("step " + std::to_string(f.index) + " (" + f.label + "): " + f.mismatches.front())
                    << "\" type=\"mismatch\">" << xml_escape(failure_text(f)) << "</failure>\n";
            }
            if (!r.violations.empty()) {
                std::string text;
                for (const auto& v : r.violations) text += violation_text(v) + "\n";
                out << "      <system-out>" << xml_escape(text) << "</system-out>\n";
            }
            out << "    </testcase>\n";
        }
        out << "  </testsuite>\n";
    }
    out << "</testsuites>\n";
}

void write_markdown(std::ostream& out, const Report& report, const std::string& title) {
    const auto cols = columns(report);
    const std::size_t covered = report.coverage.covered_count();
    out << "# " << title << "\n\n";
    out << "- runs: " << report.runs.size() << " (" << report.count(RunVerdict::pass) << " passed, "
        << report.count(RunVerdict::fail) << " failed, " << report.count(RunVerdict::skip) << " skipped) of "
        << report.scenarios << " scenarios in " << report.files << " files\n";
    out << "- rule coverage: " << covered << "/" << kRuleCount << " (" << percent(covered, kRuleCount) << ")\n";
    out << "- " << violations_line(report) << "\n\n";
    out << "Cells: `pass` the rule fired where a passing step expected it, `FAIL` a step expecting it failed, "
           "blank not exercised with this call. Rules no passing step exercised are marked **uncovered**.\n\n";
    out << "| rule | status | strength | coverage |";
    for (const auto& c : cols) out << " " << c << " |";
    out << "\n|---|---|---|---|";
    for (std::size_t i = 0; i < cols.size(); ++i) out << "---|";
    out << "\n";
    for (std::size_t r = 0; r < kRuleCount; ++r) {
        const auto st = state(report, r);
        out << "| `" << kRules[r].id << "` | " << hvcall::status_name(kRules[r].status) << " | "
            << to_string(kRules[r].strength) << " | "
            << (st == RuleState::covered  ? "covered"
                : st == RuleState::failed ? "**FAIL**"
                                          : "**uncovered**")
            << " |";
        for (const auto& c : cols) {
            const auto it = report.coverage.cells[r].find(c);
            if (it == report.coverage.cells[r].end())
                out << "  |";
            else if (it->second.fail)
                out << " FAIL " << it->second.fail << " |";
            else
                out << " pass " << it->second.pass << " |";
        }
        out << "\n";
    }
    if (const auto rows = violation_rows(report); !rows.empty()) {
        out << "\n## Spec-only violations recorded\n\n"
            << "Rules the spec states without a status, broken while the call went on (as hardware most likely lets it); "
               "a step that does not expect one fails.\n\n| rule | runs | not expected | scenarios |\n|---|---|---|---|\n";
        for (const auto& row : rows)
            out << "| `" << kRules[row.rule].id << "` | " << row.runs << " | "
                << (row.unexpected ? "**" + std::to_string(row.unexpected) + "**" : "0") << " | "
                << scenarios_text(row, 4) << " |\n";
    }
    if (report.count(RunVerdict::fail)) {
        out << "\n## Failures\n\n";
        for (const auto& r : report.runs)
            if (r.outcome == RunVerdict::fail)
                out << "- `" << r.scenario->file << "`: " << run_name(r) << "\n\n```\n"
                    << failure_text(*r.failure) << "```\n";
    }
}

void write_html(std::ostream& out, const Report& report, const std::string& title) {
    const auto cols = columns(report);
    const std::size_t covered = report.coverage.covered_count();
    const std::size_t failed_rules = [&] {
        std::size_t n = 0;
        for (std::size_t r = 0; r < kRuleCount; ++r) n += state(report, r) == RuleState::failed;
        return n;
    }();
    out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << xml_escape(title)
        << "</title>\n<style>\n"
        << "body{font-family:system-ui,sans-serif;margin:24px;color:#1d2329}\n"
        << "h1{font-size:22px;margin:0 0 8px}.sum{display:flex;gap:12px;margin:12px 0 18px}\n"
        << ".box{padding:10px 14px;border-radius:6px;background:#f1f3f5;font-size:14px}.box b{display:block;font-size:22px}\n"
        << ".ok b{color:#1b7f3b}.bad b{color:#b42318}\n"
        << "table{border-collapse:collapse;font-size:12px}th,td{border:1px solid #d0d5da;padding:3px 6px;text-align:center}\n"
        << "th.call{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-weight:600;padding:6px 2px;background:#f8f9fa}\n"
        << "td.rule{text-align:left;font-family:ui-monospace,monospace;white-space:nowrap}td.left{text-align:left}\n"
        << "td.pass{background:#c9efd3;color:#14532d}td.fail{background:#f9c6c0;color:#7f1d1d;font-weight:700}\n"
        << "td.st-covered{color:#1b7f3b}td.st-failed{color:#b42318;font-weight:700}td.st-uncovered{background:#fde68a;font-weight:700}\n"
        << "tr:hover td{outline:1px solid #8aa}pre{background:#f8f9fa;padding:8px;border-left:3px solid #b42318;white-space:pre-wrap}\n"
        << ".legend span{display:inline-block;padding:1px 8px;margin-right:8px;border-radius:3px}\n"
        << "</style></head><body>\n<h1>" << xml_escape(title) << "</h1>\n<div class=\"sum\">\n";
    auto box = [&](const std::string& label, const std::string& value, bool good) {
        out << "<div class=\"box " << (good ? "ok" : "bad") << "\"><b>" << xml_escape(value) << "</b>"
            << xml_escape(label) << "</div>\n";
    };
    box("runs passed", std::to_string(report.count(RunVerdict::pass)) + "/" + std::to_string(report.runs.size()),
        report.count(RunVerdict::fail) == 0);
    box("runs failed", std::to_string(report.count(RunVerdict::fail)), report.count(RunVerdict::fail) == 0);
    box("skipped", std::to_string(report.count(RunVerdict::skip)), true);
    box("rules covered",
        std::to_string(covered) + "/" + std::to_string(kRuleCount) + " (" + percent(covered, kRuleCount) + ")",
        covered == kRuleCount && failed_rules == 0);
    const auto rows = violation_rows(report);
    std::size_t violation_runs = 0, unexpected_runs = 0;
    for (const auto& r : report.runs) {
        violation_runs += !r.violations.empty();
        unexpected_runs += std::any_of(r.violations.begin(), r.violations.end(),
                                       [](const RecordedViolation& v) { return !v.expected; });
    }
    box("runs recorded spec-only violations",
        std::to_string(violation_runs) +
            (unexpected_runs ? " (" + std::to_string(unexpected_runs) + " not expected)" : ""),
        unexpected_runs == 0);
    out << "</div>\n<p class=\"legend\"><span style=\"background:#c9efd3\">n</span>passing steps that expected the rule and saw it fire with this call"
        << "<span style=\"background:#f9c6c0\">n</span>failing steps that expected it"
        << "<span style=\"background:#fde68a\">uncovered</span>no passing step exercises the rule</p>\n";
    out << "<table>\n<tr><th>rule</th><th>status</th><th>strength</th><th>coverage</th>";
    for (const auto& c : cols) out << "<th class=\"call\">" << xml_escape(c) << "</th>";
    out << "</tr>\n";
    for (std::size_t r = 0; r < kRuleCount; ++r) {
        const auto st = state(report, r);
        const char* st_name = st == RuleState::covered ? "covered" : st == RuleState::failed ? "failed" : "uncovered";
        out << "<tr><td class=\"rule\" title=\"" << xml_escape(std::string(kRules[r].statement)) << "\">"
            << xml_escape(std::string(kRules[r].id)) << "</td><td class=\"left\">"
            << hvcall::status_name(kRules[r].status) << "</td><td>" << to_string(kRules[r].strength)
            << "</td><td class=\"st-" << st_name << "\">" << st_name << "</td>";
        for (const auto& c : cols) {
            const auto it = report.coverage.cells[r].find(c);
            if (it == report.coverage.cells[r].end())
                out << "<td></td>";
            else if (it->second.fail)
                out << "<td class=\"fail\" title=\"" << xml_escape(c) << "\">" << it->second.fail << "</td>";
            else
                out << "<td class=\"pass\" title=\"" << xml_escape(c) << "\">" << it->second.pass << "</td>";
        }
        out << "</tr>\n";
    }
    out << "</table>\n";
    if (!rows.empty()) {
        out << "<h2>Spec-only violations recorded</h2>\n<p>" << xml_escape(violations_line(report))
            << ". Rules the spec states without a status, broken while the call went on (as hardware most likely lets it); "
               "a step that does not expect one fails.</p>\n<table>\n<tr><th>rule</th><th>runs</th><th>not expected</th><th>scenarios</th></tr>\n";
        for (const auto& row : rows)
            out << "<tr><td class=\"rule\">" << xml_escape(std::string(kRules[row.rule].id)) << "</td><td>" << row.runs
                << "</td><td" << (row.unexpected ? " class=\"fail\"" : "") << ">" << row.unexpected
                << "</td><td class=\"left\">" << xml_escape(scenarios_text(row, 4)) << "</td></tr>\n";
        out << "</table>\n";
    }
    if (report.count(RunVerdict::fail)) {
        out << "<h2>Failures</h2>\n";
        for (const auto& r : report.runs)
            if (r.outcome == RunVerdict::fail)
                out << "<p><b>" << xml_escape(r.scenario->file) << "</b>: " << xml_escape(run_name(r)) << "</p><pre>"
                    << xml_escape(failure_text(*r.failure)) << "</pre>\n";
    }
    out << "</body></html>\n";
}

}  // namespace hvsim::conformance
