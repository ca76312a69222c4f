/* SPDX-License-Identifier: MIT */
/*
 * The core kernel, as much of it as a Linux Hyper-V driver file needs to compile and run in
 * user space: types, compiler attributes, bit and size helpers, errno values, printing,
 * memory (kmalloc, struct page, a page allocator over the model's root RAM), per-CPU data,
 * interrupts, locks, lists and NUMA. Every <linux/...> header of hvsim's kernel environment
 * includes this one; the tree's own headers (include/hyperv/, asm-generic/mshyperv.h,
 * uapi/linux/mshv.h, the headers of drivers/hv) stay the tree's.
 *
 * Written for hvsim from the kernel's documented interfaces (KAPI in docs/sources.md); the
 * semantics are the kernel's where a driver could observe them (allocation may fail, pages
 * have PFNs in the root's RAM, per-CPU pointers index one slot per CPU), and minimal where it
 * could not (locks are single-threaded no-ops, RCU is immediate).
 */
#ifndef HVSIM_KERNEL_H
#define HVSIM_KERNEL_H

/* Only the compiler's freestanding headers: the C library's would pull in <linux/...> again. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* --- types ------------------------------------------------------------------------------ */
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef u8 __u8;
typedef u16 __u16;
typedef u32 __u32;
typedef u64 __u64;
typedef s8 __s8;
typedef s16 __s16;
typedef s32 __s32;
typedef s64 __s64;
typedef u16 __le16;
typedef u32 __le32;
typedef u64 __le64;
typedef u16 __be16;
typedef u32 __be32;
typedef u64 __be64;
typedef u64 phys_addr_t;
typedef u64 dma_addr_t;
typedef u64 resource_size_t;
typedef unsigned int gfp_t;
typedef unsigned long pgoff_t;
typedef long long loff_t;
typedef unsigned short umode_t;
typedef unsigned int __poll_t;
typedef unsigned long ulong;
typedef unsigned int uint;
typedef unsigned short ushort;
typedef long hvsim_ssize_t;
#define ssize_t hvsim_ssize_t
typedef struct {
	__u8 b[16];
} guid_t;
typedef guid_t uuid_t;

/* The C library's string functions, which the kernel has too (lib/string.c). */
void *memset(void *s, int c, size_t n);
void *memcpy(void *dest, const void *src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
int snprintf(char *buf, size_t size, const char *fmt, ...);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
#define memzero_explicit(s, n) memset(s, 0, n)

/* --- compiler --------------------------------------------------------------------------- */
#ifndef __packed
#define __packed __attribute__((__packed__))
#endif
#define __aligned(x) __attribute__((__aligned__(x)))
#undef __always_inline /* the C library's <sys/cdefs.h> has its own */
#define __always_inline inline __attribute__((__always_inline__))
#define noinline __attribute__((__noinline__))
#define __noreturn __attribute__((__noreturn__))
#define __must_check __attribute__((__warn_unused_result__))
#define __maybe_unused __attribute__((__unused__))
#define __always_unused __attribute__((__unused__))
#define __used __attribute__((__used__))
#define __weak __attribute__((__weak__))
#define __cold __attribute__((__cold__))
#define __printf(a, b) __attribute__((__format__(printf, a, b)))
#define __init
#define __exit
#define __initdata
#define __initconst
#define __ro_after_init
#define __read_mostly
#define __iomem
#define __user
#define __percpu
#define __rcu
#define __force
#define __bitwise
#define __kernel
#define __safe
#define __nocast
#define __must_hold(x)
#define __acquires(x)
#define __releases(x)
#define __counted_by(member)
#define __counted_by_le(member)
#define __nonstring
#define __randomize_layout
#define __no_randomize_layout
#undef __attribute_const__
#define __attribute_const__ __attribute__((__const__))
#define notrace
#define asmlinkage
#define fallthrough __attribute__((__fallthrough__))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define barrier() __asm__ __volatile__("" ::: "memory")
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val) (*(volatile __typeof__(x) *)&(x) = (val))
#define smp_mb() __sync_synchronize()
#define smp_rmb() __sync_synchronize()
#define smp_wmb() __sync_synchronize()
#define mb() __sync_synchronize()
#define rmb() __sync_synchronize()
#define wmb() __sync_synchronize()
#define __stringify_1(x...) #x
#define __stringify(x...) __stringify_1(x)
#define __same_type(a, b) __builtin_types_compatible_p(__typeof__(a), __typeof__(b))
#define typeof_member(T, m) __typeof__(((T *)0)->m)

/* static_assert with or without a message, as <linux/build_bug.h> has it. */
#ifndef __cplusplus
#undef static_assert
#define static_assert(expr, ...) __hvsim_static_assert(expr, ##__VA_ARGS__, #expr)
#define __hvsim_static_assert(expr, msg, ...) _Static_assert(expr, msg)
#endif
#define BUILD_BUG_ON(cond) ((void)sizeof(char[1 - 2 * !!(cond)]))
#define BUILD_BUG_ON_MSG(cond, msg) BUILD_BUG_ON(cond)
#define BUILD_BUG_ON_ZERO(e) ((int)(sizeof(struct { int : (-!!(e)); })))
#define BUILD_BUG() BUILD_BUG_ON(1)

