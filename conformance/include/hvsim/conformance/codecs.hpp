// The JSON codecs of the facts scenario files and traces share: the number syntax, status and
// call names, the machine (hvsim::MachineConfig) and fault plans (hvsim::FaultPlan). One reading
// with one set of checks serves both formats, so a trace is refused exactly where a scenario is.
// A codec names the field and the reason; each reader wraps that in its own error style.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hvcall/status.hpp"
#include "hvsim/config.hpp"
#include "hvsim/fault_plan.hpp"

namespace hvsim::conformance {

// A value a codec refuses. field(): where, a JSON pointer into the value the codec was given
// ("/mmio/0/first"; empty: that value itself); what(): the reason, one line.
class CodecError : public std::runtime_error {
public:
    CodecError(std::string field, const std::string& reason) : std::runtime_error(reason), field_(std::move(field)) {}
    [[nodiscard]] const std::string& field() const noexcept { return field_; }

private:
    std::string field_;
};

// --- building blocks, shared with the scenario loader's own keys. `at` is the pointer of the
// value read, which a CodecError names.

// One reference token of a JSON pointer: `key` with "~" and "/" escaped.
[[nodiscard]] std::string pointer_token(const std::string& key);
// An object holding only `allowed` keys; `what` names it in errors ("the machine").
void check_object(const nlohmann::json& j, const std::string& at, const std::vector<std::string>& allowed,
                  const std::string& what);
// j[key]; refused at `at` (the object) when missing.
[[nodiscard]] const nlohmann::json& required_key(const nlohmann::json& j, const std::string& at, const std::string& key,
                                                 const std::string& what);
// A JSON number, or a string "0x1F", "4096", "2MiB" or "self" (all ones); at most `max`.
// `also`: a form the caller reads itself before this (the loader's "$capture"), named in errors.
[[nodiscard]] std::uint64_t read_number(const nlohmann::json& j, const std::string& at, std::uint64_t max = ~0ull,
                                        std::string_view also = {});
[[nodiscard]] bool read_bool(const nlohmann::json& j, const std::string& at);
// A status name (INVALID_PARAMETER, see `hvsim status`) or its number.
[[nodiscard]] hvcall::Status read_status(const nlohmann::json& j, const std::string& at);
// A catalogued call's name (see `hvsim calls`) or a code.
[[nodiscard]] std::uint16_t read_call_code(const nlohmann::json& j, const std::string& at);

// --- the machine: a scenario's "machine", a trace profile's and a "run" record's.

// Every key optional (MachineConfig{} gives the rest), each checked so that a machine built
// from the result never reaches a precondition of Machine or its state. `caller_keys`: keys the
// caller reads itself (a scenario's "host_pages"): skipped here, named among the expected ones.
[[nodiscard]] MachineConfig read_machine(const nlohmann::json& j, const std::vector<std::string>& caller_keys = {});
// Every field, defaults too (the header profile); read_machine reads it back unchanged.
[[nodiscard]] nlohmann::json write_machine(const MachineConfig& c);

// --- fault plans: a scenario's or step's "faults", a trace's "faults" record and a run's.

[[nodiscard]] FaultPlan read_fault_plan(const nlohmann::json& j);
// What the plan holds ({} for no faults); read_fault_plan reads it back unchanged (a seed
// without random ends is not written: it has no effect).
[[nodiscard]] nlohmann::json write_fault_plan(const FaultPlan& p);

}  // namespace hvsim::conformance
