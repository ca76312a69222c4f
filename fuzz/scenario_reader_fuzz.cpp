// Property: the scenario reader takes any bytes without crashing; what it rejects it rejects
// with one LoadError that names the file and says what was wrong, never another exception.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "hostile_mutator.hpp"
#include "hvsim/conformance/scenario.hpp"

HVSIM_HOSTILE_CUSTOM_MUTATOR

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string kFile = "fuzz.json";
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        (void)hvsim::conformance::load_scenarios(kFile, text);
    } catch (const hvsim::conformance::LoadError& e) {
        const std::string what = e.what();
        if (!what.starts_with(kFile + ":") || what.size() <= kFile.size() + 2) {
            std::fprintf(stderr, "scenario_reader: a rejection that does not name the file and the mistake: %s\n",
                         e.what());
            std::abort();
        }
    }
    return 0;  // another exception escapes: libFuzzer reports it as a crash
}
