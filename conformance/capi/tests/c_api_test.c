/*
 * The C API from a plain C11 program, as a user's test would drive it: a machine, a simple call,
 * a reserved-bit rejection and its rule, a child partition built with raw hypercalls (deposit,
 * create, initialize, map) whose guest memory is then written and read, a fault plan, a trace,
 * and every refusal of a bad argument. Exit 0 when every check held; each failure prints a line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvsim/hvsim.h"

static int failures;
static int checks;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        ++checks;                                                                     \
        if (!(cond)) {                                                                \
            ++failures;                                                               \
            fprintf(stderr, "%s:%d: check failed: %s (hvsim_error_message: %s)\n",     \
                    __FILE__, __LINE__, #cond, hvsim_error_message());                \
        }                                                                             \
    } while (0)

/* Call codes (include/hyperv/hvgdk_mini.h) and control word fields (TLFS). */
enum {
    CALL_CREATE_PARTITION = 0x0040,
    CALL_INITIALIZE_PARTITION = 0x0041,
    CALL_GET_PARTITION_ID = 0x0046,
    CALL_DEPOSIT_MEMORY = 0x0048,
    CALL_MAP_GPA_PAGES = 0x004B,
};
#define FAST_BIT (1ull << 16)
#define REPS(n) ((unsigned long long)(n) << 32)
#define STATUS_SUCCESS 0
#define STATUS_INVALID_HYPERCALL_INPUT 3

static uint64_t deposit(hvsim_machine* m, uint64_t partition, uint64_t first_pfn, unsigned pages) {
    uint64_t input[1 + 511];
    input[0] = partition;
    for (unsigned i = 0; i < pages; ++i) input[1 + i] = first_pfn + i;
    uint64_t result = 0;
    CHECK(hvsim_hypercall(m, 0, CALL_DEPOSIT_MEMORY | REPS(pages), input, 8 + 8 * (size_t)pages, NULL, 0, &result) ==
          HVSIM_OK);
    return result;
}

static void test_simple_call_and_rejection(hvsim_machine* m) {
    uint64_t result = 1, id = 0;
    CHECK(hvsim_hypercall(m, 0, CALL_GET_PARTITION_ID, NULL, 0, &id, sizeof id, &result) == HVSIM_OK);
    CHECK(hvsim_result_status(result) == STATUS_SUCCESS);
    CHECK(id == hvsim_root_partition_id(m));
    hvsim_diagnostic d;
    hvsim_diagnostic_init(&d);
    CHECK(hvsim_last_diagnostic(m, &d) == 0);

    /* Control bit 27 is reserved: the model rejects and names the rule and the bits. */
    CHECK(hvsim_hypercall(m, 1, CALL_GET_PARTITION_ID | (1ull << 27), NULL, 0, &id, sizeof id, &result) == HVSIM_OK);
    CHECK(hvsim_result_status(result) == STATUS_INVALID_HYPERCALL_INPUT);
    CHECK(hvsim_last_diagnostic(m, &d) == 1);
    CHECK(strcmp(d.rule, "control.reserved_bits") == 0);
    CHECK(d.enforced == 1);
    CHECK(d.status == STATUS_INVALID_HYPERCALL_INPUT);
    CHECK(strcmp(d.status_name, "INVALID_HYPERCALL_INPUT") == 0);
    CHECK(d.site == HVSIM_SITE_CONTROL);
    CHECK(d.bits == (1ull << 27));
    CHECK(d.message != NULL && strstr(d.message, "control.reserved_bits") != NULL);

    /* A fast call without the fast bit's form: get_partition_id has no fast form. */
    CHECK(hvsim_hypercall_fast(m, 0, CALL_GET_PARTITION_ID | FAST_BIT, 0, 0, &result) == HVSIM_OK);
    CHECK(hvsim_result_status(result) != STATUS_SUCCESS);
    CHECK(hvsim_last_diagnostic(m, &d) == 1);
}

/* A child partition with one guest page, built as a root driver would. */
static uint64_t make_child(hvsim_machine* m, uint64_t guest_pfn) {
    uint64_t result = 0;
    deposit(m, hvsim_root_partition_id(m), 0x10000, 8);
    uint8_t create[56];
    memset(create, 0, sizeof create);
    uint64_t child = 0;
    CHECK(hvsim_hypercall(m, 0, CALL_CREATE_PARTITION, create, sizeof create, &child, sizeof child, &result) == HVSIM_OK);
    CHECK(hvsim_result_status(result) == STATUS_SUCCESS);
    CHECK(child != 0 && child != hvsim_root_partition_id(m));
    result = deposit(m, child, 0x10100, 256);
    CHECK(hvsim_result_status(result) == STATUS_SUCCESS);
    CHECK(hvsim_hypercall_fast(m, 0, CALL_INITIALIZE_PARTITION | FAST_BIT, child, 0, &result) == HVSIM_OK);
    CHECK(hvsim_result_status(result) == STATUS_SUCCESS);
    /* map_gpa_pages: partition, target GFN 0x200, flags READ|WRITE (3), then the PFNs. */
    uint64_t map[4] = {child, 0x200, 3, guest_pfn};
    CHECK(hvsim_hypercall(m, 0, CALL_MAP_GPA_PAGES | REPS(1), map, sizeof map, NULL, 0, &result) == HVSIM_OK);
    CHECK(hvsim_result_status(result) == STATUS_SUCCESS);
    CHECK(hvsim_result_reps_completed(result) == 1);
    return child;
}

