// `hvsim decode control|result VALUE`: every field of a control or result word, by name.
// Decoding goes through hvcall::Control / HypercallResult only; no bit is masked here.
#include <cstdio>
#include <memory>
#include <string>

#include "hvcall/control.hpp"
#include "hvcall/errno.hpp"
#include "hvcall/errno_names.hpp"
#include "hvcall/result.hpp"
#include "verbs.hpp"

namespace hvsim::cli {
namespace {

struct DecodeArgs {
    std::string value;
    bool json = false;
};

const char* yes_no(bool b) { return b ? "yes" : "no"; }

// One line per set reserved bit, naming the RsvdZ range it belongs to.
void print_reserved(std::uint64_t set, std::uint64_t mask) {
    const auto bits = set_bits(set);
    if (bits.empty()) {
        std::printf("  reserved        none set\n");
        return;
    }
    std::printf("  reserved        VIOLATION: %zu reserved bit%s set\n", bits.size(), bits.size() == 1 ? "" : "s");
    for (auto it = bits.rbegin(); it != bits.rend(); ++it) {
        std::printf("    reserved bit %u set (RsvdZ %s)\n", *it, bit_run(mask, *it).c_str());
    }
}

void decode_control(const DecodeArgs& args) {
    using hvcall::Control;
    const Control c = Control::from_raw(parse_u64(args.value, "decode control: VALUE"));
    const hvcall::CallInfo* call = hvcall::find_call(c.code());
    if (args.json) {
        print_json({
            {"raw", hex(c.raw(), 16)},
            {"code", c.code()},
            {"name", call ? nlohmann::json(call->name) : nlohmann::json(nullptr)},
            {"tlfs_name", call ? nlohmann::json(call->tlfs_name) : nlohmann::json(nullptr)},
            {"fast", c.fast()},
            {"variable_header_qwords", c.varhead_qwords()},
            {"nested", c.nested()},
            {"rep_count", c.rep_count()},
            {"rep_start", c.rep_start()},
            {"reserved_bits", set_bits(c.reserved_bits())},
        });
        return;
    }
    std::printf("control word %s\n", hex(c.raw(), 16).c_str());
    if (call) {
        std::printf("  code            %s  %.*s (%.*s)\n", hex(c.code(), 4).c_str(),
                    static_cast<int>(call->name.size()), call->name.data(), static_cast<int>(call->tlfs_name.size()),
                    call->tlfs_name.data());
    } else {
        std::printf("  code            %s  (not in the catalogue)\n", hex(c.code(), 4).c_str());
    }
    std::printf("  fast            %s\n", yes_no(c.fast()));
    std::printf("  varhead qwords  %u\n", c.varhead_qwords());
    std::printf("  nested          %s (bit 31; Linux counts it as reserved)\n", yes_no(c.nested()));
    std::printf("  rep count       %u\n", c.rep_count());
    std::printf("  rep start       %u\n", c.rep_start());
    print_reserved(c.reserved_bits(), Control::kReservedMask);
}

void decode_result(const DecodeArgs& args) {
    using hvcall::HypercallResult;
    const HypercallResult r = HypercallResult::from_raw(parse_u64(args.value, "decode result: VALUE"));
    const std::string_view name = hvcall::status_name(r.status());
    const std::string_view message = hvcall::status_message(r.status());
    const int err = hvcall::to_errno(r);
    if (args.json) {
        print_json({
            {"raw", hex(r.raw(), 16)},
            {"status", static_cast<std::uint16_t>(r.status())},
            {"status_name", name},
            {"status_message", message},
            {"errno", err},
            {"errno_name", hvcall::errno_text(err)},
            {"reps_completed", r.reps_completed()},
            {"reserved_bits", set_bits(r.reserved_bits())},
        });
        return;
    }
    std::printf("result word %s\n", hex(r.raw(), 16).c_str());
    std::printf("  status          %s %.*s: %.*s\n", hex(static_cast<std::uint16_t>(r.status()), 4).c_str(),
                static_cast<int>(name.size()), name.data(), static_cast<int>(message.size()), message.data());
    const bool no_page = r.raw() == HypercallResult::kHypercallPageMissing;
    std::printf("  errno           %s (Linux %s)\n", hvcall::errno_text(err).c_str(),
                no_page ? "hv_do_hypercall: no hypercall page" : "hv_result_to_errno");
    std::printf("  reps completed  %u\n", r.reps_completed());
    print_reserved(r.reserved_bits(), HypercallResult::kReservedMask);
}

// `decode --json control X` works as well as `decode control X --json`: the group's flag is shared.
void add_word(CLI::App& decode, std::shared_ptr<bool> group_json, const char* name, const char* description,
              const char* value_help, void (*run)(const DecodeArgs&)) {
    auto args = std::make_shared<DecodeArgs>();
    CLI::App* sub = decode.add_subcommand(name, description);
    sub->add_option("VALUE", args->value, value_help)->required()->type_name("WORD");
    add_json_flag(*sub, args->json);
    sub->callback([args, group_json, run] {
        DecodeArgs a = *args;
        a.json = a.json || *group_json;
        run(a);
    });
}

}  // namespace

void add_decode(CLI::App& app) {
    CLI::App* decode = app.add_subcommand("decode", "Decode a hypercall control or result word field by field");
    decode->require_subcommand(1);
    auto json = std::make_shared<bool>(false);
    add_json_flag(*decode, *json);
    add_word(*decode, json, "control",
             "Decode a control word (RCX): code, fast, variable header, nested, reps, reserved bits",
             "the 64-bit control word, hex 0x... or decimal", decode_control);
    add_word(*decode, json, "result", "Decode a result word (RAX): status, reps completed, reserved bits",
             "the 64-bit result word, hex 0x... or decimal", decode_result);
}

}  // namespace hvsim::cli
