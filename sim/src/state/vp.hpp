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
struct RegisterInfo {
    std::uint32_t name;
    const char* text;
    std::uint64_t initial;    // low qword at VP creation (x86 reset values where one exists)
    std::uint64_t reserved;   // bits of the low qword a set must leave clear
    std::uint64_t must_be_one;
    bool writable;
};

namespace reg {
inline constexpr std::uint32_t explicit_suspend = 0x0, intercept_suspend = 0x1, dispatch_suspend = 0x3;
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
    RegisterInfo{reg::explicit_suspend, "explicit_suspend", 0, kSuspendReserved, 0, true},
    RegisterInfo{reg::intercept_suspend, "intercept_suspend", 0, kSuspendReserved, 0, true},
    RegisterInfo{reg::dispatch_suspend, "dispatch_suspend", 0, kSuspendReserved, 0, true},
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
    RegisterInfo{reg::cr0, "cr0", 0x60000010, 0, 0, true},
    RegisterInfo{reg::cr2, "cr2", 0, 0, 0, true},
    RegisterInfo{reg::cr3, "cr3", 0, 0, 0, true},
    RegisterInfo{reg::cr4, "cr4", 0, 0, 0, true},
    RegisterInfo{reg::cr8, "cr8", 0, ~0xFull, 0, true},
    RegisterInfo{reg::efer, "efer", 0, kEferReserved, 0, true},
    RegisterInfo{reg::apic_base, "apic_base", 0xFEE00900, 0, 0, true},
    RegisterInfo{reg::guest_os_id, "guest_os_id", 0, 0, 0, true},
    RegisterInfo{reg::vp_index, "vp_index", 0, 0, 0, false},  // read-only: the VP's index
    RegisterInfo{reg::vp_root_signal_count, "vp_root_signal_count", 0, 0, 0, false},
    RegisterInfo{reg::scontrol, "scontrol", 0, ~1ull, 0, true},
    RegisterInfo{reg::siefp, "siefp", 0, 0xFFEull, 0, true},  // bit 0 enable, 12-63 GPA page
    RegisterInfo{reg::simp, "simp", 0, 0xFFEull, 0, true},
};

[[nodiscard]] constexpr std::optional<std::size_t> register_index(std::uint32_t name) noexcept {
    for (std::size_t i = 0; i < kRegisters.size(); ++i)
        if (kRegisters[i].name == name) return i;
    return std::nullopt;
}

struct RegisterValue {
    std::uint64_t low = 0, high = 0;
    friend bool operator==(const RegisterValue&, const RegisterValue&) = default;
};

inline constexpr std::uint32_t kSints = 16;            // synthetic interrupt sources per VP
inline constexpr std::uint32_t kMessageBytes = 256;    // hv_message (GDKMINI)
inline constexpr std::uint32_t kEventFlags = 2048;     // one 256-byte SIEF slot per SINT
inline constexpr std::uint32_t kLapicBytes = 1024;     // the APIC register page the model keeps
inline constexpr std::uint32_t kTimersBytes = 200;     // hv_output_get_vp_state (HDK)
inline constexpr std::uint32_t kStatePageTypes = 3;    // REGISTERS, INTERCEPT_MESSAGE, GHCB

using Message = std::array<std::byte, kMessageBytes>;
using EventFlags = std::array<std::uint64_t, kEventFlags / 64>;

struct Vp {
    std::uint32_t index = 0;
    std::array<RegisterValue, kRegisters.size()> registers{};
    std::array<std::uint64_t, 4> pending{};        // asserted vectors not yet taken
    std::array<std::uint64_t, 4> level{};          // of those, level-triggered ones
    std::uint32_t nmi_pending = 0;
    std::array<Message, kSints> messages{};        // SIM slots; message type 0 is an empty slot
    std::array<EventFlags, kSints> events{};       // SIEF slots
    std::array<std::uint64_t, kStatePageTypes> state_pages{};  // PFN per mapped type, 0 unmapped
    std::array<std::byte, kLapicBytes> lapic{};
    std::array<std::byte, kTimersBytes> timers{};
    std::array<std::byte, 4096> xsave{};

    explicit Vp(std::uint32_t i) : index(i) {
        for (std::size_t r = 0; r < kRegisters.size(); ++r) registers[r].low = kRegisters[r].initial;
        registers[*register_index(reg::vp_index)].low = i;
        const std::uint32_t id = i << 24;  // APIC ID register (offset 0x20) holds the APIC id
        std::memcpy(lapic.data() + 0x20, &id, 4);
        const std::uint32_t version = 0x50014;
        std::memcpy(lapic.data() + 0x30, &version, 4);
    }
    [[nodiscard]] std::uint64_t reg(std::uint32_t name) const noexcept { return registers[*register_index(name)].low; }
    [[nodiscard]] std::uint32_t message_type(std::uint32_t sint) const noexcept {
        std::uint32_t t;
        std::memcpy(&t, messages[sint].data(), 4);
        return t;
    }
};

}  // namespace hvsim::state
