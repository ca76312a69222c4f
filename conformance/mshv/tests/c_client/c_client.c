/* A plain C client of /dev/mshv (C11, libc only): it opens the device as any VMM would and calls
 * every ioctl the driver model serves, on each fd kind, with good arguments and with bad ones,
 * checking the exact errno of each refusal against what mshv_root answers (the per-fd contract
 * of mshv-uapi.md §2 and K-evfd, as conformance/mshv/src/driver.cpp and passthrough.cpp serve it)
 * and the hypervisor answers rust-vmm mshv-ioctls' tests record from real hardware (§3.3).
 *
 * Run in-process (linked with hvsim_mshv_interposer) or under `hvsim mshv run` (the preload
 * library). Against a real /dev/mshv the model's own answers would differ: RUN_VP, the VP pages'
 * mmap, and RESAMPLE irqfds on kernels without the 2026 fix.
 * Exit status 0 when every check passed, 1 otherwise; the last line is the summary. */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mshv_abi.h"

/* ---- checks ---------------------------------------------------------------------------------- */

static int checks, failures;
static long last_ret;
static void *last_ptr;
static int last_errno;

/* Evaluates a call once and keeps its result and errno (the comma operator orders them). */
#define CALL(call) (errno = 0, last_ret = (long)(call), last_errno = errno, last_ret)

/* CHECK(call, 0): the call succeeds (does not return -1); CHECK(call, E): it fails with errno E.
 * Evaluates to the call's result. */
#define CHECK(call, want) check_result(__FILE__, __LINE__, #call, CALL(call), (want))
/* mmap: MAP_FAILED with errno `want`, or (want 0) a mapping. */
#define CHECK_MMAP(call, want) \
    check_mmap(__FILE__, __LINE__, #call, (errno = 0, last_ptr = (call), last_errno = errno, last_ptr), (want))
#define CHECK_TRUE(cond, ...) check_true(__FILE__, __LINE__, (cond) != 0, #cond, __VA_ARGS__)
#define CHECK_EQ(got, want) check_eq(__FILE__, __LINE__, #got, (uint64_t)(got), (uint64_t)(want))

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

static const char *errno_name(int e) {
    switch (e) {
        case 0: return "success";
        case EPERM: return "EPERM";
        case ENOENT: return "ENOENT";
        case EIO: return "EIO";
        case E2BIG: return "E2BIG";
        case EBADF: return "EBADF";
        case EAGAIN: return "EAGAIN";
        case ENOMEM: return "ENOMEM";
        case EFAULT: return "EFAULT";
        case EBUSY: return "EBUSY";
        case EEXIST: return "EEXIST";
        case ENODEV: return "ENODEV";
        case EINVAL: return "EINVAL";
        case ENOTTY: return "ENOTTY";
        case EBADFD: return "EBADFD";
        case EOPNOTSUPP: return "EOPNOTSUPP";
        default: return "E?";
    }
}

static void describe(char *buf, size_t size, long r, int err) {
    if (r == -1)
        snprintf(buf, size, "%s (%s)", errno_name(err), strerror(err));
    else
        snprintf(buf, size, "success (returned %ld)", r);
}

static int matches(long r, int err, int want) { return want == 0 ? r != -1 : r == -1 && err == want; }

static long check_result(const char *file, int line, const char *text, long r, int want) {
    ++checks;
    if (!matches(r, last_errno, want)) {
        char got[128];
        describe(got, sizeof got, r, last_errno);
        printf("%s:%d: FAIL %s: expected %s (%s), got %s\n", base_name(file), line, text, errno_name(want),
               want == 0 ? "no error" : strerror(want), got);
        ++failures;
    }
    return r;
}

static void *check_mmap(const char *file, int line, const char *text, void *p, int want) {
    const int err = last_errno;
    ++checks;
    const int ok = want == 0 ? p != MAP_FAILED : p == MAP_FAILED && err == want;
    if (!ok) {
        char got[128];
        if (p == MAP_FAILED)
            snprintf(got, sizeof got, "%s (%s)", errno_name(err), strerror(err));
        else
            snprintf(got, sizeof got, "a mapping at %p", p);
        printf("%s:%d: FAIL %s: expected %s, got %s\n", base_name(file), line, text,
               want == 0 ? "a mapping" : errno_name(want), got);
        ++failures;
    }
    return p;
}

static int check_true(const char *file, int line, int ok, const char *text, const char *what) {
    ++checks;
    if (!ok) {
        printf("%s:%d: FAIL %s: %s\n", base_name(file), line, text, what);
        ++failures;
    }
    return ok;
}

static int check_eq(const char *file, int line, const char *text, uint64_t got, uint64_t want) {
    ++checks;
    if (got != want) {
        printf("%s:%d: FAIL %s: expected 0x%" PRIx64 ", got 0x%" PRIx64 "\n", base_name(file), line, text, want, got);
        ++failures;
        return 0;
    }
    return 1;
}

static void note(const char *text) { printf("c_client: note: %s\n", text); }

/* ---- helpers ---------------------------------------------------------------------------------- */

#define PAGE 4096u

static uint64_t ptr(const void *p) { return (uint64_t)(uintptr_t)p; }

static struct mshv_abi_root_hvcall hvcall_args(uint16_t code, uint16_t reps, const void *in, size_t in_sz, void *out,
                                               size_t out_sz) {
    struct mshv_abi_root_hvcall a;
    memset(&a, 0, sizeof a);
    a.code = code;
    a.reps = reps;
    a.in_sz = (uint16_t)in_sz;
    a.out_sz = (uint16_t)out_sz;
    a.in_ptr = in != NULL ? ptr(in) : 0;
    a.out_ptr = out != NULL ? ptr(out) : 0;
    return a;
}

/* GET_PARTITION_PROPERTY through fd's passthrough; the hypervisor status lands in *status. */
static int get_property(int fd, uint32_t code, uint64_t *value, uint16_t *status) {
    struct hv_abi_get_partition_property in = {0, code, 0};
    struct mshv_abi_root_hvcall a = hvcall_args(HV_ABI_GET_PARTITION_PROPERTY, 0, &in, sizeof in, value, sizeof *value);
    const int r = ioctl(fd, MSHV_ABI_ROOT_HVCALL, &a);
    *status = a.status;
    return r;
}

static int set_property(int fd, uint32_t code, uint64_t value, uint16_t *status) {
    struct hv_abi_set_partition_property in = {0, code, 0, value};
    struct mshv_abi_root_hvcall a = hvcall_args(HV_ABI_SET_PARTITION_PROPERTY, 0, &in, sizeof in, NULL, 0);
    const int r = ioctl(fd, MSHV_ABI_ROOT_HVCALL, &a);
    *status = a.status;
    return r;
}

/* GET_VP_REGISTERS of n names for VP 0 (at most 8); *reps gets the reps completed. */
static int get_registers(int fd, const uint32_t *names, unsigned n, struct hv_abi_register_value *values,
                         uint16_t *status, uint16_t *reps) {
    unsigned char in[sizeof(struct hv_abi_vp_registers_header) + 8 * sizeof(uint32_t)];
    memset(in, 0, sizeof in);
    memcpy(in + sizeof(struct hv_abi_vp_registers_header), names, n * sizeof *names);
    struct mshv_abi_root_hvcall a =
        hvcall_args(HV_ABI_GET_VP_REGISTERS, (uint16_t)n, in, sizeof(struct hv_abi_vp_registers_header) + n * 4u,
                    values, n * sizeof *values);
    const int r = ioctl(fd, MSHV_ABI_ROOT_HVCALL, &a);
    *status = a.status;
    *reps = a.reps;
    return r;
}

static int set_register(int fd, uint32_t name, uint64_t low, uint64_t high, uint16_t *status) {
    struct {
        struct hv_abi_vp_registers_header header;
        struct hv_abi_register_assoc assoc;
    } in;
    memset(&in, 0, sizeof in);
    in.assoc.name = name;
    in.assoc.value.low = low;
    in.assoc.value.high = high;
    struct mshv_abi_root_hvcall a = hvcall_args(HV_ABI_SET_VP_REGISTERS, 1, &in, sizeof in, NULL, 0);
    const int r = ioctl(fd, MSHV_ABI_ROOT_HVCALL, &a);
    *status = a.status;
    return r;
}

static struct mshv_abi_user_mem_region region(uint64_t gfn, const void *addr, uint64_t size, uint8_t flags) {
    struct mshv_abi_user_mem_region r;
    memset(&r, 0, sizeof r);
    r.size = size;
    r.guest_pfn = gfn;
    r.userspace_addr = ptr(addr);
    r.flags = flags;
    return r;
}

static struct mshv_abi_user_ioeventfd ioeventfd_args(uint64_t addr, uint32_t len, int fd, uint32_t flags,
                                                     uint64_t datamatch) {
    struct mshv_abi_user_ioeventfd e;
    memset(&e, 0, sizeof e);
    e.addr = addr;
    e.len = len;
    e.fd = fd;
    e.flags = flags;
    e.datamatch = datamatch;
    return e;
}

static struct mshv_abi_gpap_access_bitmap gpap_args(uint8_t type, uint8_t op, uint64_t base, uint64_t count,
                                                    void *bitmap) {
    struct mshv_abi_gpap_access_bitmap g;
    memset(&g, 0, sizeof g);
    g.access_type = type;
    g.access_op = op;
    g.gpap_base = base;
    g.page_count = count;
    g.bitmap_ptr = bitmap != NULL ? ptr(bitmap) : 0;
    return g;
}

static struct mshv_abi_get_set_vp_state vp_state_args(uint8_t type, uint32_t size, const void *buf) {
    struct mshv_abi_get_set_vp_state s;
    memset(&s, 0, sizeof s);
    s.type = type;
    s.buf_sz = size;
    s.buf_ptr = ptr(buf);
    return s;
}

static int is_cloexec(int fd) {
    const int flags = fcntl(fd, F_GETFD);
    return flags >= 0 && (flags & FD_CLOEXEC) != 0;
}

static long resident_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = 0;
    if (f == NULL) return -1;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
}