/* IS_ENABLED(CONFIG_FOO): 1 for the options below, else 0 (the kernel's kconfig.h trick). */
#define CONFIG_X86 1
#define CONFIG_X86_64 1
#define CONFIG_64BIT 1
#define CONFIG_HYPERV 1
#define CONFIG_MSHV_ROOT 1
#define CONFIG_NUMA 1
#define CONFIG_SMP 1
#define __ARG_PLACEHOLDER_1 0,
#define __take_second_arg(__ignored, val, ...) val
#define __is_defined(x) ___is_defined(x)
#define ___is_defined(val) ____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk) __take_second_arg(arg1_or_junk 1, 0)
#define IS_ENABLED(option) __is_defined(option)
#define IS_BUILTIN(option) __is_defined(option)
#define IS_MODULE(option) 0
#define IS_REACHABLE(option) __is_defined(option)

/* --- sizes, bits and arithmetic ----------------------------------------------------------- */
#define U8_MAX ((u8)~0U)
#define U16_MAX ((u16)~0U)
#define U32_MAX ((u32)~0U)
#define U64_MAX ((u64)~0ULL)
#define S8_MAX ((s8)(U8_MAX >> 1))
#define S16_MAX ((s16)(U16_MAX >> 1))
#define S32_MAX ((s32)(U32_MAX >> 1))
#define S64_MAX ((s64)(U64_MAX >> 1))
#define S64_MIN ((s64)(-S64_MAX - 1))
#define INT_MAX ((int)(~0U >> 1))
#define INT_MIN (-INT_MAX - 1)
#define UINT_MAX (~0U)
#define LONG_MAX ((long)(~0UL >> 1))
#define ULONG_MAX (~0UL)
#define LLONG_MAX ((long long)(~0ULL >> 1))
#define ULLONG_MAX (~0ULL)
#define BITS_PER_BYTE 8
#define BITS_PER_LONG 64
#define BITS_PER_LONG_LONG 64
#define BIT(nr) (1UL << (nr))
#define BIT_ULL(nr) (1ULL << (nr))
#define BIT_MASK(nr) (1UL << ((nr) % BITS_PER_LONG))
#define BIT_WORD(nr) ((nr) / BITS_PER_LONG)
#define GENMASK(h, l) (((~0UL) - (1UL << (l)) + 1) & (~0UL >> (BITS_PER_LONG - 1 - (h))))
#define GENMASK_ULL(h, l) (((~0ULL) - (1ULL << (l)) + 1) & (~0ULL >> (BITS_PER_LONG_LONG - 1 - (h))))
#define GENMASK_U64(h, l) GENMASK_ULL(h, l)
#define BITS_TO_LONGS(nr) (((nr) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]
#define __bf_shf(x) (__builtin_ffsll(x) - 1)
#define FIELD_PREP(mask, val) (((u64)(val) << __bf_shf(mask)) & (mask))
#define FIELD_GET(mask, reg) ((__typeof__(mask))(((reg) & (mask)) >> __bf_shf(mask)))
#define FIELD_MAX(mask) ((__typeof__(mask))((mask) >> __bf_shf(mask)))
#define SZ_1K 0x00000400
#define SZ_4K 0x00001000
#define SZ_64K 0x00010000
#define SZ_1M 0x00100000
#define SZ_2M 0x00200000
#define SZ_1G 0x40000000
#define KB (1UL << 10)
#define MB (1UL << 20)
#define GB (1UL << 30)

#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define container_of_const(ptr, type, member) container_of(ptr, type, member)
#define sizeof_field(TYPE, MEMBER) sizeof((((TYPE *)0)->MEMBER))
#define offsetofend(TYPE, MEMBER) (offsetof(TYPE, MEMBER) + sizeof_field(TYPE, MEMBER))
#define struct_size(p, member, count) (sizeof(*(p)) + sizeof(*(p)->member) * (size_t)(count))
#define struct_size_t(type, member, count) struct_size((type *)NULL, member, count)
#define flex_array_size(p, member, count) (sizeof(*(p)->member) * (size_t)(count))
#define size_add(a, b) ((size_t)(a) + (size_t)(b))
#define size_mul(a, b) ((size_t)(a) * (size_t)(b))
#define array_size(a, b) size_mul(a, b)
#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d) __builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)
#define DECLARE_FLEX_ARRAY(TYPE, NAME) \
	struct { \
		struct { \
		} __empty_##NAME; \
		TYPE NAME[]; \
	}
#define __DECLARE_FLEX_ARRAY(TYPE, NAME) DECLARE_FLEX_ARRAY(TYPE, NAME)
/* Members that start where TYPE's flexible array FAM starts, overlaying it (<linux/stddef.h>). */
#define __TRAILING_OVERLAP(TYPE, NAME, FAM, ATTRS, MEMBERS) \
	union { \
		TYPE NAME; \
		struct { \
			unsigned char __hvsim_skip_##NAME[offsetof(TYPE, FAM)]; \
			MEMBERS \
		} ATTRS; \
	}
#define TRAILING_OVERLAP(TYPE, NAME, FAM, MEMBERS) __TRAILING_OVERLAP(TYPE, NAME, FAM, , MEMBERS)

#define min(x, y) \
	({ \
		__typeof__(x) __hvsim_min_x = (x); \
		__typeof__(y) __hvsim_min_y = (y); \
		__hvsim_min_x < __hvsim_min_y ? __hvsim_min_x : __hvsim_min_y; \
	})
