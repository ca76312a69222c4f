/*
 * hvsim's C API: the hypercall model behind a small, stable C11 interface, for C test programs
 * and for other languages' FFI (Python ctypes, Rust, Go). It is what libhvsim.so exports.
 *
 * A machine is the model of one root partition: its CPUs, its RAM and the hypervisor. Callers
 * issue hypercalls on it exactly as the CPU would (a control word, then the parameter blocks in
 * memory or in registers), read back the 64-bit result word, and ask why a call was rejected.
 *
 * Conventions
 *  - Every function that can fail returns an hvsim_status: HVSIM_OK (0) or an error code; what
 *    went wrong is then in hvsim_error_message() (per thread, until the next failing call).
 *    Hypercall outcomes are not API errors: a rejected call returns HVSIM_OK and its result word
 *    carries the Hyper-V status, as on hardware.
 *  - No C++ exception crosses this interface; nothing aborts on bad arguments.
 *  - Strings the library returns stay valid while their machine lives, until the next hypercall
 *    on it (rule ids and status names: for the program's life).
 *  - A machine is not thread-safe: use it from one thread at a time.
 *  - Structs that may grow start with a size field that hvsim_*_init sets; the library reads
 *    only what the caller's size covers, so programs built against an older header keep working.
 */
#ifndef HVSIM_HVSIM_H
#define HVSIM_HVSIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define HVSIM_API __attribute__((visibility("default")))
#else
#define HVSIM_API
#endif

/* Bumped when a function or struct field is added; functions are never removed or changed. */
#define HVSIM_API_VERSION 1

typedef enum hvsim_status {
    HVSIM_OK = 0,
    HVSIM_ERR_ARGUMENT = 1, /* a null pointer, a CPU or size out of range, a bad JSON document */
    HVSIM_ERR_MEMORY = 2,   /* a GPA range outside root RAM, or a guest page not mapped to RAM */
    HVSIM_ERR_STATE = 3,    /* not now: a trace is already being recorded, or none is */
    HVSIM_ERR_IO = 4,       /* a trace file could not be opened or written */
    HVSIM_ERR_INTERNAL = 5  /* a bug in hvsim: please report it with hvsim_error_message() */
} hvsim_status;

typedef struct hvsim_machine hvsim_machine;

/* The library's version ("0.2.0") and catalogue revision, and the API version it implements. */
HVSIM_API const char* hvsim_version(void);
HVSIM_API const char* hvsim_catalogue_revision(void);
HVSIM_API unsigned hvsim_api_version(void);
/* Why the last failing call on this thread failed: one line naming the argument or field. */
HVSIM_API const char* hvsim_error_message(void);

/* ---- machines ------------------------------------------------------------------------------ */

typedef struct hvsim_options {
    uint32_t struct_size;         /* sizeof(hvsim_options); hvsim_options_init sets it */
    uint32_t cpus;                /* default 2 */
    uint64_t ram_bytes;           /* root RAM [0, ram_bytes); default 1 GiB */
    int strict;                   /* poison input pages and undefined output bytes */
    int reject_spec_only;         /* spec-only rules reject instead of recording a violation */
    int hypervisor_restarts_reps; /* the hypervisor re-executes a rep call after a time-slice end */
    /* Optional: a JSON object with the keys of a scenario's "machine" (hvsim's
     * conformance/README.md, "Machine, faults, requires"), for
     * what the fields above do not cover (MMIO ranges, costs, ...). Its keys win over the fields. */
    const char* machine_json;
} hvsim_options;

/* The defaults, as a new scenario's machine has them. */
HVSIM_API void hvsim_options_init(hvsim_options* options);
/* options NULL: the defaults. On success *machine is a new machine for hvsim_machine_free. */
HVSIM_API hvsim_status hvsim_machine_create(const hvsim_options* options, hvsim_machine** machine);
/* Also stops a trace being recorded. NULL is allowed. */
HVSIM_API void hvsim_machine_free(hvsim_machine* machine);
/* Back to a new machine's state (same options, no fault plan); a trace goes on recording. */
HVSIM_API hvsim_status hvsim_machine_reset(hvsim_machine* machine);
HVSIM_API uint32_t hvsim_machine_cpus(const hvsim_machine* machine);
/* The root partition's id, as HvCallGetPartitionId answers it. */
HVSIM_API uint64_t hvsim_root_partition_id(const hvsim_machine* machine);

/* ---- hypercalls -------------------------------------------------------------------------------
 * `control` is the 64-bit control word (call code, fast bit, rep count and start, variable
 * header size). On HVSIM_OK, *result is the 64-bit result word the CPU would see in RAX. */

/* The hypercall result word's fields. */
static inline uint16_t hvsim_result_status(uint64_t result) { return (uint16_t)(result & 0xFFFF); }
static inline uint16_t hvsim_result_reps_completed(uint64_t result) { return (uint16_t)((result >> 32) & 0xFFF); }

/* A memory-form call through the CPU's hypercall pages: `input` (at most 4096 bytes) is copied
 * into the CPU's input page, the call runs with the input and output page GPAs, then the first
 * `output_size` bytes (at most 4096) of the output page are copied to `output`. Either buffer
 * may be NULL when its size is 0. */
HVSIM_API hvsim_status hvsim_hypercall(hvsim_machine* machine, uint32_t cpu, uint64_t control, const void* input,
                                       size_t input_size, void* output, size_t output_size, uint64_t* result);
