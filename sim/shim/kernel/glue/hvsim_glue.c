// SPDX-License-Identifier: MIT
/*
 * hvsim's glue, compiled with a tree's driver files by `hvsim kernel check`: what the rest of
 * the mshv_root module and hv_common.c would define for them (mshv_root, the partition type),
 * and one plain-typed adapter per driver function (hvsim/kernel_api.h) that builds the tree's
 * structs and unions from hvsim's arguments, for the API revision the tree has.
 *
 * Arguments whose layout the ABI fixes are written by byte offset (root-hypercalls.md §5,
 * HDK), so that a field renamed between releases does not matter; the tree's own types are
 * used only for what is passed through. HVSIM_HAVE_<function> comes from the tree probe.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <asm/mshyperv.h>

#include "mshv_root.h"
#if __has_include("mshv.h")
#include "mshv.h" /* mshv_common.c's prototypes, where the tree keeps them there */
#endif

#include <hvsim/kernel_api.h>

/* jmp_buf without <setjmp.h> (the C library's headers stay out of the kernel environment). */
typedef long hvsim_jmp_buf[32] __aligned(16);
int _setjmp(hvsim_jmp_buf env) __attribute__((__returns_twice__));
void *hvsim_set_bug_target(hvsim_jmp_buf *target);

/* --- what the rest of the module defines -------------------------------------------------- */
struct mshv_root mshv_root;
enum hv_partition_type hv_curr_partition_type = HV_PARTITION_TYPE_ROOT;

/* --- helpers ------------------------------------------------------------------------------- */
static void put32(void *base, size_t offset, u32 value) { memcpy((u8 *)base + offset, &value, sizeof(value)); }
static void put64(void *base, size_t offset, u64 value) { memcpy((u8 *)base + offset, &value, sizeof(value)); }

/*
 * Runs a driver call so that BUG() inside it returns here. The body is a statement setting
 * `ret`; a BUG makes the call return HVSIM_KERNEL_BUGGED.
 */
#define HVSIM_GUARDED(body) \
	({ \
		hvsim_jmp_buf __env; \
		void *__prev = hvsim_set_bug_target(&__env); \
		volatile int __ret = HVSIM_KERNEL_BUGGED; \
		if (_setjmp(__env) == 0) { \
			int ret; \
			body; \
			__ret = ret; \
		} \
		hvsim_set_bug_target(__prev); \
		__ret; \
	})

/* struct page pointers for PFNs, as pinned user pages would give (freed by the caller). */
static struct page **pages_of(const u64 *pfns, u64 count)
{
	struct page **pages;
	u64 i;

	if (!pfns)
		return NULL;
	pages = kmalloc_array(count ? count : 1, sizeof(*pages), GFP_KERNEL | __GFP_NOFAIL);
	for (i = 0; i < count; i++)
		pages[i] = pfn_to_page(pfns[i]);
	return pages;
}

/* --- hv_proc.c ----------------------------------------------------------------------------- */
#ifdef HVSIM_HAVE_hv_call_deposit_pages
static int glue_deposit_pages(int node, u64 partition_id, u32 num_pages)
{
	return HVSIM_GUARDED(ret = hv_call_deposit_pages(node, partition_id, num_pages));
}
#else
#define glue_deposit_pages NULL
#endif

#ifdef HVSIM_HAVE_hv_call_create_vp
static int glue_create_vp(int node, u64 partition_id, u32 vp_index, u32 flags)
{
	return HVSIM_GUARDED(ret = hv_call_create_vp(node, partition_id, vp_index, flags));
}
#else
#define glue_create_vp NULL
#endif

#ifdef HVSIM_HAVE_hv_call_add_logical_proc
static int glue_add_logical_proc(int node, u32 lp_index, u32 apic_id)
{
	return HVSIM_GUARDED(ret = hv_call_add_logical_proc(node, lp_index, apic_id));
}
#else
#define glue_add_logical_proc NULL
#endif

#ifdef HVSIM_HAVE_hv_call_notify_all_processors_started
static int glue_notify_all_processors_started(void)
{
	return HVSIM_GUARDED(ret = hv_call_notify_all_processors_started());
}
#else
#define glue_notify_all_processors_started NULL
#endif

#ifdef HVSIM_HAVE_hv_lp_exists
static int glue_lp_exists(u32 lp_index, int *exists)
{
	return HVSIM_GUARDED(*exists = hv_lp_exists(lp_index); ret = 0);
}
#else
#define glue_lp_exists NULL
#endif

