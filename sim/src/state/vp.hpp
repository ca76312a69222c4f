// Virtual processors: registers the model knows by name, the interrupt and SynIC state the
// calls observe (pending vectors, message slots, event flags), and the opaque state blobs
// get/set VP state move. Nothing else of a CPU is modelled.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>

namespace hvsim::state {

// hv_register_name values (GDKMINI enum hv_register_name; MAIN uses the suspend
// registers and VP_ROOT_SIGNAL_COUNT, the rest were read from the same header for this issue).
// The x86 state VMMs set and read through the passthrough (segments, tables, FP/XMM, debug
// registers, the virtualized MSRs, MTRRs, CET, the SynIC SINTs) is named as in QEMU's copy of
// the header [Q-hvgdk], which carries the enum's x86 half that the kernel's copy leaves out.
// Reset values: SDM vol. 3, 10.1.1 (Table 10-1); SINTs start masked (TLFS "SINTx Registers").
// The model stores these and checks no bits of them.
struct RegisterInfo {
    std::uint32_t name;
    const char* text;
    std::uint64_t initial;   // low qword at VP creation (x86 reset values where one exists)
    std::uint64_t reserved;  // bits of the low qword a set must leave clear
    std::uint64_t must_be_one;
    bool writable;
    bool wide = false;               // a 128-bit value (segments, tables, FP/XMM, pending events)
    std::uint64_t initial_high = 0;  // high qword at VP creation (wide registers)
};

namespace reg {
inline constexpr std::uint32_t explicit_suspend = 0x0, intercept_suspend = 0x1, dispatch_suspend = 0x3;
inline constexpr std::uint32_t deliverability_notifications = 0x00010006;
inline constexpr std::uint32_t rax = 0x00020000, rsp = 0x00020004, rip = 0x00020010, rflags = 0x00020011;
inline constexpr std::uint32_t cr0 = 0x00040000, cr2 = 0x00040001, cr3 = 0x00040002, cr4 = 0x00040003, cr8 = 0x00040004;
inline constexpr std::uint32_t efer = 0x00080001, apic_base = 0x00080003;
inline constexpr std::uint32_t guest_os_id = 0x00090002, vp_index = 0x00090003, vp_root_signal_count = 0x00090014;
inline constexpr std::uint32_t scontrol = 0x000A0010, siefp = 0x000A0012, simp = 0x000A0013;
}  // namespace reg

// RFLAGS: bit 1 reads as one; bits 3, 5, 15 and 22-63 are reserved (SDM vol. 1, 3.4.3).
inline constexpr std::uint64_t kRflagsReserved = (1ull << 3) | (1ull << 5) | (1ull << 15) | ~((1ull << 22) - 1);
// EFER: SCE 0, LME 8, LMA 10, NXE 11, SVME 12, LMSLE 13, FFXSR 14, TCE 15; the rest reserved.
inline constexpr std::uint64_t kEferReserved = ~0xFD01ull;
inline constexpr std::uint64_t kSuspendReserved = ~1ull;  // GDKMINI: bit 0 suspended

inline constexpr std::array kRegisters = {
    // A new VP is explicitly suspended until its VMM clears the register (RV test_get_suspend_regs).
    RegisterInfo{reg::explicit_suspend, "explicit_suspend", 1, kSuspendReserved, 0, true},
    RegisterInfo{reg::intercept_suspend, "intercept_suspend", 0, kSuspendReserved, 0, true},
    RegisterInfo{reg::dispatch_suspend, "dispatch_suspend", 0, kSuspendReserved, 0, true},
    RegisterInfo{0x00010002, "pending_interruption", 0, 0, 0, true},
    RegisterInfo{0x00010003, "interrupt_state", 0, 0, 0, true},
    RegisterInfo{0x00010004, "pending_event0", 0, 0, 0, true, true, 0},
    RegisterInfo{0x00010005, "pending_event1", 0, 0, 0, true, true, 0},
    // NMI notification 0, interrupt 1, priority 2-5, SINTs 48-63, bits 6-47 reserved (OV-DEF)
    RegisterInfo{reg::deliverability_notifications, "deliverability_notifications", 0, 0x0000FFFFFFFFFFC0ull, 0, true},
    RegisterInfo{0x00020000, "rax", 0, 0, 0, true},
    RegisterInfo{0x00020001, "rcx", 0, 0, 0, true},
    RegisterInfo{0x00020002, "rdx", 0x600, 0, 0, true},  // reset EDX holds the CPU signature
    RegisterInfo{0x00020003, "rbx", 0, 0, 0, true},
    RegisterInfo{0x00020004, "rsp", 0, 0, 0, true},
    RegisterInfo{0x00020005, "rbp", 0, 0, 0, true},
    RegisterInfo{0x00020006, "rsi", 0, 0, 0, true},
    RegisterInfo{0x00020007, "rdi", 0, 0, 0, true},
    RegisterInfo{0x00020008, "r8", 0, 0, 0, true},
    RegisterInfo{0x00020009, "r9", 0, 0, 0, true},
    RegisterInfo{0x0002000A, "r10", 0, 0, 0, true},
    RegisterInfo{0x0002000B, "r11", 0, 0, 0, true},
    RegisterInfo{0x0002000C, "r12", 0, 0, 0, true},
    RegisterInfo{0x0002000D, "r13", 0, 0, 0, true},
    RegisterInfo{0x0002000E, "r14", 0, 0, 0, true},
    RegisterInfo{0x0002000F, "r15", 0, 0, 0, true},
    RegisterInfo{reg::rip, "rip", 0xFFF0, 0, 0, true},
    RegisterInfo{reg::rflags, "rflags", 0x2, kRflagsReserved, 0x2, true},
    RegisterInfo{0x00030000, "xmm0", 0, 0, 0, true, true, 0},
    RegisterInfo{0x00030001, "xmm1", 0, 0, 0, true, true, 0},
    RegisterInfo{0x00030002, "xmm2", 0, 0, 0, true, true, 0},
    RegisterInfo{0x00030003, "xmm3", 0, 0, 0, true, true, 0},
    RegisterInfo{0x00030004, "xmm4", 0, 0, 0, true, true, 0},
    RegisterInfo{0x00030005, "xmm5", 0, 0, 0, true, true, 0},
    RegisterInfo{0x00030006, "xmm6", 0, 0, 0, true, true, 0},
    RegisterInfo{0x00030007, "xmm7", 0, 0, 0, true, true, 0},
    RegisterInfo{0x00030008, "xmm8", 0, 0, 0, true, true, 0},
    RegisterInfo{0x00030009, "xmm9", 0, 0, 0, true, true, 0},
    RegisterInfo{0x0003000A, "xmm10", 0, 0, 0, true, true, 0},
    RegisterInfo{0x0003000B, "xmm11", 0, 0, 0, true, true, 0},
    RegisterInfo{0x0003000C, "xmm12", 0, 0, 0, true, true, 0},
    RegisterInfo{0x0003000D, "xmm13", 0, 0, 0, true, true, 0},
    RegisterInfo{0x0003000E, "xmm14", 0, 0, 0, true, true, 0},
    RegisterInfo{0x0003000F, "xmm15", 0, 0, 0, true, true, 0},
    RegisterInfo{0x00030010, "fp_mmx0", 0, 0, 0, true, true, 0},
    RegisterInfo{0x00030011, "fp_mmx1", 0, 0, 0, true, true, 0},
    RegisterInfo{0x00030012, "fp_mmx2", 0, 0, 0, true, true, 0},
    RegisterInfo{0x00030013, "fp_mmx3", 0, 0, 0, true, true, 0},
    RegisterInfo{0x00030014, "fp_mmx4", 0, 0, 0, true, true, 0},
    RegisterInfo{0x00030015, "fp_mmx5", 0, 0, 0, true, true, 0},
    RegisterInfo{0x00030016, "fp_mmx6", 0, 0, 0, true, true, 0},
    RegisterInfo{0x00030017, "fp_mmx7", 0, 0, 0, true, true, 0},
    RegisterInfo{0x00030018, "fp_control_status", 0x37f, 0, 0, true, true, 0},
    RegisterInfo{0x00030019, "xmm_control_status", 0, 0, 0, true, true, 0x1f80},
    RegisterInfo{reg::cr0, "cr0", 0x60000010, 0, 0, true},
    RegisterInfo{reg::cr2, "cr2", 0, 0, 0, true},
    RegisterInfo{reg::cr3, "cr3", 0, 0, 0, true},
    RegisterInfo{reg::cr4, "cr4", 0, 0, 0, true},
    RegisterInfo{reg::cr8, "cr8", 0, ~0xFull, 0, true},
    RegisterInfo{0x00040005, "xfem", 0x1, 0, 0, true},
    RegisterInfo{0x00050000, "dr0", 0, 0, 0, true},
    RegisterInfo{0x00050001, "dr1", 0, 0, 0, true},
    RegisterInfo{0x00050002, "dr2", 0, 0, 0, true},
    RegisterInfo{0x00050003, "dr3", 0, 0, 0, true},
    RegisterInfo{0x00050004, "dr6", 0xffff0ff0, 0, 0, true},
    RegisterInfo{0x00050005, "dr7", 0x400, 0, 0, true},
    RegisterInfo{0x00060000, "es", 0, 0, 0, true, true, 0x9300000000ffff},
    RegisterInfo{0x00060001, "cs", 0xffff0000, 0, 0, true, true, 0x9bf0000000ffff},
    RegisterInfo{0x00060002, "ss", 0, 0, 0, true, true, 0x9300000000ffff},
    RegisterInfo{0x00060003, "ds", 0, 0, 0, true, true, 0x9300000000ffff},
    RegisterInfo{0x00060004, "fs", 0, 0, 0, true, true, 0x9300000000ffff},
    RegisterInfo{0x00060005, "gs", 0, 0, 0, true, true, 0x9300000000ffff},
    RegisterInfo{0x00060006, "ldtr", 0, 0, 0, true, true, 0x8200000000ffff},
    RegisterInfo{0x00060007, "tr", 0, 0, 0, true, true, 0x8b00000000ffff},
    RegisterInfo{0x00070000, "idtr", 0xffff000000000000, 0, 0, true, true, 0},
    RegisterInfo{0x00070001, "gdtr", 0xffff000000000000, 0, 0, true, true, 0},
    RegisterInfo{0x00080000, "tsc", 0, 0, 0, true},
    RegisterInfo{reg::efer, "efer", 0, kEferReserved, 0, true},
    RegisterInfo{0x00080002, "kernel_gs_base", 0, 0, 0, true},
    RegisterInfo{reg::apic_base, "apic_base", 0xFEE00900, 0, 0, true},
    RegisterInfo{0x00080004, "pat", 0x7040600070406, 0, 0, true},
    RegisterInfo{0x00080005, "sysenter_cs", 0, 0, 0, true},
    RegisterInfo{0x00080006, "sysenter_eip", 0, 0, 0, true},
    RegisterInfo{0x00080007, "sysenter_esp", 0, 0, 0, true},
    RegisterInfo{0x00080008, "star", 0, 0, 0, true},
    RegisterInfo{0x00080009, "lstar", 0, 0, 0, true},
    RegisterInfo{0x0008000A, "cstar", 0, 0, 0, true},
    RegisterInfo{0x0008000B, "sfmask", 0, 0, 0, true},
    RegisterInfo{0x0008000C, "initial_apic_id", 0, 0, 0, true},
    RegisterInfo{0x0008000D, "msr_mtrr_cap", 0x508, 0, 0, true},
    RegisterInfo{0x0008000E, "msr_mtrr_def_type", 0, 0, 0, true},
    RegisterInfo{0x00080010, "msr_mtrr_phys_base0", 0, 0, 0, true},
    RegisterInfo{0x00080011, "msr_mtrr_phys_base1", 0, 0, 0, true},
    RegisterInfo{0x00080012, "msr_mtrr_phys_base2", 0, 0, 0, true},
    RegisterInfo{0x00080013, "msr_mtrr_phys_base3", 0, 0, 0, true},
    RegisterInfo{0x00080014, "msr_mtrr_phys_base4", 0, 0, 0, true},
    RegisterInfo{0x00080015, "msr_mtrr_phys_base5", 0, 0, 0, true},
    RegisterInfo{0x00080016, "msr_mtrr_phys_base6", 0, 0, 0, true},
    RegisterInfo{0x00080017, "msr_mtrr_phys_base7", 0, 0, 0, true},
    RegisterInfo{0x00080018, "msr_mtrr_phys_base8", 0, 0, 0, true},
    RegisterInfo{0x00080019, "msr_mtrr_phys_base9", 0, 0, 0, true},
    RegisterInfo{0x0008001A, "msr_mtrr_phys_basea", 0, 0, 0, true},
    RegisterInfo{0x0008001B, "msr_mtrr_phys_baseb", 0, 0, 0, true},
    RegisterInfo{0x0008001C, "msr_mtrr_phys_basec", 0, 0, 0, true},
    RegisterInfo{0x0008001D, "msr_mtrr_phys_based", 0, 0, 0, true},
    RegisterInfo{0x0008001E, "msr_mtrr_phys_basee", 0, 0, 0, true},
    RegisterInfo{0x0008001F, "msr_mtrr_phys_basef", 0, 0, 0, true},
    RegisterInfo{0x00080040, "msr_mtrr_phys_mask0", 0, 0, 0, true},
    RegisterInfo{0x00080041, "msr_mtrr_phys_mask1", 0, 0, 0, true},
    RegisterInfo{0x00080042, "msr_mtrr_phys_mask2", 0, 0, 0, true},
    RegisterInfo{0x00080043, "msr_mtrr_phys_mask3", 0, 0, 0, true},
    RegisterInfo{0x00080044, "msr_mtrr_phys_mask4", 0, 0, 0, true},
    RegisterInfo{0x00080045, "msr_mtrr_phys_mask5", 0, 0, 0, true},
    RegisterInfo{0x00080046, "msr_mtrr_phys_mask6", 0, 0, 0, true},
    RegisterInfo{0x00080047, "msr_mtrr_phys_mask7", 0, 0, 0, true},
    RegisterInfo{0x00080048, "msr_mtrr_phys_mask8", 0, 0, 0, true},
    RegisterInfo{0x00080049, "msr_mtrr_phys_mask9", 0, 0, 0, true},
    RegisterInfo{0x0008004A, "msr_mtrr_phys_maska", 0, 0, 0, true},
    RegisterInfo{0x0008004B, "msr_mtrr_phys_maskb", 0, 0, 0, true},
    RegisterInfo{0x0008004C, "msr_mtrr_phys_maskc", 0, 0, 0, true},
    RegisterInfo{0x0008004D, "msr_mtrr_phys_maskd", 0, 0, 0, true},
    RegisterInfo{0x0008004E, "msr_mtrr_phys_maske", 0, 0, 0, true},
    RegisterInfo{0x0008004F, "msr_mtrr_phys_maskf", 0, 0, 0, true},
    RegisterInfo{0x00080070, "msr_mtrr_fix64k00000", 0, 0, 0, true},
    RegisterInfo{0x00080071, "msr_mtrr_fix16k80000", 0, 0, 0, true},
    RegisterInfo{0x00080072, "msr_mtrr_fix16ka0000", 0, 0, 0, true},
    RegisterInfo{0x00080073, "msr_mtrr_fix4kc0000", 0, 0, 0, true},
    RegisterInfo{0x00080074, "msr_mtrr_fix4kc8000", 0, 0, 0, true},
    RegisterInfo{0x00080075, "msr_mtrr_fix4kd0000", 0, 0, 0, true},
    RegisterInfo{0x00080076, "msr_mtrr_fix4kd8000", 0, 0, 0, true},
    RegisterInfo{0x00080077, "msr_mtrr_fix4ke0000", 0, 0, 0, true},
    RegisterInfo{0x00080078, "msr_mtrr_fix4ke8000", 0, 0, 0, true},
    RegisterInfo{0x00080079, "msr_mtrr_fix4kf0000", 0, 0, 0, true},
    RegisterInfo{0x0008007A, "msr_mtrr_fix4kf8000", 0, 0, 0, true},
    RegisterInfo{0x0008007B, "tsc_aux", 0, 0, 0, true},
    RegisterInfo{0x0008007C, "bndcfgs", 0, 0, 0, true},
    RegisterInfo{0x0008007D, "debug_ctl", 0, 0, 0, true},
    RegisterInfo{0x00080084, "spec_ctrl", 0, 0, 0, true},
    RegisterInfo{0x0008008B, "u_xss", 0, 0, 0, true},
    RegisterInfo{0x0008008C, "u_cet", 0, 0, 0, true},
    RegisterInfo{0x0008008D, "s_cet", 0, 0, 0, true},
    RegisterInfo{0x0008008E, "ssp", 0, 0, 0, true},
    RegisterInfo{0x0008008F, "pl0_ssp", 0, 0, 0, true},
    RegisterInfo{0x00080090, "pl1_ssp", 0, 0, 0, true},
    RegisterInfo{0x00080091, "pl2_ssp", 0, 0, 0, true},
    RegisterInfo{0x00080092, "pl3_ssp", 0, 0, 0, true},
    RegisterInfo{0x00080093, "interrupt_ssp_table_addr", 0, 0, 0, true},
    RegisterInfo{0x00080096, "tsc_adjust", 0, 0, 0, true},
    RegisterInfo{0x000800A0, "msr_ia32_misc_enable", 0, 0, 0, true},
    RegisterInfo{0x00090001, "hypercall", 0, 0, 0, true},
    RegisterInfo{reg::guest_os_id, "guest_os_id", 0, 0, 0, true},
    RegisterInfo{reg::vp_index, "vp_index", 0, 0, 0, false},  // read-only: the VP's index
    RegisterInfo{reg::vp_root_signal_count, "vp_root_signal_count", 0, 0, 0, false},
    RegisterInfo{0x00090017, "reference_tsc", 0, 0, 0, true},
    RegisterInfo{0x000A0000, "sint0", 0x10000, 0, 0, true},
    RegisterInfo{0x000A0001, "sint1", 0x10000, 0, 0, true},
    RegisterInfo{0x000A0002, "sint2", 0x10000, 0, 0, true},
    RegisterInfo{0x000A0003, "sint3", 0x10000, 0, 0, true},
    RegisterInfo{0x000A0004, "sint4", 0x10000, 0, 0, true},
    RegisterInfo{0x000A0005, "sint5", 0x10000, 0, 0, true},
    RegisterInfo{0x000A0006, "sint6", 0x10000, 0, 0, true},
    RegisterInfo{0x000A0007, "sint7", 0x10000, 0, 0, true},
    RegisterInfo{0x000A0008, "sint8", 0x10000, 0, 0, true},
    RegisterInfo{0x000A0009, "sint9", 0x10000, 0, 0, true},
    RegisterInfo{0x000A000A, "sint10", 0x10000, 0, 0, true},
    RegisterInfo{0x000A000B, "sint11", 0x10000, 0, 0, true},
    RegisterInfo{0x000A000C, "sint12", 0x10000, 0, 0, true},
    RegisterInfo{0x000A000D, "sint13", 0x10000, 0, 0, true},
    RegisterInfo{0x000A000E, "sint14", 0x10000, 0, 0, true},
    RegisterInfo{0x000A000F, "sint15", 0x10000, 0, 0, true},
    RegisterInfo{reg::scontrol, "scontrol", 0, ~1ull, 0, true},
    RegisterInfo{0x000A0011, "sversion", 0x1, 0, 0, false},
    RegisterInfo{reg::siefp, "siefp", 0, 0xFFEull, 0, true},  // bit 0 enable, 12-63 GPA page
    RegisterInfo{reg::simp, "simp", 0, 0xFFEull, 0, true},
    RegisterInfo{0x000A0014, "eom", 0, 0, 0, true},
    RegisterInfo{0x000A0015, "sirbp", 0, 0, 0, true},
};

// The table is sorted by name: a binary search.
[[nodiscard]] constexpr std::optional<std::size_t> register_index(std::uint32_t name) noexcept {
    std::size_t lo = 0, hi = kRegisters.size();
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (kRegisters[mid].name < name)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < kRegisters.size() && kRegisters[lo].name == name) return lo;
    return std::nullopt;
}
[[nodiscard]] constexpr bool registers_sorted() noexcept {
    for (std::size_t i = 1; i < kRegisters.size(); ++i)
        if (kRegisters[i - 1].name >= kRegisters[i].name) return false;
    return true;
}
static_assert(registers_sorted(), "kRegisters must be sorted by name, without duplicates");