#define max(x, y) \
	({ \
		__typeof__(x) __hvsim_max_x = (x); \
		__typeof__(y) __hvsim_max_y = (y); \
		__hvsim_max_x > __hvsim_max_y ? __hvsim_max_x : __hvsim_max_y; \
	})
#define min_t(type, x, y) min((type)(x), (type)(y))
#define max_t(type, x, y) max((type)(x), (type)(y))
#define umin(x, y) min((u64)(x), (u64)(y))
#define umax(x, y) max((u64)(x), (u64)(y))
#define min3(x, y, z) min(min(x, y), z)
#define clamp(val, lo, hi) min(max(val, lo), hi)
#define clamp_t(type, val, lo, hi) min_t(type, max_t(type, val, lo), hi)
#define swap(a, b) \
	do { \
		__typeof__(a) __hvsim_tmp = (a); \
		(a) = (b); \
		(b) = __hvsim_tmp; \
	} while (0)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define DIV_ROUND_UP_ULL(n, d) DIV_ROUND_UP((unsigned long long)(n), (d))
#define __ALIGN_MASK(x, mask) (((x) + (mask)) & ~(mask))
#define ALIGN(x, a) __ALIGN_MASK(x, (__typeof__(x))(a) - 1)
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define round_up(x, y) ((((x) - 1) | ((__typeof__(x))((y) - 1))) + 1)
#define round_down(x, y) ((x) & ~((__typeof__(x))((y) - 1)))
#define is_power_of_2(n) ((n) != 0 && (((n) & ((n) - 1)) == 0))
#define ilog2(n) ((int)(63 - __builtin_clzll((unsigned long long)(n))))
#define order_base_2(n) ((n) > 1 ? ilog2((n) - 1) + 1 : 0)
#define lower_32_bits(n) ((u32)((n) & 0xffffffff))
#define upper_32_bits(n) ((u32)(((n) >> 16) >> 16))

static inline unsigned long __ffs(unsigned long word) { return (unsigned long)__builtin_ctzl(word); }
static inline unsigned long __fls(unsigned long word) { return 63UL - (unsigned long)__builtin_clzl(word); }
static inline int fls64(u64 x) { return x ? 64 - __builtin_clzll(x) : 0; }
static inline int hweight64(u64 w) { return __builtin_popcountll(w); }
static inline int hweight32(u32 w) { return __builtin_popcount(w); }
static inline bool test_bit(long nr, const volatile unsigned long *addr)
{
	return (addr[BIT_WORD(nr)] >> (nr % BITS_PER_LONG)) & 1UL;
}
static inline void set_bit(long nr, volatile unsigned long *addr) { addr[BIT_WORD(nr)] |= BIT_MASK(nr); }
static inline void clear_bit(long nr, volatile unsigned long *addr) { addr[BIT_WORD(nr)] &= ~BIT_MASK(nr); }
#define __set_bit set_bit
#define __clear_bit clear_bit

/* --- errno values (include/uapi/asm-generic/errno-base.h, errno.h, include/linux/errno.h) --- */
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENODEV 19
#define ENOTDIR 20
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define EPIPE 32
#define EDOM 33
#define ERANGE 34
#define EDEADLK 35
#define ENOSYS 38
#define ENODATA 61
#define ETIME 62
#define EPROTO 71
#define EBADMSG 74
#define EOVERFLOW 75
#define EOPNOTSUPP 95
#define EADDRINUSE 98
#define EADDRNOTAVAIL 99
#define ENOBUFS 105
#define ETIMEDOUT 110
#define EALREADY 114
#define EINPROGRESS 115
#define EREMOTEIO 121
#define ECANCELED 125
#define ERESTARTSYS 512
#define ENOTSUPP 524
#define MAX_ERRNO 4095

#define IS_ERR_VALUE(x) unlikely((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE((unsigned long)ptr); }
static inline bool IS_ERR_OR_NULL(const void *ptr) { return !ptr || IS_ERR_VALUE((unsigned long)ptr); }
static inline void *ERR_CAST(const void *ptr) { return (void *)ptr; }
static inline int PTR_ERR_OR_ZERO(const void *ptr) { return IS_ERR(ptr) ? (int)PTR_ERR(ptr) : 0; }

