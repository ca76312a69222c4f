// x86-64 4-level paging (SDM vol. 3, 4.5) over a guest's own page tables, read from the host
// pages the guest's GPA map points at: the walk HvCallTranslateVirtualAddress performs. The
// caller checks the paging mode (CR0.PG with CR4.PAE and EFER.LMA, no LA57) before walking.
#pragma once

#include <cstdint>

#include "hvsim/memory.hpp"
#include "state/extent_map.hpp"
#include "state/state.hpp"

namespace hvsim::state {

// How a walk ended.
enum class WalkResult : std::uint8_t {
    translated,           // gpa_page is the translation
    table_unmapped,       // a table's page is not mapped RAM; gpa_page names that page
    not_present,          // an entry on the way has P clear
    invalid_flags,        // an entry on the way has a reserved bit set
    privilege_violation,  // the leaf's accumulated permissions deny the access
};

// The access a walk checks the entries' permissions against (the call's control flags).
struct WalkAccess {
    bool write = false;               // VALIDATE_WRITE
    bool execute = false;             // VALIDATE_EXECUTE
    bool user = false;                // USER_ACCESS: a CPL 3 access
    bool supervisor_smap = false;     // ENFORCE_SMAP together with SUPERVISOR_ACCESS
    bool privilege_exempt = false;    // PRIVILEGE_EXEMPT: no permission checks at all
    bool set_accessed_dirty = false;  // SET_PAGE_TABLE_BITS: mark the walked entries accessed
};

// The VP's registers a walk reads.
struct PagingRegisters {
    std::uint64_t cr0 = 0, cr3 = 0, efer = 0;
};

struct Walk {
    WalkResult result = WalkResult::translated;
    std::uint64_t gpa_page = 0;  // the translation, or the unmapped table's page (0 otherwise)
};

// Walks `gva_page` through the tables CR3 names. `guest_address_bits` bounds the GPA space: an
// entry's address bits beyond it are reserved. With `set_accessed_dirty`, a successful walk
// sets A in every entry it read and D in the leaf when the access is a write.
[[nodiscard]] Walk walk_page_tables(PhysicalMemory& mem, const ExtentMap<GpaValue>& gpa_map,
                                    const PagingRegisters& regs, unsigned guest_address_bits, std::uint64_t gva_page,
                                    const WalkAccess& access);

}  // namespace hvsim::state
