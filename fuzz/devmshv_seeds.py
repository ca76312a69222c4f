#!/usr/bin/env python3
"""Writes the seeds of devmshv_ioctl_fuzz (corpus/devmshv_ioctl_fuzz/) in the target's encoding:
three header bytes (bit 0: pinned regions; the early-end seed; the early-end rate), then ops:
u8 op, u16 handle index (0 the device, 1 the partition and 2 its VP 0 that every input starts
with, then what the ops create, in order), u8 where the argument points (< 240: the caller's
arena), the argument struct's bytes, and for a passthrough its input bytes (raw) or, with bit 0
of its first reserved byte set, one byte per register name (and 8 value bytes for a set).
Run: fuzz/devmshv_seeds.py corpus/devmshv_ioctl_fuzz"""
import os
import struct
import sys


def op(what, idx, body=b""):
    return bytes([what]) + struct.pack("<H", idx) + b"\0" + body


def create(pt_flags):  # MSHV_CREATE_PARTITION, v1 fields in the 64-byte v2 layout the target fills
    return op(0, 0, struct.pack("<QQ", pt_flags, 0).ljust(64, b"\0"))


INIT = op(1, 1)
VP0 = op(2, 1, struct.pack("<I", 0))


def memory(pages, gfn, addr_pages, flags):  # MSHV_SET_GUEST_MEMORY; flags bit 6: the huge-page range
    return op(3, 1, struct.pack("<QQQB7x", pages, gfn, addr_pages, flags))


def hvcall(idx, allow_index, reps, in_sz, out_sz, payload):  # MSHV_ROOT_HVCALL (op 9), raw input
    head = struct.pack("<HHHHH6xQQ", allow_index, reps, in_sz - 8, out_sz, 0, 0, 0)
    return op(9, idx, head + payload.ljust(in_sz, b"\0"))


def registers(set_them, regs):  # MSHV_ROOT_HVCALL shaped as get (code even) / set (odd) GPRs of VP 0
    head = struct.pack("<HHHHHB5xQQ", 1 if set_them else 0, len(regs) - 1, 0, 0, 0, 1, 0, 0)
    body = b"".join(bytes([n]) + (struct.pack("<Q", v) if set_them else b"") for n, v in regs)
    return op(9, 2, head + body)


def gpap(op_code, pages):  # MSHV_GET_GPAP_ACCESS_BITMAP, dirty bits, into the arena's second page
    return op(8, 1, struct.pack("<BB6xQQQ", 1, op_code, pages, 0, 2))


REGS = [(0x20010, 0x1000), (0x20000, 5), (0x20003, 6)]  # RIP, RAX, RBX
SET_REGS = struct.pack("<QIB3x", 0, 0, 0) + b"".join(struct.pack("<IIQQQ", n, 0, 0, v, 0) for n, v in REGS)
GET_REGS = struct.pack("<QIB3x", 0, 0, 0) + b"".join(struct.pack("<I", n) for n, _ in REGS)
LAPIC = op(11, 4, struct.pack("<B3xIQ", 0, 0, 0))  # the VP the lifecycle seed makes
CLOSE_PARTITION = op(14, 0) + struct.pack("<H", 2)  # handle 3: the lifecycle's partition

SEEDS = {
    "lifecycle": bytes([0, 7, 2]) + create(1) + op(1, 3) + op(2, 3, struct.pack("<I", 0)) + memory(16, 0, 0, 1) + gpap(1, 16) + gpap(2, 16)
                 + LAPIC + CLOSE_PARTITION,
    # allow-list index 5 is SET_VP_REGISTERS (0x51), 4 GET_VP_REGISTERS (0x50): 3 reps each
    "passthrough_reps": bytes([0, 3, 5]) + hvcall(2, 5, 3, 16 + 32 * 3, 0, SET_REGS)
                        + hvcall(2, 4, 3, 16 + 4 * 3, 16 * 3, GET_REGS),
    "passthrough_shaped": bytes([0, 5, 6]) + registers(True, [(i, 0x100 + i) for i in range(12)])
                          + registers(False, [(i, 0) for i in range(12)]),
    "pinned_huge": bytes([1, 9, 1]) + create(0x5) + INIT + memory(1024, 0, 0, 0x41) + memory(8, 4096, 2048, 1)
                   + gpap(1, 1024),
}

if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "corpus/devmshv_ioctl_fuzz"
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
