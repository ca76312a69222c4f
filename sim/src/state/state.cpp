#include "state/state.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "hvcall/catalogue.hpp"

namespace hvsim::state {

namespace {

[[noreturn]] void bad_config(const char* what) {
    std::fprintf(stderr, "hvsim::MachineConfig: %s\n", what);
    std::abort();
}

}  // namespace

State::State(const MachineConfig& config) : config_(config), ram_pfns_(config.ram_bytes / hvcall::kPageSize) {
    config_.mmio = config_.mmio_ranges();
    for (const PfnRange& r : config_.mmio)
        if (r.count == 0 || r.first < ram_pfns_ || r.first + r.count < r.first) bad_config("MMIO ranges lie above RAM");
    if (config_.guest_address_bits < 21 || config_.guest_address_bits > 64) bad_config("guest_address_bits in 21..64");
    auto root = std::make_unique<Partition>();
    root->id = config_.root_partition_id;
    root->state = PartitionState::active;
    root_ = root.get();
    partitions_.emplace(root->id, std::move(root));
    next_id_ = config_.root_partition_id + 1;
    system.reset(config_.cpus);
    reserve_percpu_pages();
}

// The per-CPU hypercall pages are the machine's: never deposited, never mapped.
void State::reserve_percpu_pages() {
    owners.assign(config_.percpu_base / hvcall::kPageSize, std::uint64_t{config_.cpus} * 2,
                  OwnerValue{0, 0, PfnOwner::reserved});
}

namespace {

// The partition's hypervisor objects and mappings, gone (its pool and settings stay).
void forget_objects(Partition& p) {
    p.gpa.clear();
    p.tables_4k.clear();
    p.tables_2m.clear();
    p.access.clear();
    p.fixed_used = 0;
    p.vps.clear();
    p.intercepts.clear();
    p.cpuid_results.clear();
    p.pinned.clear();
}

// Every field of the root back to what State's constructor gives it; its id stays.
void reset_root(Partition& root) {
    forget_objects(root);
    root.state = PartitionState::active;
    root.creation_flags = 0;
    root.isolation = 0;
    root.disabled_features = {};
    root.pool.clear();
    root.properties = initial_properties();
}

}  // namespace

void State::reset() {
    std::erase_if(partitions_, [&](const auto& e) { return e.second.get() != root_; });
    reset_root(*root_);
    last_ = nullptr;
    next_id_ = config_.root_partition_id + 1;
    ports.clear();
    connections.clear();
    stats_pages.clear();
    device_interrupts.clear();
    system.reset(config_.cpus);
    owners.clear();
    host_access.clear();
    reserve_percpu_pages();
}

Partition& State::create(std::uint64_t flags, std::uint64_t isolation) {
    while (next_id_ == 0 || next_id_ == kPartitionIdSelf || partitions_.count(next_id_) != 0) ++next_id_;
    auto p = std::make_unique<Partition>();
    p->id = next_id_++;
    p->creation_flags = flags;
    p->isolation = isolation;
    Partition& ref = *p;
    partitions_.emplace(ref.id, std::move(p));
    root_->fixed_used += costs().create_partition;
    return ref;
}

void State::remove(std::uint64_t id) {
    partitions_.erase(id);
    root_->fixed_used -= costs().create_partition;
    last_ = nullptr;
}

void State::finalize(Partition& p) {
    p.gpa.for_each_in(0, ~0ull, [&](const auto& e) {
        if (e.value.kind == GpaKind::ram) drop_map_refs(e.value.pfn, e.count);
    });
    root_->fixed_used -= p.vps.size() * costs().vp_root;  // what its VPs held of the root's pool
    forget_objects(p);
    std::erase_if(ports, [&](const auto& e) { return e.first.first == p.id || e.second.connection_partition == p.id; });
    std::erase_if(connections, [&](const auto& e) { return e.first.first == p.id || e.second.port_partition == p.id; });
    std::erase_if(stats_pages, [&](const auto& e) {
        if (e.second.partition != p.id) return false;
        release_stats_page(e.second);
        return true;
    });
    std::erase_if(device_interrupts, [&](const auto& e) { return e.first[0] == p.id; });
    // Pages made exclusive to the partition return to the root.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> exclusive;
    for (const auto& [pfn, run] : host_access.runs())
        if (run.value.access.exclusive_to == p.id) exclusive.emplace_back(pfn, run.count);
    for (const auto& [pfn, count] : exclusive) host_access.erase(pfn, count);
    p.state = PartitionState::finalized;
}

std::uint64_t State::pin_page(Partition& p) {
    for (const auto& [pfn, run] : p.pool.runs())
        for (std::uint64_t k = 0; k < run.count; ++k)
            if (!p.pinned.at(pfn + k)) {
                p.pinned.assign(pfn + k, 1, Unit{});
                return pfn + k;
            }
    return 0;  // unreachable after can_allocate: used counts every pinned page
}

void State::unpin_page(Partition& p, std::uint64_t pfn) { p.pinned.erase(pfn, 1); }

bool State::is_mmio(std::uint64_t pfn, std::uint64_t count) const noexcept {
    for (const PfnRange& r : config_.mmio)
        if (r.contains(pfn) && count <= r.count - (pfn - r.first)) return true;
    return false;
}

PfnState State::pfn_state(std::uint64_t pfn) const {
    if (auto o = owners.at(pfn)) return {o->owner, o->partition, o->map_count};
    if (is_ram(pfn)) return {PfnOwner::free, 0, 0};
    if (is_mmio(pfn)) return {PfnOwner::mmio, 0, 0};
    return {PfnOwner::none, 0, 0};
}

HostAccess State::host_access_of(std::uint64_t pfn) const {
    if (auto a = host_access.at(pfn)) return a->access;
    return HostAccess{};
}

void State::add_map_refs(std::uint64_t pfn, std::uint64_t count, std::uint64_t id) {
    owners.update(pfn, count, [id](std::optional<OwnerValue> o) -> std::optional<OwnerValue> {
        if (!o) return OwnerValue{id, 1, PfnOwner::mapped};
        o->map_count += 1;
        return o;
    });
}

void State::drop_map_refs(std::uint64_t pfn, std::uint64_t count) {
    owners.update(pfn, count, [](std::optional<OwnerValue> o) -> std::optional<OwnerValue> {
        if (!o || o->owner != PfnOwner::mapped || o->map_count <= 1) return std::nullopt;
        o->map_count -= 1;
        return o;
    });
}

void State::unmap_range(Partition& p, std::uint64_t gfn, std::uint64_t count) {
    if (!p.gpa.any_in(gfn, count)) return;
    p.gpa.for_each_in(gfn, count, [&](const auto& e) {
        if (e.value.kind == GpaKind::ram) drop_map_refs(e.value.pfn, e.count);
    });
    p.gpa.erase(gfn, count);
    p.access.erase(gfn, count);
    release_tables(p, gfn, count);
}

// A table page goes back to the pool when the block it maps holds no mapping of its size.
void State::release_tables(Partition& p, std::uint64_t gfn, std::uint64_t count) {
    auto release = [&](ExtentMap<Unit>& tables, unsigned shift, bool large) {
        const std::uint64_t first = gfn >> shift;
        const std::uint64_t last = (gfn + count - 1) >> shift;
        const std::uint64_t full_first = (gfn + (1ull << shift) - 1) >> shift;
        const std::uint64_t full_end = (gfn + count) >> shift;
        if (full_end > full_first) tables.erase(full_first, full_end - full_first);
        for (std::uint64_t b : {first, last}) {
            if (!tables.any_in(b, 1)) continue;
            bool used = false;
            p.gpa.for_each_in(b << shift, 1ull << shift, [&](const auto& e) { used = used || e.value.large == large; });
            if (!used) tables.erase(b, 1);
        }
    };
    release(p.tables_4k, kTableShift, false);
    release(p.tables_2m, kTableShift + kLargeShift, true);
}

namespace {

// VP state a caller can observe: registers off their reset values, pending vectors, SynIC slots.
void digest_vps(const Partition& p, std::string& s) {
    char line[160];
    for (const auto& [index, vp] : p.vps) {
        std::snprintf(line, sizeof line, "  vp %u nmi %u\n", index, vp.nmi_pending);
        s += line;
        for (std::size_t r = 0; r < kRegisters.size(); ++r)
            if (vp.registers[r] != RegisterValue{kRegisters[r].initial, kRegisters[r].initial_high} &&
                kRegisters[r].name != reg::vp_index) {
                std::snprintf(line, sizeof line, "    %s = %#" PRIx64 ":%#" PRIx64 "\n", kRegisters[r].text,
                              vp.registers[r].high, vp.registers[r].low);
                s += line;
            }
        for (std::size_t w = 0; w < vp.pending.size(); ++w)
            if (vp.pending[w] != 0) {
                std::snprintf(line, sizeof line, "    pending[%zu] %#" PRIx64 " level %#" PRIx64 "\n", w, vp.pending[w],
                              vp.level[w]);
                s += line;
            }
        for (std::uint32_t sint = 0; sint < kSints; ++sint) {
            if (vp.message_type(sint) != 0) {
                std::snprintf(line, sizeof line, "    message sint %u type %#x\n", sint, vp.message_type(sint));
                s += line;
            }
            for (std::size_t w = 0; w < vp.events[sint].size(); ++w)
                if (vp.events[sint][w] != 0) {
                    std::snprintf(line, sizeof line, "    events sint %u [%zu] %#" PRIx64 "\n", sint, w,
                                  vp.events[sint][w]);
                    s += line;
                }
        }
    }
    for (const Intercept& i : p.intercepts) {
        std::snprintf(line, sizeof line, "  intercept type %u access %u parameter %#" PRIx64 "\n", i.type, i.access,
                      i.parameter);
        s += line;
    }
    for (const CpuidResult& r : p.cpuid_results) {
        std::snprintf(line, sizeof line, "  cpuid result vp %u leaf %#x:%#x\n", r.vp, r.eax, r.ecx);
        s += line;
    }
}

}  // namespace

std::string State::digest() const {
    std::string s;
    char line[160];
    for (const auto& [id, pp] : partitions_) {
        const Partition& p = *pp;
        std::snprintf(line, sizeof line,
                      "partition %" PRIu64 " %s flags %#" PRIx64 " isolation %#" PRIx64 " used %" PRIu64 "\n", id,
                      to_string(p.state), p.creation_flags, p.isolation, p.used(costs()));
        s += line;
        for (std::size_t i = 0; i < kProperties.size(); ++i)
            if (p.properties[i] != kProperties[i].initial) {
                std::snprintf(line, sizeof line, "  property %#x = %#" PRIx64 "\n", kProperties[i].code,
                              p.properties[i]);
                s += line;
            }
        for (const auto& [gfn, run] : p.gpa.runs()) {
            std::snprintf(line, sizeof line, "  gpa %#" PRIx64 " +%" PRIu64 " -> %#" PRIx64 " flags %#x kind %d%s\n",
                          gfn, run.count, run.value.pfn, run.value.flags, static_cast<int>(run.value.kind),
                          run.value.large ? " large" : "");
            s += line;
        }
        for (const auto& [gfn, run] : p.access.runs()) {
            std::snprintf(line, sizeof line, "  bits %#" PRIx64 " +%" PRIu64 " = %u\n", gfn, run.count, run.value.bits);
            s += line;
        }
        digest_vps(p, s);
    }
    for (const auto& [pfn, run] : owners.runs())
        if (run.value.owner == PfnOwner::mapped) {
            std::snprintf(line, sizeof line, "pfn %#" PRIx64 " +%" PRIu64 " mapped to %" PRIu64 " x%u\n", pfn,
                          run.count, run.value.partition, run.value.map_count);
            s += line;
        }
    for (const auto& [key, port] : ports) {
        std::snprintf(line, sizeof line, "port %" PRIu64 ":%u type %u to %" PRIu64 " vp %u sint %u\n", key.first,
                      key.second, port.type, port.connection_partition, port.target_vp, port.target_sint);
        s += line;
    }
    for (const auto& [key, c] : connections) {
        std::snprintf(line, sizeof line, "connection %" PRIu64 ":%u -> %" PRIu64 ":%u\n", key.first, key.second,
                      c.port_partition, c.port_id);
        s += line;
    }
    for (const auto& [key, sp] : stats_pages) {
        std::snprintf(line, sizeof line, "stats %#" PRIx64 " %#" PRIx64 " %#" PRIx64 "%s\n", key[0], key[1], key[2],
                      sp.overlay ? " overlay" : "");
        s += line;
    }
    for (const auto& [key, n] : device_interrupts) {
        std::snprintf(line, sizeof line, "device interrupt %" PRIu64 " %#" PRIx64 " %#" PRIx64 " x%u\n", key[0], key[1],
                      key[2], n);
        s += line;
    }
    {
        std::string lps;
        for (std::size_t i = 0; i < system.started_lps.size(); ++i)
            if (system.started_lps[i]) lps += " " + std::to_string(i);
        std::snprintf(line, sizeof line,
                      "system lps%s all_started %d sleep_locked %d entered %u crashdump %u disabled %d\n", lps.c_str(),
                      system.all_lps_started ? 1 : 0, system.sleep_locked ? 1 : 0, system.entered_sleep_state,
                      system.crashdump_action, system.hypervisor_disabled ? 1 : 0);
        s += line;
    }
    for (const auto& [pfn, run] : host_access.runs()) {
        std::snprintf(line, sizeof line, "host %#" PRIx64 " +%" PRIu64 " access %u exclusive to %" PRIu64 "\n", pfn,
                      run.count, run.value.access.host_access, run.value.access.exclusive_to);
        s += line;
    }
    return s;
}

std::size_t State::bytes() const {
    std::size_t n = owners.bytes() + host_access.bytes();
    for (const auto& [id, p] : partitions_)
        n += sizeof(Partition) + p->pool.bytes() + p->gpa.bytes() + p->tables_4k.bytes() + p->tables_2m.bytes() +
             p->access.bytes() + p->pinned.bytes() + p->vps.size() * sizeof(Vp);
    return n;
}

}  // namespace hvsim::state
