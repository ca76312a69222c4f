#!/usr/bin/env python3
"""Writes hvsim's man pages from the CLI's own help: hvsim.1, then one page per verb and
sub-verb (hvsim-run.1, hvsim-kernel.1, hvsim-kernel-check.1, ...), so the pages never drift
from the options the program takes. The build runs it after linking hvsim (tools/hvsim).

Usage: make-man.py HVSIM OUTDIR

It reads the help CLI11 prints: a description, "Usage: ...", then sections headed
"Positionals:", "Options:" and "Subcommands:" whose entries start two spaces in (the names,
then the description after a run of spaces, or on the lines below), and a closing footer
(the verb's exit status). Anything else in the help is an error: the page would be wrong."""
import os
import re
import subprocess
import sys

SECTIONS = {"Positionals:": "ARGUMENTS", "Options:": "OPTIONS", "Subcommands:": "VERBS"}


class HelpError(Exception):
    pass


def run_help(hvsim, path):
    proc = subprocess.run([hvsim, *path, "--help"], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise HelpError("'hvsim %s --help' exited %d: %s" % (" ".join(path), proc.returncode, proc.stderr.strip()))
    return proc.stdout


def parse(text, where):
    """The help as {description, usage, sections: [(name, [(names, description)])], footer}."""
    lines = text.rstrip("\n").split("\n")
    usage_at = next((i for i, l in enumerate(lines) if l.startswith("Usage: ")), None)
    if usage_at is None:
        raise HelpError("%s: no 'Usage:' line in the help" % where)
    page = {"description": " ".join(l.strip() for l in lines[:usage_at] if l.strip()),
            "usage": lines[usage_at][len("Usage: "):].strip(), "sections": [], "footer": []}
    entries = None
    for line in lines[usage_at + 1:]:
        if not line.strip():
            entries = None
            continue
        if line in SECTIONS:
            entries = []
            page["sections"].append((SECTIONS[line], entries))
        elif entries is not None and re.match(r"^  \S", line):
            m = re.match(r"^  (\S.*?)(?:\s{2,}(.*))?$", line)
            entries.append([m.group(1).strip(), (m.group(2) or "").strip()])
        elif entries is not None and entries and line.startswith("      "):
            entries[-1][1] = (entries[-1][1] + " " + line.strip()).strip()
        elif line.startswith(" "):
            raise HelpError("%s: unexpected help line %r" % (where, line))
        else:
            entries = None
            page["footer"].append(line.strip())
    return page


def roff(text):
    """Text safe in a roff line: backslashes and hyphens escaped, no leading dot or quote."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def option_names(names):
    """'-o,--output FILE' as bold names and italic arguments."""
    parts = []
    for word in names.split(" "):
        if not word:
            continue
        if word.startswith("-"):
            parts.append(", ".join("\\fB%s\\fR" % roff(n) for n in word.split(",")))
        else:
            parts.append("\\fI%s\\fR" % roff(word))
    return " ".join(parts)


def page_text(path, page, version, children):
    name = "-".join(["hvsim", *path])
    title = name.upper()
    out = ['.TH "%s" 1 "" "hvsim %s" "hvsim manual"' % (roff(title), roff(version)),
           ".SH NAME", "%s \\- %s" % (roff(name), roff(page["description"] or "hvsim " + " ".join(path))),
           ".SH SYNOPSIS", ".B %s" % roff(" ".join(["hvsim", *path]))]
    rest = page["usage"].split(" ", 1 + len(path))[1 + len(path):]
    if rest:
        out.append(roff(rest[0]))
    if page["description"]:
        out += [".SH DESCRIPTION", roff(page["description"])]
    for section, entries in page["sections"]:
        out.append(".SH " + section)
        for names, desc in entries:
            if section == "VERBS":
                out += [".TP", "\\fB%s\\fR" % roff(names), roff(desc) + " (see \\fB%s\\fR(1))." % roff(name + "-" + names)]
            elif section == "ARGUMENTS":
                head, _, kind = names.partition(" ")
                out += [".TP", "\\fI%s\\fR %s" % (roff(head), roff(kind)), roff(desc)]
            else:
                out += [".TP", option_names(names), roff(desc)]
    # The footer: more description, then "Exit status: ..." (its own section).
    footer = " ".join(page["footer"])
    prose, _, status = footer.partition("Exit status: ")
    if prose.strip():
        out += [".SH NOTES", roff(prose.strip())]
    if status:
        out += [".SH EXIT STATUS", roff(status.strip())]
    see = ["hvsim(1)"] if path else []
    see += ["%s(1)" % c for c in children]
    if see:
        out += [".SH SEE ALSO", ", ".join("\\fB%s\\fR(1)" % roff(s[:-3]) for s in see)]
    return "\n".join(out) + "\n"


def walk(hvsim, path, outdir, version, written):
    where = "hvsim " + " ".join(path) if path else "hvsim"
    page = parse(run_help(hvsim, path), where)
    verbs = [names.split(" ")[0] for section, entries in page["sections"] if section == "VERBS" for names, _ in entries]
    children = ["-".join(["hvsim", *path, v]) for v in verbs]
    name = "-".join(["hvsim", *path])
    with open(os.path.join(outdir, name + ".1"), "w", encoding="utf-8") as f:
        f.write(page_text(path, page, version, children))
    written.append(name)
    for verb in verbs:
        walk(hvsim, [*path, verb], outdir, version, written)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    hvsim, outdir = sys.argv[1], sys.argv[2]
    version_out = subprocess.run([hvsim, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.match(r"hvsim (\S+)", version_out)
    if not match:
        print("make-man.py: '%s --version' printed %r (expected 'hvsim VERSION')" % (hvsim, version_out), file=sys.stderr)
        return 2
    os.makedirs(outdir, exist_ok=True)
    for old in os.listdir(outdir):
        if old.endswith(".1"):
            os.remove(os.path.join(outdir, old))
    written = []
    try:
        walk(hvsim, [], outdir, match.group(1), written)
    except HelpError as e:
        print("make-man.py: " + str(e), file=sys.stderr)
        return 2
    print("make-man.py: %d pages in %s" % (len(written), outdir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
