/* A C test program on hvsim's C API: get the root's partition id, then see a reserved control
 * bit rejected with its rule. Builds with CMake (hvsim::hvsim) or with pkg-config:
 *   cc c_api_check.c $(pkg-config --cflags --libs hvsim) */
#include <stdio.h>
#include <string.h>

#include <hvsim/hvsim.h>

int main(void) {
    hvsim_machine* m = NULL;
    if (hvsim_machine_create(NULL, &m) != HVSIM_OK) {
        fprintf(stderr, "hvsim_machine_create: %s\n", hvsim_error_message());
        return 1;
    }
    uint64_t result = 0, id = 0;
    if (hvsim_hypercall(m, 0, 0x0046, NULL, 0, &id, sizeof id, &result) != HVSIM_OK || hvsim_result_status(result) != 0 ||
        id != hvsim_root_partition_id(m)) {
        fprintf(stderr, "get_partition_id: result 0x%llx, id %llu\n", (unsigned long long)result, (unsigned long long)id);
        return 1;
    }
    hvsim_diagnostic why;
    hvsim_diagnostic_init(&why);
    if (hvsim_hypercall(m, 0, 0x0046 | (1ull << 27), NULL, 0, &id, sizeof id, &result) != HVSIM_OK ||
        hvsim_last_diagnostic(m, &why) != 1 || strcmp(why.rule, "control.reserved_bits") != 0) {
        fprintf(stderr, "the reserved bit was not rejected as control.reserved_bits\n");
        return 1;
    }
    printf("hvsim %s: root partition %llu; bit 27: %s\n", hvsim_version(), (unsigned long long)id, why.message);
    hvsim_machine_free(m);
    return 0;
}
