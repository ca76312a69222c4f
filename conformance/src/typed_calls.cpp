#include "typed_calls.hpp"

#include "hvcall/calls/memory.hpp"
#include "hvcall/calls/partition.hpp"

namespace hvsim::conformance {
namespace {

using T = ArgType;
ArgSpec arg(std::string_view name, T type = T::u64) { return {name, type, std::nullopt}; }
ArgSpec opt(std::string_view name, std::uint64_t fallback, T type = T::u64) { return {name, type, fallback}; }
constexpr std::uint64_t kAll = ~0ull;
constexpr std::uint64_t kReadWrite = hvcall::map_flags::readable | hvcall::map_flags::writable;
// Bounds what a scenario can make the runner allocate for an output buffer.
constexpr std::uint64_t kMaxStates = 1u << 20;

TypedOutcome with_id(int error, std::uint64_t id) { return {error, {{"id", {id}}}}; }
TypedOutcome with_done(hvcall::Progress p) { return {p.error, {{"done", {p.done}}}}; }

std::vector<TypedCall> build() {
    return {
        {"get_partition_id", {}, {"id"},
         [](TypedEnv& e, const TypedArgs&) {
             std::uint64_t id = 0;
             const int err = hvcall::get_partition_id(e.backend, id);
             return with_id(err, id);
         }},
        {"create_partition",
         {opt("flags", hvcall::creation_flags::always), opt("disabled_bank0", 0), opt("disabled_bank1", 0),
          opt("disabled_xsave", 0), opt("isolation", 0), opt("self", kAll)},
         {"id"},
         [](TypedEnv& e, const TypedArgs& a) {
             hvcall::CreatePartitionArgs args;
             args.flags = a.u64("flags");
             args.creation_properties = {{a.u64("disabled_bank0"), a.u64("disabled_bank1")}, a.u64("disabled_xsave")};
             args.isolation_properties = a.u64("isolation");
             std::uint64_t id = 0;
             const int err = hvcall::create_partition(e.backend, e.pages, args,
                                                      a.u64("self") == kAll ? e.root_id : a.u64("self"), id);
             return with_id(err, id);
         }},
        {"initialize_partition", {arg("partition")}, {},
         [](TypedEnv& e, const TypedArgs& a) {
             return TypedOutcome{hvcall::initialize_partition(e.backend, e.pages, a.u64("partition")), {}};
         }},
        {"finalize_partition", {arg("partition")}, {},
         [](TypedEnv& e, const TypedArgs& a) { return TypedOutcome{hvcall::finalize_partition(e.backend, a.u64("partition")), {}}; }},
        {"delete_partition", {arg("partition")}, {},
         [](TypedEnv& e, const TypedArgs& a) { return TypedOutcome{hvcall::delete_partition(e.backend, a.u64("partition")), {}}; }},
        {"get_partition_property", {arg("partition"), arg("code", T::u32)}, {"value"},
         [](TypedEnv& e, const TypedArgs& a) {
             std::uint64_t v = 0;
             const int err = hvcall::get_partition_property(e.backend, a.u64("partition"), a.u32("code"), v);
             return TypedOutcome{err, {{"value", {v}}}};
         }},
        {"set_partition_property", {arg("partition"), arg("code", T::u32), arg("value")}, {},
         [](TypedEnv& e, const TypedArgs& a) {
             return TypedOutcome{hvcall::set_partition_property(e.backend, a.u64("partition"), a.u32("code"), a.u64("value")), {}};
         }},
        {"deposit_memory", {arg("partition"), arg("count", T::u32)}, {},
         [](TypedEnv& e, const TypedArgs& a) {
             return TypedOutcome{hvcall::deposit_memory(e.backend, e.pages, a.u64("partition"), a.u32("count")), {}};
         }},
        {"withdraw_memory", {arg("partition"), opt("count", kAll)}, {"done"},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_done(hvcall::withdraw_memory(e.backend, e.pages, a.u64("partition"), a.u64("count")));
         }},
        {"map_gpa_pages", {arg("partition"), arg("gfn"), arg("pages"), opt("flags", kReadWrite, T::u32), opt("pfns", 0, T::list)}, {"done"},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_done(hvcall::map_gpa_pages(e.backend, e.pages, a.u64("partition"), a.u64("gfn"), a.u64("pages"),
                                                    a.u32("flags"), a.list("pfns")));
         }},
        {"map_mmio_pages", {arg("partition"), arg("gfn"), arg("pfn"), arg("pages")}, {"done"},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_done(hvcall::map_mmio_pages(e.backend, e.pages, a.u64("partition"), a.u64("gfn"), a.u64("pfn"),
                                                     a.u64("pages")));
         }},
        {"unmap_gpa_pages", {arg("partition"), arg("gfn"), arg("pages"), opt("flags", 0, T::u32)}, {"done"},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_done(hvcall::unmap_gpa_pages(e.backend, a.u64("partition"), a.u64("gfn"), a.u64("pages"), a.u32("flags")));
         }},
        {"get_gpa_pages_access_states", {arg("partition"), arg("gfn"), arg("count"), opt("flags", 0)}, {"done", "states"},
         [](TypedEnv& e, const TypedArgs& a) {
             if (a.u64("count") > kMaxStates) return TypedOutcome{-E2BIG, {}};
             std::vector<std::uint8_t> states(a.u64("count"));
             const auto p = hvcall::get_gpa_pages_access_states(e.backend, a.u64("partition"), a.u64("gfn"), a.u64("count"),
                                                                a.u64("flags"), states);
             TypedOutcome out = with_done(p);
             out.outputs["states"] = {states.begin(), states.begin() + static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(p.done, states.size()))};
             return out;
         }},
        {"acquire_sparse_spa_page_host_access",
         {opt("partition", 0), arg("pfns", T::list), arg("pages"), arg("host_access", T::u32), arg("flags", T::u32)}, {"done"},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_done(hvcall::acquire_sparse_spa_page_host_access(e.backend, a.u64("partition"), a.list("pfns"),
                                                                          a.u64("pages"), a.u32("host_access"), a.u32("flags")));
         }},
        {"release_sparse_spa_page_host_access",
         {opt("partition", 0), arg("pfns", T::list), arg("pages"), arg("host_access", T::u32), arg("flags", T::u32)}, {"done"},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_done(hvcall::release_sparse_spa_page_host_access(e.backend, a.u64("partition"), a.list("pfns"),
                                                                          a.u64("pages"), a.u32("host_access"), a.u32("flags")));
         }},
    };
}

}  // namespace

const std::vector<TypedCall>& typed_calls() {
    static const std::vector<TypedCall> calls = build();
    return calls;
}

const TypedCall* find_typed_call(std::string_view name) {
    for (const auto& c : typed_calls())
        if (c.name == name) return &c;
    return nullptr;
}

}  // namespace hvsim::conformance
