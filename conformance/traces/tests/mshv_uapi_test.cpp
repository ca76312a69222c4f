// The hand-written mirror of the uapi (mshv_uapi.hpp) against the fact sheets: the full ioctl
// numbers below are transcribed from root-hypercalls.md 6.1 and upstream-linux.md 4.1, and
// the passthrough lists from upstream-linux.md 3.1, not computed, so a wrong direction, size or
// nr in the header, a number on the wrong fd or a dropped or reordered code fails here.
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <string_view>
#include <vector>

#include "hvcall/catalogue.hpp"
#include "hvsim/traces/mshv_uapi.hpp"

namespace mshv = hvsim::traces::mshv;
using mshv::FdKind;

namespace {

struct SheetRow {
    FdKind fd;
    std::string_view name;
    unsigned long number;
};

// root-hypercalls.md 6.1 (the 12 mshv_root macros), upstream-linux.md 4.1 (ROOT_HVCALL on /dev/mshv).
constexpr SheetRow kSheet[] = {
    {FdKind::device, "MSHV_CREATE_PARTITION", 0x4010B800},
    {FdKind::device, "MSHV_ROOT_HVCALL", 0xC020B807},
    {FdKind::partition, "MSHV_INITIALIZE_PARTITION", 0x0000B800},
    {FdKind::partition, "MSHV_CREATE_VP", 0x4004B801},
    {FdKind::partition, "MSHV_SET_GUEST_MEMORY", 0x4020B802},
    {FdKind::partition, "MSHV_IRQFD", 0x4010B803},
    {FdKind::partition, "MSHV_IOEVENTFD", 0x4020B804},
    {FdKind::partition, "MSHV_SET_MSI_ROUTING", 0x4008B805},
    {FdKind::partition, "MSHV_GET_GPAP_ACCESS_BITMAP", 0xC020B806},
    {FdKind::partition, "MSHV_ROOT_HVCALL", 0xC020B807},
    {FdKind::vp, "MSHV_RUN_VP", 0x8100B800},
    {FdKind::vp, "MSHV_GET_VP_STATE", 0xC010B801},
    {FdKind::vp, "MSHV_SET_VP_STATE", 0xC010B802},
    {FdKind::vp, "MSHV_ROOT_HVCALL", 0xC020B807},
};

struct Named {
    std::string_view name;
    unsigned long number;
};

// Every named constant of the header, whether or not it is in kIoctls.
constexpr Named kConstants[] = {
    {"MSHV_CREATE_PARTITION", mshv::kCreatePartition},
    {"MSHV_INITIALIZE_PARTITION", mshv::kInitializePartition},
    {"MSHV_CREATE_VP", mshv::kCreateVp},
    {"MSHV_SET_GUEST_MEMORY", mshv::kSetGuestMemory},
    {"MSHV_IRQFD", mshv::kIrqfd},
    {"MSHV_IOEVENTFD", mshv::kIoeventfd},
    {"MSHV_SET_MSI_ROUTING", mshv::kSetMsiRouting},
    {"MSHV_GET_GPAP_ACCESS_BITMAP", mshv::kGetGpapAccessBitmap},
    {"MSHV_ROOT_HVCALL", mshv::kRootHvcall},
    {"MSHV_RUN_VP", mshv::kRunVp},
    {"MSHV_GET_VP_STATE", mshv::kGetVpState},
    {"MSHV_SET_VP_STATE", mshv::kSetVpState},
};

}  // namespace

TEST_CASE("every mshv_root ioctl number in the header is the fact sheet's") {
    for (const Named& c : kConstants) {
        INFO(c.name);
        const auto row =
            std::find_if(std::begin(kSheet), std::end(kSheet), [&](const SheetRow& s) { return s.name == c.name; });
        REQUIRE(row != std::end(kSheet));
        CHECK(c.number == row->number);
    }
    // 12 macros: the sheet's names, each once.
    std::vector<std::string_view> names;
    for (const SheetRow& s : kSheet) names.push_back(s.name);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    CHECK(names.size() == std::size(kConstants));
}

TEST_CASE("the per-fd ioctl table is the fact sheet's, fd by fd") {
    REQUIRE(std::size(mshv::kIoctls) == std::size(kSheet));
    for (const SheetRow& s : kSheet) {
        INFO(s.name << " on fd kind " << static_cast<int>(s.fd));
        CHECK(std::count_if(std::begin(mshv::kIoctls), std::end(mshv::kIoctls), [&](const mshv::Ioctl& i) {
                  return i.fd == s.fd && i.name == s.name && i.number == s.number;
              }) == 1);
    }
    // One fd kind never serves two ioctls under one number (nr 0x00-0x02 are reused across kinds).
    for (const mshv::Ioctl& a : mshv::kIoctls)
        for (const mshv::Ioctl& b : mshv::kIoctls)
            if (&a != &b && a.fd == b.fd) CHECK(a.number != b.number);
}

