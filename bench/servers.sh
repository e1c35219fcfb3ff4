#!/usr/bin/env bash
# Real servers, traced: how much longer does a load generator take to get its
# answers when the server it talks to runs under sctrace than when it runs
# untraced, and than under strace -f --seccomp-bpf stopping at the same calls?
#
#   bench/servers.sh [--quick] [--no-doc] BUILD_DIR
#
#   BUILD_DIR   a built tree (make build): uses BUILD_DIR/cli/sctrace
#   --quick     a smoke run with small loads and 3 reps; docs/performance.md is left alone
#   --no-doc    do not rewrite the results section of docs/performance.md
#
# Two servers of the corpus (tests/corpus/workloads.cpp), each with a private
# configuration in a temporary directory, on 127.0.0.1 and an unprivileged port:
#
#   nginx (master + 2 workers) serving a small static file, loaded by
#       ab -q -n NGINX_N -c 16 (no keep-alive: one connection per request)
#   redis-server (--save '' --appendonly no, no unix socket), loaded by
#       redis-benchmark -q -n REDIS_N -c 16 -t set,get,incr,lpush
#
# Each server runs in four configurations: untraced; under
# `strace -f --seccomp-bpf -qq -o /dev/null -e trace=SET`, SET being
# `sctrace rules traced` (the bundled pack's set, where a default sctrace run
# stops); under `sctrace --findings FILE --` (the default run: bundled pack,
# findings only); and the same with --every-exit. Only the server is traced;
# the load generator runs untraced. A run starts the server, polls its port
# until it accepts (30 s at most), times the load generator from its start to
# its end (bash's EPOCHREALTIME), keeps its own requests/s figure, and stops
# the server cleanly (SIGQUIT to the nginx master, `redis-cli shutdown nosave`
# for redis), waiting for it (and its tracer) to exit 0. Runs are
# interleaved (a b c d a b c d ...), 5 of each (3 quick); medians reported.
#
# Nothing is pinned: the servers are several processes or threads, and the
# tracer, the server and the load generator share the machine's CPUs (two on
# the VM of docs/performance.md), so the numbers include their competition
# for them and move with whatever else runs.
#
# Every run is checked: the load generator exited 0; ab completed every
# request with no failure and no non-2xx answer; redis-benchmark printed a
# rate for each of its four tests; the server exited 0. A run that fails a
# check drops its configuration (loudly; the script exits 1). Both servers are
# healthy, so a finding of sctrace at warning, error or critical is a false
# one: it is printed loudly and the script exits 1, after the report. A server
# whose programs are not installed is skipped loudly (exit 0); without strace
# only the strace rows are skipped.
#
# Outputs: the report on stdout, every run's time on stderr, and, for full
# runs without --no-doc, the section between the markers in
# docs/performance.md.
set -euo pipefail
export LC_ALL=C  # EPOCHREALTIME and printf %f must use '.' as the decimal point

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

loud() {
    echo "" >&2
    echo "bench/servers: ************************************************************" >&2
    echo "bench/servers: $*" >&2
    echo "bench/servers: ************************************************************" >&2
}

usage() {
    echo "usage: bench/servers.sh [--quick] [--no-doc] BUILD_DIR" >&2
    exit 2
}

quick=0
write_doc=1
build=""
for arg in "$@"; do
    case "$arg" in
        --quick) quick=1 ;;
        --no-doc) write_doc=0 ;;
        -h | --help | -*) usage ;;
        *)
            [ -z "$build" ] || usage
            build=$arg
            ;;
    esac
done
[ -n "$build" ] || usage
build=$(cd "$build" && pwd)

# Sizes. A full run takes about 5 minutes on the busy 2-vCPU VM: there, per
# 1000 requests, ab untraced takes ~0.35 s and traced ~1.1 s, and a
# redis-benchmark test ~0.25 s untraced and 0.9-1.4 s traced.
CONC=16
READY_TIMEOUT=30  # seconds for the server to accept connections
STOP_TIMEOUT=30   # seconds for it to exit once asked
if [ "$quick" -eq 1 ]; then
    NGINX_N=1000
    REDIS_N=1500
    reps=3
    write_doc=0
else
    NGINX_N=8000
    REDIS_N=8000
    reps=5
