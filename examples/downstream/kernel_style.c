/* Kernel-style C on the C shim (hvsim/kshim.h), built with pkg-config:
 *   cc -c kernel_style.c $(pkg-config --cflags hvsim-kshim)
 * A wrapper written as drivers/hv code writes one: the per-CPU output page under
 * local_irq_save, then HvCallGetPartitionId. */
#include <hvsim/kshim.h>

int kernel_style_partition_id(u64 *id)
{
	unsigned long flags;
	void *output_page;
	u64 status;

	local_irq_save(flags);
	output_page = *this_cpu_ptr(hyperv_pcpu_output_arg);
	status = hv_do_hypercall(HVCALL_GET_PARTITION_ID, NULL, output_page);
	if (hv_result_success(status))
		*id = *(u64 *)output_page;
	local_irq_restore(flags);
	return hv_result_success(status) ? 0 : -1;
}
