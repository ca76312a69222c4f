// Property: decoding a control or result word and rebuilding it from its fields gives the
// same word back, builders never write reserved bits, and the errno mapping is total.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "hvcall/control.hpp"
#include "hvcall/errno.hpp"
#include "hvcall/result.hpp"

namespace {

void require(bool ok) {
    if (!ok) std::abort();  // libFuzzer reports the input
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 16) return 0;
    std::uint64_t a, b;
    std::memcpy(&a, data, 8);
    std::memcpy(&b, data + 8, 8);

    const auto c = hvcall::Control::from_raw(a);
    const auto rebuilt = hvcall::Control::make(c.fields());
    require(rebuilt.has_value());  // decoded fields are always in range
    require(rebuilt->raw() == (a & ~hvcall::Control::kReservedMask));
    require(rebuilt->reserved_bits() == 0);
    if (const auto moved = c.with_rep_start(static_cast<std::uint32_t>(b & 0x1FFF)))
        require(moved->reserved_bits() == c.reserved_bits() && moved->code() == c.code());

    const auto r = hvcall::HypercallResult::from_raw(b);
    const auto again = hvcall::HypercallResult::make(r.status(), r.reps_completed());
    require(again.raw() == (b & ~hvcall::HypercallResult::kReservedMask));
    const int e = hvcall::to_errno(r);
    require(e <= 0 && (e != 0 || r.ok()));
    return 0;
}
