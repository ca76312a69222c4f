// HvCallAcquireSparseSpaPageHostAccess (rep): the root regains access to pages (MAKE_SHARED
// with the access bits it asks for); MAIN uses it to share an SNP partition's pages.
#include "calls.hpp"
#include "sparse_spa_host_access.hpp"

namespace hvsim::calls {

Outcome acquire_sparse_spa_page_host_access_element(CallContext& ctx, std::uint32_t index) {
    return modify_host_access_element(ctx, index, HostAccessChange::acquire);
}

}  // namespace hvsim::calls