/* --- partitions and memory ------------------------------------------------------------------ */
#ifdef HVSIM_HAVE_hv_call_create_partition
static int glue_create_partition(u64 flags, u64 *partition_id)
{
	struct hv_partition_creation_properties creation;
	union hv_partition_isolation_properties isolation;

	memset(&creation, 0, sizeof(creation));
	memset(&isolation, 0, sizeof(isolation));
	return HVSIM_GUARDED(ret = hv_call_create_partition(flags, creation, isolation, partition_id));
}
#else
#define glue_create_partition NULL
#endif

#ifdef HVSIM_HAVE_hv_call_initialize_partition
static int glue_initialize_partition(u64 id) { return HVSIM_GUARDED(ret = hv_call_initialize_partition(id)); }
#else
#define glue_initialize_partition NULL
#endif

#ifdef HVSIM_HAVE_hv_call_finalize_partition
static int glue_finalize_partition(u64 id) { return HVSIM_GUARDED(ret = hv_call_finalize_partition(id)); }
#else
#define glue_finalize_partition NULL
#endif

#ifdef HVSIM_HAVE_hv_call_delete_partition
static int glue_delete_partition(u64 id) { return HVSIM_GUARDED(ret = hv_call_delete_partition(id)); }
#else
#define glue_delete_partition NULL
#endif

#ifdef HVSIM_HAVE_hv_call_withdraw_memory
static int glue_withdraw_memory(u64 count, int node, u64 id)
{
	return HVSIM_GUARDED(ret = hv_call_withdraw_memory(count, node, id));
}
#else
#define glue_withdraw_memory NULL
#endif

#ifdef HVSIM_HAVE_hv_call_map_gpa_pages
static int glue_map_gpa_pages(u64 id, u64 gfn, u64 count, u32 flags, const u64 *pfns)
{
	struct page **pages = pages_of(pfns, count);
	int r = HVSIM_GUARDED(ret = hv_call_map_gpa_pages(id, gfn, count, flags, pages));

	kfree(pages);
	return r;
}
#else
#define glue_map_gpa_pages NULL
#endif

#ifdef HVSIM_HAVE_hv_call_map_mmio_pages
static int glue_map_mmio_pages(u64 id, u64 gfn, u64 mmio_spa, u64 count)
{
	return HVSIM_GUARDED(ret = hv_call_map_mmio_pages(id, gfn, mmio_spa, count));
}
#else
#define glue_map_mmio_pages NULL
#endif

#ifdef HVSIM_HAVE_hv_call_unmap_gpa_pages
static int glue_unmap_gpa_pages(u64 id, u64 gfn, u64 count, u32 flags)
{
	return HVSIM_GUARDED(ret = hv_call_unmap_gpa_pages(id, gfn, count, flags));
}
#else
#define glue_unmap_gpa_pages NULL
#endif

#ifdef HVSIM_HAVE_hv_call_get_gpa_access_states
static int glue_get_gpa_access_states(u64 id, u32 count, u64 gfn, u64 state_flags, int *written, u8 *states)
{
	union hv_gpa_page_access_state_flags flags;

	BUILD_BUG_ON(sizeof(union hv_gpa_page_access_state) != 1);
	memset(&flags, 0, sizeof(flags));
	memcpy(&flags, &state_flags, min(sizeof(flags), sizeof(state_flags)));
	return HVSIM_GUARDED(ret = hv_call_get_gpa_access_states(id, count, gfn, flags, written,
								  (union hv_gpa_page_access_state *)states));
}
#else
#define glue_get_gpa_access_states NULL
#endif

#ifdef HVSIM_HAVE_hv_call_modify_spa_host_access
static int glue_modify_spa_host_access(u64 id, const u64 *pfns, u64 count, u32 access, u32 flags, u8 acquire)
{
	struct page **pages = pages_of(pfns, count);
	int r = HVSIM_GUARDED(ret = hv_call_modify_spa_host_access(id, pages, count, access, flags, acquire));

	kfree(pages);
	return r;
}
#else
#define glue_modify_spa_host_access NULL
#endif

/* --- VPs and interrupts ---------------------------------------------------------------------- */
#ifdef HVSIM_HAVE_hv_call_delete_vp
static int glue_delete_vp(u64 id, u32 vp) { return HVSIM_GUARDED(ret = hv_call_delete_vp(id, vp)); }
#else
#define glue_delete_vp NULL
#endif

