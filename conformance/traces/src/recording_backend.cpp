// Recording: copy the input the call covers before issuing it (the hypervisor may not, but a
// backend might, reuse the page), then the output it defines after.
#include "hvsim/traces/recording_backend.hpp"

#include <algorithm>
#include <cstring>
#include <exception>

#include "hvsim/traces/ids.hpp"

namespace hvsim::traces {

Record make_record(Form form, hvcall::Control control, std::span<const std::byte> input, hvcall::HypercallResult result,
                   std::span<const std::byte> output_area) {
    const hvcall::CallInfo* c = hvcall::find_call(control.code());
    Record r;
    r.call = c != nullptr ? std::string(c->name) : std::string("unknown");
    r.form = form;
    r.control = control;
    r.input.assign(input.begin(), input.end());
    r.output_size = output_size_for(c, form, control);
    r.result = result;
    const std::uint32_t n = output_written(c, form, control, result);
    r.output.assign(output_area.begin(), output_area.begin() + std::min<std::size_t>(n, output_area.size()));
    if (c != nullptr) {
        for (const IdField& f : input_id_fields(*c, r.input))
            if (f.offset + width(f.kind) <= r.input.size()) r.input_ids.push_back(f);
        for (const IdField& f : output_id_fields(*c))
            if (f.offset + width(f.kind) <= r.output.size()) r.output_ids.push_back(f);
    }
    return r;
}

Record make_record_at(hvcall::Control control, Placement at, std::span<const std::byte> input,
                      hvcall::HypercallResult result, std::span<const std::byte> output) {
    Record r = make_record(Form::memory, control, input, result, {});
    r.output.assign(output.begin(), output.end());
    r.input_ids.clear();  // a replay writes the blocks back as they were: no ids substituted
    r.output_ids.clear();
    r.at = at;
    return r;
}

void RecordingBackend::emit(const Record& r) noexcept {
    ++recorded_;
    try {
        sink_(r);
    } catch (const std::exception& e) {
        if (sink_error_.empty()) sink_error_ = e.what();
    } catch (...) {
        if (sink_error_.empty()) sink_error_ = "unknown error from the trace sink";
    }
}

hvcall::HypercallResult RecordingBackend::hypercall(hvcall::Control control) noexcept {
    const hvcall::CallInfo* c = hvcall::find_call(control.code());
    const std::uint32_t in = input_bytes_for(c, Form::memory, control).value_or(0);
    if (page_ == nullptr) page_ = inner_.input_page().data();
    input_copy_.assign(page_, page_ + in);
    const auto result = inner_.hypercall(control);
    try {
        emit(make_record(Form::memory, control, input_copy_, result, inner_.output_page()));
    } catch (...) {  // allocation failure while building the record: the call itself stands
        if (sink_error_.empty()) sink_error_ = "out of memory while recording";
    }
    return result;
}

hvcall::HypercallResult RecordingBackend::hypercall_fast(hvcall::Control control, std::uint64_t rdx,
                                                         std::uint64_t r8) noexcept {
    std::array<std::byte, 16> regs;
    std::memcpy(regs.data(), &rdx, 8);
    std::memcpy(regs.data() + 8, &r8, 8);
    const auto result = inner_.hypercall_fast(control, rdx, r8);
    try {
        emit(make_record(Form::fast, control, regs, result, {}));
    } catch (...) {
        if (sink_error_.empty()) sink_error_ = "out of memory while recording";
    }
    return result;
}

hvcall::HypercallResult RecordingBackend::hypercall_fast_xmm(hvcall::Control control,
                                                             hvcall::XmmRegisters& regs) noexcept {
    const hvcall::XmmRegisters before = regs;
    const auto result = inner_.hypercall_fast_xmm(control, regs);
    try {
        const auto after = std::as_bytes(std::span(regs));
        const std::uint32_t at = xmm_output_offset(hvcall::find_call(control.code()), control);
        emit(make_record(Form::xmm, control, std::as_bytes(std::span(before)), result, after.subspan(at)));
    } catch (...) {
        if (sink_error_.empty()) sink_error_ = "out of memory while recording";
    }
    return result;
}

hvcall::PlacedCall RecordingBackend::hypercall_at(hvcall::Control control, std::uint64_t input_gpa,
                                                  std::span<const std::byte> input, std::uint64_t output_gpa,
                                                  std::span<std::byte> output) noexcept {
    input_copy_.assign(input.begin(), input.end());
    const hvcall::PlacedCall placed = inner_.hypercall_at(control, input_gpa, input, output_gpa, output);
    if (!placed.supported) return placed;
    try {
        emit(make_record_at(
            control, Placement{input_gpa, output_gpa},
            placed.input_placed ? std::span<const std::byte>(input_copy_) : std::span<const std::byte>(), placed.result,
            placed.output_read ? std::span<const std::byte>(output) : std::span<const std::byte>()));
    } catch (...) {
        if (sink_error_.empty()) sink_error_ = "out of memory while recording";
    }
    return placed;
}

}  // namespace hvsim::traces
