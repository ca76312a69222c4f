/*
 * Hypercall wrappers written the way drivers/hv/mshv_root_hv_call.c writes them, compiled as
 * C11 against kshim.h (kernel_calls.c). They return the hypercall result word instead of an
 * errno so that tests can assert the model's status; U64_MAX means the call was not issued.
 */
#ifndef KSHIM_TESTS_KERNEL_CALLS_H
#define KSHIM_TESTS_KERNEL_CALLS_H

#include "hvsim/kshim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Deliberate mistakes, one bit each, so that a test plants exactly the bug it asserts on. */
enum kernel_bug {
	BUG_NONE = 0,
	BUG_SPARSE_BATCH = 1 << 0,   /* map batch sized for a 16-byte header: one PFN too many */
	BUG_DIRTY_PADDING = 1 << 1,  /* map header filled field by field, padding left stale */
	BUG_IRQS_ON = 1 << 2,        /* map uses the input page without local_irq_save */
	BUG_DOUBLE_RESTORE = 1 << 3, /* deposit's error path restores interrupts a second time */
};

/* User space has no alloc_page(): deposits take host pages from this run, in order. */
void kernel_give_pages(u64 first_pfn, u64 count);

u64 hv_call_get_partition_id(u64 *partition_id);
u64 hv_call_deposit_pages(u64 partition_id, u32 num_pages, unsigned int bugs);
u64 hv_call_initialize_partition(u64 partition_id);
u64 hv_call_map_gpa_pages(u64 partition_id, u64 gfn, u64 first_pfn, u64 page_count, u32 flags, unsigned int bugs);
u64 hv_call_clear_virtual_interrupt(u64 partition_id);

#ifdef __cplusplus
}
#endif

#endif /* KSHIM_TESTS_KERNEL_CALLS_H */
