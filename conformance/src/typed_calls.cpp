#include "hvsim/conformance/typed_calls.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>

#include "hvcall/calls/intercept.hpp"
#include "hvcall/calls/interrupt.hpp"
#include "hvcall/calls/memory.hpp"
#include "hvcall/calls/partition.hpp"
#include "hvcall/calls/port.hpp"
#include "hvcall/calls/stats.hpp"
#include "hvcall/calls/system.hpp"
#include "hvcall/calls/vp.hpp"
#include "hvsim/conformance/scenario.hpp"

namespace hvsim::conformance {
namespace {

using T = ArgType;
ArgSpec arg(std::string_view name, T type = T::u64) { return {name, type, std::nullopt}; }
ArgSpec opt(std::string_view name, std::uint64_t fallback, T type = T::u64) { return {name, type, fallback}; }
constexpr std::uint64_t kAll = ~0ull;
constexpr std::uint64_t kReadWrite = hvcall::map_flags::readable | hvcall::map_flags::writable;
// Bounds what a scenario can make the runner allocate for an output buffer.
constexpr std::uint64_t kMaxStates = 1u << 20;

// The caller's own partition id: the `self` argument, or the root's when left at all ones.
std::uint64_t self_id(const TypedEnv& e, const TypedArgs& a) {
    return a.u64("self") == kAll ? e.root_id : a.u64("self");
}

TypedOutcome with_id(int error, std::uint64_t id) { return {error, {{"id", {id}}}}; }
TypedOutcome with_done(hvcall::Progress p) { return {p.error, {{"done", {p.done}}}}; }
TypedOutcome with_error(int error) { return {error, {}}; }
TypedOutcome with_pfn(int error, std::uint64_t pfn) { return {error, {{"pfn", {pfn}}}}; }

// Lists that run in parallel (register names and values) must agree: a scenario mistake, so
// the step fails with this message rather than with an errno the function never returned.
void require_parallel(const TypedArgs& a, std::string_view list, std::string_view other, bool may_be_empty = false) {
    if ((may_be_empty && a.list(other).empty()) || a.list(other).size() == a.list(list).size()) return;
    throw std::invalid_argument("argument '" + std::string(other) + "' has " + std::to_string(a.list(other).size()) +
                                " values for the " + std::to_string(a.list(list).size()) + " of '" + std::string(list) +
                                "'");
}
// The i-th value of an optional parallel list (0 when the list was left out).
std::uint64_t nth_or_zero(const TypedArgs& a, std::string_view list, std::size_t i) {
    return a.list(list).empty() ? 0 : a.list(list)[i];
}

hvcall::VpStateData state_data(const TypedArgs& a) {
    return {a.u32("type"), 0, a.u64("xsave_flags"), a.u64("xsave_states")};
}
std::vector<std::uint64_t> as_qwords(std::span<const std::byte> bytes) {
    std::vector<std::uint64_t> out(bytes.size() / 8);
    std::memcpy(out.data(), bytes.data(), out.size() * 8);
    return out;
}

std::vector<TypedCall> partition_calls() {
    return {
        {"get_partition_id",
         {},
         {"id"},
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
             const int err = hvcall::create_partition(e.backend, e.pages, args, self_id(e, a), id);
             return with_id(err, id);
         }},
        {"initialize_partition",
         {arg("partition")},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return TypedOutcome{hvcall::initialize_partition(e.backend, e.pages, a.u64("partition")), {}};
         }},
        {"finalize_partition",
         {arg("partition")},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return TypedOutcome{hvcall::finalize_partition(e.backend, a.u64("partition")), {}};
         }},
        {"delete_partition",
         {arg("partition")},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return TypedOutcome{hvcall::delete_partition(e.backend, a.u64("partition")), {}};
         }},
        {"get_partition_property",
         {arg("partition"), arg("code", T::u32)},
         {"value"},
         [](TypedEnv& e, const TypedArgs& a) {
             std::uint64_t v = 0;
             const int err = hvcall::get_partition_property(e.backend, a.u64("partition"), a.u32("code"), v);
             return TypedOutcome{err, {{"value", {v}}}};
         }},
        {"set_partition_property",
         {arg("partition"), arg("code", T::u32), arg("value")},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return TypedOutcome{
                 hvcall::set_partition_property(e.backend, a.u64("partition"), a.u32("code"), a.u64("value")), {}};
         }},
        {"get_partition_property_ex",
         {arg("partition"), arg("code", T::u32), opt("arg", 0), opt("size", 8, T::u32)},
         {"value"},
         [](TypedEnv& e, const TypedArgs& a) {
             // The value as qwords, the last one zero-padded; sizes up to two pages reach hvcall's own bound.
             if (a.u32("size") > 2 * hvcall::kPageSize) return TypedOutcome{-E2BIG, {}};
             std::vector<std::uint64_t> value((a.u32("size") + 7) / 8);
             const auto bytes = std::as_writable_bytes(std::span(value)).first(a.u32("size"));
             const int err =
                 hvcall::get_partition_property_ex(e.backend, a.u64("partition"), a.u32("code"), a.u64("arg"), bytes);
             if (err != 0) return with_error(err);
             return TypedOutcome{err, {{"value", value}}};
         }},
        {"vmm_capabilities",
         {},
         {"bank_count", "capabilities"},
         [](TypedEnv& e, const TypedArgs&) {
             hvcall::VmmCapabilities caps{};
             const int err = hvcall::vmm_capabilities(e.backend, caps);
             return TypedOutcome{err, {{"bank_count", {caps.bank_count}}, {"capabilities", {caps.bank0}}}};
         }},
    };
}

