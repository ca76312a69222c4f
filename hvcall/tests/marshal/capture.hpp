// What each hypercall put in front of the hypervisor, for checking layouts byte by byte against
// the headers' layouts: the control word and the input as bytes (the input page's first bytes for
// memory calls, RDX and R8 for register fast calls), then the call goes on to the wrapped backend.
#pragma once

#include <algorithm>
#include <cstring>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "hvcall/backend.hpp"

namespace hvcall::test {

class CapturingBackend final : public Backend {
public:
    struct Call {
        Control control;
        std::vector<std::byte> input;

        // The little-endian value at `offset` of the input, as the hypervisor would read it.
        template <class T>
        [[nodiscard]] T at(std::size_t offset) const {
            REQUIRE(offset + sizeof(T) <= input.size());
            T v;
            std::memcpy(&v, input.data() + offset, sizeof v);
            return v;
        }
        // True when every input byte in [from, to) is zero.
        [[nodiscard]] bool zero(std::size_t from, std::size_t to) const {
            REQUIRE(to <= input.size());
            for (std::size_t i = from; i < to; ++i)
                if (input[i] != std::byte{0}) return false;
            return true;
        }
    };

    explicit CapturingBackend(Backend& inner) : inner_(inner) {}
    // Remembered rather than fetched again at the call: a strict model poisons the page on
    // every input_page().
    std::span<std::byte, kPageSize> input_page() noexcept override {
        const auto page = inner_.input_page();
        page_ = page;
        return page;
    }
    std::span<const std::byte, kPageSize> output_page() const noexcept override { return inner_.output_page(); }
    HypercallResult hypercall(Control c) noexcept override {
        const auto bytes = page_.first(std::min(page_.size(), input_size(c)));
        calls.push_back({c, {bytes.begin(), bytes.end()}});
        return inner_.hypercall(c);
    }
    HypercallResult hypercall_fast(Control c, std::uint64_t rdx, std::uint64_t r8) noexcept override {
        std::vector<std::byte> input(16);
        std::memcpy(input.data(), &rdx, 8);
        std::memcpy(input.data() + 8, &r8, 8);
        input.resize(std::min<std::size_t>(16, input_size(c)));
        calls.push_back({c, std::move(input)});
        return inner_.hypercall_fast(c, rdx, r8);
    }
    HypercallResult hypercall_fast_xmm(Control c, XmmRegisters& regs) noexcept override {
        std::vector<std::byte> input(kFastXmmBytes);
        std::memcpy(input.data(), regs.data(), kFastXmmBytes);
        input.resize(std::min<std::size_t>(kFastXmmBytes, input_size(c)));
        calls.push_back({c, std::move(input)});
        return inner_.hypercall_fast_xmm(c, regs);
    }
    PlacedCall hypercall_at(Control c, std::uint64_t input_gpa, std::span<const std::byte> input,
                            std::uint64_t output_gpa, std::span<std::byte> output) noexcept override {
        calls.push_back({c, {input.begin(), input.end()}});
        return inner_.hypercall_at(c, input_gpa, input, output_gpa, output);
    }

    // The last call of `id`; fails the test when there was none.
    [[nodiscard]] const Call& last(CallId id) const {
        for (auto it = calls.rbegin(); it != calls.rend(); ++it)
            if (it->control.code() == info(id).code) return *it;
        FAIL("no " << info(id).name << " call was issued");
        return calls.front();
    }
    [[nodiscard]] std::size_t count(CallId id) const {
        std::size_t n = 0;
        for (const Call& c : calls) n += c.control.code() == info(id).code;
        return n;
    }

    std::vector<Call> calls;

private:
    // The catalogue's input size for this control word (0 for an uncatalogued code).
    static std::size_t input_size(Control c) {
        const CallInfo* call = find_call(c.code());
        return call == nullptr ? 0 : call->input_size(c.varhead_qwords(), c.rep_count());
    }
    Backend& inner_;
    std::span<std::byte> page_;  // the input page as the marshalling code last asked for it
};

}  // namespace hvcall::test