fi
REDIS_TESTS=set,get,incr,lpush

sctrace_built=$build/cli/sctrace
if [ ! -x "$sctrace_built" ]; then
    echo "bench/servers: no $sctrace_built (make build first)" >&2
    exit 2
fi
strace_bin=$(command -v strace || true)
find_prog() {  # find_prog NAME: its path, also in the sbin directories PATH may lack
    command -v "$1" 2>/dev/null && return
    local d
    for d in /usr/sbin /sbin /usr/local/sbin; do
        if [ -x "$d/$1" ]; then echo "$d/$1"; return; fi
    done
    return 0
}
nginx_bin=$(find_prog nginx)
ab_bin=$(find_prog ab)
redis_server_bin=$(find_prog redis-server)
redis_bench_bin=$(find_prog redis-benchmark)
redis_cli_bin=$(find_prog redis-cli)

tmp=$(mktemp -d)
# nginx's workers run as an unprivileged user (nobody or www-data when started
# as root): they must be able to reach the served file.
chmod 755 "$tmp"
server_pid=""  # the running server's process (the tracer, when traced); its own process group
# shellcheck disable=SC2317  # called by the trap
cleanup() {
    if [ -n "$server_pid" ]; then
        kill -KILL -- "-$server_pid" 2>/dev/null || kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A private copy of sctrace: the tree may be rebuilt while this runs, and
# every run must use the same binary. (The rule pack is built into it.)
cp "$sctrace_built" "$tmp/sctrace"
sctrace=$tmp/sctrace
SET=$("$sctrace" rules traced)
if [ -z "$SET" ]; then
    echo "bench/servers: '$sctrace_built rules traced' printed nothing" >&2
    exit 2
fi
set_size=$(tr ',' '\n' <<<"$SET" | grep -c .)

# Which servers can run at all.
servers=()
if [ -z "$nginx_bin" ] || [ -z "$ab_bin" ]; then
    loud "SKIPPING nginx: $([ -z "$nginx_bin" ] && echo "nginx (Debian package nginx)" || echo "ab (Debian package apache2-utils)") is not installed"
else
    servers+=(nginx)
fi
if [ -z "$redis_server_bin" ] || [ -z "$redis_bench_bin" ] || [ -z "$redis_cli_bin" ]; then
    loud "SKIPPING redis: redis-server (package redis-server) or redis-benchmark / redis-cli (package redis-tools) is not installed"
else
    servers+=(redis)
fi
if [ ${#servers[@]} -eq 0 ]; then
    loud "no server to benchmark: nothing measured"
    exit 0
fi

configs=(untraced strace sctrace every-exit)
declare -A label=(
    [untraced]="untraced"
    [strace]="strace -f --seccomp-bpf, same set"
    [sctrace]="sctrace, default (bundled pack, findings only)"
    [every-exit]="sctrace, default with --every-exit"
)
declare -A status  # SERVER:CONFIG -> ok | missing | failed
for srv in "${servers[@]}"; do
    for c in "${configs[@]}"; do status[$srv:$c]=ok; done
    if [ -z "$strace_bin" ]; then
        status[$srv:strace]=missing
        loud "SKIPPING the strace rows of $srv: strace (Debian package strace) is not installed"
    fi
done

accepts() {  # accepts PORT: something accepts TCP connections on 127.0.0.1:PORT
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
free_port() {  # free_port BASE: BASE + a random offset below 1000 that nothing listens on
    local p
    for _ in $(seq 1 50); do
        p=$(($1 + RANDOM % 1000))
        if ! accepts "$p"; then echo "$p"; return; fi
    done
    echo "bench/servers: no free port near $1" >&2
    exit 1
}

# Per-server set-up, once.
nginx_port=""
redis_port=""
if [[ " ${servers[*]} " == *" nginx "* ]]; then
    nginx_port=$(free_port 18080)
    nd=$tmp/nginx
    mkdir -p "$nd/www" "$nd/temp"
    chmod 755 "$nd" "$nd/www"
    # A small static page (1 KB), like the corpus's index.html.
    awk 'BEGIN { printf "<!doctype html>\n<title>sctrace bench</title>\n<p>"
                 for (i = 0; i < 60; i++) printf "serving a small static file. "
                 print "</p>" }' >"$nd/www/index.html"
    chmod 644 "$nd/www/index.html"
    page_bytes=$(stat -c %s "$nd/www/index.html")
    cat >"$nd/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes 2;
pid $nd/nginx.pid;
error_log $nd/error.log warn;
events { worker_connections 256; }
http {
  access_log $nd/access.log;
  client_body_temp_path $nd/temp/body;
  proxy_temp_path $nd/temp/proxy;
  fastcgi_temp_path $nd/temp/fastcgi;
  uwsgi_temp_path $nd/temp/uwsgi;
  scgi_temp_path $nd/temp/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    root $nd/www;
  }
}
CONF
fi
if [[ " ${servers[*]} " == *" redis "* ]]; then
    redis_port=$(free_port 16379)
    mkdir -p "$tmp/redis"
fi

port_of() { if [ "$1" = nginx ]; then echo "$nginx_port"; else echo "$redis_port"; fi; }

# command_of SERVER CONFIG: sets CMD to the server's command line under CONFIG.
command_of() {
    local srv=$1 config=$2 argv pre
    if [ "$srv" = nginx ]; then
        argv=("$nginx_bin" -p "$nd" -e "$nd/error.log" -c "$nd/nginx.conf")
    else
        argv=("$redis_server_bin" --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no
            --unixsocket '' --daemonize no --dir "$tmp/redis")
    fi
    case "$config" in
        untraced) pre=() ;;
        strace) pre=("$strace_bin" -f --seccomp-bpf -qq -o /dev/null -e trace="$SET") ;;
        sctrace) pre=("$sctrace" --findings "$tmp/findings.jsonl" --) ;;
        every-exit) pre=("$sctrace" --every-exit --findings "$tmp/findings.jsonl" --) ;;
    esac
    CMD=("${pre[@]}" "${argv[@]}")
}

