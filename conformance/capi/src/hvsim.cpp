// The C API (hvsim/hvsim.h) over sim::Machine: argument checks, the per-thread error message,
// and a wall that no exception crosses. Machine settings and fault plans are read by the same
// codecs as scenario files, so a C caller is refused exactly where a scenario would be.
#include "hvsim/hvsim.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hvcall/catalogue.hpp"
#include "hvsim/conformance/codecs.hpp"
#include "hvsim/machine.hpp"
#include "hvsim/traces/recording_backend.hpp"
#include "hvsim/traces/replay.hpp"
#include "hvsim/traces/trace.hpp"

#ifndef HVSIM_VERSION
#error "HVSIM_VERSION must be defined by the build (PROJECT_VERSION)"
#endif

namespace {

thread_local std::string t_error;

hvsim_status fail(hvsim_status status, std::string message) {
    t_error = std::move(message);
    return status;
}

// Runs `body`, turning any exception into an error code (the API's only way out).
template <class F>
hvsim_status guarded(const char* function, F&& body) noexcept {
    try {
        return body();
    } catch (const std::bad_alloc&) {
        return fail(HVSIM_ERR_INTERNAL, std::string(function) + ": out of memory");
    } catch (const std::exception& e) {
        return fail(HVSIM_ERR_INTERNAL, std::string(function) + ": " + e.what());
    } catch (...) {
        return fail(HVSIM_ERR_INTERNAL, std::string(function) + ": unknown exception");
    }
}

// A JSON document given as a C string, parsed or refused with the byte where it broke.
nlohmann::json parse_json(const char* what, const char* text) {
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw hvsim::conformance::CodecError("", std::string(what) + " is not JSON: " + e.what());
    }
}

std::string codec_message(const char* function, const char* what, const hvsim::conformance::CodecError& e) {
    return std::string(function) + ": " + what + (e.field().empty() ? "" : " at " + e.field()) + ": " + e.what();
}

}  // namespace

// A machine and what the API keeps beside it: per-CPU backends (recording while a trace is
// open), and the strings handed out for the last call's diagnostics.
struct hvsim_machine {
    explicit hvsim_machine(const hvsim::MachineConfig& config) : machine(config) {
        for (std::uint32_t cpu = 0; cpu < config.cpus; ++cpu) sims.emplace_back(machine, cpu);
    }

    hvcall::Backend& backend(std::uint32_t cpu) {
        if (recorders.empty()) return sims[cpu];
        return *recorders[cpu];
    }

    hvsim::Machine machine;
    std::deque<hvsim::SimBackend> sims;  // a deque: SimBackend is neither copyable nor movable
    std::unique_ptr<hvsim::traces::TraceWriter> writer;
    std::vector<std::unique_ptr<hvsim::traces::RecordingBackend>> recorders;  // one per CPU while tracing
    std::deque<std::string> messages;                                         // the last call's diagnostic messages
};

