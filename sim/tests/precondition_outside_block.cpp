// A handler touching a field past its call's block breaks a precondition: the program aborts
// naming the call, the offset and the block's size (CTest: expect_abort.cmake). The fields
// lie on the same page as the block, where an unchecked read would quietly get stale bytes.
#include <cstdio>
#include <cstring>

#include "hvsim/machine.hpp"

int main(int argc, char** argv) {
    const bool input = argc > 1 && std::strcmp(argv[1], "input") == 0;
    hvsim::Machine m;
    auto& hv = m.hypervisor();
    // get_partition_property: a 16-byte input block and an 8-byte output block.
    if (input)
        hv.set_handler(hvcall::CallId::get_partition_property, {.simple = [](hvsim::CallContext& ctx) {
                           ctx.out<std::uint64_t>(0, ctx.in<std::uint64_t>(12));  // bytes 12-19 of 16
                           return hvsim::Outcome::ok();
                       }});
    else
        hv.set_handler(hvcall::CallId::get_partition_property, {.simple = [](hvsim::CallContext& ctx) {
                           ctx.out<std::uint32_t>(8, 0);  // bytes 8-11 of 8
                           return hvsim::Outcome::ok();
                       }});
    const auto control = hvcall::Control::simple(hvcall::info(hvcall::CallId::get_partition_property).code);
    (void)m.call(0, control, m.input_page_gpa(0), m.output_page_gpa(0));
    std::puts("the access outside the block went unnoticed");
    return 0;
}