static int all_bytes(const unsigned char *p, size_t n, unsigned char value) {
    for (size_t i = 0; i < n; ++i)
        if (p[i] != value) return 0;
    return 1;
}

/* ---- /dev/mshv -------------------------------------------------------------------------------- */

static void device_create_partition(int dev) {
    struct mshv_abi_create_partition v1 = {MSHV_ABI_PT_LAPIC | MSHV_ABI_PT_X2APIC | MSHV_ABI_PT_GPA_SUPER_PAGES, 0};
    const int good = (int)CHECK(ioctl(dev, MSHV_ABI_CREATE_PARTITION, &v1), 0);
    if (good >= 0) {
        CHECK_TRUE(is_cloexec(good), "a partition fd is O_CLOEXEC");
        CHECK(close(good), 0);
    }
    struct mshv_abi_create_partition bad = {1ull << 6, 0};
    CHECK(ioctl(dev, MSHV_ABI_CREATE_PARTITION, &bad), EINVAL);
    bad.pt_flags = 1ull << 63;
    CHECK(ioctl(dev, MSHV_ABI_CREATE_PARTITION, &bad), EINVAL);
    bad.pt_flags = MSHV_ABI_PT_LAPIC;
    bad.pt_isolation = 1;
    CHECK(ioctl(dev, MSHV_ABI_CREATE_PARTITION, &bad), EINVAL);
    CHECK(ioctl(dev, MSHV_ABI_CREATE_PARTITION, NULL), EFAULT);

    /* v2: 64 bytes under the v1 number, selected by pt_flags bit 3. */
    struct mshv_abi_create_partition_v2 v2;
    memset(&v2, 0, sizeof v2);
    v2.pt_flags = MSHV_ABI_PT_LAPIC | MSHV_ABI_PT_X2APIC | MSHV_ABI_PT_GPA_SUPER_PAGES |
                  MSHV_ABI_PT_CPU_AND_XSAVE_FEATURES;
    v2.pt_num_cpu_fbanks = MSHV_ABI_CPU_FEATURE_BANKS;
    const int v2fd = (int)CHECK(ioctl(dev, MSHV_ABI_CREATE_PARTITION, &v2), 0);
    if (v2fd >= 0) {
        /* A fresh partition takes PRIVILEGE_FLAGS (rust-vmm sets its creation properties here). */
        uint64_t privileges = 0;
        uint16_t status = 0xFFFF;
        CHECK(get_property(v2fd, HV_ABI_PROP_PRIVILEGE_FLAGS, &privileges, &status), 0);
        CHECK(set_property(v2fd, HV_ABI_PROP_PRIVILEGE_FLAGS, privileges, &status), 0);
        CHECK_EQ(status, HV_ABI_STATUS_SUCCESS);
        CHECK(close(v2fd), 0);
    }
    struct mshv_abi_create_partition_v2 v2bad = v2;
    v2bad.pt_num_cpu_fbanks = 1;
    CHECK(ioctl(dev, MSHV_ABI_CREATE_PARTITION, &v2bad), EINVAL);
    v2bad.pt_num_cpu_fbanks = 3;
    CHECK(ioctl(dev, MSHV_ABI_CREATE_PARTITION, &v2bad), EINVAL);
    v2bad = v2;
    v2bad.pt_rsvd[5] = 1;
    CHECK(ioctl(dev, MSHV_ABI_CREATE_PARTITION, &v2bad), EINVAL);
    v2bad = v2;
    v2bad.pt_rsvd1[1] = 1;
    CHECK(ioctl(dev, MSHV_ABI_CREATE_PARTITION, &v2bad), EINVAL);
    v2bad = v2;
    v2bad.pt_flags |= 1ull << 7;
    CHECK(ioctl(dev, MSHV_ABI_CREATE_PARTITION, &v2bad), EINVAL);
    v2bad = v2;
    v2bad.pt_isolation = 1;
    CHECK(ioctl(dev, MSHV_ABI_CREATE_PARTITION, &v2bad), EINVAL);
}

