#!/usr/bin/env python3
"""CTest driver (mshv.replay_golden): the hardware replay path, end to end, without hardware.

For each golden trace, `hvsim replay --backend mshv` runs under `hvsim mshv run`, so its
/dev/mshv is hvsim's driver model, and its verdicts are compared with `hvsim replay --backend
sim` on the same trace: every record the passthrough lets through must compare equal, as it
does on the model, and the two replays must account for every record. The driver model's own
trace of the session (--record) then shows that the replay created, used and deleted only its
own partitions: every partition id a hypercall names is one that a create_partition of that
session returned (or the root itself), and each is deleted again.

Usage: mshv-replay-test.py HVSIM OUT_DIR TRACE...
Exit 0 all checks passed, 1 a check failed.
"""
import json
import os
import struct
import subprocess
import sys

SELF = 0xFFFFFFFFFFFFFFFF


class Failure(Exception):
    pass


def run(cmd, timeout=300):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout, r.stderr


def replay_json(cmd, what):
    rc, out, err = run(cmd)
    try:
        results = json.loads(out)
    except json.JSONDecodeError:
        raise Failure(f"{what}: exit {rc}, stdout is not JSON\n  cmd: {' '.join(cmd)}\n  stderr: {err.strip()[:2000]}")
    if rc not in (0, 1) or len(results) != 1:
        raise Failure(f"{what}: exit {rc}\n  stderr: {err.strip()[:2000]}")
    return rc, results[0]


def records(path):
    with open(path, encoding="utf-8") as f:
        lines = [json.loads(line) for line in f if line.strip()]
    return lines[0], lines[1:]


def id_at(rec, field, side):
    """The value of one id field ("partition@8") of a record's input or output bytes."""
    kind, _, offset = field.partition("@")
    data = bytes.fromhex(rec["input" if side == "in" else "output"])
    offset = int(offset)
    if offset + 8 > len(data):
        return kind, None
    return kind, struct.unpack_from("<Q", data, offset)[0]


def check_own_partitions(session_trace, root_id):
    header, recs = records(session_trace)
    created, deleted, foreign = set(), set(), []
    for i, rec in enumerate(recs, start=1):
        if rec.get("status") == "SUCCESS" and rec["call"] == "create_partition":
            for f in rec.get("out_ids", []):
                kind, value = id_at(rec, f, "out")
                if kind == "partition":
                    created.add(value)
        for f in rec.get("in_ids", []):
            kind, value = id_at(rec, f, "in")
            if kind != "partition" or value in (None, SELF, root_id):
                continue
            if value not in created:
                foreign.append(f"record {i} ({rec['call']}) names partition {value:#x}")
            elif rec["call"] == "delete_partition" and rec.get("status") == "SUCCESS":
                deleted.add(value)
    if foreign:
        raise Failure("the replay touched partitions it did not create:\n  " + "\n  ".join(foreign[:10]))
    if created != deleted:
        raise Failure(f"partitions created {sorted(created)} but deleted {sorted(deleted)}")
    return len(created), len(recs)


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    hvsim, out_dir, traces = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(out_dir, exist_ok=True)
    failures, compared_total, records_total = 0, 0, 0
    for trace in traces:
        name = os.path.basename(trace)
        session = os.path.join(out_dir, name + ".session.jsonl")
        summary_path = os.path.join(out_dir, name + ".summary.json")
        try:
            _, sim = replay_json([hvsim, "replay", trace, "--backend", "sim", "--json"], f"{name}: sim replay")
            if sim["divergence"] is not None:
                raise Failure(f"the sim replay diverges at record {sim['divergence']['record']}")
            rc, hw = replay_json([hvsim, "mshv", "run", "--json", "--log", summary_path, "--record", session, "--",
                                  hvsim, "replay", trace, "--backend", "mshv", "--json"], f"{name}: mshv replay")
            if hw["divergence"] is not None:
                raise Failure(f"the mshv replay diverges where the sim replay is equal:\n{hw['divergence']['report']}")
            if rc != 0:
                raise Failure(f"the mshv replay exits {rc} without a divergence")
            if hw["records"] != sim["records"] or hw["compared"] + hw["skipped"] != hw["records"]:
                raise Failure(f"records: sim {sim['records']}, mshv {hw['records']} = "
                              f"{hw['compared']} compared + {hw['skipped']} skipped")
            if hw["compared"] > sim["compared"]:
                raise Failure(f"the mshv replay compared {hw['compared']} records, the sim {sim['compared']}")
            with open(summary_path, encoding="utf-8") as f:
                summary = json.load(f)
            if summary.get("unknown"):
                raise Failure(f"unknown ioctls answered: {summary['unknown']}")
            root_id = 1  # the machine's default; a JSON Lines header may say otherwise
            if trace.endswith(".jsonl"):
                root_id = records(trace)[0]["profile"].get("machine", {}).get("root_partition_id", 1)
            made, issued = check_own_partitions(session, root_id) if os.path.exists(session) else (0, 0)
            if hw["compared"] > 0 and made == 0:
                raise Failure("records were compared, but the session trace shows no partition created")
            compared_total += hw["compared"]
            records_total += hw["records"]
            print(f"ok   {name}: {hw['records']} records, {hw['compared']} compared equal on the driver model "
                  f"({sim['compared']} on the model), {hw['skipped']} skipped; the session issued {issued} "
                  f"hypercalls on {made} partition(s) of its own, all deleted")
        except (Failure, subprocess.TimeoutExpired, OSError, json.JSONDecodeError) as e:
            failures += 1
            print(f"FAIL {name}: {e}")
    print(f"{len(traces) - failures}/{len(traces)} traces: {compared_total} of {records_total} records compared "
          f"equal through hvsim mshv run")
    if compared_total == 0:
        print("FAIL: no record was compared: the passthrough let nothing through")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
