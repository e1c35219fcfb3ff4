#include "engine/diff/run_comparer.h"

#include <algorithm>
#include <set>
#include <string_view>
#include <utility>

#include "engine/arg_query.h"
#include "model/names.h"
#include "model/syscall_table.h"

namespace sctrace::diff {

namespace {

// How many calls a divergence shows around it.
constexpr std::size_t kBefore = 3;
constexpr std::size_t kAfter = 5;
// How far ahead a step's twin is looked for when two runs did the same
// steps in another order.
constexpr std::size_t kTwinWindow = 16;

std::string basename_of(std::string_view path) {
    const std::size_t slash = path.rfind('/');
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace

struct RunRecorder::Process {
    std::string role;  // "1", "1.2"
    std::string exe;   // the program's name, from its exec
    std::size_t children = 0;
    std::size_t threads_made = 1;              // the main thread is the first
    std::unordered_map<int, std::string> fds;  // number -> resource key
};

struct RunRecorder::Thread {
    pid_t pid = 0;
    std::string key;   // "1/main"
    std::string role;  // "main", "thread 2"
    bool ended = false;
    std::optional<std::size_t> pending;                 // the step of the call it is in
    std::unordered_map<std::string, std::size_t> made;  // "socket" -> how many it made
};

RunRecorder::RunRecorder(Describe describe) : describe_(std::move(describe)) {}
RunRecorder::~RunRecorder() = default;

RunRecorder::Process& RunRecorder::process_of(pid_t pid) {
    auto& slot = processes_[pid];
    if (!slot) {
        slot = std::make_unique<Process>();
        if (const auto a = announced_.find(pid); a != announced_.end()) {
            slot->role = a->second;
            announced_.erase(a);
        } else {
            // A process the trace never saw started: the command, or one a
            // log begins in the middle of.
            slot->role = std::to_string(++root_processes_);
        }
    }
    return *slot;
}

RunRecorder::Thread& RunRecorder::thread_of(pid_t pid, pid_t tid) {
    auto& slot = threads_[tid];
    if (slot && !slot->ended && slot->pid == pid) return *slot;
    Process& process = process_of(pid);
    slot = std::make_unique<Thread>();
    slot->pid = pid;
    if (tid == pid) {
        slot->role = "main";
    } else if (const auto a = announced_threads_.find(tid); a != announced_threads_.end()) {
        slot->role = a->second;
        announced_threads_.erase(a);
    } else {
        slot->role = "thread " + std::to_string(++process.threads_made);
    }
    slot->key = process.role + "/" + slot->role;
    // A thread id the kernel gave again after its thread ended, in the
    // same role: a second life, kept apart.
    for (int life = 2; model_.threads.contains(slot->key); ++life) {
        slot->key = process.role + "/" + slot->role + " (" + std::to_string(life) + ")";
    }
    model_.threads[slot->key];
    return *slot;
}

void RunRecorder::on_spawn(const Event& event, const SpawnEvent& spawn) {
    Process& parent = process_of(event.pid);
    if (spawn.kind == SpawnKind::Thread) {
        const auto t = threads_.find(spawn.child_tid);
        const bool seen = t != threads_.end() && t->second && !t->second->ended;
        if (!seen) {
            announced_threads_[spawn.child_tid] = "thread " + std::to_string(++parent.threads_made);
        }
        return;
    }
    if (!processes_.contains(spawn.child_pid)) {
        announced_[spawn.child_pid] = parent.role + "." + std::to_string(++parent.children);
        // A child starts with its parent's descriptors, and its program.
        Process& child = process_of(spawn.child_pid);
        child.fds = parent.fds;
        child.exe = parent.exe;
        if (!child.exe.empty()) programs_[child.role] = child.exe;
    }
}

void RunRecorder::on_exit(const Event& event, const ExitEvent& exit) {
    const auto t = threads_.find(event.tid);
    if (t == threads_.end() || !t->second || t->second->ended) return;
    Thread& thread = *t->second;
    if (thread.pending) {
        model_.steps[*thread.pending].shown.outcome = "unfinished";
        thread.pending.reset();
    }
    RunModel::Sequence& seq = model_.threads[thread.key];
    seq.end = exit.signaled ? "killed by " + std::string(signal_name(exit.signo))
                            : "exited with " + std::to_string(exit.code);
    seq.end_time = event.time;
    thread.ended = true;
    if (exit.whole_process) processes_.erase(event.pid);
}

std::string RunRecorder::new_resource(Thread& thread, std::string_view what, std::string label) {
    const std::size_t n = ++thread.made[std::string(what)];
    std::string key = thread.key + " " + std::string(what) + " #" + std::to_string(n);
    RunModel::Sequence& seq = model_.resources[key];
    seq.name = std::string(what) + " #" + std::to_string(n) + " of " + thread.key;
    seq.label = seq.name + (label.empty() ? "" : " (" + label + ")");
    return key;
}

void RunRecorder::add_to_resource(const std::string& key, std::size_t step) {
    model_.resources[key].steps.push_back(step);
}

std::string RunRecorder::resource_of_fd(Process& process, int fd) {
    if (const auto found = process.fds.find(fd); found != process.fds.end()) return found->second;
    // Made before the trace began: stdin, stdout, an inherited socket.
    std::string key = process.role + " fd " + std::to_string(fd);
    process.fds[fd] = key;
    RunModel::Sequence& seq = model_.resources[key];
    if (seq.label.empty())
        seq.label = seq.name = "fd " + std::to_string(fd) + " of process " + process.role;
    return key;
}

std::size_t RunRecorder::begin_step(const Event& event, const SyscallEvent& call, Thread& thread) {
    RunModel::Step step;
    step.shown.time = call.entry_time != 0 ? call.entry_time : event.time;
    step.shown.thread = thread.key;
    step.shown.call = std::string(call.name);
    step.order = model_.steps.size();
    const SyscallTraits& traits = syscall_traits(call);
    if (traits.fd_arg >= 0) {
        if (const auto fd = arg_fd(call, traits.fd_arg); fd && *fd >= 0) {
            step.resource = resource_of_fd(process_of(event.pid), *fd);
        }
    }
    const std::size_t index = model_.steps.size();
    model_.steps.push_back(std::move(step));
    model_.threads[thread.key].steps.push_back(index);
    if (!model_.steps[index].resource.empty()) add_to_resource(model_.steps[index].resource, index);
    return index;
}

void RunRecorder::finish_step(std::size_t index, const Event& event, const SyscallEvent& call,
                              Thread& thread) {
    RunModel::Step& step = model_.steps[index];
    step.shown.text = describe_ ? describe_(event) : std::string(call.name);
    const SyscallTraits& traits = syscall_traits(call);
    if (!call.has_result) {
        step.shown.outcome = "unfinished";
        return;
    }
    if (call.err != 0) {
        step.shown.outcome = std::string(errno_name(call.err));
    } else if (traits.has(kTraitPolls) && call.ret == 0) {
        step.shown.outcome = "timeout";
    }
    const bool opens = traits.kind == SyscallKind::Open || traits.kind == SyscallKind::Openat ||
                       traits.kind == SyscallKind::Creat;
    if (opens) {
        // A file is the path it was opened on, whether the open worked or
        // not: an open that failed in one run is a call on the same file.
        const auto path = arg_string(call, traits.path_arg);
        const std::string key = "file " + std::string(path ? *path : "?");
        RunModel::Sequence& seq = model_.resources[key];
        seq.label = seq.name = key;
        step.resource = key;
        add_to_resource(key, index);
    }
    if (call.err != 0) return;
    Process& process = process_of(event.pid);
    const auto peer = [&](int arg) -> std::string {
        const auto address = arg_sockaddr(call, arg);
        return address ? socket_address_name(*address) : std::string();
    };
    const auto made = [&](int fd, const std::string& key) {
        process.fds[fd] = key;
        step.resource = key;
        add_to_resource(key, index);
    };
    const int ret = static_cast<int>(call.ret);
    switch (traits.kind) {
        case SyscallKind::Socket: {
            std::string what(arg_name(call, 0));
            const std::string_view type = arg_name(call, 1);
            if (!type.empty()) what += (what.empty() ? "" : " ") + std::string(type);
            made(ret, new_resource(thread, "socket", what));
            return;
        }
        case SyscallKind::Open:
        case SyscallKind::Openat:
        case SyscallKind::Creat:
            process.fds[ret] = step.resource;
            return;
        case SyscallKind::Accept:
        case SyscallKind::Accept4: {
            // The listening socket's n-th connection: a key as stable as
            // the listener's.
            const std::string listener = step.resource;
            const std::string key =
                listener + " connection #" + std::to_string(++accepted_[listener]);
            const std::string from = peer(1);
            RunModel::Sequence& seq = model_.resources[key];
            seq.name = "connection #" + std::to_string(accepted_[listener]) + " accepted on " +
                       model_.resources[listener].name;
            seq.label = seq.name + (from.empty() ? "" : " from " + from);
            process.fds[ret] = key;
            return;  // the accept is a call on the listener
        }
        case SyscallKind::Pipe:
        case SyscallKind::Socketpair: {
            const int array = traits.kind == SyscallKind::Pipe ? 0 : 3;
            const std::string what = traits.kind == SyscallKind::Pipe ? "pipe" : "socketpair";
            const std::string key = new_resource(thread, what, "");
            for (int end = 0; end < 2; ++end) {
                if (const auto fd = arg_array_int(call, array, end)) {
                    process.fds[static_cast<int>(*fd)] = key;
                }
            }
            step.resource = key;
            add_to_resource(key, index);
            return;
        }
        case SyscallKind::Dup:
        case SyscallKind::Dup3:
        case SyscallKind::Fcntl:
        case SyscallKind::Fcntl64:
            // Another number for the same file (fcntl: only F_DUPFD makes one).
            if (traits.has(kTraitDupsFd) && !step.resource.empty() &&
                (traits.kind == SyscallKind::Dup || traits.kind == SyscallKind::Dup3 ||
                 arg_name(call, 1).starts_with("F_DUPFD"))) {
                process.fds[ret] = step.resource;
            }
            return;
        case SyscallKind::Close:
            if (const auto fd = arg_fd(call, 0)) process.fds.erase(*fd);
            return;
        case SyscallKind::Bind:
        case SyscallKind::Getsockname: {
            const std::string address = peer(1);
            // Port 0 asks the kernel for one; getsockname says which.
            if (step.resource.empty() || address.empty() || address.ends_with(":0")) return;
            if (bound_.emplace(address, step.resource).second) {
                model_.resources[step.resource].label += " bound to " + address;
            }
            return;
        }
        default:
            break;
    }
    if (traits.kind == SyscallKind::Connect || call.err != 0) return;
    if (traits.has(kTraitCreatesFd) && ret >= 0) {
        made(ret, new_resource(thread, call.name, ""));
    }
}

void RunRecorder::on_event(const Event& event) {
    switch (event.kind) {
        case EventKind::SyscallEntry: {
            Thread& thread = thread_of(event.pid, event.tid);
            if (thread.pending) model_.steps[*thread.pending].shown.outcome = "unfinished";
            thread.pending = begin_step(event, *event.syscall(), thread);
            return;
        }
        case EventKind::SyscallExit: {
            const SyscallEvent& call = *event.syscall();
            Thread& thread = thread_of(event.pid, event.tid);
            std::size_t index;
            if (thread.pending && model_.steps[*thread.pending].shown.call == call.name) {
                index = *thread.pending;
            } else {
                index = begin_step(event, call, thread);
            }
            thread.pending.reset();
            finish_step(index, event, call, thread);
            // A connect to an address a socket of this run is bound to is
            // a call on that socket too: whether it came before the
            // listen() is the race.
            if (syscall_traits(call).kind == SyscallKind::Connect) {
                RunModel::Step& step = model_.steps[index];
                if (const auto address = arg_sockaddr(call, 1)) {
                    const auto bound = bound_.find(socket_address_name(*address));
                    if (bound != bound_.end() && bound->second != step.resource) {
                        step.via = step.resource;
                        add_to_resource(bound->second, index);
                    }
                    if (!step.resource.empty() && step.shown.outcome.empty()) {
                        std::string& label = model_.resources[step.resource].label;
                        if (label.find(" connected to ") == std::string::npos) {
                            label += " connected to " + socket_address_name(*address);
                        }
                    }
                }
            }
            return;
        }
        case EventKind::Signal: {
            Thread& thread = thread_of(event.pid, event.tid);
            RunModel::Step step;
            step.shown.time = event.time;
            step.shown.thread = thread.key;
            step.shown.call = "--- " + std::string(signal_name(event.signal()->signo));
            step.shown.text = describe_ ? describe_(event) : step.shown.call;
            step.order = model_.steps.size();
            model_.threads[thread.key].steps.push_back(model_.steps.size());
            model_.steps.push_back(std::move(step));
            return;
        }
        case EventKind::Spawn:
            on_spawn(event, *event.spawn());
            return;
        case EventKind::Exec: {
            Process& process = process_of(event.pid);
            process.exe = basename_of(event.exec()->path);
            programs_[process.role] = process.exe;
            return;
        }
        case EventKind::Exit:
            on_exit(event, *event.exit());
            return;
        default:
            return;
    }
}

void RunRecorder::on_end() {
    for (auto& [tid, thread] : threads_) {
        if (thread && thread->pending) {
            model_.steps[*thread->pending].shown.outcome = "unfinished";
            thread->pending.reset();
        }
    }
}

RunModel RunRecorder::take() {
    // Threads are named by their program (known only once it exec'd).
    const auto& programs = programs_;
    for (auto& [key, seq] : model_.threads) {
        const std::string role = key.substr(0, key.find('/'));
        const auto program = programs.find(role);
        seq.name = key;
        seq.label = key + (program != programs.end() ? " (" + program->second + ")" : "");
    }
    return std::move(model_);
}

// ---------------------------------------------------------------------------
// Comparing

namespace {

// What one step is to a sequence, for comparing: equal tokens are the same
// thing happening. A thread compares what its calls were on; a file, which
// thread made them.
std::string token(const RunModel::Step& step, bool of_thread, bool with_outcome = true) {
    std::string t = step.shown.call;
    t += '\x1f';
    t += of_thread ? step.resource : step.shown.thread;
    t += '\x1f';
    if (with_outcome) t += step.shown.outcome;
    t += '\x1f';
    t += step.via;
    return t;
}

// The steps of `seq` with repeats of one token counted once.
std::vector<std::size_t> collapsed(const RunModel& run, const RunModel::Sequence& seq,
                                   bool of_thread, std::vector<std::string>& tokens) {
    std::vector<std::size_t> out;
    for (const std::size_t i : seq.steps) {
        std::string t = token(run.steps[i], of_thread);
        if (!tokens.empty() && tokens.back() == t) continue;
        tokens.push_back(std::move(t));
        out.push_back(i);
    }
    return out;
}

// "connect" in a thread's story; "connect by 1/main" or "connect from
// socket #2 ..." in a file's.
std::string step_name(const RunModel& run, const RunModel::Step& step, bool of_thread) {
    std::string name = step.shown.call;
    if (!of_thread) {
        if (!step.via.empty()) {
            const auto via = run.resources.find(step.via);
            name += " from " + (via != run.resources.end() ? via->second.name : step.via);
        } else {
            name += " by " + step.shown.thread;
        }
    }
    if (!step.shown.outcome.empty()) name += " (" + step.shown.outcome + ")";
    return name;
}

std::string outcome_words(const std::string& outcome) {
    if (outcome.empty()) return "succeeded";
    if (outcome == "timeout") return "timed out";
    if (outcome == "unfinished") return "never returned";
    // The kernel's restart codes and EINTR: a signal came while it waited.
    if (outcome == "EINTR" || outcome.starts_with("ERESTART")) {
        return "was interrupted by a signal (" + outcome + ")";
    }
    return "failed with " + outcome;
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

void compare(const RunModel& pass, const RunModel& fail, const RunModel::Sequence& p_seq,
             const RunModel::Sequence& f_seq, bool of_thread, RunDiff& diff) {
    std::vector<std::string> p_tokens, f_tokens;
    std::vector<std::size_t> p = collapsed(pass, p_seq, of_thread, p_tokens);
    std::vector<std::size_t> f = collapsed(fail, f_seq, of_thread, f_tokens);
    std::size_t i = 0;
    // Two steps that merely swapped places (a child closing its copy of a
    // socket before or after the parent writes to it; a SIGCHLD a call
    // earlier) are how two runs of one program always differ: each is
    // matched with its twin further on and the walk goes on. A step with
    // no twin in the other run (another outcome, a call that never came)
    // is a divergence.
    const auto twin = [](const std::vector<std::string>& tokens, std::size_t from,
                         const std::string& t) -> std::size_t {
        const std::size_t limit = std::min(tokens.size(), from + kTwinWindow);
        for (std::size_t k = from; k < limit; ++k) {
            if (tokens[k] == t) return k;
        }
        return std::string::npos;
    };
    for (;;) {
        while (i < p.size() && i < f.size() && p_tokens[i] == f_tokens[i]) ++i;
        if (i >= p.size() || i >= f.size()) break;
        const std::size_t in_pass = twin(p_tokens, i + 1, f_tokens[i]);
        const std::size_t in_fail = twin(f_tokens, i + 1, p_tokens[i]);
        if (in_pass == std::string::npos || in_fail == std::string::npos) break;
        // Both came, in another order: the fail run's step i is the pass
        // run's step in_pass.
        p.erase(p.begin() + static_cast<std::ptrdiff_t>(in_pass));
        p_tokens.erase(p_tokens.begin() + static_cast<std::ptrdiff_t>(in_pass));
        f.erase(f.begin() + static_cast<std::ptrdiff_t>(i));
        f_tokens.erase(f_tokens.begin() + static_cast<std::ptrdiff_t>(i));
    }

    Divergence d;
    d.subject_kind = of_thread ? DiffSubjectKind::Thread : DiffSubjectKind::File;
    d.subject = f_seq.label.empty() ? p_seq.label : f_seq.label;
    for (std::size_t b = i > kBefore ? i - kBefore : 0; b < i; ++b) {
        d.before.push_back(step_name(pass, pass.steps[p[b]], of_thread));
    }
    const auto after = [&](const RunModel& run, const std::vector<std::size_t>& steps,
                           std::size_t from) {
        std::vector<std::string> names;
        for (std::size_t a = from; a < steps.size() && names.size() < kAfter; ++a) {
            names.push_back(step_name(run, run.steps[steps[a]], of_thread));
        }
        return names;
    };
    const std::string last_common =
        i == 0 ? std::string() : step_name(pass, pass.steps[p[i - 1]], of_thread);
    const std::string after_last = last_common.empty() ? "" : ", after " + last_common;

    if (i == p.size() && i == f.size()) {
        // The same calls; a thread may still have ended differently.
        if (!of_thread || p_seq.end == f_seq.end) return;
        d.kind = DivergenceKind::Outcome;
        const std::string p_end = p_seq.end.empty() ? "was still running" : p_seq.end;
        const std::string f_end = f_seq.end.empty() ? "was still running" : f_seq.end;
        d.summary =
            "it ended differently: " + f_end + " in FAIL, " + p_end + " in PASS" + after_last;
        d.fail_time = f_seq.end_time;
        d.fail_order = f.empty() ? 0 : fail.steps[f.back()].order;
    } else if (i == f.size() || i == p.size()) {
        d.kind = DivergenceKind::EndedEarly;
        const bool fail_stopped = i == f.size();
        const RunModel::Step& went_on = fail_stopped ? pass.steps[p[i]] : fail.steps[f[i]];
        (fail_stopped ? d.pass : d.fail) = went_on.shown;
        if (fail_stopped) {
            d.pass_after = after(pass, p, i);
            const std::string how = of_thread && !f_seq.end.empty() ? " (" + f_seq.end + ")" : "";
            d.summary =
                std::string(of_thread ? "it ended early in FAIL" : "its use ended early in FAIL") +
                how + after_last + "; in PASS it went on: " + joined(d.pass_after);
            d.fail_time = of_thread && f_seq.end_time != 0
                              ? f_seq.end_time
                              : (f.empty() ? 0 : fail.steps[f.back()].shown.time);
            d.fail_order = f.empty() ? 0 : fail.steps[f.back()].order;
        } else {
            d.fail_after = after(fail, f, i);
            const std::string how = of_thread && !p_seq.end.empty() ? " (" + p_seq.end + ")" : "";
            d.summary = std::string("in FAIL it went on where PASS had ended") + how + after_last +
                        ": " + joined(d.fail_after);
            d.fail_time = went_on.shown.time;
            d.fail_order = went_on.order;
        }
    } else {
        const RunModel::Step& ps = pass.steps[p[i]];
        const RunModel::Step& fs = fail.steps[f[i]];
        d.pass = ps.shown;
        d.fail = fs.shown;
        d.pass_after = after(pass, p, i + 1);
        d.fail_after = after(fail, f, i + 1);
        d.fail_time = fs.shown.time;
        d.fail_order = fs.order;
        const bool same_call =
            ps.shown.call == fs.shown.call && ps.via == fs.via &&
            (of_thread ? ps.resource == fs.resource : ps.shown.thread == fs.shown.thread);
        // Whether the call `step` (whatever its outcome) comes in `steps`
        // from `from` on.
        const auto later_in = [of_thread](const RunModel& run,
                                          const std::vector<std::size_t>& steps, std::size_t from,
                                          const RunModel::Step& step) {
            const std::string t = token(step, of_thread, false);
            for (std::size_t k = from; k < steps.size(); ++k) {
                if (token(run.steps[steps[k]], of_thread, false) == t) return true;
            }
            return false;
        };
        // The signal a call was interrupted by, when the next step is its
        // delivery: a wake-up that came during another call than in PASS.
        const auto interrupted_by = [](const RunModel& run, const std::vector<std::size_t>& steps,
                                       std::size_t k) -> std::string {
            const std::string& outcome = run.steps[steps[k]].shown.outcome;
            if (outcome != "EINTR" && !outcome.starts_with("ERESTART")) return {};
            if (k + 1 >= steps.size()) return {};
            const std::string& next = run.steps[steps[k + 1]].shown.call;
            return next.starts_with("--- ") ? next : std::string();
        };
        const std::string pass_signal = of_thread ? interrupted_by(pass, p, i) : std::string();
        const std::string fail_signal = of_thread ? interrupted_by(fail, f, i) : std::string();
        if (!same_call && !fail_signal.empty() && fail_signal == pass_signal) {
            d.kind = DivergenceKind::Order;
            d.summary = fail_signal.substr(4) + " came during " + fs.shown.call +
                        " in FAIL, during " + ps.shown.call + " in PASS" + after_last;
        } else if (same_call) {
            d.kind = DivergenceKind::Outcome;
            d.summary = fs.shown.call + " " + outcome_words(fs.shown.outcome) + " in FAIL, " +
                        outcome_words(ps.shown.outcome) + " in PASS" + after_last;
        } else if (!of_thread && later_in(pass, p, i + 1, fs)) {
            d.kind = DivergenceKind::Order;
            d.summary = "the calls on it came in another order" + after_last + ": in FAIL " +
                        step_name(fail, fs, false) + " came before " + step_name(pass, ps, false) +
                        (later_in(fail, f, i + 1, ps) ? "" : ", which never came");
        } else {
            d.kind = DivergenceKind::Different;
            d.summary = "FAIL made another call" + after_last + ": " +
                        step_name(fail, fs, of_thread) + " where PASS made " +
                        step_name(pass, ps, of_thread);
        }
    }
    diff.divergences.push_back(std::move(d));
}

}  // namespace

RunDiff compare_runs(const RunModel& pass, const RunModel& fail) {
    RunDiff diff;
    diff.pass.inputs = pass.inputs;
    diff.fail.inputs = fail.inputs;
    diff.pass.threads = pass.threads.size();
    diff.fail.threads = fail.threads.size();
    diff.pass.calls = pass.steps.size();
    diff.fail.calls = fail.steps.size();
    for (const auto& [key, seq] : pass.threads) {
        if (const auto f = fail.threads.find(key); f != fail.threads.end()) {
            compare(pass, fail, seq, f->second, true, diff);
        } else {
            ++diff.threads_only_in_pass;
        }
    }
    for (const auto& [key, seq] : fail.threads)
        diff.threads_only_in_fail += !pass.threads.contains(key);
    const std::size_t thread_divergences = diff.divergences.size();
    for (const auto& [key, seq] : pass.resources) {
        if (const auto f = fail.resources.find(key); f != fail.resources.end()) {
            compare(pass, fail, seq, f->second, false, diff);
        } else {
            ++diff.files_only_in_pass;
        }
    }
    for (const auto& [key, seq] : fail.resources)
        diff.files_only_in_fail += !pass.resources.contains(key);

    // A file whose first divergence is the very call a thread's was (the
    // same failed connect) says nothing more: kept only when it tells
    // another story (an order, a use that ended).
    std::set<std::size_t> told;
    for (std::size_t k = 0; k < thread_divergences; ++k) {
        if (diff.divergences[k].fail) told.insert(diff.divergences[k].fail_order);
    }
    std::erase_if(diff.divergences, [&](const Divergence& d) {
        return d.subject_kind == DiffSubjectKind::File && d.kind != DivergenceKind::Order &&
               d.fail && told.contains(d.fail_order);
    });
    std::stable_sort(diff.divergences.begin(), diff.divergences.end(),
                     [](const Divergence& a, const Divergence& b) {
                         if (a.fail_time != b.fail_time) return a.fail_time < b.fail_time;
                         return a.fail_order < b.fail_order;
                     });
    return diff;
}

}  // namespace sctrace::diff