namespace {

hvsim_status check_machine(const char* function, const hvsim_machine* m) {
    if (m == nullptr) return fail(HVSIM_ERR_ARGUMENT, std::string(function) + ": machine is NULL");
    return HVSIM_OK;
}

hvsim_status check_call(const char* function, const hvsim_machine* m, std::uint32_t cpu, const std::uint64_t* result) {
    if (const auto s = check_machine(function, m)) return s;
    if (cpu >= m->machine.config().cpus) {
        return fail(HVSIM_ERR_ARGUMENT, std::string(function) + ": cpu " + std::to_string(cpu) +
                                            " out of range (the machine has " +
                                            std::to_string(m->machine.config().cpus) + ")");
    }
    if (result == nullptr) return fail(HVSIM_ERR_ARGUMENT, std::string(function) + ": result is NULL");
    return HVSIM_OK;
}

hvsim_status check_buffer(const char* function, const char* name, const void* buffer, std::size_t size,
                          std::size_t max = ~std::size_t{0}) {
    if (size > max) {
        return fail(HVSIM_ERR_ARGUMENT, std::string(function) + ": " + name + "_size " + std::to_string(size) +
                                            " is more than " + std::to_string(max) + " bytes");
    }
    if (size != 0 && buffer == nullptr) {
        return fail(HVSIM_ERR_ARGUMENT,
                    std::string(function) + ": " + name + " is NULL with " + name + "_size " + std::to_string(size));
    }
    return HVSIM_OK;
}

// A diagnostic the caller initialised: at least the rule field fits in what it says it holds.
hvsim_status check_diagnostic(const char* function, const hvsim_diagnostic* d) {
    if (d == nullptr || d->struct_size < offsetof(hvsim_diagnostic, rule) + sizeof(const char*)) {
        return fail(HVSIM_ERR_ARGUMENT,
                    std::string(function) + ": diagnostic is NULL or not initialised (call hvsim_diagnostic_init)");
    }
    return HVSIM_OK;
}

// A new call's messages replace the last one's (the strings handed out live until then).
void begin_call(hvsim_machine* m) { m->messages.clear(); }

hvsim_status after_call(hvsim_machine* m, const char* function) {
    if (m->recorders.empty()) return HVSIM_OK;
    for (const auto& r : m->recorders) {
        if (!r->sink_error().empty()) {
            return fail(HVSIM_ERR_IO, std::string(function) +
                                          ": the call ran but its trace record was not written: " + r->sink_error());
        }
    }
    return HVSIM_OK;
}

void fill(hvsim_machine* m, const hvsim::Diagnostic& d, hvsim_diagnostic* out) {
    hvsim_diagnostic full{};
    full.struct_size = sizeof(hvsim_diagnostic);
    const hvsim::RuleInfo& info = d.info();
    full.rule = info.id.data();  // rules.def literals: NUL-terminated, static
    full.enforced = info.strength == hvsim::Strength::Enforced ? 1 : 0;
    full.status = static_cast<std::uint16_t>(d.status);
    full.status_name = hvcall::status_name(d.status).data();
    full.site = static_cast<hvsim_site>(d.site);
    full.offset = d.offset;
    full.value = d.value;
    full.bits = d.bits;
    full.size = d.size;
    full.message = m->messages.emplace_back(hvsim::describe(d)).c_str();
    const std::size_t n = std::min<std::size_t>(out->struct_size, sizeof full);
    const std::uint32_t caller_size = out->struct_size;
    std::memcpy(out, &full, n);
    out->struct_size = caller_size;
}

// Guest pages through a partition's GPA map: each page must map RAM.
template <class Copy>
hvsim_status guest_copy(const char* function, const hvsim_machine* m, std::uint64_t partition, std::uint64_t gpa,
                        std::size_t size, Copy&& copy) {
    const hvsim::Hypervisor& hv = m->machine.hypervisor();
    if (!hv.partition(partition)) {
        return fail(HVSIM_ERR_ARGUMENT, std::string(function) + ": no partition " + std::to_string(partition));
    }
    std::size_t done = 0;
    while (done < size) {
        const std::uint64_t at = gpa + done;
        if (at < gpa) return fail(HVSIM_ERR_MEMORY, std::string(function) + ": the range wraps around 2^64");
        const std::uint64_t in_page = at % hvcall::kPageSize;
        const std::size_t chunk = std::min<std::size_t>(size - done, hvcall::kPageSize - in_page);
        const auto mapping = hv.gpa_mapping(partition, at / hvcall::kPageSize);
        if (!mapping || mapping->kind != hvsim::GpaKind::ram ||
            !m->machine.memory().in_ram(mapping->pfn * hvcall::kPageSize, hvcall::kPageSize)) {
            char hex[32];
            std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(at - in_page));
            return fail(HVSIM_ERR_MEMORY, std::string(function) + ": guest page " + hex + " of partition " +
                                              std::to_string(partition) + " is not mapped to root RAM");
        }
        copy(mapping->pfn * hvcall::kPageSize + in_page, done, chunk);
        done += chunk;
    }
    return HVSIM_OK;
}

