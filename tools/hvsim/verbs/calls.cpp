// `hvsim calls`: the hypercall catalogue (hypercalls.def), sorted by code.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <memory>
#include <vector>

#include "verbs.hpp"

namespace hvsim::cli {
namespace {

std::vector<const hvcall::CallInfo*> by_code() {
    std::vector<const hvcall::CallInfo*> calls;
    for (const auto& c : hvcall::kCalls) calls.push_back(&c);
    std::sort(calls.begin(), calls.end(), [](auto* a, auto* b) { return a->code < b->code; });
    return calls;
}

nlohmann::json call_json(const hvcall::CallInfo& c, ImplementedFn is_implemented) {
    nlohmann::json j = {
        {"name", c.name},
        {"code", c.code},
        {"code_hex", hex(c.code, 4)},
        {"tlfs_name", c.tlfs_name},
        {"linux_name", c.linux_name},
        {"kind", hvcall::to_string(c.kind)},
        {"fast", hvcall::to_string(c.fast)},
        {"variable_header", c.allows_variable_header()},
        {"layout_known", c.layout == hvcall::Layout::Known},
        {"input_header_size", c.input_header_size},
        {"rep_input_size", c.rep_input_size},
        {"rep_output_size", c.rep_output_size},
        {"output_size", c.output_size},
        {"source", c.source},
    };
    if (is_implemented) j["implemented"] = is_implemented(c.id);
    return j;
}

// Sizes of a call whose layout no source gives are shown as "?", not as a misleading 0.
std::string size_cell(const hvcall::CallInfo& c, std::uint16_t size) {
    return c.layout == hvcall::Layout::Known ? std::to_string(size) : "?";
}

void print_table(const std::vector<const hvcall::CallInfo*>& calls, ImplementedFn is_implemented) {
    std::size_t name_width = 4;
    for (const auto* c : calls) name_width = std::max(name_width, c->name.size());
    const int w = static_cast<int>(name_width) + 2;
    std::cout << std::left << std::setw(8) << "CODE" << std::setw(w) << "NAME" << std::setw(8) << "KIND" << std::setw(6)
              << "FAST" << std::setw(8) << "VARHDR" << std::right << std::setw(6) << "HDR" << std::setw(8) << "REP_IN"
              << std::setw(9) << "REP_OUT" << std::setw(5) << "OUT";
    if (is_implemented) std::cout << "  IMPL";
    std::cout << '\n';
    for (const auto* c : calls) {
        std::cout << std::left << std::setw(8) << hex(c->code, 4) << std::setw(w) << c->name << std::setw(8)
                  << hvcall::to_string(c->kind) << std::setw(6) << hvcall::to_string(c->fast) << std::setw(8)
                  << (c->allows_variable_header() ? "yes" : "no") << std::right << std::setw(6)
                  << size_cell(*c, c->input_header_size) << std::setw(8) << size_cell(*c, c->rep_input_size)
                  << std::setw(9) << size_cell(*c, c->rep_output_size) << std::setw(5) << size_cell(*c, c->output_size);
        if (is_implemented) std::cout << "  " << (is_implemented(c->id) ? "yes" : "no");
        std::cout << '\n';
    }
    std::cout << calls.size() << " calls; sizes in bytes (REP_* per element), ? = layout not known\n";
}

}  // namespace

void add_calls(CLI::App& app, ImplementedFn is_implemented) {
    auto json = std::make_shared<bool>(false);
    CLI::App* sub = app.add_subcommand("calls", "List the hypercall catalogue: codes, names, shapes and sizes");
    add_json_flag(*sub, *json);
    sub->callback([json, is_implemented] {
        const auto calls = by_code();
        if (!*json) return print_table(calls, is_implemented);
        nlohmann::json out = nlohmann::json::array();
        for (const auto* c : calls) out.push_back(call_json(*c, is_implemented));
        print_json(out);
    });
}

}  // namespace hvsim::cli
