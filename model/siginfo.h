// A siginfo, both ways: the kernel's siginfo_t read into a SignalEvent, and a
// SignalEvent built into argument-tree nodes as strace's printsiginfo shows
// it. One place decides which union members each signal and si_code carry,
// for the live "--- SIGCHLD {...} ---" line, for the syscalls that pass a
// siginfo (waitid, rt_sigqueueinfo) and for what a log or JSONL line says.
//
// Building nodes allocates nothing: names come from static tables.
#pragma once

#include <signal.h>

#include <string_view>

#include "model/arg_tree.h"
#include "model/event.h"

namespace sctrace {

// The members of `si` that its signal and si_code make meaningful; the rest
// of the union would be other members' bytes seen through the wrong name.
SignalEvent signal_event_of(const siginfo_t& si);

// A signal number as strace's printsignal shows it: SIGUSR1, or the number.
NodeId add_signal(ArgTree& tree, NodeId parent, int signo, std::string_view key = {});

// {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=..., ...}.
NodeId add_siginfo(ArgTree& tree, NodeId parent, const SignalEvent& si, std::string_view key = {});

}  // namespace sctrace
