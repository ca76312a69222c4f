#include "hvsim/hypervisor.hpp"

#include "calls/calls.hpp"
#include "state/state.hpp"

namespace hvsim {

namespace {

using hvcall::CallId;
using hvcall::Kind;

// Rep handlers are objects defined in their calls' files, so the table is filled once, at
// first use, rather than at compile time.
std::array<Handler, hvcall::kCalls.size()> make_builtin_handlers() {
    std::array<Handler, hvcall::kCalls.size()> table{};
#define HV_SIMPLE(name)                                                                     \
    static_assert(hvcall::info(CallId::name).kind == Kind::Simple, #name " is a rep call"); \
    table[static_cast<std::size_t>(CallId::name)].simple = &calls::name;
#define HV_REP(name)                                                                        \
    static_assert(hvcall::info(CallId::name).kind == Kind::Rep, #name " is a simple call"); \
    table[static_cast<std::size_t>(CallId::name)] = calls::name;
#include "calls/handlers.def"
#undef HV_SIMPLE
#undef HV_REP
    return table;
}

const std::array<Handler, hvcall::kCalls.size()>& builtin_handlers() {
    static const auto table = make_builtin_handlers();
    return table;
}

}  // namespace

Hypervisor::Hypervisor(const MachineConfig& config)
    : root_partition_id_(config.root_partition_id),
      handlers_(builtin_handlers()),
      state_(std::make_unique<state::State>(config)) {}

Hypervisor::~Hypervisor() = default;
Hypervisor::Hypervisor(Hypervisor&&) noexcept = default;
Hypervisor& Hypervisor::operator=(Hypervisor&&) noexcept = default;

void Hypervisor::reset() {
    handlers_ = builtin_handlers();
    state().reset();
}

std::vector<std::uint64_t> Hypervisor::partition_ids() const {
    std::vector<std::uint64_t> ids;
    for (const auto& [id, p] : state_->partitions())
        if (id != root_partition_id_) ids.push_back(id);
    return ids;
}

std::optional<PartitionInfo> Hypervisor::partition(std::uint64_t id) const {
    const state::Partition* p = state_->find(id);
    if (p == nullptr) return std::nullopt;
    PartitionInfo info;
    info.id = p->id;
    info.state = p->state;
    info.creation_flags = p->creation_flags;
    info.isolation = p->isolation;
    info.disabled_features = p->disabled_features;
    info.pool_pages = p->pool.covered();
    info.pool_used = p->used(state_->costs());
    info.gpa_extents = p->gpa.size();
    info.gpa_pages = p->gpa.covered();
    return info;
}

std::optional<PartitionState> Hypervisor::partition_state(std::uint64_t id) const {
    const state::Partition* p = state_->find(id);
    if (p == nullptr) return std::nullopt;
    return p->state;
}

namespace {
GpaMapping to_mapping(const state::GpaValue& v) { return {v.pfn, v.flags, v.kind, v.large}; }
}  // namespace

std::optional<GpaMapping> Hypervisor::gpa_mapping(std::uint64_t id, std::uint64_t gfn) const {
    const state::Partition* p = state_->find(id);
    if (p == nullptr) return std::nullopt;
    const auto v = p->gpa.at(gfn);
    if (!v) return std::nullopt;
    return to_mapping(*v);
}

std::vector<GpaExtent> Hypervisor::gpa_extents(std::uint64_t id) const {
    std::vector<GpaExtent> out;
    if (const state::Partition* p = state_->find(id))
        for (const auto& [gfn, run] : p->gpa.runs()) out.push_back({gfn, run.count, to_mapping(run.value)});
    return out;
}

std::size_t Hypervisor::gpa_map_bytes(std::uint64_t id) const {
    const state::Partition* p = state_->find(id);
    if (p == nullptr) return 0;
    return p->gpa.bytes() + p->tables_4k.bytes() + p->tables_2m.bytes();
}

std::size_t Hypervisor::model_bytes() const { return state_->bytes(); }

std::optional<std::uint64_t> Hypervisor::partition_property(std::uint64_t id, std::uint32_t code) const {
    const state::Partition* p = state_->find(id);
    const auto index = state::property_index(code);
    if (p == nullptr || !index) return std::nullopt;
    return p->properties[*index];
}

namespace {
const state::Vp* find_vp(const state::State& s, std::uint64_t id, std::uint32_t vp) {
    const state::Partition* p = s.find(id);
    if (p == nullptr) return nullptr;
    auto it = p->vps.find(vp);
    return it == p->vps.end() ? nullptr : &it->second;
}
}  // namespace

std::vector<std::uint32_t> Hypervisor::vp_indices(std::uint64_t id) const {
    std::vector<std::uint32_t> out;
    if (const state::Partition* p = state_->find(id))
        for (const auto& [index, vp] : p->vps) out.push_back(index);
    return out;
}

std::optional<std::array<std::uint64_t, 2>> Hypervisor::vp_register(std::uint64_t id, std::uint32_t vp,
                                                                    std::uint32_t name) const {
    const state::Vp* v = find_vp(*state_, id, vp);
    const auto r = state::register_index(name);
    if (v == nullptr || !r) return std::nullopt;
    return std::array{v->registers[*r].low, v->registers[*r].high};
}

bool Hypervisor::interrupt_pending(std::uint64_t id, std::uint32_t vp, std::uint32_t vector) const {
    const state::Vp* v = find_vp(*state_, id, vp);
    return v != nullptr && vector < 256 && ((v->pending[vector / 64] >> (vector % 64)) & 1) != 0;
}

std::uint32_t Hypervisor::message_type(std::uint64_t id, std::uint32_t vp, std::uint32_t sint) const {
    const state::Vp* v = find_vp(*state_, id, vp);
    return v == nullptr || sint >= state::kSints ? 0 : v->message_type(sint);
}

PfnState Hypervisor::pfn_state(std::uint64_t pfn) const { return state_->pfn_state(pfn); }
std::uint64_t Hypervisor::free_ram_from(std::uint64_t pfn) const { return state_->free_ram_from(pfn); }
HostAccess Hypervisor::host_access(std::uint64_t pfn) const { return state_->host_access_of(pfn); }

std::uint8_t Hypervisor::page_access_state(std::uint64_t id, std::uint64_t gfn) const {
    const state::Partition* p = state_->find(id);
    if (p == nullptr) return 0;
    const auto bits = p->access.at(gfn);
    return bits ? bits->bits : std::uint8_t{0};
}

std::uint64_t Hypervisor::guest_access(std::uint64_t id, std::uint64_t gfn, std::uint64_t count, bool write) {
    state::Partition* p = state().find(id);
    if (p == nullptr || count == 0) return 0;
    const std::uint8_t mark = write ? (kPageAccessed | kPageDirty) : kPageAccessed;
    std::uint64_t marked = 0;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> mapped;
    p->gpa.for_each_in(gfn, count, [&](const auto& e) { mapped.emplace_back(e.start, e.count); });
    for (const auto& [start, n] : mapped) {
        p->access.update(start, n, [&](std::optional<state::AccessBits> old) -> std::optional<state::AccessBits> {
            return state::AccessBits{static_cast<std::uint8_t>((old ? old->bits : 0) | mark)};
        });
        marked += n;
    }
    return marked;
}

std::string Hypervisor::check_invariants() const {
    if (checked_generation_ != generation_) {
        checked_ = state_->check_invariants();
        checked_generation_ = generation_;
    }
    return checked_;
}
std::string Hypervisor::digest() const { return state_->digest(); }

bool model_implements(hvcall::CallId id) noexcept {
    return static_cast<bool>(builtin_handlers()[static_cast<std::size_t>(id)]);
}

}  // namespace hvsim
