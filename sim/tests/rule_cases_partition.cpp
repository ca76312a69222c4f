// Rule cases of the partition family: lifecycle, properties, deposit and withdraw.
#include "model_setup.hpp"
#include "rule_cases.hpp"

namespace hvsim::test {

namespace {

using Opt = std::optional<CaseAnswer>;

// Simple memory-form calls apply to the plain variants; fast-capable ones to the fast form too.
bool simple_only(const CaseForm& v) { return v.fast || v.rep_start != 0; }
bool fast_or_memory(const CaseForm& v) { return v.rep_start != 0; }

CaseAnswer issue_id(Model& md, const CaseForm& v, CallId id, std::uint64_t partition) {
    const auto r = v.fast ? md.fast(id, partition) : md.raw(id, Bytes{}.at(0, partition));
    return capture(md.m, r);
}

// A rep call whose first executed element is the variant's rep start: `fill(in, index)` writes
// element `index` (all elements are written; only those from rep start run).
template <class Fill>
CaseAnswer issue_rep(Model& md, const CaseForm& v, CallId id, Bytes in, std::uint32_t count, Fill fill) {
    for (std::uint32_t i = 0; i < v.rep_start + count; ++i) fill(in, i);
    return capture(md.m, md.raw(id, in, v.rep_start + count, v.rep_start));
}

Opt create_with(const CaseForm& v, std::size_t offset, std::uint64_t value) {
    if (simple_only(v)) return std::nullopt;
    Model md(v.strict);
    md.deposit(kSelf, 4);
    return capture(md.m, md.raw(CallId::create_partition, Bytes{}.at(0, kSuperPages).at(offset, value)));
}

}  // namespace

static void add_pool_cases(const AddCase& add);

void add_partition_cases(const AddCase& add) {
    add(RuleId::partition_id_unknown, "initialize a partition id nothing created", [](const CaseForm& v) -> Opt {
        if (fast_or_memory(v)) return std::nullopt;
        Model md(v.strict);
        return issue_id(md, v, CallId::initialize_partition, 0x77);
    });
    add(RuleId::partition_is_root, "finalize HV_PARTITION_ID_SELF (the root)", [](const CaseForm& v) -> Opt {
        if (fast_or_memory(v)) return std::nullopt;
        Model md(v.strict);
        return issue_id(md, v, CallId::finalize_partition, kSelf);
    });
    add(RuleId::partition_not_active, "map into an uninitialized partition", [](const CaseForm& v) -> Opt {
        if (v.fast) return std::nullopt;
        Model md(v.strict);
        const auto id = md.create();
        const auto pfns = md.take_pages(v.rep_start + 1);
        return issue_rep(md, v, CallId::map_gpa_pages, md.map_input(id, 0, kMapRead, pfns), 1,
                         [&](Bytes& in, std::uint32_t i) { in.at(24 + 8 * i, pfns[i]); });
    });
    add(RuleId::pool_exhausted, "create a partition with the root's pool empty", [](const CaseForm& v) -> Opt {
        if (simple_only(v)) return std::nullopt;
        Model md(v.strict);
        return capture(md.m, md.create_raw());
    });

    add(RuleId::create_partition_flags_reserved, "creation flag bit 2 set",
        [](const CaseForm& v) { return create_with(v, 0, kSuperPages | 0x4); });
    add(RuleId::create_partition_proximity_reserved, "proximity flags bit 1 set",
        [](const CaseForm& v) { return create_with(v, 12, std::uint32_t{0x2}); });
    add(RuleId::create_partition_padding_nonzero, "padding byte 20 non-zero",
        [](const CaseForm& v) { return create_with(v, 20, std::uint32_t{1}); });
    add(RuleId::create_partition_features_reserved, "disabled-feature bank 1 bit 22 set (reserved in HDK-2B)",
        [](const CaseForm& v) { return create_with(v, 32, 1ull << 22); });
    add(RuleId::create_partition_isolation_invalid, "isolation type 1 (VBS)",
        [](const CaseForm& v) { return create_with(v, 48, std::uint64_t{1}); });
    add(RuleId::create_partition_isolation_reserved, "isolation bit 7 (rsvd_z) set",
        [](const CaseForm& v) { return create_with(v, 48, std::uint64_t{1} << 7); });

    add(RuleId::initialize_partition_not_uninitialized, "initialize twice", [](const CaseForm& v) -> Opt {
        if (fast_or_memory(v)) return std::nullopt;
        Model md(v.strict);
        return issue_id(md, v, CallId::initialize_partition, md.active());
    });
    add(RuleId::finalize_partition_not_active, "finalize an uninitialized partition", [](const CaseForm& v) -> Opt {
        if (fast_or_memory(v)) return std::nullopt;
        Model md(v.strict);
        return issue_id(md, v, CallId::finalize_partition, md.create());
    });
    add(RuleId::delete_partition_not_finalized, "delete an active partition", [](const CaseForm& v) -> Opt {
        if (fast_or_memory(v)) return std::nullopt;
        Model md(v.strict);
        return issue_id(md, v, CallId::delete_partition, md.active());
    });
    add(RuleId::delete_partition_pool_not_empty, "delete a finalized partition without withdrawing",
        [](const CaseForm& v) -> Opt {
            if (fast_or_memory(v)) return std::nullopt;
            Model md(v.strict);
            const auto id = md.active();
            REQUIRE(md.fast(CallId::finalize_partition, id).ok());
            return issue_id(md, v, CallId::delete_partition, id);
        });

    add(RuleId::partition_property_unknown, "get property code 0x12345", [](const CaseForm& v) -> Opt {
        if (simple_only(v)) return std::nullopt;
        Model md(v.strict);
        return capture(
            md.m, md.raw(CallId::get_partition_property, Bytes{}.at(0, md.create()).at(8, std::uint32_t{0x12345})));
    });
    add(RuleId::partition_property_padding_nonzero, "set property with padding byte 12 non-zero",
        [](const CaseForm& v) -> Opt {
            if (simple_only(v)) return std::nullopt;
            Model md(v.strict);
            return capture(
                md.m, md.raw(CallId::set_partition_property,
                             Bytes{}.at(0, md.create()).at(8, std::uint32_t{0x00050005}).at(12, std::uint32_t{1})));
        });
    add(RuleId::partition_property_finalized, "get a property of a finalized partition", [](const CaseForm& v) -> Opt {
        if (simple_only(v)) return std::nullopt;
        Model md(v.strict);
        const auto id = md.active();
        REQUIRE(md.fast(CallId::finalize_partition, id).ok());
        return capture(md.m,
                       md.raw(CallId::get_partition_property, Bytes{}.at(0, id).at(8, std::uint32_t{0x00050005})));
    });
    add(RuleId::set_partition_property_read_only, "set the clock frequency", [](const CaseForm& v) -> Opt {
        if (simple_only(v)) return std::nullopt;
        Model md(v.strict);
        return capture(md.m,
                       md.raw(CallId::set_partition_property,
                              Bytes{}.at(0, md.create()).at(8, std::uint32_t{0x00060009}).at(16, std::uint64_t{1})));
    });
    add(RuleId::set_partition_property_initialized, "set the privilege flags after initialize",
        [](const CaseForm& v) -> Opt {
            if (simple_only(v)) return std::nullopt;
            Model md(v.strict);
            return capture(
                md.m, md.raw(CallId::set_partition_property,
                             Bytes{}.at(0, md.active()).at(8, std::uint32_t{0x00010000}).at(16, std::uint64_t{0})));
        });
    add(RuleId::set_partition_property_out_of_range, "access tracking (a boolean) set to 2",
        [](const CaseForm& v) -> Opt {
            if (simple_only(v)) return std::nullopt;
            Model md(v.strict);
            return capture(
                md.m, md.raw(CallId::set_partition_property,
                             Bytes{}.at(0, md.create()).at(8, std::uint32_t{0x00050005}).at(16, std::uint64_t{2})));
        });
    add_pool_cases(add);
}

// Deposits and withdrawals.
static void add_pool_cases(const AddCase& add) {
    auto deposit_case = [](const CaseForm& v, auto&& setup) -> Opt {
        if (v.fast) return std::nullopt;
        Model md(v.strict);
        const auto id = md.create();
        std::vector<std::uint64_t> pfns = md.take_pages(v.rep_start + 1);
        std::uint64_t target = id;
        setup(md, pfns, target);
        return issue_rep(md, v, CallId::deposit_memory, Bytes{}.at(0, target), 1,
                         [&](Bytes& in, std::uint32_t i) { in.at(8 + 8 * i, pfns[i]); });
    };
    add(RuleId::deposit_memory_partition_finalized, "deposit into a finalized partition", [=](const CaseForm& v) {
        return deposit_case(v, [](Model& md, std::vector<std::uint64_t>&, std::uint64_t& target) {
            target = md.active();
            REQUIRE(md.fast(CallId::finalize_partition, target).ok());
        });
    });
    add(RuleId::deposit_memory_pfn_not_ram, "deposit a PFN beyond RAM", [=](const CaseForm& v) {
        return deposit_case(v, [&](Model&, std::vector<std::uint64_t>& pfns, std::uint64_t&) {
            pfns[v.rep_start] = kRam / hvcall::kPageSize;
        });
    });
    add(RuleId::deposit_memory_pfn_in_use, "deposit the per-CPU input page", [=](const CaseForm& v) {
        return deposit_case(v, [&](Model& md, std::vector<std::uint64_t>& pfns, std::uint64_t&) {
            pfns[v.rep_start] = md.m.input_page_gpa(0) / hvcall::kPageSize;
        });
    });
    add(RuleId::deposit_memory_pfn_no_host_access, "deposit a page made exclusive to a partition, then unmapped",
        [=](const CaseForm& v) {
            return deposit_case(v, [&](Model& md, std::vector<std::uint64_t>& pfns, std::uint64_t&) {
                const auto other = md.active();
                const auto page = md.take_pages(1)[0];
                REQUIRE(md.map(other, 0, {page}).ok());
                REQUIRE(md.raw(CallId::release_sparse_spa_page_host_access,
                               Bytes{}.at(0, std::uint32_t{0}).at(4, std::uint32_t{1}).at(8, other).at(16, page), 1)
                            .ok());
                REQUIRE(md.unmap(other, 0, 1).ok());
                pfns[v.rep_start] = page;
            });
        });

    add(RuleId::withdraw_memory_proximity_invalid, "proximity flags bit 1 set", [](const CaseForm& v) -> Opt {
        if (v.fast) return std::nullopt;
        Model md(v.strict);
        const auto id = md.create();
        md.deposit(id, 8);
        return capture(md.m, md.raw(CallId::withdraw_memory, Bytes{}.at(0, id).at(12, std::uint32_t{2}),
                                    v.rep_start + 1, v.rep_start));
    });
    add(RuleId::withdraw_memory_pool_empty, "withdraw from an empty pool", [](const CaseForm& v) -> Opt {
        if (v.fast) return std::nullopt;
        Model md(v.strict);
        return capture(md.m, md.raw(CallId::withdraw_memory, Bytes{}.at(0, md.create()), v.rep_start + 1, v.rep_start));
    });
}

}  // namespace hvsim::test
