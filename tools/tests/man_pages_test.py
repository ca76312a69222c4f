#!/usr/bin/env python3
"""cli.man_pages: the man pages the build wrote (tools/make-man.py) cover every verb and every
option of it, and render without a groff warning. Usage: man_pages_test.py HVSIM MANDIR.
Exit 0 when all hold, 1 on a failure, 77 (skipped) without groff: apt install groff-base."""
import os
import re
import shutil
import subprocess
import sys


def help_of(hvsim, path):
    return subprocess.run([hvsim, *path, "--help"], capture_output=True, text=True, check=True).stdout


def verbs_of(text):
    section = text.split("Subcommands:\n", 1)
    if len(section) < 2:
        return []
    return [m.group(1) for m in re.finditer(r"^  (\S+)", section[1].split("\n\n", 1)[0], re.M)]


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    hvsim, mandir = sys.argv[1], sys.argv[2]
    if shutil.which("groff") is None:
        print("skipped: no groff to render the pages (apt install groff-base)")
        return 77
    failures = []
    pages = 0
    todo = [[]]
    while todo:
        path = todo.pop()
        text = help_of(hvsim, path)
        todo += [[*path, v] for v in verbs_of(text)]
        name = "-".join(["hvsim", *path])
        page = os.path.join(mandir, name + ".1")
        if not os.path.exists(page):
            failures.append("%s: no page for 'hvsim %s'" % (page, " ".join(path)))
            continue
        pages += 1
        proc = subprocess.run(["groff", "-man", "-Tascii", "-ww", page], capture_output=True, text=True,
                              env={**os.environ, "GROFF_NO_SGR": "1"})
        if proc.returncode != 0 or proc.stderr.strip():
            failures.append("%s: groff: %s" % (page, proc.stderr.strip() or "exit %d" % proc.returncode))
        rendered = re.sub(r".\x08", "", proc.stdout)  # no overstrike (bold, underline)
        rendered = re.sub(r"\s+", " ", rendered.replace("\u2010 ", "").replace("-\n", "-"))
        for option in re.findall(r"^  (?:-\w,)?(--[\w-]+)", text, re.M):
            if option not in rendered:
                failures.append("%s: option %s of 'hvsim %s' is not on the page" % (page, option, " ".join(path)))
        if path and ("SYNOPSIS" not in rendered or "hvsim " + " ".join(path) not in rendered):
            failures.append("%s: no SYNOPSIS with 'hvsim %s'" % (page, " ".join(path)))
    for f in failures:
        print(f, file=sys.stderr)
    print("%d pages checked, %d failures" % (pages, len(failures)))
    return 1 if failures or pages < 15 else 0


if __name__ == "__main__":
    sys.exit(main())
