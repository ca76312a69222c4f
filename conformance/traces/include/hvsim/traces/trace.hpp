// A trace: the exact hypercalls a run issued and what came back (conformance/TRACES.md).
// Records, the header, and the JSON Lines / CBOR readers and writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hvcall/catalogue.hpp"
#include "hvcall/control.hpp"
#include "hvcall/result.hpp"

namespace hvsim::traces {

inline constexpr int kFormatVersion = 1;

// How the call reached the hypervisor: the per-CPU input page, RDX/R8, or RDX/R8/XMM0-5.
enum class Form : std::uint8_t { memory, fast, xmm };
[[nodiscard]] std::string_view to_string(Form f) noexcept;
[[nodiscard]] std::optional<Form> form_from_string(std::string_view s) noexcept;

// Kinds of identifier a replay may have to substitute. Partition ids are handed out by the
// hypervisor; port and connection ids are chosen by the caller but named so diffs can say so.
enum class IdKind : std::uint8_t { partition, port, connection };
[[nodiscard]] std::string_view to_string(IdKind k) noexcept;
[[nodiscard]] std::optional<IdKind> id_kind_from_string(std::string_view s) noexcept;
[[nodiscard]] constexpr std::uint32_t width(IdKind k) noexcept { return k == IdKind::partition ? 8 : 4; }

struct IdField {
    std::uint32_t offset = 0;
    IdKind kind = IdKind::partition;
    friend bool operator==(const IdField&, const IdField&) = default;
};

// A model-only record (TRACES.md, "Model records"): something a scenario run did to the model
// between hypercalls. The sim replay re-applies it; other targets skip it with the reason.
struct ModelAction {
    std::string kind;  // "run", "faults", "strict" or "guest_access"
    nlohmann::json args = nlohmann::json::object();
    nlohmann::json result;  // what applying it gave (guest_access: {"marked": n}); null: nothing to compare
    friend bool operator==(const ModelAction&, const ModelAction&) = default;
};
[[nodiscard]] bool is_model_kind(std::string_view kind) noexcept;

// Where a raw memory-form call put its blocks when not at the start of the per-CPU pages.
struct Placement {
    std::uint64_t input_gpa = 0, output_gpa = 0;
    friend bool operator==(const Placement&, const Placement&) = default;
};

struct Record {
    std::string call;  // catalogue snake_case name, or "unknown" for a code the catalogue lacks
    Form form = Form::memory;
    hvcall::Control control;
    std::vector<std::byte> input;   // memory: the block the catalogue's sizes cover; fast: the register bytes
    std::uint32_t output_size = 0;  // bytes of output the call defines for this control word
    hvcall::HypercallResult result;
    std::vector<std::byte> output;  // what it wrote, on success: fixed part + completed rep elements
    std::vector<IdField> input_ids, output_ids;
    // Set for a call at other GPAs: `input` is what was written at input_gpa and `output`
    // what was read at output_gpa (either empty where outside RAM), whatever the result.
    std::optional<Placement> at;
    std::optional<ModelAction> model;  // set: a model-only record, the fields above unused
    friend bool operator==(const Record&, const Record&) = default;
};

struct Header {
    int version = kFormatVersion;
    std::string producer;                               // "hvsim 0.1.0 record"
    nlohmann::json profile = nlohmann::json::object();  // the model configuration, or the hardware backend
    friend bool operator==(const Header&, const Header&) = default;
};

// The sizes a record of this call must have, from the catalogue (nullptr: unknown code).
// Memory form: the input block (clamped to the page); fast: 16 register bytes; XMM: 112.
[[nodiscard]] std::optional<std::uint32_t> input_bytes_for(const hvcall::CallInfo* call, Form form,
                                                           hvcall::Control control) noexcept;
// Output bytes the call defines for this control word (XMM: what fits after the input).
[[nodiscard]] std::uint32_t output_size_for(const hvcall::CallInfo* call, Form form, hvcall::Control control) noexcept;
// Of those, what a call with this result wrote: nothing on failure, else the fixed part and
// the rep elements completed.
[[nodiscard]] std::uint32_t output_written(const hvcall::CallInfo* call, Form form, hvcall::Control control,
                                           hvcall::HypercallResult result) noexcept;
// Where XMM output starts in the register block: after the input, 16-byte aligned.
[[nodiscard]] std::uint32_t xmm_output_offset(const hvcall::CallInfo* call, hvcall::Control control) noexcept;

enum class Format : std::uint8_t { jsonl, cbor };
[[nodiscard]] std::string_view to_string(Format f) noexcept;
[[nodiscard]] std::optional<Format> format_from_string(std::string_view s) noexcept;
[[nodiscard]] std::vector<std::string> format_names();  // every format's name, for a command line's choices
// By extension: ".cbor" is CBOR, everything else JSON Lines.
[[nodiscard]] Format format_for_path(std::string_view path) noexcept;

// One malformation: what() is "FILE: line N: expected ..." (or "record N (byte B)" for CBOR).
class TraceError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Writes a header then records; every record reaches the file in one write(2) as it is
// written, so a killed writer leaves a readable prefix. Throws TraceError on I/O errors.
class TraceWriter {
public:
    TraceWriter(const std::string& path, Format format, const Header& header);
    ~TraceWriter();
    TraceWriter(const TraceWriter&) = delete;
    TraceWriter& operator=(const TraceWriter&) = delete;

