// Recorded id -> target id, per kind.
#include "replay_detail.hpp"

namespace hvsim::traces {

using detail::read_id;
using detail::special;
using detail::write_id;

std::optional<std::uint64_t> IdMap::get(IdKind k, std::uint64_t recorded) const {
    const auto& m = maps_[static_cast<int>(k)];
    const auto it = m.find(recorded);
    if (it == m.end()) return std::nullopt;
    return it->second;
}

void IdMap::learn(IdKind k, std::uint64_t recorded, std::uint64_t target) {
    if (special(k, recorded)) return;
    maps_[static_cast<int>(k)][recorded] = target;
}

void IdMap::substitute(std::vector<std::byte>& bytes, const std::vector<IdField>& fields) const {
    for (const IdField& f : fields) {
        if (f.offset + width(f.kind) > bytes.size()) continue;
        if (const auto m = get(f.kind, read_id(bytes, f))) write_id(bytes, f, *m);
    }
}

}  // namespace hvsim::traces
