#include "report/event_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "base/clock.h"
#include "base/nanos_math.h"
#include "base/text_escape.h"
#include "model/arg_tree.h"
#include "model/syscall_table.h"
#include "report/strace_format.h"

namespace sctrace {

namespace {

// Without a terminal watching, records are written in large blocks; but a
// person tailing the file still sees a quiet process's last calls this soon.
constexpr std::int64_t kFlushIntervalNs = 200'000'000;
constexpr std::size_t kFlushBytes = 64 * 1024;

}  // namespace

namespace {

std::string default_name(int fd) {
    return fd == STDERR_FILENO ? std::string("stderr") : "fd " + std::to_string(fd);
}

}  // namespace

EventWriter::EventWriter(int fd, SyscallSet display, std::string name)
    : stream_(fd, name.empty() ? default_name(fd) : std::move(name)),
      display_(display),
      line_buffered_(::isatty(fd) || fd == STDERR_FILENO) {}

EventWriter::~EventWriter() {
    flush(true);
}

void EventWriter::on_event(const Event& event) {
    if (stream_.failed()) return;  // nothing more reaches it: spare the formatting
    // The watchdog samples every blocked thread every interval: worth keeping
    // in a JSONL log (analyze replays them to the watch rules), noise in a
    // listing meant for people.
    if (event.kind == EventKind::ThreadSample && !shows_samples()) return;
    if (const SyscallEvent* call = event.syscall()) {
        if (!display_.contains(call->arch, call->nr)) return;
        if (event.kind == EventKind::SyscallEntry) {
            flush_pending_entry();
            pending_ = event;
            // Keep our own copy of the name: the source's storage may go.
            const std::size_t n = std::min(call->name.size(), sizeof pending_name_);
            std::memcpy(pending_name_, call->name.data(), n);
            SyscallEvent& kept = std::get<SyscallEvent>(pending_->data);
            kept.name = std::string_view(pending_name_, n);
            if (call->decoded) kept.decoded = keep_entry_args(*call->decoded);
            return;
        }
        if (pending_ && pending_->tid == event.tid) {
            pending_.reset();
            write_complete(event);
        } else {
            flush_pending_entry();
            write_resumed(event);
        }
    } else {
        if (writes_line(event)) flush_pending_entry();
        write_other(event);
    }
    flush(false);
}

const ArgTree* EventWriter::keep_entry_args(const ArgTree& args) {
    if (!pending_args_) pending_args_ = std::make_unique<ArgTree>();
    ArgTree& kept = *pending_args_;
    kept.clear();
    // Only the entry half is ever printed from here (write_unfinished); a
    // call that returns at once is written from its exit event.
    std::uint16_t n = 0;
    for (NodeId c = args.node(args.root()).first_child; c != kNoNode && n < args.entry_arg_count;
         c = args.node(c).next, ++n) {
        kept.append_copy(kept.root(), args, c);
    }
    kept.entry_arg_count = n;
    kept.entry_complete = args.entry_complete;
    kept.ret_format = args.ret_format;
    return &kept;
}

void EventWriter::io_uring_line(const Event& event) {
    if (!io_uring_tree_) io_uring_tree_ = std::make_unique<ArgTree>();
    ArgTree& tree = *io_uring_tree_;
    if (const IoUringSqeEvent* sqe = event.io_uring_submit()) {
        io_uring_sqe_to_tree(*sqe, tree, 32);
        out_.append(std::string_view("--- io_uring_submit "));
    } else if (const IoUringCqeEvent* cqe = event.io_uring_complete()) {
        io_uring_cqe_to_tree(*cqe, tree);
        out_.append(std::string_view("--- io_uring_complete "));
    } else {
        return;
    }
    append_strace_args(out_, tree, 0, ArgTree::kMaxNodes);
    out_.append(std::string_view(" ---\n"));
}

void EventWriter::io_uring_json_fields(const Event& event) {
    auto out = std::back_inserter(out_);
    if (const IoUringSqeEvent* sqe = event.io_uring_submit()) {
        fmt::format_to(out, R"(,"ring_fd":{},"position":{},"seen":"{}","opcode":)", sqe->ring_fd,
                       sqe->position, sqe->seen_at == IoUringSeenAt::Enter ? "enter" : "sampled");
        const std::string_view name = io_uring_op_name(sqe->opcode);
        if (name.empty()) {
            fmt::format_to(out, "{}", sqe->opcode);
        } else {
            append_json_string(out_, name);
        }
        fmt::format_to(out,
                       R"(,"flags":{},"fd":{},"off":{},"addr":{},"len":{},"op_flags":{},)"
                       R"("user_data":{},"buf_index":{},"personality":{},"file_index":{})",
                       sqe->flags, sqe->fd, sqe->off, sqe->addr, sqe->len, sqe->op_flags,
                       sqe->user_data, sqe->buf_index, sqe->personality, sqe->file_index);
        if (!sqe->path.empty()) {
            out_.append(std::string_view(R"(,"path":)"));
            append_json_string(out_, sqe->path);
        }
        if (!sqe->path2.empty()) {
            out_.append(std::string_view(R"(,"path2":)"));
            append_json_string(out_, sqe->path2);
        }
        if (!sqe->sockaddr.empty()) {
            out_.append(std::string_view(R"(,"sockaddr":")"));
            for (const unsigned char b : sqe->sockaddr) fmt::format_to(out, "{:02x}", b);
            out_.push_back('"');
        }
    } else if (const IoUringCqeEvent* cqe = event.io_uring_complete()) {
        fmt::format_to(out, R"(,"ring_fd":{},"position":{},"user_data":{},"res":{},"flags":{})",
                       cqe->ring_fd, cqe->position, cqe->user_data, cqe->res, cqe->flags);
    }
}

void EventWriter::on_end() {
    flush_pending_entry();
    flush(true);
}

void EventWriter::flush_pending_entry() {
    if (!pending_) return;
    write_unfinished(*pending_);
    pending_.reset();
}

void EventWriter::flush(bool force) {
    if (out_.size() == 0) return;
    if (!force && !line_buffered_ && out_.size() < kFlushBytes) {
        const std::int64_t now = now_realtime();
        if (now - last_flush_ns_ < kFlushIntervalNs) return;
        last_flush_ns_ = now;
    }
    // A closed pipe or a full disk loses the stream (said once), never the
    // command.
    stream_.write(std::string_view(out_.data(), out_.size()));
    out_.clear();
}

// ---------------------------------------------------------------------------
// Text

void TextWriter::prefix(const Event& event) {
    // Floor division: a time before 1970 (or a forged one from a log) still
    // has its microseconds in [0, 1e6), never "15:09:28.-809111".
    const std::time_t seconds = static_cast<std::time_t>(floor_div(event.time, 1'000'000'000));
    fmt::format_to(std::back_inserter(out_), "{}.{:06} ", clock_face_.at(seconds),
                   floor_mod(event.time, 1'000'000'000) / 1000);
    if (event.pid == event.tid) {
        fmt::format_to(std::back_inserter(out_), "{} ", event.pid);
    } else {
        fmt::format_to(std::back_inserter(out_), "{}/{} ", event.pid, event.tid);
    }
}

void TextWriter::call_args(const SyscallEvent& call) {
    if (call.decoded) {  // decoded (rules or --format strace asked for it): strace's notation
        append_strace_args(out_, *call.decoded, 0, ArgTree::kMaxNodes);
        return;
    }
    const SyscallInfo* info = syscall_info(call.arch, call.nr);
    const int nargs = info ? info->nargs : 6;
    for (int i = 0; i < nargs; ++i) {
        if (i) out_.append(std::string_view(", "));
        // Until the family decoders format each argument, small values read
        // best as signed decimals (fds, lengths, flags) and the rest as hex.
        const auto value = static_cast<std::int64_t>(call.args[i]);
        const auto as_int = static_cast<std::int32_t>(call.args[i]);
        if (value >= -4096 && value < (1 << 20)) {
            fmt::format_to(std::back_inserter(out_), "{}", value);
        } else if (call.args[i] >> 32 == 0xffffffffu && as_int < 0 && as_int >= -4096) {
            fmt::format_to(std::back_inserter(out_), "{}", as_int);
        } else {
            fmt::format_to(std::back_inserter(out_), "{:#x}", call.args[i]);
        }
    }
}

void TextWriter::result(const SyscallEvent& call, Nanos exit_time) {
    if (!call.has_result) {
        out_.append(std::string_view(") = ?\n"));
        return;
    }
    if (call.err != 0) {
        char scratch[16];
        fmt::format_to(std::back_inserter(out_), ") = -1 {} ({})", errno_name(call.err, scratch),
                       call.err < 512 ? std::strerror(call.err) : "interrupted by a signal");
    } else if (call.ret > 0xffff) {
        fmt::format_to(std::back_inserter(out_), ") = {:#x}", call.ret);
    } else {
        fmt::format_to(std::back_inserter(out_), ") = {}", call.ret);
    }
    append_tampering_note(out_, call);
    // Times read from logs can be anything: the difference saturates and a
    // negative one prints with its sign in front.
    const Magnitude took =
        split_magnitude(saturating_sub(exit_time, call.entry_time), 1'000'000'000);
    fmt::format_to(std::back_inserter(out_), " <{}{}.{:06}>\n", took.negative ? "-" : "",
                   took.whole, took.rest / 1000);
}

void TextWriter::write_complete(const Event& exit) {
    const SyscallEvent& call = *exit.syscall();
    prefix(exit);
    fmt::format_to(std::back_inserter(out_), "{}(", call.name);
    call_args(call);
    result(call, exit.time);
}

void TextWriter::write_unfinished(const Event& entry) {
    const SyscallEvent& call = *entry.syscall();
    prefix(entry);
    fmt::format_to(std::back_inserter(out_), "{}(", call.name);
    if (call.decoded) {
        append_strace_entry_half(out_, *call.decoded);
    } else {
        call_args(call);
    }
    out_.append(std::string_view(" <unfinished ...>\n"));
}

void TextWriter::write_resumed(const Event& exit) {
    const SyscallEvent& call = *exit.syscall();
    prefix(exit);
    fmt::format_to(std::back_inserter(out_), "<... {} resumed>", call.name);
    // What the call filled in (a read's buffer), as strace shows it.
    if (call.decoded) append_strace_exit_half(out_, *call.decoded);
    result(call, exit.time);
}

void TextWriter::write_other(const Event& event) {
    char scratch[32];
    prefix(event);
    auto out = std::back_inserter(out_);
    switch (event.kind) {
        case EventKind::Signal: {
            const SignalEvent& sig = *event.signal();
            fmt::format_to(out, "--- {} {{si_signo={}, si_code={}", signal_name(sig.signo, scratch),
                           signal_name(sig.signo, scratch), sig.code);
            if (sig.sender_pid) fmt::format_to(out, ", si_pid={}", sig.sender_pid);
            if (sig.addr) fmt::format_to(out, ", si_addr={:#x}", sig.addr);
            out_.append(std::string_view("} ---\n"));
            break;
        }
        case EventKind::Spawn: {
            static constexpr const char* kKinds[] = {"fork", "vfork", "thread", "clone"};
            const SpawnEvent& spawn = *event.spawn();
            fmt::format_to(out, "+++ {} {} +++\n", kKinds[static_cast<int>(spawn.kind)],
                           spawn.child_tid);
            break;
        }
        case EventKind::Exec:
            // The path is the tracee's choice (a newline in it would start a
            // line of its own): escaped, as strace escapes execve's.
            out_.append(std::string_view("+++ exec "));
            append_escaped(out_, event.exec()->path, EscapeMode::Name);
            out_.append(std::string_view(" +++\n"));
            break;
        case EventKind::Exit: {
            const ExitEvent& exit = *event.exit();
            if (exit.signaled) {
                fmt::format_to(out, "+++ killed by {}{} +++\n", signal_name(exit.signo, scratch),
                               exit.core_dumped ? " (core dumped)" : "");
            } else {
                fmt::format_to(out, "+++ {} with {} +++\n",
                               exit.whole_process ? "exited" : "thread exited", exit.code);
            }
            break;
        }
        case EventKind::Stop:
            fmt::format_to(out, "--- stopped by {} ---\n",
                           signal_name(event.stop()->signo, scratch));
            break;
        case EventKind::Attach:
            fmt::format_to(out, "+++ {} +++\n", event.attach()->attached ? "attached" : "detached");
            break;
        case EventKind::IoUringSubmit:
        case EventKind::IoUringComplete:
            io_uring_line(event);
            break;
        case EventKind::ThreadSample:  // the watchdog's samples: for rules and JSONL only
        case EventKind::SyscallEntry:
        case EventKind::SyscallExit:
            break;
    }
}

// ---------------------------------------------------------------------------
// JSON Lines

void JsonlWriter::header(const Event& event) {
    fmt::format_to(std::back_inserter(out_), R"({{"type":"{}","time":{},"pid":{},"tid":{})",
                   event_kind_name(event.kind), event.time, event.pid, event.tid);
}

void JsonlWriter::syscall_fields(const SyscallEvent& call, bool with_result) {
    auto out = std::back_inserter(out_);
    out_.append(std::string_view(R"(,"syscall":)"));
    append_json_string(out_, call.name);
    fmt::format_to(out, R"(,"nr":{},"arch":"{}","args":[{},{},{},{},{},{}],"entry_time":{})",
                   call.nr, arch_name(call.arch), call.args[0], call.args[1], call.args[2],
                   call.args[3], call.args[4], call.args[5], call.entry_time);
    if (call.decoded) {
        // The arguments as strace prints them, so a reader of the log (and
        // `sctrace analyze`) has what the rules need: sockaddrs, flags, fds.
        fmt::memory_buffer args;
        append_strace_args(args, *call.decoded, 0,
                           with_result ? ArgTree::kMaxNodes : call.decoded->entry_arg_count);
        out_.append(std::string_view(R"(,"decoded":)"));
        append_json_string(out_, std::string_view(args.data(), args.size()));
        // Whether arguments follow at exit: what a reader needs to print
        // the entry as strace does ("read(3, <unfinished ...>").
        if (!with_result) {
            fmt::format_to(out, R"(,"entry_complete":{})", call.decoded->entry_complete);
        }
    }
    if (!with_result) return;
    if (!call.has_result) {
        out_.append(std::string_view(R"(,"ret":null,"errno":null)"));
    } else if (call.err != 0) {
        char scratch[16];
        fmt::format_to(out, R"(,"ret":-1,"errno":"{}")", errno_name(call.err, scratch));
    } else {
        fmt::format_to(out, R"(,"ret":{},"errno":null)", call.ret);
    }
    // Only when true: a reader takes a missing field as false.
    if (call.injected) out_.append(std::string_view(R"(,"injected":true)"));
    if (call.delayed) out_.append(std::string_view(R"(,"delayed":true)"));
}

void JsonlWriter::write_complete(const Event& exit) {
    header(exit);
    syscall_fields(*exit.syscall(), true);
    out_.append(std::string_view("}\n"));
}

void JsonlWriter::write_unfinished(const Event& entry) {
    header(entry);
    syscall_fields(*entry.syscall(), false);
    out_.append(std::string_view("}\n"));
}

void JsonlWriter::write_resumed(const Event& exit) {
    write_complete(exit);
}

void JsonlWriter::write_other(const Event& event) {
    char scratch[32];
    auto out = std::back_inserter(out_);
    header(event);
    switch (event.kind) {
        case EventKind::Signal: {
            const SignalEvent& sig = *event.signal();
            fmt::format_to(out,
                           R"(,"signo":"{}","code":{},"errno_value":{},"addr":{},)"
                           R"("sender_pid":{},"sender_uid":{},"status":{})",
                           signal_name(sig.signo, scratch), sig.code, sig.errno_value, sig.addr,
                           sig.sender_pid, sig.sender_uid, sig.status);
            break;
        }
        case EventKind::Spawn: {
            static constexpr const char* kKinds[] = {"fork", "vfork", "thread", "clone"};
            const SpawnEvent& spawn = *event.spawn();
            fmt::format_to(out, R"(,"kind":"{}","child_pid":{},"child_tid":{})",
                           kKinds[static_cast<int>(spawn.kind)], spawn.child_pid, spawn.child_tid);
            break;
        }
        case EventKind::Exec:
            out_.append(std::string_view(R"(,"path":)"));
            append_json_string(out_, event.exec()->path);
            fmt::format_to(out, R"(,"former_tid":{})", event.exec()->former_tid);
            // The ELF facts, only when known: analyze reads them back.
            if (event.exec()->is_static >= 0) {
                fmt::format_to(out, R"(,"static":{})", event.exec()->is_static > 0);
            }
            if (event.exec()->glibc >= 0) {
                fmt::format_to(out, R"(,"glibc":{})", event.exec()->glibc > 0);
            }
            // The signals it starts with ignored, when known: analyze then
            // judges a crash signal as the live run did.
            if (event.exec()->signals_known) {
                out_.append(std::string_view(R"(,"ignored_signals":[)"));
                bool first = true;
                for (int signo = 1; signo <= 64; ++signo) {
                    if (!((event.exec()->ignored_signals >> (signo - 1)) & 1)) continue;
                    fmt::format_to(out, R"({}"{}")", first ? "" : ",", signal_name(signo, scratch));
                    first = false;
                }
                out_.push_back(']');
            }
            if (event.exec()->uid >= 0) fmt::format_to(out, R"(,"uid":{})", event.exec()->uid);
            if (event.exec()->ppid > 0) fmt::format_to(out, R"(,"ppid":{})", event.exec()->ppid);
            break;
        case EventKind::Exit: {
            const ExitEvent& exit = *event.exit();
            fmt::format_to(out, R"(,"whole_process":{},"signaled":{},"code":{},"signo":)",
                           exit.whole_process, exit.signaled, exit.code);
            if (exit.signaled) {
                fmt::format_to(out, R"("{}","core_dumped":{})", signal_name(exit.signo, scratch),
                               exit.core_dumped);
            } else {
                out_.append(std::string_view("null"));
            }
            if (exit.rings_read) out_.append(std::string_view(R"(,"rings_read":true)"));
            break;
        }
        case EventKind::Stop:
            fmt::format_to(out, R"(,"signo":"{}")", signal_name(event.stop()->signo, scratch));
            break;
        case EventKind::Attach:
            fmt::format_to(out, R"(,"attached":{})", event.attach()->attached);
            break;
        case EventKind::IoUringSubmit:
        case EventKind::IoUringComplete:
            io_uring_json_fields(event);
            break;
        case EventKind::ThreadSample: {
            const ThreadSampleEvent& sample = *event.thread_sample();
            fmt::format_to(out, R"(,"state":"{}","syscall":{},"args":[{}],"wchan":)", sample.state,
                           sample.syscall, fmt::join(sample.args, ","));
            append_json_string(out_, sample.wchan.data());
            out_.append(std::string_view(R"(,"comm":)"));
            append_json_string(out_, sample.comm.data());
            fmt::format_to(out, R"(,"io_worker":{},"sigkill_pending":{},"end_of_trace":{})",
                           sample.io_worker, sample.sigkill_pending, sample.end_of_trace);
            break;
        }
        case EventKind::SyscallEntry:
        case EventKind::SyscallExit:
            break;
    }
    out_.append(std::string_view("}\n"));
}

}  // namespace sctrace