static void device_self_hvcall(int dev) {
    /* rust-vmm test_get_host_ipa_limit: the root's PHYSICAL_ADDRESS_WIDTH. */
    uint64_t width = 0;
    uint16_t status = 0xFFFF;
    CHECK(get_property(dev, HV_ABI_PROP_PHYSICAL_ADDRESS_WIDTH, &width, &status), 0);
    CHECK_EQ(status, HV_ABI_STATUS_SUCCESS);
    CHECK_TRUE(width > 0 && width <= 64, "the root's physical address width is 1..64 bits");

    /* Only the two get-property calls are on the self list: set-property and a VP call are not. */
    uint64_t in[4] = {0, HV_ABI_PROP_PHYSICAL_ADDRESS_WIDTH, 0, 0};
    struct mshv_abi_root_hvcall a = hvcall_args(HV_ABI_SET_PARTITION_PROPERTY, 0, in, 24, NULL, 0);
    CHECK(ioctl(dev, MSHV_ABI_ROOT_HVCALL, &a), EINVAL);
    a = hvcall_args(HV_ABI_GET_VP_REGISTERS, 1, in, 20, in, 16);
    CHECK(ioctl(dev, MSHV_ABI_ROOT_HVCALL, &a), EINVAL);
    /* The argument checks come first on /dev/mshv too. */
    a = hvcall_args(HV_ABI_GET_PARTITION_PROPERTY, 0, in, 7, &width, 8);
    CHECK(ioctl(dev, MSHV_ABI_ROOT_HVCALL, &a), EINVAL);
}

static void device_unknown(int dev) {
    CHECK(ioctl(dev, MSHV_ABI_CREATE_VP, &(struct mshv_abi_create_vp){0}), ENOTTY);
    CHECK(ioctl(dev, MSHV_ABI_INITIALIZE_PARTITION, NULL), ENOTTY);
    CHECK(ioctl(dev, MSHV_ABI_IOC(MSHV_ABI_DIR_WRITE | MSHV_ABI_DIR_READ, 0x01, 16), NULL), ENOTTY);
    CHECK(ioctl(dev, 0x1234ul, NULL), ENOTTY);
}

/* ---- partition fd ------------------------------------------------------------------------------- */

/* Before INITIALIZE PRIVILEGE_FLAGS may be set; after it the hypervisor answers
 * INVALID_PARTITION_STATE (rust-vmm test_set_partition_property_invalid), which is -EIO. */
static void partition_initialize(int part) {
    uint64_t privileges = 0;
    uint16_t status = 0xFFFF;
    CHECK(get_property(part, HV_ABI_PROP_PRIVILEGE_FLAGS, &privileges, &status), 0);
    CHECK(set_property(part, HV_ABI_PROP_PRIVILEGE_FLAGS, privileges, &status), 0);
    CHECK_EQ(status, HV_ABI_STATUS_SUCCESS);

    CHECK(ioctl(part, MSHV_ABI_INITIALIZE_PARTITION, NULL), 0);
    CHECK(ioctl(part, MSHV_ABI_INITIALIZE_PARTITION, NULL), 0); /* a no-op once initialized */

    status = 0;
    CHECK(set_property(part, HV_ABI_PROP_PRIVILEGE_FLAGS, privileges, &status), EIO);
    CHECK_EQ(status, HV_ABI_STATUS_INVALID_PARTITION_STATE);
}

static void partition_hvcall(int part) {
    uint64_t value = 0;
    uint16_t status = 0xFFFF;
    CHECK(set_property(part, HV_ABI_PROP_UNIMPLEMENTED_MSR_ACTION, 1, &status), 0);
    CHECK_EQ(status, HV_ABI_STATUS_SUCCESS);
    CHECK(get_property(part, HV_ABI_PROP_UNIMPLEMENTED_MSR_ACTION, &value, &status), 0);
    CHECK_EQ(value, 1);
    CHECK(get_property(part, HV_ABI_PROP_MAX_XSAVE_DATA_SIZE, &value, &status), 0);
    CHECK_TRUE(value >= 512 && value <= 0x10000, "MAX_XSAVE_DATA_SIZE is at least the legacy area");

    struct hv_abi_get_partition_property in = {0, HV_ABI_PROP_PHYSICAL_ADDRESS_WIDTH, 0};
    unsigned char big[MSHV_ABI_MAX_HVCALL_BYTES + 8];
    memset(big, 0, sizeof big);
    struct mshv_abi_root_hvcall a = hvcall_args(HV_ABI_GET_PARTITION_PROPERTY, 0, &in, 7, &value, 8);
    CHECK(ioctl(part, MSHV_ABI_ROOT_HVCALL, &a), EINVAL); /* in_sz < 8 */
    a = hvcall_args(HV_ABI_GET_PARTITION_PROPERTY, 0, big, MSHV_ABI_MAX_HVCALL_BYTES + 1, &value, 8);
    CHECK(ioctl(part, MSHV_ABI_ROOT_HVCALL, &a), EINVAL); /* in_sz > 4096 */
    a = hvcall_args(HV_ABI_GET_PARTITION_PROPERTY, 0, big, MSHV_ABI_MAX_HVCALL_BYTES, &value, 8);
    memcpy(big + 8, &in.property_code, 4);
    CHECK(ioctl(part, MSHV_ABI_ROOT_HVCALL, &a), 0); /* in_sz = 4096 is the bound, not past it */
    a = hvcall_args(HV_ABI_GET_PARTITION_PROPERTY, 0, NULL, sizeof in, &value, 8);
    CHECK(ioctl(part, MSHV_ABI_ROOT_HVCALL, &a), EINVAL); /* null in_ptr */
    a = hvcall_args(HV_ABI_GET_PARTITION_PROPERTY, 0, &in, sizeof in, &value, 8);
    a.status = 1;
    CHECK(ioctl(part, MSHV_ABI_ROOT_HVCALL, &a), EINVAL); /* status must be 0 on entry */
    a = hvcall_args(HV_ABI_GET_PARTITION_PROPERTY, 0, &in, sizeof in, &value, 8);
    a.rsvd[3] = 1;
    CHECK(ioctl(part, MSHV_ABI_ROOT_HVCALL, &a), EINVAL); /* reserved bytes */
    a = hvcall_args(HV_ABI_GET_PARTITION_PROPERTY, 0, &in, sizeof in, &value, 0);
    CHECK(ioctl(part, MSHV_ABI_ROOT_HVCALL, &a), EINVAL); /* out_ptr without out_sz */
    a = hvcall_args(HV_ABI_GET_PARTITION_PROPERTY, 0, &in, sizeof in, big, MSHV_ABI_MAX_HVCALL_BYTES + 1);
    CHECK(ioctl(part, MSHV_ABI_ROOT_HVCALL, &a), EINVAL); /* out_sz > 4096 */
    a = hvcall_args(HV_ABI_CREATE_VP, 0, &in, sizeof in, NULL, 0);
    CHECK(ioctl(part, MSHV_ABI_ROOT_HVCALL, &a), EINVAL); /* not on the allow-list */
    a = hvcall_args(HV_ABI_READ_GPA, 0, &in, sizeof in, NULL, 0);
    CHECK(ioctl(part, MSHV_ABI_ROOT_HVCALL, &a), EINVAL); /* downstream only */
    CHECK(ioctl(part, MSHV_ABI_ROOT_HVCALL, NULL), EFAULT);
}

static void partition_create_vp(int part, int *vp) {
    struct mshv_abi_create_vp args = {0};
    *vp = (int)CHECK(ioctl(part, MSHV_ABI_CREATE_VP, &args), 0);
    if (*vp >= 0) CHECK_TRUE(is_cloexec(*vp), "a VP fd is O_CLOEXEC");
    CHECK(ioctl(part, MSHV_ABI_CREATE_VP, &args), EEXIST);
    args.vp_index = MSHV_ABI_MAX_VPS;
    CHECK(ioctl(part, MSHV_ABI_CREATE_VP, &args), EINVAL);
    args.vp_index = UINT32_MAX;
    CHECK(ioctl(part, MSHV_ABI_CREATE_VP, &args), EINVAL);
    /* The last index; its fd's close leaves the VP in the partition, so it exists still. */
    args.vp_index = MSHV_ABI_MAX_VPS - 1;
    const int last = (int)CHECK(ioctl(part, MSHV_ABI_CREATE_VP, &args), 0);
    if (last >= 0) CHECK(close(last), 0);
    CHECK(ioctl(part, MSHV_ABI_CREATE_VP, &args), EEXIST);
    CHECK(ioctl(part, MSHV_ABI_CREATE_VP, NULL), EFAULT);
}

