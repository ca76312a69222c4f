/* SPDX-License-Identifier: MIT */
/*
 * struct page of hvsim's kernel environment, shared by the C side (hvsim/kernel.h) and the
 * shim that implements the page allocator (kmem.cpp). One struct page per 4 KiB page of the
 * model's root RAM, in one array (hvsim_mem_map), as FLATMEM kernels keep mem_map.
 */
#ifndef HVSIM_KERNEL_PAGE_H
#define HVSIM_KERNEL_PAGE_H

#ifdef __cplusplus
extern "C" {
#endif

struct page {
	unsigned long flags;   /* HVSIM_PAGE_* */
	int refcount;
	int order; /* the order of the allocation this page heads, or -1 */
};

#define HVSIM_PAGE_ALLOCATED 0x1UL /* handed out by alloc_pages and not yet freed */

#ifdef __cplusplus
}
#endif

#endif /* HVSIM_KERNEL_PAGE_H */
