/* SPDX-License-Identifier: MIT */
/*
 * <linux/tracepoint.h>: tracepoints compile to nothing in hvsim's kernel environment. Each
 * TRACE_EVENT(name, TP_PROTO(...), ...) declares trace_name() with the event's prototype and
 * an empty body, so driver code that traces still calls something of the right type.
 */
#ifndef HVSIM_LINUX_TRACEPOINT_H
#define HVSIM_LINUX_TRACEPOINT_H

#include <hvsim/kernel.h>

#define TP_PROTO(args...) args
#define TP_ARGS(args...) args
#define TP_CONDITION(args...) args
#define TRACE_EVENT(name, proto, args, tstruct, assign, print) \
	static inline void trace_##name(proto) {} \
	static inline bool trace_##name##_enabled(void) { return false; }
#define TRACE_EVENT_CONDITION(name, proto, args, cond, tstruct, assign, print) \
	TRACE_EVENT(name, PARAMS(proto), PARAMS(args), tstruct, assign, print)
#define DECLARE_EVENT_CLASS(name, proto, args, tstruct, assign, print)
#define DEFINE_EVENT(template, name, proto, args) \
	static inline void trace_##name(proto) {} \
	static inline bool trace_##name##_enabled(void) { return false; }
#define DEFINE_EVENT_PRINT(template, name, proto, args, print) DEFINE_EVENT(template, name, PARAMS(proto), PARAMS(args))
#define DECLARE_TRACE(name, proto, args) DEFINE_EVENT(_, name, PARAMS(proto), PARAMS(args))
#define PARAMS(args...) args

#endif /* HVSIM_LINUX_TRACEPOINT_H */
