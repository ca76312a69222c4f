// Trace records in JSON Lines and CBOR: encoding, the one-write-per-record writer, and the
// reader that names the file, the line or record, and what it expected.
#include "hvsim/traces/trace.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "hvcall/status.hpp"
#include "hvsim/conformance/json_reason.hpp"
#include "hvsim/conformance/limited_input.hpp"
#include "record_fields.hpp"

namespace hvsim::traces {

using detail::IdTexts;
using detail::parse_hex64;
using detail::RecordFields;
using nlohmann::json;

namespace {

// JSON text or one CBOR item, without exceptions. nlohmann's DOM parser throws out_of_range even
// when asked not to (a number beyond a double, a CBOR array or map longer than memory): such bytes
// come back discarded, with nlohmann's reason in `too_large` ("excessive array size: ...").
// The nesting limit and, for CBOR, the UTF-8 check are the shared reader's (limited_input.hpp):
// a refusal comes back discarded with its reason in `too_large`.
json parse_without_throwing(std::string_view bytes, bool cbor, std::string& too_large) {
    conformance::Parsed p = cbor ? conformance::parse_cbor_limited(bytes) : conformance::parse_json_limited(bytes);
    if (p.error.empty()) return std::move(p.value);
    // A syntax error is the caller's "not valid JSON/CBOR"; the limits and nlohmann's range
    // errors are reasons of their own.
    if (p.error.starts_with("nesting") || p.error.starts_with("text that"))
        too_large = "refused: " + p.error;
    else if (p.error.find("excessive") != std::string::npos || p.error.find("overflow") != std::string::npos)
        too_large = p.error;
    return json(json::value_t::discarded);
}

// "the frame holds a value out of range (...)", or for what the reader's limits refuse, "the
// frame is refused: nesting deeper than 64 ...".
std::string out_of_range(const std::string& what, const std::string& reason) {
    if (reason.starts_with("refused: ")) return what + " is " + reason;
    return what + " holds a value out of range (" + reason + ")";
}

constexpr char kCborMagic[4] = {'\x89', 'H', 'V', 'T'};  // 0x89 is neither '{' nor text: detection is one byte
constexpr std::uint32_t kMaxFrame = 1u << 20;            // a record holds at most a few pages

std::string hex64(std::uint64_t v) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s = "0x0000000000000000";
    for (int i = 17; i >= 2; --i, v >>= 4) s[static_cast<std::size_t>(i)] = kDigits[v & 15];
    return s;
}

std::string id_string(const IdField& f) { return std::string(to_string(f.kind)) + "@" + std::to_string(f.offset); }

json ids_json(const std::vector<IdField>& ids) {
    json a = json::array();
    for (const auto& f : ids) a.push_back(id_string(f));
    return a;
}

json header_json(const Header& h) {
    return json{{"hvsim_trace", h.version}, {"producer", h.producer}, {"profile", h.profile}};
}

json model_json(const ModelAction& m) {
    json j{{"model", m.kind}, {"args", m.args}};
    if (!m.result.is_null()) j["result"] = m.result;
    return j;
}

json record_json(const Record& r, Format f) {
    if (r.model) return model_json(*r.model);
    json j;
    j["call"] = r.call;
    j["form"] = to_string(r.form);
    const bool text = f == Format::jsonl;
    j["control"] = text ? json(hex64(r.control.raw())) : json(r.control.raw());
    if (text)
        j["input"] = to_hex(r.input);
    else
        j["input"] = json::binary(
            std::vector<std::uint8_t>(reinterpret_cast<const std::uint8_t*>(r.input.data()),
                                      reinterpret_cast<const std::uint8_t*>(r.input.data()) + r.input.size()));
    j["output_size"] = r.output_size;
    j["result"] = text ? json(hex64(r.result.raw())) : json(r.result.raw());
    j["status"] = hvcall::status_name(r.result.status());
    j["reps"] = r.result.reps_completed();
    if (text)
        j["output"] = to_hex(r.output);
    else
        j["output"] = json::binary(
            std::vector<std::uint8_t>(reinterpret_cast<const std::uint8_t*>(r.output.data()),
                                      reinterpret_cast<const std::uint8_t*>(r.output.data()) + r.output.size()));
    if (!r.input_ids.empty()) j["in_ids"] = ids_json(r.input_ids);
    if (!r.output_ids.empty()) j["out_ids"] = ids_json(r.output_ids);
    if (r.at)
        j["at"] =
            text ? json{hex64(r.at->input_gpa), hex64(r.at->output_gpa)} : json{r.at->input_gpa, r.at->output_gpa};
    return j;
}

std::string frame(const std::vector<std::uint8_t>& payload) {
    std::string s(4 + payload.size(), '\0');
    const auto n = static_cast<std::uint32_t>(payload.size());
    for (int i = 0; i < 4; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xFF);
    std::memcpy(s.data() + 4, payload.data(), payload.size());
    return s;
}

using Fail = std::function<void(const std::string&)>;
// `fail` throws; this wrapper tells the compiler so.
[[noreturn]] void raise(const Fail& fail, const std::string& what) {
    fail(what);
    throw TraceError(what);
}

// Field access with one message per mistake; `fail` throws.
class Fields {
public:
    Fields(const json& j, Format f, const std::function<void(const std::string&)>& fail) : j_(j), f_(f), fail_(fail) {}

