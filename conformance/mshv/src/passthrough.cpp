// MSHV_ROOT_HVCALL on all three fd kinds, steps 1-11 of root-hypercalls.md §6.3 [MAIN] as the
// newest driver does them (upstream-linux.md §3.2 [A-MAIN]; the self list [K-self]).
#include <cerrno>
#include <cstring>

#include "hvcall/calls/partition.hpp"
#include "hvcall/errno.hpp"
#include "hvcall/needs_memory.hpp"
#include "hvcall/types/partition.hpp"
#include "hvsim/devmshv/driver.hpp"

namespace hvsim::devmshv {

namespace uapi = traces::mshv;

int Driver::root_hvcall(FdKind kind, std::uint64_t partition_id, std::uint64_t arg) noexcept {
    uapi::RootHvcall args{};
    if (!host_.copy_in(&args, arg, sizeof args)) return -EFAULT;  // 1. the struct
    bool rsvd = false;
    for (auto b : args.rsvd) rsvd |= b != 0;
    // 2, 3. the argument checks (out_sz without out_ptr is not refused)
    if (args.status != 0 || args.in_ptr == 0 || args.in_sz < 8 || rsvd || args.in_sz > uapi::kMaxHvcallBytes)
        return -EINVAL;
    if (args.out_ptr != 0 && (args.out_sz == 0 || args.out_sz > uapi::kMaxHvcallBytes)) return -EINVAL;
    // 4. /dev/mshv targets the root itself and takes the self list only
    const bool self = kind == FdKind::device;
    if (!(self ? uapi::self_allowed(args.code) : uapi::allowed(args.code))) return -EINVAL;
    // 5. an async call only on a partition fd
    const bool async = uapi::is_async(args.code);
    if (async && kind != FdKind::partition) return -EINVAL;
    // 6, 7. a page that is not zeroed: only in_sz bytes are copied in, then the partition id
    auto page = passthrough_.input_page();
    if (!host_.copy_in(page.data(), args.in_ptr, args.in_sz)) return -EFAULT;
    std::memcpy(page.data(), &partition_id, sizeof partition_id);

    // 8-10. a rep call resumes at the reps completed; a time-slice end is resumed at once
    // (hv_do_rep_hypercall_ex); every needs-memory status deposits what it asks for into the
    // target (root statuses into SELF) and retries.
    std::uint32_t done = 0;
    hvcall::HypercallResult r;
    int ret = 0;
    for (;;) {
#ifdef HVSIM_PLANTED_PASSTHROUGH_NO_REP_RESTART
        const std::uint32_t start = 0;  // the planted bug (fuzz/README.md): every retry starts over
#else
        const std::uint32_t start = done;
#endif
        const auto control = hvcall::Control::from_raw(std::uint64_t{args.code} | (std::uint64_t{args.reps} << 32) |
                                                       (std::uint64_t{start} << 48));
        r = passthrough_.hypercall(control);
        const std::uint32_t before = done;
        if (args.reps != 0) done = r.reps_completed();
        if (r.ok() && args.reps != 0 && done < args.reps && done > before) continue;
        if (r.status() == hvcall::Status::CALL_PENDING) {
            if (!async) return -EBADFD;  // the kernel's "cannot happen" exit: nothing copied back
            r = hvcall::HypercallResult::make(options_.async_completion, r.reps_completed());
        }
        if (r.ok()) break;
        if (!hvcall::needs_memory(r.status())) {
            ret = hvcall::to_errno(r);
            break;
        }
        if ((ret = hvcall::deposit_for_status(kernel_, pages_, partition_id, r.status())) != 0) break;
        ++deposits_;
    }
    // 11. status and reps always; the output only on success
    args.status = static_cast<std::uint16_t>(r.status());
    args.reps = static_cast<std::uint16_t>(done);
    if (!host_.copy_out(arg, &args, sizeof args)) return -EFAULT;
    if (ret == 0 && args.out_ptr != 0 && !host_.copy_out(args.out_ptr, passthrough_.output_page().data(), args.out_sz))
        return -EFAULT;
    return ret;
}

}  // namespace hvsim::devmshv