# load_of SERVER: sets LOAD to the load generator's command line.
load_of() {
    if [ "$1" = nginx ]; then
        LOAD=("$ab_bin" -q -n "$NGINX_N" -c "$CONC" "http://127.0.0.1:$nginx_port/index.html")
    else
        LOAD=("$redis_bench_bin" -h 127.0.0.1 -p "$redis_port" -q -n "$REDIS_N" -c "$CONC"
            -t "$REDIS_TESTS")
    fi
}

alive() {  # alive PID: running, not a zombie
    local state
    state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}
wait_gone() {  # wait_gone PID SECONDS: 0 once PID has exited, 1 when it still runs
    local until=$((${EPOCHREALTIME%.*} + $2))
    while alive "$1"; do
        [ "${EPOCHREALTIME%.*}" -lt "$until" ] || return 1
        sleep 0.05
    done
}
# The server itself: the process started, or, traced, the tracer's only child.
server_process() {
    if [ "$1" = untraced ]; then echo "$server_pid"; return; fi
    awk '{ print $1 }' "/proc/$server_pid/task/$server_pid/children" 2>/dev/null || true
}

# stop_server SERVER CONFIG: asks the server to stop and waits for it and its
# tracer; sets SERVER_RC (the tracer's exit status: the server's, passed on).
# Returns 1 when it had to be killed.
stop_server() {
    local srv=$1 config=$2 pid
    if [ "$srv" = nginx ]; then
        pid=$(cat "$nd/nginx.pid" 2>/dev/null || server_process "$config")
        # Graceful shutdown: the workers finish, the master exits 0.
        if [ -n "$pid" ]; then kill -QUIT "$pid" 2>/dev/null || true; fi
    else
        "$redis_cli_bin" -h 127.0.0.1 -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
    fi
    if ! wait_gone "$server_pid" "$STOP_TIMEOUT"; then
        # redis's orderly shutdown on SIGTERM, nginx's fast one.
        pid=$(server_process "$config")
        if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; fi
        if ! wait_gone "$server_pid" 10; then
            kill -KILL -- "-$server_pid" 2>/dev/null || true
            wait "$server_pid" 2>/dev/null || true
            server_pid=""
            SERVER_RC=killed
            return 1
        fi
    fi
    SERVER_RC=0
    wait "$server_pid" || SERVER_RC=$?
    # Anything left of its process group (there should be nothing).
    kill -KILL -- "-$server_pid" 2>/dev/null || true
    server_pid=""
    return 0
}