/* Dirty logging over a mapped range (rust-vmm test_get_dirty_log_*): after a CLEAR a SET read
 * returns zeros, and two NOOP reads agree. */
static void partition_dirty_log(int part, uint64_t gfn, uint64_t pages) {
    uint16_t status = 0xFFFF;
    CHECK(set_property(part, HV_ABI_PROP_GPA_PAGE_ACCESS_TRACKING, 1, &status), 0);
    const size_t bytes = (size_t)((pages + 7) / 8);
    unsigned char *bitmap = malloc(bytes + 1), *again = malloc(bytes + 1);
    if (bitmap == NULL || again == NULL) {
        CHECK_TRUE(0, "allocating the bitmaps");
        free(bitmap);
        free(again);
        return;
    }
    struct mshv_abi_gpap_access_bitmap g = gpap_args(MSHV_ABI_GPAP_DIRTY, MSHV_ABI_GPAP_OP_CLEAR, gfn, pages, bitmap);
    CHECK(ioctl(part, MSHV_ABI_GET_GPAP_ACCESS_BITMAP, &g), 0);
    memset(bitmap, 0xAA, bytes + 1);
    g.access_op = MSHV_ABI_GPAP_OP_SET;
    CHECK(ioctl(part, MSHV_ABI_GET_GPAP_ACCESS_BITMAP, &g), 0);
    CHECK_TRUE(all_bytes(bitmap, bytes, 0), "after a CLEAR, a SET read returns all zeros");
    CHECK_EQ(bitmap[bytes], 0xAA); /* nothing written past (page_count + 7) / 8 bytes */
    g.access_op = MSHV_ABI_GPAP_OP_NOOP;
    CHECK(ioctl(part, MSHV_ABI_GET_GPAP_ACCESS_BITMAP, &g), 0);
    g.bitmap_ptr = ptr(again);
    CHECK(ioctl(part, MSHV_ABI_GET_GPAP_ACCESS_BITMAP, &g), 0);
    CHECK_TRUE(memcmp(bitmap, again, bytes) == 0, "two NOOP reads agree");
    g = gpap_args(MSHV_ABI_GPAP_ACCESSED, MSHV_ABI_GPAP_OP_NOOP, gfn, pages, bitmap);
    CHECK(ioctl(part, MSHV_ABI_GET_GPAP_ACCESS_BITMAP, &g), 0);
    CHECK(set_property(part, HV_ABI_PROP_GPA_PAGE_ACCESS_TRACKING, 0, &status), 0);
    free(bitmap);
    free(again);
}

static void partition_gpap_refusals(int part, uint64_t gfn) {
    unsigned char bitmap[4] = {0};
    struct mshv_abi_gpap_access_bitmap g = gpap_args(MSHV_ABI_GPAP_TYPE_COUNT, MSHV_ABI_GPAP_OP_NOOP, gfn, 8, bitmap);
    CHECK(ioctl(part, MSHV_ABI_GET_GPAP_ACCESS_BITMAP, &g), EINVAL); /* type */
    g = gpap_args(MSHV_ABI_GPAP_DIRTY, MSHV_ABI_GPAP_OP_COUNT, gfn, 8, bitmap);
    CHECK(ioctl(part, MSHV_ABI_GET_GPAP_ACCESS_BITMAP, &g), EINVAL); /* op */
    g = gpap_args(MSHV_ABI_GPAP_DIRTY, MSHV_ABI_GPAP_OP_NOOP, gfn, 0, bitmap);
    CHECK(ioctl(part, MSHV_ABI_GET_GPAP_ACCESS_BITMAP, &g), EINVAL); /* page_count 0 */
    g = gpap_args(MSHV_ABI_GPAP_DIRTY, MSHV_ABI_GPAP_OP_NOOP, gfn, 8, NULL);
    CHECK(ioctl(part, MSHV_ABI_GET_GPAP_ACCESS_BITMAP, &g), EINVAL); /* no bitmap */
    g = gpap_args(MSHV_ABI_GPAP_DIRTY, MSHV_ABI_GPAP_OP_NOOP, gfn, 8, bitmap);
    g.rsvd[0] = 1;
    CHECK(ioctl(part, MSHV_ABI_GET_GPAP_ACCESS_BITMAP, &g), EINVAL); /* reserved */
    CHECK(ioctl(part, MSHV_ABI_GET_GPAP_ACCESS_BITMAP, NULL), EFAULT);
}

static void partition_memory(int part) {
    const uint64_t gfn = 0x100, pages = 16, size = pages * PAGE;
    unsigned char *ram = CHECK_MMAP(mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), 0);
    if (ram == MAP_FAILED) return;
    const uint8_t rwx = MSHV_ABI_MEM_WRITABLE | MSHV_ABI_MEM_EXECUTABLE;
    struct mshv_abi_user_mem_region r = region(gfn, ram, size, rwx);
    CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, &r), 0);

    struct mshv_abi_user_mem_region bad = region(gfn + 0x1000, ram, 0, rwx);
    CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, &bad), EINVAL); /* size 0 */
    bad = region(gfn + 0x1000, ram, PAGE + 1, rwx);
    CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, &bad), EINVAL); /* size not a page multiple */
    bad = region(gfn + 0x1000, ram + 8, PAGE, rwx);
    CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, &bad), EINVAL); /* address not page aligned */
    bad = region(gfn + 0x1000, ram, PAGE, 0x8);
    CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, &bad), EINVAL); /* flags outside 0x7 */
    bad = region(gfn + 0x1000, ram, PAGE, rwx);
    bad.rsvd[6] = 1;
    CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, &bad), EINVAL); /* reserved */
    CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, NULL), EFAULT);

    /* Only a GFN overlap is refused (6.19 and later): the same user pages at other GFNs map. */
    bad = region(gfn + pages - 1, ram, PAGE, rwx);
    CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, &bad), EEXIST);
    bad = region(gfn - 1, ram, 2 * PAGE, rwx);
    CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, &bad), EEXIST);
    struct mshv_abi_user_mem_region alias = region(gfn + 0x1000, ram, size, rwx);
    CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, &alias), 0);
    alias.flags = MSHV_ABI_MEM_UNMAP;
    CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, &alias), 0);

    /* An address range with no VMA behind it, whole or in part. */
    unsigned char *hole = CHECK_MMAP(mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), 0);
    if (hole != MAP_FAILED) {
        CHECK(munmap(hole + 4 * PAGE, 4 * PAGE), 0);
        bad = region(gfn + 0x2000, hole, 8 * PAGE, rwx);
        CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, &bad), EINVAL); /* the last half unmapped */
        CHECK(munmap(hole, 4 * PAGE), 0);
        bad = region(gfn + 0x2000, hole, 4 * PAGE, rwx);
        CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, &bad), EINVAL); /* nothing mapped */
    }

    partition_dirty_log(part, gfn, pages);
    partition_dirty_log(part, gfn, 12); /* a partial last byte: its unused bits are zero */
    partition_gpap_refusals(part, gfn);

    /* Unmap finds the region holding the GFN (none: -ENOENT since 6.19's region refcounting),
     * which must match exactly: start, user address and size (else -EINVAL). */
    struct mshv_abi_user_mem_region unmap = region(gfn, ram, size - PAGE, MSHV_ABI_MEM_UNMAP);
    CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, &unmap), EINVAL);
    unmap = region(gfn, ram + PAGE, size, MSHV_ABI_MEM_UNMAP);
    CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, &unmap), EINVAL);
    unmap = region(gfn + 1, ram, size, MSHV_ABI_MEM_UNMAP);
    CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, &unmap), EINVAL); /* inside the region, not its start */
    unmap = region(gfn + 0x3000, ram, size, MSHV_ABI_MEM_UNMAP);
    CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, &unmap), ENOENT); /* no region there */
    unmap = region(gfn, ram, size, MSHV_ABI_MEM_UNMAP | rwx); /* with UNMAP the other bits are ignored */
    CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, &unmap), 0);
    CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, &unmap), ENOENT); /* gone */
    CHECK(munmap(ram, size), 0);
}

