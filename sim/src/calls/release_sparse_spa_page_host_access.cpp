// HvCallReleaseSparseSpaPageHostAccess (rep): the root gives pages up (MAKE_EXCLUSIVE to the
// named partition, keeping the access bits given; MAIN passes 0) to unshare SNP pages.
#include "calls.hpp"
#include "sparse_spa_host_access.hpp"

namespace hvsim::calls {

constinit const Handler release_sparse_spa_page_host_access = host_access::kHandler<HostAccessChange::release>;

}  // namespace hvsim::calls
