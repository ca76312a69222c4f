// Rule cases of the guest-memory family: map and unmap GPA pages, access states, host access.
#include "model_setup.hpp"
#include "rule_cases.hpp"

namespace hvsim::test {

namespace {

using Opt = std::optional<CaseAnswer>;

// A rep call on an active partition whose first executed element is the variant's rep start.
// `header` fills the fixed header, `element` element i (every element is written).
template <class Setup>
Opt rep_case(const CaseForm& v, CallId call, std::uint32_t header_size, std::uint32_t element_size, Setup&& setup) {
    if (v.fast) return std::nullopt;
    Model md(v.strict);
    const auto id = md.active();
    Bytes in;
    std::vector<std::uint64_t> elements = md.take_pages(v.rep_start + 1);
    setup(md, id, in, elements);
    if (element_size != 0)
        for (std::size_t i = 0; i < elements.size(); ++i) in.at(header_size + element_size * i, elements[i]);
    return capture(md.m, md.raw(call, in, v.rep_start + 1, v.rep_start));
}

template <class Setup>
Opt map_case(const CaseForm& v, Setup&& setup) {
    return rep_case(v, CallId::map_gpa_pages, 24, 8, [&](Model& md, std::uint64_t id, Bytes& in, auto& pfns) {
        in.at(0, id).at(8, std::uint64_t{0x100}).at(16, kMapRead | kMapWrite);
        setup(md, id, in, pfns);
    });
}

template <class Setup>
Opt unmap_case(const CaseForm& v, Setup&& setup) {
    return rep_case(v, CallId::unmap_gpa_pages, 24, 0, [&](Model& md, std::uint64_t id, Bytes& in, auto& pfns) {
        in.at(0, id).at(8, std::uint64_t{0x100}).at(16, std::uint32_t{0});
        setup(md, id, in, pfns);
    });
}

template <class Setup>
Opt access_case(const CaseForm& v, Setup&& setup) {
    return rep_case(v, CallId::get_gpa_pages_access_states, 24, 0,
                    [&](Model& md, std::uint64_t id, Bytes& in, auto& pfns) {
                        in.at(0, id).at(8, std::uint64_t{0}).at(16, std::uint64_t{0});
                        setup(md, id, in, pfns);
                    });
}

// Release (make exclusive) of pages mapped into the partition, unless `setup` says otherwise.
template <class Setup>
Opt host_case(const CaseForm& v, CallId call, Setup&& setup) {
    return rep_case(v, call, 16, 8, [&](Model& md, std::uint64_t id, Bytes& in, auto& pfns) {
        REQUIRE(md.map(id, 0, pfns).ok());
        in.at(0, std::uint32_t{0}).at(4, std::uint32_t{1}).at(8, id);
        setup(md, id, in, pfns);
    });
}

}  // namespace

void add_memory_cases(const AddCase& add) {
    using P = std::vector<std::uint64_t>;
    add(RuleId::map_gpa_pages_flags_reserved, "map flag bit 4 set", [](const CaseForm& v) {
        return map_case(v, [](Model&, std::uint64_t, Bytes& in, P&) { in.at(16, kMapRead | 0x10u); });
    });
    add(RuleId::map_gpa_pages_padding_nonzero, "padding byte 20 non-zero", [](const CaseForm& v) {
        return map_case(v, [](Model&, std::uint64_t, Bytes& in, P&) { in.at(20, std::uint32_t{1}); });
    });
    add(RuleId::map_gpa_pages_gfn_out_of_range, "GFN base at the end of a 48-bit GPA space", [](const CaseForm& v) {
        return map_case(v, [&](Model&, std::uint64_t, Bytes& in, P&) {
            in.at(8, (1ull << 36) - v.rep_start);  // element rep_start lands one past the end
        });
    });
    add(RuleId::map_gpa_pages_pfn_not_host_memory, "a PFN in neither RAM nor MMIO", [](const CaseForm& v) {
        return map_case(v, [&](Model&, std::uint64_t, Bytes&, P& pfns) { pfns[v.rep_start] = 1ull << 30; });
    });
    add(RuleId::map_gpa_pages_pfn_in_use, "a PFN deposited into a pool", [](const CaseForm& v) {
        return map_case(v, [&](Model& md, std::uint64_t id, Bytes&, P& pfns) {
            const auto page = md.take_pages(1);
            REQUIRE(md.deposit_pfns(id, page).ok());
            pfns[v.rep_start] = page[0];
        });
    });
    add(RuleId::map_gpa_pages_overlaps_large_page, "a 4 KiB page inside a 2 MiB mapping", [](const CaseForm& v) {
        return map_case(v, [&](Model& md, std::uint64_t id, Bytes& in, P&) {
            REQUIRE(md.map(id, 0, {md.take_large_page()}, kMapRead | kMapLarge).ok());
            in.at(8, std::uint64_t{0});
        });
    });
    add(RuleId::map_gpa_pages_large_gfn_unaligned, "LARGE_PAGE with GFN base 0x100", [](const CaseForm& v) {
        return map_case(v, [&](Model& md, std::uint64_t, Bytes& in, P& pfns) {
            in.at(16, kMapRead | kMapLarge);
            for (auto& pfn : pfns) pfn = md.take_large_page();
        });
    });
    add(RuleId::map_gpa_pages_large_pfn_unaligned, "LARGE_PAGE element PFN not 2 MiB aligned", [](const CaseForm& v) {
        return map_case(v, [&](Model& md, std::uint64_t, Bytes& in, P& pfns) {
            in.at(8, std::uint64_t{0}).at(16, kMapRead | kMapLarge);
            for (auto& pfn : pfns) pfn = md.take_large_page();
            pfns[v.rep_start] += 1;
        });
    });
    add(RuleId::map_gpa_pages_large_mmio, "LARGE_PAGE element in the MMIO range", [](const CaseForm& v) {
        return map_case(v, [&](Model& md, std::uint64_t, Bytes& in, P& pfns) {
            in.at(8, std::uint64_t{0}).at(16, kMapRead | kMapLarge);
            for (auto& pfn : pfns) pfn = md.take_large_page();
            pfns[v.rep_start] = md.m.config().mmio_ranges()[0].first;
        });
    });
    add(RuleId::map_gpa_pages_large_not_enabled, "LARGE_PAGE into a partition created without super pages",
        [](const CaseForm& v) -> Opt {
            if (v.fast) return std::nullopt;
            Model md(v.strict);
            const auto id = md.active(0);
            P pfns;
            for (std::uint32_t i = 0; i <= v.rep_start; ++i) pfns.push_back(md.take_large_page());
            return capture(md.m, md.raw(CallId::map_gpa_pages, md.map_input(id, 0, kMapRead | kMapLarge, pfns),
                                        v.rep_start + 1, v.rep_start));
        });

    add(RuleId::unmap_gpa_pages_flags_reserved, "unmap flag bit 0 set", [](const CaseForm& v) {
        return unmap_case(v, [](Model&, std::uint64_t, Bytes& in, P&) { in.at(16, std::uint32_t{1}); });
    });
    add(RuleId::unmap_gpa_pages_padding_nonzero, "padding byte 20 non-zero", [](const CaseForm& v) {
        return unmap_case(v, [](Model&, std::uint64_t, Bytes& in, P&) { in.at(20, std::uint32_t{1}); });
    });
    add(RuleId::unmap_gpa_pages_gfn_out_of_range, "element rep start one past the GPA space", [](const CaseForm& v) {
        return unmap_case(v, [&](Model&, std::uint64_t, Bytes& in, P&) { in.at(8, (1ull << 36) - v.rep_start); });
    });
    add(RuleId::unmap_gpa_pages_large_gfn_unaligned, "LARGE_PAGE with GFN base 0x100", [](const CaseForm& v) {
        return unmap_case(v, [](Model&, std::uint64_t, Bytes& in, P&) { in.at(16, std::uint32_t{2}); });
    });
    add(RuleId::unmap_gpa_pages_partial_large_page, "a 4 KiB unmap inside a 2 MiB mapping", [](const CaseForm& v) {
        return unmap_case(v, [](Model& md, std::uint64_t id, Bytes& in, P&) {
            REQUIRE(md.map(id, 0, {md.take_large_page()}, kMapRead | kMapLarge).ok());
            in.at(8, std::uint64_t{0});
        });
    });

    add(RuleId::access_states_flags_reserved, "flag bit 4 set", [](const CaseForm& v) {
        return access_case(v, [](Model&, std::uint64_t, Bytes& in, P&) { in.at(8, std::uint64_t{0x10}); });
    });
    add(RuleId::access_states_flags_conflict, "set and clear dirty together", [](const CaseForm& v) {
        return access_case(v, [](Model&, std::uint64_t, Bytes& in, P&) { in.at(8, std::uint64_t{0xC}); });
    });
    add(RuleId::access_states_gfn_out_of_range, "element rep start one past the GPA space", [](const CaseForm& v) {
        return access_case(v, [&](Model&, std::uint64_t, Bytes& in, P&) { in.at(16, (1ull << 36) - v.rep_start); });
    });

    add(RuleId::host_access_reserved_bits, "host_access bit 2 set", [](const CaseForm& v) {
        return host_case(v, CallId::release_sparse_spa_page_host_access,
                         [](Model&, std::uint64_t, Bytes& in, P&) { in.at(0, std::uint32_t{4}); });
    });
    add(RuleId::host_access_flags_invalid, "release with MAKE_SHARED", [](const CaseForm& v) {
        return host_case(v, CallId::release_sparse_spa_page_host_access,
                         [](Model&, std::uint64_t, Bytes& in, P&) { in.at(4, std::uint32_t{2}); });
    });
    add(RuleId::host_access_partition_without_exclusive, "acquire (MAKE_SHARED) with a partition id",
        [](const CaseForm& v) {
            return host_case(v, CallId::acquire_sparse_spa_page_host_access, [](Model&, std::uint64_t, Bytes& in, P&) {
                in.at(0, std::uint32_t{3}).at(4, std::uint32_t{2});
            });
        });
    add(RuleId::host_access_pfn_not_ram, "acquire a PFN beyond RAM", [](const CaseForm& v) {
        return host_case(v, CallId::acquire_sparse_spa_page_host_access,
                         [&](Model&, std::uint64_t, Bytes& in, P& pfns) {
                             in.at(0, std::uint32_t{3}).at(4, std::uint32_t{2}).at(8, std::uint64_t{0});
                             pfns[v.rep_start] = kRam / hvcall::kPageSize;
                         });
    });
    add(RuleId::host_access_pfn_unaligned, "LARGE_PAGE acquire of a PFN not 2 MiB aligned", [](const CaseForm& v) {
        return host_case(v, CallId::acquire_sparse_spa_page_host_access,
                         [&](Model&, std::uint64_t, Bytes& in, P& pfns) {
                             in.at(0, std::uint32_t{3}).at(4, std::uint32_t{2 | 4}).at(8, std::uint64_t{0});
                             pfns[v.rep_start] = 0x2001;
                         });
    });
    add(RuleId::host_access_pfn_not_mapped, "make exclusive a page the partition does not map", [](const CaseForm& v) {
        return host_case(v, CallId::release_sparse_spa_page_host_access,
                         [&](Model& md, std::uint64_t, Bytes&, P& pfns) { pfns[v.rep_start] = md.take_pages(1)[0]; });
    });
}

}  // namespace hvsim::test
