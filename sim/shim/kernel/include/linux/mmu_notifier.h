/* SPDX-License-Identifier: MIT */
/* <linux/mmu_notifier.h>: hvsim's kernel environment keeps the core kernel in one header. */
#include <hvsim/kernel.h>