    void write(const Record& r);
    [[nodiscard]] std::uint64_t records() const noexcept { return count_; }

private:
    void put(const std::string& bytes);
    std::string path_;
    Format format_;
    int fd_ = -1;
    std::uint64_t count_ = 0;
};

// Encodes a record or header as one JSON Lines line (no newline) or one CBOR frame.
[[nodiscard]] std::string encode_jsonl(const Record& r);
[[nodiscard]] std::string encode_cbor(const Record& r);

struct Trace {
    std::string path;
    Format format = Format::jsonl;
    Header header;
    std::vector<Record> records;
    std::optional<std::string> warning;  // a cut-off last record, dropped
};

// Reads a whole trace, detecting the format from its first bytes. Throws TraceError.
[[nodiscard]] Trace read_trace(const std::string& path);
// The same from bytes already in memory; `name` is used in messages.
[[nodiscard]] Trace parse_trace(std::string_view bytes, const std::string& name);

// Streams records one by one (the reader behind read_trace), for replays that must not hold
// the whole trace. next() returns false at the end; warning() then tells of a cut-off tail.
class TraceReader {
public:
    // Reads `bytes` in place: they must outlive the reader.
    TraceReader(std::string_view bytes, std::string name);
    // Owns the bytes (a file just read).
    TraceReader(std::string&& bytes, std::string name);
    TraceReader(const TraceReader&) = delete;
    TraceReader& operator=(const TraceReader&) = delete;
    [[nodiscard]] const Header& header() const noexcept { return header_; }
    [[nodiscard]] Format format() const noexcept { return format_; }
    bool next(Record& r);
    [[nodiscard]] const std::optional<std::string>& warning() const noexcept { return warning_; }
    [[nodiscard]] std::uint64_t index() const noexcept { return index_; }  // records returned so far
    // Where the last record read is, for messages: "FILE: line N" or "FILE: record N (byte B)".
    [[nodiscard]] std::string where() const;

private:
    [[noreturn]] void fail(const std::string& what) const;
    [[nodiscard]] std::string location(std::uint64_t record) const;
    bool next_line(std::string_view& line, bool& terminated);
    void start();
    std::string owned_;
    std::string_view bytes_;
    std::string name_;
    Format format_ = Format::jsonl;
    Header header_;
    std::size_t pos_ = 0;
    std::uint64_t line_ = 0;    // JSON Lines: 1-based line of the current item
    std::uint64_t index_ = 0;   // records returned
    std::size_t frame_at_ = 0;  // CBOR: byte offset of the current frame
    std::optional<std::string> warning_;
};

// Reads a file into memory; TraceError naming the file when it cannot.
[[nodiscard]] std::string slurp(const std::string& path);

// Hex of bytes ("00ff").
[[nodiscard]] std::string to_hex(std::span<const std::byte> bytes);

}  // namespace hvsim::traces