    const json& need(const char* key, const char* expected) const {
        const auto it = j_.find(key);
        if (it == j_.end()) raise(fail_, std::string("expected key \"") + key + "\" (" + expected + ")");
        return *it;
    }
    std::uint64_t word(const char* key) const {
        const char* expected = f_ == Format::jsonl ? "a hex string like 0x0000000000000046" : "an unsigned integer";
        const json& v = need(key, expected);
        if (f_ == Format::cbor) {
            if (!v.is_number_unsigned()) raise(fail_, std::string("\"") + key + "\" must be " + expected);
            return v.get<std::uint64_t>();
        }
        const auto* s = v.get_ptr<const std::string*>();
        const auto parsed = s ? parse_hex64(*s) : std::nullopt;
        if (!parsed) raise(fail_, std::string("\"") + key + "\" must be " + expected);
        return *parsed;
    }
    std::uint64_t count(const char* key, std::uint64_t max) const {
        const json& v = need(key, "a non-negative integer");
        if (!v.is_number_unsigned() || v.get<std::uint64_t>() > max)
            raise(fail_, std::string("\"") + key + "\" must be an integer from 0 to " + std::to_string(max));
        return v.get<std::uint64_t>();
    }
    // A view of the string in the DOM.
    std::string_view text(const char* key, const char* expected) const {
        const json& v = need(key, expected);
        const auto* s = v.get_ptr<const std::string*>();
        if (s == nullptr) raise(fail_, std::string("\"") + key + "\" must be " + expected);
        return *s;
    }
    // JSON Lines: the hex digits, decoded later; CBOR: the bytes.
    std::string_view bytes(const char* key) const {
        if (f_ == Format::jsonl) return text(key, "a string of hex digit pairs");
        const json& v = need(key, "a byte string");
        if (!v.is_binary()) raise(fail_, std::string("\"") + key + "\" must be a byte string");
        const auto& b = v.get_binary();
        return {reinterpret_cast<const char*>(b.data()), b.size()};
    }
    // The "KIND@OFFSET" strings of an id list, checked later.
    IdTexts id_texts(const char* key) const {
        IdTexts out;
        const auto it = j_.find(key);
        if (it == j_.end()) return out;
        if (!it->is_array()) raise(fail_, std::string("\"") + key + "\" must be an array of \"KIND@OFFSET\" strings");
        if (it->size() > out.text.size())
            raise(fail_,
                  std::string("\"") + key + "\" has more than " + std::to_string(out.text.size()) + " id fields");
        for (const json& e : *it) {
            const auto* str = e.get_ptr<const std::string*>();
            if (str == nullptr)
                raise(fail_, std::string("\"") + key + "\" must be an array of \"KIND@OFFSET\" strings");
            out.text[out.count++] = *str;
        }
        return out;
    }
    void only(std::initializer_list<const char*> keys) const {
        for (const auto& item : j_.items()) {
            const std::string& k = item.key();  // not a structured binding: clang 14 cannot capture those
            if (std::none_of(keys.begin(), keys.end(), [&](const char* x) { return k == x; }))
                raise(fail_, "unexpected key \"" + k + "\"" +
                                 (k == "hvsim_trace" ? " (a second header; expected a record)" : ""));
        }
    }

private:
    const json& j_;
    Format f_;
    const std::function<void(const std::string&)>& fail_;
};

Header header_from(const json& j, Format f, const std::function<void(const std::string&)>& fail) {
    if (!j.is_object() || !j.contains("hvsim_trace"))
        raise(
            fail,
            "expected the trace header, an object with \"hvsim_trace\" (the format version), \"producer\" and \"profile\"");
    Fields F(j, f, fail);
    F.only({"hvsim_trace", "producer", "profile"});
    Header h;
    const json& v = j["hvsim_trace"];
    if (!v.is_number_unsigned()) raise(fail, "\"hvsim_trace\" must be the format version, an integer");
    if (v.get<std::uint64_t>() != static_cast<std::uint64_t>(kFormatVersion))
        raise(fail, "format version " + v.dump() + " is not the version this reader knows (" +
                        std::to_string(kFormatVersion) + ")");
    h.version = kFormatVersion;
    h.producer = F.text("producer", "a string naming the program that wrote the trace");
    const json& p = F.need("profile", "an object: the model configuration or the hardware backend");
    if (!p.is_object()) raise(fail, "\"profile\" must be an object (the model configuration or the hardware backend)");
    h.profile = p;
    return h;
}

ModelAction model_from(const json& j, const std::function<void(const std::string&)>& fail) {
    Fields F(j, Format::jsonl, fail);
    F.only({"model", "args", "result"});
    ModelAction m;
    m.kind = F.text("model", "the kind of model-only record: run, faults, strict or guest_access");
    if (!is_model_kind(m.kind))
        raise(fail, "\"model\" is \"" + m.kind + "\"; expected run, faults, strict or guest_access");
    m.args = F.need("args", "an object: what the action does");
    if (!m.args.is_object()) raise(fail, "\"args\" must be an object (what the model action does)");
    if (const auto it = j.find("result"); it != j.end()) m.result = *it;
    return m;
}

// Two words in JSON Lines (hex strings) or CBOR (integers): where an off-page call's blocks were.
Placement placement_from(const json& v, Format f, const std::function<void(const std::string&)>& fail) {
    const bool text = f == Format::jsonl;
    auto word = [&](const json& w) -> std::optional<std::uint64_t> {
        if (!text) return w.is_number_unsigned() ? std::optional(w.get<std::uint64_t>()) : std::nullopt;
        const auto* s = w.get_ptr<const std::string*>();
        return s ? parse_hex64(*s) : std::nullopt;
    };
    const auto in = v.is_array() && v.size() == 2 ? word(v[0]) : std::nullopt;
    const auto out = v.is_array() && v.size() == 2 ? word(v[1]) : std::nullopt;
    if (!in || !out)
        raise(fail, std::string("\"at\" must be [INPUT_GPA, OUTPUT_GPA], two ") +
                        (text ? "hex strings like 0x0000000000100008" : "unsigned integers"));
    return {*in, *out};
}

// JSON Lines hex digits or CBOR bytes into `out`, keeping its capacity (records are read into
// the same Record again and again).
void decode_bytes(std::string_view in, Format f, std::vector<std::byte>& out, const char* key, const Fail& fail) {
    if (f == Format::cbor) {
        out.resize(in.size());
        if (!in.empty()) std::memcpy(out.data(), in.data(), in.size());
        return;
    }
    bool ok = in.size() % 2 == 0;
    out.resize(in.size() / 2);
    for (std::size_t i = 0; ok && i < out.size(); ++i) {
        const int hi = detail::hex_digit(in[2 * i]), lo = detail::hex_digit(in[2 * i + 1]);
        ok = hi >= 0 && lo >= 0;
        out[i] = static_cast<std::byte>((hi << 4) | (lo & 15));
    }
    if (!ok) raise(fail, std::string("\"") + key + "\" must be a string of hex digit pairs");
}

// "KIND@OFFSET" texts into id fields that fit the `size`-byte block.
void ids_from(const IdTexts& texts, const char* key, std::size_t size, std::vector<IdField>& out, const Fail& fail) {
    out.clear();
    for (std::size_t i = 0; i < texts.count; ++i) {
        const std::string_view s = texts.text[i];
        const std::size_t at = s.find('@');
        const auto kind = at != std::string_view::npos ? id_kind_from_string(s.substr(0, at)) : std::nullopt;
        std::uint64_t off = 0;
        bool digits = at != std::string_view::npos && at + 1 < s.size() && s.size() - at <= 6;
        for (std::size_t k = at + 1; digits && k < s.size(); ++k) {
            if (s[k] < '0' || s[k] > '9')
                digits = false;
            else
                off = off * 10 + static_cast<std::uint64_t>(s[k] - '0');
        }
        auto where = [&] { return std::string("\"") + key + "\"[" + std::to_string(i) + "]"; };
        if (!kind || !digits)
            raise(fail,
                  where() + " must be \"KIND@OFFSET\" with KIND partition, port or connection (e.g. \"partition@0\")");
        if (off + width(*kind) > size)
            raise(fail, where() + ": a " + std::to_string(width(*kind)) + "-byte " + std::string(to_string(*kind)) +
                            " id at offset " + std::to_string(off) + " does not fit the " + std::to_string(size) +
                            "-byte block");
        out.push_back({static_cast<std::uint32_t>(off), *kind});
    }
}

// The fields, decoded and checked against each other and the catalogue, into `r`.
void record_from_fields(const RecordFields& t, Format f, Record& r, const Fail& fail) {
    r.model.reset();
    r.at = t.at;
    r.call.assign(t.call);
    const auto form = form_from_string(t.form);
    if (!form) raise(fail, "\"form\" must be memory, fast or xmm");
    r.form = *form;
    r.control = hvcall::Control::from_raw(t.control);
    const hvcall::CallInfo* c = hvcall::find_call(r.control.code());
    auto code = [&] { return hex64(r.control.code()).substr(0, 2) + hex64(r.control.code()).substr(14); };
    if (c != nullptr && r.call != c->name)
        raise(fail,
              "\"call\" is \"" + r.call + "\" but the control word's code " + code() + " is " + std::string(c->name));
    if (c == nullptr && r.call != "unknown")
        raise(fail, "\"call\" is \"" + r.call + "\" but the control word's code " + code() +
                        " is not catalogued (expected \"unknown\")");
    if ((r.form == Form::memory) == r.control.fast())
        raise(fail, std::string("\"form\" is ") + std::string(to_string(r.form)) +
                        " but the control word's fast bit is " + (r.control.fast() ? "set" : "clear"));
    if (r.at && r.form != Form::memory) raise(fail, "\"at\" is only for memory-form calls (the fast bit is set)");
    decode_bytes(t.input, f, r.input, "input", fail);
    // An off-page call's blocks are whatever was written and read there: only bounded, by two
    // pages (a page-crossing block reaches into the next one).
    const std::size_t max_block = r.at ? 2 * hvcall::kPageSize : hvcall::kPageSize;
    if (const auto want = input_bytes_for(c, r.form, r.control); !r.at && want && r.input.size() != *want)
        raise(fail, "\"input\" has " + std::to_string(r.input.size()) + " bytes, expected " + std::to_string(*want) +
                        " (the " + std::string(to_string(r.form)) + " input of " + r.call + " for this control word)");
    if (r.input.size() > max_block) raise(fail, "\"input\" has more than " + std::to_string(max_block) + " bytes");
    r.output_size = static_cast<std::uint32_t>(t.output_size);
    if (c != nullptr && r.output_size != output_size_for(c, r.form, r.control))
        raise(fail, "\"output_size\" is " + std::to_string(r.output_size) + ", expected " +
                        std::to_string(output_size_for(c, r.form, r.control)) + " (what " + r.call +
                        " defines for this control word)");
    r.result = hvcall::HypercallResult::from_raw(t.result);
    if (t.status != hvcall::status_name(r.result.status()))
        raise(fail, "\"status\" is " + std::string(t.status) + " but the result word says " +
                        std::string(hvcall::status_name(r.result.status())));
    if (t.reps != r.result.reps_completed())
        raise(fail, "\"reps\" is " + std::to_string(t.reps) + " but the result word says " +
                        std::to_string(r.result.reps_completed()));
    decode_bytes(t.output, f, r.output, "output", fail);
    const std::uint32_t written =
        c != nullptr ? output_written(c, r.form, r.control, r.result) : (r.result.ok() ? r.output_size : 0);
    if (r.output.size() > max_block) raise(fail, "\"output\" has more than " + std::to_string(max_block) + " bytes");
    if (!r.at && r.output.size() != written)
        raise(fail, "\"output\" has " + std::to_string(r.output.size()) + " bytes, expected " +
                        std::to_string(written) +
                        (r.result.ok() ? " (what the call wrote)" : " (a failed call writes no output)"));
    if (r.at && (t.in_ids.count != 0 || t.out_ids.count != 0))
        raise(fail, "an off-page call (\"at\") has no id fields: replays do not substitute them");
    ids_from(t.in_ids, "in_ids", r.input.size(), r.input_ids, fail);
    ids_from(t.out_ids, "out_ids", r.output.size(), r.output_ids, fail);
}

// A DOM record's fields, each with its own message when missing or of the wrong type.
void fields_from(const json& j, Format f, RecordFields& t, const Fail& fail) {
    Fields F(j, f, fail);
    F.only({"call", "form", "control", "input", "output_size", "result", "status", "reps", "output", "in_ids",
            "out_ids", "at"});
    t.at.reset();
    if (const auto it = j.find("at"); it != j.end()) t.at = placement_from(*it, f, fail);
    t.call = F.text("call", "a catalogued call name such as get_partition_id, or \"unknown\"");
    t.form = F.text("form", "memory, fast or xmm");
    t.control = F.word("control");
    t.input = F.bytes("input");
    t.output_size = F.count("output_size", hvcall::kPageSize);
    t.result = F.word("result");
    t.status = F.text("status", "a status name such as SUCCESS");
    t.reps = F.count("reps", 0xFFF);
    t.output = F.bytes("output");
    t.in_ids = F.id_texts("in_ids");
    t.out_ids = F.id_texts("out_ids");
}

void record_from(const json& j, Format f, Record& r, const Fail& fail) {
    if (!j.is_object()) raise(fail, "expected a record, a JSON object");
    r.model.reset();
    if (j.contains("model")) {
        r = Record{};  // a model record has no hypercall fields: none left from the last record
        r.model = model_from(j, fail);
        return;
    }
    RecordFields t;
    fields_from(j, f, t, fail);
    record_from_fields(t, f, r, fail);
}

}  // namespace

