// A loaded scenario: what conformance/README.md describes, checked and resolved as far as it
// can be before anything runs. Values that name a capture ("$pid") are resolved at run time.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "hvcall/status.hpp"
#include "hvsim/config.hpp"
#include "hvsim/fault_plan.hpp"
#include "hvsim/model.hpp"
#include "hvsim/rules.hpp"

namespace hvsim::conformance {

struct TypedCall;

// A malformed scenario file: what() is the whole one-line message, file and position first.
class LoadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A number, or a reference to a value an earlier step captured.
// What one typed step may ask the model to walk: 2^24 pages (64 GiB of 4 KiB pages), so that a
// scenario's work and its run log stay bounded (README, "Input limits"); and no range may run
// past the 52-bit guest physical address space (2^40 page numbers).
inline constexpr std::uint64_t kMaxStepPages = 1ull << 24;
inline constexpr std::uint64_t kGfnLimit = 1ull << 40;

struct Value {
    std::uint64_t number = 0;
    std::string ref;  // capture name without '$'; empty for a literal
};

struct FieldWrite {  // `size` bytes little-endian at `offset`
    std::uint32_t offset = 0;
    std::uint32_t size = 8;
    Value value;
    std::string pointer;
};

struct Expect {
    std::optional<hvcall::Status> status;
    std::optional<int> error;   // typed: 0 or a negative errno
    std::optional<Value> reps;  // raw: reps completed
    std::optional<Value> done;  // typed: Progress::done
    std::optional<std::uint64_t> hypercalls;
    std::optional<RuleId> rule;                     // the rejection's rule
    bool no_rule = false;                           // "rule": null: no rejection at all
    std::optional<std::vector<RuleId>> violations;  // exactly these (any order); default none
    std::vector<FieldWrite> output;                 // raw: output fields
    std::optional<std::vector<std::byte>> output_hex;
    std::map<std::string, std::vector<Value>> outputs;  // typed: named outputs (one value or a list)
};

struct RawStep {
    std::uint16_t code = 0;
    std::optional<std::uint64_t> control;  // the whole word: fields below ignored
    std::optional<bool> fast;              // unset: the matrix decides where the call has both forms
    std::optional<std::uint32_t> rep_count, rep_start;
    std::uint32_t varhead = 0;
    bool nested = false;
    std::uint64_t control_bits = 0;  // OR'ed into the word (reserved bits on purpose)
    std::vector<FieldWrite> fields;
    std::vector<Value> elements;
    std::optional<std::vector<std::byte>> input_hex;
    std::uint32_t input_offset = 0, output_offset = 0;
    std::optional<Value> input_gpa, output_gpa;
    std::optional<std::uint32_t> output_size;
};

struct TypedStep {
    const TypedCall* call = nullptr;
    std::map<std::string, std::vector<Value>> args;  // scalar arguments hold one value
};

struct GuestAccessStep {
    Value partition, gfn, count;
    bool write = false;
};

// One assertion on the model's state: `what` names the query, `fields` the expected values.
struct Check {
    std::string what;  // partition, gpa, pfn, host_access, access_state, property, partitions, invariants
    std::map<std::string, Value> keys;         // which object: partition, gfn, pfn, code
    std::map<std::string, std::string> words;  // expected enum values: state, kind, owner
    std::map<std::string, Value> numbers;      // expected numbers
    std::optional<bool> exists;
    std::string pointer;
};

struct Step {
    std::variant<RawStep, TypedStep, GuestAccessStep, std::vector<Check>> body;
    Expect expect;
    std::vector<std::pair<std::string, std::variant<std::string, FieldWrite>>> captures;
    std::optional<FaultPlan> faults;  // rep end call indices count from the step's first call
    bool strict = false;              // this step alone in strict mode
    std::string note, pointer;
    [[nodiscard]] std::string label() const;  // "raw map_gpa_pages", "call create_partition", ...
};

struct Matrix {
    bool strict = true, form = true, rep_start = true;
};

struct MachineSpec {
    MachineConfig config;
    std::optional<std::pair<std::uint64_t, std::uint64_t>> host_pages;  // [first, end) PFNs for typed calls
};

struct Scenario {
    std::string file, name, description, pointer;
    std::vector<std::string> requires_features;
    MachineSpec machine;
    std::optional<bool> strict;
    bool reject_spec_only = false;  // "spec_only": "reject"; by default ("record") the call proceeds
    FaultPlan faults;
    Matrix matrix;
    std::vector<Step> steps;
};

// The non-zero rep start the matrix uses, and the byte that fills the skipped elements.
inline constexpr std::uint32_t kMatrixRepStart = 3;
inline constexpr std::byte kSkippedElementFill{0xA5};

// Parses one file's text (one scenario object or an array of them). Throws LoadError.
[[nodiscard]] std::vector<Scenario> load_scenarios(const std::string& file, const std::string& text);
// Reads FILE, or every *.json under DIR (sorted); throws LoadError on the first bad one.
[[nodiscard]] std::vector<Scenario> load_path(const std::string& path);

}  // namespace hvsim::conformance
