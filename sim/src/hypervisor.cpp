#include "hvsim/hypervisor.hpp"

#include "calls/calls.hpp"

namespace hvsim {

namespace {

using hvcall::CallId;
using hvcall::Kind;

constexpr std::array<Handler, hvcall::kCalls.size()> make_builtin_handlers() {
    std::array<Handler, hvcall::kCalls.size()> table{};
#define HV_SIMPLE(name)                                                                          \
    static_assert(hvcall::info(CallId::name).kind == Kind::Simple, #name " is a rep call");      \
    table[static_cast<std::size_t>(CallId::name)].simple = &calls::name;
#define HV_REP(name)                                                                             \
    static_assert(hvcall::info(CallId::name).kind == Kind::Rep, #name " is a simple call");      \
    table[static_cast<std::size_t>(CallId::name)].element = &calls::name##_element;
#include "calls/handlers.def"
#undef HV_SIMPLE
#undef HV_REP
    return table;
}

constexpr auto kBuiltinHandlers = make_builtin_handlers();

}  // namespace

Hypervisor::Hypervisor(std::uint64_t root_partition_id)
    : root_partition_id_(root_partition_id), handlers_(kBuiltinHandlers) {}

bool model_implements(hvcall::CallId id) noexcept {
    return static_cast<bool>(kBuiltinHandlers[static_cast<std::size_t>(id)]);
}

}  // namespace hvsim