bool is_model_kind(std::string_view kind) noexcept {
    return kind == "run" || kind == "faults" || kind == "strict" || kind == "guest_access";
}

namespace {
// Each enum's names, written once: to_string and the parser both read the table.
template <typename E>
struct Named {
    E value;
    std::string_view name;
};
constexpr Named<Form> kFormNames[] = {{Form::memory, "memory"}, {Form::fast, "fast"}, {Form::xmm, "xmm"}};
constexpr Named<IdKind> kIdKindNames[] = {
    {IdKind::partition, "partition"}, {IdKind::port, "port"}, {IdKind::connection, "connection"}};
constexpr Named<Format> kFormatNames[] = {{Format::jsonl, "jsonl"}, {Format::cbor, "cbor"}};

template <typename E, std::size_t N>
std::string_view name_in(const Named<E> (&table)[N], E value) noexcept {
    for (const auto& n : table)
        if (n.value == value) return n.name;
    return "?";
}
template <typename E, std::size_t N>
std::optional<E> value_in(const Named<E> (&table)[N], std::string_view name) noexcept {
    for (const auto& n : table)
        if (n.name == name) return n.value;
    return std::nullopt;
}
}  // namespace

std::string_view to_string(Form f) noexcept { return name_in(kFormNames, f); }
std::optional<Form> form_from_string(std::string_view s) noexcept { return value_in(kFormNames, s); }
std::string_view to_string(IdKind k) noexcept { return name_in(kIdKindNames, k); }
std::optional<IdKind> id_kind_from_string(std::string_view s) noexcept { return value_in(kIdKindNames, s); }
std::string_view to_string(Format f) noexcept { return name_in(kFormatNames, f); }
std::optional<Format> format_from_string(std::string_view s) noexcept { return value_in(kFormatNames, s); }
std::vector<std::string> format_names() {
    std::vector<std::string> names;
    for (const auto& n : kFormatNames) names.emplace_back(n.name);
    return names;
}