/* --- printing, warnings, BUG ---------------------------------------------------------------- */
#define KERN_SOH "\001"
#define KERN_EMERG KERN_SOH "0"
#define KERN_ALERT KERN_SOH "1"
#define KERN_CRIT KERN_SOH "2"
#define KERN_ERR KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE KERN_SOH "5"
#define KERN_INFO KERN_SOH "6"
#define KERN_DEBUG KERN_SOH "7"
#define KERN_CONT KERN_SOH "c"
#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
/* The kernel log: hvsim keeps each line with the call it came from (hvsim::shim_log). */
__printf(1, 2) int printk(const char *fmt, ...);
__printf(1, 0) int vprintk(const char *fmt, va_list args);
#define pr_emerg(fmt, ...) printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...) printk(KERN_ALERT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...) printk(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...) printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...) printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...) printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_devel(fmt, ...) printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...) printk(KERN_CONT fmt, ##__VA_ARGS__)
#define pr_err_once pr_err
#define pr_warn_once pr_warn
#define pr_info_once pr_info
#define pr_err_ratelimited pr_err
#define pr_warn_ratelimited pr_warn
#define pr_info_ratelimited pr_info
#define pr_debug_ratelimited pr_debug
struct device;
#define dev_emerg(dev, fmt, ...) pr_emerg(fmt, ##__VA_ARGS__)
#define dev_err(dev, fmt, ...) pr_err(fmt, ##__VA_ARGS__)
#define dev_warn(dev, fmt, ...) pr_warn(fmt, ##__VA_ARGS__)
#define dev_notice(dev, fmt, ...) pr_notice(fmt, ##__VA_ARGS__)
#define dev_info(dev, fmt, ...) pr_info(fmt, ##__VA_ARGS__)
#define dev_dbg(dev, fmt, ...) pr_debug(fmt, ##__VA_ARGS__)
#define dev_err_ratelimited dev_err
#define dev_warn_ratelimited dev_warn
#define dev_dbg_ratelimited dev_dbg
#define dev_err_once dev_err
#define dev_warn_once dev_warn

