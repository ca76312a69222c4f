// HvCallAcquireSparseSpaPageHostAccess (rep): the root regains access to pages (MAKE_SHARED
// with the access bits it asks for); MAIN uses it to share an SNP partition's pages.
#include "calls.hpp"
#include "sparse_spa_host_access.hpp"

namespace hvsim::calls {

constinit const Handler acquire_sparse_spa_page_host_access = host_access::kHandler<HostAccessChange::acquire>;

}  // namespace hvsim::calls