fail_config() {  # fail_config SERVER CONFIG WHY...
    local srv=$1 config=$2
    shift 2
    status[$srv:$config]=failed
    loud "DROPPING $srv / ${label[$config]}: $*"
    local f
    for f in "$tmp/load.out" "$tmp/server.out"; do
        if [ -s "$f" ]; then
            echo "bench/servers: $(basename "$f") ends with:" >&2
            tr '\r' '\n' <"$f" | grep -v '^ *$' | tail -n 12 | sed 's/^/    /' >&2
        fi
    done
}

# check_load SERVER: checks the load generator's output; prints its
# requests/s, or returns 1 with the reason on stdout.
check_load() {
    local out=$tmp/load.out
    if [ "$1" = nginx ]; then
        local complete failed non2xx rps
        complete=$(awk '/^Complete requests:/ { print $3 }' "$out")
        failed=$(awk '/^Failed requests:/ { print $3 }' "$out")
        non2xx=$(awk '/^Non-2xx responses:/ { print $3 }' "$out")
        rps=$(awk '/^Requests per second:/ { print $4 }' "$out")
        if [ "$complete" != "$NGINX_N" ] || [ "$failed" != 0 ] || [ -n "$non2xx" ] || [ -z "$rps" ]; then
            echo "ab: complete '$complete' (want $NGINX_N), failed '$failed', non-2xx '${non2xx:-0}', requests/s '$rps'"
            return 1
        fi
        echo "$rps"
    else
        # -q redraws its line with \r; the last state of each line is the result:
        # "SET: 20020.02 requests per second, p50=0.279 msec". The rate of the
        # whole: all the requests over the sum of the four tests' times.
        local results
        results=$(tr '\r' '\n' <"$out" | grep -E '^[A-Z_ ]+: [0-9.]+ requests per second' || true)
        local t
        for t in ${REDIS_TESTS//,/ }; do
            t=${t^^}
            if ! grep -Eq "^$t: [0-9.]+ requests per second" <<<"$results"; then
                echo "redis-benchmark printed no result for $t"
                return 1
            fi
        done
        awk -v n="$REDIS_N" '{ s += n / $2; c += n } END { printf "%.2f\n", c / s }' <<<"$results"
    fi
}

false_findings=0
raw=$tmp/samples.tsv  # server, config, rep, microseconds, requests/s
: >"$raw"

# run_one SERVER CONFIG REP: one timed run; appends its sample to $raw.
run_one() {
    local srv=$1 config=$2 rep=$3 port
    port=$(port_of "$srv")
    command_of "$srv" "$config"
    load_of "$srv"
    rm -f "$tmp/findings.jsonl" "$tmp/load.out" "$tmp/server.out"
    if [ "$srv" = nginx ]; then rm -f "$nd/access.log" "$nd/nginx.pid"; fi
    if accepts "$port"; then
        fail_config "$srv" "$config" "something already accepts on port $port before the server starts"
        return
    fi
    # Its own process group (setsid execs in place: the job is not a group
    # leader), so the EXIT trap can kill the tracer, the server and its workers.
    setsid "${CMD[@]}" >"$tmp/server.out" 2>&1 &
    server_pid=$!
    local until=$((${EPOCHREALTIME%.*} + READY_TIMEOUT))
    until accepts "$port"; do
        if ! alive "$server_pid" || [ "${EPOCHREALTIME%.*}" -ge "$until" ]; then
            stop_server "$srv" "$config" || true
            fail_config "$srv" "$config" "the server never accepted on port $port (run $rep): ${CMD[*]}"
            return
        fi
        sleep 0.05
    done
    local t0 t1 rc=0
    t0=${EPOCHREALTIME//[!0-9]/}
    "${LOAD[@]}" >"$tmp/load.out" 2>&1 || rc=$?
    t1=${EPOCHREALTIME//[!0-9]/}
    if ! stop_server "$srv" "$config"; then
        fail_config "$srv" "$config" "the server did not stop within $((STOP_TIMEOUT + 10)) s and was killed (run $rep)"
        return
    fi
    if [ "$rc" -ne 0 ]; then
        fail_config "$srv" "$config" "the load generator exited $rc (run $rep): ${LOAD[*]}"
        return
    fi
    local rps
    if ! rps=$(check_load "$srv"); then
        fail_config "$srv" "$config" "run $rep: $rps"
        return
    fi
    if [ "$SERVER_RC" != 0 ]; then
        fail_config "$srv" "$config" "the server (or its tracer) exited $SERVER_RC after a clean stop (run $rep): ${CMD[*]}"
        return
    fi
    case "$config" in
        sctrace | every-exit)
            if [ ! -f "$tmp/findings.jsonl" ]; then
                fail_config "$srv" "$config" "sctrace wrote no findings file (run $rep): ${CMD[*]}"
                return
            fi
            # A healthy server: a finding at warning or above is a false one.
            if grep -Eq '"severity": ?"(warning|error|critical)"' "$tmp/findings.jsonl"; then
                false_findings=1
                loud "FALSE FINDINGS: $srv is healthy, yet ${label[$config]} (run $rep) raised:"
                grep -E '"severity": ?"(warning|error|critical)"' "$tmp/findings.jsonl" |
                    head -n 5 | cut -c 1-2000 | sed 's/^/    /' >&2
                cp "$tmp/findings.jsonl" "$tmp/false-findings.$srv.$config.$rep.jsonl"
            fi
            ;;
    esac
    printf '%s\t%s\t%d\t%d\t%s\n' "$srv" "$config" "$rep" "$((t1 - t0))" "$rps" >>"$raw"
    LAST=$(printf '%s %.2fs' "$config" "$(((t1 - t0) / 1000))e-3")
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench/servers: $reps interleaved runs of ${configs[*]}, for ${servers[*]}" >&2
for srv in "${servers[@]}"; do
    for ((rep = 1; rep <= reps; rep++)); do
        line="bench/servers: $srv run $rep/$reps:"
        for c in "${configs[@]}"; do
            [ "${status[$srv:$c]}" = ok ] || continue
            LAST="$c FAILED"
            run_one "$srv" "$c" "$rep"
            line+=" $LAST"
        done
        echo "$line" >&2
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# median SERVER CONFIG COLUMN: the median of a configuration's samples (column
# 4: time in us, 5: requests/s), empty when there are none.
median() {
    awk -F'\t' -v s="$1" -v c="$2" -v col="$3" '$1 == s && $2 == c { print $col }' "$raw" | sort -g |
        awk '{ v[NR] = $1 } END {
                 if (NR == 0) exit
                 if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
extreme() {  # extreme SERVER CONFIG min|max: the fastest or slowest run, in us
    awk -F'\t' -v s="$1" -v c="$2" '$1 == s && $2 == c { print $4 }' "$raw" | sort -n |
        if [ "$3" = min ]; then head -n 1; else tail -n 1; fi
}
secs() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1e6 }'; }
ratio() {  # ratio A B: A/B to two decimals, "n/a" when either is missing
    if [ -z "$1" ] || [ -z "$2" ]; then echo "n/a"; return; fi
    awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "n/a"; else printf "%.2f", a / b }'
}
declare -A med rps
for srv in "${servers[@]}"; do
    for c in "${configs[@]}"; do
        med[$srv:$c]=$(median "$srv" "$c" 4)
        rps[$srv:$c]=$(median "$srv" "$c" 5)
    done
done
overhead() {  # overhead SERVER CONFIG: median time above the untraced median, in us
    local a=${med[$1:$2]} b=${med[$1:untraced]}
    if [ -z "$a" ] || [ -z "$b" ]; then echo ""; return; fi
    awk -v a="$a" -v b="$b" 'BEGIN { print a - b }'
}

table() {  # table SERVER
    local srv=$1 c m
    echo "| configuration | median wall (s) | requests/s | x untraced (time) | vs strace (time) | fastest-slowest (s) |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: |"
    for c in "${configs[@]}"; do
        case "${status[$srv:$c]}" in
            missing) echo "| ${label[$c]} | skipped: not installed | | | | |"; continue ;;
            failed) echo "| ${label[$c]} | FAILED (see the script's stderr) | | | | |"; continue ;;
        esac
        m=${med[$srv:$c]}
        printf '| %s | %s | %.0f | %s | %s | %s-%s |\n' "${label[$c]}" "$(secs "$m")" "${rps[$srv:$c]}" \
            "$(ratio "$m" "${med[$srv:untraced]}")" "$(ratio "$m" "${med[$srv:strace]}")" \
            "$(secs "$(extreme "$srv" "$c" min)")" "$(secs "$(extreme "$srv" "$c" max)")"
    done
    local ov_st ov
    ov_st=$(overhead "$srv" strace)
    echo ""
    for c in sctrace every-exit; do
        ov=$(overhead "$srv" "$c")
        if [ -z "$ov" ] || [ -z "$ov_st" ]; then
            printf -- '- overhead of %s vs strace'"'"'s: n/a (a configuration did not run)\n' "${label[$c]}"
        else
            printf -- '- overhead (median minus untraced) of %s: %s s, strace'"'"'s %s s: %sx strace'"'"'s\n' \
                "${label[$c]}" "$(secs "$ov")" "$(secs "$ov_st")" "$(ratio "$ov" "$ov_st")"
        fi
    done
}