struct RegisterValue {
    std::uint64_t low = 0, high = 0;
    friend bool operator==(const RegisterValue&, const RegisterValue&) = default;
};

inline constexpr std::uint32_t kSints = 16;          // synthetic interrupt sources per VP
inline constexpr std::uint32_t kMessageBytes = 256;  // hv_message (GDKMINI)
inline constexpr std::uint32_t kEventFlags = 2048;   // one 256-byte SIEF slot per SINT
inline constexpr std::uint32_t kLapicBytes = 1024;   // the APIC register page the model keeps
inline constexpr std::uint32_t kTimersBytes = 200;   // hv_output_get_vp_state (HDK)
inline constexpr std::uint32_t kStatePageTypes = 3;  // REGISTERS, INTERCEPT_MESSAGE, GHCB

using Message = std::array<std::byte, kMessageBytes>;
using EventFlags = std::array<std::uint64_t, kEventFlags / 64>;

struct Vp {
    std::uint32_t index = 0;
    std::array<RegisterValue, kRegisters.size()> registers{};
    std::array<std::uint64_t, 4> pending{};  // asserted vectors not yet taken
    std::array<std::uint64_t, 4> level{};    // of those, level-triggered ones
    std::uint32_t nmi_pending = 0;
    std::array<Message, kSints> messages{};                    // SIM slots; message type 0 is an empty slot
    std::array<EventFlags, kSints> events{};                   // SIEF slots
    std::array<std::uint64_t, kStatePageTypes> state_pages{};  // PFN per mapped type, 0 unmapped
    std::array<std::byte, kLapicBytes> lapic{};
    std::array<std::byte, kTimersBytes> timers{};
    std::array<std::byte, 4096> xsave{};

