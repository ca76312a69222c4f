// HvCallUnmapDeviceInterrupt: partition id, device id, the interrupt entry map returned, flags
// (A-HDKMINI, 36 bytes). T-IRQDOM passes back exactly the entry it was given.
#include "calls.hpp"
#include "device_interrupt.hpp"
#include "hvsim/fields.hpp"

namespace hvsim::calls {

namespace F = fields::unmap_device_interrupt_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kPartition = F::partition_id.offset, kDevice = F::device_id.offset, kSource = F::source.offset,
                        kMsiEntry = F::msi_entry.offset;
}

Outcome unmap_device_interrupt(CallContext& ctx) {
    state::State& s = model(ctx);
    Partition* p = nullptr;
    if (auto o = find_partition(ctx, kPartition, Target::any, p); !o.is_ok()) return o;
    const auto source = ctx.in<std::uint32_t>(kSource);
    const auto entry = ctx.in<std::uint64_t>(kMsiEntry);
    auto it = s.device_interrupts.find(devint::key(p->id, ctx.in<std::uint64_t>(kDevice), entry));
    if (source != devint::kSourceMsi || it == s.device_interrupts.end())
        return ctx.reject(RuleId::device_interrupt_not_mapped, Site::input, kMsiEntry, entry);
    if (--it->second == 0) s.device_interrupts.erase(it);
    return Outcome::ok();
}

}  // namespace hvsim::calls
