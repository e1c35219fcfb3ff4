#!/usr/bin/env bash
# The flight recorder's memory (--flight-recorder N, docs/ci.md): sctrace's
# peak RSS with and without it, on runs of growing length and on a command
# that starts many more threads than the recorder keeps rings for. Memory
# must grow with N and the thread cap, never with the run's length. Also the
# wall time it adds (it takes every exit and keeps every event decoded).
#
#   bench/flight_recorder.sh [--no-doc] BUILD_DIR
#
# Peak RSS from GNU time (%M, Debian package `time`): the larger of sctrace
# and its command, which here is always sctrace. 3 runs each, medians.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
doc=1
build=""
for arg in "$@"; do
    case "$arg" in
        --no-doc) doc=0 ;;
        *) build=$arg ;;
    esac
done
[ -n "$build" ] || { echo "usage: bench/flight_recorder.sh [--no-doc] BUILD_DIR" >&2; exit 2; }
sctrace="$build/cli/sctrace"
workload="$build/bench/workload"
[ -x "$sctrace" ] && [ -x "$workload" ] || { echo "bench/flight_recorder: build first ($sctrace, $workload)" >&2; exit 2; }
if [ ! -x /usr/bin/time ]; then
    echo "bench/flight_recorder: SKIPPED: GNU time (/usr/bin/time, package time) is not installed" >&2
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# measure LABEL CMD...: prints "LABEL<TAB>peak RSS MB<TAB>wall s", medians of 3.
measure() {
    local label=$1
    shift
    local rss=() wall=()
    for _ in 1 2 3; do
        /usr/bin/time -f '%M %e' -o "$work/time" "$@" >/dev/null 2>"$work/err" || {
            echo "bench/flight_recorder: $label failed:" >&2
            cat "$work/err" >&2
            exit 1
        }
        read -r kb secs <"$work/time"
        rss+=("$kb")
        wall+=("$secs")
    done
    printf '%s\t%s\t%s\n' "$label" \
        "$(printf '%s\n' "${rss[@]}" | median | awk '{ printf "%.1f", $1 / 1024 }')" \
        "$(printf '%s\n' "${wall[@]}" | median)"
}

threads_cmd=(/bin/sh -c 'i=0; while [ $i -lt 400 ]; do /bin/true; i=$((i + 1)); done')
{
    for rounds in 2000 20000; do
        measure "bench/workload --rounds $rounds: no recorder" \
            "$sctrace" --findings /dev/null -- "$workload" --rounds "$rounds" --cheap 0
        for n in 100 1000; do
            measure "bench/workload --rounds $rounds: --flight-recorder $n" \
                "$sctrace" --findings /dev/null --flight-recorder "$n" \
                --flight-recorder-output "$work/fr" -- "$workload" --rounds "$rounds" --cheap 0
        done
    done
    measure "400 processes (sh running /bin/true): no recorder" \
        "$sctrace" --findings /dev/null -- "${threads_cmd[@]}"
    for n in 100 1000; do
        measure "400 processes (sh running /bin/true): --flight-recorder $n" \
            "$sctrace" --findings /dev/null --flight-recorder "$n" \
            --flight-recorder-output "$work/fr" -- "${threads_cmd[@]}"
    done
} >"$work/rows"

if ls "$work"/fr* >/dev/null 2>&1; then
    echo "bench/flight_recorder: a passing run wrote a recording:" "$work"/fr* >&2
    exit 1
fi

report="$work/report.md"
{
    echo "Run of $(date -u '+%Y-%m-%d %H:%M') UTC, commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)."
    echo
    echo "| run | peak RSS (MB) | wall (s) |"
    echo "| --- | ---: | ---: |"
    awk -F'\t' '{ printf "| %s | %s | %s |\n", $1, $2, $3 }' "$work/rows"
    echo
    echo "(3 runs each, medians; a passing run writes no recording, checked.)"
} >"$report"
cat "$report"
if [ "$doc" = 1 ]; then
    splice_results flight_recorder "$report" ||
        echo "bench/flight_recorder: docs/performance.md has no bench/flight_recorder markers; not written" >&2
fi
