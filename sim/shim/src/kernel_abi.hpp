// The C functions and data the shim defines for kernel code, with the signatures the C
// headers declare them with (hvsim/kernel.h, asm/mshyperv.h, hvsim/kshim.h, and what the
// tree's asm-generic/mshyperv.h declares of hv_common.c). Kept in one list so that each
// definition is checked against its declaration.
#pragma once

#include <csetjmp>
#include <cstdarg>
#include <cstddef>
#include <cstdint>

#include "../kernel/include/hvsim/kernel_page.h"  // the C layout of struct page

using u16 = std::uint16_t;
using u64 = std::uint64_t;
using gfp_t = unsigned int;
using phys_addr_t = std::uint64_t;

extern "C" {
// The architecture: the hypercall instruction, per-CPU data, interrupts (kshim.cpp).
extern void** hyperv_pcpu_input_arg;
extern void** hyperv_pcpu_output_arg;
extern u64 hv_current_partition_id;
extern void* hv_hypercall_pg;
u64 hv_do_hypercall(u64 control, void* input, void* output);
u64 hv_do_fast_hypercall8(u16 code, u64 input);
u64 hv_do_fast_hypercall16(u16 code, u64 input1, u64 input2);
void* hvsim_this_cpu_ptr(const void* base, std::size_t slot_size);
void* hvsim_per_cpu_ptr(const void* base, std::size_t slot_size, int cpu);
int smp_processor_id(void);
phys_addr_t virt_to_phys(const volatile void* address);
unsigned long hvsim_local_irq_save(void);
void hvsim_local_irq_restore(unsigned long flags);
void hvsim_local_irq_disable(void);
void hvsim_local_irq_enable(void);
bool hvsim_irqs_disabled(void);

// Memory (kmem.cpp).
extern struct page* hvsim_mem_map;
extern unsigned long max_pfn;
extern unsigned int nr_cpu_ids;
void* page_address(const struct page* page);
struct page* virt_to_page(const volatile void* address);
void* phys_to_virt(phys_addr_t address);
int page_is_ram(unsigned long pfn);
struct page* alloc_pages_node(int nid, gfp_t gfp, unsigned int order);
void __free_pages(struct page* page, unsigned int order);
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
void free_pages(unsigned long address, unsigned int order);
void put_page(struct page* page);
void split_page(struct page* page, unsigned int order);
void* kmalloc(std::size_t size, gfp_t flags);
void* krealloc(const void* p, std::size_t size, gfp_t flags);
void kfree(const void* p);
void* hvsim_alloc_percpu(std::size_t size, std::size_t align);
void hvsim_free_percpu(const void* base);

// The log, WARN and BUG, hv_common.c's helpers (klog.cpp).
int printk(const char* fmt, ...);
int vprintk(const char* fmt, va_list args);
void hvsim_warn(const char* file, int line, const char* what);
[[noreturn]] void hvsim_bug(const char* file, int line, const char* what);
std::jmp_buf* hvsim_set_bug_target(std::jmp_buf* target);
int hv_result_to_errno(u64 status);
const char* hv_result_to_string(u64 status);
const char* hv_status_to_string(u64 status);
}