std::optional<std::uint32_t> input_bytes_for(const hvcall::CallInfo* call, Form form,
                                             hvcall::Control control) noexcept {
    if (form == Form::fast) return hvcall::kFastRegsBytes;
    if (form == Form::xmm) return hvcall::kFastXmmBytes;
    if (call == nullptr) return std::nullopt;
    return std::min(call->input_size(control.varhead_qwords(), control.rep_count()), hvcall::kPageSize);
}

std::uint32_t xmm_output_offset(const hvcall::CallInfo* call, hvcall::Control control) noexcept {
    if (call == nullptr) return hvcall::kFastXmmBytes;
    return std::min(call->fast_output_offset(control.varhead_qwords(), control.rep_count()), hvcall::kFastXmmBytes);
}

std::uint32_t output_size_for(const hvcall::CallInfo* call, Form form, hvcall::Control control) noexcept {
    if (call == nullptr || form == Form::fast) return 0;
    const std::uint32_t want = call->output_bytes(control.rep_count());
    if (form == Form::xmm) return std::min(want, hvcall::kFastXmmBytes - xmm_output_offset(call, control));
    return std::min(want, hvcall::kPageSize);
}

std::uint32_t output_written(const hvcall::CallInfo* call, Form form, hvcall::Control control,
                             hvcall::HypercallResult result) noexcept {
    if (call == nullptr || !result.ok()) return 0;
    const std::uint32_t reps = call->is_rep() ? result.reps_completed() : 0;
    return std::min(call->output_size + reps * call->rep_output_size, output_size_for(call, form, control));
}

