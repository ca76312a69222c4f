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

}  // namespace

int map_stats_page(Backend& backend, HostPages& pages, const StatsObject& object, std::uint64_t self_id,
                   std::uint64_t& pfn) noexcept {
    const int e = detail::retry_with_deposit(backend, pages, self_id, [&] {
        detail::put_header(backend.input_page(), stats_input(object));
        return backend.hypercall(Control::simple(code(CallId::map_stats_page)));
    });
    if (e == 0) pfn = detail::read_output<OutputMapStatsPage>(backend).map_location;
    return e;
}

int unmap_stats_page(Backend& backend, const StatsObject& object) noexcept {
    detail::put_header(backend.input_page(), stats_input(object));
    return to_errno(backend.hypercall(Control::simple(code(CallId::unmap_stats_page))));
}

}  // namespace hvcall