version_of() {  # the first line a program prints about its version
    local v
    v=$("$@" 2>&1) || true
    echo "${v%%$'\n'*}"
}
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "none")
mode=$([ "$quick" -eq 1 ] && echo "quick (smoke sizes, not comparable)" || echo full)
report=$tmp/report.md
{
    echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC'), $mode, commit $commit (working tree may differ; sctrace built $(date -u -r "$sctrace_built" '+%Y-%m-%d %H:%M UTC'))."
    echo ""
    echo "- machine: $(nproc) CPUs ($cpu_model), kernel $(uname -r); load average $load_before at the start, $load_after at the end"
    if awk -v a="${load_before%% *}" -v b="${load_after%% *}" -v n="$(nproc)" 'BEGIN { exit !(a > n || b > n) }'; then
        echo "- the machine was BUSY (load average above its $(nproc) CPUs): other work competed for the CPUs, see the spread of the runs"
    fi
    echo "- $reps interleaved runs per configuration, medians; NOT pinned: tracer, server and the untraced load generator share the CPUs"
    echo "- time: the load generator's wall time, the server already accepting; requests/s: the load generator's own figure (median)"
    echo "- $(version_of "${strace_bin:-false}" -V) and both sctrace rows stop at the bundled pack's set (\`sctrace rules traced\`, $set_size calls)"
    for srv in "${servers[@]}"; do
        echo ""
        if [ "$srv" = nginx ]; then
            echo "**nginx** ($(version_of "$nginx_bin" -v | sed 's/^nginx version: //'), master + 2 workers) serving a $page_bytes-byte file," \
                "loaded by \`ab -n $NGINX_N -c $CONC\` (a connection per request):"
        else
            echo "**redis** ($(version_of "$redis_server_bin" --version | awk '{ print $3 }' | sed 's/^v=//'))" \
                "loaded by \`redis-benchmark -n $REDIS_N -c $CONC -t $REDIS_TESTS\` ($REDIS_N requests per test;" \
                "requests/s: all of them over the sum of the tests' times):"
        fi
        echo ""
        table "$srv"
    done
} >"$report"

echo ""
cat "$report"

if [ "$write_doc" -eq 1 ]; then
    if splice_results servers.sh "$report"; then
        echo "" >&2
        echo "bench/servers: results written to docs/performance.md" >&2
    else
        loud "docs/performance.md or its bench/servers.sh markers are missing; the results are only above"
    fi
fi

# Repeat what went wrong at the end, where it cannot scroll out of sight.
failed=()
for srv in "${servers[@]}"; do
    for c in "${configs[@]}"; do
        [ "${status[$srv:$c]}" = failed ] && failed+=("$srv/$c")
    done
done
rc=0
if [ ${#failed[@]} -gt 0 ]; then
    loud "FAILED: ${failed[*]}; see the messages above"
    rc=1
fi
if [ "$false_findings" -eq 1 ]; then
    loud "FALSE FINDINGS on a healthy server (warning or above); see the messages above"
    for f in "$tmp"/false-findings.*; do
        echo "bench/servers: $(basename "$f"):" >&2
        head -n 5 "$f" | cut -c 1-2000 | sed 's/^/    /' >&2
    done
    rc=1
fi
exit "$rc"