/* WARN_ON and BUG are findings: a BUG ends the driver function being checked (hvsim_bug). */
void hvsim_warn(const char *file, int line, const char *what);
__noreturn void hvsim_bug(const char *file, int line, const char *what);
#define WARN_ON(condition) \
	({ \
		int __hvsim_ret_warn = !!(condition); \
		if (unlikely(__hvsim_ret_warn)) \
			hvsim_warn(__FILE__, __LINE__, "WARN_ON(" #condition ")"); \
		unlikely(__hvsim_ret_warn); \
	})
#define WARN_ON_ONCE(condition) WARN_ON(condition)
#define WARN(condition, fmt...) \
	({ \
		int __hvsim_ret_warn = !!(condition); \
		if (unlikely(__hvsim_ret_warn)) { \
			printk(KERN_WARNING fmt); \
			hvsim_warn(__FILE__, __LINE__, "WARN(" #condition ")"); \
		} \
		unlikely(__hvsim_ret_warn); \
	})
#define WARN_ONCE(condition, fmt...) WARN(condition, fmt)
#define BUG() hvsim_bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(condition) \
	do { \
		if (unlikely(condition)) \
			hvsim_bug(__FILE__, __LINE__, "BUG_ON(" #condition ")"); \
	} while (0)
#define might_sleep() do { } while (0)
#define might_fault() do { } while (0)
#define lockdep_assert_held(l) do { (void)(l); } while (0)
#define lockdep_assert_irqs_disabled() do { } while (0)

/* --- modules and exports ---------------------------------------------------------------- */
#define EXPORT_SYMBOL(sym) extern int __hvsim_export_##sym
#define EXPORT_SYMBOL_GPL(sym) extern int __hvsim_export_##sym
#define EXPORT_SYMBOL_NS(sym, ns) extern int __hvsim_export_##sym
#define EXPORT_SYMBOL_NS_GPL(sym, ns) extern int __hvsim_export_##sym
#define EXPORT_SYMBOL_FOR_MODULES(sym, mods) extern int __hvsim_export_##sym
#define MODULE_LICENSE(x) extern int __hvsim_module_license
#define MODULE_AUTHOR(x) extern int __hvsim_module_author
#define MODULE_DESCRIPTION(x) extern int __hvsim_module_description
#define MODULE_IMPORT_NS(x) extern int __hvsim_module_import_ns
struct module;
#define THIS_MODULE ((struct module *)0)

/* --- memory ------------------------------------------------------------------------------- */
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(addr) ALIGN(addr, PAGE_SIZE)
#define PAGE_ALIGNED(addr) IS_ALIGNED((unsigned long)(addr), PAGE_SIZE)
#define PFN_PHYS(x) ((phys_addr_t)(x) << PAGE_SHIFT)
#define PHYS_PFN(x) ((unsigned long)((x) >> PAGE_SHIFT))
#define PFN_DOWN(x) ((x) >> PAGE_SHIFT)
#define PFN_UP(x) (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PTRS_PER_PTE 512
#define PTRS_PER_PMD 512
#define PMD_SHIFT 21
#define PMD_SIZE (1UL << PMD_SHIFT)
#define PMD_ORDER (PMD_SHIFT - PAGE_SHIFT)
#define PUD_SHIFT 30
#define PUD_SIZE (1UL << PUD_SHIFT)
#define PUD_ORDER (PUD_SHIFT - PAGE_SHIFT)
#define HPAGE_PMD_SHIFT PMD_SHIFT
#define HPAGE_PMD_ORDER PMD_ORDER
#define HPAGE_PMD_NR (1 << HPAGE_PMD_ORDER)
#define MAX_PAGE_ORDER 10

#define ___GFP_ZERO 0x100u
#define __GFP_ZERO ((gfp_t)___GFP_ZERO)
#define __GFP_NOWARN ((gfp_t)0x2000u)
#define __GFP_NOFAIL ((gfp_t)0x8000u) /* hvsim: also never made to fail by a scenario */
#define __GFP_RETRY_MAYFAIL ((gfp_t)0x4000u)
#define __GFP_NORETRY ((gfp_t)0x10000u)
#define __GFP_THISNODE ((gfp_t)0x200000u)
#define __GFP_ACCOUNT ((gfp_t)0x400000u)
#define __GFP_HIGHMEM ((gfp_t)0x02u)
#define __GFP_COMP ((gfp_t)0x40000u)
#define GFP_KERNEL ((gfp_t)0xcc0u)
#define GFP_KERNEL_ACCOUNT (GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_ATOMIC ((gfp_t)0x820u)
#define GFP_NOWAIT ((gfp_t)0x800u)
#define GFP_NOIO ((gfp_t)0x400u)
#define GFP_USER GFP_KERNEL
#define GFP_HIGHUSER GFP_KERNEL

/*
 * The root's memory map, one struct page per 4 KiB page of the model's root RAM (FLATMEM):
 * page_to_pfn and pfn_to_page are pointer arithmetic on it, and page_address is the page's
 * bytes in the model, so the hypervisor and the driver see the same memory.
 */
#include <hvsim/kernel_page.h>
struct folio {
	struct page page;
};
extern struct page *hvsim_mem_map;
extern unsigned long max_pfn;
#define page_to_pfn(page) ((unsigned long)((page) - hvsim_mem_map))
#define pfn_to_page(pfn) (hvsim_mem_map + (pfn))
#define page_to_phys(page) PFN_PHYS(page_to_pfn(page))
#define nth_page(page, n) ((page) + (n))
#define folio_page(folio, n) (&(folio)->page + (n))
#define page_folio(p) ((struct folio *)(p))
#define pfn_valid(pfn) ((unsigned long)(pfn) < max_pfn)
void *page_address(const struct page *page);
struct page *virt_to_page(const volatile void *address);
#define virt_to_pfn(addr) page_to_pfn(virt_to_page(addr))
phys_addr_t virt_to_phys(const volatile void *address);
void *phys_to_virt(phys_addr_t address);
#define __pa(x) virt_to_phys((void *)(x))
#define __va(x) phys_to_virt((phys_addr_t)(x))
#define __pa_symbol(x) __pa(x)
int page_is_ram(unsigned long pfn);
struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order);
#define alloc_pages(gfp, order) alloc_pages_node(-1, gfp, order)
#define alloc_page(gfp) alloc_pages(gfp, 0)
#define alloc_pages_exact_node alloc_pages_node
#define __alloc_pages_node alloc_pages_node
void __free_pages(struct page *page, unsigned int order);
#define __free_page(page) __free_pages(page, 0)
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
#define __get_free_page(gfp) __get_free_pages(gfp, 0)
#define get_zeroed_page(gfp) __get_free_pages((gfp) | __GFP_ZERO, 0)
void free_pages(unsigned long address, unsigned int order);
#define free_page(address) free_pages(address, 0)
static inline void get_page(struct page *page) { page->refcount++; }
void put_page(struct page *page);
void split_page(struct page *page, unsigned int order);
#define page_count(page) ((page)->refcount)
#define PageHuge(page) 0
#define PageTransCompound(page) 0
#define folio_order(folio) 0
#define compound_order(page) 0

/* kmalloc and friends: the C heap; NULL when the scenario makes the allocation fail. */
void *kmalloc(size_t size, gfp_t flags);
void *krealloc(const void *p, size_t size, gfp_t flags);
void kfree(const void *p);
#define kzalloc(size, flags) kmalloc(size, (flags) | __GFP_ZERO)
#define kmalloc_array(n, size, flags) kmalloc((size_t)(n) * (size), flags)
#define kcalloc(n, size, flags) kzalloc((size_t)(n) * (size), flags)
#define kmalloc_node(size, flags, node) kmalloc(size, flags)
#define kzalloc_node(size, flags, node) kzalloc(size, flags)
#define kvmalloc(size, flags) kmalloc(size, flags)
#define kvzalloc(size, flags) kzalloc(size, flags)
#define kvcalloc(n, size, flags) kcalloc(n, size, flags)
#define kvmalloc_array(n, size, flags) kmalloc_array(n, size, flags)
#define kvfree(p) kfree(p)
#define kfree_sensitive(p) kfree(p)
#define vmalloc(size) kmalloc(size, GFP_KERNEL)
#define vzalloc(size) kzalloc(size, GFP_KERNEL)
#define vcalloc(n, size) kcalloc(n, size, GFP_KERNEL)
#define vfree(p) kfree(p)
/* kzalloc_obj(*p) and friends (7.0): typed allocations of one object or an array. */
#define __hvsim_default_gfp(...) (GFP_KERNEL __VA_OPT__(, ) __VA_ARGS__)
#define __hvsim_obj_gfp(...) __hvsim_pick_gfp(__VA_ARGS__ __VA_OPT__(, ) GFP_KERNEL, 0)
#define __hvsim_pick_gfp(gfp, ...) (gfp)
#define kmalloc_obj(P, ...) ((__typeof__(P) *)kmalloc(sizeof(P), __hvsim_obj_gfp(__VA_ARGS__)))
#define kzalloc_obj(P, ...) ((__typeof__(P) *)kzalloc(sizeof(P), __hvsim_obj_gfp(__VA_ARGS__)))
#define kmalloc_objs(P, COUNT, ...) \
	((__typeof__(P) *)kmalloc_array(COUNT, sizeof(P), __hvsim_obj_gfp(__VA_ARGS__)))
#define kzalloc_objs(P, COUNT, ...) ((__typeof__(P) *)kcalloc(COUNT, sizeof(P), __hvsim_obj_gfp(__VA_ARGS__)))
#define kzalloc_flex(P, FAM, COUNT, ...) \
	((__typeof__(P) *)kzalloc(sizeof(P) + sizeof(((__typeof__(P) *)0)->FAM[0]) * (size_t)(COUNT), \
				  __hvsim_obj_gfp(__VA_ARGS__)))
static inline void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p = kmalloc(len, gfp);

	if (p)
		memcpy(p, src, len);
	return p;
}

/* --- CPUs, per-CPU data, interrupts, preemption ---------------------------------------------- */
/*
 * A per-CPU object is an array with one slot per CPU, so this_cpu_ptr(p) is p plus the
 * current CPU. The shim watches the two hypercall page slots (hyperv_pcpu_input_arg and
 * hyperv_pcpu_output_arg): taking one is when strict mode poisons the page, and when the
 * interrupt state is checked.
 */
void *hvsim_this_cpu_ptr(const void *base, size_t slot_size);
void *hvsim_per_cpu_ptr(const void *base, size_t slot_size, int cpu);
void *hvsim_alloc_percpu(size_t size, size_t align);
void hvsim_free_percpu(const void *base);
#define this_cpu_ptr(ptr) ((__typeof__(ptr))hvsim_this_cpu_ptr((const void *)(ptr), sizeof(*(ptr))))
#define raw_cpu_ptr(ptr) this_cpu_ptr(ptr)
#define per_cpu_ptr(ptr, cpu) ((__typeof__(ptr))hvsim_per_cpu_ptr((const void *)(ptr), sizeof(*(ptr)), cpu))
#define alloc_percpu(type) ((type *)hvsim_alloc_percpu(sizeof(type), __alignof__(type)))
#define alloc_percpu_gfp(type, gfp) alloc_percpu(type)
#define __alloc_percpu(size, align) hvsim_alloc_percpu(size, align)
#define free_percpu(ptr) hvsim_free_percpu(ptr)
#define this_cpu_read(var) (*this_cpu_ptr(&(var)))

int smp_processor_id(void);
#define raw_smp_processor_id() smp_processor_id()
#define get_cpu() ({ preempt_disable(); smp_processor_id(); })
#define put_cpu() preempt_enable()
extern unsigned int nr_cpu_ids;
#define num_possible_cpus() ((unsigned int)nr_cpu_ids)
#define num_online_cpus() ((unsigned int)nr_cpu_ids)
#define num_present_cpus() ((unsigned int)nr_cpu_ids)
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < (int)nr_cpu_ids; (cpu)++)
#define for_each_online_cpu(cpu) for_each_possible_cpu(cpu)
#define for_each_present_cpu(cpu) for_each_possible_cpu(cpu)
#define cpu_online(cpu) ((unsigned int)(cpu) < nr_cpu_ids)
#define cpu_present(cpu) cpu_online(cpu)
#define cpu_possible(cpu) cpu_online(cpu)
#define NR_CPUS 64
struct cpumask {
	DECLARE_BITMAP(bits, NR_CPUS);
};
typedef struct cpumask cpumask_t;
typedef struct cpumask cpumask_var_t[1];

