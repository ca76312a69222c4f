// The shared codecs: one reading, one set of checks, one writer per fact (codecs.hpp).
#include "hvsim/conformance/codecs.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "hvcall/catalogue.hpp"
#include "hvcall/control.hpp"

namespace hvsim::conformance {

using nlohmann::json;

namespace {

constexpr std::uint64_t kPage = hvcall::kPageSize;
constexpr std::uint64_t kMaxRamBytes = 1ull << 40;  // 1 TiB: an extent, but still a bound
constexpr std::uint64_t kPfnLimit = 1ull << 40;     // 52-bit host physical addresses
constexpr std::uint64_t kMaxCpus = 64;
constexpr std::uint64_t kMaxCost = 1u << 20;        // pages per object
constexpr std::uint32_t kMinGuestAddressBits = 21;  // one 2 MiB page
constexpr std::uint32_t kMaxGuestAddressBits = 64;

std::string join(const std::vector<std::string>& words) {
    std::string s;
    for (const auto& w : words) s += (s.empty() ? "" : ", ") + w;
    return s;
}

std::uint64_t parse_text(const std::string& s, const std::string& at, std::string_view also) {
    if (s == "self") return ~0ull;
    std::string digits = s;
    std::uint64_t scale = 1;
    for (const auto& [suffix, mult] :
         {std::pair{"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30}, {"TiB", 1ull << 40}})
        if (digits.size() > 3 && digits.ends_with(suffix)) {
            digits.resize(digits.size() - 3);
            scale = mult;
        }
    int base = 10;
    if (digits.starts_with("0x") || digits.starts_with("0X")) {
        base = 16;
        digits.erase(0, 2);
    }
    const auto bad = [&] {
        throw CodecError(
            at, "'" + s + "' is not a number (expected decimal, \"0x...\" hex, a size like \"2MiB\"" +
                    (also.empty() ? std::string(" or \"self\")") : ", \"self\" or " + std::string(also) + ")"));
    };
    if (digits.empty() || digits.size() > 20) bad();
    std::uint64_t v = 0;
    for (char c : digits) {
        const int d = std::isdigit(static_cast<unsigned char>(c))                    ? c - '0'
                      : (base == 16 && std::isxdigit(static_cast<unsigned char>(c))) ? std::tolower(c) - 'a' + 10
                                                                                     : -1;
        if (d < 0 || d >= base) bad();
        if (v > (~0ull - static_cast<std::uint64_t>(d)) / static_cast<std::uint64_t>(base))
            throw CodecError(at, "'" + s + "' does not fit in 64 bits");
        v = v * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
    }
    if (scale != 1 && v > ~0ull / scale) throw CodecError(at, "'" + s + "' does not fit in 64 bits");
    return v * scale;
}

std::uint32_t read_u32(const json& j, const std::string& at, std::uint64_t max) {
    return static_cast<std::uint32_t>(read_number(j, at, std::min<std::uint64_t>(max, 0xFFFFFFFFu)));
}

const json& read_list(const json& j, const std::string& at) {
    if (!j.is_array()) throw CodecError(at, "expected a list, got " + std::string(j.type_name()));
    return j;
}

void read_costs(const json& k, const std::string& at, Costs& c) {
    check_object(k, at,
                 {"create_partition", "initialize_partition", "vp", "vp_root", "vp_contiguous", "port",
                  "logical_processor", "page_table"},
                 "the costs");
    const auto cost = [&](const char* key, std::uint32_t& out) {
        if (k.contains(key)) out = read_u32(k.at(key), at + "/" + key, kMaxCost);
    };
    cost("create_partition", c.create_partition);
    cost("initialize_partition", c.initialize_partition);
    cost("vp", c.vp);
    cost("vp_root", c.vp_root);
    if (k.contains("vp_contiguous")) c.vp_contiguous = read_bool(k.at("vp_contiguous"), at + "/vp_contiguous");
    cost("port", c.port);
    cost("logical_processor", c.logical_processor);
    cost("page_table", c.page_table);
}

// Above RAM, at least a page, within 52-bit physical addresses (so never wrapping past 2^64).
std::vector<PfnRange> read_mmio(const json& list, const std::string& at, std::uint64_t ram_bytes) {
    if (!list.is_array())
        throw CodecError(at,
                         "expected a list of {\"first\", \"count\"} PFN ranges, got " + std::string(list.type_name()));
    std::vector<PfnRange> out;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string p = at + "/" + std::to_string(i);
        const json& e = list[i];
        check_object(e, p, {"first", "count"}, "an MMIO range");
        const PfnRange r{read_number(required_key(e, p, "first", "an MMIO range"), p + "/first", kPfnLimit - 1),
                         read_number(required_key(e, p, "count", "an MMIO range"), p + "/count")};
        if (r.count == 0) throw CodecError(p + "/count", "an MMIO range holds at least one page");
        if (r.count > kPfnLimit - r.first)
            throw CodecError(p + "/count",
                             "the range runs past PFN 2^40, the end of 52-bit physical addresses (at most " +
                                 std::to_string(kPfnLimit - r.first) + " pages from this first)");
        if (r.first * kPage < ram_bytes) throw CodecError(p + "/first", "MMIO ranges must lie above RAM");
        out.push_back(r);
    }
    return out;
}

}  // namespace

std::string pointer_token(const std::string& key) {
    std::string out;
    for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    return out;
}

void check_object(const json& j, const std::string& at, const std::vector<std::string>& allowed,
                  const std::string& what) {
    if (!j.is_object()) throw CodecError(at, "expected " + what + " (an object), got " + j.type_name());
    for (const auto& [key, value] : j.items())
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            throw CodecError(at + "/" + pointer_token(key),
                             "unknown key '" + key + "' in " + what + " (expected one of: " + join(allowed) + ")");
}

const json& required_key(const json& j, const std::string& at, const std::string& key, const std::string& what) {
    if (!j.contains(key)) throw CodecError(at, what + " lacks the required key '" + key + "'");
    return j.at(key);
}

std::uint64_t read_number(const json& j, const std::string& at, std::uint64_t max, std::string_view also) {
    std::uint64_t v = 0;
    if (j.is_number_unsigned()) {
        v = j.get<std::uint64_t>();
    } else if (j.is_number_integer()) {
        if (j.get<std::int64_t>() < 0) throw CodecError(at, "negative number " + j.dump() + " (expected 0 or more)");
        v = static_cast<std::uint64_t>(j.get<std::int64_t>());
    } else if (j.is_string()) {
        v = parse_text(j.get<std::string>(), at, also);
    } else {
        throw CodecError(at, "expected a number (decimal, \"0x...\" hex, \"2MiB\" or \"self\"), got " +
                                 std::string(j.type_name()) + (j.is_number_float() ? " " + j.dump() : ""));
    }
    if (v > max) throw CodecError(at, "value " + std::to_string(v) + " exceeds " + std::to_string(max));
    return v;
}

bool read_bool(const json& j, const std::string& at) {
    if (!j.is_boolean()) throw CodecError(at, "expected true or false, got " + std::string(j.type_name()));
    return j.get<bool>();
}

hvcall::Status read_status(const json& j, const std::string& at) {
    if (j.is_string()) {
        if (auto s = hvcall::status_from_name(j.get<std::string>())) return *s;
        if (!j.get<std::string>().starts_with("0x"))
            throw CodecError(at, "unknown status '" + j.get<std::string>() +
                                     "' (expected a name such as INVALID_PARAMETER, see 'hvsim status', or a number)");
    }
    return static_cast<hvcall::Status>(read_number(j, at, 0xFFFF));
}

std::uint16_t read_call_code(const json& j, const std::string& at) {
    if (j.is_string() &&
        !std::isdigit(static_cast<unsigned char>(j.get<std::string>().empty() ? 'x' : j.get<std::string>()[0]))) {
        if (const auto* c = hvcall::find_call(j.get<std::string>())) return c->code;
        throw CodecError(at, "'" + j.get<std::string>() + "' is not a catalogued call (see 'hvsim calls'), nor a code");
    }
    return static_cast<std::uint16_t>(read_number(j, at, 0xFFFF));
}

MachineConfig read_machine(const json& j, const std::vector<std::string>& caller_keys) {
    std::vector<std::string> keys = {"cpus",
                                     "ram_bytes",
                                     "mmio",
                                     "guest_address_bits",
                                     "root_partition_id",
                                     "costs",
                                     "hypervisor_restarts_reps",
                                     "max_vps",
                                     "percpu_base",
                                     "poison",
                                     "strict",
                                     "reject_spec_only"};
    keys.insert(keys.end(), caller_keys.begin(), caller_keys.end());
    check_object(j, "", keys, "the machine");
    MachineConfig c;
    if (j.contains("ram_bytes")) {
        c.ram_bytes = read_number(j.at("ram_bytes"), "/ram_bytes", kMaxRamBytes);
        if (c.ram_bytes % kPage) throw CodecError("/ram_bytes", "RAM size must be a whole number of 4 KiB pages");
    }
    if (j.contains("cpus")) c.cpus = read_u32(j.at("cpus"), "/cpus", kMaxCpus);
    if (c.cpus == 0) throw CodecError("/cpus", "at least one CPU");
    if (j.contains("percpu_base")) {
        c.percpu_base = read_number(j.at("percpu_base"), "/percpu_base", kMaxRamBytes);
        if (c.percpu_base % kPage)
            throw CodecError("/percpu_base", "the per-CPU hypercall pages must be page aligned (a multiple of 4096)");
    }
    const std::uint64_t percpu_end = c.percpu_base + std::uint64_t{c.cpus} * 2 * kPage;
    if (percpu_end > c.ram_bytes) {
        if (j.contains("percpu_base"))
            throw CodecError("/percpu_base", "the per-CPU hypercall pages (2 per CPU from percpu_base, up to " +
                                                 std::to_string(percpu_end) + ") must lie in RAM (" +
                                                 std::to_string(c.ram_bytes) + " bytes)");
        throw CodecError("/ram_bytes", "RAM must hold the per-CPU hypercall pages (at least " +
                                           std::to_string(percpu_end) + " bytes)");
    }
    if (j.contains("mmio")) c.mmio = read_mmio(j.at("mmio"), "/mmio", c.ram_bytes);
    if (j.contains("guest_address_bits")) {
        c.guest_address_bits = read_u32(j.at("guest_address_bits"), "/guest_address_bits", kMaxGuestAddressBits);
        if (c.guest_address_bits < kMinGuestAddressBits)
            throw CodecError("/guest_address_bits", "at least 21 bits (one 2 MiB page)");
    }
    if (j.contains("root_partition_id")) {
        c.root_partition_id = read_number(j.at("root_partition_id"), "/root_partition_id", ~0ull - 1);
        if (c.root_partition_id == 0) throw CodecError("/root_partition_id", "the root's id must not be 0");
    }
    if (j.contains("max_vps")) c.max_vps = read_u32(j.at("max_vps"), "/max_vps", 0xFFFFFFFFu);
    if (j.contains("poison")) c.poison = read_number(j.at("poison"), "/poison");
    if (j.contains("hypervisor_restarts_reps"))
        c.hypervisor_restarts_reps = read_bool(j.at("hypervisor_restarts_reps"), "/hypervisor_restarts_reps");
    if (j.contains("strict")) c.strict = read_bool(j.at("strict"), "/strict");
    if (j.contains("reject_spec_only")) c.reject_spec_only = read_bool(j.at("reject_spec_only"), "/reject_spec_only");
    if (j.contains("costs")) read_costs(j.at("costs"), "/costs", c.costs);
    return c;
}

json write_machine(const MachineConfig& c) {
    json mmio = json::array();
    for (const auto& r : c.mmio) mmio.push_back({{"first", r.first}, {"count", r.count}});
    return json{{"cpus", c.cpus},
                {"ram_bytes", c.ram_bytes},
                {"percpu_base", c.percpu_base},
                {"root_partition_id", c.root_partition_id},
                {"strict", c.strict},
                {"reject_spec_only", c.reject_spec_only},
                {"hypervisor_restarts_reps", c.hypervisor_restarts_reps},
                {"max_vps", c.max_vps},
                {"guest_address_bits", c.guest_address_bits},
                {"poison", c.poison},
                {"mmio", std::move(mmio)},
                {"costs",
                 {{"create_partition", c.costs.create_partition},
                  {"initialize_partition", c.costs.initialize_partition},
                  {"vp", c.costs.vp},
                  {"vp_root", c.costs.vp_root},
                  {"vp_contiguous", c.costs.vp_contiguous},
                  {"port", c.costs.port},
                  {"logical_processor", c.costs.logical_processor},
                  {"page_table", c.costs.page_table}}}};
}

FaultPlan read_fault_plan(const json& j) {
    check_object(j, "", {"rep_ends", "failing_allocations", "statuses", "random_ends", "max_ends_per_loop"},
                 "a fault plan");
    FaultPlan p;
    if (j.contains("rep_ends")) {
        const json& list = read_list(j.at("rep_ends"), "/rep_ends");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string at = "/rep_ends/" + std::to_string(i);
            const json& e = list[i];
            check_object(e, at, {"call", "after"}, "a rep end");
            FaultPlan::RepEnd r;
            if (e.contains("call")) r.call = read_number(e.at("call"), at + "/call");
            if (e.contains("after"))
                r.after_elements = read_u32(e.at("after"), at + "/after", hvcall::Control::kMaxRepCount);
            if (r.after_elements == 0)
                throw CodecError(at + "/after",
                                 "at least one element runs before a time-slice end (expected 1 or more)");
            p.rep_ends.push_back(r);
        }
    }
    if (j.contains("failing_allocations")) {
        const json& list = read_list(j.at("failing_allocations"), "/failing_allocations");
        for (std::size_t i = 0; i < list.size(); ++i)
            p.failing_allocations.push_back(read_number(list[i], "/failing_allocations/" + std::to_string(i)));
    }
    if (j.contains("statuses")) {
        const json& list = read_list(j.at("statuses"), "/statuses");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string at = "/statuses/" + std::to_string(i);
            const json& e = list[i];
            check_object(e, at, {"code", "nth", "status"}, "an injected status");
            FaultPlan::InjectedStatus s;
            s.code = read_call_code(required_key(e, at, "code", "an injected status"), at + "/code");
            if (e.contains("nth")) s.nth = read_number(e.at("nth"), at + "/nth");
            s.status = read_status(required_key(e, at, "status", "an injected status"), at + "/status");
            if (s.status == hvcall::Status::SUCCESS)
                throw CodecError(at + "/status", "an injected status must be an error, not SUCCESS");
            p.statuses.push_back(s);
        }
    }
    if (j.contains("random_ends")) {
        const json& r = j.at("random_ends");
        check_object(r, "/random_ends", {"seed", "per_mille"}, "the random ends");
        if (r.contains("seed")) p.seed = read_number(r.at("seed"), "/random_ends/seed");
        p.early_end_per_mille =
            read_u32(required_key(r, "/random_ends", "per_mille", "the random ends"), "/random_ends/per_mille", 1000);
    }
    if (j.contains("max_ends_per_loop"))
        p.max_ends_per_loop = read_u32(j.at("max_ends_per_loop"), "/max_ends_per_loop", hvcall::Control::kMaxRepCount);
    return p;
}

json write_fault_plan(const FaultPlan& p) {
    json j = json::object();
    if (!p.rep_ends.empty()) {
        json a = json::array();
        for (const auto& e : p.rep_ends) a.push_back({{"call", e.call}, {"after", e.after_elements}});
        j["rep_ends"] = std::move(a);
    }
    if (!p.failing_allocations.empty()) j["failing_allocations"] = p.failing_allocations;
    if (!p.statuses.empty()) {
        json a = json::array();
        for (const auto& e : p.statuses)
            a.push_back({{"code", e.code}, {"nth", e.nth}, {"status", static_cast<unsigned>(e.status)}});
        j["statuses"] = std::move(a);
    }
    if (p.early_end_per_mille != 0) j["random_ends"] = {{"seed", p.seed}, {"per_mille", p.early_end_per_mille}};
    if (p.max_ends_per_loop != 0) j["max_ends_per_loop"] = p.max_ends_per_loop;
    return j;
}

}  // namespace hvsim::conformance
