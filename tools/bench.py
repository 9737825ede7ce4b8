#!/usr/bin/env python3
"""Side-by-side benchmark of mbedcrypto-rs against upstream Mbed TLS.

Builds the shared benchmark program (mt_bench.c, from BENCH_DIR, default
../shared/bench) against our library and, if given, against an upstream
Mbed TLS 3.6.6 tree built with MBEDTLS_THREADING_C + MBEDTLS_THREADING_PTHREAD
(`make lib`). Then runs every case both builds have, at 1 and 2 threads,
alternating the builds (A B A B ...), retrying runs disturbed by other load,
and prints a Markdown table of means, ratios and spreads.

usage:
  tools/bench.py --smoke                 build ours and run each case briefly
  tools/bench.py [--upstream DIR] [--config builtin|pthread]
                 [--seconds S] [--passes N] [--cases a,b,...]
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUST_LIBS = "-lpthread -ldl -lm -lrt -lgcc_s"


def build_ours(config, bench_dir):
    dist = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools/dist.py"), config, "--profile", "release"],
        check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT).stdout.strip()
    out = os.path.join(ROOT, "target", "bench", f"mt_bench-ours-{config}")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    subprocess.run(["make", "-s", "-B", "-C", bench_dir, f"MBEDTLS_INC={dist}/include",
                    f"MBEDTLS_LIB={dist}/lib", f"OUT={out}", f"EXTRA_LDLIBS={RUST_LIBS}"],
                   check=True)
    return out


def build_upstream(upstream, bench_dir):
    out = os.path.join(ROOT, "target", "bench", "mt_bench-upstream")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    subprocess.run(["make", "-s", "-B", "-C", bench_dir, f"MBEDTLS_INC={upstream}/include",
                    f"MBEDTLS_LIB={upstream}/library", f"OUT={out}"], check=True)
    return out


def cases_of(binary):
    return subprocess.run([binary, "list"], check=True, stdout=subprocess.PIPE,
                          text=True).stdout.split()


def cpu_busy():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_case(binary, case, threads, seconds, max_foreign=0.15):
    """One run; retried (up to 8 times) while other processes used more
    than `max_foreign` cores meanwhile. Returns the parsed key=value line."""
    for attempt in range(8):
        b0, c0, w0 = cpu_busy(), children_cpu(), time.time()
        r = subprocess.run([binary, case, str(threads), str(seconds)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        b1, c1, w1 = cpu_busy(), children_cpu(), time.time()
        if r.returncode != 0:
            sys.exit(f"{binary} {case} {threads}: exit {r.returncode}: {r.stderr}")
        foreign = max(0.0, (b1 - b0) - (c1 - c0)) / max(w1 - w0, 1e-9)
        fields = dict(kv.split("=", 1) for kv in r.stdout.split() if "=" in kv)
        if "skipped" in r.stdout:
            return fields
        if foreign <= max_foreign:
            break
        time.sleep(2)
    fields["foreign"] = f"{foreign:.2f}"
    return fields


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--upstream")
    ap.add_argument("--config", default="builtin")
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--cases")
    args = ap.parse_args()

    bench_dir = os.environ.get("BENCH_DIR", os.path.join(ROOT, "..", "shared", "bench"))
    if not os.path.exists(os.path.join(bench_dir, "mt_bench.c")):
        print(f"bench: {bench_dir}/mt_bench.c not found (set BENCH_DIR); skipping")
        return

    ours = build_ours(args.config, bench_dir)
    if args.smoke:
        for case in cases_of(ours):
            for t in (1, 2):
                f = run_case(ours, case, t, 0.2, max_foreign=10)
                print(f"smoke: {case} threads={t} ops_per_s={f.get('ops_per_s', 'skipped')}")
        return

    builds = [("ours", ours)]
    if args.upstream:
        builds.insert(0, ("upstream", build_upstream(args.upstream, bench_dir)))
    common = set(cases_of(builds[0][1]))
    for _, b in builds[1:]:
        common &= set(cases_of(b))
    cases = [c for c in cases_of(ours) if c in common]
    if args.cases:
        cases = [c for c in cases if c in args.cases.split(",")]

    results = {}  # (case, threads, build) -> [ops/s]
    mins = {}
    for p in range(args.passes):
        for case in cases:
            for t in (1, 2):
                order = builds if p % 2 == 0 else list(reversed(builds))
                for name, b in order:
                    f = run_case(b, case, t, args.seconds)
                    if "ops_per_s" not in f:
                        continue
                    results.setdefault((case, t, name), []).append(float(f["ops_per_s"]))
                    mins.setdefault((case, t, name), []).append(
                        (int(f["min_thread_ops"]), int(f["max_thread_ops"])))
                    print(f"pass {p + 1} {name:8} {case} threads={t} ops/s={float(f['ops_per_s']):,.0f}"
                          f" foreign={f.get('foreign')}", file=sys.stderr, flush=True)

    def fmt(v):
        return f"{v:,.0f}"

    print(f"\n{args.passes} passes of {args.seconds} s, builds alternated; ours = {args.config} backend\n")
    if args.upstream:
        print("| case | threads | upstream ops/s | ours ops/s | ours / upstream | spread (min-max of per-pass ratios) | ours 2t / 1t |")
        print("|---|---:|---:|---:|---:|---|---:|")
    else:
        print("| case | threads | ours ops/s | spread | ours 2t / 1t |")
        print("|---|---:|---:|---|---:|")
    for case in cases:
        for t in (1, 2):
            o = results.get((case, t, "ours"))
            if not o:
                continue
            o1 = results.get((case, 1, "ours"))
            scale = f"{statistics.mean(o) / statistics.mean(o1):.2f}x" if t == 2 and o1 else ""
            if args.upstream:
                u = results.get((case, t, "upstream"))
                if not u:
                    continue
                ratios = [a / b for a, b in zip(o, u)]
                print(f"| {case} | {t} | {fmt(statistics.mean(u))} | {fmt(statistics.mean(o))} | "
                      f"{statistics.mean(o) / statistics.mean(u):.2f}x | {min(ratios):.2f}-{max(ratios):.2f} | {scale} |")
            else:
                print(f"| {case} | {t} | {fmt(statistics.mean(o))} | {fmt(min(o))}-{fmt(max(o))} | {scale} |")
    # Fairness: per-thread spread in the 2-thread runs.
    print("\nper-thread ops in 2-thread runs (min/max of the last pass):")
    for case in cases:
        for name, _ in builds:
            m = mins.get((case, 2, name))
            if m:
                lo, hi = m[-1]
                print(f"  {case} {name}: {lo:,} / {hi:,}")


if __name__ == "__main__":
    main()
