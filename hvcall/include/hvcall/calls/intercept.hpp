// Intercepts: the two MSHV_ROOT_HVCALL passthrough calls (MAIN) install intercept and
// register intercept result. 0 or a negative errno; never throws, never allocates.
#pragma once

#include <cstdint>

#include "hvcall/backend.hpp"
#include "hvcall/types/intercept.hpp"

namespace hvcall {

// HvCallInstallIntercept (UAPI-HV layout). `parameter` is the union member the type uses
// (I/O port, CPUID index, APIC write mask, exception vector, MSR index); access NONE removes
// the intercept. Local -EINVAL, before any call: access bits outside READ | WRITE | EXECUTE,
// or parameter bits above the width of the type's member (a u16 port sent with stale high
// bits is a different parameter).
[[nodiscard]] int install_intercept(Backend& backend, std::uint64_t id, std::uint32_t access_type,
                                    std::uint32_t intercept_type, std::uint64_t parameter) noexcept;

// HvCallRegisterInterceptResult (HDK-3B x86 layout): the CPUID form or the MSR form for a VP.
// Only the fields each form defines are sent; padding and the MSR form's unused bytes go as
// zero whatever the caller's struct held.
[[nodiscard]] int register_cpuid_intercept_result(Backend& backend, std::uint64_t id, std::uint32_t vp_index,
                                                  const CpuidInterceptResult& result) noexcept;
[[nodiscard]] int register_msr_intercept_result(Backend& backend, std::uint64_t id, std::uint32_t vp_index,
                                                const MsrInterceptResult& result) noexcept;

}  // namespace hvcall
