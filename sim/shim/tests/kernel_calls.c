/*
 * Kernel-style hypercall wrappers: per-CPU input/output pages under local_irq_save, batch
 * loops sized from the input page, rep calls through hv_do_rep_hypercall, deposit-and-retry.
 * Written for hvsim's tests in the style of drivers/hv/mshv_root_hv_call.c and hv_proc.c
 * (HVCALL, PROC), not copied from them.
 */
#include "kernel_calls.h"

#include <string.h>

#define HV_INIT_PARTITION_DEPOSIT_PAGES 208
#define HV_DEPOSIT_MAX (HV_HYP_PAGE_SIZE / sizeof(u64) - 1)

struct hv_output_get_partition_id {
	u64 partition_id;
} __packed;

struct hv_deposit_memory {
	u64 partition_id;
	u64 gpa_page_list[];
} __packed;

struct hv_input_map_gpa_pages {
	u64 target_partition_id;
	u64 target_gpa_base;
	u32 map_flags;
	u32 padding;
	u64 source_gpa_page_list[];
} __packed;

#define HV_MAP_GPA_BATCH_SIZE ((HV_HYP_PAGE_SIZE - sizeof(struct hv_input_map_gpa_pages)) / sizeof(u64))
/* Derived from the 16-byte header of the sparse SPA host-access input: wrong for map. */
#define HV_MODIFY_SPARSE_SPA_PAGE_HOST_ACCESS_MAX_PAGE_COUNT ((HV_HYP_PAGE_SIZE - 2 * sizeof(u64)) / sizeof(u64))

static u64 next_free_pfn, free_pfn_end;

void kernel_give_pages(u64 first_pfn, u64 count)
{
	next_free_pfn = first_pfn;
	free_pfn_end = first_pfn + count;
}

static inline u64 min_u64(u64 a, u64 b)
{
	return a < b ? a : b;
}

u64 hv_call_get_partition_id(u64 *partition_id)
{
	struct hv_output_get_partition_id *output_page;
	unsigned long flags;
	u64 status;

	local_irq_save(flags);
	output_page = *this_cpu_ptr(hyperv_pcpu_output_arg);
	status = hv_do_hypercall(HVCALL_GET_PARTITION_ID, NULL, output_page);
	if (hv_result_success(status))
		*partition_id = output_page->partition_id;
	local_irq_restore(flags);

	return status;
}

u64 hv_call_deposit_pages(u64 partition_id, u32 num_pages, unsigned int bugs)
{
	struct hv_deposit_memory *input_page;
	u64 status = HV_STATUS_SUCCESS;
	unsigned long flags;
	u32 done = 0;

	if (num_pages > free_pfn_end - next_free_pfn)
		return U64_MAX; /* the kernel's -ENOMEM */

	while (done < num_pages) {
		u16 batch = (u16)min_u64(num_pages - done, HV_DEPOSIT_MAX);
		u16 i;

		local_irq_save(flags);
		input_page = *this_cpu_ptr(hyperv_pcpu_input_arg);
		input_page->partition_id = partition_id;
		for (i = 0; i < batch; i++)
			input_page->gpa_page_list[i] = next_free_pfn + i;
		status = hv_do_rep_hypercall(HVCALL_DEPOSIT_MEMORY, batch, 0, input_page, NULL);
		local_irq_restore(flags);

		if (!hv_result_success(status)) {
			if (bugs & BUG_DOUBLE_RESTORE)
				local_irq_restore(flags); /* left behind when the restore moved up */
			break;
		}
		next_free_pfn += batch;
		done += batch;
	}

	return status;
}

/* Deposit what initialization is known to need, then one page per shortage until it fits. */
u64 hv_call_initialize_partition(u64 partition_id)
{
	u64 status = hv_call_deposit_pages(partition_id, HV_INIT_PARTITION_DEPOSIT_PAGES, BUG_NONE);

	while (hv_result_success(status)) {
		status = hv_do_fast_hypercall8(HVCALL_INITIALIZE_PARTITION, partition_id);
		if (hv_result(status) != HV_STATUS_INSUFFICIENT_MEMORY)
			break;
		status = hv_call_deposit_pages(partition_id, 1, BUG_NONE);
	}

	return status;
}

u64 hv_call_map_gpa_pages(u64 partition_id, u64 gfn, u64 first_pfn, u64 page_count, u32 flags, unsigned int bugs)
{
	u64 batch_size = (bugs & BUG_SPARSE_BATCH) ? HV_MODIFY_SPARSE_SPA_PAGE_HOST_ACCESS_MAX_PAGE_COUNT
						   : HV_MAP_GPA_BATCH_SIZE;
	struct hv_input_map_gpa_pages *input_page;
	u64 status = HV_STATUS_SUCCESS;
	unsigned long irq_flags = 0;
	u64 done = 0;

	while (done < page_count) {
		u16 rep_count = (u16)min_u64(page_count - done, batch_size);
		u16 i;

		if (!(bugs & BUG_IRQS_ON))
			local_irq_save(irq_flags);
		input_page = *this_cpu_ptr(hyperv_pcpu_input_arg);
		if (!(bugs & BUG_DIRTY_PADDING))
			memset(input_page, 0, sizeof(*input_page));
		input_page->target_partition_id = partition_id;
		input_page->target_gpa_base = gfn + done;
		input_page->map_flags = flags;
		for (i = 0; i < rep_count; i++)
			input_page->source_gpa_page_list[i] = first_pfn + done + i;
		status = hv_do_rep_hypercall(HVCALL_MAP_GPA_PAGES, rep_count, 0, input_page, NULL);
		if (!(bugs & BUG_IRQS_ON))
			local_irq_restore(irq_flags);

		if (!hv_result_success(status))
			break;
		done += rep_count;
	}

	return status;
}

u64 hv_call_clear_virtual_interrupt(u64 partition_id)
{
	return hv_do_fast_hypercall8(HVCALL_CLEAR_VIRTUAL_INTERRUPT, partition_id);
}