std::vector<TypedCall> memory_calls() {
    return {
        {"deposit_memory",
         {arg("partition"), arg("count", T::u32)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return TypedOutcome{hvcall::deposit_memory(e.backend, e.pages, a.u64("partition"), a.u32("count")), {}};
         }},
        {"deposit_for_status",
         {arg("partition"), arg("status", T::u32)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             const auto status = static_cast<hvcall::Status>(a.u32("status"));
             return TypedOutcome{hvcall::deposit_for_status(e.backend, e.pages, a.u64("partition"), status), {}};
         }},
        {"withdraw_memory",
         {arg("partition"), opt("count", kAll)},
         {"done"},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_done(hvcall::withdraw_memory(e.backend, e.pages, a.u64("partition"), a.u64("count")));
         }},
        {"map_gpa_pages",
         {arg("partition"), arg("gfn"), arg("pages"), opt("flags", kReadWrite, T::u32), opt("pfns", 0, T::list)},
         {"done"},
         [](TypedEnv& e, const TypedArgs& a) {
             if (a.u64("pages") > kMaxStepPages)
                 return TypedOutcome{-E2BIG, {}};  // a captured count (load checks literals)
             return with_done(hvcall::map_gpa_pages(e.backend, e.pages, a.u64("partition"), a.u64("gfn"),
                                                    a.u64("pages"), a.u32("flags"), a.list("pfns")));
         }},
        {"map_mmio_pages",
         {arg("partition"), arg("gfn"), arg("pfn"), arg("pages")},
         {"done"},
         [](TypedEnv& e, const TypedArgs& a) {
             if (a.u64("pages") > kMaxStepPages)
                 return TypedOutcome{-E2BIG, {}};  // a captured count (load checks literals)
             return with_done(hvcall::map_mmio_pages(e.backend, e.pages, a.u64("partition"), a.u64("gfn"), a.u64("pfn"),
                                                     a.u64("pages")));
         }},
        {"unmap_gpa_pages",
         {arg("partition"), arg("gfn"), arg("pages"), opt("flags", 0, T::u32)},
         {"done"},
         [](TypedEnv& e, const TypedArgs& a) {
             if (a.u64("pages") > kMaxStepPages)
                 return TypedOutcome{-E2BIG, {}};  // a captured count (load checks literals)
             return with_done(
                 hvcall::unmap_gpa_pages(e.backend, a.u64("partition"), a.u64("gfn"), a.u64("pages"), a.u32("flags")));
         }},
        {"get_gpa_pages_access_states",
         {arg("partition"), arg("gfn"), arg("count"), opt("flags", 0)},
         {"done", "states"},
         [](TypedEnv& e, const TypedArgs& a) {
             if (a.u64("count") > kMaxStates) return TypedOutcome{-E2BIG, {}};
             std::vector<std::uint8_t> states(a.u64("count"));
             const auto p = hvcall::get_gpa_pages_access_states(e.backend, a.u64("partition"), a.u64("gfn"),
                                                                a.u64("count"), a.u64("flags"), states);
             TypedOutcome out = with_done(p);
             out.outputs["states"] = {
                 states.begin(),
                 states.begin() + static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(p.done, states.size()))};
             return out;
         }},
        {"acquire_sparse_spa_page_host_access",
         {opt("partition", 0), arg("pfns", T::list), arg("pages"), arg("host_access", T::u32), arg("flags", T::u32)},
         {"done"},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_done(hvcall::acquire_sparse_spa_page_host_access(
                 e.backend, a.u64("partition"), a.list("pfns"), a.u64("pages"), a.u32("host_access"), a.u32("flags")));
         }},
        {"release_sparse_spa_page_host_access",
         {opt("partition", 0), arg("pfns", T::list), arg("pages"), arg("host_access", T::u32), arg("flags", T::u32)},
         {"done"},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_done(hvcall::release_sparse_spa_page_host_access(
                 e.backend, a.u64("partition"), a.list("pfns"), a.u64("pages"), a.u32("host_access"), a.u32("flags")));
         }},
    };
}

