#!/usr/bin/env bash
# Tracer-overhead benchmark: how much slower does a program run under sctrace
# than untraced, than under the least any ptrace tracer must do (bench/bare_ptrace),
# and than under strace --seccomp-bpf, for the same traced syscall set?
#
#   bench/run.sh [--quick] [--no-doc] [--no-pin] [--reps N] BUILD_DIR
#
#   BUILD_DIR   a configured and built tree (make build): uses BUILD_DIR/bench/workload,
#               BUILD_DIR/bench/server_workload,
#               BUILD_DIR/bench/bare_ptrace and BUILD_DIR/cli/sctrace
#   --quick     a few-second smoke run with small sizes; docs/performance.md is left alone
#   --no-doc    do not rewrite the results section of docs/performance.md
#   --no-pin    let the scheduler place tracer and tracee (default: all on one CPU)
#   --reps N    timed runs per configuration (default 7, quick 3)
#
# Every configuration of a group runs the same workload: bench/workload.c (TCP
# rounds between two threads) with and without the seccomp filter, and
# bench/server_workload.c (an epoll server with a worker pool). Runs are
# interleaved (A B C D ... A B C D ...) so a slow spell of the machine hits all
# configurations alike, and each one's median is reported.
#
# Everything runs pinned to one CPU by default. A ptrace stop is a round trip
# between tracee and tracer; when the scheduler puts them on different CPUs
# each trip pays a cross-CPU wakeup, and where it puts them changes from run to
# run. On a 2-vCPU VM that made the same configuration's runs spread by +-50%
# unpinned against about 2% pinned, and the targets are about 15%. Pinned, the
# numbers are the CPU cost of each tracer's own work per stop, which is what
# the comparison is about. (A tracer that moved work to a second thread would
# be penalised by pinning; compare with --no-pin then.) A configuration
# whose binary is missing is skipped with a loud message; one that fails its
# smoke check or a timed run is dropped and makes the script exit 1.
# The timings themselves never fail the script: they are data, not a test.
#
# Outputs: the report on stdout, the raw samples and the report in
# bench/results/ (ignored by git), and, for full runs, the section between the
# markers in docs/performance.md.
set -euo pipefail
export LC_ALL=C  # EPOCHREALTIME and printf %f must use '.' as the decimal point

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

loud() {
    echo "" >&2
    echo "bench: ************************************************************" >&2
    echo "bench: $*" >&2
    echo "bench: ************************************************************" >&2
}

usage() {
    echo "usage: bench/run.sh [--quick] [--no-doc] [--no-pin] [--reps N] BUILD_DIR" >&2
    exit 2
}

quick=0
write_doc=1
pin=1
reps=""
build=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --no-doc) write_doc=0 ;;
        --no-pin) pin=0 ;;
        --reps)
            [ $# -ge 2 ] || usage
            reps=$2
            shift
            ;;
        -h | --help) usage ;;
        -*) usage ;;
        *)
            [ -z "$build" ] || usage
            build=$1
            ;;
    esac
    shift
done
[ -n "$build" ] || usage
build=$(cd "$build" && pwd)

# Sizes. A full run takes about 5 minutes on a 2-vCPU VM once sctrace is
# built (pinned; unpinned is slower): the seccomp group at ROUNDS rounds, the
# no-seccomp group (every call stops, so a round is ~5x dearer) at NS_ROUNDS,
# the server group at SRV_ROUNDS rounds of SRV_CONNS requests.
CHEAP=50          # untraced getppid calls per round
CHECK_ROUNDS=200  # the untimed smoke check of every configuration
if [ "$quick" -eq 1 ]; then
    ROUNDS=300
    NS_ROUNDS=60
    SRV_ROUNDS=40
    reps=${reps:-3}
    write_doc=0
else
    ROUNDS=7000
    NS_ROUNDS=1400
    SRV_ROUNDS=600
    reps=${reps:-7}
fi
case "$reps" in '' | *[!0-9]* | 0) usage ;; esac

