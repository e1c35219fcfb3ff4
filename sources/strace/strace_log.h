// A saved strace log as an event stream: parsed lines (strace_line.h) become
// the same Events the live tracer emits, so every sink (writers, the state
// tracker, rules) works on logs unchanged.
//
// Streaming: one line in memory at a time, plus one argument tree per thread
// that has an unfinished call. Memory is bounded by the number of threads
// with calls in flight, never by the log's size.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "model/arg_tree.h"
#include "model/event.h"
#include "model/packed_arg_trees.h"
#include "sources/strace/strace_line.h"

namespace sctrace::strace_text {

struct LogProblem {
    std::string file;
    std::size_t line = 0;
    std::string message;
};

struct LogStats {
    std::size_t lines = 0;
    std::size_t events = 0;
    std::size_t unparsed = 0;
    std::size_t orphan_resumed = 0;          // "<... x resumed>" with no unfinished half
    bool timed = false;                      // some line had a time (-t, -tt, -ttt, -r)
    std::vector<LogProblem> first_problems;  // at most kKeptProblems
    static constexpr std::size_t kKeptProblems = 10;
};

// Turns the lines of one or more logs into events for `sink`.
class StraceLogConverter {
public:
    explicit StraceLogConverter(EventSink& sink);
    ~StraceLogConverter();

    // Starts a file. `pid_override`: the pid of an -ff file (FILE.PID), whose
    // lines carry none; 0 otherwise. `day_start`: epoch time of the local
    // midnight that -t/-tt times count from (from the file's date).
    void begin_file(std::string name, pid_t pid_override, Nanos day_start);

    // For merged -ff sets: the next lines come from this file (its own line
    // count), without resetting the time bookkeeping.
    void switch_file(const std::string& name, pid_t pid_override, std::size_t line_no);

    // One line, without its newline. Returns false (and records a problem)
    // when the line is not strace output.
    bool feed(std::string_view line);

    // For merged -ff sets, where every call is one complete line in its
    // thread's file: feed a call's entry (at its start, line time minus -T)
    // and its exit (at the line's time) separately, so that calls of other
    // threads in between see it in progress. Other lines take Part::Whole.
    enum class Part { Whole, Entry, Exit };
    bool feed(std::string_view line, Part part);

    // A line parse_line() has already read (on another thread: sctrace
    // analyze's parse pipeline), with its outcome: the same as feed(text),
    // without parsing it again. `line`'s views point into `text`.
    struct Parsed {
        bool ok = false;
        const ParsedLine* line = nullptr;  // when ok
        const PackedArgTrees* trees = nullptr;
        std::size_t tree = 0;    // the line's arguments in `trees`, when ok
        std::string_view error;  // when not ok
    };
    bool feed(std::string_view text, const Parsed& parsed);

    // A fact the log states outright (sctrace's text format names each
    // line's process): thread `tid` belongs to process `tgid`. It outranks
    // what a clone's flags suggest, which an undecoded log does not show.
    void note_thread(pid_t tid, pid_t tgid);

    // A line read and understood that makes no event (a dialect's line
    // strace has no form for): counted as a line, so later problems name
    // their lines right.
    void count_line();

    // A line the reader could not hand over (longer than its limit): counted
    // as a line and as unparsed, with `reason` as its problem.
    void skip_line(std::string reason);

    // The input ended. Calls still unfinished stay unfinished (their entry
    // events were sent); then the sink's on_end.
    void finish();
    // The current file ended. strace leaves the line of a call that has not
    // returned open until it does, so a log cut off by killing strace ends
    // with "futex(0x..., FUTEX_WAIT_PRIVATE, 2, NULL" and no newline: that
    // last line, alone, is taken as the call's unfinished entry (and no
    // longer counted as unparsed), which is what it is.
    void end_file();

    const LogStats& stats() const { return stats_; }

