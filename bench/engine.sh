#!/usr/bin/env bash
# Rule-engine rate: events per second through the rule engine with the
# bundled pack, and through the state tracker alone, on recorded events.
#
#   bench/engine.sh [--quick] BUILD_DIR
#
# The events come from a realistic strace log made here, as bench/analyze.sh
# makes its own (strace 6.1 -f -tt -T -y of bench/workload and a python run);
# BUILD_DIR/bench/engine_bench parses it once into memory and replays it
# (see the comment at the top of bench/engine_bench.cpp). One core. The
# figures are printed; docs/performance.md ("Rule engine") is edited by hand.
set -euo pipefail
export LC_ALL=C

quick=0
build=""
for arg in "$@"; do
    case "$arg" in
        --quick) quick=1 ;;
        *) build=$arg ;;
    esac
done
[ -n "$build" ] || { echo "usage: bench/engine.sh [--quick] BUILD_DIR" >&2; exit 2; }
bench="$build/bench/engine_bench"
workload="$build/bench/workload"
for f in "$bench" "$workload"; do
    [ -x "$f" ] || { echo "bench/engine: no $f (build the bench-engine and bench-workload targets)" >&2; exit 2; }
done
if ! command -v strace >/dev/null; then
    echo "bench/engine: SKIPPED: strace is not installed, so no realistic log can be made" >&2
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rounds=$([ $quick = 1 ] && echo 500 || echo 2000)
strace -f -tt -T -y -o "$work/part1.log" "$workload" --rounds "$rounds" --cheap 0 >/dev/null
strace -f -tt -T -y -o "$work/part2.log" python3 -c 'import json, urllib.parse, threading' >/dev/null
cat "$work/part1.log" "$work/part2.log" > "$work/unit.log"

pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
"${pin[@]}" "$bench" --reps "$([ $quick = 1 ] && echo 3 || echo 7)" \
    --loops "$([ $quick = 1 ] && echo 2 || echo 5)" "$work/unit.log"