/* rust-vmm test_get_dirty_log_8G: an 8 GiB MAP_NORESERVE region, mapped, logged and unmapped
 * without the driver touching its pages. */
static void partition_big_region(int part) {
    const uint64_t size = 8ull << 30, gfn = 0x400000, batch = 0x10000;
    const long limit = 64l << 20;
    const long before = resident_bytes();
    void *ram = CHECK_MMAP(mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0), 0);
    if (ram == MAP_FAILED) return;
    struct mshv_abi_user_mem_region r = region(gfn, ram, size, MSHV_ABI_MEM_WRITABLE | MSHV_ABI_MEM_EXECUTABLE);
    CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, &r), 0);
    const long mapped = resident_bytes();
    CHECK_TRUE(before >= 0 && mapped - before < limit, "mapping 8 GiB leaves the resident set within 64 MiB");
    unsigned char *bitmap = malloc(batch / 8);
    if (bitmap != NULL) {
        struct mshv_abi_gpap_access_bitmap g =
            gpap_args(MSHV_ABI_GPAP_DIRTY, MSHV_ABI_GPAP_OP_CLEAR, gfn + (size / PAGE) - batch, batch, bitmap);
        CHECK(ioctl(part, MSHV_ABI_GET_GPAP_ACCESS_BITMAP, &g), 0);
        memset(bitmap, 0xAA, batch / 8);
        g.access_op = MSHV_ABI_GPAP_OP_SET;
        CHECK(ioctl(part, MSHV_ABI_GET_GPAP_ACCESS_BITMAP, &g), 0);
        CHECK_TRUE(all_bytes(bitmap, batch / 8, 0), "the last 64Ki pages of the 8 GiB region read clean after a CLEAR");
        free(bitmap);
    }
    r.flags = MSHV_ABI_MEM_UNMAP;
    CHECK(ioctl(part, MSHV_ABI_SET_GUEST_MEMORY, &r), 0);
    const long after = resident_bytes();
    CHECK_TRUE(after - before < limit, "mapping, logging and unmapping 8 GiB leaves the resident set within 64 MiB");
    CHECK(munmap(ram, size), 0);
}

static void partition_irqfd(int part) {
    const int efd = (int)CHECK(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), 0);
    const int other = (int)CHECK(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), 0);
    int pipefd[2] = {-1, -1};
    CHECK(pipe2(pipefd, O_CLOEXEC), 0);
    struct mshv_abi_user_irqfd i = {efd, 0, 30, 0};
    CHECK(ioctl(part, MSHV_ABI_IRQFD, &i), 0);
    i.gsi = 31;
    CHECK(ioctl(part, MSHV_ABI_IRQFD, &i), EBUSY); /* the eventfd is bound already */
    i = (struct mshv_abi_user_irqfd){other, 0, 30, 0x4};
    CHECK(ioctl(part, MSHV_ABI_IRQFD, &i), EINVAL); /* flags outside DEASSIGN | RESAMPLE */
    i = (struct mshv_abi_user_irqfd){other, 0, 30, 1u << 31};
    CHECK(ioctl(part, MSHV_ABI_IRQFD, &i), EINVAL);
    i = (struct mshv_abi_user_irqfd){pipefd[0], 0, 30, 0};
    CHECK(ioctl(part, MSHV_ABI_IRQFD, &i), EINVAL); /* not an eventfd */
    i = (struct mshv_abi_user_irqfd){-1, 0, 30, 0};
    CHECK(ioctl(part, MSHV_ABI_IRQFD, &i), EBADF);
    /* A resample irqfd needs a level-triggered route (MSI data bit 15) for its GSI: the 2026 fix
     * on the list, which the model follows (the kernel at K-evfd tests the route before it reads
     * it, so it refuses every RESAMPLE with -EINVAL). */
    const int resample = (int)CHECK(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), 0);
    struct {
        struct mshv_abi_user_irq_table head;
        struct mshv_abi_user_irq_entry entries[2];
    } routes = {{2, 0}, {{33, 0xFEE00000u, 0, 0x8031}, {34, 0xFEE00000u, 0, 0x0032}}};
    CHECK(ioctl(part, MSHV_ABI_SET_MSI_ROUTING, &routes), 0);
    i = (struct mshv_abi_user_irqfd){other, resample, 32, MSHV_ABI_IRQFD_RESAMPLE};
    CHECK(ioctl(part, MSHV_ABI_IRQFD, &i), EINVAL); /* GSI 32 has no route */
    i.gsi = 34;
    CHECK(ioctl(part, MSHV_ABI_IRQFD, &i), EINVAL); /* edge-triggered */
    i.gsi = 33;
    CHECK(ioctl(part, MSHV_ABI_IRQFD, &i), 0);
    i.flags = MSHV_ABI_IRQFD_DEASSIGN;
    CHECK(ioctl(part, MSHV_ABI_IRQFD, &i), 0);
    i = (struct mshv_abi_user_irqfd){other, -1, 33, MSHV_ABI_IRQFD_RESAMPLE};
    CHECK(ioctl(part, MSHV_ABI_IRQFD, &i), EBADF); /* the resample fd is looked up too */
    routes.head.nr = 0;
    CHECK(ioctl(part, MSHV_ABI_SET_MSI_ROUTING, &routes), 0);
    CHECK(ioctl(part, MSHV_ABI_IRQFD, NULL), EFAULT);

    i = (struct mshv_abi_user_irqfd){efd, 0, 30, MSHV_ABI_IRQFD_DEASSIGN};
    CHECK(ioctl(part, MSHV_ABI_IRQFD, &i), 0);
    CHECK(ioctl(part, MSHV_ABI_IRQFD, &i), 0); /* no match is not an error */
    i = (struct mshv_abi_user_irqfd){-1, 0, 30, MSHV_ABI_IRQFD_DEASSIGN};
    CHECK(ioctl(part, MSHV_ABI_IRQFD, &i), EBADF);
    i = (struct mshv_abi_user_irqfd){efd, 0, 31, 0}; /* free again after the deassign */
    CHECK(ioctl(part, MSHV_ABI_IRQFD, &i), 0);
    i.flags = MSHV_ABI_IRQFD_DEASSIGN;
    CHECK(ioctl(part, MSHV_ABI_IRQFD, &i), 0);
    CHECK(close(pipefd[0]), 0);
    CHECK(close(pipefd[1]), 0);
    CHECK(close(resample), 0);
    CHECK(close(other), 0);
    CHECK(close(efd), 0);
}

