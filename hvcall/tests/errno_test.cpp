#include <catch2/catch_test_macros.hpp>

#include "hvcall/errno.hpp"

using hvcall::HypercallResult;
using hvcall::Status;

namespace {
int errno_of(Status s, std::uint32_t reps = 0) { return hvcall::to_errno(HypercallResult::make(s, reps)); }
}  // namespace

TEST_CASE("status maps to errno as hv_result_to_errno does", "[errno]") {
    CHECK(errno_of(Status::SUCCESS) == 0);
    CHECK(errno_of(Status::SUCCESS, 12) == 0);  // reps completed do not matter
    CHECK(errno_of(Status::INVALID_HYPERCALL_CODE) == -EINVAL);
    CHECK(errno_of(Status::INVALID_HYPERCALL_INPUT) == -EINVAL);
    CHECK(errno_of(Status::INVALID_ALIGNMENT) == -EIO);
    CHECK(errno_of(Status::INVALID_PARAMETER) == -EINVAL);
    CHECK(errno_of(Status::ACCESS_DENIED) == -EIO);
    CHECK(errno_of(Status::INVALID_PARTITION_STATE) == -EIO);
    CHECK(errno_of(Status::INSUFFICIENT_MEMORY) == -ENOMEM);
    CHECK(errno_of(Status::INVALID_PARTITION_ID) == -EINVAL);
    CHECK(errno_of(Status::INVALID_VP_INDEX) == -EINVAL);
    CHECK(errno_of(Status::INVALID_PORT_ID) == -EINVAL);
    CHECK(errno_of(Status::INVALID_CONNECTION_ID) == -EINVAL);
    CHECK(errno_of(Status::INVALID_LP_INDEX) == -EINVAL);        // first of the duplicate entries wins
    CHECK(errno_of(Status::INVALID_REGISTER_VALUE) == -EINVAL);  // likewise
    CHECK(errno_of(Status::TIME_OUT) == -EIO);
    CHECK(errno_of(Status::CALL_PENDING) == -EIO);
    // patch-only "needs memory" codes are not in the table the reference driver has: -EIO
    CHECK(errno_of(Status::INSUFFICIENT_CONTIGUOUS_MEMORY) == -EIO);
    CHECK(errno_of(static_cast<Status>(0x1234)) == -EIO);
}

TEST_CASE("the missing-hypercall-page value maps to EOPNOTSUPP", "[errno]") {
    CHECK(hvcall::to_errno(HypercallResult::from_raw(~0ull)) == -EOPNOTSUPP);
    // Only the whole word counts: low 16 bits of 0xFFFF alone are just an unknown status.
    CHECK(hvcall::to_errno(HypercallResult::from_raw(0xFFFF)) == -EIO);
}
