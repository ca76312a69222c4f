// HvCallClearVirtualInterrupt: partition id (8 bytes; HVCALL issues it fast-8, the MAIN passthrough
// as a memory call). The model reads it as deasserting the partition's
// level-triggered interrupts: their pending vectors are cleared on every VP.
#include "calls.hpp"
#include "common.hpp"

namespace hvsim::calls {

Outcome clear_virtual_interrupt(CallContext& ctx) {
    Partition* p = nullptr;
    if (auto o = find_partition(ctx, 0, Target::child, p); !o.is_ok()) return o;
    if (auto o = require_active(ctx, *p, 0); !o.is_ok()) return o;
    for (auto& [index, vp] : p->vps)
        for (std::size_t w = 0; w < vp.pending.size(); ++w) {
            vp.pending[w] &= ~vp.level[w];
            vp.level[w] = 0;
        }
    return Outcome::ok();
}

}  // namespace hvsim::calls