static void partition_ioeventfd(int part) {
    const uint64_t a = 0xe7e85004, b = 0xe7e86000;
    const int efd = (int)CHECK(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), 0);
    int pipefd[2] = {-1, -1};
    CHECK(pipe2(pipefd, O_CLOEXEC), 0);
    const uint32_t dm = MSHV_ABI_IOEVENTFD_DATAMATCH;

    /* rust-vmm test_ioeventfd: MMIO, len 0 (any size), any value. */
    struct mshv_abi_user_ioeventfd any = ioeventfd_args(a, 0, efd, 0, 0);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &any), 0);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &any), EEXIST);
    /* A collision needs the same length too: len 0 collides only with len 0. */
    struct mshv_abi_user_ioeventfd sized = ioeventfd_args(a, 4, efd, dm, 0x1234);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &sized), 0);
    sized.flags |= MSHV_ABI_IOEVENTFD_DEASSIGN;
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &sized), 0);

    struct mshv_abi_user_ioeventfd four = ioeventfd_args(b, 4, efd, dm, 0x1234);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &four), 0);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &four), EEXIST);
    struct mshv_abi_user_ioeventfd four2 = ioeventfd_args(b, 4, efd, dm, 0x5678);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &four2), 0); /* another value at the same address */
    struct mshv_abi_user_ioeventfd wild = ioeventfd_args(b, 4, efd, 0, 0);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &wild), EEXIST); /* any value collides with each */

    struct mshv_abi_user_ioeventfd bad = ioeventfd_args(0x3f8, 1, efd, MSHV_ABI_IOEVENTFD_PIO, 0);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &bad), EOPNOTSUPP);
    bad = ioeventfd_args(0xe7e87000, 3, efd, 0, 0);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &bad), EINVAL); /* len not 0, 1, 2, 4 or 8 */
    bad = ioeventfd_args(0xe7e87000, 16, efd, 0, 0);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &bad), EINVAL);
    bad = ioeventfd_args(UINT64_MAX - 1, 4, efd, 0, 0);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &bad), EINVAL); /* the range wraps */
    bad = ioeventfd_args(0xe7e87000, 4, efd, 0x8, 0);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &bad), EINVAL); /* flags outside 0x7 */
    bad = ioeventfd_args(0xe7e87000, 4, pipefd[0], 0, 0);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &bad), EINVAL); /* not an eventfd */
    bad = ioeventfd_args(0xe7e87000, 4, -1, 0, 0);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &bad), EBADF);
    bad = ioeventfd_args(0xe7e87000, 4, efd, 0, 0);
    bad.rsvd[2] = 1;
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &bad), EINVAL); /* reserved */
    bad.flags = MSHV_ABI_IOEVENTFD_DEASSIGN;
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &bad), EINVAL); /* checked before the deassign too */
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, NULL), EFAULT);

    struct mshv_abi_user_ioeventfd gone = ioeventfd_args(0xdead0000, 4, efd, MSHV_ABI_IOEVENTFD_DEASSIGN, 0);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &gone), ENOENT);
    gone = ioeventfd_args(b, 4, efd, dm | MSHV_ABI_IOEVENTFD_DEASSIGN, 0x9999);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &gone), ENOENT); /* no such value */
    gone = ioeventfd_args(a, 0, -1, MSHV_ABI_IOEVENTFD_DEASSIGN, 0);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &gone), EBADF); /* the eventfd lookup fails first */
    gone = ioeventfd_args(a, 0, pipefd[0], MSHV_ABI_IOEVENTFD_DEASSIGN, 0);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &gone), EINVAL);

    any.flags |= MSHV_ABI_IOEVENTFD_DEASSIGN;
    four.flags |= MSHV_ABI_IOEVENTFD_DEASSIGN;
    four2.flags |= MSHV_ABI_IOEVENTFD_DEASSIGN;
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &any), 0);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &four), 0);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &four2), 0);
    CHECK(ioctl(part, MSHV_ABI_IOEVENTFD, &any), ENOENT);
    CHECK(close(pipefd[0]), 0);
    CHECK(close(pipefd[1]), 0);
    CHECK(close(efd), 0);
}

static void partition_msi_routing(int part) {
    const size_t bytes = MSHV_ABI_IRQ_TABLE_ENTRIES_OFFSET + (MSHV_ABI_MAX_GUEST_IRQS + 1) *
                                                                  sizeof(struct mshv_abi_user_irq_entry);
    unsigned char *table = calloc(1, bytes);
    if (table == NULL) {
        CHECK_TRUE(0, "allocating the routing table");
        return;
    }
    struct mshv_abi_user_irq_table *head = (struct mshv_abi_user_irq_table *)table;
    struct mshv_abi_user_irq_entry *entries = (struct mshv_abi_user_irq_entry *)(table + MSHV_ABI_IRQ_TABLE_ENTRIES_OFFSET);
    head->nr = 0; /* rust-vmm test_set_msi_routing */
    CHECK(ioctl(part, MSHV_ABI_SET_MSI_ROUTING, table), 0);
    for (uint32_t i = 0; i <= MSHV_ABI_MAX_GUEST_IRQS; ++i)
        entries[i] = (struct mshv_abi_user_irq_entry){i, 0xFEE00000u, 0, 0x30 + (i & 0x7F)};
    head->nr = 3;
    CHECK(ioctl(part, MSHV_ABI_SET_MSI_ROUTING, table), 0);
    head->nr = MSHV_ABI_MAX_GUEST_IRQS;
    CHECK(ioctl(part, MSHV_ABI_SET_MSI_ROUTING, table), 0);
    head->nr = MSHV_ABI_MAX_GUEST_IRQS + 1;
    CHECK(ioctl(part, MSHV_ABI_SET_MSI_ROUTING, table), EINVAL);
    head->nr = 1;
    head->rsvd = 1;
    CHECK(ioctl(part, MSHV_ABI_SET_MSI_ROUTING, table), EINVAL);
    CHECK(ioctl(part, MSHV_ABI_SET_MSI_ROUTING, NULL), EFAULT);
    free(table);

    /* The header readable, its entries not: the entries' copy faults. */
    unsigned char *pages = CHECK_MMAP(mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), 0);
    if (pages != MAP_FAILED) {
        CHECK(munmap(pages + PAGE, PAGE), 0);
        struct mshv_abi_user_irq_table *edge = (struct mshv_abi_user_irq_table *)(pages + PAGE - sizeof *edge);
        edge->nr = 1;
        edge->rsvd = 0;
        CHECK(ioctl(part, MSHV_ABI_SET_MSI_ROUTING, edge), EFAULT);
        CHECK(munmap(pages, PAGE), 0);
    }
}

static void partition_unknown(int part) {
    CHECK(ioctl(part, MSHV_ABI_RUN_VP, NULL), ENOTTY);
    CHECK(ioctl(part, MSHV_ABI_CREATE_PARTITION, NULL), ENOTTY);
    CHECK(ioctl(part, MSHV_ABI_IOC(MSHV_ABI_DIR_WRITE, 0x08, 16), NULL), ENOTTY); /* CREATE_DEVICE: not upstream */
    CHECK(ioctl(part, 0x1234ul, NULL), ENOTTY);
}

/* ---- VP fd -------------------------------------------------------------------------------------- */