    explicit Vp(std::uint32_t i) : index(i) {
        for (std::size_t r = 0; r < kRegisters.size(); ++r)
            registers[r] = {kRegisters[r].initial, kRegisters[r].initial_high};
        registers[*register_index(reg::vp_index)].low = i;
        const std::uint32_t id = i << 24;  // APIC ID register (offset 0x20) holds the APIC id
        std::memcpy(lapic.data() + 0x20, &id, 4);
        const std::uint32_t version = 0x50014;
        std::memcpy(lapic.data() + 0x30, &version, 4);
        // XSAVE in the compacted form a VMM decompacts (SDM vol. 1, 13.4.2-13.4.3, 13.8): FCW and
        // MXCSR at their reset values, every component in its initial state (XSTATE_BV 0), and
        // XCOMP_BV with bit 63 (compacted) over x87, SSE and AVX, the model's xsave_states.
        const std::uint16_t fcw = 0x037F;
        const std::uint32_t mxcsr = 0x1F80;
        const std::uint64_t xcomp_bv = (std::uint64_t{1} << 63) | 0x7;
        std::memcpy(xsave.data(), &fcw, 2);
        std::memcpy(xsave.data() + 24, &mxcsr, 4);
        std::memcpy(xsave.data() + 520, &xcomp_bv, 8);
    }
    [[nodiscard]] std::uint64_t reg(std::uint32_t name) const noexcept { return registers[*register_index(name)].low; }
    [[nodiscard]] std::uint32_t message_type(std::uint32_t sint) const noexcept {
        std::uint32_t t;
        std::memcpy(&t, messages[sint].data(), 4);
        return t;
    }
};

}  // namespace hvsim::state
