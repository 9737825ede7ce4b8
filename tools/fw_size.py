#!/usr/bin/env python3
"""Sums the bytes each archive contributes to a linked firmware image, from
a GNU ld map file (-Wl,-Map=...): code+constants (flash), initialised data
and zero-initialised data, per archive (or object file outside archives).

Usage: tools/fw_size.py fw.map [--match SUBSTRING]
With --match, prints only the total of the archives whose path contains
SUBSTRING (e.g. libmbedcrypto.a) as `text=N data=N bss=N`.
"""

import argparse
import collections
import re
import sys

SECTION = re.compile(r"^ (\.[\w.$]+)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")


def kind(name):
    if name.startswith((".text", ".rodata", ".ARM.exidx", ".ARM.extab", ".eh_frame", ".init", ".fini")):
        return "text"
    if name.startswith(".data"):
        return "data"
    if name.startswith((".bss", "COMMON")):
        return "bss"
    return None


def owner(path):
    m = re.match(r"(.*?\.a)\(", path)
    if m:
        return m.group(1).rsplit("/", 1)[-1]
    return path.rsplit("/", 1)[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("map")
    ap.add_argument("--match")
    args = ap.parse_args()
    totals = collections.defaultdict(lambda: collections.Counter())
    in_memory_map = False
    pending = None
    with open(args.map) as f:
        for line in f:
            if line.startswith("Linker script and memory map"):
                in_memory_map = True
                continue
            if not in_memory_map:
                continue
            line = line.rstrip("\n")
            # A long section name sits alone on its line; its address,
            # size and file follow on the next one.
            if re.match(r"^ \.[\w.$]+$", line) or re.match(r"^ COMMON$", line):
                pending = line.strip()
                continue
            m = SECTION.match(line)
            if m:
                name = m.group(1) or pending
                pending = None
                if name is None:
                    continue
                k = kind(name)
                size = int(m.group(3), 16)
                addr = int(m.group(2), 16)
                if k is None or size == 0 or addr == 0 and k != "text":
                    continue
                totals[owner(m.group(4).strip())][k] += size
            else:
                pending = None
    if args.match:
        t = collections.Counter()
        for name, c in totals.items():
            if args.match in name:
                t.update(c)
        print(f"text={t['text']} data={t['data']} bss={t['bss']}")
        return
    rows = sorted(totals.items(), key=lambda kv: -sum(kv[1].values()))
    print(f"{'text':>8} {'data':>6} {'bss':>7}  archive/object")
    for name, c in rows:
        print(f"{c['text']:>8} {c['data']:>6} {c['bss']:>7}  {name}")


if __name__ == "__main__":
    sys.exit(main())