// The VP calls of hvcall/calls/vp.hpp: registers by name and low qword (the model's registers
// are 64-bit), VP state by type with PFNs or (synthetic timers) qwords, CPUID leaves by eax.
std::vector<TypedCall> vp_calls() {
    return {
        {"create_vp",
         {arg("partition"), arg("vp", T::u32), opt("self", kAll)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_error(hvcall::create_vp(e.backend, e.pages, a.u64("partition"), a.u32("vp"), self_id(e, a)));
         }},
        {"delete_vp",
         {arg("partition"), arg("vp", T::u32)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_error(hvcall::delete_vp(e.backend, a.u64("partition"), a.u32("vp")));
         }},
        {"get_vp_registers",
         {arg("partition"), arg("vp", T::u32), arg("names", T::list)},
         {"done", "values", "high"},
         [](TypedEnv& e, const TypedArgs& a) {
             std::vector<std::uint32_t> names(a.list("names").begin(), a.list("names").end());
             std::vector<hvcall::RegisterValue> values(names.size());
             const auto p = hvcall::get_vp_registers(e.backend, a.u64("partition"), a.u32("vp"), names, values);
             TypedOutcome out = with_done(p);
             for (std::size_t i = 0; i < std::min<std::uint64_t>(p.done, values.size()); ++i) {
                 out.outputs["values"].push_back(values[i].low);
                 out.outputs["high"].push_back(values[i].high);
             }
             return out;
         }},
        {"set_vp_registers",
         {arg("partition"), arg("vp", T::u32), arg("names", T::list), arg("values", T::list), opt("high", 0, T::list)},
         {"done"},
         [](TypedEnv& e, const TypedArgs& a) {
             require_parallel(a, "names", "values");
             require_parallel(a, "names", "high", true);
             std::vector<hvcall::RegisterAssoc> regs;
             for (std::size_t i = 0; i < a.list("names").size(); ++i)
                 regs.push_back({static_cast<std::uint32_t>(a.list("names")[i]),
                                 0,
                                 0,
                                 {a.list("values")[i], nth_or_zero(a, "high", i)}});
             return with_done(hvcall::set_vp_registers(e.backend, a.u64("partition"), a.u32("vp"), regs));
         }},
        {"get_vp_state",
         {arg("partition"), arg("vp", T::u32), arg("type", T::u32), opt("xsave_flags", 0), opt("xsave_states", 0),
          opt("pfns", 0, T::list)},
         {"timers"},
         [](TypedEnv& e, const TypedArgs& a) {
             hvcall::OutputGetVpState timers{};
             const bool by_pfn = !a.list("pfns").empty();
             const int err = hvcall::get_vp_state(e.backend, e.pages, a.u64("partition"), a.u32("vp"), state_data(a),
                                                  a.list("pfns"), by_pfn ? nullptr : &timers);
             if (by_pfn || err != 0) return with_error(err);
             return TypedOutcome{err, {{"timers", as_qwords(std::as_bytes(std::span(&timers, 1)))}}};
         }},
        {"set_vp_state",
         {arg("partition"), arg("vp", T::u32), arg("type", T::u32), opt("xsave_flags", 0), opt("xsave_states", 0),
          opt("pfns", 0, T::list), opt("data", 0, T::list)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             const auto data = a.list("data");
             return with_error(hvcall::set_vp_state(e.backend, e.pages, a.u64("partition"), a.u32("vp"), state_data(a),
                                                    a.list("pfns"), std::as_bytes(data)));
         }},
        {"map_vp_state_page",
         {arg("partition"), arg("vp", T::u32), arg("type", T::u16)},
         {"pfn"},
         [](TypedEnv& e, const TypedArgs& a) {
             std::uint64_t pfn = 0;
             const int err =
                 hvcall::map_vp_state_page(e.backend, e.pages, a.u64("partition"), a.u32("vp"), a.u16("type"), pfn);
             return with_pfn(err, pfn);
         }},
        {"unmap_vp_state_page",
         {arg("partition"), arg("vp", T::u32), arg("type", T::u16)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_error(hvcall::unmap_vp_state_page(e.backend, a.u64("partition"), a.u32("vp"), a.u16("type")));
         }},
        {"get_vp_cpuid_values",
         {arg("partition"), arg("vp", T::u32), opt("flags", 0, T::u32), arg("eax", T::list), opt("ecx", 0, T::list)},
         {"done", "eax", "ebx", "ecx", "edx"},
         [](TypedEnv& e, const TypedArgs& a) {
             require_parallel(a, "eax", "ecx", true);
             std::vector<hvcall::CpuidLeafInfo> leaves;
             for (std::size_t i = 0; i < a.list("eax").size(); ++i)
                 leaves.push_back({static_cast<std::uint32_t>(a.list("eax")[i]),
                                   static_cast<std::uint32_t>(nth_or_zero(a, "ecx", i)), 0, 0});
             std::vector<hvcall::CpuidValues> values(leaves.size());
             const auto p = hvcall::get_vp_cpuid_values(e.backend, a.u64("partition"), a.u32("vp"), a.u32("flags"),
                                                        leaves, values);
             TypedOutcome out = with_done(p);
             for (std::size_t i = 0; i < std::min<std::uint64_t>(p.done, values.size()); ++i) {
                 out.outputs["eax"].push_back(values[i].eax);
                 out.outputs["ebx"].push_back(values[i].ebx);
                 out.outputs["ecx"].push_back(values[i].ecx);
                 out.outputs["edx"].push_back(values[i].edx);
             }
             return out;
         }},
        {"translate_virtual_address",
         {arg("partition"), arg("vp", T::u32), opt("flags", 0), arg("gva_page")},
         {"result", "gpa_page"},
         [](TypedEnv& e, const TypedArgs& a) {
             hvcall::OutputTranslateVirtualAddress out{};
             const int err = hvcall::translate_virtual_address(e.backend, a.u64("partition"), a.u32("vp"),
                                                               a.u64("flags"), a.u64("gva_page"), out);
             return TypedOutcome{err, {{"result", {out.result_code}}, {"gpa_page", {out.gpa_page}}}};
         }},
        {"dispatch_vp",
         {arg("partition"), arg("vp", T::u32), opt("flags", 0, T::u32)},
         {"state", "event"},
         [](TypedEnv& e, const TypedArgs& a) {
             std::uint32_t state = 0, event = 0;
             const int err =
                 hvcall::dispatch_vp(e.backend, a.u64("partition"), a.u32("vp"), a.u32("flags"), state, event);
             return TypedOutcome{err, {{"state", {state}}, {"event", {event}}}};
         }},
    };
}