static void test_memory(hvsim_machine* m) {
    const uint64_t guest_pfn = 0x20000;
    const uint64_t child = make_child(m, guest_pfn);
    const char text[] = "written through the guest";
    CHECK(hvsim_guest_write(m, child, 0x200000 + 100, text, sizeof text) == HVSIM_OK);
    char back[sizeof text];
    CHECK(hvsim_memory_read(m, guest_pfn * 4096 + 100, back, sizeof back) == HVSIM_OK);
    CHECK(memcmp(back, text, sizeof text) == 0);
    memset(back, 0, sizeof back);
    CHECK(hvsim_guest_read(m, child, 0x200000 + 100, back, sizeof back) == HVSIM_OK);
    CHECK(memcmp(back, text, sizeof text) == 0);
    /* The next guest page is not mapped: refused, naming the page. */
    CHECK(hvsim_guest_read(m, child, 0x201000, back, 1) == HVSIM_ERR_MEMORY);
    CHECK(strstr(hvsim_error_message(), "0x201000") != NULL);
    /* A write crossing into it changes nothing. */
    CHECK(hvsim_guest_write(m, child, 0x200ff0, text, sizeof text) == HVSIM_ERR_MEMORY);
    CHECK(hvsim_memory_read(m, guest_pfn * 4096 + 0xff0, back, 16) == HVSIM_OK);
    CHECK(back[0] == 0);
    CHECK(hvsim_guest_read(m, 12345, 0, back, 1) == HVSIM_ERR_ARGUMENT);

    /* Root memory: inside RAM only. */
    CHECK(hvsim_memory_write(m, 0x5000, "abc", 3) == HVSIM_OK);
    CHECK(hvsim_memory_read(m, 0x5000, back, 3) == HVSIM_OK && memcmp(back, "abc", 3) == 0);
    CHECK(hvsim_memory_read(m, (1ull << 30) - 2, back, 3) == HVSIM_ERR_MEMORY);
    CHECK(hvsim_input_page_gpa(m, 0) != 0 && hvsim_output_page_gpa(m, 0) != hvsim_input_page_gpa(m, 0));
    CHECK(hvsim_input_page_gpa(m, 99) == 0);

    /* A call at GPAs of the caller's choosing: get_partition_id's output at 0x7000. */
    uint64_t result = 0, id = 0;
    CHECK(hvsim_hypercall_at(m, 0, CALL_GET_PARTITION_ID, 0x6000, NULL, 0, 0x7000, &id, sizeof id, &result) == HVSIM_OK);
    CHECK(hvsim_result_status(result) == STATUS_SUCCESS && id == hvsim_root_partition_id(m));
}

static void test_faults(hvsim_machine* m) {
    uint64_t result = 0, id = 0;
    CHECK(hvsim_set_fault_plan(m, "{\"statuses\": [{\"code\": \"get_partition_id\", \"nth\": 0, \"status\": "
                                  "\"INSUFFICIENT_MEMORY\"}]}") == HVSIM_OK);
    CHECK(hvsim_hypercall(m, 0, CALL_GET_PARTITION_ID, NULL, 0, &id, sizeof id, &result) == HVSIM_OK);
    CHECK(hvsim_result_status(result) == 11); /* HV_STATUS_INSUFFICIENT_MEMORY */
    CHECK(hvsim_hypercall(m, 0, CALL_GET_PARTITION_ID, NULL, 0, &id, sizeof id, &result) == HVSIM_OK);
    CHECK(hvsim_result_status(result) == STATUS_SUCCESS);
    /* A bad plan names the field and changes nothing. */
    CHECK(hvsim_set_fault_plan(m, "{\"statuses\": [{\"code\": \"no_such_call\"}]}") == HVSIM_ERR_ARGUMENT);
    CHECK(strstr(hvsim_error_message(), "/statuses/0/code") != NULL);
    CHECK(hvsim_set_fault_plan(m, "{\"rep_ends\": ") == HVSIM_ERR_ARGUMENT);
    CHECK(strstr(hvsim_error_message(), "not JSON") != NULL);
    CHECK(hvsim_set_fault_plan(m, NULL) == HVSIM_OK);
}

