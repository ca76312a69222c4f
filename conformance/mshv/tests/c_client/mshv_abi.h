/* hvsim's own C declarations of the /dev/mshv ABI a plain C client needs (C11).
 *
 * Where the facts come from: the ioctl numbers, the argument structs, their sizes and offsets
 * and the flag masks are those of include/uapi/linux/mshv.h [UAPI], as mirrored in
 * conformance/traces/include/hvsim/traces/mshv_uapi.hpp; the driver's limits are the ones that
 * header records (MSHV_MAX_VPS, MSHV_MAX_GUEST_IRQS, the passthrough size bound). The
 * hypercall inputs passed through MSHV_ROOT_HVCALL (get/set partition property, get/set VP
 * registers, get VP CPUID values), the property and register names and the status values are
 * the hypervisor's ABI as hvcall/abi/include/hvcall/types/{partition,vp}.hpp and status.def give it.
 * Written from those numbers, not from the kernel's header text; every size and offset is
 * pinned by a _Static_assert so that a wrong reading fails to compile. */
#ifndef HVSIM_MSHV_ABI_H
#define HVSIM_MSHV_ABI_H

#include <stddef.h>
#include <stdint.h>

/* An ioctl number: direction in bits 31:30 (write 1, read 2), argument size in 29:16, the
 * type 0xB8 in 15:8, the ordinal in 7:0. */
#define MSHV_ABI_DIR_NONE 0ul
#define MSHV_ABI_DIR_WRITE 1ul
#define MSHV_ABI_DIR_READ 2ul
#define MSHV_ABI_TYPE 0xB8ul
#define MSHV_ABI_IOC(dir, nr, size) \
    (((unsigned long)(dir) << 30) | ((unsigned long)(size) << 16) | (MSHV_ABI_TYPE << 8) | (unsigned long)(nr))

#define MSHV_ABI_PAGE_SIZE 4096u

/* ---- /dev/mshv ---------------------------------------------------------------------------- */

/* pt_flags bits; bit 3 says the 64-byte v2 struct follows under the same number. */
#define MSHV_ABI_PT_LAPIC (1ull << 0)
#define MSHV_ABI_PT_X2APIC (1ull << 1)
#define MSHV_ABI_PT_GPA_SUPER_PAGES (1ull << 2)
#define MSHV_ABI_PT_CPU_AND_XSAVE_FEATURES (1ull << 3)
#define MSHV_ABI_PT_NESTED_VIRTUALIZATION (1ull << 4)
#define MSHV_ABI_PT_SMT_ENABLED_GUEST (1ull << 5)
#define MSHV_ABI_PT_FLAGS_MASK 0x3Full
#define MSHV_ABI_PT_ISOLATION_NONE 0ull
#define MSHV_ABI_CPU_FEATURE_BANKS 2u /* the v2 struct must name exactly this many */

struct mshv_abi_create_partition {
    uint64_t pt_flags;
    uint64_t pt_isolation;
};
_Static_assert(sizeof(struct mshv_abi_create_partition) == 16, "create_partition v1 size");
_Static_assert(offsetof(struct mshv_abi_create_partition, pt_isolation) == 8, "pt_isolation offset");

/* The kernel declares v2 packed; every field sits at its natural offset, so the plain C layout
 * is the same 64 bytes (only the struct's own alignment differs, which no copy sees). */
struct mshv_abi_create_partition_v2 {
    uint64_t pt_flags;
    uint64_t pt_isolation;
    uint16_t pt_num_cpu_fbanks;
    uint8_t pt_rsvd[6];                               /* must be zero */
    uint64_t pt_cpu_fbanks[MSHV_ABI_CPU_FEATURE_BANKS]; /* processor features to disable */
    uint64_t pt_rsvd1[2];                             /* must be zero */
    uint64_t pt_disabled_xsave;
};
_Static_assert(sizeof(struct mshv_abi_create_partition_v2) == 64, "create_partition v2 size");
_Static_assert(offsetof(struct mshv_abi_create_partition_v2, pt_isolation) == 8, "v2 pt_isolation");
_Static_assert(offsetof(struct mshv_abi_create_partition_v2, pt_num_cpu_fbanks) == 16, "v2 banks");
_Static_assert(offsetof(struct mshv_abi_create_partition_v2, pt_rsvd) == 18, "v2 pt_rsvd");
_Static_assert(offsetof(struct mshv_abi_create_partition_v2, pt_cpu_fbanks) == 24, "v2 pt_cpu_fbanks");
_Static_assert(offsetof(struct mshv_abi_create_partition_v2, pt_rsvd1) == 40, "v2 pt_rsvd1");
_Static_assert(offsetof(struct mshv_abi_create_partition_v2, pt_disabled_xsave) == 56, "v2 pt_disabled_xsave");

