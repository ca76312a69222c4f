/* SPDX-License-Identifier: MIT */
/*
 * How `hvsim kernel check` calls a tree's driver functions: one table of plain-typed entry
 * points, filled by hvsim's glue (kernel/glue/hvsim_glue.c), which is compiled with the
 * tree's own headers and turns these arguments into the tree's structs and unions for the
 * API revision the tree has. An entry is NULL when the tree lacks the function.
 *
 * Every entry returns what the driver function returned (0 or a negative errno), or
 * HVSIM_KERNEL_BUGGED when the function hit BUG() and was stopped there.
 */
#ifndef HVSIM_KERNEL_API_H
#define HVSIM_KERNEL_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HVSIM_KERNEL_API_VERSION 1
#define HVSIM_KERNEL_BUGGED (-100000)

struct hvsim_kernel_api {
	unsigned int version;

	/* hv_proc.c */
	int (*deposit_pages)(int node, uint64_t partition_id, uint32_t num_pages);
	int (*create_vp)(int node, uint64_t partition_id, uint32_t vp_index, uint32_t flags);
	int (*add_logical_proc)(int node, uint32_t lp_index, uint32_t apic_id);
	int (*notify_all_processors_started)(void);
	/* 0 with *exists set, or HVSIM_KERNEL_BUGGED */
	int (*lp_exists)(uint32_t lp_index, int *exists);

	/* mshv_root_hv_call.c: partitions and memory */
	int (*create_partition)(uint64_t flags, uint64_t *partition_id);
	int (*initialize_partition)(uint64_t partition_id);
	int (*finalize_partition)(uint64_t partition_id);
	int (*delete_partition)(uint64_t partition_id);
	int (*withdraw_memory)(uint64_t count, int node, uint64_t partition_id);
	/* pfns: one per 4 KiB page (ignored with the no-access flag) */
	int (*map_gpa_pages)(uint64_t partition_id, uint64_t gfn, uint64_t page_count, uint32_t flags,
			     const uint64_t *pfns);
	int (*map_mmio_pages)(uint64_t partition_id, uint64_t gfn, uint64_t mmio_spa, uint64_t page_count);
	int (*unmap_gpa_pages)(uint64_t partition_id, uint64_t gfn, uint64_t page_count, uint32_t flags);
	int (*get_gpa_access_states)(uint64_t partition_id, uint32_t count, uint64_t gfn, uint64_t state_flags,
				     int *written, uint8_t *states);
	int (*modify_spa_host_access)(uint64_t partition_id, const uint64_t *pfns, uint64_t page_count,
				      uint32_t host_access, uint32_t flags, uint8_t acquire);

	/* VPs and interrupts */
	int (*delete_vp)(uint64_t partition_id, uint32_t vp_index);
	/* values: two u64 per register (low, high) */
	int (*get_vp_registers)(uint32_t vp_index, uint64_t partition_id, uint16_t count, const uint32_t *names,
				uint64_t *values);
	int (*set_vp_registers)(uint32_t vp_index, uint64_t partition_id, uint16_t count, const uint32_t *names,
				const uint64_t *values);
	/* state that fits in the hypercall pages (synthetic timers): bytes in and out */
	int (*get_vp_state)(uint32_t vp_index, uint64_t partition_id, uint32_t type, void *out, size_t size);
	int (*set_vp_state)(uint32_t vp_index, uint64_t partition_id, uint32_t type, const void *bytes, uint32_t size);
	int (*map_vp_state_page)(uint64_t partition_id, uint32_t vp_index, uint32_t type, uint64_t *pfn);
	int (*unmap_vp_state_page)(uint64_t partition_id, uint32_t vp_index, uint32_t type, uint64_t pfn);
	int (*assert_virtual_interrupt)(uint64_t partition_id, uint32_t vector, uint64_t dest_addr,
					uint64_t control);
	int (*clear_virtual_interrupt)(uint64_t partition_id);

	/* ports */
	int (*create_port)(uint64_t port_partition_id, uint32_t port_id, uint64_t connection_partition_id,
			   uint32_t port_type, uint32_t target_sint, uint32_t target_vp);
	int (*delete_port)(uint64_t port_partition_id, uint32_t port_id);
	int (*connect_port)(uint64_t port_partition_id, uint32_t port_id, uint64_t connection_partition_id,
			    uint32_t connection_id);
	int (*disconnect_port)(uint64_t connection_partition_id, uint32_t connection_id);
	int (*notify_port_ring_empty)(uint32_t sint_index);

	/* properties and statistics */
	int (*get_partition_property)(uint64_t partition_id, uint64_t code, uint64_t *value);
	int (*set_partition_property)(uint64_t partition_id, uint64_t code, uint64_t value);
	int (*get_partition_property_ex)(uint64_t partition_id, uint64_t code, uint64_t arg, void *value,
					 size_t size);
	/* identity: the partition id (or LP index) and VP index the stats object names */
	int (*map_stats_page)(uint32_t type, uint64_t partition_id, uint32_t vp_index, uint32_t area,
			      void **addr);
	int (*unmap_stats_page)(uint32_t type, uint64_t partition_id, uint32_t vp_index, uint32_t area,
				void *addr);
};

/* The glue's one export: the table for the tree it was compiled with. */
const struct hvsim_kernel_api *hvsim_kernel_api_table(void);

#ifdef __cplusplus
}
#endif

#endif /* HVSIM_KERNEL_API_H */
