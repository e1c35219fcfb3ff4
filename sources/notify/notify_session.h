// The seccomp-notify backend's loop: each traced call of the command (and of
// everything it starts) arrives at its entry through the listener; it is
// decoded, made an event for the sinks, and let continue at once.
//
// What this backend cannot see, by the kernel's design: a call's result (a
// continued call sends no second notification), signals, and the processes
// and threads it starts or ends (no ptrace events). Every call is therefore
// shown as one whose result is unknown ("= ?", as strace shows a call cut
// short), and only the launched command's own end is known (sctrace is its
// parent and reaps it).
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "decoders/decoder.h"
#include "model/arg_tree.h"
#include "model/event.h"
#include "model/syscall_table.h"
#include "sources/live/signal_relay.h"
#include "sources/live/watchdog.h"
#include "sources/notify/listener.h"
#include "sources/notify/notify_child.h"

namespace sctrace {

struct NotifySessionOptions {
    // The /proc watchdog's interval, when a rule reads its samples (the
    // hang rules): every process seen making a traced call is sampled.
    std::optional<std::chrono::milliseconds> watchdog_interval;
    // Decode arguments (what strace prints): the rules or --format strace
    // need them. Memory is read with process_vm_readv, and trusted only when
    // the call was still pending after the read.
    bool decode = false;
    DecodeOptions decode_options;
    // What sctrace's parent left ignored (ignored_relayed_signals()).
    sigset_t inherited_ignored{};
};

class NotifySession {
public:
    // `sinks` get every event; `judges` (the rule engine) only the
    // watchdog's samples and the command's end, which are all this backend
    // can vouch for.
    NotifySession(NotifyChild child, std::vector<EventSink*> sinks, std::vector<EventSink*> judges,
                  NotifySessionOptions options);
    ~NotifySession();
    NotifySession(const NotifySession&) = delete;
    NotifySession& operator=(const NotifySession&) = delete;

    // Serves the calls until no process uses the filter any more and the
    // command has been reaped; returns its status as a shell reports it
    // (128+N for signal N), as the ptrace Session does.
    int run();

    // Calls served, and those whose memory was read but that had gone away
    // by the time it was read (shown without their decoded arguments).
    std::uint64_t calls() const { return calls_; }
    std::uint64_t gone() const { return gone_; }

private:
    void serve(const Notification& n);
    pid_t tgid_of(pid_t tid);
    void reap(bool wait);
    void pass_on_signals();
    void emit_samples();
    void announce_executable(pid_t pid);
    void watch(pid_t pid);
    void discover_children();
    void to_all(const Event& event);

    NotifyChild child_;
    NotifyListener listener_;
    std::vector<EventSink*> sinks_;
    std::vector<EventSink*> judges_;
    NotifySessionOptions options_;
    UniqueFd wake_;  // an eventfd the watchdog writes to when it has samples
    std::unique_ptr<Watchdog> watchdog_;
    std::unordered_set<pid_t> watched_;  // the processes the watchdog samples
    std::chrono::steady_clock::time_point last_discovery_{};
    SignalRelay relay_;
    ArgTree tree_;
    std::unordered_map<pid_t, pid_t> tgids_;              // tid -> its process, from /proc
    std::unordered_map<pid_t, std::string> executables_;  // what the judges heard each runs
    std::array<char, kSyscallNameScratchSize> name_scratch_{};
    bool reaped_ = false;
    int shell_status_ = 0;  // the command's, once reaped
    std::uint64_t calls_ = 0, gone_ = 0;
};

}  // namespace sctrace
