// HvCallReadGpa: hv_input_read_gpa (32 bytes, access_gpa.hpp); output hv_output_read_gpa: the
// access result (result code, reserved) and 16 data bytes (UAPI-HV hvhdk.h, 24 bytes). The bytes
// come from the host pages the partition's GPA map points at; data beyond the byte count, and
// all of it when the access fails, reads as zero.
#include "access_gpa.hpp"
#include "calls.hpp"

namespace hvsim::calls {

Outcome read_gpa(CallContext& ctx) {
    using namespace access_gpa;
    Access a;
    if (auto o = begin(ctx, kReadable, kReadIntercept, a); !o.is_ok()) return o;
    std::array<std::byte, kMaxBytes> data{};
    if (a.result == kSuccess)
        a.each_piece([&](std::uint64_t host, std::uint32_t at, std::uint32_t n) {
            ctx.memory().read(host, std::span(data).subspan(at, n));
        });
    ctx.out<std::uint64_t>(0, a.result);  // result code, reserved u32 zero
    ctx.out(8, data);
    return Outcome::ok();
}

}  // namespace hvsim::calls
