// A Backend that passes every call to another and hands a Record of it to a sink (usually a
// TraceWriter): the input bytes before the call, the result and output after it.
#pragma once

#include <functional>

#include "hvcall/backend.hpp"
#include "hvsim/traces/trace.hpp"

namespace hvsim::traces {

// Builds the record of one call from what crossed the Backend boundary.
[[nodiscard]] Record make_record(Form form, hvcall::Control control, std::span<const std::byte> input,
                                 hvcall::HypercallResult result, std::span<const std::byte> output_area);
// The record of a call at other GPAs (Record::at): `input` as written at the input GPA,
// `output` as read back at the output GPA (either empty where not placed), whatever the result.
[[nodiscard]] Record make_record_at(hvcall::Control control, Placement at, std::span<const std::byte> input,
                                    hvcall::HypercallResult result, std::span<const std::byte> output);

class RecordingBackend final : public hvcall::Backend {
public:
    using Sink = std::function<void(const Record&)>;
    RecordingBackend(hvcall::Backend& inner, Sink sink) : inner_(inner), sink_(std::move(sink)) {}

    // Kept: taking the page again could change it (strict mode poisons it on every take).
    [[nodiscard]] std::span<std::byte, hvcall::kPageSize> input_page() noexcept override {
        page_ = inner_.input_page().data();
        return std::span<std::byte, hvcall::kPageSize>(page_, hvcall::kPageSize);
    }
    [[nodiscard]] std::span<const std::byte, hvcall::kPageSize> output_page() const noexcept override {
        return inner_.output_page();
    }
    hvcall::HypercallResult hypercall(hvcall::Control control) noexcept override;
    hvcall::HypercallResult hypercall_fast(hvcall::Control control, std::uint64_t rdx,
                                           std::uint64_t r8) noexcept override;
    hvcall::HypercallResult hypercall_fast_xmm(hvcall::Control control, hvcall::XmmRegisters& regs) noexcept override;
    // Recorded as make_record_at; a call the inner backend does not support reached no
    // hypervisor and makes no record.
    [[nodiscard]] hvcall::PlacedCall hypercall_at(hvcall::Control control, std::uint64_t input_gpa,
                                                  std::span<const std::byte> input, std::uint64_t output_gpa,
                                                  std::span<std::byte> output) noexcept override;

    [[nodiscard]] std::uint64_t recorded() const noexcept { return recorded_; }
    // A sink that threw (disk full): the calls still went through; the first error is kept.
    [[nodiscard]] const std::string& sink_error() const noexcept { return sink_error_; }

private:
    void emit(const Record& r) noexcept;
    hvcall::Backend& inner_;
    Sink sink_;
    std::uint64_t recorded_ = 0;
    std::string sink_error_;
    std::vector<std::byte> input_copy_;
    std::byte* page_ = nullptr;
};

}  // namespace hvsim::traces