TEST_CASE("each number's size field is its argument's size; the v2 create struct travels under v1's") {
    CHECK(mshv::ioc_size(mshv::kCreatePartition) == sizeof(mshv::CreatePartition));
    CHECK(mshv::ioc_size(mshv::kCreatePartition) != sizeof(mshv::CreatePartitionV2));
    CHECK(mshv::ioc_size(mshv::kInitializePartition) == 0);
    CHECK(mshv::ioc_size(mshv::kCreateVp) == sizeof(mshv::CreateVp));
    CHECK(mshv::ioc_size(mshv::kSetGuestMemory) == sizeof(mshv::UserMemRegion));
    CHECK(mshv::ioc_size(mshv::kIrqfd) == sizeof(mshv::UserIrqfd));
    CHECK(mshv::ioc_size(mshv::kIoeventfd) == sizeof(mshv::UserIoeventfd));
    CHECK(mshv::ioc_size(mshv::kSetMsiRouting) == mshv::kIrqTableEntriesOffset);  // the header, no entries
    CHECK(mshv::ioc_size(mshv::kGetGpapAccessBitmap) == sizeof(mshv::GpapAccessBitmap));
    CHECK(mshv::ioc_size(mshv::kRootHvcall) == sizeof(mshv::RootHvcall));
    CHECK(mshv::ioc_size(mshv::kRunVp) == mshv::kRunVpBufSize);
    CHECK(mshv::ioc_size(mshv::kGetVpState) == sizeof(mshv::GetSetVpState));
    CHECK(mshv::ioc_size(mshv::kSetVpState) == sizeof(mshv::GetSetVpState));
}

TEST_CASE("the passthrough lists are the kernel's, in its order") {
    // upstream-linux.md 3.1: mshv_passthru_hvcalls and mshv_self_passthru_hvcalls.
    const std::vector<std::uint16_t> sheet{0x44, 0x101, 0x45, 0x4D, 0x50, 0x51, 0x52,
                                           0x56, 0x91,  0x94, 0xC9, 0xC0, 0xC1, 0xF4};
    const std::vector<std::uint16_t> self_sheet{0x44, 0x101};
    CHECK(std::vector<std::uint16_t>(std::begin(mshv::kAllowList), std::end(mshv::kAllowList)) == sheet);
    CHECK(std::vector<std::uint16_t>(std::begin(mshv::kSelfAllowList), std::end(mshv::kSelfAllowList)) == self_sheet);
    for (std::uint16_t code : sheet) {
        INFO("code " << code);
        CHECK(mshv::allowed(code));
        CHECK(hvcall::find_call(code) != nullptr);  // the backend needs its sizes
        CHECK(mshv::is_async(code) == (code == 0x45));
        CHECK(mshv::self_allowed(code) == (code == 0x44 || code == 0x101));
    }
    CHECK_FALSE(mshv::allowed(0x46));  // get_partition_id: no partition id to overwrite
    CHECK_FALSE(mshv::allowed(0x53));  // read_gpa: downstream only
}

TEST_CASE("the flag masks are the uapi's bit counts") {
    CHECK(mshv::kPtFlagsMask ==
          (mshv::kPtFlagLapic | mshv::kPtFlagX2apic | mshv::kPtFlagGpaSuperPages | mshv::kPtFlagCpuAndXsaveFeatures |
           mshv::kPtFlagNestedVirtualization | mshv::kPtFlagSmtEnabledGuest));
    CHECK(mshv::kSetMemFlagsMask == (mshv::kSetMemWritable | mshv::kSetMemExecutable | mshv::kSetMemUnmap));
    CHECK(mshv::kIrqfdFlagsMask == (mshv::kIrqfdDeassign | mshv::kIrqfdResample));
    CHECK(mshv::kIoeventfdFlagsMask == (mshv::kIoeventfdDatamatch | mshv::kIoeventfdPio | mshv::kIoeventfdDeassign));
    // Bit 3 only selects the v2 struct: no creation flag of its own.
    CHECK(mshv::creation_flags_for(mshv::kPtFlagCpuAndXsaveFeatures) == mshv::kCreationFlagsAlways);
}