# The workload's network calls; the same set for every tracer.
SET=socket,connect,accept,accept4,read,write,close
# The server workload (bench/server_workload.c) is traced with the bundled
# pack's own set (`sctrace rules traced`), by every configuration: so the
# floor and strace are like for like with a default run, which stops at
# exactly those calls. (Of the workload's calls it takes accept4, read,
# write, close, epoll_wait and the set-up; not the workers' futex hand-offs.)
SRV_CONNS=32
SRV_WORKERS=3

workload=$build/bench/workload
server_workload=$build/bench/server_workload
bare=$build/bench/bare_ptrace
remote_read=$build/bench/remote_read
sctrace=$build/cli/sctrace
strace_bin=$(command -v strace || true)
# GNU time (Debian package "time") gives each run's peak RSS. It is optional:
# without it the RSS column is empty.
gnu_time=""
if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then
    gnu_time=/usr/bin/time
fi

if [ ! -x "$workload" ]; then
    echo "bench: $workload not found; build the tree first (make build)" >&2
    exit 1
fi
SRV_SET=""
if [ -x "$sctrace" ]; then SRV_SET=$("$sctrace" rules traced); fi
if [ -z "$SRV_SET" ]; then
    SRV_SET=socket,connect,accept4,read,write,close,epoll_wait
    loud "sctrace rules traced gave nothing: the server group uses $SRV_SET"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Pin this shell, and so every command it starts, to the last CPU it may use
# (CPU 0 tends to take more of the machine's interrupts).
placement="not pinned (--no-pin)"
if [ "$pin" -eq 1 ]; then
    if command -v taskset >/dev/null; then
        cpu=$(taskset -pc $$ | sed 's/.*: //' | grep -o '[0-9]*$')
        taskset -pc "$cpu" $$ >/dev/null
        placement="pinned to CPU $cpu (taskset), tracer and tracee alike"
    else
        loud "taskset (util-linux) not found: running NOT pinned, expect noisy numbers"
        placement="not pinned (no taskset)"
    fi
fi

# Configurations, in run order. Group "seccomp" is the target comparison;
# group "no-seccomp" is the same without any filter, on a smaller workload;
# group "server" is the server workload with the filter.
ids=(untraced bare strace sctrace-text sctrace-jsonl sctrace-strace sctrace-rules sctrace-default
    sctrace-every-exit sctrace-notify
    ns-untraced ns-bare ns-strace ns-sctrace
    srv-untraced srv-bare srv-strace srv-sctrace-default srv-sctrace-every-exit srv-sctrace-strace)
declare -A label=(
    [untraced]="untraced"
    [bare]="bare ptrace (floor)"
    [strace]="strace -f --seccomp-bpf"
    [sctrace-text]="sctrace, text"
    [sctrace-jsonl]="sctrace, jsonl"
    [sctrace-strace]="sctrace, --format strace (decoded, like strace)"
    [sctrace-rules]="sctrace with the bundled rule pack, -o text"
    [sctrace-default]="sctrace, default (bundled pack, findings only)"
    [sctrace-every-exit]="sctrace, default with --every-exit"
    [sctrace-notify]="sctrace --backend seccomp-notify, --format strace -o (entries only)"
    [ns-untraced]="untraced"
    [ns-bare]="bare ptrace --no-seccomp"
    [ns-strace]="strace -f (no filter)"
    [ns-sctrace]="sctrace --no-seccomp"
    [srv-untraced]="untraced"
    [srv-bare]="bare ptrace (floor)"
    [srv-strace]="strace -f --seccomp-bpf"
    [srv-sctrace-default]="sctrace, default (bundled pack, findings only)"
    [srv-sctrace-every-exit]="sctrace, default with --every-exit"
    [srv-sctrace-strace]="sctrace --no-rules --format strace -o"
)
declare -A binary=(
    [untraced]=$workload [bare]=$bare [strace]=$strace_bin
    [sctrace-text]=$sctrace [sctrace-jsonl]=$sctrace [sctrace-strace]=$sctrace
    [sctrace-rules]=$sctrace [sctrace-default]=$sctrace [sctrace-every-exit]=$sctrace
    [sctrace-notify]=$sctrace
    [ns-untraced]=$workload [ns-bare]=$bare [ns-strace]=$strace_bin [ns-sctrace]=$sctrace
    [srv-untraced]=$server_workload [srv-bare]=$bare [srv-strace]=$strace_bin
    [srv-sctrace-default]=$sctrace [srv-sctrace-every-exit]=$sctrace [srv-sctrace-strace]=$sctrace
)
declare -A status  # ok | missing | failed

