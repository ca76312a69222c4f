#!/usr/bin/env python3
"""The C API from Python's ctypes, as an FFI user binds it: get-partition-id answers the root's
id, a reserved control bit is rejected with the rule's id, a bad machine option is refused with
a message naming the field. Usage: capi_ctypes_test.py LIBHVSIM_SO. Exit 0 when every check held."""
import ctypes
import sys

HVSIM_OK = 0
HVSIM_ERR_ARGUMENT = 1
GET_PARTITION_ID = 0x0046
INVALID_HYPERCALL_INPUT = 3


class Options(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("cpus", ctypes.c_uint32), ("ram_bytes", ctypes.c_uint64),
                ("strict", ctypes.c_int), ("reject_spec_only", ctypes.c_int),
                ("hypervisor_restarts_reps", ctypes.c_int), ("machine_json", ctypes.c_char_p)]


class Diagnostic(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("rule", ctypes.c_char_p), ("enforced", ctypes.c_int),
                ("status", ctypes.c_uint16), ("status_name", ctypes.c_char_p), ("site", ctypes.c_int),
                ("offset", ctypes.c_uint32), ("value", ctypes.c_uint64), ("bits", ctypes.c_uint64),
                ("size", ctypes.c_uint32), ("message", ctypes.c_char_p)]


def bind(path):
    lib = ctypes.CDLL(path)
    u32, u64, vp, sz = ctypes.c_uint32, ctypes.c_uint64, ctypes.c_void_p, ctypes.c_size_t
    sigs = {
        "hvsim_version": ([], ctypes.c_char_p),
        "hvsim_error_message": ([], ctypes.c_char_p),
        "hvsim_options_init": ([ctypes.POINTER(Options)], None),
        "hvsim_machine_create": ([ctypes.POINTER(Options), ctypes.POINTER(vp)], ctypes.c_int),
        "hvsim_machine_free": ([vp], None),
        "hvsim_root_partition_id": ([vp], u64),
        "hvsim_hypercall": ([vp, u32, u64, vp, sz, vp, sz, ctypes.POINTER(u64)], ctypes.c_int),
        "hvsim_diagnostic_init": ([ctypes.POINTER(Diagnostic)], None),
        "hvsim_last_diagnostic": ([vp, ctypes.POINTER(Diagnostic)], ctypes.c_int),
    }
    for name, (args, res) in sigs.items():
        fn = getattr(lib, name)
        fn.argtypes, fn.restype = args, res
    return lib


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    lib = bind(sys.argv[1])
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)
            print("check failed: %s (hvsim_error_message: %s)" % (what, lib.hvsim_error_message().decode()),
                  file=sys.stderr)

    machine = ctypes.c_void_p()
    check(lib.hvsim_machine_create(None, ctypes.byref(machine)) == HVSIM_OK, "machine_create with defaults")
    result, pid = ctypes.c_uint64(), ctypes.c_uint64()

    rc = lib.hvsim_hypercall(machine, 0, GET_PARTITION_ID, None, 0, ctypes.byref(pid), 8, ctypes.byref(result))
    check(rc == HVSIM_OK, "get_partition_id returns HVSIM_OK")
    check(result.value & 0xFFFF == 0, "get_partition_id succeeds (result 0x%x)" % result.value)
    check(pid.value == lib.hvsim_root_partition_id(machine), "get_partition_id answers the root's id (%d)" % pid.value)
    diag = Diagnostic()
    lib.hvsim_diagnostic_init(ctypes.byref(diag))
    check(lib.hvsim_last_diagnostic(machine, ctypes.byref(diag)) == 0, "no diagnostic after a success")

    rc = lib.hvsim_hypercall(machine, 0, GET_PARTITION_ID | (1 << 27), None, 0, ctypes.byref(pid), 8,
                             ctypes.byref(result))
    check(rc == HVSIM_OK, "the rejected call still returns HVSIM_OK")
    check(result.value & 0xFFFF == INVALID_HYPERCALL_INPUT, "reserved bit 27: INVALID_HYPERCALL_INPUT (0x%x)" % result.value)
    check(lib.hvsim_last_diagnostic(machine, ctypes.byref(diag)) == 1, "a diagnostic after the rejection")
    check(diag.rule == b"control.reserved_bits", "the rule id is control.reserved_bits (%r)" % diag.rule)
    check(diag.bits == 1 << 27, "the offending bits are bit 27 (0x%x)" % diag.bits)
    check(diag.status_name == b"INVALID_HYPERCALL_INPUT", "the status name (%r)" % diag.status_name)
    check(b"control.reserved_bits" in (diag.message or b""), "the message names the rule (%r)" % diag.message)
    lib.hvsim_machine_free(machine)

    opts = Options()
    lib.hvsim_options_init(ctypes.byref(opts))
    check(opts.struct_size == ctypes.sizeof(Options), "options' size matches the header (%d)" % opts.struct_size)
    opts.cpus = 65
    bad = ctypes.c_void_p()
    check(lib.hvsim_machine_create(ctypes.byref(opts), ctypes.byref(bad)) == HVSIM_ERR_ARGUMENT, "65 CPUs refused")
    check(b"/cpus" in lib.hvsim_error_message(), "the message names /cpus (%r)" % lib.hvsim_error_message())
    check(not bad.value, "no machine on failure")

    print("%s: %d checks failed" % (lib.hvsim_version().decode(), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
