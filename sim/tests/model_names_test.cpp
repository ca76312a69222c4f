// The model's enum names (sim/include/hvsim/model.hpp), written once per enum: one name per
// enumerator, all different, and "?" beyond the last.
#include <catch2/catch_test_macros.hpp>

#include <set>
#include <string_view>

#include "hvsim/model.hpp"

TEST_CASE("every enumerator of the model's named enums has its own name", "[names]") {
    std::set<std::string_view> states, kinds, owners;
    for (auto s :
         {hvsim::PartitionState::uninitialized, hvsim::PartitionState::active, hvsim::PartitionState::finalized})
        CHECK(states.insert(hvsim::to_string(s)).second);
    for (auto k : {hvsim::GpaKind::ram, hvsim::GpaKind::mmio, hvsim::GpaKind::no_access})
        CHECK(kinds.insert(hvsim::to_string(k)).second);
    for (auto o : {hvsim::PfnOwner::free, hvsim::PfnOwner::reserved, hvsim::PfnOwner::deposited,
                   hvsim::PfnOwner::mapped, hvsim::PfnOwner::mmio, hvsim::PfnOwner::none})
        CHECK(owners.insert(hvsim::to_string(o)).second);
    CHECK(states.size() == hvsim::kPartitionStateNames.size());
    CHECK(kinds.size() == hvsim::kGpaKindNames.size());
    CHECK(owners.size() == hvsim::kPfnOwnerNames.size());
    CHECK(std::string_view(hvsim::to_string(hvsim::GpaKind::no_access)) == "no_access");
    CHECK(std::string_view(hvsim::to_string(static_cast<hvsim::PfnOwner>(6))) == "?");
}