Format format_for_path(std::string_view path) noexcept {
    return path.ends_with(".cbor") ? Format::cbor : Format::jsonl;
}

std::string to_hex(std::span<const std::byte> bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s(bytes.size() * 2, '0');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        s[2 * i] = kDigits[static_cast<unsigned>(bytes[i]) >> 4];
        s[2 * i + 1] = kDigits[static_cast<unsigned>(bytes[i]) & 15];
    }
    return s;
}

std::string encode_jsonl(const Record& r) {
    return record_json(r, Format::jsonl).dump(-1, ' ', false, json::error_handler_t::replace);
}
std::string encode_cbor(const Record& r) { return frame(json::to_cbor(record_json(r, Format::cbor))); }

// --- writer

TraceWriter::TraceWriter(const std::string& path, Format format, const Header& header) : path_(path), format_(format) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw TraceError(path + ": cannot create the trace: " + std::strerror(errno));
    if (format_ == Format::jsonl) {
        put(header_json(header).dump(-1, ' ', false, json::error_handler_t::replace) + "\n");
    } else {
        put(std::string(kCborMagic, 4) + frame(json::to_cbor(header_json(header))));
    }
}

TraceWriter::~TraceWriter() {
    if (fd_ >= 0) ::close(fd_);
}

void TraceWriter::write(const Record& r) {
    put(format_ == Format::jsonl ? encode_jsonl(r) + "\n" : encode_cbor(r));
    ++count_;
}

