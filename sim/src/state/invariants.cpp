// State::check_invariants: what must hold between the maps after every call, one step per
// family of invariants. Each broken invariant adds one line to the report.
#include <string>
#include <utility>

#include "state/state.hpp"

namespace hvsim::state {

namespace {

class InvariantCheck {
public:
    explicit InvariantCheck(const State& s) : s_(s) {}

    [[nodiscard]] std::string run() {
        if (!s_.owners.well_formed()) fail("host PFN owner map is malformed");
        if (!s_.host_access.well_formed()) fail("host access map is malformed");
        for (const auto& [id, p] : s_.partitions()) check_partition(id, *p);
        if (s_.root().fixed_used < children_ * s_.costs().create_partition)
            fail("root pool pays for fewer children than exist");
        check_owner_map();
        check_links();
        check_totals();
        check_host_access();
        return std::move(bad_);
    }

private:
    const State& s_;
    std::string bad_;
    // Totals over the partitions, which the owner map's must agree with.
    std::uint64_t deposited_ = 0, mapped_refs_ = 0, children_ = 0;
    std::uint64_t owned_deposited_ = 0, owned_refs_ = 0;

    using GpaExtent = ExtentMap<GpaValue>::Extent;

    void fail(const std::string& what) { bad_ += what + "\n"; }
    void fail(std::uint64_t id, const std::string& what) { fail("partition " + std::to_string(id) + ": " + what); }

    void check_partition(std::uint64_t id, const Partition& p) {
        if (id != p.id) fail(id, "stored under another id");
        if (p.id != s_.root_id()) ++children_;
        if (!p.pool.well_formed() || !p.gpa.well_formed() || !p.tables_4k.well_formed() || !p.tables_2m.well_formed() ||
            !p.access.well_formed())
            fail(id, "an extent map is malformed");
        check_pool(id, p);
        check_gpa_map(id, p);
        check_access_bits(id, p);
        check_holdings(id, p);
    }

    // The pool pays for what the partition uses, and the owner map says its pages are deposited to it.
    void check_pool(std::uint64_t id, const Partition& p) {
        if (p.used(s_.costs()) > p.pool.covered()) fail(id, "uses more pool pages than were deposited");
        deposited_ += p.pool.covered();
        p.pool.for_each_in(0, ~0ull, [&](const auto& e) {
            if (!s_.all_owners(e.start, e.count, [&](const OwnerValue& o) {
                    return o.owner == PfnOwner::deposited && o.partition == p.id;
                }))
                fail(id, "pool page not marked deposited to it");
        });
    }

    // Every mapping lies in the GPA space and on pages of its kind, and the table pages are
    // exactly those the mappings need.
    void check_gpa_map(std::uint64_t id, const Partition& p) {
        // Scratch kept between checks: fuzzers check after every call, and a new map allocates.
        thread_local ExtentMap<Unit> want_4k, want_2m;
        want_4k.clear();
        want_2m.clear();
        const std::uint64_t limit = gfn_limit();
        p.gpa.for_each_in(0, ~0ull, [&](const GpaExtent& e) {
            if (e.end() > limit) fail(id, "mapping beyond the GPA space");
            want_tables(id, e, want_4k, want_2m);
            check_mapped_pages(id, p, e);
        });
        if (!(want_4k == p.tables_4k)) fail(id, "4 KiB table pages do not match the mappings");
        if (!(want_2m == p.tables_2m)) fail(id, "2 MiB table pages do not match the mappings");
    }

    // The table pages one mapping needs: a 4 KiB table per 512 pages, a 2 MiB table per 512 large pages.
    void want_tables(std::uint64_t id, const GpaExtent& e, ExtentMap<Unit>& want_4k, ExtentMap<Unit>& want_2m) {
        const GpaValue& v = e.value;
        const unsigned shift = v.large ? kTableShift + kLargeShift : kTableShift;
        if (v.large && (e.start % kLargePages != 0 || e.count % kLargePages != 0 || v.pfn % kLargePages != 0))
            fail(id, "2 MiB mapping not 2 MiB aligned");
        (v.large ? want_2m : want_4k)
            .assign(e.start >> shift, ((e.end() - 1) >> shift) - (e.start >> shift) + 1, Unit{});
    }

    // A mapping's pages are of its kind; RAM pages are marked mapped to the partition.
    void check_mapped_pages(std::uint64_t id, const Partition& p, const GpaExtent& e) {
        const GpaValue& v = e.value;
        if (v.kind == GpaKind::ram) {
            mapped_refs_ += e.count;
            if (!s_.is_ram(v.pfn, e.count)) fail(id, "RAM mapping of a non-RAM page");
            if (!s_.all_owners(v.pfn, e.count, [&](const OwnerValue& o) {
                    return o.owner == PfnOwner::mapped && o.partition == p.id && o.map_count >= 1;
                }))
                fail(id, "mapped page not marked mapped to it");
        } else if (v.kind == GpaKind::mmio && !s_.is_mmio(v.pfn, e.count)) {
            fail(id, "MMIO mapping of a non-MMIO page");
        }
    }

