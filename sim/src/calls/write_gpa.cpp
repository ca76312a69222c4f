// HvCallWriteGpa: hv_input_write_gpa (hv_input_read_gpa's 32 bytes, access_gpa.hpp, then 16 data
// bytes at offset 32; 48 bytes); output hv_output_write_gpa, the access result (UAPI-HV hvhdk.h,
// 8 bytes). The first byte-count bytes go to the host pages the partition's GPA map points at:
// all of them, or none when a page of the range is not writable.
#include "access_gpa.hpp"
#include "calls.hpp"

namespace hvsim::calls {

namespace {
constexpr std::uint32_t kData = 32;
}

Outcome write_gpa(CallContext& ctx) {
    using namespace access_gpa;
    Access a;
    if (auto o = begin(ctx, kWritable, kWriteIntercept, a); !o.is_ok()) return o;
    if (a.result == kSuccess)
        a.each_piece([&](std::uint64_t host, std::uint32_t at, std::uint32_t n) {
            ctx.memory().write(host, ctx.in_bytes(kData + at, n));
        });
    ctx.out<std::uint64_t>(0, a.result);
    return Outcome::ok();
}

}  // namespace hvsim::calls