/* ---- partition fds -------------------------------------------------------------------------- */

struct mshv_abi_create_vp {
    uint32_t vp_index; /* < MSHV_ABI_MAX_VPS */
};
_Static_assert(sizeof(struct mshv_abi_create_vp) == 4, "create_vp size");
#define MSHV_ABI_MAX_VPS 256u

#define MSHV_ABI_MEM_WRITABLE (1u << 0)
#define MSHV_ABI_MEM_EXECUTABLE (1u << 1)
#define MSHV_ABI_MEM_UNMAP (1u << 2)
#define MSHV_ABI_MEM_FLAGS_MASK 0x7u

struct mshv_abi_user_mem_region {
    uint64_t size; /* bytes: non-zero, a page multiple */
    uint64_t guest_pfn;
    uint64_t userspace_addr; /* page aligned */
    uint8_t flags;
    uint8_t rsvd[7]; /* must be zero */
};
_Static_assert(sizeof(struct mshv_abi_user_mem_region) == 32, "user_mem_region size");
_Static_assert(offsetof(struct mshv_abi_user_mem_region, guest_pfn) == 8, "guest_pfn offset");
_Static_assert(offsetof(struct mshv_abi_user_mem_region, userspace_addr) == 16, "userspace_addr offset");
_Static_assert(offsetof(struct mshv_abi_user_mem_region, flags) == 24, "flags offset");
_Static_assert(offsetof(struct mshv_abi_user_mem_region, rsvd) == 25, "rsvd offset");

#define MSHV_ABI_IRQFD_DEASSIGN (1u << 0)
#define MSHV_ABI_IRQFD_RESAMPLE (1u << 1)
#define MSHV_ABI_IRQFD_FLAGS_MASK 0x3u

struct mshv_abi_user_irqfd {
    int32_t fd;
    int32_t resamplefd;
    uint32_t gsi;
    uint32_t flags;
};
_Static_assert(sizeof(struct mshv_abi_user_irqfd) == 16, "user_irqfd size");
_Static_assert(offsetof(struct mshv_abi_user_irqfd, resamplefd) == 4, "resamplefd offset");
_Static_assert(offsetof(struct mshv_abi_user_irqfd, gsi) == 8, "gsi offset");
_Static_assert(offsetof(struct mshv_abi_user_irqfd, flags) == 12, "irqfd flags offset");

#define MSHV_ABI_IOEVENTFD_DATAMATCH (1u << 0)
#define MSHV_ABI_IOEVENTFD_PIO (1u << 1)
#define MSHV_ABI_IOEVENTFD_DEASSIGN (1u << 2)
#define MSHV_ABI_IOEVENTFD_FLAGS_MASK 0x7u

struct mshv_abi_user_ioeventfd {
    uint64_t datamatch;
    uint64_t addr; /* MMIO address (or PIO port) */
    uint32_t len;  /* 0 (any size), 1, 2, 4 or 8 */
    int32_t fd;
    uint32_t flags;
    uint8_t rsvd[4]; /* must be zero */
};
_Static_assert(sizeof(struct mshv_abi_user_ioeventfd) == 32, "user_ioeventfd size");
_Static_assert(offsetof(struct mshv_abi_user_ioeventfd, addr) == 8, "addr offset");
_Static_assert(offsetof(struct mshv_abi_user_ioeventfd, len) == 16, "len offset");
_Static_assert(offsetof(struct mshv_abi_user_ioeventfd, fd) == 20, "fd offset");
_Static_assert(offsetof(struct mshv_abi_user_ioeventfd, flags) == 24, "ioeventfd flags offset");
_Static_assert(offsetof(struct mshv_abi_user_ioeventfd, rsvd) == 28, "ioeventfd rsvd offset");

