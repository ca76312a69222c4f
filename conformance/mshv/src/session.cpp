#include "hvsim/devmshv/session.hpp"

#include <cerrno>
#include <cstdio>

#include "hvcall/catalogue.hpp"
#include "hvcall/errno_names.hpp"
#include "hvsim/rules.hpp"
#include "hvsim/traces/replay.hpp"

namespace hvsim::devmshv {

using nlohmann::json;

MachineConfig session_machine_config() {
    MachineConfig c;
    c.ram_bytes = std::uint64_t{1} << 40;
    return c;
}

hvcall::HypercallResult TallyBackend::count(hvcall::Control control, hvcall::HypercallResult r) noexcept {
    ++calls[control.code()];
    violations += machine_.violations().size();
    if (machine_.last_diagnostic()) ++rejections;
    return r;
}

Session::Session(SessionOptions options, std::unique_ptr<Host> host)
    : options_(std::move(options)),
      host_(std::move(host)),
      machine_(std::make_unique<Machine>(options_.machine)),
      cpu_(*machine_, 0) {
    hvcall::Backend* cpu = &cpu_;
    if (!options_.record.empty()) {
        writer_ = std::make_unique<traces::TraceWriter>(
            options_.record, traces::format_for_path(options_.record),
            traces::Header{traces::kFormatVersion, options_.producer, traces::profile_for(options_.machine)});
        recorder_ = std::make_unique<traces::RecordingBackend>(
            cpu_, [w = writer_.get()](const traces::Record& r) { w->write(r); });
        cpu = recorder_.get();
    }
    driver_ = std::make_unique<Driver>(*machine_, *cpu, *cpu, *host_, options_.driver);
}

Session::~Session() {
    finish();
    recorder_.reset();
    writer_.reset();
}

// Tears down what the client left open (its hypercalls are recorded too); the trace stays
// open until the session goes, so summary() still counts its records.
void Session::finish() { driver_.reset(); }

int Session::ioctl(int handle, unsigned long request, void* arg) noexcept {
    if (!driver_) return -EBADF;  // after finish()
    const auto kind = driver_->kind(handle);
    const int r = driver_->ioctl(handle, request, arg);
    if (!kind) return r;
    if (const auto name = Driver::ioctl_name(*kind, request)) {
        const std::string n(*name);
        ++ioctls_[n];
        if (r < 0) ++errors_[n][r];
    } else {
        ++unknown_[{*kind, request}];
    }
    return r;
}

int Session::mmap(int handle, std::uint64_t page_offset) noexcept {
    ++mmaps_;
    if (!driver_) return -EBADF;
    return driver_->mmap(handle, page_offset);
}

std::string_view to_string(FdKind kind) noexcept {
    switch (kind) {
        case FdKind::device:
            return "device";
        case FdKind::partition:
            return "partition";
        case FdKind::vp:
            return "vp";
    }
    return "?";
}

json Session::summary() const {
    json s = {{"ioctls", json::object()},      {"errors", json::object()},
              {"unknown", json::array()},      {"mmaps", mmaps_},
              {"hypercalls", json::object()},  {"violations", cpu_.violations},
              {"rejections", cpu_.rejections}, {"rules", json::object()}};
    for (const auto& [name, n] : ioctls_) s["ioctls"][name] = n;
    for (const auto& [name, by] : errors_)
        for (const auto& [e, n] : by) s["errors"][name][hvcall::errno_text(e)] = n;
    for (const auto& [key, n] : unknown_) {
        char request[24];
        std::snprintf(request, sizeof request, "0x%lX", key.second);
        s["unknown"].push_back({{"fd", to_string(key.first)}, {"request", request}, {"count", n}});
    }
    for (const auto& [code, n] : cpu_.calls) {
        const auto* c = hvcall::find_call(code);
        char unknown[24];
        std::snprintf(unknown, sizeof unknown, "0x%04X", code);
        s["hypercalls"][c != nullptr ? std::string(c->name) : std::string(unknown)] = n;
    }
    const auto hits = machine_->rule_hits();
    for (std::size_t i = 0; i < hits.size(); ++i)
        if (hits[i] != 0) s["rules"][std::string(kRules[i].id)] = hits[i];
    if (writer_) {
        s["trace"] = options_.record;
        s["records"] = writer_->records();
    }
    if (recorder_ && !recorder_->sink_error().empty()) s["trace_error"] = recorder_->sink_error();
    return s;
}

namespace {

void add_counts(json& into, const json& from) {
    if (!into.is_object()) into = json::object();  // a nested count seen for the first time
    for (const auto& [k, v] : from.items()) {
        if (v.is_object()) {
            add_counts(into[k], v);
        } else if (v.is_number_unsigned()) {
            into[k] = into.value(k, std::uint64_t{0}) + v.get<std::uint64_t>();
        }
    }
}

std::string counts_line(const json& counts) {
    std::string out;
    for (const auto& [k, v] : counts.items()) {
        if (!out.empty()) out += ", ";
        out += k + " " + std::to_string(v.get<std::uint64_t>());
    }
    return out.empty() ? "none" : out;
}

std::uint64_t total(const json& counts) {
    std::uint64_t n = 0;
    for (const auto& [k, v] : counts.items()) n += v.get<std::uint64_t>();
    return n;
}

}  // namespace

json merge_summaries(const std::vector<json>& parts) {
    json m = {{"processes", parts.size()},
              {"ioctls", json::object()},
              {"errors", json::object()},
              {"unknown", json::array()},
              {"mmaps", 0},
              {"hypercalls", json::object()},
              {"violations", 0},
              {"rejections", 0},
              {"rules", json::object()},
              {"traces", json::array()}};
    for (const json& p : parts) {
        for (const char* k : {"ioctls", "errors", "hypercalls", "rules"}) add_counts(m[k], p.value(k, json::object()));
        for (const char* k : {"mmaps", "violations", "rejections"})
            m[k] = m[k].get<std::uint64_t>() + p.value(k, std::uint64_t{0});
        for (const json& u : p.value("unknown", json::array())) m["unknown"].push_back(u);
        if (p.contains("trace"))
            m["traces"].push_back({{"path", p["trace"]}, {"records", p.value("records", std::uint64_t{0})}});
        if (p.contains("trace_error")) m["trace_error"] = p["trace_error"];
    }
    return m;
}

std::string summary_text(const json& s) {
    std::uint64_t unknown = 0;
    for (const json& u : s["unknown"]) unknown += u.value("count", std::uint64_t{0});
    if (s.value("processes", 1) == 0) return "hvsim mshv: no process opened /dev/mshv\n";
    std::string out = "hvsim mshv: " + std::to_string(total(s["ioctls"])) + " ioctls served (" +
                      std::to_string(unknown) + " unknown), " + std::to_string(total(s["hypercalls"])) +
                      " hypercalls issued (" + std::to_string(s.value("rejections", 0)) +
                      " answered with a rule's status), " + std::to_string(s.value("violations", 0)) + " violations\n";
    out += "  ioctls:     " + counts_line(s["ioctls"]) + "\n";
    std::string errors;
    for (const auto& [name, by] : s["errors"].items())
        errors += (errors.empty() ? "" : "; ") + name + ": " + counts_line(by);
    if (!errors.empty()) out += "  failed:     " + errors + "\n";
    out += "  hypercalls: " + counts_line(s["hypercalls"]) + "\n";
    out += "  rules hit:  " + counts_line(s["rules"]) + "\n";
    for (const json& u : s["unknown"])
        out += "  unknown:    " + u.value("request", std::string("?")) + " on a " + u.value("fd", std::string("?")) +
               " fd, " + std::to_string(u.value("count", 0)) + " times: -ENOTTY\n";
    for (const json& t : s.value("traces", json::array()))
        out += "  trace:      " + t["path"].get<std::string>() + " (" + std::to_string(t.value("records", 0)) +
               " records)\n";
    if (s.contains("trace_error")) out += "  trace error: " + s["trace_error"].get<std::string>() + "\n";
    return out;
}

}  // namespace hvsim::devmshv