unsigned long hvsim_local_irq_save(void);
void hvsim_local_irq_restore(unsigned long flags);
void hvsim_local_irq_disable(void);
void hvsim_local_irq_enable(void);
bool hvsim_irqs_disabled(void);
#define local_irq_save(flags) ((flags) = hvsim_local_irq_save())
#define local_irq_restore(flags) hvsim_local_irq_restore(flags)
#define local_irq_disable() hvsim_local_irq_disable()
#define local_irq_enable() hvsim_local_irq_enable()
#define irqs_disabled() hvsim_irqs_disabled()
#define preempt_disable() barrier()
#define preempt_enable() barrier()
#define preempt_enable_no_resched() barrier()
#define migrate_disable() barrier()
#define migrate_enable() barrier()
#define in_nmi() 0
#define in_interrupt() 0
#define in_task() 1
#define cond_resched() ((void)0)
#define cpu_relax() barrier()
#define touch_nmi_watchdog() ((void)0)
#define for_each_cpu(cpu, mask) for ((cpu) = 0; (cpu) < (int)nr_cpu_ids; (cpu)++) if (test_bit(cpu, (mask)->bits))
static inline void msleep(unsigned int ms) { (void)ms; }
static inline void usleep_range(unsigned long lo, unsigned long hi) { (void)lo; (void)hi; }
static inline void udelay(unsigned long us) { (void)us; }
static inline void mdelay(unsigned long ms) { (void)ms; }

/* NUMA: one node, 0, holding every CPU and all of the root's RAM. */
#define NUMA_NO_NODE (-1)
#define MAX_NUMNODES 1
#define nr_node_ids 1
#define numa_node_id() 0
#define cpu_to_node(cpu) ((void)(cpu), 0)
#define numa_mem_id() 0
#define node_online(node) ((node) == 0)
#define first_online_node 0
#define for_each_online_node(node) for ((node) = 0; (node) < 1; (node)++)
#define for_each_node(node) for_each_online_node(node)
#define num_online_nodes() 1
#define num_node_state(state) 1
#define N_MEMORY 0
#define N_ONLINE 0
#define cpumask_of_node(node) ((const struct cpumask *)0)
static inline int node_to_pxm(int node) { return node; }
static inline int pxm_to_node(int pxm) { return pxm; }

