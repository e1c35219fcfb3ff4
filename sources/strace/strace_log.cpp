#include "sources/strace/strace_log.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "base/nanos_math.h"
#include "model/syscall_table.h"

namespace sctrace::strace_text {

namespace {

constexpr Nanos kDay = 86'400'000'000'000;

// True when any node of the tree has `flag`: clone's flags argument, or
// clone3's struct member ("CLONE_VM|CLONE_THREAD|..." in a log).
bool any_has_flag(const ArgTree& tree, NodeId id, std::string_view flag) {
    if (tree.has_flag(id, flag)) return true;
    for (const NodeId c : tree.children(id)) {
        if (any_has_flag(tree, c, flag)) return true;
    }
    return false;
}

// Where a pending call's entry half ends, for writers that print it apart
// from its exit: every argument decoded so far, and whether more follow
// (strace prints ", " before the cut mark then: "read(3,  <unfinished ...>").
void mark_entry_half(ArgTree& tree, bool entry_complete) {
    tree.entry_arg_count = static_cast<std::uint16_t>(tree.child_count(tree.root()));
    tree.entry_complete = entry_complete;
}

}  // namespace

StraceLogConverter::StraceLogConverter(EventSink& sink)
    : sink_(sink), current_(std::make_unique<ArgTree>()) {}

StraceLogConverter::~StraceLogConverter() = default;

void StraceLogConverter::begin_file(std::string name, pid_t pid_override, Nanos day_start) {
    file_ = std::move(name);
    line_no_ = 0;
    pid_override_ = pid_override;
    day_start_ = day_start;
    last_time_of_day_ = -1;
    day_offset_ = 0;
}

void StraceLogConverter::switch_file(const std::string& name, pid_t pid_override,
                                     std::size_t line_no) {
    file_ = name;
    pid_override_ = pid_override;
    line_no_ = line_no;
}

// A call that may make a thread or a process (clone, fork ...): a log line
// naming an unknown call has no traits.
static bool is_spawn_call(const SyscallInfo* info) {
    return info && info->traits.has(kTraitSpawns);
}

bool StraceLogConverter::hold_back(pid_t tid, std::string_view line) {
    if (tid == 0 || releasing_) return false;
    // Runs for every line: the common cases (the same thread as the last
    // line, no clone in flight) cost one compare or one set operation.
    pid_t& recent = recent_tids_[static_cast<std::size_t>(tid) % recent_tids_.size()];
    if (held_tids_.empty() && tid == recent) return false;
    const bool held = !held_tids_.empty() && held_tids_.count(tid);
    if (held || (clones_in_flight_ > 0 && !seen_tids_.count(tid))) {
        held_tids_.insert(tid);
        held_.emplace_back(std::string(line), line_no_);
        held_bytes_ += line.size();
        // Bounded in lines and bytes: give up waiting.
        if (held_.size() >= kMaxHeld || held_bytes_ >= kMaxHeldBytes) release_held();
        return true;
    }
    seen_tids_.insert(tid);
    recent = tid;
    return false;
}

void StraceLogConverter::release_held() {
    if (held_.empty() || releasing_) return;
    releasing_ = true;
    auto held = std::move(held_);
    held_.clear();
    held_bytes_ = 0;
    for (const pid_t tid : held_tids_) seen_tids_.insert(tid);
    held_tids_.clear();
    const std::size_t resume_line = line_no_;
    for (const auto& [text, line_no] : held) {
        line_no_ = line_no - 1;  // feed() counts it again
        --stats_.lines;
        feed(text);
    }
    line_no_ = resume_line;
    releasing_ = false;
}

std::unique_ptr<ArgTree> StraceLogConverter::take_tree() {
    if (spare_trees_.empty()) return std::make_unique<ArgTree>();
    auto tree = std::move(spare_trees_.back());
    spare_trees_.pop_back();
    return tree;
}

void StraceLogConverter::problem(std::string message) {
    if (stats_.first_problems.size() < LogStats::kKeptProblems) {
        stats_.first_problems.push_back({file_, line_no_, std::move(message)});
    }
}

bool StraceLogConverter::event_time(const ParsedLine& line, Nanos& time) {
    // Every sum is checked: a log whose times run past what 64 bits of
    // nanoseconds hold (292 years) is not one strace wrote, and its line is
    // reported rather than given a time that wrapped around.
    Nanos next = last_time_;
    switch (line.time_kind) {
        case TimeKind::Absolute:
            next = line.time;
            break;
        case TimeKind::Relative:
            if (__builtin_add_overflow(last_time_, line.time, &next)) return false;
            break;
        case TimeKind::TimeOfDay: {
            // -t/-tt count from midnight and wrap: a step back of more than
            // half a day is the next day, not time running backwards.
            Nanos offset = day_offset_;
            if (last_time_of_day_ >= 0 && saturating_add(line.time, kDay / 2) < last_time_of_day_ &&
                __builtin_add_overflow(offset, kDay, &offset)) {
                return false;
            }
            if (__builtin_add_overflow(day_start_, offset, &next) ||
                __builtin_add_overflow(next, line.time, &next)) {
                return false;
            }
            day_offset_ = offset;
            last_time_of_day_ = line.time;
            break;
        }
        case TimeKind::None:
            // No times in the log: keep the order, one nanosecond a line.
            next = saturating_add(last_time_, 1);
            break;
    }
    // A complete call ends -T's duration after its stamp (emit_call).
    Nanos end = 0;
    if (line.kind == LineKind::Call && line.duration &&
        __builtin_add_overflow(next, *line.duration, &end)) {
        return false;
    }
    if (line.time_kind != TimeKind::None) stats_.timed = true;
    last_time_ = next;
    time = next;
    return true;
}

StraceLogConverter::Pending* StraceLogConverter::pending_of(pid_t tid) {
    const auto it = pending_.find(tid);
    return it == pending_.end() || !it->second.args ? nullptr : &it->second;
}

pid_t StraceLogConverter::tgid_of(pid_t tid) const {
    if (!stated_tgid_.empty()) {
        if (const auto stated = stated_tgid_.find(tid); stated != stated_tgid_.end()) {
            return stated->second;
        }
    }
    const auto it = tgid_.find(tid);
    return it == tgid_.end() ? tid : it->second;
}

void StraceLogConverter::note_thread(pid_t tid, pid_t tgid) {
    stated_tgid_[tid] = tgid;
}

void StraceLogConverter::emit(Event& event) {
    ++stats_.events;
    sink_.on_event(event);
}

void StraceLogConverter::emit_call(const ParsedLine& line, ArgTree& args, Nanos entry_time,
                                   std::string_view name, const SyscallInfo* known,
                                   bool entry_too) {
    const pid_t tid = line.pid ? line.pid : pid_override_;
    // strace stamps a line when the call enters; a complete line's call
    // ended -T's duration later (without -T: at the stamp, as near as known).
    const Nanos now = line.kind == LineKind::Call && line.duration
                          ? saturating_add(entry_time, *line.duration)
                          : last_time_;
    const pid_t tgid = tgid_of(tid);
    SyscallEvent call;
    call.nr = known ? syscall_number_of(Arch::X86_64, *known) : -1;
    // Known names point at the static table; unknown ones at the tree.
    call.name = known ? known->name : name;
    call.entry_time = entry_time;
    call.decoded = &args;
    if (entry_too) {
        Event entry{EventKind::SyscallEntry, entry_time, tgid, tid, call};
        emit(entry);
    }
    call.has_result = line.has_result;
    call.injected = line.injected;
    call.delayed = line.delayed;
    call.ret = line.ret;
    call.err = line.err;
    if (line.err) call.ret = -1;
    Event exit{EventKind::SyscallExit, now, tgid, tid, call};
    emit(exit);
    after_call(line, tid, args, known, now);
}

SpawnKind StraceLogConverter::note_child(const ParsedLine& line, pid_t tid, const ArgTree& args,
                                         const SyscallInfo* info) {
    const auto child = static_cast<pid_t>(line.ret);
    SpawnKind kind = SpawnKind::Fork;
    if ((info && info->traits.kind == SyscallKind::Vfork) ||
        any_has_flag(args, args.root(), "CLONE_VFORK")) {
        kind = SpawnKind::Vfork;
    }
    if (any_has_flag(args, args.root(), "CLONE_THREAD")) kind = SpawnKind::Thread;
    // A stated process outranks the flags (an undecoded clone shows none).
    if (const auto stated = stated_tgid_.find(child); stated != stated_tgid_.end()) {
        if (stated->second != child) {
            kind = SpawnKind::Thread;
        } else if (kind == SpawnKind::Thread) {
            kind = SpawnKind::Fork;
        }
    }
    tgid_[child] = kind == SpawnKind::Thread ? tgid_of(tid) : child;
    return kind;
}

// What a completed call implies beyond itself: new threads and processes,
// and a new program after a successful exec.
void StraceLogConverter::after_call(const ParsedLine& line, pid_t tid, const ArgTree& args,
                                    const SyscallInfo* info, Nanos time) {
    if (!line.has_result || line.err != 0) return;
    const SyscallTraits traits = info ? info->traits : SyscallTraits{};
    if (traits.has(kTraitSpawns) && line.ret > 0) {
        const auto child = static_cast<pid_t>(line.ret);
        const SpawnKind kind = note_child(line, tid, args, info);
        const pid_t child_tgid = tgid_of(child);
        Event spawn{EventKind::Spawn, time, tgid_of(tid), tid, SpawnEvent{kind, child_tgid, child}};
        emit(spawn);
        return;
    }
    if (traits.has(kTraitExecs) && line.ret == 0) {
        const NodeId path =
            traits.path_arg >= 0 ? args.arg(static_cast<std::size_t>(traits.path_arg)) : kNoNode;
        std::string_view exe;
        if (path != kNoNode && args.node(path).kind == ArgKind::Str) exe = args.node(path).text;
        Event exec{EventKind::Exec, time, tgid_of(tid), tid, ExecEvent{exe, tid}};
        emit(exec);
    }
}

bool StraceLogConverter::feed(std::string_view text) {
    return feed(text, Part::Whole);
}

bool StraceLogConverter::feed(std::string_view text, Part part) {
    return feed_line(text, part, nullptr);
}

bool StraceLogConverter::feed(std::string_view text, const Parsed& parsed) {
    return feed_line(text, Part::Whole, &parsed);
}

bool StraceLogConverter::feed_line(std::string_view text, Part part, const Parsed* parsed) {
    ++line_no_;
    ++stats_.lines;
    ParsedLine parsed_here;
    const ParsedLine* parsed_line = &parsed_here;
    std::string error;
    last_line_cut_ = false;
    std::string joined;  // a split line's head and this, its tail
    if (!split_head_.empty()) {
        joined = std::exchange(split_head_, {});
        joined += text;
        text = joined;
        parsed = nullptr;  // what was parsed is the tail alone
    }
    bool ok = false;
    if (parsed) {
        ok = parsed->ok;
        if (ok) {
            parsed_line = parsed->line;
            parsed->trees->load(parsed->tree, *current_);
        } else {
            error.assign(parsed->error);
        }
    } else {
        ok = parse_line(text, parsed_here, *current_, &error);
    }
    const ParsedLine& line = *parsed_line;
    if (!ok) {
        // strace's own messages share stderr with the trace when it has no
        // -o, and can land inside a line: "...|SIGCHLDstrace: Process 10123
        // attached", then ", child_tidptr=0x7f...) = 10123" on the next. The
        // head waits for its tail; the message is dropped, as other
        // diagnostics are.
        if (const auto at = text.find("strace: "); part == Part::Whole && joined.empty() &&
                                                   at != std::string_view::npos && at > 0 &&
                                                   error.find("cut off") != std::string::npos) {
            split_head_.assign(text.substr(0, at));
            return true;
        }
        if (part == Part::Whole && error.find("cut off") != std::string::npos) {
            last_line_cut_ = true;
            cut_line_.assign(text);
            cut_problems_before_ = stats_.first_problems.size();
        }
        ++stats_.unparsed;
        problem(error);
        return false;
    }
    const pid_t tid = line.pid ? line.pid : pid_override_;
    switch (line.kind) {
        case LineKind::Blank:
        case LineKind::Frame:
        case LineKind::Diagnostic:
            return true;
        default:
            break;
    }
    if (hold_back(tid, text)) return true;
    Nanos time = 0;
    if (!event_time(line, time)) {
        ++stats_.unparsed;
        problem("the time stamp (with its -T duration) is beyond what 64 bits of nanoseconds hold");
        return false;
    }
    switch (line.kind) {
        case LineKind::Call: {
            const Nanos entry = time;  // the stamp is the call's start
            if (part == Part::Entry) {
                // As an unfinished half: the entry now, the exit later.
                current_->internalize();
                mark_entry_half(*current_, true);  // a whole call: all of it
                Pending& p = pending_[tid];
                if (p.args) spare_trees_.push_back(std::move(p.args));
                p.args = std::exchange(current_, take_tree());
                p.name.assign(line.name);
                p.info = line.info;
                p.entry_time = entry;
                // The line holds the result already: a new thread's file may
                // have lines stamped before this call's end, and they belong
                // to this process (its executable, its fds).
                if (is_spawn_call(line.info) && line.has_result && line.err == 0 && line.ret > 0) {
                    note_child(line, tid, *p.args, line.info);
                }
                SyscallEvent call;
                call.nr = line.info ? syscall_number_of(Arch::X86_64, *line.info) : -1;
                call.name = p.name;
                call.entry_time = entry;
                call.decoded = p.args.get();
                Event event{EventKind::SyscallEntry, entry, tgid_of(tid), tid, call};
                emit(event);
                break;
            }
            if (part == Part::Exit) {
                Pending* p = pending_of(tid);
                if (p && p->is_call_of(line)) {
                    emit_call(line, *p->args, p->entry_time, p->name, line.info, false);
                    spare_trees_.push_back(std::move(p->args));
                    break;
                }
            }
            emit_call(line, *current_, entry, line.name, line.info, true);
            break;
        }
        case LineKind::Unfinished: {
            if (line.resumed) {
                // "<... x resumed> more <unfinished ...>": still running;
                // add the new arguments to the pending call.
                if (Pending* p = pending_of(tid)) {
                    for (const NodeId c : current_->children(current_->root())) {
                        p->args->append_copy(p->args->root(), *current_, c);
                    }
                    mark_entry_half(*p->args, line.entry_complete);
                }
                break;
            }
            if (is_spawn_call(line.info)) ++clones_in_flight_;
            // Keep this tree (with its texts copied out of the line) as the
            // call's pending half; parse the next line into a fresh one.
            current_->internalize();
            mark_entry_half(*current_, line.entry_complete);
            Pending& p = pending_[tid];
            if (p.args) spare_trees_.push_back(std::move(p.args));  // a lost half, replaced
            p.args = std::exchange(current_, take_tree());
            p.name.assign(line.name);
            p.info = line.info;
            p.entry_time = time;
            SyscallEvent call;
            call.nr = line.info ? syscall_number_of(Arch::X86_64, *line.info) : -1;
            call.name = p.name;
            call.entry_time = time;
            call.decoded = p.args.get();
            Event entry{EventKind::SyscallEntry, time, tgid_of(tid), tid, call};
            emit(entry);
            break;
        }
        case LineKind::Resumed: {
            Pending* found = pending_of(tid);
            if (!found || !found->is_call_of(line)) {
                // strace's own log can start mid-call (attach, -p); keep the
                // half we have rather than drop the call.
                ++stats_.orphan_resumed;
                emit_call(line, *current_, time, line.name, line.info, false);
                break;
            }
            Pending& p = *found;
            for (const NodeId c : current_->children(current_->root())) {
                p.args->append_copy(p.args->root(), *current_, c);
            }
            // p.name is line.name: the same row.
            emit_call(line, *p.args, p.entry_time, p.name, line.info, false);
            spare_trees_.push_back(std::move(p.args));  // no longer pending
            if (is_spawn_call(line.info)) {
                if (clones_in_flight_ > 0) --clones_in_flight_;
                release_held();  // the new thread's early lines, now attributable
            }
            break;
        }
        case LineKind::Signal: {
            Event event{EventKind::Signal, time, tgid_of(tid), tid, line.signal};
            emit(event);
            break;
        }
        case LineKind::Stopped: {
            Event event{EventKind::Stop, time, tgid_of(tid), tid, StopEvent{line.signal.signo}};
            emit(event);
            break;
        }
        case LineKind::Exited:
        case LineKind::Killed: {
            if (Pending* p = pending_of(tid)) {
                // The thread ended inside a call: it never returned ("= ?").
                ParsedLine cut;
                cut.pid = tid;
                emit_call(cut, *p->args, p->entry_time, p->name,
                          syscall_info(Arch::X86_64, p->name), false);
                spare_trees_.push_back(std::move(p->args));
            }
            pending_.erase(tid);  // the thread is gone: drop its slot
            ExitEvent exit;
            exit.whole_process = tid == tgid_of(tid);
            exit.signaled = line.kind == LineKind::Killed;
            exit.code = exit.signaled ? 0 : line.code;
            exit.signo = exit.signaled ? line.code : 0;
            exit.core_dumped = line.core_dumped;
            if (defer_process_exits_ && exit.whole_process) {
                deferred_exits_.push_back({time, tid, exit});
                break;
            }
            Event event{EventKind::Exit, time, tgid_of(tid), tid, exit};
            emit(event);
            tgid_.erase(tid);
            stated_tgid_.erase(tid);
            break;
        }
        case LineKind::Superseded: {
            // The old leader vanished under an exec from another thread; its
            // pending call (if any) never returns.
            if (Pending* p = pending_of(tid)) spare_trees_.push_back(std::move(p->args));
            // The execing thread takes the leader's pid, and strace prints its
            // "<... execve resumed>" under that pid: its pending execve moves
            // there, so the exec has its path.
            const auto from = pending_.find(line.superseded_by);
            if (line.superseded_by != tid && from != pending_.end() && from->second.args) {
                Pending moved = std::move(from->second);
                pending_.erase(from);
                pending_[tid] = std::move(moved);
            }
            break;
        }
        default:
            break;
    }
    return true;
}

void StraceLogConverter::count_line() {
    ++line_no_;
    ++stats_.lines;
    last_line_cut_ = false;
}

void StraceLogConverter::skip_line(std::string reason) {
    ++line_no_;
    ++stats_.lines;
    ++stats_.unparsed;
    last_line_cut_ = false;
    problem(std::move(reason));
}

void StraceLogConverter::end_file() {
    if (!split_head_.empty()) {
        // A head whose tail never came.
        split_head_.clear();
        ++stats_.unparsed;
        problem("the argument list is cut off (no ')') by a diagnostic, and the log ends");
    }
    if (!last_line_cut_) return;
    last_line_cut_ = false;
    std::string unfinished = cut_line_ + " <unfinished ...>";
    ParsedLine probe;
    ArgTree scratch;
    std::string error;
    if (!parse_line(unfinished, probe, scratch, &error) || probe.kind != LineKind::Unfinished)
        return;
    // Not a bad line after all: take back its count and its report.
    --stats_.unparsed;
    --stats_.lines;
    if (stats_.first_problems.size() > cut_problems_before_) {
        stats_.first_problems.resize(cut_problems_before_);
    }
    --line_no_;
    feed(unfinished);
}

void StraceLogConverter::finish() {
    end_file();
    release_held();
    // A process ends after the last of its threads, whose files were read
    // after the leader's.
    for (DeferredExit& d : deferred_exits_) {
        last_time_ = std::max(last_time_, d.time);
        Event event{EventKind::Exit, last_time_, d.tid, d.tid, d.exit};
        emit(event);
    }
    deferred_exits_.clear();
    // Calls still unfinished stay so: a log that ends while threads sit in
    // futex waits is exactly what the deadlock rule looks for, so nothing is
    // invented here; the entries already told the sinks the calls began.
    sink_.on_end();
}

}  // namespace sctrace::strace_text