# command_of ID ROUNDS OUT: sets CMD to the configuration's command line, the
# tracer writing its event stream to OUT.
command_of() {
    local id=$1 rounds=$2 out=$3
    local wl=("$workload" --rounds "$rounds" --cheap "$CHEAP")
    local srv=("$server_workload" --rounds "$rounds" --conns "$SRV_CONNS" --workers "$SRV_WORKERS")
    case "$id" in
        untraced | ns-untraced) CMD=("${wl[@]}") ;;
        bare) CMD=("$bare" -e "$SET" -- "${wl[@]}") ;;
        strace) CMD=("$strace_bin" -f --seccomp-bpf -qq -o "$out" -e trace="$SET" "${wl[@]}") ;;
        # Like for like with strace: the same set, written out, no rules.
        sctrace-text) CMD=("$sctrace" --no-rules -e trace="$SET" -o "$out" --format text -- "${wl[@]}") ;;
        sctrace-jsonl) CMD=("$sctrace" --no-rules -e trace="$SET" -o "$out" --format jsonl -- "${wl[@]}") ;;
        sctrace-strace) CMD=("$sctrace" --no-rules -e trace="$SET" -o "$out" --format strace -- "${wl[@]}") ;;
        # What a user gets by default: the pack traces what its rules and the
        # state tracker need (more than SET) and decodes it.
        sctrace-rules) CMD=("$sctrace" -e trace="$SET" -o "$out" --format text -- "${wl[@]}") ;;
        # What `sctrace -- cmd` costs: the pack's own set, findings only (to
        # OUT, so the smoke check can see that nothing was raised).
        sctrace-default) CMD=("$sctrace" --findings "$out" -- "${wl[@]}") ;;
        # The same, stopping at every traced call's exit as the floor does:
        # what skipping the exits no rule needs saves.
        sctrace-every-exit) CMD=("$sctrace" --every-exit --findings "$out" -- "${wl[@]}") ;;
        # No ptrace: one round trip per call at its entry, no result.
        sctrace-notify)
            CMD=("$sctrace" --backend seccomp-notify --no-rules -e trace="$SET" -o "$out"
                --format strace -- "${wl[@]}")
            ;;
        srv-untraced) CMD=("${srv[@]}") ;;
        srv-bare) CMD=("$bare" -e "$SRV_SET" -- "${srv[@]}") ;;
        srv-strace) CMD=("$strace_bin" -f --seccomp-bpf -qq -o "$out" -e trace="$SRV_SET" "${srv[@]}") ;;
        srv-sctrace-default) CMD=("$sctrace" --findings "$out" -- "${srv[@]}") ;;
        srv-sctrace-every-exit) CMD=("$sctrace" --every-exit --findings "$out" -- "${srv[@]}") ;;
        srv-sctrace-strace)
            CMD=("$sctrace" --no-rules -e trace="$SRV_SET" -o "$out" --format strace -- "${srv[@]}")
            ;;
        ns-bare) CMD=("$bare" --no-seccomp -e "$SET" -- "${wl[@]}") ;;
        ns-strace) CMD=("$strace_bin" -f -qq -o "$out" -e trace="$SET" "${wl[@]}") ;;
        ns-sctrace)
            CMD=("$sctrace" --no-rules --no-seccomp -e trace="$SET" -o "$out" --format text -- "${wl[@]}")
            ;;
    esac
}

