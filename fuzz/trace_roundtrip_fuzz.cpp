// Property: a trace written by TraceWriter reads back (parse_trace) as the same header and
// records, in JSON Lines and in CBOR. Records are built from the bytes to be valid by the
// format's rules (sizes from the catalogue, ids inside their blocks), so the reader must accept
// every one of them.
#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "domains.hpp"
#include "hvsim/traces/replay.hpp"
#include "hvsim/traces/trace.hpp"

namespace {

using hvsim::fuzz::Bytes;
using namespace hvsim::traces;

// Budgets: a few records cover every field and form; blocks are at most two pages (off-page
// records may reach into the next page), so one execution stays well under a millisecond.
constexpr int kMaxRecords = 8;
constexpr int kMaxIds = 3;

// Printable text: JSON strings must be UTF-8, and these bytes always are.
std::string text(Bytes& in, std::size_t max) {
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789 ._-:/\"\\";
    std::string s;
    for (auto b : in.chunk(in.below(static_cast<std::uint32_t>(max) + 1))) s += kAlphabet[b % (sizeof kAlphabet - 1)];
    return s;
}

std::vector<std::byte> block(Bytes& in, std::size_t size) {
    std::vector<std::byte> out(size);
    const auto bytes = in.chunk(size);  // the rest stays zero once the input runs out
    std::ranges::copy(std::as_bytes(bytes), out.begin());
    return out;
}

// A small JSON object: the shape of model-record arguments and header profiles.
nlohmann::json object(Bytes& in) {
    nlohmann::json j = nlohmann::json::object();
    for (std::uint32_t n = in.below(4); n > 0; --n) {
        const std::string key = text(in, 8);
        switch (in.below(4)) {
            case 0:
                j[key] = in.take<std::uint64_t>();
                break;
            case 1:
                j[key] = (in.take<std::uint8_t>() & 1) != 0;
                break;
            case 2:
                j[key] = text(in, 16);
                break;
            default:
                j[key] = nlohmann::json::array({in.take<std::uint32_t>(), text(in, 4)});
                break;
        }
    }
    return j;
}

// Identifier fields that fit a block of `size` bytes.
std::vector<IdField> ids(Bytes& in, std::size_t size) {
    std::vector<IdField> out;
    for (std::uint32_t n = in.below(kMaxIds + 1); n > 0; --n) {
        const auto kind = static_cast<IdKind>(in.below(3));
        if (size < width(kind)) continue;
        out.push_back({in.below(static_cast<std::uint32_t>(size - width(kind) + 1)), kind});
    }
    return out;
}

Record model_record(Bytes& in) {
    static constexpr const char* kKinds[] = {"run", "faults", "guest_access"};
    Record r;
    r.model = ModelAction{kKinds[in.below(3)], object(in), nullptr};
    if ((in.take<std::uint8_t>() & 1) != 0) r.model->result = object(in);
    return r;
}

// A catalogued call most of the time; otherwise any code (usually an uncatalogued one).
std::uint16_t code(Bytes& in) {
    if ((in.take<std::uint8_t>() & 3) != 0)
        return hvcall::kCalls[in.below(static_cast<std::uint32_t>(hvcall::kCalls.size()))].code;
    return in.take<std::uint16_t>();
}

Record call_record(Bytes& in) {
    Record r;
    const std::uint16_t c = code(in);
    const hvcall::CallInfo* call = hvcall::find_call(c);
    r.call = call != nullptr ? std::string(call->name) : "unknown";
    r.form = static_cast<Form>(in.below(3));
    // The control word's other bits are free, its fast bit follows the form.
    std::uint64_t raw = in.take<std::uint64_t>() & ~(hvcall::Control::kCodeMask | hvcall::Control::kFastBit);
    raw |= c | (r.form == Form::memory ? 0 : hvcall::Control::kFastBit);
    r.control = hvcall::Control::from_raw(raw);
    r.result = hvcall::HypercallResult::from_raw(in.take<std::uint64_t>());
    constexpr std::size_t kMaxBlock = 2 * hvcall::kPageSize;
    if (r.form == Form::memory && (in.take<std::uint8_t>() & 7) == 0) {  // an off-page call
        r.at = Placement{in.take<std::uint64_t>(), in.take<std::uint64_t>()};
        r.input = block(in, in.below(kMaxBlock + 1));
        r.output_size = output_size_for(call, r.form, r.control);
        r.output = block(in, in.below(kMaxBlock + 1));
        return r;
    }
    const auto in_size = input_bytes_for(call, r.form, r.control);
    r.input = block(in, in_size ? *in_size : in.below(hvcall::kPageSize + 1));
    r.output_size = call != nullptr ? output_size_for(call, r.form, r.control) : in.below(hvcall::kPageSize + 1);
    const std::uint32_t written =
        call != nullptr ? output_written(call, r.form, r.control, r.result) : (r.result.ok() ? r.output_size : 0);
    r.output = block(in, written);
    r.input_ids = ids(in, r.input.size());
    r.output_ids = ids(in, r.output.size());
    return r;
}

Header header(Bytes& in) {
    Header h;
    h.producer = "fuzz " + text(in, 24);
    h.profile = (in.take<std::uint8_t>() & 1) != 0 ? profile_for(hvsim::MachineConfig{}) : object(in);
    return h;
}

// Where this process writes its traces: one file per format, truncated and rewritten every
// execution and removed at exit. Creating and deleting a file per execution cost more than the
// round trip (ext4 looks for a free inode each time), so the files stay, in memory where the
// machine has /dev/shm.
class ScratchFiles {
public:
    ScratchFiles() {
        const std::filesystem::path dir =
            std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
        const std::string stem = "hvsim-trace-roundtrip-" + std::to_string(::getpid());
        jsonl_ = (dir / (stem + ".jsonl")).string();
        cbor_ = (dir / (stem + ".cbor")).string();
    }
    ScratchFiles(const ScratchFiles&) = delete;
    ScratchFiles& operator=(const ScratchFiles&) = delete;
    ~ScratchFiles() {
        std::error_code ignored;
        std::filesystem::remove(jsonl_, ignored);
        std::filesystem::remove(cbor_, ignored);
    }
    [[nodiscard]] const std::string& path(Format f) const { return f == Format::cbor ? cbor_ : jsonl_; }

private:
    std::string jsonl_, cbor_;
};

const std::string& scratch_path(Format f) {
    static const ScratchFiles files;
    return files.path(f);
}

[[noreturn]] void fail(Format f, const std::string& what) {
    std::fprintf(stderr, "trace_roundtrip: %s: %s\n", f == Format::cbor ? "CBOR" : "JSON Lines", what.c_str());
    std::abort();
}

void round_trip(const Header& h, const std::vector<Record>& records, Format f) {
    const std::string& path = scratch_path(f);
    {
        TraceWriter w(path, f, h);
        for (const Record& r : records) w.write(r);
    }
    Trace back;
    try {
        back = read_trace(path);
    } catch (const TraceError& e) {
        fail(f, std::string("the reader rejected what the writer wrote: ") + e.what());
    }
    if (back.format != f) fail(f, "read back as the other format");
    if (!(back.header == h)) fail(f, "the header differs");
    if (back.warning) fail(f, "a warning for a whole trace: " + *back.warning);
    if (back.records.size() != records.size())
        fail(f, std::to_string(back.records.size()) + " records read, " + std::to_string(records.size()) + " written");
    for (std::size_t i = 0; i < records.size(); ++i)
        if (!(back.records[i] == records[i]))
            fail(f, "record " + std::to_string(i) + " differs: wrote " + encode_jsonl(records[i]));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Bytes in(data, size);
    const Header h = header(in);
    std::vector<Record> records;
    while (!in.empty() && records.size() < kMaxRecords)
        records.push_back((in.take<std::uint8_t>() & 7) == 0 ? model_record(in) : call_record(in));
    round_trip(h, records, Format::jsonl);
    round_trip(h, records, Format::cbor);
    return 0;
}
