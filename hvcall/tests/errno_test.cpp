#include <catch2/catch_test_macros.hpp>

#include <set>
#include <string_view>

#include "hvcall/errno.hpp"
#include "hvcall/errno_names.hpp"

using hvcall::HypercallResult;
using hvcall::Status;

namespace {
int errno_of(Status s, std::uint32_t reps = 0) { return hvcall::to_errno(HypercallResult::make(s, reps)); }
}  // namespace

// Every HV_STATUS value with upstream's errno, transcribed from HVCOMMON's table (6.19) with
// the three 7.0 changes (the hv_common.c hunks of mainline cf82dd5ea958 and 158ebb578cd5, PR),
// not from errno.hpp.
struct Row {
    std::uint16_t status;
    int err;
};
constexpr Row kUpstream[] = {
    {0x0000, 0},       {0x0002, -EINVAL}, {0x0003, -EINVAL}, {0x0004, -EIO},    {0x0005, -EINVAL}, {0x0006, -EIO},
    {0x0007, -EIO},    {0x0008, -EIO},    {0x0009, -EIO},    {0x000A, -EIO},    {0x000B, -ENOMEM}, {0x000D, -EINVAL},
    {0x000E, -EINVAL}, {0x0010, -EIO},    {0x0011, -EINVAL}, {0x0012, -EINVAL}, {0x0013, -EIO},    {0x0014, -EIO},
    {0x0015, -EIO},    {0x001D, -EIO},    {0x0020, -EIO},    {0x0041, -EINVAL}, {0x0050, -EINVAL}, {0x0071, -EIO},
    {0x0073, -ENOMEM}, {0x0075, -ENOMEM}, {0x0078, -EIO},    {0x0079, -EIO},    {0x0083, -ENOMEM}, {0x0086, -EIO},
};

TEST_CASE("status maps to errno as hv_result_to_errno does", "[errno]") {
    for (const Row& row : kUpstream) {
        INFO("status 0x" << std::hex << row.status);
        CHECK(errno_of(static_cast<Status>(row.status)) == row.err);
    }
    CHECK(errno_of(Status::SUCCESS, 12) == 0);             // reps completed do not matter
    CHECK(errno_of(static_cast<Status>(0x1234)) == -EIO);  // a code the table does not list
}

TEST_CASE("the errno table covers every status in the list", "[errno]") {
    // A status added to status.def without a row here fails: its errno has not been checked.
    for (const auto s : hvcall::kStatuses) {
        bool found = false;
        for (const Row& row : kUpstream) found = found || row.status == static_cast<std::uint16_t>(s.status);
        INFO(s.name);
        CHECK(found);
    }
}

TEST_CASE("the missing-hypercall-page value maps to EOPNOTSUPP", "[errno]") {
    CHECK(hvcall::to_errno(HypercallResult::from_raw(~0ull)) == -EOPNOTSUPP);
    // Only the whole word counts: low 16 bits of 0xFFFF alone are just an unknown status.
    CHECK(hvcall::to_errno(HypercallResult::from_raw(0xFFFF)) == -EIO);
}

TEST_CASE("the errno name table: one name per value, both ways, every errno a status maps to", "[errno]") {
    std::set<int> values;
    std::set<std::string_view> names;
    for (const auto& e : hvcall::kErrnoNames) {
        INFO(e.name);
        CHECK(e.value > 0);
        CHECK(values.insert(e.value).second);
        CHECK(names.insert(e.name).second);
        CHECK(hvcall::errno_name(-e.value) == e.name);
        CHECK(hvcall::errno_value(e.name) == e.value);
    }
    for (const auto s : hvcall::kStatuses)
        CHECK(hvcall::errno_name(hvcall::errno_for_status(s.status)).has_value() ==
              (hvcall::errno_for_status(s.status) != 0));
    CHECK(hvcall::errno_text(-EINVAL) == "-EINVAL");
    CHECK(hvcall::errno_text(0) == "0");
    CHECK(hvcall::errno_text(-4095) == "-4095");
}