rounds_of() {
    case "$1" in ns-*) echo "$NS_ROUNDS" ;; srv-*) echo "$SRV_ROUNDS" ;; *) echo "$ROUNDS" ;; esac
}

fail_config() {
    local id=$1
    shift
    status[$id]=failed
    loud "DROPPING ${label[$id]} ($id): $*"
    if [ -s "$tmp/err" ]; then
        echo "bench: its stderr ends with:" >&2
        tail -n 15 "$tmp/err" | sed 's/^/    /' >&2
    fi
}

# Which configurations can run at all.
for id in "${ids[@]}"; do
    if [ -n "${binary[$id]}" ] && [ -x "${binary[$id]}" ]; then
        status[$id]=ok
    else
        status[$id]=missing
        loud "SKIPPING ${label[$id]} ($id): ${binary[$id]:-strace} is not there (not built or not installed)"
    fi
done

# Smoke check, untimed: every configuration must run the workload to exit 0,
# and the tracers must have seen it. The floor's -c counts must match the
# workload exactly (one socket per round plus the listener, one connect and one
# accept per round); strace and sctrace must have written a line per connect.
# A benchmark of a tracer that silently traces nothing would be worthless.
echo "bench: smoke check ($CHECK_ROUNDS rounds per configuration)" >&2
for id in "${ids[@]}"; do
    [ "${status[$id]}" = ok ] || continue
    out=$tmp/events.$id
    case "$id" in srv-*) command_of "$id" "$SRV_ROUNDS" "$out" ;; *) command_of "$id" "$CHECK_ROUNDS" "$out" ;; esac
    if [ "$id" = bare ]; then CMD=("$bare" -c "${CMD[@]:1}"); fi
    rc=0
    "${CMD[@]}" >/dev/null 2>"$tmp/err" || rc=$?
    if [ "$rc" -ne 0 ]; then
        fail_config "$id" "exit status $rc on the smoke check: ${CMD[*]}"
        continue
    fi
    case "$id" in
        bare)
            got=$(awk '$2 == "socket" { s = $1 } $2 == "connect" { c = $1 }
                       $2 == "accept" { a = $1 } END { print s + 0, c + 0, a + 0 }' "$tmp/err")
            want="$((CHECK_ROUNDS + 1)) $CHECK_ROUNDS $CHECK_ROUNDS"
            if [ "$got" != "$want" ]; then
                fail_config "$id" "bare_ptrace -c counted socket/connect/accept '$got', want '$want'"
            fi
            ;;
        sctrace-default | srv-sctrace-default | sctrace-every-exit | srv-sctrace-every-exit)
            # A healthy program: a finding at warning or above is a false one.
            if [ ! -f "$out" ]; then
                fail_config "$id" "no findings file was written: ${CMD[*]}"
            elif grep -Eq '"severity": ?"(warning|error|critical)"' "$out"; then
                fail_config "$id" "findings on a healthy workload: $(head -c 400 "$out")"
            fi
            ;;
        srv-strace | srv-sctrace-strace)
            lines=$(grep -c accept4 "$out" 2>/dev/null || true)
            if [ "${lines:-0}" -lt 1 ]; then
                fail_config "$id" "its event stream names no accept4: ${CMD[*]}"
            fi
            ;;
        strace | sctrace-* | ns-strace | ns-sctrace)
            lines=$(grep -c connect "$out" 2>/dev/null || true)
            lines=${lines:-0}  # no file at all: the tracer wrote nothing
            if [ "$lines" -lt "$CHECK_ROUNDS" ]; then
                fail_config "$id" "its event stream has $lines lines naming connect," \
                    "want at least $CHECK_ROUNDS: ${CMD[*]}"
            fi
            ;;
    esac
done

