// Inside replay and diff: what their sources share. Id fields read and written in place, the
// texts of reports, and the comparison of one call's result against its record (compare.cpp).
#pragma once

#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hvcall/status.hpp"
#include "hvsim/traces/replay.hpp"

namespace hvsim::traces::detail {

[[nodiscard]] inline std::uint64_t read_id(std::span<const std::byte> bytes, const IdField& f) {
    std::uint64_t v = 0;
    std::memcpy(&v, bytes.data() + f.offset, width(f.kind));
    return v;
}

inline void write_id(std::span<std::byte> bytes, const IdField& f, std::uint64_t v) {
    std::memcpy(bytes.data() + f.offset, &v, width(f.kind));
}

// The ids that never stand for a handed-out object: invalid (0) and self (all ones).
[[nodiscard]] inline bool special(IdKind k, std::uint64_t v) {
    return v == 0 || (k == IdKind::partition ? v == ~0ull : v == 0xFFFFFFFFull);
}

// report.cpp
[[nodiscard]] std::string hex(std::uint64_t v, int digits);
[[nodiscard]] std::string status_text(hvcall::Status s);
[[nodiscard]] std::string model_text(const ModelAction& a);

// compare.cpp
// First differing byte, for the report.
[[nodiscard]] std::string bytes_mismatch(std::span<const std::byte> want, std::span<const std::byte> got,
                                         const char* what);
// Compares the result of one call; learns ids from the output. Returns the mismatches.
[[nodiscard]] std::vector<std::string> compare_result(const Record& want, hvcall::HypercallResult got_result,
                                                      std::vector<std::byte> got_output, IdMap& ids,
                                                      std::optional<std::size_t> defined = std::nullopt);

}  // namespace hvsim::traces::detail
