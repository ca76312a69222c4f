#!/usr/bin/env python3
"""CTest driver for mshv.qemu: a real QEMU with -accel mshv brought up on the model.

    qemu-mshv-test.py --hvsim PATH_TO_HVSIM --launcher tools/qemu-mshv.sh --workdir DIR

Runs `hvsim mshv run --record DIR/qemu.jsonl --log DIR/summary.json --json -- LAUNCHER -accel mshv
-S ... -qmp unix:SOCK,server=on,wait=off` (hvsim's preload makes /dev/mshv reach the model),
talks QMP to the paused machine (qmp_capabilities, query-status: prelaunch and not running,
query-cpus-fast: one CPU per -smp), quits it, then checks what the model saw: the trace has a
create_partition, a map_gpa_pages and a create_vp for each VP index (u32 at input offset 8), the
summary lists no unknown ioctl, and `hvsim replay DIR/qemu.jsonl --backend sim` agrees (exit 0).
Prints a short report: QEMU version, ioctl and hypercall counts, time from start to the QMP
greeting.

Exit: 0 pass, 1 fail (the last line says why), 77 skipped (no QEMU root: run
tools/setup-qemu-mshv.sh), 2 bad arguments. Python 3 standard library only.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77
SETUP = "tools/setup-qemu-mshv.sh"


class Failure(Exception):
    """One clear reason the test failed."""


def say(line=""):
    print(line, flush=True)


def tail(path, lines=25):
    try:
        with open(path, "r", encoding="utf-8", errors="replace") as f:
            text = f.read().splitlines()
    except OSError:
        return []
    return text[-lines:]


class Qmp:
    """A minimal QMP client: one JSON object per line, events skipped."""

    def __init__(self, sock, deadline):
        self.sock = sock
        self.deadline = deadline
        self.buf = b""
        self.events = []

    def _line(self):
        while b"\n" not in self.buf:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise Failure("QMP: no answer before the timeout")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise Failure("QMP: no answer before the timeout") from None
            if not chunk:
                raise Failure("QMP: QEMU closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError:
            raise Failure(f"QMP: not JSON: {line[:200]!r}") from None

    def message(self):
        while True:
            msg = self._line()
            if isinstance(msg, dict) and "event" in msg:
                self.events.append(msg)
                continue
            return msg

    def execute(self, command, allow_close=False):
        self.sock.sendall(json.dumps({"execute": command}).encode() + b"\n")
        try:
            msg = self.message()
        except Failure:
            if allow_close:
                return None
            raise
        if not isinstance(msg, dict) or "return" not in msg:
            raise Failure(f"QMP {command}: {json.dumps(msg)[:300]}")
        return msg["return"]


def connect_qmp(path, proc, deadline):
    """Connects once QEMU listens; fails early if the process exits first."""
    while True:
        if proc.poll() is not None:
            raise Failure(f"QEMU exited with status {proc.returncode} before it offered QMP")
        if time.monotonic() > deadline:
            raise Failure("QEMU did not offer QMP before the timeout")
        if os.path.exists(path):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                return s
            except OSError:
                s.close()
        time.sleep(0.05)


def kill_group(proc):
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def read_trace(path):
    """The trace's records (JSON Lines); a cut-off last line is dropped, as hvsim does."""
    try:
        with open(path, "r", encoding="utf-8") as f:
            lines = f.read().split("\n")
    except OSError as e:
        raise Failure(f"no trace: {path}: {e.strerror}") from None
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise Failure(f"the trace {path} is empty: nothing was recorded")
    items = []
    for n, line in enumerate(lines, 1):
        try:
            items.append(json.loads(line))
        except ValueError:
            if n == len(lines):
                break  # cut off
            raise Failure(f"{path}: line {n} is not JSON") from None
    header = items[0]
    if not isinstance(header, dict) or header.get("hvsim_trace") != 1:
        raise Failure(f"{path}: line 1 is not a trace header (hvsim_trace 1)")
    return [r for r in items[1:] if isinstance(r, dict) and "call" in r]


def vp_index(record):
    data = bytes.fromhex(record.get("input", ""))
    if len(data) < 12:
        return None
    return int.from_bytes(data[8:12], "little")