struct mshv_abi_user_irq_entry {
    uint32_t gsi;
    uint32_t address_lo;
    uint32_t address_hi;
    uint32_t data;
};
_Static_assert(sizeof(struct mshv_abi_user_irq_entry) == 16, "user_irq_entry size");
_Static_assert(offsetof(struct mshv_abi_user_irq_entry, address_lo) == 4, "address_lo offset");
_Static_assert(offsetof(struct mshv_abi_user_irq_entry, address_hi) == 8, "address_hi offset");
_Static_assert(offsetof(struct mshv_abi_user_irq_entry, data) == 12, "data offset");

/* The table's header; nr entries follow at offset 8. The ioctl number encodes the header only. */
struct mshv_abi_user_irq_table {
    uint32_t nr; /* <= MSHV_ABI_MAX_GUEST_IRQS */
    uint32_t rsvd; /* must be zero */
};
_Static_assert(sizeof(struct mshv_abi_user_irq_table) == 8, "user_irq_table size");
_Static_assert(offsetof(struct mshv_abi_user_irq_table, rsvd) == 4, "irq_table rsvd offset");
#define MSHV_ABI_IRQ_TABLE_ENTRIES_OFFSET 8u
#define MSHV_ABI_MAX_GUEST_IRQS 4096u

#define MSHV_ABI_GPAP_ACCESSED 0u
#define MSHV_ABI_GPAP_DIRTY 1u
#define MSHV_ABI_GPAP_TYPE_COUNT 2u
#define MSHV_ABI_GPAP_OP_NOOP 0u
#define MSHV_ABI_GPAP_OP_CLEAR 1u
#define MSHV_ABI_GPAP_OP_SET 2u
#define MSHV_ABI_GPAP_OP_COUNT 3u

struct mshv_abi_gpap_access_bitmap {
    uint8_t access_type;
    uint8_t access_op;
    uint8_t rsvd[6]; /* must be zero */
    uint64_t page_count; /* non-zero */
    uint64_t gpap_base;  /* first guest page number */
    uint64_t bitmap_ptr; /* (page_count + 7) / 8 bytes */
};
_Static_assert(sizeof(struct mshv_abi_gpap_access_bitmap) == 32, "gpap_access_bitmap size");
_Static_assert(offsetof(struct mshv_abi_gpap_access_bitmap, access_op) == 1, "access_op offset");
_Static_assert(offsetof(struct mshv_abi_gpap_access_bitmap, rsvd) == 2, "gpap rsvd offset");
_Static_assert(offsetof(struct mshv_abi_gpap_access_bitmap, page_count) == 8, "page_count offset");
_Static_assert(offsetof(struct mshv_abi_gpap_access_bitmap, gpap_base) == 16, "gpap_base offset");
_Static_assert(offsetof(struct mshv_abi_gpap_access_bitmap, bitmap_ptr) == 24, "bitmap_ptr offset");

/* MSHV_ROOT_HVCALL, on /dev/mshv, partition and VP fds alike. */
struct mshv_abi_root_hvcall {
    uint16_t code;
    uint16_t reps;   /* in: rep count; out: reps completed */
    uint16_t in_sz;  /* 8 ..= MSHV_ABI_MAX_HVCALL_BYTES */
    uint16_t out_sz; /* with out_ptr: 1 ..= MSHV_ABI_MAX_HVCALL_BYTES */
    uint16_t status; /* in: must be 0; out: the hypervisor status */
    uint8_t rsvd[6]; /* must be zero */
    uint64_t in_ptr;
    uint64_t out_ptr;
};
_Static_assert(sizeof(struct mshv_abi_root_hvcall) == 32, "root_hvcall size");
_Static_assert(offsetof(struct mshv_abi_root_hvcall, reps) == 2, "reps offset");
_Static_assert(offsetof(struct mshv_abi_root_hvcall, in_sz) == 4, "in_sz offset");
_Static_assert(offsetof(struct mshv_abi_root_hvcall, out_sz) == 6, "out_sz offset");
_Static_assert(offsetof(struct mshv_abi_root_hvcall, status) == 8, "status offset");
_Static_assert(offsetof(struct mshv_abi_root_hvcall, rsvd) == 10, "hvcall rsvd offset");
_Static_assert(offsetof(struct mshv_abi_root_hvcall, in_ptr) == 16, "in_ptr offset");
_Static_assert(offsetof(struct mshv_abi_root_hvcall, out_ptr) == 24, "out_ptr offset");
#define MSHV_ABI_MAX_HVCALL_BYTES 4096u