/* The answers rust-vmm's tests record from real hardware (fact sheet §3.3). */
static void vp_hardware_answers(int vp) {
    const uint32_t suspend[2] = {HV_ABI_REG_EXPLICIT_SUSPEND, HV_ABI_REG_INTERCEPT_SUSPEND};
    struct hv_abi_register_value values[2];
    memset(values, 0xAA, sizeof values);
    uint16_t status = 0xFFFF, reps = 0;
    CHECK(get_registers(vp, suspend, 2, values, &status, &reps), 0);
    CHECK_EQ(status, HV_ABI_STATUS_SUCCESS);
    CHECK_EQ(reps, 2);
    CHECK_EQ(values[0].low, 1); /* a fresh VP is explicitly suspended */
    CHECK_EQ(values[1].low, 0);

    const uint32_t cs = HV_ABI_REG_CS;
    struct hv_abi_register_value raw;
    CHECK(get_registers(vp, &cs, 1, &raw, &status, &reps), 0);
    struct hv_abi_segment seg;
    memcpy(&seg, &raw, sizeof seg);
    CHECK_TRUE(seg.base != 0, "a fresh VP's CS base is non-zero (reset: 0xFFFF0000)");
    CHECK_TRUE(seg.selector != 0, "a fresh VP's CS selector is non-zero (reset: 0xF000)");

    /* rust-vmm test_register_deliverabilty_notifications. */
    status = 0;
    CHECK(set_register(vp, HV_ABI_REG_DELIVERABILITY_NOTIFICATIONS, 1, 0, &status), EINVAL);
    CHECK_EQ(status, HV_ABI_STATUS_INVALID_PARAMETER);
    CHECK(set_register(vp, HV_ABI_REG_DELIVERABILITY_NOTIFICATIONS, 0, 0, &status), 0);
    CHECK_EQ(status, HV_ABI_STATUS_SUCCESS);

    /* rust-vmm test_get_cpuid_values: leaf 0's EAX (the highest basic leaf) is at least 1. */
    struct {
        struct hv_abi_get_vp_cpuid_values header;
        struct hv_abi_cpuid_leaf leaf;
    } in;
    memset(&in, 0, sizeof in);
    struct hv_abi_cpuid_result leaf0 = {0, 0, 0, 0};
    struct mshv_abi_root_hvcall a = hvcall_args(HV_ABI_GET_VP_CPUID_VALUES, 1, &in, sizeof in, &leaf0, sizeof leaf0);
    CHECK(ioctl(vp, MSHV_ABI_ROOT_HVCALL, &a), 0);
    CHECK_EQ(a.status, HV_ABI_STATUS_SUCCESS);
    CHECK_EQ(a.reps, 1);
    CHECK_TRUE(leaf0.eax >= 1, "CPUID leaf 0 reports EAX >= 1");
}

static void vp_hvcall(int vp) {
    uint16_t status = 0xFFFF, reps = 0;
    CHECK(set_register(vp, HV_ABI_REG_RAX, 0x1122334455667788ull, 0, &status), 0);
    const uint32_t rax = HV_ABI_REG_RAX;
    struct hv_abi_register_value value = {0, 0};
    CHECK(get_registers(vp, &rax, 1, &value, &status, &reps), 0);
    CHECK_EQ(value.low, 0x1122334455667788ull);

    /* Set-property may complete asynchronously: only on a partition fd. */
    CHECK(set_property(vp, HV_ABI_PROP_UNIMPLEMENTED_MSR_ACTION, 0, &status), EINVAL);
    uint64_t width = 0;
    CHECK(get_property(vp, HV_ABI_PROP_PHYSICAL_ADDRESS_WIDTH, &width, &status), 0);
    uint64_t in[2] = {0, 0};
    struct mshv_abi_root_hvcall a = hvcall_args(HV_ABI_GET_PARTITION_PROPERTY, 0, in, 0, &width, 8);
    CHECK(ioctl(vp, MSHV_ABI_ROOT_HVCALL, &a), EINVAL); /* in_sz 0 */
    a = hvcall_args(HV_ABI_CREATE_VP, 0, in, sizeof in, NULL, 0);
    CHECK(ioctl(vp, MSHV_ABI_ROOT_HVCALL, &a), EINVAL); /* not on the allow-list */
    CHECK(ioctl(vp, MSHV_ABI_ROOT_HVCALL, NULL), EFAULT);
}

static void vp_state(int vp, int part) {
    unsigned char *buf = aligned_alloc(PAGE, 2 * PAGE), *copy = aligned_alloc(PAGE, PAGE);
    if (buf == NULL || copy == NULL) {
        CHECK_TRUE(0, "allocating page-aligned buffers");
        free(buf);
        free(copy);
        return;
    }
    /* LAPIC: all 1024 bytes round-trip through a 4 KiB buffer (rust-vmm test_set_get_lapic). */
    struct mshv_abi_get_set_vp_state s = vp_state_args(MSHV_ABI_VP_STATE_LAPIC, PAGE, buf);
    CHECK(ioctl(vp, MSHV_ABI_GET_VP_STATE, &s), 0);
    CHECK_EQ(s.buf_sz, PAGE); /* the size the state needs, written back */
    for (unsigned i = 0; i < 1024; ++i) buf[i] = (unsigned char)(i * 37 + 11);
    memcpy(copy, buf, 1024);
    s = vp_state_args(MSHV_ABI_VP_STATE_LAPIC, PAGE, buf);
    CHECK(ioctl(vp, MSHV_ABI_SET_VP_STATE, &s), 0);
    memset(buf, 0, PAGE);
    s = vp_state_args(MSHV_ABI_VP_STATE_LAPIC, 2 * PAGE, buf); /* a larger buffer serves too */
    CHECK(ioctl(vp, MSHV_ABI_GET_VP_STATE, &s), 0);
    CHECK_TRUE(memcmp(buf, copy, 1024) == 0, "the LAPIC pattern reads back unchanged");

    /* XSAVE: the needed size is the partition's MAX_XSAVE_DATA_SIZE, written back. */
    uint64_t xsave_size = 0;
    uint16_t status = 0xFFFF;
    CHECK(get_property(part, HV_ABI_PROP_MAX_XSAVE_DATA_SIZE, &xsave_size, &status), 0);
    s = vp_state_args(MSHV_ABI_VP_STATE_XSAVE, PAGE, buf);
    CHECK(ioctl(vp, MSHV_ABI_GET_VP_STATE, &s), 0);
    CHECK_EQ(s.buf_sz, xsave_size);
    if (xsave_size > PAGE) {
        note("MAX_XSAVE_DATA_SIZE exceeds a page: checking the too-small refusal");
        s = vp_state_args(MSHV_ABI_VP_STATE_XSAVE, PAGE, buf);
        CHECK(ioctl(vp, MSHV_ABI_GET_VP_STATE, &s), EINVAL);
        CHECK_EQ(s.buf_sz, xsave_size);
    } else {
        note("XSAVE needs at most one page here, so no page-aligned buffer is too small: "
             "the too-small refusal is not reachable");
    }
    s = vp_state_args(MSHV_ABI_VP_STATE_XSAVE, PAGE, buf);
    CHECK(ioctl(vp, MSHV_ABI_SET_VP_STATE, &s), 0);

    /* The other three types round-trip as well. */
    const uint8_t types[3] = {MSHV_ABI_VP_STATE_SIMP, MSHV_ABI_VP_STATE_SIEFP, MSHV_ABI_VP_STATE_SYNTHETIC_TIMERS};
    const uint32_t needs[3] = {PAGE, PAGE, 200};
    for (unsigned t = 0; t < 3; ++t) {
        s = vp_state_args(types[t], PAGE, buf);
        CHECK(ioctl(vp, MSHV_ABI_GET_VP_STATE, &s), 0);
        CHECK_EQ(s.buf_sz, needs[t]);
        s = vp_state_args(types[t], PAGE, buf);
        CHECK(ioctl(vp, MSHV_ABI_SET_VP_STATE, &s), 0);
    }

    s = vp_state_args(MSHV_ABI_VP_STATE_COUNT, PAGE, buf);
    CHECK(ioctl(vp, MSHV_ABI_GET_VP_STATE, &s), EINVAL); /* type */
    s = vp_state_args(0xFF, PAGE, buf);
    CHECK(ioctl(vp, MSHV_ABI_SET_VP_STATE, &s), EINVAL);
    s = vp_state_args(MSHV_ABI_VP_STATE_LAPIC, PAGE, buf);
    s.rsvd[1] = 1;
    CHECK(ioctl(vp, MSHV_ABI_GET_VP_STATE, &s), EINVAL); /* reserved */
    s = vp_state_args(MSHV_ABI_VP_STATE_LAPIC, 0, buf);
    CHECK(ioctl(vp, MSHV_ABI_GET_VP_STATE, &s), EINVAL); /* buf_sz 0 */
    s = vp_state_args(MSHV_ABI_VP_STATE_LAPIC, 1024, buf);
    CHECK(ioctl(vp, MSHV_ABI_GET_VP_STATE, &s), EINVAL); /* buf_sz not a page multiple */
    s = vp_state_args(MSHV_ABI_VP_STATE_LAPIC, PAGE + 1, buf);
    CHECK(ioctl(vp, MSHV_ABI_SET_VP_STATE, &s), EINVAL);
    s = vp_state_args(MSHV_ABI_VP_STATE_LAPIC, PAGE, buf + 8);
    CHECK(ioctl(vp, MSHV_ABI_GET_VP_STATE, &s), EINVAL); /* buffer not page aligned */
    CHECK(ioctl(vp, MSHV_ABI_GET_VP_STATE, NULL), EFAULT);
    CHECK(ioctl(vp, MSHV_ABI_SET_VP_STATE, NULL), EFAULT);
    free(buf);
    free(copy);
}

