// siginfo in strace's notation, on "--- SIGCHLD {...} ---" lines: built into
// a small tree by model/siginfo.h (which fields each si_code and signal
// shows, shared with waitid and rt_sigqueueinfo) and printed like any
// argument.
#include "model/siginfo.h"
#include "report/strace_format.h"

namespace sctrace {

void append_strace_siginfo(fmt::memory_buffer& out, const SignalEvent& sig,
                           const StraceStyle& style) {
    // One tree per writer thread, reused: a siginfo needs a dozen nodes and
    // building it must not allocate.
    static thread_local ArgTree tree;
    tree.clear();
    const NodeId s = add_siginfo(tree, tree.root(), sig);
    append_strace_value(out, tree, s, style);
}

}  // namespace sctrace
