// siginfo in strace's notation, on "--- SIGCHLD {...} ---" lines. The rules
// (which fields each si_code and signal shows) live in one place,
// decoders/signal_shapes, shared with the syscalls that carry a siginfo
// (waitid, rt_sigqueueinfo): the event is turned into those fields, built
// into a small tree and printed like any argument.
#include <signal.h>

#include "decoders/signal_shapes.h"
#include "report/strace_format.h"

namespace sctrace {

namespace {

signal_shapes::SiginfoFields fields_of(const SignalEvent& sig) {
    signal_shapes::SiginfoFields f;
    f.signo = sig.signo;
    f.code = sig.code;
    f.errno_value = sig.errno_value;
    // For SI_TIMER the tracer's si_pid/si_uid read the same words as
    // si_timerid/si_overrun, which is what is shown then.
    f.pid = sig.sender_pid;
    f.uid = sig.sender_uid;
    f.status = sig.status;
    f.utime = sig.utime;
    f.stime = sig.stime;
    f.addr = sig.addr;
    f.value = sig.value;
    f.band = sig.band;
    f.fd = sig.fd;
    return f;
}

}  // namespace

void append_strace_siginfo(fmt::memory_buffer& out, const SignalEvent& sig) {
    // One tree per writer thread, reused: a siginfo needs a dozen nodes and
    // building it must not allocate.
    static thread_local ArgTree tree;
    tree.clear();
    const NodeId s = signal_shapes::add_siginfo(tree, tree.root(), fields_of(sig));
    append_strace_value(out, tree, s);
}

}  // namespace sctrace