// Four values, or none (zeros): the CPUID result's registers and masks, eax to edx.
std::array<std::uint32_t, 4> four_or_zeros(const TypedArgs& a, std::string_view list) {
    std::array<std::uint32_t, 4> out{};
    if (a.list(list).empty()) return out;
    if (a.list(list).size() != out.size())
        throw std::invalid_argument("argument '" + std::string(list) + "' needs 4 values (eax, ebx, ecx, edx), got " +
                                    std::to_string(a.list(list).size()));
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint32_t>(a.list(list)[i]);
    return out;
}
std::vector<std::byte> bytes_of(const TypedArgs& a, std::string_view list) {
    std::vector<std::byte> out;
    for (std::uint64_t v : a.list(list)) {
        if (v > 0xFF)
            throw std::invalid_argument("argument '" + std::string(list) + "' holds bytes; " + std::to_string(v) +
                                        " is not one");
        out.push_back(static_cast<std::byte>(v));
    }
    return out;
}
// The port info a port type takes; any type but event and monitor (an invalid one included)
// goes out in the message layout.
hvcall::PortInfo port_info(const TypedArgs& a) {
    const std::uint32_t type = a.u32("type");
    if (type == hvcall::port_type::event)
        return hvcall::event_port(a.u32("sint"), a.u32("target_vp"), a.u16("base_flag"), a.u16("flag_count"));
    hvcall::PortInfo info = hvcall::message_port(a.u32("sint"), a.u32("target_vp"));
    if (type == hvcall::port_type::monitor) info.monitor = {a.u64("monitor_address"), 0};
    info.port_type = type;
    return info;
}
hvcall::StatsObject stats_object(const TypedArgs& a) {
    return {a.u32("type"), {a.u64("id"), a.u32("vp"), 0, 0, a.u8("area")}};
}