void TraceWriter::put(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw TraceError(path_ + ": cannot write the trace: " + std::strerror(errno));
        done += static_cast<std::size_t>(n);
    }
}

// --- reader

std::string slurp(const std::string& path) {
    try {
        return conformance::read_limited(path, conformance::kMaxTraceBytes, "a trace file (JSON Lines or CBOR)");
    } catch (const conformance::InputError& e) {
        throw TraceError(e.what());
    }
}

TraceReader::TraceReader(std::string_view bytes, std::string name) : bytes_(bytes), name_(std::move(name)) { start(); }

TraceReader::TraceReader(std::string&& bytes, std::string name) : owned_(std::move(bytes)), name_(std::move(name)) {
    bytes_ = owned_;
    start();
}

void TraceReader::start() {
    if (bytes_.empty()) {
        // A recording stopped between creating the file and writing its header recorded
        // nothing: an empty trace, said so, not a bad one (TRACES.md, "Empty traces").
        header_ = Header{kFormatVersion, "", nlohmann::json::object()};
        warning_ = name_ +
                   ": the file is empty: nothing was recorded (a recording that stopped before its header); "
                   "read as a trace of 0 records";
        return;
    }
    const std::function<void(const std::string&)> f = [this](const std::string& w) { fail(w); };
    if (bytes_.size() >= 4 && std::memcmp(bytes_.data(), kCborMagic, 4) == 0) {
        format_ = Format::cbor;
        pos_ = 4;
        frame_at_ = 4;
        if (bytes_.size() < 8) fail("the file ends inside the CBOR header frame; expected a header");
        const std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes_[4])) |
                                static_cast<std::uint32_t>(static_cast<unsigned char>(bytes_[5])) << 8 |
                                static_cast<std::uint32_t>(static_cast<unsigned char>(bytes_[6])) << 16 |
                                static_cast<std::uint32_t>(static_cast<unsigned char>(bytes_[7])) << 24;
        if (n == 0 || n > kMaxFrame)
            fail("header frame length " + std::to_string(n) + " is out of range (1 to 1048576)");
        if (bytes_.size() - 8 < n) fail("the file ends inside the CBOR header frame; expected a header");
        std::string too_large;
        json j = parse_without_throwing(bytes_.substr(8, n), true, too_large);
        if (!too_large.empty()) fail(out_of_range("the header frame", too_large) + "; expected a header map");
        if (j.is_discarded()) fail("the header frame is not valid CBOR; expected a CBOR map");
        header_ = header_from(j, format_, f);
        pos_ = 8 + n;
        return;
    }
    const auto first = static_cast<unsigned char>(bytes_[0]);
    if (first != '{')
        fail("expected a trace: a JSON Lines header line starting with '{' or the CBOR magic 89 48 56 54 (found byte " +
             std::to_string(first) + ")");
    std::string_view line;
    bool terminated = false;
    next_line(line, terminated);
    if (!terminated) fail("the file ends inside the header line; expected a whole header");
    std::string too_large;
    json j = parse_without_throwing(line, false, too_large);
    if (!too_large.empty()) fail(out_of_range("the header line", too_large) + "; expected a header object");
    if (j.is_discarded()) fail("the header line is not valid JSON; expected a JSON object");
    header_ = header_from(j, format_, f);
}

