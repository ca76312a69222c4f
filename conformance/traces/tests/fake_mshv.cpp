// The fake device's rules, in the order the kernel applies them (MAIN's MSHV_ROOT_HVCALL steps 1-11 as
// updated by the newest driver; its create path too) [A-MAIN].
#include "fake_mshv.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "hvcall/calls/partition.hpp"
#include "hvcall/calls/vp.hpp"
#include "hvcall/errno.hpp"
#include "hvcall/needs_memory.hpp"

namespace hvsim::traces::testing {

int FakeMshv::open(const char* path) noexcept {
    if (std::strcmp(path, "/dev/mshv") != 0 && std::strcmp(path, "fake") != 0) return -ENOENT;
    return new_fd({Kind::device});
}

int FakeMshv::close(int fd) noexcept {
    if (close_signal_fd >= 0) {
        const char c = 1;
        (void)!::write(close_signal_fd, &c, 1);
    }
    const auto it = fds_.find(fd);
    if (it == fds_.end()) return -EBADF;
    const Fd f = it->second;
    fds_.erase(it);
    if (f.kind == Kind::partition) {  // the partition's release: finalize, withdraw, delete
        (void)hvcall::finalize_partition(cpu1_, f.partition_id);
        (void)hvcall::withdraw_memory(cpu1_, pages_, f.partition_id, ~0ull);
        (void)hvcall::delete_partition(cpu1_, f.partition_id);
        partitions_.erase(f.partition_id);
    }
    return 0;
}

int FakeMshv::ioctl(int fd, unsigned long request, void* arg) noexcept {
    const auto it = fds_.find(fd);
    if (it == fds_.end()) return -EBADF;
    const Fd f = it->second;
    if (request == mshv::kRootHvcall) return root_hvcall(f, arg);  // the same number on all three kinds
    if (f.kind == Kind::device) return request == mshv::kCreatePartition ? create_partition(arg) : -ENOTTY;
    if (f.kind != Kind::partition) return -ENOTTY;
    Partition& p = partitions_.at(f.partition_id);
    if (request == mshv::kInitializePartition) {
        if (p.initialized) return 0;
        if (const int e = hvcall::initialize_partition(cpu1_, pages_, f.partition_id); e != 0) return e;
        p.initialized = true;
        return 0;
    }
    if (request == mshv::kCreateVp) {
        mshv::CreateVp in;
        std::memcpy(&in, arg, sizeof in);
        if (in.vp_index >= mshv::kMaxVps) return -EINVAL;
        for (auto v : p.vps)
            if (v == in.vp_index) return -EEXIST;
        if (const int e = hvcall::create_vp(cpu1_, pages_, f.partition_id, in.vp_index,
                                            machine_.config().root_partition_id);
            e != 0)
            return e;
        p.vps.push_back(in.vp_index);
        return new_fd({Kind::vp, f.partition_id, in.vp_index});
    }
    return -ENOTTY;
}

// The v1 struct first; with CPU_AND_XSAVE_FEATURES set, the 64-byte v2 struct under the same
// number, its v1 fields checked again after the second copy. v1 leaves every bank 0.
int FakeMshv::create_partition(const void* arg) noexcept {
    mshv::CreatePartitionV2 in{};
    std::memcpy(&in, arg, sizeof(mshv::CreatePartition));
    const auto v1_invalid = [&in] {
        return (in.pt_flags & ~mshv::kPtFlagsMask) != 0 || in.pt_isolation >= mshv::kPtIsolationCount;
    };
    if (v1_invalid()) return -EINVAL;
    hvcall::CreatePartitionArgs args;
    if ((in.pt_flags & mshv::kPtFlagCpuAndXsaveFeatures) != 0) {
        std::memcpy(&in, arg, sizeof in);
        if (v1_invalid()) return -EINVAL;
        std::uint8_t rsvd = 0;
        for (std::size_t i = 0; i < sizeof in.pt_rsvd; ++i) rsvd |= in.pt_rsvd[i];
        if (in.pt_num_cpu_fbanks != mshv::kNumCpuFeaturesBanks || rsvd != 0 || (in.pt_rsvd1[0] | in.pt_rsvd1[1]) != 0)
            return -EINVAL;
        auto& props = args.creation_properties;
        props.disabled_processor_features[0] = in.pt_cpu_fbanks[0];
        props.disabled_processor_features[1] = in.pt_cpu_fbanks[1];
        props.disabled_processor_xsave_features = in.pt_disabled_xsave;
    }
    args.flags = mshv::creation_flags_for(in.pt_flags);
    std::uint64_t id = 0;
    if (const int e = hvcall::create_partition(cpu1_, pages_, args, machine_.config().root_partition_id, id); e != 0)
        return e;
    partitions_[id] = {};
    return new_fd({Kind::partition, id});
}

int FakeMshv::root_hvcall(const Fd& f, void* arg) noexcept {
    mshv::RootHvcall args;
    std::memcpy(&args, arg, sizeof args);  // 1. copy the struct in
    bool rsvd = false;
    for (auto b : args.rsvd) rsvd |= b != 0;
    // 2, 3. the argument checks
    if (args.status != 0 || args.in_ptr == 0 || args.in_sz < 8 || rsvd || args.in_sz > mshv::kMaxHvcallBytes) return -EINVAL;
    if (args.out_ptr != 0 && (args.out_sz == 0 || args.out_sz > mshv::kMaxHvcallBytes)) return -EINVAL;
    // 4. on /dev/mshv the target is the root itself, with the self list (mshv_passthru_hvcall_allowed)
    const std::uint64_t pt_id = f.kind == Kind::device ? hvcall::kPartitionIdSelf : f.partition_id;
    if (!(pt_id == hvcall::kPartitionIdSelf ? mshv::self_allowed(args.code) : mshv::allowed(args.code))) return -EINVAL;
    // 5. an async call only on a partition fd
    const bool async = mshv::is_async(args.code);
    if (async && f.kind != Kind::partition) return -EINVAL;
    // 6, 7. input page: only in_sz bytes copied in (the rest is stale); the partition id overwritten
    auto in = machine_.input_page(0);
    std::memcpy(in.data(), reinterpret_cast<const void*>(static_cast<std::uintptr_t>(args.in_ptr)), args.in_sz);
    std::memcpy(in.data(), &pt_id, 8);
    // 8-10. the call loop: rep start = reps completed; every needs-memory status deposits what it
    // asks for into pt_id (root statuses into SELF) and retries, where kernels before 6.19 returned -EAGAIN
    std::uint32_t done = 0;
    hvcall::HypercallResult r;
    int ret = 0;
    for (;;) {
        const auto control = hvcall::Control::from_raw(std::uint64_t{args.code} | (std::uint64_t{args.reps} << 32) |
                                                       (std::uint64_t{done} << 48));
        r = machine_.call(0, control, machine_.input_page_gpa(0), machine_.output_page_gpa(0));
        const std::uint32_t before = done;
        if (args.reps != 0) done = r.reps_completed();
        // hv_do_rep_hypercall_ex resumes a time-slice end itself
        if (r.ok() && args.reps != 0 && done < args.reps && done > before) continue;
        if (r.status() == hvcall::Status::CALL_PENDING) {
            if (!async) return -EBADFD;  // the kernel's "cannot happen" exit: nothing is copied back
            r = hvcall::HypercallResult::make(async_completion, r.reps_completed());
        }
        if (r.ok()) break;
        if (!hvcall::needs_memory(r.status())) {
            ret = hvcall::to_errno(r);
            break;
        }
        if ((ret = hvcall::deposit_for_status(cpu1_, pages_, pt_id, r.status())) != 0) break;
        ++deposits;
    }
    // 11. copy back status and reps always; output only on success
    args.status = static_cast<std::uint16_t>(r.status());
    args.reps = static_cast<std::uint16_t>(done);
    std::memcpy(arg, &args, sizeof args);
    if (ret == 0 && args.out_ptr != 0)
        std::memcpy(reinterpret_cast<void*>(static_cast<std::uintptr_t>(args.out_ptr)), machine_.output_page(0).data(),
                    args.out_sz);
    return ret;
}

}  // namespace hvsim::traces::testing
