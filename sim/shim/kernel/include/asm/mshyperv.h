/* SPDX-License-Identifier: MIT */
/*
 * The architecture's half of <asm/mshyperv.h>, as arch/x86 provides it to the generic
 * header: the hypercall instruction in its three register conventions (ASMX86), issued on
 * the model by hvsim's shim, and the partition-type state hv_common.c keeps. The generic
 * half is the tree's own include/asm-generic/mshyperv.h, included at the end as x86 does.
 */
#ifndef HVSIM_ASM_MSHYPERV_H
#define HVSIM_ASM_MSHYPERV_H

#include <hvsim/kernel.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A memory-form call passes virt_to_phys() of its input and output pointers (NULL: GPA 0):
 * a per-CPU hypercall page or a page from alloc_pages. Returns U64_MAX when no machine is
 * attached (Linux: no hypercall page) or when a pointer is in neither (a shim diagnostic).
 */
u64 hv_do_hypercall(u64 control, void *input, void *output);
u64 hv_do_fast_hypercall8(u16 code, u64 input1);
u64 hv_do_fast_hypercall16(u16 code, u64 input1, u64 input2);

extern void *hv_hypercall_pg;

#ifdef __cplusplus
}
#endif

#include <asm-generic/mshyperv.h>

#endif /* HVSIM_ASM_MSHYPERV_H */