// Interrupts, intercepts, ports and messages, stats pages (hvcall/calls/interrupt.hpp,
// intercept.hpp, port.hpp, stats.hpp).
std::vector<TypedCall> synic_calls() {
    return {
        {"assert_virtual_interrupt",
         {arg("partition"), arg("vector", T::u32), opt("dest", 0), opt("type", 0, T::u32), opt("flags", 0, T::u32)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_error(hvcall::assert_virtual_interrupt(e.backend, a.u64("partition"), a.u32("vector"),
                                                                a.u64("dest"), {a.u32("type"), a.u32("flags")}));
         }},
        {"clear_virtual_interrupt",
         {arg("partition")},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_error(hvcall::clear_virtual_interrupt(e.backend, a.u64("partition")));
         }},
        {"clear_virtual_interrupt_memory",
         {arg("partition")},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_error(hvcall::clear_virtual_interrupt_memory(e.backend, a.u64("partition")));
         }},
        {"install_intercept",
         {arg("partition"), arg("access", T::u32), arg("type", T::u32), opt("parameter", 0)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_error(hvcall::install_intercept(e.backend, a.u64("partition"), a.u32("access"), a.u32("type"),
                                                         a.u64("parameter")));
         }},
        {"register_cpuid_intercept_result",
         {arg("partition"), arg("vp", T::u32), arg("eax", T::u32), opt("ecx", 0, T::u32),
          opt("subleaf_specific", 0, T::u8), opt("always_override", 0, T::u8), opt("values", 0, T::list),
          opt("masks", 0, T::list)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             const auto v = four_or_zeros(a, "values"), m = four_or_zeros(a, "masks");
             const hvcall::CpuidInterceptResult r{a.u32("eax"),
                                                  a.u32("ecx"),
                                                  a.u8("subleaf_specific"),
                                                  a.u8("always_override"),
                                                  0,
                                                  v[0],
                                                  m[0],
                                                  v[1],
                                                  m[1],
                                                  v[2],
                                                  m[2],
                                                  v[3],
                                                  m[3]};
             return with_error(hvcall::register_cpuid_intercept_result(e.backend, a.u64("partition"), a.u32("vp"), r));
         }},
        {"register_msr_intercept_result",
         {arg("partition"), arg("vp", T::u32), arg("msr", T::u32), opt("access", 0, T::u32), opt("action", 0, T::u32)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             const hvcall::MsrInterceptResult r{a.u32("msr"), a.u32("access"), a.u32("action"), {}};
             return with_error(hvcall::register_msr_intercept_result(e.backend, a.u64("partition"), a.u32("vp"), r));
         }},
        {"create_port",
         {arg("partition"), arg("port", T::u32), arg("connection_partition"), arg("type", T::u32),
          opt("sint", 0, T::u32), opt("target_vp", 0, T::u32), opt("base_flag", 0, T::u16),
          opt("flag_count", 0, T::u16), opt("monitor_address", 0)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_error(hvcall::create_port(e.backend, e.pages, a.u64("partition"), a.u32("port"),
                                                   a.u64("connection_partition"), port_info(a)));
         }},
        {"connect_port",
         {arg("partition"), arg("connection", T::u32), arg("port_partition"), arg("port", T::u32), arg("type", T::u32),
          opt("monitor_address", 0)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             hvcall::ConnectionInfo info = hvcall::connection_to(a.u32("type"));
             if (a.u32("type") == hvcall::port_type::monitor) info.monitor_address = a.u64("monitor_address");
             return with_error(hvcall::connect_port(e.backend, e.pages, a.u64("partition"), a.u32("connection"),
                                                    a.u64("port_partition"), a.u32("port"), info));
         }},
        {"delete_port",
         {arg("partition"), arg("port", T::u32)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_error(hvcall::delete_port(e.backend, a.u64("partition"), a.u32("port")));
         }},
        {"disconnect_port",
         {arg("partition"), arg("connection", T::u32), opt("is_doorbell", 1, T::u8)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_error(
                 hvcall::disconnect_port(e.backend, a.u64("partition"), a.u32("connection"), a.u8("is_doorbell") != 0));
         }},
        {"notify_port_ring_empty",
         {arg("sint", T::u32)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_error(hvcall::notify_port_ring_empty(e.backend, a.u32("sint")));
         }},
        {"signal_event_direct",
         {arg("partition"), arg("vp", T::u32), arg("sint", T::u8), arg("flag", T::u16)},
         {"newly_signaled"},
         [](TypedEnv& e, const TypedArgs& a) {
             bool newly = false;
             const int err = hvcall::signal_event_direct(e.backend, a.u64("partition"), a.u32("vp"), a.u8("sint"),
                                                         a.u16("flag"), newly);
             return TypedOutcome{err, {{"newly_signaled", {newly ? 1u : 0u}}}};
         }},
        {"post_message_direct",
         {arg("partition"), arg("vp", T::u32), arg("sint", T::u32), arg("type", T::u32), opt("payload", 0, T::list)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_error(hvcall::post_message_direct(e.backend, a.u64("partition"), a.u32("vp"), a.u32("sint"),
                                                           a.u32("type"), bytes_of(a, "payload")));
         }},
        {"map_stats_page",
         {arg("type", T::u32), opt("id", 0), opt("vp", 0, T::u32), opt("area", 0, T::u8), opt("self", kAll)},
         {"pfn"},
         [](TypedEnv& e, const TypedArgs& a) {
             std::uint64_t pfn = 0;
             const int err = hvcall::map_stats_page(e.backend, e.pages, stats_object(a), self_id(e, a), pfn);
             return with_pfn(err, pfn);
         }},
        {"unmap_stats_page",
         {arg("type", T::u32), opt("id", 0), opt("vp", 0, T::u32), opt("area", 0, T::u8)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_error(hvcall::unmap_stats_page(e.backend, stats_object(a)));
         }},
        {"map_stats_page2",
         {arg("type", T::u32), opt("id", 0), opt("vp", 0, T::u32), opt("area", 0, T::u8), arg("pfn"),
          opt("self", kAll)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_error(
                 hvcall::map_stats_page2(e.backend, e.pages, stats_object(a), self_id(e, a), a.u64("pfn")));
         }},
        {"map_device_interrupt",
         {arg("partition"), arg("device"), arg("vector", T::u32), arg("cpu", T::u32), opt("level", 0, T::u8)},
         {"source", "entry"},
         [](TypedEnv& e, const TypedArgs& a) {
             hvcall::InterruptEntry entry{};
             const int err = hvcall::map_device_interrupt(e.backend, a.u64("partition"), a.u64("device"),
                                                          a.u32("vector"), a.u32("cpu"), a.u8("level") != 0, entry);
             return TypedOutcome{err, {{"source", {entry.source}}, {"entry", {entry.data}}}};
         }},
        {"unmap_device_interrupt",
         {arg("partition"), arg("device"), arg("entry"), opt("source", hvcall::interrupt_source::msi, T::u32)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             const hvcall::InterruptEntry entry{a.u32("source"), 0, a.u64("entry")};
             return with_error(hvcall::unmap_device_interrupt(e.backend, a.u64("partition"), a.u64("device"), entry));
         }},
    };
}