#ifdef HVSIM_HAVE_hv_call_get_vp_registers
static int glue_get_vp_registers(u32 vp, u64 id, u16 count, const u32 *names, u64 *values)
{
	struct hv_register_assoc *regs = kcalloc(count ? count : 1, sizeof(*regs), GFP_KERNEL | __GFP_NOFAIL);
	union hv_input_vtl vtl;
	int r;
	u16 i;

	BUILD_BUG_ON(sizeof(*regs) != 32);
	memset(&vtl, 0, sizeof(vtl));
	for (i = 0; i < count; i++)
		put32(&regs[i], 0, names[i]);
	r = HVSIM_GUARDED(ret = hv_call_get_vp_registers(vp, id, count, vtl, regs));
	for (i = 0; i < count; i++)
		memcpy(&values[2 * i], (u8 *)&regs[i] + 16, 16);
	kfree(regs);
	return r;
}

static int glue_set_vp_registers(u32 vp, u64 id, u16 count, const u32 *names, const u64 *values)
{
	struct hv_register_assoc *regs = kcalloc(count ? count : 1, sizeof(*regs), GFP_KERNEL | __GFP_NOFAIL);
	union hv_input_vtl vtl;
	int r;
	u16 i;

	memset(&vtl, 0, sizeof(vtl));
	for (i = 0; i < count; i++) {
		put32(&regs[i], 0, names[i]);
		memcpy((u8 *)&regs[i] + 16, &values[2 * i], 16);
	}
	r = HVSIM_GUARDED(ret = hv_call_set_vp_registers(vp, id, count, vtl, regs));
	kfree(regs);
	return r;
}
#else
#define glue_get_vp_registers NULL
#define glue_set_vp_registers NULL
#endif

#if defined(HVSIM_HAVE_hv_call_get_vp_state) && defined(HVSIM_HAVE_hv_call_set_vp_state)
static int glue_get_vp_state(u32 vp, u64 id, u32 type, void *out, size_t size)
{
	struct hv_vp_state_data data;
	union hv_output_get_vp_state output;
	int r;

	memset(&data, 0, sizeof(data));
	data.type = type;
	memset(&output, 0, sizeof(output));
	r = HVSIM_GUARDED(ret = hv_call_get_vp_state(vp, id, data, 0, NULL, &output));
	memcpy(out, &output, min(size, sizeof(output)));
	return r;
}

static int glue_set_vp_state(u32 vp, u64 id, u32 type, const void *bytes, u32 size)
{
	struct hv_vp_state_data data;

	memset(&data, 0, sizeof(data));
	data.type = type;
	return HVSIM_GUARDED(ret = hv_call_set_vp_state(vp, id, data, 0, NULL, size, (u8 *)bytes));
}
#else
#define glue_get_vp_state NULL
#define glue_set_vp_state NULL
#endif

#if defined(HVSIM_HAVE_hv_map_vp_state_page) && defined(HVSIM_HAVE_hv_unmap_vp_state_page)
static int glue_map_vp_state_page(u64 id, u32 vp, u32 type, u64 *pfn)
{
	struct page *page = NULL;
	union hv_input_vtl vtl;
	int r;

	memset(&vtl, 0, sizeof(vtl));
	r = HVSIM_GUARDED(ret = hv_map_vp_state_page(id, vp, type, vtl, &page));
	*pfn = (!r && page) ? page_to_pfn(page) : 0;
	return r;
}

static int glue_unmap_vp_state_page(u64 id, u32 vp, u32 type, u64 pfn)
{
	union hv_input_vtl vtl;

	memset(&vtl, 0, sizeof(vtl));
	return HVSIM_GUARDED(ret = hv_unmap_vp_state_page(id, vp, type, pfn ? pfn_to_page(pfn) : NULL, vtl));
}
#else
#define glue_map_vp_state_page NULL
#define glue_unmap_vp_state_page NULL
#endif

#ifdef HVSIM_HAVE_hv_call_assert_virtual_interrupt
static int glue_assert_virtual_interrupt(u64 id, u32 vector, u64 dest, u64 control)
{
	union hv_interrupt_control c;

	BUILD_BUG_ON(sizeof(c) != 8);
	memcpy(&c, &control, sizeof(c));
	return HVSIM_GUARDED(ret = hv_call_assert_virtual_interrupt(id, vector, dest, c));
}
#else
#define glue_assert_virtual_interrupt NULL
#endif