hvsim_status root_range(const char* function, const hvsim_machine* m, std::uint64_t gpa, std::size_t size) {
    if (!m->machine.memory().in_ram(gpa, size)) {
        char hex[32];
        std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(gpa));
        return fail(HVSIM_ERR_MEMORY, std::string(function) + ": [" + hex + ", +" + std::to_string(size) +
                                          ") is not inside root RAM (" +
                                          std::to_string(m->machine.memory().ram_bytes()) + " bytes)");
    }
    return HVSIM_OK;
}

hvsim::MachineConfig config_from(const hvsim_options* o) {
    hvsim_options opts;
    hvsim_options_init(&opts);
    if (o != nullptr) std::memcpy(&opts, o, std::min<std::size_t>(o->struct_size, sizeof opts));
    hvsim::MachineConfig base;
    base.cpus = opts.cpus;
    base.ram_bytes = opts.ram_bytes;
    base.strict = opts.strict != 0;
    base.reject_spec_only = opts.reject_spec_only != 0;
    base.hypervisor_restarts_reps = opts.hypervisor_restarts_reps != 0;
    nlohmann::json j = hvsim::conformance::write_machine(base);
    if (opts.machine_json != nullptr) {
        const nlohmann::json extra = parse_json("machine_json", opts.machine_json);
        if (!extra.is_object()) throw hvsim::conformance::CodecError("", "expected a JSON object");
        for (const auto& [key, value] : extra.items()) j[key] = value;
    }
    return hvsim::conformance::read_machine(j);  // checks every key, the fields' values too
}

}  // namespace