static void test_trace(hvsim_machine* m, const char* path) {
    uint64_t result = 0, id = 0, records = 0;
    CHECK(hvsim_trace_stop(m, &records) == HVSIM_ERR_STATE);
    CHECK(hvsim_trace_start(m, path) == HVSIM_OK);
    CHECK(hvsim_trace_start(m, path) == HVSIM_ERR_STATE);
    CHECK(hvsim_hypercall(m, 0, CALL_GET_PARTITION_ID, NULL, 0, &id, sizeof id, &result) == HVSIM_OK);
    CHECK(hvsim_hypercall(m, 0, CALL_GET_PARTITION_ID | (1ull << 27), NULL, 0, &id, sizeof id, &result) == HVSIM_OK);
    CHECK(hvsim_trace_stop(m, &records) == HVSIM_OK);
    CHECK(records == 2);
    FILE* f = fopen(path, "r");
    CHECK(f != NULL);
    if (f != NULL) {
        char line[4096];
        int lines = 0;
        while (fgets(line, sizeof line, f) != NULL) ++lines;
        fclose(f);
        CHECK(lines == 3); /* the header and two records */
    }
    CHECK(hvsim_trace_start(m, "/nonexistent-dir/trace.jsonl") == HVSIM_ERR_IO);
    CHECK(strstr(hvsim_error_message(), "/nonexistent-dir/trace.jsonl") != NULL);
}

static void test_bad_arguments(void) {
    hvsim_machine* m = NULL;
    hvsim_options o;
    hvsim_options_init(&o);
    CHECK(o.cpus == 2 && o.ram_bytes == (1ull << 30));
    o.cpus = 0;
    CHECK(hvsim_machine_create(&o, &m) == HVSIM_ERR_ARGUMENT && m == NULL);
    CHECK(strstr(hvsim_error_message(), "/cpus") != NULL);
    hvsim_options_init(&o);
    o.machine_json = "{\"guest_address_bits\": 5}";
    CHECK(hvsim_machine_create(&o, &m) == HVSIM_ERR_ARGUMENT);
    CHECK(strstr(hvsim_error_message(), "/guest_address_bits") != NULL);
    o.machine_json = "[1]";
    CHECK(hvsim_machine_create(&o, &m) == HVSIM_ERR_ARGUMENT);
    o.machine_json = "{\"cpus\": 4}";
    CHECK(hvsim_machine_create(&o, &m) == HVSIM_OK && hvsim_machine_cpus(m) == 4);
    CHECK(hvsim_machine_create(&o, NULL) == HVSIM_ERR_ARGUMENT);

    uint64_t result = 0;
    char big[4097];
    CHECK(hvsim_hypercall(NULL, 0, CALL_GET_PARTITION_ID, NULL, 0, NULL, 0, &result) == HVSIM_ERR_ARGUMENT);
    CHECK(hvsim_hypercall(m, 4, CALL_GET_PARTITION_ID, NULL, 0, NULL, 0, &result) == HVSIM_ERR_ARGUMENT);
    CHECK(strstr(hvsim_error_message(), "cpu 4") != NULL);
    CHECK(hvsim_hypercall(m, 0, CALL_GET_PARTITION_ID, big, sizeof big, NULL, 0, &result) == HVSIM_ERR_ARGUMENT);
    CHECK(hvsim_hypercall(m, 0, CALL_GET_PARTITION_ID, NULL, 8, NULL, 0, &result) == HVSIM_ERR_ARGUMENT);
    CHECK(hvsim_hypercall(m, 0, CALL_GET_PARTITION_ID, NULL, 0, NULL, 0, NULL) == HVSIM_ERR_ARGUMENT);
    CHECK(hvsim_hypercall_fast_xmm(m, 0, 0, NULL, &result) == HVSIM_ERR_ARGUMENT);
    hvsim_diagnostic d;
    memset(&d, 0, sizeof d);
    CHECK(hvsim_last_diagnostic(m, &d) == -1); /* not initialised */
    CHECK(hvsim_violation(m, 0, NULL) == HVSIM_ERR_ARGUMENT);
    hvsim_diagnostic_init(&d);
    CHECK(hvsim_violation(m, 0, &d) == HVSIM_ERR_ARGUMENT);
    CHECK(hvsim_violation_count(m) == 0);
    CHECK(hvsim_trace_start(m, "") == HVSIM_ERR_ARGUMENT);
    CHECK(hvsim_machine_reset(NULL) == HVSIM_ERR_ARGUMENT);
    hvsim_machine_free(m);
    hvsim_machine_free(NULL);
}

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s TRACE_PATH\n", argv[0]);
        return 2;
    }
    CHECK(hvsim_api_version() == HVSIM_API_VERSION);
    CHECK(strlen(hvsim_version()) >= 5);
    CHECK(strstr(hvsim_catalogue_revision(), "Linux") != NULL);

    hvsim_machine* m = NULL;
    CHECK(hvsim_machine_create(NULL, &m) == HVSIM_OK);
    if (m == NULL) return 1;
    test_simple_call_and_rejection(m);
    test_memory(m);
    test_faults(m);
    test_trace(m, argv[1]);
    CHECK(hvsim_machine_reset(m) == HVSIM_OK);
    hvsim_diagnostic d;
    hvsim_diagnostic_init(&d);
    CHECK(hvsim_last_diagnostic(m, &d) == 0);
    hvsim_machine_free(m);
    test_bad_arguments();

    printf("%d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