/* A memory-form call at GPAs the caller chooses: `input_size` bytes of `input` are written at
 * `input_gpa` first (when they lie in root RAM), and `output_size` bytes at `output_gpa` are read
 * into `output` after (when in RAM). Sizes 0: the caller placed the blocks with hvsim_memory_write. */
HVSIM_API hvsim_status hvsim_hypercall_at(hvsim_machine* machine, uint32_t cpu, uint64_t control, uint64_t input_gpa,
                                          const void* input, size_t input_size, uint64_t output_gpa, void* output,
                                          size_t output_size, uint64_t* result);
/* A fast call with its 16 input bytes in RDX and R8 (the control word's fast bit must be set,
 * or the model rejects the call as hardware would). */
HVSIM_API hvsim_status hvsim_hypercall_fast(hvsim_machine* machine, uint32_t cpu, uint64_t control, uint64_t rdx,
                                            uint64_t r8, uint64_t* result);
/* An XMM fast call: regs[0..1] are RDX and R8, regs[2..13] XMM0-XMM5 (low quadword first);
 * the call's output comes back in the registers after its input, as on hardware. */
HVSIM_API hvsim_status hvsim_hypercall_fast_xmm(hvsim_machine* machine, uint32_t cpu, uint64_t control,
                                                uint64_t regs[14], uint64_t* result);

/* The GPAs of a CPU's hypercall input and output pages (0 for a CPU out of range). */
HVSIM_API uint64_t hvsim_input_page_gpa(const hvsim_machine* machine, uint32_t cpu);
HVSIM_API uint64_t hvsim_output_page_gpa(const hvsim_machine* machine, uint32_t cpu);

/* ---- memory ------------------------------------------------------------------------------------
 * Root memory is the root partition's RAM ([0, ram_bytes)); untouched pages read as zeros.
 * Guest memory is a child partition's GPA space, through the pages mapped into it (RAM only). */

HVSIM_API hvsim_status hvsim_memory_read(const hvsim_machine* machine, uint64_t gpa, void* buffer, size_t size);
HVSIM_API hvsim_status hvsim_memory_write(hvsim_machine* machine, uint64_t gpa, const void* buffer, size_t size);
HVSIM_API hvsim_status hvsim_guest_read(const hvsim_machine* machine, uint64_t partition_id, uint64_t gpa,
                                        void* buffer, size_t size);
HVSIM_API hvsim_status hvsim_guest_write(hvsim_machine* machine, uint64_t partition_id, uint64_t gpa,
                                         const void* buffer, size_t size);

/* ---- why: the last call's diagnostic and its violations ---------------------------------------- */

typedef enum hvsim_site {
    HVSIM_SITE_CONTROL = 0,    /* the control word; `bits` are the offending control bits */
    HVSIM_SITE_INPUT = 1,      /* the input block; `offset` is the byte offset in it */
    HVSIM_SITE_INPUT_GPA = 2,  /* the input GPA */
    HVSIM_SITE_OUTPUT_GPA = 3, /* the output GPA */
    HVSIM_SITE_NONE = 4
} hvsim_site;

typedef struct hvsim_diagnostic {
    uint32_t struct_size;    /* sizeof(hvsim_diagnostic); hvsim_diagnostic_init sets it */
    const char* rule;        /* the rule's id, "control.reserved_bits" (see `hvsim rules`) */
    int enforced;            /* 1: the rule rejects; 0: spec-only (a violation unless strict) */
    uint16_t status;         /* the status the call returned for it */
    const char* status_name; /* "INVALID_HYPERCALL_INPUT" */
    hvsim_site site;
    uint32_t offset;         /* byte offset in the input block (HVSIM_SITE_INPUT) */
    uint64_t value;          /* the offending value: a GPA, a size, a field */
    uint64_t bits;           /* the offending bits, where a mask applies */
    uint32_t size;           /* the parameter block's size, for GPA rules */
    const char* message;     /* one line: the rule, its statement and what was found */
} hvsim_diagnostic;

HVSIM_API void hvsim_diagnostic_init(hvsim_diagnostic* diagnostic);
/* Returns 1 and fills *diagnostic when the last call was rejected, 0 when it was not (or no
 * call was made yet); -1 on a bad argument (see hvsim_error_message). */
HVSIM_API int hvsim_last_diagnostic(hvsim_machine* machine, hvsim_diagnostic* diagnostic);
/* The spec-only rules the last call broke and went on past (each rule once). */
HVSIM_API size_t hvsim_violation_count(const hvsim_machine* machine);
HVSIM_API hvsim_status hvsim_violation(hvsim_machine* machine, size_t index, hvsim_diagnostic* diagnostic);

/* ---- faults and traces ------------------------------------------------------------------------- */

/* The fault plan for the calls that follow, as a scenario's "faults" object (the same README section):
 * {"rep_ends": [...], "failing_allocations": [...], "statuses": [...], "random_ends": {...}}.
 * NULL or "{}" clears it. A bad plan changes nothing and names the field. */
HVSIM_API hvsim_status hvsim_set_fault_plan(hvsim_machine* machine, const char* plan_json);

/* Records every hypercall issued through this API from now on into a trace file (".cbor": CBOR,
 * anything else JSON Lines) that `hvsim replay` replays on the model or on /dev/mshv. Each
 * record reaches the file as the call returns. */
HVSIM_API hvsim_status hvsim_trace_start(hvsim_machine* machine, const char* path);
/* Closes the trace; *records (may be NULL) is how many calls it holds. */
HVSIM_API hvsim_status hvsim_trace_stop(hvsim_machine* machine, uint64_t* records);

#ifdef __cplusplus
}
#endif

#endif /* HVSIM_HVSIM_H */
