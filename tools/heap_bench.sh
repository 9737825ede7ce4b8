#!/usr/bin/env bash
# Static-buffer heap benchmark (c-tests/bench/heap_bench.c), ours beside
# upstream Mbed TLS. See docs/PERFORMANCE.md, "Static-buffer heap".
#
#   tools/heap_bench.sh [UPSTREAM_DIR [MORE_UPSTREAM_DIRS...]]
#   tools/heap_bench.sh --smoke
#
# Builds heap_bench against our library (tools/dist.py $CONFIG, release)
# and against each upstream tree given (include/ and library/libmbedcrypto.a
# of a `make lib` with MBEDTLS_MEMORY_BUFFER_ALLOC_C, MBEDTLS_PLATFORM_MEMORY,
# MBEDTLS_THREADING_C and MBEDTLS_THREADING_PTHREAD), into target/heap-bench/.
# Then runs $ROUNDS rounds; in each, for 1 and 2 threads, every build runs
# once for $SECS seconds, the order of the builds reversed every other
# round. A run during which other processes used more than $MAX_FOREIGN of
# a core (from /proc/stat, less the run's own CPU time) is repeated, up to
# 5 times in all; every line says how much it saw (foreign=). Prints every
# run and a summary (min-max per build and thread count, and the per-round
# ratio ours / the first upstream).
#
# --smoke builds ours only and runs 1 and 2 threads for 0.2 s: it checks
# that the heap hands out sound blocks and verifies afterwards, never speed.
#
# Environment: CONFIG (builtin), SECS (2), ROUNDS (3), MAX_FOREIGN (0.15),
# CC (cc).
set -euo pipefail
cd "$(dirname "$0")/.."

CONFIG=${CONFIG:-builtin}
SECS=${SECS:-2}
ROUNDS=${ROUNDS:-3}
MAX_FOREIGN=${MAX_FOREIGN:-0.15}
CC=${CC:-cc}
OUT=$PWD/target/heap-bench
SRC=$PWD/c-tests/bench/heap_bench.c
CFLAGS="-std=c11 -O2 -g -Wall -Wextra -Wpedantic -Werror"

smoke=0
if [ "${1:-}" = "--smoke" ]; then
    smoke=1
    shift
fi
mkdir -p "$OUT"

dist=$(python3 tools/dist.py "$CONFIG" --profile release)
ours=$OUT/heap_bench-ours-$CONFIG
$CC $CFLAGS -I"$dist/include" -o "$ours" "$SRC" "$dist/lib/libmbedcrypto.a" \
    -lpthread -ldl -lm -lrt -lgcc_s

if [ $smoke = 1 ]; then
    for t in 1 2; do
        line=$("$ours" $t 0.2)
        echo "smoke: $line"
    done
    exit 0
fi

# CPU time used by all processes so far, in clock ticks (user, nice,
# system, irq, softirq, steal).
busy() { awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# run BINARY THREADS: one run, repeated while disturbed; prints its line
# with foreign=F (other processes' CPU use in cores) and tries=N.
run() {
    local try b0 b1 tm real user sys foreign
    for try in 1 2 3 4 5; do
        b0=$(busy)
        tm=$( { TIMEFORMAT='%3R %3U %3S'; time "$1" "$2" "$SECS" >"$OUT/last.out" 2>"$OUT/last.err"; } 2>&1 ) || {
            cat "$OUT/last.err" >&2
            echo "heap_bench: $1 $2 $SECS failed" >&2
            exit 1
        }
        b1=$(busy)
        read -r real user sys <<<"$tm"
        foreign=$(awk -v d=$((b1 - b0)) -v hz="$(getconf CLK_TCK)" -v u="$user" -v s="$sys" \
            -v r="$real" 'BEGIN { f = (d / hz - u - s) / r; printf "%.2f", f < 0 ? 0 : f }')
        if awk -v f="$foreign" -v m="$MAX_FOREIGN" 'BEGIN { exit !(f <= m) }'; then
            break
        fi
        sleep 2
    done
    echo "$(cat "$OUT/last.out") foreign=$foreign tries=$try"
}

names=()
bins=()
for up in "$@"; do
    cfg=$up/include/mbedtls/mbedtls_config.h
    for m in MBEDTLS_MEMORY_BUFFER_ALLOC_C MBEDTLS_PLATFORM_MEMORY MBEDTLS_THREADING_C; do
        if ! grep -q "^#define $m\b" "$cfg"; then
            echo "heap_bench: $m is not enabled in $cfg;" >&2
            echo "  build a copy: cp -r $up $up-mba && cd $up-mba &&" >&2
            echo "  python3 scripts/config.py set MBEDTLS_MEMORY_BUFFER_ALLOC_C &&" >&2
            echo "  python3 scripts/config.py set MBEDTLS_PLATFORM_MEMORY &&" >&2
            echo "  make -C library clean && make -j2 lib" >&2
            exit 2
        fi
    done
    name=$(basename "$up")
    bin=$OUT/heap_bench-$name
    $CC $CFLAGS -I"$up/include" -o "$bin" "$SRC" "$up/library/libmbedcrypto.a" -lpthread
    names+=("$name")
    bins+=("$bin")
done
names+=("ours-$CONFIG")
bins+=("$ours")

log=$OUT/runs.txt
: >"$log"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
    for t in 1 2; do
        order=$(seq 0 $((${#bins[@]} - 1)))
        if [ $((r % 2)) = 0 ]; then
            order=$(echo "$order" | tac)
        fi
        for i in $order; do
            line=$(run "${bins[$i]}" "$t")
            echo "round=$r build=${names[$i]} $line" | tee -a "$log"
        done
    done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Summary: ops/s ranges per build and thread count; per-round ratios
# against the first build (the first upstream, if any); our 2t/1t.
awk -v first="${names[0]}" -v ours="ours-$CONFIG" '
{
    for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    k = f["build"] SUBSEP f["threads"]
    v = f["ops_per_s"] + 0
    if (!(k in lo) || v < lo[k]) lo[k] = v
    if (!(k in hi) || v > hi[k]) hi[k] = v
    val[f["round"], f["build"], f["threads"]] = v
    if (f["round"] > rounds) rounds = f["round"]
    if (!(f["build"] in seen)) { seen[f["build"]] = 1; order[n++] = f["build"] }
}
function m(x) { return sprintf("%.2f M/s", x / 1e6) }
function range(b, t) { return m(lo[b, t]) " - " m(hi[b, t]) }
END {
    print ""
    print "ops/s (min - max over " rounds " rounds):"
    for (j = 0; j < n; j++)
        printf "  %-28s 1t %s   2t %s\n", order[j], range(order[j], 1), range(order[j], 2)
    for (t = 1; t <= 2; t++) {
        if (first == ours) break
        rs = ""
        for (r = 1; r <= rounds; r++)
            rs = rs sprintf(" %.2f", val[r, ours, t] / val[r, first, t])
        printf "ours / %s, %dt, per round:%s\n", first, t, rs
    }
    rs = ""
    for (r = 1; r <= rounds; r++)
        rs = rs sprintf(" %.2f", val[r, ours, 2] / val[r, ours, 1])
    printf "ours 2t / 1t, per round:%s\n", rs
}' "$log"