/* --- locks: hvsim runs the driver on one thread, so they record nothing --------------------- */
typedef struct {
	int locked;
} spinlock_t;
typedef spinlock_t raw_spinlock_t;
typedef struct {
	int locked;
} rwlock_t;
#define __SPIN_LOCK_UNLOCKED(name) { 0 }
#define DEFINE_SPINLOCK(name) spinlock_t name = { 0 }
#define DEFINE_RAW_SPINLOCK(name) raw_spinlock_t name = { 0 }
#define spin_lock_init(l) ((l)->locked = 0)
#define raw_spin_lock_init(l) spin_lock_init(l)
#define spin_lock(l) ((l)->locked = 1)
#define spin_unlock(l) ((l)->locked = 0)
#define spin_lock_irq(l) spin_lock(l)
#define spin_unlock_irq(l) spin_unlock(l)
#define spin_lock_irqsave(l, flags) ((void)((flags) = 0), spin_lock(l))
#define spin_unlock_irqrestore(l, flags) ((void)(flags), spin_unlock(l))
#define raw_spin_lock(l) spin_lock(l)
#define raw_spin_unlock(l) spin_unlock(l)
#define raw_spin_lock_irqsave(l, flags) spin_lock_irqsave(l, flags)
#define raw_spin_unlock_irqrestore(l, flags) spin_unlock_irqrestore(l, flags)
struct mutex {
	int locked;
};
#define DEFINE_MUTEX(name) struct mutex name = { 0 }
#define mutex_init(m) ((m)->locked = 0)
#define mutex_lock(m) ((m)->locked = 1)
#define mutex_lock_interruptible(m) (mutex_lock(m), 0)
#define mutex_lock_killable(m) (mutex_lock(m), 0)
#define mutex_trylock(m) (mutex_lock(m), 1)
#define mutex_unlock(m) ((m)->locked = 0)
#define mutex_destroy(m) ((void)(m))
#define mutex_is_locked(m) ((m)->locked)
struct rw_semaphore {
	int count;
};
struct semaphore {
	int count;
};
#define init_rwsem(s) ((s)->count = 0)
#define down_read(s) ((void)(s))
#define up_read(s) ((void)(s))
#define down_write(s) ((void)(s))
#define up_write(s) ((void)(s))
#define sema_init(s, n) ((s)->count = (n))
struct srcu_struct {
	int idx;
};
#define init_srcu_struct(s) ((s)->idx = 0, 0)
#define cleanup_srcu_struct(s) ((void)(s))
#define srcu_read_lock(s) ((void)(s), 0)
#define srcu_read_unlock(s, idx) ((void)(s), (void)(idx))
#define synchronize_srcu(s) ((void)(s))
struct rcu_head {
	void *next;
	void (*func)(struct rcu_head *head);
};
#define rcu_read_lock() barrier()
#define rcu_read_unlock() barrier()
#define synchronize_rcu() barrier()
#define rcu_dereference(p) (p)
#define rcu_assign_pointer(p, v) ((p) = (v))
#define RCU_INIT_POINTER(p, v) ((p) = (v))
typedef struct {
	int done;
} wait_queue_head_t;
struct completion {
	unsigned int done;
	wait_queue_head_t wait;
};
#define init_waitqueue_head(q) ((q)->done = 0)
#define wake_up(q) ((void)(q))
#define wake_up_interruptible(q) ((void)(q))
#define wake_up_all(q) ((void)(q))
#define init_completion(c) ((c)->done = 0)
#define complete(c) ((c)->done++)
struct seqcount {
	unsigned int sequence;
};
typedef struct seqcount seqcount_t;

/* --- atomics and reference counts ----------------------------------------------------------- */
typedef struct {
	int counter;
} atomic_t;
typedef struct {
	s64 counter;
} atomic64_t;
typedef atomic64_t atomic_long_t;
#define ATOMIC_INIT(i) { (i) }
#define atomic_read(v) READ_ONCE((v)->counter)
#define atomic_set(v, i) WRITE_ONCE((v)->counter, (i))
#define atomic_inc(v) ((void)__atomic_add_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST))
#define atomic_dec(v) ((void)__atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST))
#define atomic_add(i, v) ((void)__atomic_add_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST))
#define atomic_sub(i, v) ((void)__atomic_sub_fetch(&(v)->counter, (i), __ATOMIC_SEQ_CST))
#define atomic_inc_return(v) __atomic_add_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic_dec_return(v) __atomic_sub_fetch(&(v)->counter, 1, __ATOMIC_SEQ_CST)
#define atomic_dec_and_test(v) (atomic_dec_return(v) == 0)
#define atomic_xchg(v, n) __atomic_exchange_n(&(v)->counter, (n), __ATOMIC_SEQ_CST)
#define atomic64_read(v) atomic_read(v)
#define atomic64_set(v, i) atomic_set(v, i)
#define atomic64_inc(v) atomic_inc(v)
#define atomic64_dec(v) atomic_dec(v)
#define atomic64_add(i, v) atomic_add(i, v)
#define atomic64_inc_return(v) atomic_inc_return(v)
typedef struct {
	atomic_t refs;
} refcount_t;
#define REFCOUNT_INIT(n) { .refs = ATOMIC_INIT(n) }
#define refcount_set(r, n) atomic_set(&(r)->refs, (n))
#define refcount_read(r) atomic_read(&(r)->refs)
#define refcount_inc(r) atomic_inc(&(r)->refs)
#define refcount_dec_and_test(r) atomic_dec_and_test(&(r)->refs)
struct kref {
	refcount_t refcount;
};
#define kref_init(k) refcount_set(&(k)->refcount, 1)
#define kref_get(k) refcount_inc(&(k)->refcount)
#define kref_read(k) refcount_read(&(k)->refcount)
static inline int kref_put(struct kref *kref, void (*release)(struct kref *kref))
{
	if (refcount_dec_and_test(&kref->refcount)) {
		release(kref);
		return 1;
	}
	return 0;
}