# Timed runs, interleaved. Each sample: id, rep, microseconds, peak RSS in KB.
raw=$tmp/samples.tsv
: >"$raw"
active=()
for id in "${ids[@]}"; do [ "${status[$id]}" = ok ] && active+=("$id"); done
echo "bench: $reps interleaved runs of: ${active[*]}" >&2
for ((rep = 1; rep <= reps; rep++)); do
    line="bench: run $rep/$reps:"
    for id in "${active[@]}"; do
        [ "${status[$id]}" = ok ] || continue
        command_of "$id" "$(rounds_of "$id")" /dev/null
        if [ -n "$gnu_time" ]; then CMD=("$gnu_time" -f %M -o "$tmp/rss" "${CMD[@]}"); fi
        t0=${EPOCHREALTIME//[!0-9]/}
        rc=0
        "${CMD[@]}" >/dev/null 2>"$tmp/err" || rc=$?
        t1=${EPOCHREALTIME//[!0-9]/}
        if [ "$rc" -ne 0 ]; then
            fail_config "$id" "exit status $rc in timed run $rep: ${CMD[*]}"
            continue
        fi
        rss=""
        # GNU time's last line is the format; earlier ones report a non-zero exit.
        if [ -n "$gnu_time" ]; then rss=$(tail -n 1 "$tmp/rss"); fi
        printf '%s\t%d\t%d\t%s\n' "$id" "$rep" "$((t1 - t0))" "$rss" >>"$raw"
        line+=$(printf ' %s %.2fs' "$id" "$(((t1 - t0) / 1000))e-3")
    done
    echo "$line" >&2
done

# median ID COLUMN: the median of one configuration's samples (column 3: time
# in us, column 4: RSS in KB), empty when there are none.
median() {
    awk -F'\t' -v id="$1" -v col="$2" '$1 == id && $col != "" { print $col }' "$raw" | sort -n |
        awk '{ v[NR] = $1 } END {
                 if (NR == 0) exit
                 if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
extreme() {  # extreme ID min|max: the fastest or slowest run, in us
    awk -F'\t' -v id="$1" '$1 == id { print $3 }' "$raw" | sort -n |
        if [ "$2" = min ]; then head -n 1; else tail -n 1; fi
}
declare -A med
for id in "${ids[@]}"; do med[$id]=$(median "$id" 3); done

secs() { awk -v us="$1" 'BEGIN { printf "%.3f", us / 1e6 }'; }
ratio() {  # ratio A B: A/B to two decimals, "n/a" when either is missing
    if [ -z "$1" ] || [ -z "$2" ]; then echo "n/a"; return; fi
    awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "n/a"; else printf "%.2f", a / b }'
}
overhead() {  # overhead ID BASE: median time above the untraced median, in us
    if [ -z "${med[$1]}" ] || [ -z "${med[$2]}" ]; then echo ""; return; fi
    awk -v a="${med[$1]}" -v b="${med[$2]}" 'BEGIN { print a - b }'
}

# table BASE FLOOR ID...: one markdown table for a group of configurations.
table() {
    local base=$1 floor=$2
    shift 2
    echo "| configuration | median (s) | fastest-slowest (s) | x untraced | overhead (s) | overhead / floor's | peak RSS (MB) |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    local id
    for id in "$@"; do
        case "${status[$id]}" in
            missing) echo "| ${label[$id]} | skipped: not built / not installed | | | | | |"; continue ;;
            failed) echo "| ${label[$id]} | FAILED (see the script's stderr) | | | | | |"; continue ;;
        esac
        local m=${med[$id]} ov rss
        ov=$(overhead "$id" "$base")
        rss=$(median "$id" 4)
        [ -n "$rss" ] && rss=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
        printf '| %s | %s | %s-%s | %s | %s | %s | %s |\n' "${label[$id]}" "$(secs "$m")" \
            "$(secs "$(extreme "$id" min)")" "$(secs "$(extreme "$id" max)")" \
            "$(ratio "$m" "${med[$base]}")" \
            "$(if [ "$id" = "$base" ]; then echo -; else secs "$ov"; fi)" \
            "$(if [ "$id" = "$base" ]; then echo -; else ratio "$ov" "$(overhead "$floor" "$base")"; fi)" \
            "${rss:--}"
    done
}