extern "C" {

const char* hvsim_version(void) { return HVSIM_VERSION; }
const char* hvsim_catalogue_revision(void) { return hvcall::kCatalogueRevision.data(); }
unsigned hvsim_api_version(void) { return HVSIM_API_VERSION; }
const char* hvsim_error_message(void) { return t_error.c_str(); }

void hvsim_options_init(hvsim_options* options) {
    if (options == nullptr) return;
    const hvsim::MachineConfig defaults;
    *options = hvsim_options{};
    options->struct_size = sizeof(hvsim_options);
    options->cpus = defaults.cpus;
    options->ram_bytes = defaults.ram_bytes;
    options->strict = defaults.strict;
    options->reject_spec_only = defaults.reject_spec_only;
    options->hypervisor_restarts_reps = defaults.hypervisor_restarts_reps;
}

hvsim_status hvsim_machine_create(const hvsim_options* options, hvsim_machine** machine) {
    return guarded("hvsim_machine_create", [&] {
        if (machine == nullptr) return fail(HVSIM_ERR_ARGUMENT, "hvsim_machine_create: machine is NULL");
        *machine = nullptr;
        if (options != nullptr && options->struct_size < offsetof(hvsim_options, machine_json)) {
            return fail(HVSIM_ERR_ARGUMENT, "hvsim_machine_create: options->struct_size " +
                                                std::to_string(options->struct_size) +
                                                " is too small (call hvsim_options_init)");
        }
        hvsim::MachineConfig config;
        try {
            config = config_from(options);
        } catch (const hvsim::conformance::CodecError& e) {
            return fail(HVSIM_ERR_ARGUMENT, codec_message("hvsim_machine_create", "the machine", e));
        }
        *machine = new hvsim_machine(config);
        return HVSIM_OK;
    });
}

void hvsim_machine_free(hvsim_machine* machine) {
    if (machine == nullptr) return;
    try {
        delete machine;
    } catch (...) {  // a trace that cannot be flushed: the machine goes anyway
    }
}

hvsim_status hvsim_machine_reset(hvsim_machine* machine) {
    if (const auto s = check_machine("hvsim_machine_reset", machine)) return s;
    return guarded("hvsim_machine_reset", [&] {
        begin_call(machine);
        machine->machine.reset();
        return HVSIM_OK;
    });
}

uint32_t hvsim_machine_cpus(const hvsim_machine* machine) { return machine ? machine->machine.config().cpus : 0; }

uint64_t hvsim_root_partition_id(const hvsim_machine* machine) {
    return machine ? machine->machine.config().root_partition_id : 0;
}

hvsim_status hvsim_hypercall(hvsim_machine* machine, uint32_t cpu, uint64_t control, const void* input,
                             size_t input_size, void* output, size_t output_size, uint64_t* result) {
    constexpr const char* fn = "hvsim_hypercall";
    if (const auto s = check_call(fn, machine, cpu, result)) return s;
    if (const auto s = check_buffer(fn, "input", input, input_size, hvcall::kPageSize)) return s;
    if (const auto s = check_buffer(fn, "output", output, output_size, hvcall::kPageSize)) return s;
    return guarded(fn, [&] {
        begin_call(machine);
        hvcall::Backend& b = machine->backend(cpu);
        const auto page = b.input_page();  // strict mode poisons it here, as a real CPU's page holds stale bytes
        if (input_size != 0) std::memcpy(page.data(), input, input_size);
        *result = b.hypercall(hvcall::Control::from_raw(control)).raw();
        if (output_size != 0) std::memcpy(output, b.output_page().data(), output_size);
        return after_call(machine, fn);
    });
}

// NOLINTNEXTLINE(readability-function-size): ten parameters are the C API's signature (hvsim.h)
hvsim_status hvsim_hypercall_at(hvsim_machine* machine, uint32_t cpu, uint64_t control, uint64_t input_gpa,
                                const void* input, size_t input_size, uint64_t output_gpa, void* output,
                                size_t output_size, uint64_t* result) {
    constexpr const char* fn = "hvsim_hypercall_at";
    if (const auto s = check_call(fn, machine, cpu, result)) return s;
    if (const auto s = check_buffer(fn, "input", input, input_size, hvcall::kPageSize)) return s;
    if (const auto s = check_buffer(fn, "output", output, output_size, hvcall::kPageSize)) return s;
    return guarded(fn, [&] {
        begin_call(machine);
        const auto placed = machine->backend(cpu).hypercall_at(
            hvcall::Control::from_raw(control), input_gpa, std::span(static_cast<const std::byte*>(input), input_size),
            output_gpa, std::span(static_cast<std::byte*>(output), output_size));
        *result = placed.result.raw();
        return after_call(machine, fn);
    });
}

hvsim_status hvsim_hypercall_fast(hvsim_machine* machine, uint32_t cpu, uint64_t control, uint64_t rdx, uint64_t r8,
                                  uint64_t* result) {
    constexpr const char* fn = "hvsim_hypercall_fast";
    if (const auto s = check_call(fn, machine, cpu, result)) return s;
    return guarded(fn, [&] {
        begin_call(machine);
        *result = machine->backend(cpu).hypercall_fast(hvcall::Control::from_raw(control), rdx, r8).raw();
        return after_call(machine, fn);
    });
}

hvsim_status hvsim_hypercall_fast_xmm(hvsim_machine* machine, uint32_t cpu, uint64_t control, uint64_t regs[14],
                                      uint64_t* result) {
    constexpr const char* fn = "hvsim_hypercall_fast_xmm";
    if (const auto s = check_call(fn, machine, cpu, result)) return s;
    if (regs == nullptr) return fail(HVSIM_ERR_ARGUMENT, std::string(fn) + ": regs is NULL");
    return guarded(fn, [&] {
        static_assert(std::tuple_size_v<hvcall::XmmRegisters> == 14);
        begin_call(machine);
        hvcall::XmmRegisters r;
        std::copy_n(regs, r.size(), r.begin());
        *result = machine->backend(cpu).hypercall_fast_xmm(hvcall::Control::from_raw(control), r).raw();
        std::copy(r.begin(), r.end(), regs);
        return after_call(machine, fn);
    });
}

uint64_t hvsim_input_page_gpa(const hvsim_machine* machine, uint32_t cpu) {
    if (machine == nullptr || cpu >= machine->machine.config().cpus) return 0;
    return machine->machine.input_page_gpa(cpu);
}

uint64_t hvsim_output_page_gpa(const hvsim_machine* machine, uint32_t cpu) {
    if (machine == nullptr || cpu >= machine->machine.config().cpus) return 0;
    return machine->machine.output_page_gpa(cpu);
}

hvsim_status hvsim_memory_read(const hvsim_machine* machine, uint64_t gpa, void* buffer, size_t size) {
    constexpr const char* fn = "hvsim_memory_read";
    if (const auto s = check_machine(fn, machine)) return s;
    if (const auto s = check_buffer(fn, "buffer", buffer, size)) return s;
    if (const auto s = root_range(fn, machine, gpa, size)) return s;
    return guarded(fn, [&] {
        machine->machine.memory().read(gpa, std::span(static_cast<std::byte*>(buffer), size));
        return HVSIM_OK;
    });
}

hvsim_status hvsim_memory_write(hvsim_machine* machine, uint64_t gpa, const void* buffer, size_t size) {
    constexpr const char* fn = "hvsim_memory_write";
    if (const auto s = check_machine(fn, machine)) return s;
    if (const auto s = check_buffer(fn, "buffer", buffer, size)) return s;
    if (const auto s = root_range(fn, machine, gpa, size)) return s;
    return guarded(fn, [&] {
        machine->machine.memory().write(gpa, std::span(static_cast<const std::byte*>(buffer), size));
        return HVSIM_OK;
    });
}

hvsim_status hvsim_guest_read(const hvsim_machine* machine, uint64_t partition_id, uint64_t gpa, void* buffer,
                              size_t size) {
    constexpr const char* fn = "hvsim_guest_read";
    if (const auto s = check_machine(fn, machine)) return s;
    if (const auto s = check_buffer(fn, "buffer", buffer, size)) return s;
    return guarded(fn, [&] {
        auto* out = static_cast<std::byte*>(buffer);
        return guest_copy(fn, machine, partition_id, gpa, size,
                          [&](std::uint64_t spa, std::size_t done, std::size_t n) {
                              machine->machine.memory().read(spa, std::span(out + done, n));
                          });
    });
}

hvsim_status hvsim_guest_write(hvsim_machine* machine, uint64_t partition_id, uint64_t gpa, const void* buffer,
                               size_t size) {
    constexpr const char* fn = "hvsim_guest_write";
    if (const auto s = check_machine(fn, machine)) return s;
    if (const auto s = check_buffer(fn, "buffer", buffer, size)) return s;
    return guarded(fn, [&] {
        const auto* in = static_cast<const std::byte*>(buffer);
        // Checked whole before the first byte is written: a refused write changes nothing.
        if (const auto s =
                guest_copy(fn, machine, partition_id, gpa, size, [](std::uint64_t, std::size_t, std::size_t) {}))
            return s;
        return guest_copy(fn, machine, partition_id, gpa, size,
                          [&](std::uint64_t spa, std::size_t done, std::size_t n) {
                              machine->machine.memory().write(spa, std::span(in + done, n));
                          });
    });
}

void hvsim_diagnostic_init(hvsim_diagnostic* diagnostic) {
    if (diagnostic == nullptr) return;
    *diagnostic = hvsim_diagnostic{};
    diagnostic->struct_size = sizeof(hvsim_diagnostic);
    diagnostic->site = HVSIM_SITE_NONE;
}

int hvsim_last_diagnostic(hvsim_machine* machine, hvsim_diagnostic* diagnostic) {
    constexpr const char* fn = "hvsim_last_diagnostic";
    if (check_machine(fn, machine) != HVSIM_OK) return -1;
    if (check_diagnostic(fn, diagnostic) != HVSIM_OK) return -1;
    const auto& last = machine->machine.last_diagnostic();
    if (!last) return 0;
    const auto s = guarded(fn, [&] {
        fill(machine, *last, diagnostic);
        return HVSIM_OK;
    });
    return s == HVSIM_OK ? 1 : -1;
}

size_t hvsim_violation_count(const hvsim_machine* machine) {
    return machine ? machine->machine.violations().size() : 0;
}

hvsim_status hvsim_violation(hvsim_machine* machine, size_t index, hvsim_diagnostic* diagnostic) {
    constexpr const char* fn = "hvsim_violation";
    if (const auto s = check_machine(fn, machine)) return s;
    if (const auto s = check_diagnostic(fn, diagnostic)) return s;
    const auto violations = machine->machine.violations();
    if (index >= violations.size()) {
        return fail(HVSIM_ERR_ARGUMENT, std::string(fn) + ": index " + std::to_string(index) + " out of range (" +
                                            std::to_string(violations.size()) + " violations)");
    }
    return guarded(fn, [&] {
        fill(machine, violations[index], diagnostic);
        return HVSIM_OK;
    });
}

hvsim_status hvsim_set_fault_plan(hvsim_machine* machine, const char* plan_json) {
    constexpr const char* fn = "hvsim_set_fault_plan";
    if (const auto s = check_machine(fn, machine)) return s;
    return guarded(fn, [&] {
        hvsim::FaultPlan plan;
        if (plan_json != nullptr) {
            try {
                plan = hvsim::conformance::read_fault_plan(parse_json("the fault plan", plan_json));
            } catch (const hvsim::conformance::CodecError& e) {
                return fail(HVSIM_ERR_ARGUMENT, codec_message(fn, "the fault plan", e));
            }
        }
        machine->machine.set_fault_plan(std::move(plan));
        return HVSIM_OK;
    });
}

hvsim_status hvsim_trace_start(hvsim_machine* machine, const char* path) {
    constexpr const char* fn = "hvsim_trace_start";
    if (const auto s = check_machine(fn, machine)) return s;
    if (path == nullptr || *path == '\0') return fail(HVSIM_ERR_ARGUMENT, std::string(fn) + ": path is NULL or empty");
    if (machine->writer) return fail(HVSIM_ERR_STATE, std::string(fn) + ": a trace is already being recorded");
    return guarded(fn, [&] {
        namespace traces = hvsim::traces;
        try {
            machine->writer = std::make_unique<traces::TraceWriter>(
                path, traces::format_for_path(path),
                traces::Header{traces::kFormatVersion, "hvsim " HVSIM_VERSION " capi",
                               traces::profile_for(machine->machine.config())});
        } catch (const traces::TraceError& e) {
            return fail(HVSIM_ERR_IO, std::string(fn) + ": " + e.what());
        }
        for (auto& sim : machine->sims) {
            machine->recorders.push_back(std::make_unique<traces::RecordingBackend>(
                sim, [w = machine->writer.get()](const traces::Record& r) { w->write(r); }));
        }
        return HVSIM_OK;
    });
}

hvsim_status hvsim_trace_stop(hvsim_machine* machine, uint64_t* records) {
    constexpr const char* fn = "hvsim_trace_stop";
    if (const auto s = check_machine(fn, machine)) return s;
    if (!machine->writer) return fail(HVSIM_ERR_STATE, std::string(fn) + ": no trace is being recorded");
    return guarded(fn, [&] {
        if (records != nullptr) *records = machine->writer->records();
        machine->recorders.clear();
        machine->writer.reset();
        return HVSIM_OK;
    });
}

}  // extern "C"