/* ---- VP fds ------------------------------------------------------------------------------------ */

#define MSHV_ABI_RUN_VP_BUF_SIZE 256u
struct mshv_abi_run_vp {
    uint8_t msg_buf[MSHV_ABI_RUN_VP_BUF_SIZE]; /* one hv_message */
};
_Static_assert(sizeof(struct mshv_abi_run_vp) == 256, "run_vp size");

/* mmap page offsets of a VP fd, in system pages. */
#define MSHV_ABI_VP_MMAP_REGISTERS 0u
#define MSHV_ABI_VP_MMAP_INTERCEPT_MESSAGE 1u
#define MSHV_ABI_VP_MMAP_GHCB 2u

#define MSHV_ABI_VP_STATE_LAPIC 0u
#define MSHV_ABI_VP_STATE_XSAVE 1u
#define MSHV_ABI_VP_STATE_SIMP 2u
#define MSHV_ABI_VP_STATE_SIEFP 3u
#define MSHV_ABI_VP_STATE_SYNTHETIC_TIMERS 4u
#define MSHV_ABI_VP_STATE_COUNT 5u

struct mshv_abi_get_set_vp_state {
    uint8_t type;
    uint8_t rsvd[3]; /* must be zero */
    uint32_t buf_sz; /* in: non-zero page multiple; out: the size the state needs */
    uint64_t buf_ptr; /* page aligned */
};
_Static_assert(sizeof(struct mshv_abi_get_set_vp_state) == 16, "get_set_vp_state size");
_Static_assert(offsetof(struct mshv_abi_get_set_vp_state, rsvd) == 1, "vp_state rsvd offset");
_Static_assert(offsetof(struct mshv_abi_get_set_vp_state, buf_sz) == 4, "buf_sz offset");
_Static_assert(offsetof(struct mshv_abi_get_set_vp_state, buf_ptr) == 8, "buf_ptr offset");

/* ---- the numbers ------------------------------------------------------------------------------- */

/* /dev/mshv; the v2 struct travels under this number too (its size field says 16). */
#define MSHV_ABI_CREATE_PARTITION \
    MSHV_ABI_IOC(MSHV_ABI_DIR_WRITE, 0x00, sizeof(struct mshv_abi_create_partition))
/* Partition fd. */
#define MSHV_ABI_INITIALIZE_PARTITION MSHV_ABI_IOC(MSHV_ABI_DIR_NONE, 0x00, 0)
#define MSHV_ABI_CREATE_VP MSHV_ABI_IOC(MSHV_ABI_DIR_WRITE, 0x01, sizeof(struct mshv_abi_create_vp))
#define MSHV_ABI_SET_GUEST_MEMORY \
    MSHV_ABI_IOC(MSHV_ABI_DIR_WRITE, 0x02, sizeof(struct mshv_abi_user_mem_region))
#define MSHV_ABI_IRQFD MSHV_ABI_IOC(MSHV_ABI_DIR_WRITE, 0x03, sizeof(struct mshv_abi_user_irqfd))
#define MSHV_ABI_IOEVENTFD MSHV_ABI_IOC(MSHV_ABI_DIR_WRITE, 0x04, sizeof(struct mshv_abi_user_ioeventfd))
#define MSHV_ABI_SET_MSI_ROUTING \
    MSHV_ABI_IOC(MSHV_ABI_DIR_WRITE, 0x05, sizeof(struct mshv_abi_user_irq_table))
#define MSHV_ABI_GET_GPAP_ACCESS_BITMAP \
    MSHV_ABI_IOC(MSHV_ABI_DIR_WRITE | MSHV_ABI_DIR_READ, 0x06, sizeof(struct mshv_abi_gpap_access_bitmap))
/* /dev/mshv, partition and VP fds. */
#define MSHV_ABI_ROOT_HVCALL \
    MSHV_ABI_IOC(MSHV_ABI_DIR_WRITE | MSHV_ABI_DIR_READ, 0x07, sizeof(struct mshv_abi_root_hvcall))
