/* SPDX-License-Identifier: MIT */
/* A VMM that dies of abort() with a partition open: `hvsim mshv run` must still close its fds as
 * the kernel closes a dying process's (mshv.abort_closes_fds checks the trace's teardown and the
 * summary), and exit as the command did (128 + SIGABRT). */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>

/* MSHV_CREATE_PARTITION: _IOW(0xB8, 0x00, struct mshv_create_partition), 16 bytes [UAPI] */
#define CREATE_PARTITION ((1u << 30) | (16u << 16) | (0xB8u << 8) | 0x00u)

int main(void)
{
	struct { uint64_t pt_flags, pt_isolation; } args = { 1, 0 }; /* LAPIC */
	int dev = open("/dev/mshv", O_RDWR | O_CLOEXEC);

	if (dev < 0 || ioctl(dev, CREATE_PARTITION, &args) < 0)
		return 3;
	abort();
}