# verdict WHAT ID REF BASE LIMIT: compares ID's overhead with REF's.
verdict() {
    local what=$1 id=$2 ref=$3 base=$4 limit=$5 r
    r=$(ratio "$(overhead "$id" "$base")" "$(overhead "$ref" "$base")")
    local time_r
    time_r=$(ratio "${med[$id]}" "${med[$ref]}")
    if [ "$r" = n/a ]; then
        printf -- '- %s: n/a (a configuration did not run)\n' "$what"
        return
    fi
    local met
    met=$(awk -v r="$r" -v l="$limit" 'BEGIN { print (r <= l) ? "met" : "MISSED" }')
    printf -- '- %s: time %sx, overhead %sx (target overhead <= %sx: %s)\n' \
        "$what" "$time_r" "$r" "$limit" "$met"
}

cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "none")
strace_version=$([ -n "$strace_bin" ] && "$strace_bin" -V | head -n 1 || echo "not installed")
mode=$([ "$quick" -eq 1 ] && echo "quick (smoke sizes, not comparable)" || echo full)

# What the strace-format rows must pay that the floor does not: their reads
# of the tracee's memory (the buffers and structs strace prints). Counted in
# one untimed run of each under `strace -c` (without -f, which would take
# sctrace's children from it), priced by bench/remote_read pinned like the
# timed runs (overheads are in microseconds, as the medians are). Prints
# "READS MICROSECONDS RATIO": the reads of the whole run,
# the price of one, and the floor's overhead plus those reads alone, over the
# floor's overhead: the least the row can reach without reading less.
reads_line() {
    local id=$1 floor=$2 base=$3
    if [ "${status[$id]}" != ok ] || [ -z "$strace_bin" ] || [ ! -x "$remote_read" ]; then return; fi
    command_of "$id" "$(rounds_of "$id")" "$tmp/reads.out"
    "$strace_bin" -c -U calls,name -o "$tmp/reads.c" -e trace=process_vm_readv \
        "${CMD[@]}" >/dev/null 2>&1 || return
    local reads price floor_s
    reads=$(awk '$2 == "process_vm_readv" { print $1 }' "$tmp/reads.c")
    price=$("$remote_read" | awk '$1 == "process_vm_readv_us" { print $2 }')
    floor_s=$(overhead "$floor" "$base")
    [ -n "$reads" ] && [ -n "$price" ] && [ -n "$floor_s" ] || return
    awk -v r="$reads" -v p="$price" -v f="$floor_s" \
        'BEGIN { printf "%d %.2f %.2f\n", r, p, (f + r * p) / f }'
}
read -r st_reads st_price st_least <<<"$(reads_line sctrace-strace bare untraced)"
read -r srv_reads srv_price srv_least <<<"$(reads_line srv-sctrace-strace srv-bare srv-untraced)"

