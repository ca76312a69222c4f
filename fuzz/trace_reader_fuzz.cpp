// Property: the trace reader takes any bytes without crashing; what it rejects it rejects with
// one TraceError that names the trace and says what was wrong, never another exception.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "hostile_mutator.hpp"
#include "hvsim/traces/trace.hpp"

HVSIM_HOSTILE_CUSTOM_MUTATOR

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string kName = "fuzz.trace";
    try {
        (void)hvsim::traces::parse_trace(std::string_view(reinterpret_cast<const char*>(data), size), kName);
    } catch (const hvsim::traces::TraceError& e) {
        const std::string what = e.what();
        if (!what.starts_with(kName + ":") || what.size() <= kName.size() + 2) {
            std::fprintf(stderr, "trace_reader: a rejection that does not name the trace and the mistake: %s\n",
                         e.what());
            std::abort();
        }
    }
    return 0;  // another exception escapes: libFuzzer reports it as a crash
}
