/* SPDX-License-Identifier: MIT */
/* <asm/ptrace.h>: hvsim's kernel environment keeps the core kernel in one header. */
#include <hvsim/kernel.h>
