// The fake device's rules, in the order the kernel applies them (MAIN's passthrough, steps 1-11).
#include "fake_mshv.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "hvcall/calls/partition.hpp"
#include "hvcall/calls/vp.hpp"
#include "hvcall/errno.hpp"
#include "hvtrace/mshv_uapi.hpp"

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
    if (f.kind == Kind::device) {
        if (request != mshv::kCreatePartition) return -ENOTTY;
        mshv::CreatePartition in;
        std::memcpy(&in, arg, sizeof in);
        if ((in.pt_flags & ~mshv::kPtFlagsMask) != 0 || in.pt_isolation >= 1) return -EINVAL;
        hvcall::CreatePartitionArgs args;
        args.flags = mshv::creation_flags_for(in.pt_flags);
        std::uint64_t id = 0;
        if (const int e = hvcall::create_partition(cpu1_, pages_, args, machine_.config().root_partition_id, id); e != 0)
            return e;
        partitions_[id] = {};
        return new_fd({Kind::partition, id});
    }
    if (f.kind == Kind::partition) {
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
    }
    if (request == mshv::kRootHvcall) return root_hvcall(f, arg);
    return -ENOTTY;
}

int FakeMshv::root_hvcall(const Fd& f, void* arg) noexcept {
    mshv::RootHvcall args;
    std::memcpy(&args, arg, sizeof args);  // 1. copy the struct in
    bool rsvd = false;
    for (auto b : args.rsvd) rsvd |= b != 0;
    // 2, 3. the argument checks
    if (args.status != 0 || args.in_ptr == 0 || args.in_sz < 8 || rsvd || args.in_sz > mshv::kMaxHvcallBytes) return -EINVAL;
    if (args.out_ptr != 0 && (args.out_sz == 0 || args.out_sz > mshv::kMaxHvcallBytes)) return -EINVAL;
    if (!mshv::allowed(args.code)) return -EINVAL;  // 4
    if (args.code == mshv::kAsyncCode && f.kind == Kind::vp) return -EINVAL;  // 5
    // 6, 7. input page: only in_sz bytes copied in (the rest is stale); the partition id overwritten
    auto in = machine_.input_page(0);
    std::memcpy(in.data(), reinterpret_cast<const void*>(static_cast<std::uintptr_t>(args.in_ptr)), args.in_sz);
    std::memcpy(in.data(), &f.partition_id, 8);
    // 8-10. the call loop: rep start = reps completed, deposit one page on INSUFFICIENT_MEMORY
    std::uint32_t done = 0;
    hvcall::HypercallResult r;
    for (;;) {
        const auto control = hvcall::Control::from_raw(std::uint64_t{args.code} | (std::uint64_t{args.reps} << 32) |
                                                       (std::uint64_t{done} << 48));
        r = machine_.call(0, control, machine_.input_page_gpa(0), machine_.output_page_gpa(0));
        if (r.status() == hvcall::Status::CALL_PENDING) return -EBADFD;  // no async completion in the model
        const std::uint32_t before = done;
        if (args.reps != 0) done = r.reps_completed();
        if (r.ok()) {
            if (args.reps != 0 && done < args.reps && done > before) continue;
            break;
        }
        if (r.status() != hvcall::Status::INSUFFICIENT_MEMORY) break;
        if (hvcall::deposit_memory(cpu1_, pages_, f.partition_id, 1) != 0) break;
        ++deposits;
    }
    // 11. copy back status and reps always; output only on success
    args.status = static_cast<std::uint16_t>(r.status());
    args.reps = static_cast<std::uint16_t>(done);
    std::memcpy(arg, &args, sizeof args);
    const int ret = hvcall::to_errno(r);
    if (ret == 0 && args.out_ptr != 0)
        std::memcpy(reinterpret_cast<void*>(static_cast<std::uintptr_t>(args.out_ptr)), machine_.output_page(0).data(),
                    args.out_sz);
    return ret;
}

}  // namespace hvsim::traces::testing