/* VP fd. */
#define MSHV_ABI_RUN_VP MSHV_ABI_IOC(MSHV_ABI_DIR_READ, 0x00, sizeof(struct mshv_abi_run_vp))
#define MSHV_ABI_GET_VP_STATE \
    MSHV_ABI_IOC(MSHV_ABI_DIR_WRITE | MSHV_ABI_DIR_READ, 0x01, sizeof(struct mshv_abi_get_set_vp_state))
#define MSHV_ABI_SET_VP_STATE \
    MSHV_ABI_IOC(MSHV_ABI_DIR_WRITE | MSHV_ABI_DIR_READ, 0x02, sizeof(struct mshv_abi_get_set_vp_state))

/* The full numbers, as mshv_uapi.hpp pins them. */
_Static_assert(MSHV_ABI_CREATE_PARTITION == 0x4010B800ul, "MSHV_CREATE_PARTITION");
_Static_assert(MSHV_ABI_INITIALIZE_PARTITION == 0x0000B800ul, "MSHV_INITIALIZE_PARTITION");
_Static_assert(MSHV_ABI_CREATE_VP == 0x4004B801ul, "MSHV_CREATE_VP");
_Static_assert(MSHV_ABI_SET_GUEST_MEMORY == 0x4020B802ul, "MSHV_SET_GUEST_MEMORY");
_Static_assert(MSHV_ABI_IRQFD == 0x4010B803ul, "MSHV_IRQFD");
_Static_assert(MSHV_ABI_IOEVENTFD == 0x4020B804ul, "MSHV_IOEVENTFD");
_Static_assert(MSHV_ABI_SET_MSI_ROUTING == 0x4008B805ul, "MSHV_SET_MSI_ROUTING");
_Static_assert(MSHV_ABI_GET_GPAP_ACCESS_BITMAP == 0xC020B806ul, "MSHV_GET_GPAP_ACCESS_BITMAP");
_Static_assert(MSHV_ABI_ROOT_HVCALL == 0xC020B807ul, "MSHV_ROOT_HVCALL");
_Static_assert(MSHV_ABI_RUN_VP == 0x8100B800ul, "MSHV_RUN_VP");
_Static_assert(MSHV_ABI_GET_VP_STATE == 0xC010B801ul, "MSHV_GET_VP_STATE");
_Static_assert(MSHV_ABI_SET_VP_STATE == 0xC010B802ul, "MSHV_SET_VP_STATE");

/* ---- what passes through MSHV_ROOT_HVCALL (the hypervisor's ABI) ------------------------------ */

/* Call codes. On /dev/mshv only the two get-property calls are allowed; set-property (which may
 * complete asynchronously) only on a partition fd. */
#define HV_ABI_GET_PARTITION_PROPERTY 0x0044u
#define HV_ABI_SET_PARTITION_PROPERTY 0x0045u
#define HV_ABI_CREATE_VP 0x004Eu /* not on any passthrough list */
#define HV_ABI_GET_VP_REGISTERS 0x0050u /* rep */
#define HV_ABI_SET_VP_REGISTERS 0x0051u /* rep */
#define HV_ABI_READ_GPA 0x0053u /* downstream kernels only */
#define HV_ABI_GET_VP_CPUID_VALUES 0x00F4u /* rep */

/* Statuses (the low 16 bits of the result). */
#define HV_ABI_STATUS_SUCCESS 0x0000u
#define HV_ABI_STATUS_INVALID_PARAMETER 0x0005u
#define HV_ABI_STATUS_INVALID_PARTITION_STATE 0x0007u

/* Partition property codes. */
#define HV_ABI_PROP_PRIVILEGE_FLAGS 0x00010000u
#define HV_ABI_PROP_GPA_PAGE_ACCESS_TRACKING 0x00050005u
#define HV_ABI_PROP_UNIMPLEMENTED_MSR_ACTION 0x00050017u
#define HV_ABI_PROP_PHYSICAL_ADDRESS_WIDTH 0x00060006u
#define HV_ABI_PROP_MAX_XSAVE_DATA_SIZE 0x00060008u