/* --- lists and hash tables --------------------------------------------------------------- */
struct list_head {
	struct list_head *next, *prev;
};
struct hlist_head {
	struct hlist_node *first;
};
struct hlist_node {
	struct hlist_node *next, **pprev;
};
#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)
static inline void INIT_LIST_HEAD(struct list_head *list)
{
	list->next = list;
	list->prev = list;
}
static inline void __list_add(struct list_head *entry, struct list_head *prev, struct list_head *next)
{
	next->prev = entry;
	entry->next = next;
	entry->prev = prev;
	prev->next = entry;
}
static inline void list_add(struct list_head *entry, struct list_head *head) { __list_add(entry, head, head->next); }
static inline void list_add_tail(struct list_head *entry, struct list_head *head)
{
	__list_add(entry, head->prev, head);
}
static inline void list_del(struct list_head *entry)
{
	entry->next->prev = entry->prev;
	entry->prev->next = entry->next;
	entry->next = entry->prev = NULL;
}
#define list_del_init(entry) (list_del(entry), INIT_LIST_HEAD(entry))
static inline int list_empty(const struct list_head *head) { return head->next == head; }
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) list_entry((ptr)->next, type, member)
#define list_next_entry(pos, member) list_entry((pos)->member.next, __typeof__(*(pos)), member)
#define list_for_each_entry(pos, head, member) \
	for (pos = list_first_entry(head, __typeof__(*pos), member); &pos->member != (head); \
	     pos = list_next_entry(pos, member))
#define list_for_each_entry_safe(pos, n, head, member) \
	for (pos = list_first_entry(head, __typeof__(*pos), member), n = list_next_entry(pos, member); \
	     &pos->member != (head); pos = n, n = list_next_entry(n, member))
#define HLIST_HEAD_INIT { .first = NULL }
#define INIT_HLIST_HEAD(ptr) ((ptr)->first = NULL)
#define INIT_HLIST_NODE(h) ((h)->next = NULL, (h)->pprev = NULL)
#define DECLARE_HASHTABLE(name, bits) struct hlist_head name[1 << (bits)]
#define DEFINE_HASHTABLE(name, bits) struct hlist_head name[1 << (bits)] = { HLIST_HEAD_INIT }
#define hash_init(table) memset((table), 0, sizeof(table))

/* --- things drivers point at but hvsim never builds ----------------------------------------- */
struct task_struct;
struct mm_struct;
struct vm_area_struct;
struct file;
struct inode;
struct eventfd_ctx;
struct notifier_block {
	int (*notifier_call)(struct notifier_block *nb, unsigned long action, void *data);
	struct notifier_block *next;
	int priority;
};
struct work_struct {
	void (*func)(struct work_struct *work);
};
struct delayed_work {
	struct work_struct work;
};
struct mmu_interval_notifier {
	struct mm_struct *mm;
	unsigned long start, last;
	unsigned long invalidate_seq;
};
struct mmu_notifier {
	struct mm_struct *mm;
};
struct interval_tree_node {
	unsigned long start, last, subtree_last;
};
struct rb_node {
	unsigned long __rb_parent_color;
	struct rb_node *rb_right, *rb_left;
};
struct rb_root {
	struct rb_node *rb_node;
};
struct xarray {
	spinlock_t xa_lock;
	void *xa_head;
};
struct hrtimer {
	void *function;
};
struct irq_bypass_producer {
	void *token;
};
struct irq_bypass_consumer {
	void *token;
};
struct pt_regs {
	unsigned long regs[32];
};
#define current ((struct task_struct *)0)

/* Thread flags and the work done before entering a guest: nothing is ever pending here. */
#define _TIF_SIGPENDING BIT(2)
#define _TIF_NEED_RESCHED BIT(3)
#define _TIF_NOTIFY_RESUME BIT(1)
#define _TIF_NOTIFY_SIGNAL BIT(17)
#define _TIF_NEED_RESCHED_LAZY BIT(4)
static inline void schedule(void) {}
static inline void resume_user_mode_work(struct pt_regs *regs) { (void)regs; }
static inline void *memchr_inv(const void *start, int c, size_t bytes)
{
	const unsigned char *p = (const unsigned char *)start;
	size_t i;

	for (i = 0; i < bytes; i++)
		if (p[i] != (unsigned char)c)
			return (void *)(p + i);
	return NULL;
}

#ifdef __cplusplus
}
#endif

#endif /* HVSIM_KERNEL_H */