void TraceReader::fail(const std::string& what) const {
    if (format_ == Format::cbor && index_ == 0 && frame_at_ <= 4) throw TraceError(name_ + ": header: " + what);
    throw TraceError(location(index_ + 1) + ": " + what);
}

std::string TraceReader::where() const { return location(index_); }

std::string TraceReader::location(std::uint64_t record) const {
    if (format_ == Format::jsonl) return name_ + ": line " + std::to_string(line_);
    return name_ + ": record " + std::to_string(record) + " (byte " + std::to_string(frame_at_) + ")";
}

bool TraceReader::next_line(std::string_view& line, bool& terminated) {
    if (pos_ >= bytes_.size()) return false;
    ++line_;
    const std::size_t nl = bytes_.find('\n', pos_);
    terminated = nl != std::string_view::npos;
    const std::size_t end = terminated ? nl : bytes_.size();
    if (end - pos_ > conformance::kMaxRecordBytes)
        fail("a line of " + std::to_string(end - pos_) + " bytes; expected a record of at most 1 MiB (" +
             std::to_string(conformance::kMaxRecordBytes) + " bytes)");
    line = bytes_.substr(pos_, end - pos_);
    pos_ = terminated ? nl + 1 : bytes_.size();
    return true;
}

bool TraceReader::next(Record& r) {
    const std::function<void(const std::string&)> f = [this](const std::string& w) { fail(w); };
    if (format_ == Format::cbor) {
        if (pos_ >= bytes_.size()) return false;
        frame_at_ = pos_;
        const std::size_t left = bytes_.size() - pos_;
        std::uint32_t n = 0;
        for (std::size_t i = 0; i < 4 && i < left; ++i)
            n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i);
        if (left >= 4 && (n == 0 || n > kMaxFrame))
            fail("frame length " + std::to_string(n) + " is out of range (1 to 1048576)");
        if (left < 4 || left - 4 < n) {
            warning_ = name_ + ": record " + std::to_string(index_ + 1) + " (byte " + std::to_string(frame_at_) +
                       ") is cut off (" + std::to_string(left) + " of " +
                       (left < 4 ? std::string("?") : std::to_string(n + 4)) + " bytes); ignored";
            pos_ = bytes_.size();
            return false;
        }
        const std::string_view frame = bytes_.substr(pos_ + 4, n);
        if (RecordFields fields; detail::scan_cbor(frame, fields)) {
            record_from_fields(fields, format_, r, f);
        } else {
            std::string too_large;
            json j = parse_without_throwing(frame, true, too_large);
            if (!too_large.empty()) fail(out_of_range("the frame", too_large) + "; expected a record map");
            if (j.is_discarded()) fail("the frame is not valid CBOR; expected a CBOR map");
            record_from(j, format_, r, f);
        }
        pos_ += 4 + n;
        ++index_;
        return true;
    }
    std::string_view line;
    bool terminated = false;
    if (!next_line(line, terminated)) return false;
    if (line.empty() && !terminated) return false;
    if (line.empty()) fail("empty line; expected a record");
    if (RecordFields fields; detail::scan_jsonl(line, fields)) {
        record_from_fields(fields, format_, r, f);
        ++index_;
        return true;
    }
    std::string too_large;
    json j = parse_without_throwing(line, false, too_large);
    if (!too_large.empty()) fail(out_of_range("the line", too_large) + "; expected a record");
    if (j.is_discarded()) {
        if (!terminated) {
            warning_ = name_ + ": line " + std::to_string(line_) + " (record " + std::to_string(index_ + 1) +
                       ") is cut off; ignored";
            return false;
        }
        fail("not valid JSON; expected a record, one JSON object per line");
    }
    record_from(j, format_, r, f);
    ++index_;
    return true;
}

Trace parse_trace(std::string_view bytes, const std::string& name) {
    TraceReader reader(bytes, name);
    Trace t;
    t.path = name;
    t.format = reader.format();
    t.header = reader.header();
    Record r;
    while (reader.next(r)) t.records.push_back(r);
    t.warning = reader.warning();
    return t;
}

Trace read_trace(const std::string& path) {
    const std::string bytes = slurp(path);
    return parse_trace(bytes, path);
}

}  // namespace hvsim::traces
