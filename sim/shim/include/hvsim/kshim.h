/*
 * Kernel-style hypercall API for user space: what a Linux hypercall wrapper (written like
 * drivers/hv/mshv_root_hv_call.c) needs to issue hypercalls, backed by sim::Machine through
 * the C shim (sim/shim/kshim.cpp). Valid C11 and C++.
 *
 * Sources (docs/sources.md): ASMGEN (result word, rep loop), ASMX86 (register conventions),
 * HVCALL and HVCOMMON (per-CPU pages under local_irq_save); Linux include/asm-generic/mshyperv.h
 * and arch/x86/include/asm/mshyperv.h give the same names.
 */
#ifndef HVSIM_KSHIM_H
#define HVSIM_KSHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef u64 phys_addr_t;

#define U64_MAX ((u64)~0ULL)
#define __packed __attribute__((__packed__))

/* HV_STATUS_<NAME>: the status list of hvcall, declared once in status.def. */
enum hv_status {
#define HV_STATUS(name, value, message) HV_STATUS_##name = value,
#include "hvcall/status.def"
#undef HV_STATUS
};

/* HVCALL_<NAME>: the call codes of hvcall's catalogue, declared once in hypercalls.def. */
enum hv_call_code {
#define HV_CALL(name, tlfs_name, linux_name, code, ...) linux_name = code,
#include "hvcall/hypercalls.def"
#undef HV_CALL
};
/* The older spelling of 0x009A (hvcall's kLinuxAliases), for trees from before the rename. */
#define HVCALL_GET_VP_ID_FROM_APIC_ID HVCALL_GET_VP_INDEX_FROM_APIC_ID

/* Control word fields (GDKMINI). */
#define HV_HYPERCALL_FAST_BIT (1ULL << 16)
#define HV_HYPERCALL_VARHEAD_OFFSET 17
#define HV_HYPERCALL_REP_COMP_OFFSET 32
#define HV_HYPERCALL_REP_COMP_MASK (0xFFFULL << HV_HYPERCALL_REP_COMP_OFFSET)
#define HV_HYPERCALL_REP_START_OFFSET 48
#define HV_HYPERCALL_REP_START_MASK (0xFFFULL << HV_HYPERCALL_REP_START_OFFSET)
#define HV_HYPERCALL_RESULT_MASK 0xFFFFULL

#define HV_HYP_PAGE_SHIFT 12
#define HV_HYP_PAGE_SIZE 4096
#define HV_PARTITION_ID_SELF U64_MAX

/* Result word (GDKMINI, ASMGEN): status in bits 15:0, reps completed in bits 43:32. */
static inline int hv_result(u64 status)
{
	return (int)(status & HV_HYPERCALL_RESULT_MASK);
}

static inline bool hv_result_success(u64 status)
{
	return hv_result(status) == HV_STATUS_SUCCESS;
}

static inline unsigned int hv_repcomp(u64 status)
{
	return (unsigned int)((status & HV_HYPERCALL_REP_COMP_MASK) >> HV_HYPERCALL_REP_COMP_OFFSET);
}

/*
 * The three register conventions of ASMX86. A memory-form call passes virt_to_phys() of
 * its input and output pointers (NULL: GPA 0); both must point into this CPU's hypercall
 * pages. Returns U64_MAX when no machine is attached (Linux: no hypercall page) or when the
 * shim could not issue the call (a shim diagnostic says why).
 */
u64 hv_do_hypercall(u64 control, void *input, void *output);
u64 hv_do_fast_hypercall8(u16 code, u64 input);
u64 hv_do_fast_hypercall16(u16 code, u64 input1, u64 input2);

/*
 * Rep calls as Linux issues them (ASMGEN): the control word is built from the fields
 * without masking, and the call is repeated with rep start = reps completed while it
 * succeeds with fewer than rep_count reps done. The GPAs stay the same on every iteration.
 */
static inline u64 hv_do_rep_hypercall_ex(u16 code, u16 rep_count, u16 varhead_size, u16 rep_start,
					 void *input, void *output)
{
	u64 control = (u64)code | (u64)varhead_size << HV_HYPERCALL_VARHEAD_OFFSET |
		      (u64)rep_count << HV_HYPERCALL_REP_COMP_OFFSET |
		      (u64)rep_start << HV_HYPERCALL_REP_START_OFFSET;
	unsigned int completed;
	u64 status;

	do {
		status = hv_do_hypercall(control, input, output);
		if (!hv_result_success(status))
			return status;
		completed = hv_repcomp(status);
		control &= ~HV_HYPERCALL_REP_START_MASK;
		control |= (u64)completed << HV_HYPERCALL_REP_START_OFFSET;
	} while (completed < rep_count);

	return status;
}

static inline u64 hv_do_rep_hypercall(u16 code, u16 rep_count, u16 varhead_size, void *input, void *output)
{
	return hv_do_rep_hypercall_ex(code, rep_count, varhead_size, 0, input, output);
}

/*
 * Per-CPU hypercall pages in the kernel's shape: `input = *this_cpu_ptr(hyperv_pcpu_input_arg);`
 * gives this CPU's input page (poisoned first in strict mode, as Machine::input_page does).
 * A per-CPU object is an array of one slot per CPU (hvsim/kernel.h has the whole scheme).
 */
extern void **hyperv_pcpu_input_arg;
extern void **hyperv_pcpu_output_arg;
void *hvsim_this_cpu_ptr(const void *base, size_t slot_size);
#define this_cpu_ptr(ptr) ((__typeof__(ptr))hvsim_this_cpu_ptr((const void *)(ptr), sizeof(*(ptr))))

/* The CPU the shim issues calls on (chosen from C++: hvsim::shim_set_cpu). */
int smp_processor_id(void);

/* The GPA of a pointer into this CPU's hypercall pages; anything else is a shim diagnostic. */
phys_addr_t virt_to_phys(const volatile void *address);

/*
 * Interrupt state of this CPU. flags keeps the x86 RFLAGS.IF bit of the state before the
 * save; the shim checks that hypercall pages are used only while interrupts are off.
 */
unsigned long hvsim_local_irq_save(void);
void hvsim_local_irq_restore(unsigned long flags);
#define local_irq_save(flags) ((flags) = hvsim_local_irq_save())
#define local_irq_restore(flags) hvsim_local_irq_restore(flags)

#ifdef __cplusplus
}
#endif

#endif /* HVSIM_KSHIM_H */
