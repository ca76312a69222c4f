// HvCallMapDeviceInterrupt: partition id, device id, flags, base IRT index, the logical
// interrupt entry (16), then the descriptor: interrupt type, trigger mode, vector count,
// reserved, and the target: vector, flags, VP mask or a sparse VP set whose format qword ends
// the fixed header; its bank mask and banks are the variable header (A-HDKMINI; T-IRQDOM sends
// it as a rep call with rep count 0 and variable header nr_bank + 1). Out: the interrupt entry
// and five deprecated status qwords (56 bytes since 6.18). The root maps its own devices'
// interrupts at boot (hv_map_msi_interrupt, IOAPIC); the entry returned is what it unmaps.
#include <bit>

#include "calls.hpp"
#include "device_interrupt.hpp"
#include "hvsim/fields.hpp"

namespace hvsim::calls {

namespace F = fields::map_device_interrupt_in;  // offsets: sim/include/hvsim/fields.def

namespace {
constexpr std::uint32_t kPartition = F::partition_id.offset, kDevice = F::device_id.offset;
constexpr std::uint32_t kType = F::interrupt_type.offset, kTrigger = F::trigger_mode.offset,
                        kVectorCount = F::vector_count.offset, kReserved = F::reserved.offset;
constexpr std::uint32_t kVector = F::vector.offset, kTargetFlags = F::target_flags.offset, kVpMask = F::vp_mask.offset,
                        kFormat = F::format.offset;
constexpr std::uint32_t kBankMask = 72, kBanks = 80;
constexpr std::uint32_t kFixed = 0, kLowestPriority = 1, kLevel = 1;
constexpr std::uint32_t kMulticast = 0x1, kProcessorSet = 0x2;
constexpr std::uint64_t kSparse4k = 0;  // HV_GENERIC_SET_SPARSE_4K

// The lowest processor the target names, if the target is well formed and every processor it
// names exists; `cpus` bounds the machine's processors.
std::optional<std::uint32_t> first_target(const CallContext& ctx, std::uint32_t flags, std::uint32_t cpus) {
    const std::uint32_t varhead = ctx.control().varhead_qwords();
    std::optional<std::uint32_t> first;
    auto add_bank = [&](std::uint32_t bank, std::uint64_t bits) {
        if (bits == 0) return true;
        const std::uint32_t lowest = bank * 64 + static_cast<std::uint32_t>(std::countr_zero(bits));
        const std::uint32_t highest = bank * 64 + 63 - static_cast<std::uint32_t>(std::countl_zero(bits));
        if (highest >= cpus) return false;
        if (!first || lowest < *first) first = lowest;
        return true;
    };
    if ((flags & kProcessorSet) == 0) {
        if (varhead != 0 || !add_bank(0, ctx.in<std::uint64_t>(kVpMask))) return std::nullopt;
        return first;
    }
    if (varhead == 0 || ctx.in<std::uint64_t>(kFormat) != kSparse4k) return std::nullopt;
    const auto bank_mask = ctx.in<std::uint64_t>(kBankMask);
    if (static_cast<std::uint32_t>(std::popcount(bank_mask)) + 1 != varhead) return std::nullopt;
    std::uint32_t slot = 0;
    for (std::uint32_t bank = 0; bank < 64; ++bank)
        if ((bank_mask >> bank) & 1)
            if (!add_bank(bank, ctx.in<std::uint64_t>(kBanks + 8 * slot++))) return std::nullopt;
    return first;
}

}  // namespace

Outcome map_device_interrupt(CallContext& ctx) {
    state::State& s = model(ctx);
    Partition* p = nullptr;
    if (auto o = find_partition(ctx, kPartition, Target::any, p); !o.is_ok()) return o;
    const auto type = ctx.in<std::uint32_t>(kType);
    const auto trigger = ctx.in<std::uint32_t>(kTrigger);
    const auto vector = ctx.in<std::uint32_t>(kVector);
    if (type != kFixed && type != kLowestPriority)
        return ctx.reject(RuleId::device_interrupt_descriptor_invalid, Site::input, kType, type);
    if (trigger > kLevel)
        return ctx.reject(RuleId::device_interrupt_descriptor_invalid, Site::input, kTrigger, trigger);
    if (ctx.in<std::uint32_t>(kVectorCount) == 0)
        return ctx.reject(RuleId::device_interrupt_descriptor_invalid, Site::input, kVectorCount, 0);
    if (vector < 16 || vector > 255)
        return ctx.reject(RuleId::device_interrupt_descriptor_invalid, Site::input, kVector, vector);
    if (auto o =
            reserved(ctx, RuleId::device_interrupt_reserved_nonzero, kReserved, ctx.in<std::uint32_t>(kReserved), ~0u))
        return *o;
    const auto flags = ctx.in<std::uint32_t>(kTargetFlags);
    if (auto o = reserved(ctx, RuleId::device_interrupt_reserved_nonzero, kTargetFlags, flags,
                          ~(kMulticast | kProcessorSet)))
        return *o;
    const auto target = first_target(ctx, flags, ctx.config().cpus);
    if (!target)
        return ctx.reject(RuleId::device_interrupt_target_invalid, Site::input, kVpMask,
                          ctx.in<std::uint64_t>(kVpMask));
    const std::uint64_t entry = devint::msi_entry(vector, *target);  // APIC id = processor index in the model
    ++s.device_interrupts[devint::key(p->id, ctx.in<std::uint64_t>(kDevice), entry)];
    ctx.out<std::uint32_t>(0, devint::kSourceMsi);
    ctx.out<std::uint32_t>(4, 0);
    ctx.out<std::uint64_t>(8, entry);
    for (std::uint32_t off = 16; off < 56; off += 8) ctx.out<std::uint64_t>(off, 0);
    return Outcome::ok();
}

}  // namespace hvsim::calls
