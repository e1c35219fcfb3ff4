#include "report/trace_json_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iterator>

#include "base/nanos_math.h"
#include "base/text_escape.h"
#include "model/arg_tree.h"
#include "model/io_uring_sqe.h"
#include "report/event_writer.h"
#include "report/evidence_text.h"
#include "report/strace_format.h"

namespace sctrace {

namespace {

std::string_view basename_of(std::string_view path) {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view spawn_kind_name(SpawnKind kind) {
    switch (kind) {
        case SpawnKind::Fork:
            return "fork";
        case SpawnKind::Vfork:
            return "vfork";
        case SpawnKind::Thread:
            return "thread";
        case SpawnKind::Clone:
            return "clone";
    }
    return "spawn";
}

}  // namespace

TraceJsonWriter::TraceJsonWriter(int fd, std::string name)
    : stream_(fd, name.empty() ? "fd " + std::to_string(fd) : std::move(name)) {
    // Written at once: a file cut at any point after this is a loadable trace.
    out_.append(std::string_view("[\n"));
    flush();
}

TraceJsonWriter::~TraceJsonWriter() {
    if (!finished_) finish();
}

void TraceJsonWriter::begin_record() {
    if (!first_record_) out_.append(std::string_view(",\n"));
    first_record_ = false;
}

void TraceJsonWriter::timestamp(std::string_view key, Nanos time) {
    if (!has_base_) {
        base_ = time;
        has_base_ = true;
    }
    // Microseconds since the first event, sign apart and saturating: times
    // read from logs can be anything, INT64_MIN included.
    const Magnitude rel = split_magnitude(saturating_sub(time, base_), 1000);
    auto it = std::back_inserter(out_);
    fmt::format_to(it, ",\"{}\":{}{}.{:03}", key, rel.negative ? "-" : "", rel.whole, rel.rest);
}

void TraceJsonWriter::note_start(Nanos time, pid_t pid, pid_t tid) {
    if (has_base_) return;
    base_ = time;
    has_base_ = true;
    // The absolute start, for whoever correlates the timeline with other
    // logs; on the first event's own thread, so that it adds no track.
    begin_record();
    fmt::format_to(
        std::back_inserter(out_),
        R"({{"name":"sctrace","ph":"M","pid":{},"tid":{},"args":{{"start_time_ns":{}}}}})", pid,
        tid, base_);
}

void TraceJsonWriter::flush() {
    // Every event's records are written as soon as they are complete (one
    // write() per event): a run killed at any moment, even by SIGKILL,
    // leaves every event it saw in the file, cut between two records.
    if (out_.size() == 0) return;
    stream_.write(std::string_view(out_.data(), out_.size()));
    out_.clear();
}

void TraceJsonWriter::write_names(pid_t pid, pid_t tid, bool force_process) {
    auto [it, fresh] = process_names_.try_emplace(pid, fmt::format("pid {}", pid));
    auto out = std::back_inserter(out_);
    if (fresh || force_process) {
        begin_record();
        fmt::format_to(out,
                       R"({{"name":"process_name","ph":"M","pid":{},"tid":{},"args":{{"name":)",
                       pid, pid);
        append_json_string(out_, it->second);
        out_.append(std::string_view("}}"));
    }
    // Threads are named after their process, as Linux names them (comm).
    begin_record();
    fmt::format_to(out, R"({{"name":"thread_name","ph":"M","pid":{},"tid":{},"args":{{"name":)",
                   pid, tid);
    append_json_string(out_, it->second);
    out_.append(std::string_view("}}"));
    threads_named_.insert(tid);
}

void TraceJsonWriter::note_thread(pid_t pid, pid_t tid) {
    if (!threads_named_.contains(tid)) write_names(pid, tid, false);
}

void TraceJsonWriter::write_call(pid_t pid, pid_t tid, std::string_view name, Nanos begin,
                                 Nanos end, const SyscallEvent* exit) {
    auto out = std::back_inserter(out_);
    begin_record();
    out_.append(std::string_view(R"({"name":)"));
    append_json_string(out_, name);
    out_.append(std::string_view(R"(,"cat":"syscall","ph":"X")"));
    timestamp("ts", begin);
    const Magnitude dur = split_magnitude(end > begin ? saturating_sub(end, begin) : 0, 1000);
    fmt::format_to(out, R"(,"dur":{}.{:03},"pid":{},"tid":{},"args":{{)", dur.whole, dur.rest, pid,
                   tid);
    if (!exit) {
        out_.append(std::string_view(R"("ret":null,"unfinished":true)"));
    } else if (!exit->has_result) {
        out_.append(std::string_view(R"("ret":null)"));
    } else {
        fmt::format_to(out, R"("ret":{})", exit->ret);
        if (exit->err) {
            char scratch[32];
            out_.append(std::string_view(R"(,"errno":)"));
            append_json_string(out_, errno_name(exit->err, scratch));
        }
    }
    if (exit && exit->decoded) {
        fmt::memory_buffer text;
        append_strace_args(text, *exit->decoded, 0, ArgTree::kMaxNodes);
        out_.append(std::string_view(R"(,"args":)"));
        append_json_string(out_, std::string_view(text.data(), text.size()));
    }
    out_.append(std::string_view("}}"));
}

void TraceJsonWriter::write_instant(const Event& event, std::string_view name,
                                    std::string_view category, char scope) {
    auto out = std::back_inserter(out_);
    begin_record();
    out_.append(std::string_view(R"({"name":)"));
    append_json_string(out_, name);
    fmt::format_to(out, R"(,"cat":"{}","ph":"i","s":"{}")", category, scope);
    timestamp("ts", event.time);
    fmt::format_to(out, R"(,"pid":{},"tid":{},"args":{{)", event.pid, event.tid);
    // The caller writes the args' members and closes with "}}".
}

void TraceJsonWriter::on_event(const Event& event) {
    if (finished_ || event.kind == EventKind::ThreadSample) return;
    if (event.time > last_time_) last_time_ = event.time;
    note_start(event.time, event.pid, event.tid);
    note_thread(event.pid, event.tid);
    auto out = std::back_inserter(out_);
    char scratch[32];
    switch (event.kind) {
        case EventKind::SyscallEntry: {
            const SyscallEvent& call = *event.syscall();
            PendingCall& p = pending_[event.tid];
            p.pid = event.pid;
            p.entry_time = call.entry_time ? call.entry_time : event.time;
            p.name.assign(call.name);
            break;
        }
        case EventKind::SyscallExit: {
            const SyscallEvent& call = *event.syscall();
            Nanos begin = call.entry_time;
            if (const auto it = pending_.find(event.tid); it != pending_.end()) {
                if (!begin) begin = it->second.entry_time;
                pending_.erase(it);
            }
            write_call(event.pid, event.tid, call.name, begin ? begin : event.time, event.time,
                       &call);
            break;
        }
        case EventKind::Signal: {
            const SignalEvent& sig = *event.signal();
            write_instant(event, signal_name(sig.signo, scratch), "signal", 't');
            fmt::memory_buffer info;
            append_strace_siginfo(info, sig);
            out_.append(std::string_view(R"("siginfo":)"));
            append_json_string(out_, std::string_view(info.data(), info.size()));
            out_.append(std::string_view("}}"));
            break;
        }
        case EventKind::Exit: {
            const ExitEvent& exit = *event.exit();
            // A thread that dies inside a call: the call ends here.
            if (const auto it = pending_.find(event.tid); it != pending_.end()) {
                write_call(it->second.pid, event.tid, it->second.name, it->second.entry_time,
                           event.time, nullptr);
                pending_.erase(it);
            }
            std::string name = exit.signaled
                                   ? fmt::format("killed by {}", signal_name(exit.signo, scratch))
                                   : fmt::format("exit {}", exit.code);
            if (exit.core_dumped) name += " (core dumped)";
            write_instant(event, name, "exit", exit.whole_process ? 'p' : 't');
            fmt::format_to(out, R"("whole_process":{},"signaled":{},"code":{})", exit.whole_process,
                           exit.signaled, exit.code);
            out_.append(std::string_view("}}"));
            break;
        }
        case EventKind::Exec: {
            const ExecEvent& exec = *event.exec();
            write_instant(event, "exec", "process", 't');
            out_.append(std::string_view(R"("path":)"));
            append_json_string(out_, exec.path);
            out_.append(std::string_view("}}"));
            if (!exec.path.empty()) {
                // A name Perfetto shows as a label: escaped as on stderr;
                // the exec's "path" keeps the bytes.
                process_names_[event.pid] = escaped(basename_of(exec.path), EscapeMode::Name);
                write_names(event.pid, event.tid, true);
            }
            break;
        }
        case EventKind::Spawn: {
            const SpawnEvent& spawn = *event.spawn();
            write_instant(event, spawn_kind_name(spawn.kind), "process", 't');
            fmt::format_to(out, R"("child_pid":{},"child_tid":{})", spawn.child_pid,
                           spawn.child_tid);
            out_.append(std::string_view("}}"));
            // A new process runs its parent's program until it execs.
            if (spawn.kind != SpawnKind::Thread && spawn.child_pid != event.pid &&
                !process_names_.contains(spawn.child_pid)) {
                process_names_[spawn.child_pid] = process_names_[event.pid];
            }
            break;
        }
        case EventKind::Stop: {
            write_instant(event,
                          fmt::format("stopped by {}", signal_name(event.stop()->signo, scratch)),
                          "signal", 't');
            out_.append(std::string_view("}}"));
            break;
        }
        case EventKind::Attach: {
            write_instant(event, event.attach()->attached ? "attached" : "detached", "process",
                          't');
            out_.append(std::string_view("}}"));
            break;
        }
        case EventKind::IoUringSubmit: {
            const IoUringSqeEvent& sqe = *event.io_uring_submit();
            const std::string_view op = io_uring_op_name(sqe.opcode);
            write_instant(event,
                          op.empty() ? fmt::format("IORING_OP_{}", sqe.opcode) : std::string(op),
                          "io_uring", 't');
            fmt::format_to(out, R"("ring_fd":{},"fd":{},"user_data":{})", sqe.ring_fd, sqe.fd,
                           sqe.user_data);
            out_.append(std::string_view("}}"));
            break;
        }
        case EventKind::IoUringComplete: {
            const IoUringCqeEvent& cqe = *event.io_uring_complete();
            write_instant(event, "io_uring completion", "io_uring", 't');
            fmt::format_to(out, R"("ring_fd":{},"user_data":{},"res":{})", cqe.ring_fd,
                           cqe.user_data, cqe.res);
            out_.append(std::string_view("}}"));
            break;
        }
        case EventKind::ThreadSample:
            break;
    }
    flush();
}

void TraceJsonWriter::on_end() {
    if (finished_ || ended_) return;
    ended_ = true;
    // Calls the trace ended inside (a hung thread, a log cut short) last
    // until the last thing seen.
    for (const auto& [tid, call] : pending_) {
        write_call(call.pid, tid, call.name, call.entry_time,
                   last_time_ > call.entry_time ? last_time_ : call.entry_time, nullptr);
    }
    pending_.clear();
    flush();
}

void TraceJsonWriter::write_finding(const rules::Finding& f) {
    if (finished_) return;
    note_start(f.time, f.pid, f.tid);
    auto out = std::back_inserter(out_);
    begin_record();
    out_.append(std::string_view(R"({"name":)"));
    append_json_string(out_, "finding: " + f.rule);
    fmt::format_to(out, R"(,"cat":"finding","ph":"i","s":"p")");
    timestamp("ts", f.time);
    fmt::format_to(out, R"(,"pid":{},"tid":{},"args":{{"severity":"{}","message":)", f.pid, f.tid,
                   rules::severity_name(f.severity));
    append_json_string(out_, f.message);
    out_.append(std::string_view(R"(,"desc":)"));
    append_json_string(out_, f.desc);
    out_.append(std::string_view(R"(,"evidence":[)"));
    const std::vector<std::string> evidence = evidence_lines(f);
    for (std::size_t i = 0; i < evidence.size(); ++i) {
        if (i) out_.push_back(',');
        append_json_string(out_, evidence[i]);
    }
    out_.append(std::string_view(R"(],"doc":)"));
    append_json_string(out_, f.doc);
    out_.append(std::string_view("}}"));
    flush();
}

bool TraceJsonWriter::finish() {
    if (finished_) return !stream_.failed();
    on_end();
    finished_ = true;
    out_.append(std::string_view("\n]\n"));
    flush();
    return !stream_.failed();
}

}  // namespace sctrace
