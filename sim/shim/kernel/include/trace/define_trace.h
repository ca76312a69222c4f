/* SPDX-License-Identifier: MIT */
/* <trace/define_trace.h>: nothing to define; tracepoints are empty in hvsim (linux/tracepoint.h). */