report=$tmp/report.md
{
    echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC'), $mode, commit $commit (working tree may differ)."
    echo ""
    echo "- machine: $(nproc --all) CPUs ($cpu_model), $mem RAM, kernel $(uname -r)"
    echo "- $strace_version; peak RSS $([ -n "$gnu_time" ] && echo "from GNU time (max of tracer and tracee)" || echo "not measured (install package time)")"
    echo "- $reps interleaved runs per configuration, $placement; medians"
    echo ""
    echo "With the seccomp filter: $ROUNDS rounds x (9 traced calls + $CHEAP untraced getppid)."
    echo ""
    table untraced bare untraced bare strace sctrace-text sctrace-jsonl sctrace-strace sctrace-rules \
        sctrace-default sctrace-every-exit sctrace-notify
    echo ""
    verdict "sctrace default vs the floor" sctrace-default bare untraced 1.00
    verdict "sctrace default vs strace" sctrace-default strace untraced 0.75
    verdict "sctrace --format strace -o vs the floor" sctrace-strace bare untraced 1.05
    verdict "sctrace text vs the floor" sctrace-text bare untraced 1.15
    verdict "sctrace jsonl vs the floor" sctrace-jsonl bare untraced 1.15
    verdict "sctrace text vs strace" sctrace-text strace untraced 1.00
    verdict "sctrace jsonl vs strace" sctrace-jsonl strace untraced 1.00
    verdict "sctrace --format strace vs strace" sctrace-strace strace untraced 1.00
    # One round trip per call against two stops: cheaper with the same output.
    verdict "sctrace --backend seccomp-notify vs --backend ptrace, both --format strace -o" \
        sctrace-notify sctrace-strace untraced 1.00
    echo ""
    echo "The two rows with the rule pack stop at the pack's set (sctrace rules traced), which holds"
    echo "SET and adds only set-up calls on this workload (a round makes no other traced call)."
    echo ""
    echo "Without a filter (every syscall stops): $NS_ROUNDS rounds x (9 traced calls + $CHEAP untraced getppid)."
    echo ""
    table ns-untraced ns-bare ns-untraced ns-bare ns-strace ns-sctrace
    echo ""
    verdict "sctrace --no-seccomp vs the floor" ns-sctrace ns-bare ns-untraced 1.15
    verdict "sctrace --no-seccomp vs strace" ns-sctrace ns-strace ns-untraced 1.00
    echo ""
    echo "A server (bench/server_workload.c): $SRV_ROUNDS rounds x $SRV_CONNS connections, an epoll loop"
    echo "handing each request to $SRV_WORKERS worker threads. Every configuration traces the bundled"
    echo "pack's set (sctrace rules traced: $(echo "$SRV_SET" | tr ',' '\n' | wc -l) calls), so all compare like for like."
    echo ""
    table srv-untraced srv-bare srv-untraced srv-bare srv-strace srv-sctrace-default \
        srv-sctrace-every-exit srv-sctrace-strace
    echo ""
    verdict "server: sctrace default vs the floor" srv-sctrace-default srv-bare srv-untraced 1.00
    verdict "server: sctrace default vs strace" srv-sctrace-default srv-strace srv-untraced 0.75
    verdict "server: sctrace --format strace -o vs the floor" srv-sctrace-strace srv-bare srv-untraced 1.05
    if [ -n "${st_least:-}" ] || [ -n "${srv_least:-}" ]; then
        echo ""
        echo "What --format strace -o reads of the tracee's memory and the floor does not"
        echo "(process_vm_readv calls in one run, strace -c; the price of one from bench/remote_read):"
        echo ""
        [ -z "${st_least:-}" ] || printf -- '- workload: %s reads at %s us: the floor plus the reads alone is %sx the floor'"'"'s overhead\n' \
            "$st_reads" "$st_price" "$st_least"
        [ -z "${srv_least:-}" ] || printf -- '- server: %s reads at %s us: the floor plus the reads alone is %sx the floor'"'"'s overhead\n' \
            "$srv_reads" "$srv_price" "$srv_least"
    fi
} >"$report"

echo ""
cat "$report"

mkdir -p "$here/results"
name=$([ "$quick" -eq 1 ] && echo quick || echo latest)
cp "$report" "$here/results/$name.md"
cp "$raw" "$here/results/$name.tsv"

# Splice the report between the markers of docs/performance.md.
if [ "$write_doc" -eq 1 ]; then
    if splice_results run.sh "$report"; then
        echo "" >&2
        echo "bench: results written to docs/performance.md and bench/results/" >&2
    else
        loud "docs/performance.md or its result markers are missing; results are in bench/results/"
    fi
fi

# Repeat what did not run at the end, where it cannot scroll out of sight.
skipped=()
failed=()
for id in "${ids[@]}"; do
    case "${status[$id]}" in
        missing) skipped+=("$id") ;;
        failed) failed+=("$id") ;;
    esac
done
if [ ${#skipped[@]} -gt 0 ]; then loud "SKIPPED (binary missing): ${skipped[*]}"; fi
if [ ${#failed[@]} -gt 0 ]; then
    loud "FAILED: ${failed[*]}; see the messages above"
    exit 1
fi
