#!/bin/sh
# Re-records the saved strace logs in this folder from the built samples.
# These are real strace 6.1 logs: pids, addresses and times are whatever
# strace printed on the machine that recorded them.
#
#   samples/logs/record.sh BUILD_DIR/samples
#
# Shapes (file names are RULE.SHAPE.log; -ff sets are RULE.SHAPE.PID):
#   f        strace -f -o                    (everything, or all but read/nanosleep noise)
#   ttT-y    strace -f -tt -T -y -o          (with a -e trace= set the rule needs)
#   ttt-yy   strace -f -ttt -yy -o
#   ff       strace -ff -o                   (single-threaded samples)
#   ff-ttt-T strace -ff -ttt -T -o           (threaded samples: without times a -ff set
#                                             cannot say which calls overlapped)
#   k        strace -f -k -o, gzipped        (stack frame lines; fatal-signal-null only)
#
# Kept from the story, not re-recorded here:
#   nonblocking-connect-immediate.wsl1.log: the WSL1 lines of docs/rules/nonblocking-connect-immediate.md,
#   as its author's strace printed them (no -f, PF_INET): connect() = 0 on a
#   nonblocking socket with no Fast Open asked for. The story's log goes on to
#   the assertion and the SIGSEGV; the excerpt stops before them, so that it
#   shows this rule alone.
#
# Kept from a lucky run, not re-recorded here:
#   concurrent-socket-writes.thread-before-clone.log: a real strace -f log in
#   which the new thread's first lines (its blocked write) come before the
#   parent's "<... clone3 resumed> ... = TID" line. strace prints that order
#   about once in a few hundred runs; it was caught with
#     until strace -f -e 'trace=!read,nanosleep,clock_nanosleep,openat,close' -o x.log \
#             BUILD_DIR/samples/concurrent-socket-writes >/dev/null &&
#           awk '/^[0-9]+ write\(4, "A/ { w = NR; t = $1 }
#                /clone3 resumed> => \{parent_tid=\[/ {
#                  match($0, /parent_tid=\[[0-9]+\]/); id = substr($0, RSTART + 12, RLENGTH - 13)
#                  if (w && id == t && NR > w) found = 1 }
#                END { exit !found }' x.log; do :; done
set -eu
bin=${1:?usage: record.sh BUILD_DIR/samples}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
ulimit -c 0

# The -e trace= set per sample: the calls its rule reads, and every call that
# makes or closes the fds involved.
set_for() {
    case $1 in
        nonblocking-connect-immediate) echo '%net,%desc' ;;
        connect-result-unchecked) echo '%net,write,poll,pselect6,close' ;;
        socket-leak-after-failed-connect) echo '%net,close,exit_group' ;;
        concurrent-socket-writes) echo '%net,write,close,clone3,futex' ;;
        concurrent-socket-reads) echo '%net,read,write,close,clone3,futex' ;;
        double-close) echo '%net,%desc' ;;
        fd-use-after-close) echo '%desc' ;;
        close-while-blocked) echo 'pipe2,read,write,close,clone3' ;;
        fatal-signal | fatal-signal-null | fatal-signal-gp | fatal-signal-abort) echo 'none' ;;
        # rseq: glibc's start-up fingerprint, what tells a static glibc program
        # from a log (docs/rules/static-glibc-nss.md).
        static-glibc-nss) echo 'openat,execve,clone3,rseq' ;;
    esac
}

# A sample's exit status is part of what it shows (fatal-signal dies of
# SIGSEGV); never let it stop the recording.
trace() { strace "$@" >/dev/null 2>&1 || true; }

single="nonblocking-connect-immediate connect-result-unchecked socket-leak-after-failed-connect
        double-close fd-use-after-close fatal-signal fatal-signal-null fatal-signal-gp
        fatal-signal-abort"
threaded="concurrent-socket-writes concurrent-socket-reads close-while-blocked static-glibc-nss"

for s in $single $threaded; do
    set=$(set_for "$s")
    rm -f "$s".f.log "$s".ttT-y.log "$s".ttt-yy.log "$s".ff.* "$s".ff-ttt-T.* "$s".k.log.gz
    case $s in
        concurrent-socket-writes) trace -f -e 'trace=!read,nanosleep' -o "$s.f.log" "$bin/$s" ;;
        *) trace -f -o "$s.f.log" "$bin/$s" ;;
    esac
    trace -f -tt -T -y -e "trace=$set" -o "$s.ttT-y.log" "$bin/$s"
    trace -f -ttt -yy -e "trace=$set" -o "$s.ttt-yy.log" "$bin/$s"
done
for s in $single; do trace -ff -e "trace=$(set_for "$s")" -o "$s.ff" "$bin/$s"; done
for s in $threaded; do trace -ff -ttt -T -e "trace=$(set_for "$s")" -o "$s.ff-ttt-T" "$bin/$s"; done

trace -f -k -e trace=none -o fatal-signal-null.k.log "$bin/fatal-signal-null"
gzip -9 -n fatal-signal-null.k.log

for twin in nonblocking-connect-ok connect-result-unchecked-ok socket-leak-after-failed-connect-ok \
            concurrent-socket-writes-ok concurrent-socket-reads-ok double-close-ok \
            fd-use-after-close-ok close-while-blocked-ok fatal-signal-ok \
            fatal-signal-handled-ok fatal-signal-ignored-ok \
            nonblocking-connect-immediate-unspec-ok nonblocking-connect-fastopen-ok \
            nonblocking-connect-fork-ok \
            socket-leak-after-failed-connect-fork-ok \
            concurrent-socket-writes-dgram-ok concurrent-socket-reads-dgram-ok double-close-closefrom-ok \
            close-while-blocked-reuse-ok connect-port-ok \
            static-glibc-nss-ok static-glibc-nss-dynamic-ok static-glibc-nss-nolibc-ok; do
    rm -f "$twin".ttT-y.log
    case $twin in
        concurrent-socket-writes-ok) trace -f -tt -T -y -e 'trace=!read,nanosleep' -o "$twin.ttT-y.log" "$bin/$twin" ;;
        *) trace -f -tt -T -y -o "$twin.ttT-y.log" "$bin/$twin" ;;
    esac
done

# futex-deadlock-suspected (checked by tests/hangs): strace is killed with
# SIGKILL while the sample is deadlocked, so the log ends inside the futex
# waits, the last one on a line strace never finished - as the log of a hung
# program that someone gave up on does. The sample ends itself (alarm).
# The -ff -ttt set the same way: each thread's file ends on its open futex line.
rm -f futex-deadlock-suspected.f.log futex-deadlock-suspected-ok.f.log \
      futex-deadlock-suspected.ff-ttt.*
strace -f -o futex-deadlock-suspected.f.log "$bin/futex-deadlock-suspected" >/dev/null 2>&1 &
sleep 2
kill -KILL $! 2>/dev/null || true
wait $! 2>/dev/null || true
strace -ff -ttt -o futex-deadlock-suspected.ff-ttt "$bin/futex-deadlock-suspected" >/dev/null 2>&1 &
sleep 2
kill -KILL $! 2>/dev/null || true
wait $! 2>/dev/null || true
sleep 3
trace -f -tt -T -o futex-deadlock-suspected-ok.f.log "$bin/futex-deadlock-suspected-ok"
