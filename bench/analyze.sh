#!/usr/bin/env bash
# Post-mortem throughput: how fast `sctrace analyze` reads a realistic strace
# log, against `wc -l` on the same file (the floor of reading it at all), and
# what the rule engine adds on top of parsing.
#
#   bench/analyze.sh [--quick] [--no-doc] BUILD_DIR
#
# The log is made here, by real strace 6.1 (-f -tt -T -y) on the bench
# workload and a python run, then repeated to about 200 MB (40 MB quick).
# Each configuration runs 5 times (3 quick), interleaved; medians reported,
# of wall time and of CPU time (user + system): on a shared machine the wall
# time also counts waiting for a core, the CPU time is the program's own cost.
# sctrace analyze --jobs 2 parses on a second thread (the default, --jobs
# 1, does all on one core); both are measured. With two threads the wall
# time can fall below the CPU time.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
quick=0
doc=1
build=""
for arg in "$@"; do
    case "$arg" in
        --quick) quick=1; doc=0 ;;
        --no-doc) doc=0 ;;
        *) build=$arg ;;
    esac
done
[ -n "$build" ] || { echo "usage: bench/analyze.sh [--quick] [--no-doc] BUILD_DIR" >&2; exit 2; }
sctrace="$build/cli/sctrace"
workload="$build/bench/workload"
[ -x "$sctrace" ] || { echo "bench/analyze: no $sctrace (make build first)" >&2; exit 2; }
if ! command -v strace >/dev/null; then
    echo "bench/analyze: SKIPPED: strace is not installed, so no realistic log can be made" >&2
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target_mb=$([ $quick = 1 ] && echo 40 || echo 200)
reps=$([ $quick = 1 ] && echo 3 || echo 5)

# A realistic mix: network rounds, threads, the dynamic loader, python.
strace -f -tt -T -y -o "$work/part1.log" "$workload" --rounds 2000 --cheap 0 >/dev/null
strace -f -tt -T -y -o "$work/part2.log" python3 -c 'import json, urllib.parse, threading' >/dev/null
cat "$work/part1.log" "$work/part2.log" > "$work/unit.log"
unit_bytes=$(stat -c %s "$work/unit.log")
copies=$(( target_mb * 1000000 / unit_bytes + 1 ))
for _ in $(seq 1 "$copies"); do cat "$work/unit.log"; done > "$work/big.log"
bytes=$(stat -c %s "$work/big.log")
lines=$(wc -l < "$work/big.log")

time_of() {  # prints "wall,cpu" seconds taken by "$@" (bash's own timer)
    local TIMEFORMAT='%R %U %S' t
    t=$( { time "$@" >/dev/null 2>&1 || true; } 2>&1 )
    read -r real user sys <<< "$t"
    echo "$real,$(echo "$user + $sys" | bc -l)"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A samples
for _ in $(seq 1 "$reps"); do
    samples[wc]+="$(time_of wc -l "$work/big.log") "
    samples[parse1]+="$(time_of "$sctrace" analyze --jobs 1 --no-rules "$work/big.log") "
    samples[parse]+="$(time_of "$sctrace" analyze --jobs 2 --no-rules "$work/big.log") "
    samples[rules1]+="$(time_of "$sctrace" analyze --jobs 1 "$work/big.log") "
    samples[rules]+="$(time_of "$sctrace" analyze --jobs 2 "$work/big.log") "
done
med() { tr ' ' '\n' <<< "${samples[$1]}" | grep . | cut -d, -f1 | median; }
cpu() { tr ' ' '\n' <<< "${samples[$1]}" | grep . | cut -d, -f2 | median; }
wc_s=$(med wc); parse_s=$(med parse); rules_s=$(med rules)
parse1_s=$(med parse1); rules1_s=$(med rules1)
parse_cpu=$(cpu parse); rules_cpu=$(cpu rules)
parse1_cpu=$(cpu parse1); rules1_cpu=$(cpu rules1)
mbps() { echo "scale=0; $bytes / 1000000 / $1" | bc -l; }
# Events: two per complete line (entry and exit), roughly; counted exactly
# by converting once to JSONL with no rules.
"$sctrace" analyze --no-rules -o "$work/events.jsonl" --format jsonl "$work/big.log" 2>/dev/null || true
events=$(wc -l < "$work/events.jsonl")
# On one core, so that the difference is the engine's work alone.
engine_s=$(echo "$rules1_cpu - $parse1_cpu" | bc -l)
engine_rate=$(echo "scale=0; $events / ($engine_s + 0.000001) / 1" | bc -l)

report=$(cat <<REPORT
Run of $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?').

- log: $((bytes / 1000000)) MB, $lines lines (strace -f -tt -T -y of bench/workload and python3, repeated); $events events written as JSONL (not every event is written: entries of calls that returned at once are folded into their exit)
- $reps interleaved runs each, medians; $(nproc) CPUs, analyze's default is --jobs 1

| configuration | median wall (s) | MB/s (wall) | x wc -l | median CPU (s) | MB/s (CPU) |
| --- | ---: | ---: | ---: | ---: | ---: |
| wc -l | $(printf %.3f "$wc_s") | $(mbps "$wc_s") | 1.00 | | |
| sctrace analyze --jobs 1 --no-rules (parse, pair, events) | $(printf %.3f "$parse1_s") | $(mbps "$parse1_s") | $(printf %.1f "$(echo "$parse1_s / $wc_s" | bc -l)") | $(printf %.3f "$parse1_cpu") | $(mbps "$parse1_cpu") |
| sctrace analyze --jobs 2 --no-rules | $(printf %.3f "$parse_s") | $(mbps "$parse_s") | $(printf %.1f "$(echo "$parse_s / $wc_s" | bc -l)") | $(printf %.3f "$parse_cpu") | $(mbps "$parse_cpu") |
| sctrace analyze --jobs 1 (the bundled rule pack) | $(printf %.3f "$rules1_s") | $(mbps "$rules1_s") | $(printf %.1f "$(echo "$rules1_s / $wc_s" | bc -l)") | $(printf %.3f "$rules1_cpu") | $(mbps "$rules1_cpu") |
| sctrace analyze --jobs 2 (the bundled rule pack) | $(printf %.3f "$rules_s") | $(mbps "$rules_s") | $(printf %.1f "$(echo "$rules_s / $wc_s" | bc -l)") | $(printf %.3f "$rules_cpu") | $(mbps "$rules_cpu") |

- load average at the start: $load_before on $(nproc) CPUs (when it exceeds the CPU count, other work competed for the cores and the wall times suffer more than the CPU times; the two-thread runs suffer most, as they need both cores)

- the rule engine's own cost (CPU with rules minus without, --jobs 1): $(printf %.3f "$engine_s") s for at least $events events (the JSONL count; calls that returned at once are two events folded into one line), so at least $engine_rate events/s
REPORT
)
echo "$report"
if [ $doc = 1 ]; then
    echo "$report" >"$work/report.md"
    if splice_results analyze.sh "$work/report.md"; then
        echo "bench/analyze: results written to docs/performance.md" >&2
    else
        echo "bench/analyze: docs/performance.md or its bench/analyze.sh markers are missing; the results are only above" >&2
    fi
fi
