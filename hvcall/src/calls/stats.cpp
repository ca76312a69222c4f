#include "hvcall/calls/stats.hpp"

#include "hvcall/errno.hpp"
#include "issue.hpp"

namespace hvcall {

using detail::code;

namespace {

InputStatsPage stats_input(const StatsObject& object) noexcept {
    InputStatsPage in{};
    in.type = object.type;
    in.identity = object.identity;
    return in;
}

// The stats area the request names: the identity's last byte in each of the four forms, none
// for a type no form fits (as A-HVCALL hv_stats_get_area_type).
bool names_parent_area(const StatsObject& object) noexcept {
    switch (object.type) {
        case stats_type::hypervisor:
        case stats_type::logical_processor:
        case stats_type::partition:
        case stats_type::vp:
            return object.identity.stats_area_type == stats_area::parent;
        default:
            return false;
    }
}

}  // namespace

int map_stats_page(Backend& backend, HostPages& pages, const StatsObject& object, std::uint64_t self_id,
                   std::uint64_t& pfn) noexcept {
    Status last = Status::SUCCESS;
    const int e = detail::retry_with_deposit(backend, pages, self_id, [&] {
        detail::put_header(backend.input_page(), stats_input(object));
        const HypercallResult r = backend.hypercall(Control::simple(code(CallId::map_stats_page)));
        last = r.status();
        return r;
    });
    if (e == 0) {
        pfn = detail::read_output<OutputMapStatsPage>(backend).map_location;
    } else if (last == Status::INVALID_PARAMETER && names_parent_area(object)) {
        pfn = 0;  // a hypervisor with only the SELF area (A-HVCALL): no page, and no error
        return 0;
    }
    return e;
}

int map_stats_page2(Backend& backend, HostPages& pages, const StatsObject& object, std::uint64_t self_id,
                    std::uint64_t pfn) noexcept {
    if (pfn == 0) return -EINVAL;  // the caller supplies the page
    return detail::retry_with_deposit(backend, pages, self_id, [&] {
        InputMapStatsPage2 in{};
        in.type = object.type;
        in.identity = object.identity;
        in.map_location = pfn;
        detail::put_header(backend.input_page(), in);
        return backend.hypercall(Control::simple(code(CallId::map_stats_page2)));
    });
}

int unmap_stats_page(Backend& backend, const StatsObject& object) noexcept {
    detail::put_header(backend.input_page(), stats_input(object));
    return to_errno(backend.hypercall(Control::simple(code(CallId::unmap_stats_page))));
}

}  // namespace hvcall
