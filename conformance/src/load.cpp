// Scenario files to Scenarios: every key checked, every name resolved, every reference
// bound to an earlier capture, so a bad file fails before any scenario runs. The grammar is
// here; parsing and typed field reading are json_reader's.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "hvcall/catalogue.hpp"
#include "hvsim/conformance/codecs.hpp"
#include "hvsim/conformance/json_reason.hpp"
#include "hvsim/conformance/limited_input.hpp"
#include "hvsim/conformance/scenario.hpp"
#include "hvsim/conformance/typed_calls.hpp"
#include "hvsim/model.hpp"
#include "json_reader.hpp"

namespace hvsim::conformance {

using nlohmann::json;

namespace {

using detail::join;
using detail::type_name;

bool valid_capture_name(const std::string& s) {
    if (s.empty() || s.size() > 64 || !(std::islower(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_';
    });
}

// The scenario grammar over the generic field reading of json_reader.hpp.
class Loader : detail::JsonReader {
public:
    explicit Loader(std::string file) : JsonReader(std::move(file)) {}

    std::vector<Scenario> file(const json& root) {
        std::vector<Scenario> out;
        if (root.is_object()) {
            out.push_back(scenario(root, ""));
        } else if (root.is_array()) {
            if (root.empty()) fail("", "the file holds an empty list (expected one scenario object or a list of them)");
            for (std::size_t i = 0; i < root.size(); ++i) out.push_back(scenario(root[i], "/" + std::to_string(i)));
        } else {
            fail("", "expected a scenario object or a list of them, got " + type_name(root));
        }
        std::set<std::string> names;
        for (const auto& s : out)
            if (!names.insert(s.name).second)
                fail(s.pointer + "/name", "scenario name '" + s.name + "' is used twice in this file");
        return out;
    }

private:
    // A number in any of read_number's forms; a "$capture" is read by value() before this.
    std::uint64_t literal(const json& j, const std::string& ptr, std::uint64_t max = ~0ull) const {
        return number(j, ptr, max, "\"$capture\"");
    }
    Value value(const json& j, const std::string& ptr) const {
        if (j.is_string() && j.get<std::string>().starts_with("$")) {
            const std::string name = j.get<std::string>().substr(1);
            if (!captured_.contains(name))
                fail(ptr, "'$" + name + "' is not captured by an earlier step (captured so far: " +
                              (captured_.empty() ? std::string("none") : join({captured_.begin(), captured_.end()})) +
                              ")");
            return {0, name};
        }
        return {literal(j, ptr), ""};
    }
    std::vector<Value> values(const json& j, const std::string& ptr) const {
        std::vector<Value> out;
        if (j.is_object()) {  // {"from": first, "count": n, "step": s}
            object(j, ptr, {"from", "count", "step"}, "a value range");
            const std::uint64_t from = literal(required(j, ptr, "from", "a value range"), ptr + "/from");
            const std::uint64_t count = literal(required(j, ptr, "count", "a value range"), ptr + "/count", 1u << 20);
            const std::uint64_t step = j.contains("step") ? literal(j["step"], ptr + "/step") : 1;
            for (std::uint64_t i = 0; i < count; ++i) out.push_back({from + i * step, ""});
            return out;
        }
        if (!j.is_array())
            fail(ptr, "expected a list of numbers or a range {\"from\", \"count\"}, got " + type_name(j));
        for (std::size_t i = 0; i < j.size(); ++i) out.push_back(value(j[i], ptr + "/" + std::to_string(i)));
        return out;
    }
    FieldWrite field(const json& j, const std::string& ptr, std::uint32_t limit) const {
        object(j, ptr, {"offset", "size", "value"}, "a field");
        FieldWrite f;
        f.pointer = ptr;
        f.offset =
            static_cast<std::uint32_t>(literal(required(j, ptr, "offset", "a field"), ptr + "/offset", limit - 1));
        if (j.contains("size")) {
            f.size = static_cast<std::uint32_t>(literal(j["size"], ptr + "/size", 8));
            if (f.size != 1 && f.size != 2 && f.size != 4 && f.size != 8)
                fail(ptr + "/size", "field size must be 1, 2, 4 or 8 bytes");
        }
        if (f.offset + f.size > limit)
            fail(ptr, "field at offset " + std::to_string(f.offset) + " runs past " + std::to_string(limit) + " bytes");
        f.value = value(required(j, ptr, "value", "a field"), ptr + "/value");
        if (f.value.ref.empty() && f.size < 8 && f.value.number >> (8 * f.size))
            fail(ptr + "/value",
                 "value " + std::to_string(f.value.number) + " does not fit " + std::to_string(f.size) + " bytes");
        return f;
    }
    std::vector<FieldWrite> fields(const json& j, const std::string& ptr) const {
        if (!j.is_array())
            fail(ptr, "expected a list of fields {\"offset\", \"size\", \"value\"}, got " + type_name(j));
        std::vector<FieldWrite> out;
        for (std::size_t i = 0; i < j.size(); ++i)
            out.push_back(field(j[i], ptr + "/" + std::to_string(i), hvcall::kPageSize));
        return out;
    }

    // The machine's keys are the codec's (codecs.hpp), as in a trace; strict mode and the
    // spec-only mode are the scenario's own keys, since the matrix and "spec_only" decide them.
    MachineSpec machine(const json& j, const std::string& ptr) const {
        for (const auto& [key, instead] :
             {std::pair{"strict", "\"strict\" (or the matrix)"}, {"reject_spec_only", "\"spec_only\": \"reject\""}})
            if (j.is_object() && j.contains(key))
                fail(ptr + "/" + key,
                     std::string("a scenario's machine takes no '") + key + "': the scenario sets it with " + instead);
        MachineSpec m;
        m.config = guard(ptr, [&] { return read_machine(j, {"host_pages"}); });
        const auto& c = m.config;
        if (j.contains("host_pages")) {
            const std::string p = ptr + "/host_pages";
            object(j["host_pages"], p, {"first", "end"}, "the host page range");
            const auto first = literal(required(j["host_pages"], p, "first", "the host page range"), p + "/first");
            const auto end = literal(required(j["host_pages"], p, "end", "the host page range"), p + "/end");
            if (first >= end || end > c.ram_bytes / hvcall::kPageSize)
                fail(p, "expected first < end <= the RAM's page count");
            m.host_pages = {first, end};
        }
        return m;
    }

    FaultPlan faults(const json& j, const std::string& ptr) const {
        return guard(ptr, [&] { return read_fault_plan(j); });
    }

    std::vector<std::string> features(const json& r, const std::string& p) const {
        if (!r.is_array()) fail(p, "expected a list of backend features such as [\"model\"], got " + type_name(r));
        std::vector<std::string> out;
        for (std::size_t i = 0; i < r.size(); ++i)
            out.push_back(text(r[i], p + "/" + std::to_string(i), "a feature name"));
        return out;
    }

    // "reject" (true) or "record".
    bool spec_only(const json& j, const std::string& p) const {
        const std::string mode = text(j, p, "\"reject\" or \"record\"");
        if (mode != "reject" && mode != "record") fail(p, "'" + mode + "' (expected \"reject\" or \"record\")");
        return mode == "reject";
    }

    Matrix matrix(const json& m, const std::string& p) const {
        object(m, p, {"strict", "form", "rep_start"}, "the matrix");
        Matrix axes;
        if (m.contains("strict")) axes.strict = boolean(m["strict"], p + "/strict");
        if (m.contains("form")) axes.form = boolean(m["form"], p + "/form");
        if (m.contains("rep_start")) axes.rep_start = boolean(m["rep_start"], p + "/rep_start");
        return axes;
    }

    Scenario scenario(const json& j, const std::string& ptr) {
        object(j, ptr,
               {"name", "description", "requires", "machine", "strict", "spec_only", "faults", "matrix", "steps"},
               "a scenario");
        Scenario s;
        s.file = file_;
        s.pointer = ptr;
        s.name = text(required(j, ptr, "name", "a scenario"), ptr + "/name", "a scenario name");
        if (s.name.empty()) fail(ptr + "/name", "the scenario name is empty");
        if (j.contains("description")) s.description = text(j["description"], ptr + "/description", "a description");
        if (j.contains("requires")) s.requires_features = features(j["requires"], ptr + "/requires");
        if (j.contains("machine")) s.machine = machine(j["machine"], ptr + "/machine");
        if (j.contains("strict")) s.strict = boolean(j["strict"], ptr + "/strict");
        if (j.contains("spec_only")) s.reject_spec_only = spec_only(j["spec_only"], ptr + "/spec_only");
        if (j.contains("faults")) s.faults = faults(j["faults"], ptr + "/faults");
        if (j.contains("matrix")) s.matrix = matrix(j["matrix"], ptr + "/matrix");
        const json& steps = required(j, ptr, "steps", "a scenario");
        if (!steps.is_array() || steps.empty())
            fail(ptr + "/steps", "expected a non-empty list of steps, got " +
                                     (steps.is_array() ? std::string("an empty list") : type_name(steps)));
        captured_.clear();
        for (std::size_t i = 0; i < steps.size(); ++i) {
            s.steps.push_back(step(steps[i], ptr + "/steps/" + std::to_string(i)));
            if (s.steps.back().faults && !s.faults.empty())
                fail(ptr + "/steps/" + std::to_string(i) + "/faults",
                     "a step's fault plan cannot be combined with the scenario's (give one or the other)");
        }
        return s;
    }

    Step step(const json& j, const std::string& ptr) {
        if (!j.is_object()) fail(ptr, "expected a step (an object), got " + type_name(j));
        int kinds = 0;
        for (const char* k : {"call", "raw", "guest_access", "assert"}) kinds += j.contains(k) ? 1 : 0;
        if (kinds != 1)
            fail(ptr, std::string(kinds == 0 ? "a step needs" : "a step has more than one of") +
                          " one of \"call\" (typed), \"raw\", \"guest_access\" or \"assert\"");
        Step st;
        st.pointer = ptr;
        if (j.contains("note")) st.note = text(j["note"], ptr + "/note", "a note");
        if (j.contains("faults")) st.faults = faults(j["faults"], ptr + "/faults");
        if (j.contains("strict")) st.strict = boolean(j["strict"], ptr + "/strict");
        if (j.contains("call")) {
            object(j, ptr, step_keys({"call", "args"}), "a typed step");
            st.body = typed(j, ptr);
            st.expect = expect_typed(j, ptr, *std::get<TypedStep>(st.body).call);
        } else if (j.contains("raw")) {
            object(j, ptr,
                   step_keys({"raw", "control", "fast", "rep_count", "rep_start", "varhead", "nested", "control_bits",
                              "input", "elements", "input_hex", "input_offset", "output_offset", "input_gpa",
                              "output_gpa", "output_size"}),
                   "a raw step");
            st.body = raw(j, ptr);
            st.expect = expect_raw(j, ptr);
        } else if (j.contains("guest_access")) {
            guest_access_step(j, ptr, st);
        } else {
            object(j, ptr, {"assert", "note"}, "an assert step");
            st.body = checks(j["assert"], ptr + "/assert");
        }
        if (j.contains("capture")) captures(j["capture"], ptr + "/capture", st);
        return st;
    }

    // A step kind's own keys and those every step may have.
    static std::vector<std::string> step_keys(std::vector<std::string> keys) {
        for (const char* k : {"note", "expect", "capture", "faults", "strict"}) keys.emplace_back(k);
        return keys;
    }

    void guest_access_step(const json& j, const std::string& ptr, Step& st) const {
        object(j, ptr, step_keys({"guest_access"}), "a guest_access step");
        const std::string p = ptr + "/guest_access";
        const auto& g = j["guest_access"];
        object(g, p, {"partition", "gfn", "count", "write"}, "a guest access");
        GuestAccessStep ga;
        ga.partition = value(required(g, p, "partition", "a guest access"), p + "/partition");
        ga.gfn = value(required(g, p, "gfn", "a guest access"), p + "/gfn");
        ga.count = g.contains("count") ? value(g["count"], p + "/count") : Value{1, ""};
        if (g.contains("write")) ga.write = boolean(g["write"], p + "/write");
        st.body = ga;
        if (j.contains("expect")) {
            object(j["expect"], ptr + "/expect", {"done"}, "a guest_access expectation");
            st.expect.done = value(j["expect"]["done"], ptr + "/expect/done");
        }
    }

    // A literal page range must fit the model: at most kMaxStepPages, inside the guest space.
    void check_range(const TypedStep& t, const std::string& ptr) const {
        const std::string_view call = t.call->name;
        const bool ranged = call == "map_gpa_pages" || call == "map_mmio_pages" || call == "unmap_gpa_pages" ||
                            call == "get_gpa_pages_access_states";
        if (!ranged) return;
        const std::string count_name = call == "get_gpa_pages_access_states" ? "count" : "pages";
        const Value& count = t.args.at(count_name).front();
        if (!count.ref.empty()) return;  // a captured value: checked when the step runs
        if (count.number > kMaxStepPages)
            fail(ptr + "/args/" + count_name, std::to_string(count.number) + " pages; a step may walk at most " +
                                                  std::to_string(kMaxStepPages) + " (64 GiB of 4 KiB pages)");
        const Value& gfn = t.args.at("gfn").front();
        if (gfn.ref.empty() && (gfn.number >= kGfnLimit || count.number > kGfnLimit - gfn.number))
            fail(ptr + "/args/gfn", "the range [" + std::to_string(gfn.number) + ", +" + std::to_string(count.number) +
                                        ") runs past the 52-bit guest physical space (page 2^40)");
    }

    TypedStep typed(const json& j, const std::string& ptr) const {
        TypedStep t;
        const std::string name = text(j["call"], ptr + "/call", "a marshalling function's name");
        t.call = find_typed_call(name);
        if (t.call == nullptr) {
            std::vector<std::string> names;
            for (const auto& c : typed_calls()) names.emplace_back(c.name);
            fail(ptr + "/call", "no typed call '" + name + "' (expected one of: " + join(names) + ")");
        }
        const json empty = json::object();
        const json& args = j.contains("args") ? j["args"] : empty;
        std::vector<std::string> allowed;
        for (const auto& a : t.call->args) allowed.emplace_back(a.name);
        object(args, ptr + "/args", allowed, (std::string("the arguments of ") + name).c_str());
        for (const auto& a : t.call->args) {
            const std::string p = ptr + "/args/" + std::string(a.name);
            if (!args.contains(a.name)) {
                if (!a.fallback) fail(ptr + "/args", name + " needs the argument '" + std::string(a.name) + "'");
                if (a.type != ArgType::list)
                    t.args[std::string(a.name)] = {Value{*a.fallback, ""}};
                else
                    t.args[std::string(a.name)] = {};
                continue;
            }
            if (a.type == ArgType::list) {
                t.args[std::string(a.name)] = values(args[a.name], p);
            } else {
                Value v = value(args[a.name], p);
                if (v.ref.empty() && v.number > max_value(a.type))
                    fail(p, "value does not fit the argument (at most " + std::to_string(max_value(a.type)) + ")");
                t.args[std::string(a.name)] = {v};
            }
        }
        check_range(t, ptr);
        return t;
    }

    // The control word: whole ("control") or by its fields.
    void raw_control(const json& j, const std::string& ptr, RawStep& r) const {
        if (j.contains("control")) r.control = literal(j["control"], ptr + "/control");
        if (j.contains("fast")) r.fast = boolean(j["fast"], ptr + "/fast");
        if (j.contains("rep_count"))
            r.rep_count =
                static_cast<std::uint32_t>(literal(j["rep_count"], ptr + "/rep_count", hvcall::Control::kMaxRepCount));
        if (j.contains("rep_start"))
            r.rep_start =
                static_cast<std::uint32_t>(literal(j["rep_start"], ptr + "/rep_start", hvcall::Control::kMaxRepStart));
        if (j.contains("varhead"))
            r.varhead =
                static_cast<std::uint32_t>(literal(j["varhead"], ptr + "/varhead", hvcall::Control::kMaxVarheadQwords));
        if (j.contains("nested")) r.nested = boolean(j["nested"], ptr + "/nested");
        if (j.contains("control_bits")) r.control_bits = literal(j["control_bits"], ptr + "/control_bits");
    }

    // The input: fields and rep elements, or hex bytes.
    void raw_input(const json& j, const std::string& ptr, const hvcall::CallInfo* info, RawStep& r) const {
        if (j.contains("input")) r.fields = fields(j["input"], ptr + "/input");
        if (j.contains("elements")) {
            if (info == nullptr || !info->is_rep() || info->rep_input_size == 0 || info->rep_input_size > 8)
                fail(ptr + "/elements",
                     "\"elements\" needs a rep call with elements of at most 8 bytes (use \"input\" fields otherwise)");
            r.elements = values(j["elements"], ptr + "/elements");
            if (!r.rep_count) {
                if (r.elements.empty() || r.elements.size() > hvcall::Control::kMaxRepCount)
                    fail(ptr + "/elements", "between 1 and 4095 elements when \"rep_count\" is not given");
                r.rep_count = static_cast<std::uint32_t>(r.elements.size());
            }
        }
        if (j.contains("input_hex")) {
            if (!r.fields.empty() || !r.elements.empty())
                fail(ptr + "/input_hex", "give the input as hex or as fields/elements, not both");
            r.input_hex = hex(j["input_hex"], ptr + "/input_hex");
        }
    }

    // Where the blocks go (offsets into the per-CPU pages, or GPAs) and how much output to read.
    void raw_placement(const json& j, const std::string& ptr, RawStep& r) const {
        if (j.contains("input_offset"))
            r.input_offset =
                static_cast<std::uint32_t>(literal(j["input_offset"], ptr + "/input_offset", hvcall::kPageSize - 1));
        if (j.contains("output_offset"))
            r.output_offset =
                static_cast<std::uint32_t>(literal(j["output_offset"], ptr + "/output_offset", hvcall::kPageSize - 1));
        if (j.contains("input_gpa")) r.input_gpa = value(j["input_gpa"], ptr + "/input_gpa");
        if (j.contains("output_gpa")) r.output_gpa = value(j["output_gpa"], ptr + "/output_gpa");
        if (j.contains("output_size"))
            r.output_size =
                static_cast<std::uint32_t>(literal(j["output_size"], ptr + "/output_size", hvcall::kPageSize));
    }

    RawStep raw(const json& j, const std::string& ptr) const {
        RawStep r;
        r.code = call_code(j["raw"], ptr + "/raw");
        const auto* info = hvcall::find_call(r.code);
        raw_control(j, ptr, r);
        raw_input(j, ptr, info, r);
        raw_placement(j, ptr, r);
        if (r.control && (r.fast || r.rep_count || r.rep_start || r.varhead || r.nested || r.control_bits))
            fail(ptr + "/control",
                 "\"control\" gives the whole word; drop the field keys (fast, rep_count, ...) or the word");
        if (!r.rep_count) r.rep_count = info != nullptr && info->is_rep() ? 1u : 0u;
        if (r.rep_start && *r.rep_start > 0 && !r.control && *r.rep_count == 0 && info != nullptr && info->is_rep()) {
        }  // a rep start with no reps is a deliberate control-word error
        return r;
    }

    Expect expect_raw(const json& j, const std::string& ptr) const {
        Expect e;
        if (!j.contains("expect")) return e;
        const std::string p = ptr + "/expect";
        const auto& x = j["expect"];
        object(x, p, {"status", "errno", "reps", "rule", "violations", "output", "output_hex"}, "a raw expectation");
        common_expect(x, p, e);
        if (x.contains("reps")) e.reps = value(x["reps"], p + "/reps");
        if (x.contains("output")) {
            if (!x["output"].is_array())
                fail(p + "/output",
                     "expected a list of fields {\"offset\", \"size\", \"value\"}, got " + type_name(x["output"]));
            for (std::size_t i = 0; i < x["output"].size(); ++i)
                e.output.push_back(field(x["output"][i], p + "/output/" + std::to_string(i), hvcall::kPageSize));
        }
        if (x.contains("output_hex")) e.output_hex = hex(x["output_hex"], p + "/output_hex");
        return e;
    }

    Expect expect_typed(const json& j, const std::string& ptr, const TypedCall& call) const {
        Expect e;
        e.error = 0;
        if (!j.contains("expect")) return e;
        const std::string p = ptr + "/expect";
        const auto& x = j["expect"];
        object(x, p, {"errno", "status", "done", "outputs", "rule", "violations", "hypercalls"}, "a typed expectation");
        common_expect(x, p, e);
        if (!x.contains("errno") && e.rule) e.error.reset();  // the rule decides; any errno
        if (x.contains("done")) {
            if (std::find(call.outputs.begin(), call.outputs.end(), "done") == call.outputs.end())
                fail(p + "/done", std::string(call.name) + " reports no \"done\" count");
            e.done = value(x["done"], p + "/done");
        }
        if (x.contains("hypercalls")) e.hypercalls = literal(x["hypercalls"], p + "/hypercalls");
        if (x.contains("outputs")) {
            std::vector<std::string> names(call.outputs.begin(), call.outputs.end());
            object(x["outputs"], p + "/outputs", names,
                   (std::string("the outputs of ") + std::string(call.name)).c_str());
            for (const auto& [k, v] : x["outputs"].items())
                e.outputs[k] = v.is_array() || v.is_object() ? values(v, p + "/outputs/" + k)
                                                             : std::vector<Value>{value(v, p + "/outputs/" + k)};
        }
        return e;
    }

    void common_expect(const json& x, const std::string& p, Expect& e) const {
        if (x.contains("status")) e.status = status(x["status"], p + "/status");
        if (x.contains("errno")) e.error = error(x["errno"], p + "/errno");
        if (x.contains("rule")) {
            if (x["rule"].is_null())
                e.no_rule = true;
            else
                e.rule = rule(x["rule"], p + "/rule");
        }
        if (x.contains("violations")) {
            const auto& v = x["violations"];
            if (!v.is_array()) fail(p + "/violations", "expected a list of rule ids, got " + type_name(v));
            e.violations.emplace();
            for (std::size_t i = 0; i < v.size(); ++i)
                e.violations->push_back(rule(v[i], p + "/violations/" + std::to_string(i)));
        }
    }

    void captures(const json& j, const std::string& ptr, Step& st) {
        if (!j.is_object() || j.empty()) fail(ptr, "expected an object {\"name\": what}, e.g. {\"pid\": \"id\"}");
        for (const auto& [name, what] : j.items()) {
            const std::string p = ptr + "/" + pointer_token(name);
            if (!valid_capture_name(name))
                fail(p, "capture name '" + name + "' (expected lower-case letters, digits and _)");
            if (const auto* t = std::get_if<TypedStep>(&st.body)) {
                const std::string out = text(what, p, "an output name");
                if (std::find(t->call->outputs.begin(), t->call->outputs.end(), out) == t->call->outputs.end() ||
                    out == "states")
                    fail(p, std::string(t->call->name) + " has no scalar output '" + out + "' to capture");
                st.captures.emplace_back(name, out);
            } else if (std::holds_alternative<RawStep>(st.body)) {
                if (what.is_string()) {
                    if (what.get<std::string>() != "reps")
                        fail(p, "a raw step captures \"reps\" or an output field {\"offset\", \"size\"}");
                    st.captures.emplace_back(name, std::string("reps"));
                } else {
                    json f = what;
                    if (f.is_object() && !f.contains("value")) f["value"] = 0;
                    st.captures.emplace_back(name, field(f, p, hvcall::kPageSize));
                }
            } else {
                fail(p, "only call and raw steps capture values");
            }
            captured_.insert(name);
        }
    }

    std::vector<Check> checks(const json& j, const std::string& ptr) const {
        std::vector<Check> out;
        if (j.is_array()) {
            if (j.empty()) fail(ptr, "an empty list of assertions");
            for (std::size_t i = 0; i < j.size(); ++i) out.push_back(check(j[i], ptr + "/" + std::to_string(i)));
        } else {
            out.push_back(check(j, ptr));
        }
        return out;
    }

    // An assertion's subject, named by one of its keys, and the keys it takes: those naming the
    // subject, numbers and words to compare.
    struct CheckShape {
        std::string what;
        std::vector<std::string> keys, numbers, words;
    };
    CheckShape check_shape(const json& j, const std::string& ptr) const {
        if (j.contains("invariants")) return {"invariants", {}, {}, {}};
        if (j.contains("partitions")) return {"partitions", {}, {"partitions"}, {}};
        if (j.contains("gfn")) return {"gpa", {"partition", "gfn"}, {"pfn", "flags", "access_state"}, {"kind"}};
        if (j.contains("property")) return {"property", {"partition", "property"}, {"value"}, {}};
        if (j.contains("pfn"))
            return {"pfn", {"pfn"}, {"owner_partition", "map_count", "host_access", "exclusive_to"}, {"owner"}};
        if (j.contains("partition"))
            return {"partition",
                    {"partition"},
                    {"pool_pages", "pool_used", "gpa_pages", "gpa_extents", "creation_flags", "isolation"},
                    {"state"}};
        fail(ptr,
             "an assertion names one of \"partition\", \"gfn\" (with partition), \"pfn\", \"property\" (with "
             "partition), \"partitions\" or \"invariants\"");
    }

    Check check(const json& j, const std::string& ptr) const {
        if (!j.is_object()) fail(ptr, "expected an assertion (an object), got " + type_name(j));
        Check c;
        c.pointer = ptr;
        const auto [what, keys, numbers, words] = check_shape(j, ptr);
        c.what = what;
        if (c.what == "invariants") {
            object(j, ptr, {"invariants"}, "an invariants assertion");
            if (!boolean(j["invariants"], ptr + "/invariants")) fail(ptr + "/invariants", "only true is meaningful");
            return c;
        }
        std::vector<std::string> allowed = keys;
        allowed.insert(allowed.end(), numbers.begin(), numbers.end());
        allowed.insert(allowed.end(), words.begin(), words.end());
        const char* exists_key = c.what == "gpa" ? "mapped" : c.what == "partition" ? "exists" : nullptr;
        if (c.what == "gpa") allowed.insert(allowed.end(), {"mapped", "large"});
        if (c.what == "partition") allowed.push_back("exists");
        object(j, ptr, allowed, ("a " + c.what + " assertion").c_str());
        for (const auto& k : keys)
            c.keys[k] = value(required(j, ptr, k, ("a " + c.what + " assertion").c_str()), ptr + "/" + k);
        for (const auto& k : numbers)
            if (j.contains(k)) c.numbers[k] = value(j[k], ptr + "/" + k);
        if (exists_key != nullptr && j.contains(exists_key)) c.exists = boolean(j[exists_key], ptr + "/" + exists_key);
        if (c.what == "gpa" && j.contains("large"))
            c.numbers["large"] = {boolean(j["large"], ptr + "/large") ? 1u : 0u, ""};
        check_words(j, ptr, words, c);
        if (c.keys.empty() && c.numbers.empty() && c.words.empty() && !c.exists)
            fail(ptr, "the assertion checks nothing");
        if (c.what != "partitions" && c.numbers.empty() && c.words.empty() && !c.exists)
            fail(ptr, "the " + c.what + " assertion names its subject but checks nothing (expected one of: " +
                          join(std::vector<std::string>(allowed.begin() + static_cast<std::ptrdiff_t>(keys.size()),
                                                        allowed.end())) +
                          ")");
        return c;
    }

    // The assertion's words, each one of its enumeration's names.
    void check_words(const json& j, const std::string& ptr, const std::vector<std::string>& words, Check& c) const {
        auto names = [](const auto& table) { return std::vector<std::string>(table.begin(), table.end()); };
        std::map<std::string, std::vector<std::string>> enums = {
            {"state", names(kPartitionStateNames)}, {"kind", names(kGpaKindNames)}, {"owner", names(kPfnOwnerNames)}};
        enums["state"].push_back("deleted");  // a partition that is gone
        for (const auto& k : words) {
            if (!j.contains(k)) continue;
            const std::string w = text(j[k], ptr + "/" + k, "a name");
            const auto& ok = enums.at(k);
            if (std::find(ok.begin(), ok.end(), w) == ok.end())
                fail(ptr + "/" + k, "'" + w + "' (expected one of: " + join(ok) + ")");
            c.words[k] = w;
        }
    }

    std::set<std::string> captured_;
};

}  // namespace

std::string Step::label() const {
    if (const auto* r = std::get_if<RawStep>(&body)) {
        const auto* c = hvcall::find_call(r->code);
        char code[16];
        std::snprintf(code, sizeof code, "0x%04X", r->code);
        return "raw " + (c != nullptr ? std::string(c->name) : std::string(code));
    }
    if (const auto* t = std::get_if<TypedStep>(&body)) return "call " + std::string(t->call->name);
    if (std::holds_alternative<GuestAccessStep>(body)) return "guest_access";
    return "assert";
}

std::vector<Scenario> load_scenarios(const std::string& file, const std::string& text) {
    return Loader(file).file(detail::parse_file(file, text));
}

std::vector<Scenario> load_path(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    std::vector<std::string> files;
    if (fs::is_directory(path, ec)) {
        // Step by step, so that an unreadable folder or a symlink loop is one error, not a throw.
        fs::recursive_directory_iterator it(path, fs::directory_options::none, ec), end;
        while (!ec && it != end) {
            std::error_code file_ec;
            if (it->is_regular_file(file_ec) && it->path().extension() == ".json") files.push_back(it->path().string());
            it.increment(ec);
        }
        if (ec) throw LoadError(one_line(path) + ": cannot list the directory: " + ec.message());
        std::sort(files.begin(), files.end());
        if (files.empty()) throw LoadError(path + ": no *.json scenario files in this directory");
    } else if (fs::exists(path, ec)) {
        files.push_back(path);
    } else {
        throw LoadError(path + ": no such file or directory");
    }
    std::vector<Scenario> all;
    for (const auto& f : files) {
        std::string text;
        try {
            text = read_limited(f, kMaxScenarioBytes, "a scenario file (JSON)");
        } catch (const InputError& e) {
            throw LoadError(e.what());
        }
        auto scenarios = load_scenarios(f, text);
        all.insert(all.end(), std::make_move_iterator(scenarios.begin()), std::make_move_iterator(scenarios.end()));
    }
    return all;
}

}  // namespace hvsim::conformance