    // For an -ff set read one file after another (no times to merge by): a
    // process's exit line, in its leader's file, comes before the files of
    // its other threads are read. Held until finish(), so that their events
    // still find the process (its executable, its fds).
    void defer_process_exits() { defer_process_exits_ = true; }

private:
    // A thread's slot stays in pending_ between calls (its `args` null), so
    // that an unfinished/resumed pair costs no map node allocation.
    struct Pending {
        std::unique_ptr<ArgTree> args;  // null: no call pending
        std::string name;
        const SyscallInfo* info = nullptr;  // name's row, when it has one
        Nanos entry_time = 0;
        // `line` is this call's other half: by the rows when both have one,
        // which spares reading the line's text (the parse pipeline's thread
        // has it in its cache, not this one).
        bool is_call_of(const ParsedLine& line) const {
            return info && line.info ? info == line.info : name == line.name;
        }
    };

    bool feed_line(std::string_view text, Part part, const Parsed* parsed);
    // The line's time as an event time; false when it does not fit.
    bool event_time(const ParsedLine& line, Nanos& time);
    pid_t tgid_of(pid_t tid) const;
    Pending* pending_of(pid_t tid);  // the thread's unfinished call, or null
    void emit(Event& event);
    // `known`: the row of `name` (syscall_info), null when it has none.
    void emit_call(const ParsedLine& line, ArgTree& args, Nanos entry_time, std::string_view name,
                   const SyscallInfo* known, bool entry_too);
    void after_call(const ParsedLine& line, pid_t tid, const ArgTree& args,
                    const SyscallInfo* known, Nanos time);
    // Records which process a clone's child belongs to; returns its kind.
    SpawnKind note_child(const ParsedLine& line, pid_t tid, const ArgTree& args,
                         const SyscallInfo* known);
    void problem(std::string message);
    std::unique_ptr<ArgTree> take_tree();

    EventSink& sink_;
    LogStats stats_;
    // The head of a line a "strace: " message cut in two (see feed()).
    std::string split_head_;
    // The last line fed, when it failed to parse as cut off (see end_file()).
    std::string cut_line_;
    bool last_line_cut_ = false;
    std::size_t cut_problems_before_ = 0;
    std::string file_;
    std::size_t line_no_ = 0;
    pid_t pid_override_ = 0;
    Nanos day_start_ = 0;
    Nanos last_time_ = 0;  // for -r deltas and -t wraps
    Nanos last_time_of_day_ = -1;
    Nanos day_offset_ = 0;

    struct DeferredExit {
        Nanos time = 0;
        pid_t tid = 0;  // the leader: tid = pid
        ExitEvent exit;
    };
    bool defer_process_exits_ = false;
    std::vector<DeferredExit> deferred_exits_;

    std::unique_ptr<ArgTree> current_;  // the line being parsed
    std::vector<std::unique_ptr<ArgTree>> spare_trees_;
    std::unordered_map<pid_t, Pending> pending_;    // tid -> its unfinished call
    std::unordered_map<pid_t, pid_t> tgid_;         // tid -> thread-group id, from clone results
    std::unordered_map<pid_t, pid_t> stated_tgid_;  // tid -> thread-group id, from note_thread

    // strace -f can print a new thread's first lines before its creator's
    // "<... clone3 resumed> = TID": lines of a never-seen tid wait here while
    // a clone is in flight, and are fed once it returns, so they are
    // attributed to the right process.
    bool hold_back(pid_t tid, std::string_view line);
    void release_held();
    std::unordered_set<pid_t> seen_tids_;
    std::unordered_set<pid_t> held_tids_;
    // A direct-mapped cache of tids known to be in seen_tids_ (which never
    // forgets one): most lines need no set lookup.
    std::array<pid_t, 64> recent_tids_{};
    int clones_in_flight_ = 0;
    std::vector<std::pair<std::string, std::size_t>> held_;  // line, line number
    std::size_t held_bytes_ = 0;
    bool releasing_ = false;
    static constexpr std::size_t kMaxHeld = 4096;
    static constexpr std::size_t kMaxHeldBytes = std::size_t{64} << 20;
};

}  // namespace sctrace::strace_text