// System properties, the root's boot path, power and crash (hvcall/calls/system.hpp).
std::vector<TypedCall> system_calls() {
    return {
        {"get_system_property",
         {arg("property", T::u32), opt("arg", 0, T::u32)},
         {"value"},
         [](TypedEnv& e, const TypedArgs& a) {
             std::uint64_t v = 0;
             const int err = hvcall::get_system_property(e.backend, a.u32("property"), a.u32("arg"), v);
             return TypedOutcome{err, {{"value", {v}}}};
         }},
        {"scheduler_type",
         {},
         {"type"},
         [](TypedEnv& e, const TypedArgs&) {
             std::uint32_t type = 0;
             const int err = hvcall::scheduler_type(e.backend, type);
             return TypedOutcome{err, {{"type", {type}}}};
         }},
        {"lp_exists",
         {arg("lp", T::u32)},
         {"exists"},
         [](TypedEnv& e, const TypedArgs& a) {
             bool exists = false;
             const int err = hvcall::lp_exists(e.backend, a.u32("lp"), exists);
             return TypedOutcome{err, {{"exists", {exists ? 1u : 0u}}}};
         }},
        {"add_logical_processor",
         {arg("lp", T::u32), opt("apic_id", 0, T::u32), opt("self", kAll)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_error(
                 hvcall::add_logical_processor(e.backend, e.pages, self_id(e, a), a.u32("lp"), a.u32("apic_id")));
         }},
        {"notify_all_processors_started",
         {},
         {},
         [](TypedEnv& e, const TypedArgs&) { return with_error(hvcall::notify_all_processors_started(e.backend)); }},
        {"set_sleep_state",
         {arg("state", T::u32), opt("pm1a", 0, T::u8), opt("pm1b", 0, T::u8)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_error(hvcall::set_sleep_state(e.backend, a.u32("state"), a.u8("pm1a"), a.u8("pm1b")));
         }},
        {"enter_sleep_state",
         {arg("state", T::u32)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_error(hvcall::enter_sleep_state(e.backend, a.u32("state")));
         }},
        {"notify_crashdump",
         {arg("action", T::u32)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_error(hvcall::notify_crashdump(e.backend, a.u32("action")));
         }},
        {"disable_hypervisor",
         {arg("rip"), opt("arg", 0)},
         {},
         [](TypedEnv& e, const TypedArgs& a) {
             return with_error(hvcall::disable_hypervisor(e.backend, a.u64("rip"), a.u64("arg")));
         }},
    };
}

std::vector<TypedCall> build() {
    std::vector<TypedCall> calls = partition_calls();
    for (auto& c : memory_calls()) calls.push_back(std::move(c));
    for (auto& c : vp_calls()) calls.push_back(std::move(c));
    for (auto& c : synic_calls()) calls.push_back(std::move(c));
    for (auto& c : system_calls()) calls.push_back(std::move(c));
    return calls;
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