#ifdef HVSIM_HAVE_hv_call_clear_virtual_interrupt
static int glue_clear_virtual_interrupt(u64 id) { return HVSIM_GUARDED(ret = hv_call_clear_virtual_interrupt(id)); }
#else
#define glue_clear_virtual_interrupt NULL
#endif

/* --- ports -------------------------------------------------------------------------------------- */
#ifdef HVSIM_HAVE_hv_call_create_port
static int glue_create_port(u64 port_pid, u32 port_id, u64 conn_pid, u32 port_type, u32 sint, u32 target_vp)
{
	union hv_port_id pid;
	struct hv_port_info info;

	BUILD_BUG_ON(sizeof(pid) != 4 || sizeof(info) != 24);
	memcpy(&pid, &port_id, 4);
	memset(&info, 0, sizeof(info));
	put32(&info, 0, port_type);
	put32(&info, 8, sint);
	put32(&info, 12, target_vp);
	return HVSIM_GUARDED(ret = hv_call_create_port(port_pid, pid, conn_pid, &info, 0, 0, NUMA_NO_NODE));
}
#else
#define glue_create_port NULL
#endif

#ifdef HVSIM_HAVE_hv_call_delete_port
static int glue_delete_port(u64 port_pid, u32 port_id)
{
	union hv_port_id pid;

	memcpy(&pid, &port_id, 4);
	return HVSIM_GUARDED(ret = hv_call_delete_port(port_pid, pid));
}
#else
#define glue_delete_port NULL
#endif

#ifdef HVSIM_HAVE_hv_call_connect_port
static int glue_connect_port(u64 port_pid, u32 port_id, u64 conn_pid, u32 connection_id)
{
	union hv_port_id pid;
	union hv_connection_id cid;
	struct hv_connection_info info;

	BUILD_BUG_ON(sizeof(cid) != 4 || sizeof(info) != 32);
	memcpy(&pid, &port_id, 4);
	memcpy(&cid, &connection_id, 4);
	memset(&info, 0, sizeof(info));
	put32(&info, 0, 1); /* HV_PORT_TYPE_MESSAGE */
	return HVSIM_GUARDED(ret = hv_call_connect_port(port_pid, pid, conn_pid, cid, &info, 0, NUMA_NO_NODE));
}
#else
#define glue_connect_port NULL
#endif

#ifdef HVSIM_HAVE_hv_call_disconnect_port
static int glue_disconnect_port(u64 conn_pid, u32 connection_id)
{
	union hv_connection_id cid;

	memcpy(&cid, &connection_id, 4);
	return HVSIM_GUARDED(ret = hv_call_disconnect_port(conn_pid, cid));
}
#else
#define glue_disconnect_port NULL
#endif

#ifdef HVSIM_HAVE_hv_call_notify_port_ring_empty
static int glue_notify_port_ring_empty(u32 sint) { return HVSIM_GUARDED(ret = hv_call_notify_port_ring_empty(sint)); }
#else
#define glue_notify_port_ring_empty NULL
#endif

/* --- properties and statistics ------------------------------------------------------------------ */
#ifdef HVSIM_HAVE_hv_call_get_partition_property
static int glue_get_partition_property(u64 id, u64 code, u64 *value)
{
	return HVSIM_GUARDED(ret = hv_call_get_partition_property(id, code, value));
}
#else
#define glue_get_partition_property NULL
#endif

#ifdef HVSIM_HAVE_hv_call_set_partition_property
static int glue_set_partition_property(u64 id, u64 code, u64 value)
{
	return HVSIM_GUARDED(ret = hv_call_set_partition_property(id, code, value));
}
#else
#define glue_set_partition_property NULL
#endif

#ifdef HVSIM_HAVE_hv_call_get_partition_property_ex
static int glue_get_partition_property_ex(u64 id, u64 code, u64 arg, void *value, size_t size)
{
	return HVSIM_GUARDED(ret = hv_call_get_partition_property_ex(id, code, arg, value, size));
}
#else
#define glue_get_partition_property_ex NULL
#endif

/* The stats identity union (16 bytes): partition id (or LP index) at 0, VP index at 8, area at 15. */
static void __maybe_unused stats_identity(union hv_stats_object_identity *identity, u32 type, u64 id, u32 vp,
					   u32 area)
{
	BUILD_BUG_ON(sizeof(*identity) != 16);
	memset(identity, 0, sizeof(*identity));
	if (type == HV_STATS_OBJECT_LOGICAL_PROCESSOR)
		put32(identity, 0, (u32)id);
	else if (type != HV_STATS_OBJECT_HYPERVISOR)
		put64(identity, 0, id);
	if (type == HV_STATS_OBJECT_VP)
		put32(identity, 8, vp);
	((u8 *)identity)[15] = (u8)area;
}