def counts_line(counts):
    if not counts:
        return "none"
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))


def main():
    ap = argparse.ArgumentParser(
        description="mshv.qemu: QEMU with -accel mshv on the model through `hvsim mshv run`.",
        epilog="Exit: 0 pass, 1 fail, 77 skipped (no QEMU root), 2 bad arguments.")
    ap.add_argument("--hvsim", required=True, help="the hvsim binary")
    ap.add_argument("--launcher", required=True, help="tools/qemu-mshv.sh")
    ap.add_argument("--workdir", required=True, help="directory for the trace, summary, logs")
    ap.add_argument("--machine", default="pc", help="QEMU machine type (default pc)")
    ap.add_argument("--smp", type=int, default=2, help="VPs (default 2)")
    ap.add_argument("--memory", default="256", help="guest RAM, QEMU -m (default 256)")
    ap.add_argument("--timeout", type=float, default=60.0,
                    help="seconds to wait for the QMP greeting and each answer (default 60)")
    args = ap.parse_args()

    for name, path in (("--hvsim", args.hvsim), ("--launcher", args.launcher)):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            ap.error(f"{name} {path}: not an executable file")
    if args.smp < 1:
        ap.error("--smp must be at least 1")
    hvsim = os.path.abspath(args.hvsim)
    launcher = os.path.abspath(args.launcher)
    try:
        os.makedirs(args.workdir, exist_ok=True)
    except OSError as e:
        ap.error(f"--workdir {args.workdir}: {e.strerror}")
    workdir = os.path.abspath(args.workdir)

    # The QEMU root: the launcher says whether it has one.
    try:
        v = subprocess.run([launcher, "--version"], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        say("FAIL: `launcher --version` did not finish in 30 s")
        return 1
    if v.returncode == 2 and "no QEMU root" in v.stderr:
        say(f"SKIPPED: no QEMU root; run: {SETUP}")
        return SKIP
    if v.returncode != 0:
        say(v.stderr.rstrip())
        say(f"FAIL: `{launcher} --version` exited {v.returncode}")
        return 1
    version = v.stdout.splitlines()[0] if v.stdout else "?"

    trace = os.path.join(workdir, "qemu.jsonl")
    summary = os.path.join(workdir, "summary.json")
    out_path = os.path.join(workdir, "qemu.stdout")
    err_path = os.path.join(workdir, "qemu.stderr")
    sock_dir = None
    sock = os.path.join(workdir, "qmp.sock")
    if len(sock.encode()) > 100:  # sun_path holds 108 bytes
        sock_dir = tempfile.mkdtemp(prefix="hvsim-qmp-")
        sock = os.path.join(sock_dir, "qmp.sock")
    for p in (trace, summary, out_path, err_path, sock):
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass

    qemu_args = ["-accel", "mshv", "-machine", args.machine, "-S", "-display", "none",
                 "-nodefaults", "-m", str(args.memory), "-smp", str(args.smp),
                 "-qmp", f"unix:{sock},server=on,wait=off"]
    cmd = [hvsim, "mshv", "run", "--record", trace, "--log", summary, "--json", "--",
           launcher] + qemu_args
    say(f"QEMU: {version}")
    say("run: " + " ".join(cmd))

    proc = None
    reached_qmp = False

    def on_signal(signum, _frame):
        if proc is not None:
            kill_group(proc)
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    try:
        try:
            with open(out_path, "wb") as out, open(err_path, "wb") as err:
                start = time.monotonic()
                proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                        start_new_session=True)
            deadline = start + args.timeout
            s = connect_qmp(sock, proc, deadline)
            with s:
                qmp = Qmp(s, deadline)
                greeting = qmp.message()
                to_qmp = time.monotonic() - start
                if not isinstance(greeting, dict) or "QMP" not in greeting:
                    raise Failure(f"QMP: expected a greeting, got {json.dumps(greeting)[:200]}")
                reached_qmp = True
                qmp.deadline = time.monotonic() + args.timeout
                qmp.execute("qmp_capabilities")
                status = qmp.execute("query-status")
                if status.get("running") is not False or status.get("status") != "prelaunch":
                    raise Failure(f"query-status: expected prelaunch, not running; got {json.dumps(status)}")
                cpus = qmp.execute("query-cpus-fast")
                if not isinstance(cpus, list) or len(cpus) != args.smp:
                    raise Failure(f"query-cpus-fast: expected {args.smp} CPUs, got "
                                  f"{len(cpus) if isinstance(cpus, list) else json.dumps(cpus)}")
                qmp.execute("quit", allow_close=True)
            try:
                rc = proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                raise Failure("QEMU did not exit within 20 s of quit") from None
            if rc != 0:
                raise Failure(f"`hvsim mshv run` exited {rc} after quit (QEMU's status)")
        except Failure:
            if proc is not None:
                kill_group(proc)
                lines = tail(err_path)
                if lines:
                    say(f"--- stderr of hvsim/QEMU ({err_path}, last {len(lines)} lines)")
                    for line in lines:
                        say("  " + line)
            raise

        say(f"time from start to the QMP greeting: {to_qmp:.2f} s")
        say(f"QMP: status prelaunch, {len(cpus)} CPUs, quit")

        # What the model saw.
        try:
            with open(summary, "r", encoding="utf-8") as f:
                summ = json.load(f)
        except OSError as e:
            raise Failure(f"no summary: {summary}: {e.strerror}") from None
        except ValueError as e:
            raise Failure(f"the summary {summary} is not JSON: {e}") from None
        if not isinstance(summ, dict):
            raise Failure(f"the summary {summary} is not a JSON object")
        ioctls = summ.get("ioctls", {})
        hypercalls = summ.get("hypercalls", {})
        unknown = summ.get("unknown", [])
        say(f"ioctls: {counts_line(ioctls)}")
        say(f"hypercalls: {counts_line(hypercalls)}")
        say(f"violations: {summ.get('violations', '?')}")

        records = read_trace(trace)
        calls = {}
        for r in records:
            calls[r["call"]] = calls.get(r["call"], 0) + 1
        say(f"trace: {len(records)} hypercall records ({trace})")

        def successful(name):
            return [r for r in records if r["call"] == name and r.get("status") == "SUCCESS"]

        for name in ("create_partition", "map_gpa_pages"):
            if not successful(name):
                if name in calls:
                    raise Failure(f"the trace has {calls[name]} {name} record(s), none successful")
                raise Failure(f"the trace has no {name} record")
        vps = {vp_index(r) for r in successful("create_vp")}
        missing = [i for i in range(args.smp) if i not in vps]
        if missing:
            raise Failure(f"the trace has no successful create_vp for VP {', '.join(map(str, missing))}"
                          f" (created: {sorted(v for v in vps if v is not None) or 'none'})")
        if unknown:
            first = unknown[0]
            raise Failure(f"{len(unknown)} unknown ioctl(s) in the summary, first: fd {first.get('fd')} "
                          f"request {first.get('request')} x{first.get('count')}")

        try:
            r = subprocess.run([hvsim, "replay", trace, "--backend", "sim"], capture_output=True,
                               text=True, timeout=45)
        except subprocess.TimeoutExpired:
            raise Failure("`hvsim replay --backend sim` did not finish in 45 s") from None
        last = (r.stdout.strip().splitlines() or r.stderr.strip().splitlines() or ["no output"])[0]
        if r.returncode != 0:
            for line in (r.stdout + r.stderr).strip().splitlines()[:20]:
                say("  " + line)
            raise Failure(f"`hvsim replay {trace} --backend sim` exited {r.returncode}")
        say(f"replay on the model: {last}")
        say(f"PASS: QEMU ({version.split(' (')[0]}) reached QMP in {to_qmp:.2f} s on the model with "
            f"{args.smp} VPs; trace replays equal")
        return 0
    except Failure as e:
        if not reached_qmp and proc is not None:
            say(f"FAIL: QEMU did not reach QMP: {e}")
        else:
            say(f"FAIL: {e}")
        return 1
    finally:
        if proc is not None:
            kill_group(proc)
        if sock_dir:
            shutil.rmtree(sock_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
