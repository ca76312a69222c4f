// Which input and output bytes of each call hold identifiers: the catalogue records shapes,
// not fields, so this small table says where replays must substitute their own ids.
#pragma once

#include <span>
#include <vector>

#include "hvcall/catalogue.hpp"
#include "hvsim/traces/trace.hpp"

namespace hvsim::traces {

// Id fields of a call's input (memory form: block offsets; fast forms: register-block offsets,
// which coincide because RDX holds input bytes 0..7). `input` lets a field depend on another
// (map_stats_page's identity holds a partition id only for partition and VP statistics).
[[nodiscard]] std::vector<IdField> input_id_fields(const hvcall::CallInfo& call, std::span<const std::byte> input);
// Id fields of the output the hypervisor hands out (create_partition's new id, get_partition_id).
[[nodiscard]] std::vector<IdField> output_id_fields(const hvcall::CallInfo& call);

}  // namespace hvsim::traces
