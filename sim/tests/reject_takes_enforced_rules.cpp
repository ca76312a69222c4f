// Compiled by compile_fail.cmake, not linked: with an enforced rule reject() compiles; with a
// spec-only one (HVSIM_REJECT_SPEC_ONLY) it must not, so no handler can reject on a rule the
// catalogue says only records a violation by default.
#include "hvsim/call_context.hpp"

hvsim::Outcome handler(hvsim::CallContext& ctx) {
#ifdef HVSIM_REJECT_SPEC_ONLY
    return ctx.reject(hvsim::RuleId::map_gpa_pages_padding_nonzero, hvsim::Site::input, 20, 1, 1);
#else
    return ctx.reject(hvsim::RuleId::partition_id_unknown, hvsim::Site::input, 0, 7);
#endif
}
