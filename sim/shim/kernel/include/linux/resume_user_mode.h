/* SPDX-License-Identifier: MIT */
/* <linux/resume_user_mode.h>: hvsim's kernel environment keeps the core kernel in one header. */
#include <hvsim/kernel.h>