/* Register names. */
#define HV_ABI_REG_EXPLICIT_SUSPEND 0x00000000u
#define HV_ABI_REG_INTERCEPT_SUSPEND 0x00000001u
#define HV_ABI_REG_DELIVERABILITY_NOTIFICATIONS 0x00010006u
#define HV_ABI_REG_RAX 0x00020000u
#define HV_ABI_REG_CS 0x00060001u

/* HvCallGetPartitionProperty input; the output is the 8-byte value. */
struct hv_abi_get_partition_property {
    uint64_t partition_id; /* overwritten by the driver */
    uint32_t property_code;
    uint32_t padding;
};
_Static_assert(sizeof(struct hv_abi_get_partition_property) == 16, "get_partition_property size");
_Static_assert(offsetof(struct hv_abi_get_partition_property, property_code) == 8, "property_code offset");

struct hv_abi_set_partition_property {
    uint64_t partition_id;
    uint32_t property_code;
    uint32_t padding;
    uint64_t property_value;
};
_Static_assert(sizeof(struct hv_abi_set_partition_property) == 24, "set_partition_property size");
_Static_assert(offsetof(struct hv_abi_set_partition_property, property_value) == 16, "property_value offset");

/* Header of get and set VP registers: then one 4-byte name per rep (get; output 16 bytes per
 * rep) or one 32-byte name/value pair per rep (set). */
struct hv_abi_vp_registers_header {
    uint64_t partition_id;
    uint32_t vp_index;
    uint8_t input_vtl;
    uint8_t rsvd_z8;
    uint16_t rsvd_z16;
};
_Static_assert(sizeof(struct hv_abi_vp_registers_header) == 16, "vp_registers header size");
_Static_assert(offsetof(struct hv_abi_vp_registers_header, vp_index) == 8, "vp_index offset");
_Static_assert(offsetof(struct hv_abi_vp_registers_header, input_vtl) == 12, "input_vtl offset");

struct hv_abi_register_value {
    uint64_t low;
    uint64_t high;
};
_Static_assert(sizeof(struct hv_abi_register_value) == 16, "register value size");

struct hv_abi_register_assoc {
    uint32_t name;
    uint32_t reserved1;
    uint64_t reserved2;
    struct hv_abi_register_value value;
};
_Static_assert(sizeof(struct hv_abi_register_assoc) == 32, "register_assoc size");
_Static_assert(offsetof(struct hv_abi_register_assoc, value) == 16, "register_assoc value offset");

/* A segment register's 128-bit value. */
struct hv_abi_segment {
    uint64_t base;
    uint32_t limit;
    uint16_t selector;
    uint16_t attributes;
};
_Static_assert(sizeof(struct hv_abi_segment) == 16, "segment size");
_Static_assert(offsetof(struct hv_abi_segment, limit) == 8, "segment limit offset");
_Static_assert(offsetof(struct hv_abi_segment, selector) == 12, "segment selector offset");
_Static_assert(offsetof(struct hv_abi_segment, attributes) == 14, "segment attributes offset");

/* HvCallGetVpCpuidValues: this header, then one 24-byte leaf per rep; 16 bytes out per rep. */
struct hv_abi_get_vp_cpuid_values {
    uint64_t partition_id;
    uint32_t vp_index;
    uint32_t flags;
    uint32_t reserved;
    uint32_t padding;
};
_Static_assert(sizeof(struct hv_abi_get_vp_cpuid_values) == 24, "get_vp_cpuid_values size");
_Static_assert(offsetof(struct hv_abi_get_vp_cpuid_values, flags) == 12, "cpuid flags offset");

struct hv_abi_cpuid_leaf {
    uint32_t eax;
    uint32_t ecx;
    uint64_t xfem;
    uint64_t xss;
};
_Static_assert(sizeof(struct hv_abi_cpuid_leaf) == 24, "cpuid leaf size");
_Static_assert(offsetof(struct hv_abi_cpuid_leaf, xfem) == 8, "cpuid leaf xfem offset");

struct hv_abi_cpuid_result {
    uint32_t eax, ebx, ecx, edx;
};
_Static_assert(sizeof(struct hv_abi_cpuid_result) == 16, "cpuid result size");

#endif /* HVSIM_MSHV_ABI_H */