    // The first GFN beyond the GPA space.
    [[nodiscard]] std::uint64_t gfn_limit() const { return s_.config().gfn_limit(); }

    // Access bits sit on mapped pages only, and say accessed or dirty.
    void check_access_bits(std::uint64_t id, const Partition& p) {
        p.access.for_each_in(0, ~0ull, [&](const auto& e) {
            std::uint64_t covered = 0;
            p.gpa.for_each_in(e.start, e.count, [&](const auto& m) { covered += m.count; });
            if (covered != e.count) fail(id, "access bits on unmapped pages");
            if (e.value.bits == 0 || (e.value.bits & ~(kPageAccessed | kPageDirty)) != 0) fail(id, "bad access bits");
        });
    }

    // What the partition holds (pinned pages, VPs, mappings) agrees with its pool and its state.
    void check_holdings(std::uint64_t id, const Partition& p) {
        if (p.state == PartitionState::finalized &&
            (!p.gpa.empty() || p.fixed_used != 0 || !p.vps.empty() || !p.pinned.empty()))
            fail(id, "finalized yet holds objects");
        if (!p.pinned.well_formed()) fail(id, "pinned map is malformed");
        p.pinned.for_each_in(0, ~0ull, [&](const auto& e) {
            std::uint64_t in_pool = 0;
            p.pool.for_each_in(e.start, e.count, [&](const auto& q) { in_pool += q.count; });
            if (in_pool != e.count) fail(id, "pinned page outside the pool");
        });
        for (const auto& [index, vp] : p.vps) {
            if (index != vp.index || index >= s_.config().max_vps) fail(id, "VP stored under another index");
            for (std::uint64_t pfn : vp.state_pages)
                if (pfn != 0 && !p.pinned.at(pfn)) fail(id, "VP state page not pinned");
        }
        if (&p != &s_.root() && p.fixed_used < p.vps.size() * s_.costs().vp)
            fail(id, "pool pays for fewer VPs than exist");
        if (p.state != PartitionState::active && !p.gpa.empty()) fail(id, "mappings while not active");
    }

    // The owner map holds only non-default states of existing holders; totals its pages.
    void check_owner_map() {
        for (const auto& [pfn, run] : s_.owners.runs()) {
            const OwnerValue& o = run.value;
            if (o.owner == PfnOwner::deposited) owned_deposited_ += run.count;
            if (o.owner == PfnOwner::mapped) owned_refs_ += run.count * o.map_count;
            if (o.owner != PfnOwner::reserved && !s_.is_ram(pfn, run.count)) fail("owned page outside RAM");
            if ((o.owner == PfnOwner::deposited || o.owner == PfnOwner::mapped) && s_.find(o.partition) == nullptr)
                fail("page held by a partition that does not exist");
            if (o.owner == PfnOwner::free || o.owner == PfnOwner::mmio || o.owner == PfnOwner::none)
                fail("owner map stores a default state");
        }
    }

    // Ports, connections and stats pages name what exists.
    void check_links() {
        for (const auto& [key, port] : s_.ports)
            if (s_.find(key.first) == nullptr || s_.find(port.connection_partition) == nullptr)
                fail("port of a missing partition");
        for (const auto& [key, c] : s_.connections)
            if (s_.find(key.first) == nullptr || s_.ports.count({c.port_partition, c.port_id}) == 0)
                fail("connection to a missing port");
        for (const auto& [key, sp] : s_.stats_pages)
            if (!sp.overlay && !s_.root().pinned.at(sp.pfn)) fail("stats page not pinned in the root's pool");
    }

    // The owner map's totals agree with the pools and the GPA maps.
    void check_totals() {
        if (owned_deposited_ != deposited_) fail("deposited pages and pool contents disagree");
        if (owned_refs_ != mapped_refs_) fail("mapping references and GPA maps disagree");
    }

    // The host access map holds only non-default states, of RAM pages and existing partitions.
    void check_host_access() {
        for (const auto& [pfn, run] : s_.host_access.runs()) {
            const HostAccess& a = run.value.access;
            if (a == HostAccess{}) fail("host access map stores the default");
            if (a.exclusive_to != 0 && s_.find(a.exclusive_to) == nullptr)
                fail("page exclusive to a missing partition");
            if (!s_.is_ram(pfn, run.count)) fail("host access state outside RAM");
        }
    }
};

}  // namespace

std::string State::check_invariants() const { return InvariantCheck(*this).run(); }

}  // namespace hvsim::state