#if defined(HVSIM_HAVE_hv_map_stats_page) && defined(HVSIM_HAVE_hv_unmap_stats_page)

static int glue_map_stats_page(u32 type, u64 id, u32 vp, u32 area, void **addr)
{
	union hv_stats_object_identity identity;
	struct hv_stats_page *page = NULL;
	int r;

	stats_identity(&identity, type, id, vp, area);
	r = HVSIM_GUARDED(ret = hv_map_stats_page((enum hv_stats_object_type)type, &identity, &page));
	*addr = page;
	return r;
}

static int glue_unmap_stats_page(u32 type, u64 id, u32 vp, u32 area, void *addr)
{
	union hv_stats_object_identity identity;

	stats_identity(&identity, type, id, vp, area);
	return HVSIM_GUARDED(ret = hv_unmap_stats_page((enum hv_stats_object_type)type, addr, &identity));
}
#elif defined(HVSIM_HAVE_hv_call_map_stat_page) && defined(HVSIM_HAVE_hv_call_unmap_stat_page)
/* The 6.19 revision: the hypervisor picks the page; a newer header may not declare these. */
int hv_call_map_stat_page(enum hv_stats_object_type type, const union hv_stats_object_identity *identity,
			  void **addr);
int hv_call_unmap_stat_page(enum hv_stats_object_type type, const union hv_stats_object_identity *identity);


static int glue_map_stats_page(u32 type, u64 id, u32 vp, u32 area, void **addr)
{
	union hv_stats_object_identity identity;

	stats_identity(&identity, type, id, vp, area);
	*addr = NULL;
	return HVSIM_GUARDED(ret = hv_call_map_stat_page((enum hv_stats_object_type)type, &identity, addr));
}

static int glue_unmap_stats_page(u32 type, u64 id, u32 vp, u32 area, void *addr)
{
	union hv_stats_object_identity identity;

	(void)addr;
	stats_identity(&identity, type, id, vp, area);
	return HVSIM_GUARDED(ret = hv_call_unmap_stat_page((enum hv_stats_object_type)type, &identity));
}
#else
#define glue_map_stats_page NULL
#define glue_unmap_stats_page NULL
#endif

static const struct hvsim_kernel_api api = {
	.version = HVSIM_KERNEL_API_VERSION,
	.deposit_pages = glue_deposit_pages,
	.create_vp = glue_create_vp,
	.add_logical_proc = glue_add_logical_proc,
	.notify_all_processors_started = glue_notify_all_processors_started,
	.lp_exists = glue_lp_exists,
	.create_partition = glue_create_partition,
	.initialize_partition = glue_initialize_partition,
	.finalize_partition = glue_finalize_partition,
	.delete_partition = glue_delete_partition,
	.withdraw_memory = glue_withdraw_memory,
	.map_gpa_pages = glue_map_gpa_pages,
	.map_mmio_pages = glue_map_mmio_pages,
	.unmap_gpa_pages = glue_unmap_gpa_pages,
	.get_gpa_access_states = glue_get_gpa_access_states,
	.modify_spa_host_access = glue_modify_spa_host_access,
	.delete_vp = glue_delete_vp,
	.get_vp_registers = glue_get_vp_registers,
	.set_vp_registers = glue_set_vp_registers,
	.get_vp_state = glue_get_vp_state,
	.set_vp_state = glue_set_vp_state,
	.map_vp_state_page = glue_map_vp_state_page,
	.unmap_vp_state_page = glue_unmap_vp_state_page,
	.assert_virtual_interrupt = glue_assert_virtual_interrupt,
	.clear_virtual_interrupt = glue_clear_virtual_interrupt,
	.create_port = glue_create_port,
	.delete_port = glue_delete_port,
	.connect_port = glue_connect_port,
	.disconnect_port = glue_disconnect_port,
	.notify_port_ring_empty = glue_notify_port_ring_empty,
	.get_partition_property = glue_get_partition_property,
	.set_partition_property = glue_set_partition_property,
	.get_partition_property_ex = glue_get_partition_property_ex,
	.map_stats_page = glue_map_stats_page,
	.unmap_stats_page = glue_unmap_stats_page,
};

const struct hvsim_kernel_api *hvsim_kernel_api_table(void)
{
	return &api;
}