static void vp_run_and_mmap(int vp, int part, int dev) {
    /* The model runs no guest code: RUN_VP says so at once (an alarm turns a hang into a failure). */
    struct mshv_abi_run_vp msg;
    memset(&msg, 0, sizeof msg);
    alarm(20);
    CHECK(ioctl(vp, MSHV_ABI_RUN_VP, &msg), EOPNOTSUPP);
    alarm(0);

    /* The register, intercept-message and GHCB pages are not shared: ENODEV, as for a missing page. */
    for (long offset = 0; offset < 3; ++offset)
        CHECK_MMAP(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, vp, offset * PAGE), ENODEV);
    CHECK_MMAP(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, vp, 3 * PAGE), EINVAL);
    CHECK_MMAP(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, part, 0), ENODEV); /* no mmap on the others */
    CHECK_MMAP(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, dev, 0), ENODEV);

    CHECK(ioctl(vp, MSHV_ABI_CREATE_VP, &(struct mshv_abi_create_vp){1}), ENOTTY);
    CHECK(ioctl(vp, MSHV_ABI_IOC(MSHV_ABI_DIR_WRITE | MSHV_ABI_DIR_READ, 0xF2, 32), NULL), ENOTTY); /* TRANSLATE_GVA */
    CHECK(ioctl(vp, MSHV_ABI_INITIALIZE_PARTITION, NULL), ENOTTY);
}

/* ---- teardown ----------------------------------------------------------------------------------- */

static void teardown(int dev, int part, int vp) {
    /* A dup keeps the partition; so does its VP fd once both partition fds are closed. */
    const int twin = (int)CHECK(dup(part), 0);
    CHECK(close(part), 0);
    if (twin >= 0) {
        CHECK(ioctl(twin, MSHV_ABI_INITIALIZE_PARTITION, NULL), 0);
        CHECK(close(twin), 0);
    }
    const uint32_t rax = HV_ABI_REG_RAX;
    struct hv_abi_register_value value = {0, 0};
    uint16_t status = 0xFFFF, reps = 0;
    CHECK(get_registers(vp, &rax, 1, &value, &status, &reps), 0);
    CHECK(close(vp), 0);
    CHECK(close(dev), 0);
    CHECK(ioctl(vp, MSHV_ABI_INITIALIZE_PARTITION, NULL), EBADF);

    /* The driver is usable after all that: a new device, partition and VP 0. */
    const int dev2 = (int)CHECK(open("/dev/mshv", O_RDWR | O_CLOEXEC), 0);
    if (dev2 < 0) return;
    struct mshv_abi_create_partition v1 = {MSHV_ABI_PT_LAPIC | MSHV_ABI_PT_X2APIC, 0};
    const int part2 = (int)CHECK(ioctl(dev2, MSHV_ABI_CREATE_PARTITION, &v1), 0);
    if (part2 >= 0) {
        CHECK(ioctl(part2, MSHV_ABI_INITIALIZE_PARTITION, NULL), 0);
        const int vp2 = (int)CHECK(ioctl(part2, MSHV_ABI_CREATE_VP, &(struct mshv_abi_create_vp){0}), 0);
        if (vp2 >= 0) CHECK(close(vp2), 0);
        CHECK(close(part2), 0);
    }
    CHECK(close(dev2), 0);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    const int dev = (int)CHECK(open("/dev/mshv", O_RDWR | O_CLOEXEC), 0);
    if (dev < 0) {
        printf("c_client: cannot open /dev/mshv: nothing else can run\n");
        printf("c_client: %d checks, %d failed\n", checks, failures);
        return 1;
    }
    CHECK_TRUE(is_cloexec(dev), "open with O_CLOEXEC gives a close-on-exec fd");
    const int plain = (int)CHECK(open("/dev/mshv", O_RDWR), 0);
    if (plain >= 0) {
        CHECK_TRUE(!is_cloexec(plain), "open without O_CLOEXEC does not set it");
        CHECK(close(plain), 0);
    }
    device_create_partition(dev);
    device_self_hvcall(dev);
    device_unknown(dev);

    struct mshv_abi_create_partition v1 = {MSHV_ABI_PT_LAPIC | MSHV_ABI_PT_X2APIC | MSHV_ABI_PT_GPA_SUPER_PAGES, 0};
    const int part = (int)CHECK(ioctl(dev, MSHV_ABI_CREATE_PARTITION, &v1), 0);
    int vp = -1;
    if (part >= 0) {
        partition_initialize(part);
        partition_hvcall(part);
        partition_create_vp(part, &vp);
        partition_memory(part);
        partition_big_region(part);
        partition_irqfd(part);
        partition_ioeventfd(part);
        partition_msi_routing(part);
        partition_unknown(part);
    }
    if (vp >= 0) {
        vp_hardware_answers(vp);
        vp_hvcall(vp);
        vp_state(vp, part);
        vp_run_and_mmap(vp, part, dev);
        teardown(dev, part, vp);
    } else {
        printf("c_client: no partition or VP: the VP checks and the teardown did not run\n");
        ++failures;
    }
    printf("c_client: %d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
