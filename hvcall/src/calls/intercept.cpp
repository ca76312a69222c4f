#include "hvcall/calls/intercept.hpp"

#include "hvcall/errno.hpp"
#include "issue.hpp"

namespace hvcall {

using detail::code;

namespace {

// The bits of the parameter union the intercept type's member covers (GDKMINI members); types
// without a member take none.
constexpr std::uint64_t parameter_bits(std::uint32_t type) noexcept {
    switch (type) {
        case intercept_type::x64_io_port:
        case intercept_type::exception:
            return 0xFFFF;
        case intercept_type::x64_cpuid:
        case intercept_type::x64_apic_write:
        case intercept_type::x64_msr_index:
            return 0xFFFFFFFF;
        default:
            return 0;
    }
}

int register_result(Backend& backend, const InputRegisterInterceptResult& in) noexcept {
    detail::put_header(backend.input_page(), in);
    return to_errno(backend.hypercall(Control::simple(code(CallId::register_intercept_result))));
}

}  // namespace

int install_intercept(Backend& backend, std::uint64_t id, std::uint32_t access_type, std::uint32_t intercept_type,
                      std::uint64_t parameter) noexcept {
    if ((access_type & intercept_access::reserved_mask) != 0 || (parameter & ~parameter_bits(intercept_type)) != 0)
        return -EINVAL;
    InputInstallIntercept in{};
    in.partition_id = id;
    in.access_type = access_type;
    in.intercept_type = intercept_type;
    in.intercept_parameter = parameter;
    detail::put_header(backend.input_page(), in);
    return to_errno(backend.hypercall(Control::simple(code(CallId::install_intercept))));
}

int register_cpuid_intercept_result(Backend& backend, std::uint64_t id, std::uint32_t vp_index,
                                    const CpuidInterceptResult& result) noexcept {
    InputRegisterInterceptResult in{};
    in.partition_id = id;
    in.vp_index = vp_index;
    in.intercept_type = intercept_type::x64_cpuid;
    in.parameters.cpuid = result;
    in.parameters.cpuid.padding = 0;
    return register_result(backend, in);
}

int register_msr_intercept_result(Backend& backend, std::uint64_t id, std::uint32_t vp_index,
                                  const MsrInterceptResult& result) noexcept {
    InputRegisterInterceptResult in{};
    in.partition_id = id;
    in.vp_index = vp_index;
    in.intercept_type = intercept_type::x64_msr;
    in.parameters.msr = {result.msr_index, result.access_type, result.action, {}};
    return register_result(backend, in);
}

}  // namespace hvcall
