/* SPDX-License-Identifier: MIT */
/* <linux/dev_printk.h>: hvsim's kernel environment keeps the core kernel in one header. */
#include <hvsim/kernel.h>
