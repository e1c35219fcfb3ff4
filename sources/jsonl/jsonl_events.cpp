#include "sources/jsonl/jsonl_events.h"

#include <charconv>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>

#include "model/arg_text.h"
#include "model/arg_tree.h"
#include "model/io_uring_sqe.h"
#include "model/names.h"
#include "model/syscall_table.h"

namespace sctrace::jsonl {

using nlohmann::json;

// What one event's views point into, until the next line is read.
struct JsonlEventReader::Line {
    ArgTree decoded;                      // the "decoded" arguments
    std::string path, path2;              // exec's path; a submission's paths
    std::vector<unsigned char> sockaddr;  // a submission's address bytes
};

namespace {

// The fields of one line, read with their presence, type and range checked.
// The first problem is kept in *error; later reads then return fallbacks,
// and the caller checks ok() before using what it read.
class Fields {
public:
    Fields(const json& j, std::string* error) : j_(j), error_(error) {}

    bool ok() const { return error_->empty(); }
    void fail(std::string_view key, std::string_view what) {
        if (ok()) *error_ = "field '" + std::string(key) + "': " + std::string(what);
    }

    const json* find(std::string_view key) const {
        const auto it = j_.find(key);
        return it == j_.end() ? nullptr : &*it;
    }

    // An integer that fits T; `fallback` when absent (and not required).
    template <class T>
    T integer(std::string_view key, T fallback, bool required = false) {
        const json* v = find(key);
        if (!v) {
            if (required) fail(key, "missing");
            return fallback;
        }
        const auto value = integer_of<T>(*v);
        if (!value) fail(key, "not an integer in range");
        return value.value_or(fallback);
    }

    template <class T>
    static std::optional<T> integer_of(const json& v) {
        using Limits = std::numeric_limits<T>;
        if (v.is_number_unsigned()) {
            const auto u = v.get<std::uint64_t>();
            if (u > static_cast<std::uint64_t>(Limits::max())) return std::nullopt;
            return static_cast<T>(u);
        }
        if (v.is_number_integer()) {  // negative: the unsigned case is above
            const auto i = v.get<std::int64_t>();
            if constexpr (std::is_unsigned_v<T>) {
                return std::nullopt;
            } else {
                if (i < static_cast<std::int64_t>(Limits::min())) return std::nullopt;
                return static_cast<T>(i);
            }
        }
        return std::nullopt;  // a float, string, bool, null, array or object
    }

    // A string, viewed in place (valid while the line's json lives).
    std::string_view string(std::string_view key, std::string_view fallback = {},
                            bool required = false) {
        const json* v = find(key);
        if (!v) {
            if (required) fail(key, "missing");
            return fallback;
        }
        if (!v->is_string()) {
            fail(key, "not a string");
            return fallback;
        }
        return v->get_ref<const std::string&>();
    }

    bool boolean(std::string_view key, bool fallback) {
        const json* v = find(key);
        if (!v) return fallback;
        if (!v->is_boolean()) {
            fail(key, "not true or false");
            return fallback;
        }
        return v->get<bool>();
    }

    // Up to six register values ("args": [3, 140722, 16, 0, 0, 0]).
    void registers(std::string_view key, std::array<std::uint64_t, 6>& out) {
        const json* v = find(key);
        if (!v) return;
        if (!v->is_array() || v->size() > out.size()) {
            fail(key, "not an array of at most 6 integers");
            return;
        }
        for (std::size_t i = 0; i < v->size(); ++i) {
            const auto value = integer_of<std::uint64_t>((*v)[i]);
            if (!value) {
                fail(key, "not an array of at most 6 integers");
                return;
            }
            out[i] = *value;
        }
    }

    // A signal by name ("SIGSEGV"), or by number for one without a name.
    std::int32_t signal(std::string_view key, bool required) {
        if (!find(key)) {
            if (required) fail(key, "missing");
            return 0;
        }
        const std::string_view name = string(key);
        if (!ok()) return 0;
        const auto signo = signal_number(name);
        if (!signo) fail(key, "not a signal name");
        return signo.value_or(0);
    }

private:
    const json& j_;
    std::string* error_;
};

// An errno by name ("EINPROGRESS"), or by number for one without a name.
std::optional<int> errno_of(std::string_view name) {
    if (const auto e = errno_number(name)) return e;
    int n = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
    if (ec == std::errc{} && end == name.data() + name.size() && n > 0 && n < 4096) return n;
    return std::nullopt;
}

std::optional<Arch> arch_of(std::string_view name) {
    for (const Arch a : {Arch::X86_64, Arch::I386, Arch::X32, Arch::Unknown}) {
        if (arch_name(a) == name) return a;
    }
    return std::nullopt;
}

std::optional<SpawnKind> spawn_kind_of(std::string_view name) {
    if (name == "fork") return SpawnKind::Fork;
    if (name == "vfork") return SpawnKind::Vfork;
    if (name == "thread") return SpawnKind::Thread;
    if (name == "clone") return SpawnKind::Clone;
    return std::nullopt;
}

std::optional<std::uint8_t> hex_digit(char c) {
    if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<std::uint8_t>(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return static_cast<std::uint8_t>(c - 'A' + 10);
    return std::nullopt;
}

std::uint16_t root_children(const ArgTree& tree) {
    std::uint16_t n = 0;
    for (NodeId c = tree.node(tree.root()).first_child; c != kNoNode; c = tree.node(c).next) ++n;
    return n;
}

}  // namespace

bool looks_like_jsonl(std::string_view first_line) {
    const auto at = first_line.find_first_not_of(" \t");
    return at != std::string_view::npos && first_line[at] == '{';
}

JsonlEventReader::JsonlEventReader(EventSink& sink)
    : sink_(sink), line_(std::make_unique<Line>()) {}

JsonlEventReader::~JsonlEventReader() = default;

bool JsonlEventReader::feed(std::string_view line, std::string* error) {
    error->clear();
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return true;
    const json j = json::parse(line.begin(), line.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        *error = "not a JSON event object";
        return false;
    }
    return convert(j, error);
}

bool JsonlEventReader::convert(const json& j, std::string* error) {
    Fields f(j, error);
    const std::string_view type = f.string("type", {}, true);
    Event event;
    event.time = f.integer<Nanos>("time", 0, true);
    event.pid = f.integer<pid_t>("pid", 0, true);
    event.tid = f.integer<pid_t>("tid", 0, true);
    if (!f.ok()) return false;
    Line& line = *line_;

    if (type == "syscall_entry" || type == "syscall_exit") {
        event.kind = type == "syscall_entry" ? EventKind::SyscallEntry : EventKind::SyscallExit;
        SyscallEvent call;
        line.path.assign(f.string("syscall", {}, true));
        call.name = line.path;
        const auto arch = arch_of(f.string("arch", "x86_64"));
        if (f.ok() && !arch) f.fail("arch", "not x86_64, i386, x32 or unknown");
        call.arch = arch.value_or(Arch::X86_64);
        // Without a number the name says it: rules and -e index calls by it.
        call.nr = f.integer<std::int32_t>(
            "nr", static_cast<std::int32_t>(syscall_number(call.arch, call.name).value_or(-1)));
        f.registers("args", call.args);
        call.entry_time = f.integer<Nanos>("entry_time", event.time);
        if (f.find("decoded")) {
            const std::string_view text = f.string("decoded");
            std::string why;
            if (f.ok() && !arg_text::parse_arguments(text, line.decoded, &why)) {
                f.fail("decoded", why);
            }
            if (f.ok()) call.decoded = &line.decoded;
        }
        bool entry_complete = false;
        if (event.kind == EventKind::SyscallEntry) {
            entry_complete = f.boolean("entry_complete", false);
            if (!f.find("entry_complete") && call.decoded) {
                // Written before the writer said: complete when every
                // argument the call has was decoded at entry.
                const SyscallInfo* info = syscall_info(call.arch, call.nr);
                entry_complete = info && root_children(line.decoded) >= info->nargs;
            }
        } else {
            const json* ret = f.find("ret");
            if (!ret) {
                f.fail("ret", "missing");
            } else if (!ret->is_null()) {
                const auto value = Fields::integer_of<std::int64_t>(*ret);
                if (!value) f.fail("ret", "not an integer or null");
                call.has_result = true;
                call.ret = value.value_or(0);
            }
            if (const json* e = f.find("errno"); e && !e->is_null()) {
                const std::string_view name = f.string("errno");
                const auto err = errno_of(name);
                if (f.ok() && !err) f.fail("errno", "not an errno name");
                call.err = err.value_or(0);
            }
            call.injected = f.boolean("injected", false);
            call.delayed = f.boolean("delayed", false);
        }
        if (!f.ok()) return false;

        if (event.kind == EventKind::SyscallEntry) {
            const std::uint16_t n = call.decoded ? root_children(line.decoded) : 0;
            line.decoded.entry_arg_count = n;
            line.decoded.entry_complete = entry_complete;
            entered_[event.tid] = Entered{n, entry_complete};
        } else if (const auto it = entered_.find(event.tid); it != entered_.end()) {
            line.decoded.entry_arg_count = it->second.arg_count;
            line.decoded.entry_complete = it->second.complete;
            entered_.erase(it);
        } else {
            // The writer folds a call that returned before anything else
            // happened into its exit record; give rules the entry back.
            line.decoded.entry_arg_count = root_children(line.decoded);
            line.decoded.entry_complete = true;
            SyscallEvent entry_call = call;
            entry_call.has_result = false;
            entry_call.ret = 0;
            entry_call.err = 0;
            Event entry{EventKind::SyscallEntry, call.entry_time, event.pid, event.tid, entry_call};
            sink_.on_event(entry);
        }
        event.data = call;
    } else if (type == "signal") {
        event.kind = EventKind::Signal;
        SignalEvent sig;
        sig.signo = f.signal("signo", true);
        sig.code = f.integer<std::int32_t>("code", 0);
        sig.errno_value = f.integer<std::int32_t>("errno_value", 0);
        sig.addr = f.integer<std::uint64_t>("addr", 0);
        sig.sender_pid = f.integer<pid_t>("sender_pid", 0);
        sig.sender_uid = f.integer<uid_t>("sender_uid", 0);
        sig.status = f.integer<std::int32_t>("status", 0);
        event.data = sig;
    } else if (type == "spawn") {
        event.kind = EventKind::Spawn;
        const auto kind = spawn_kind_of(f.string("kind", "fork"));
        if (f.ok() && !kind) f.fail("kind", "not fork, vfork, thread or clone");
        event.data = SpawnEvent{kind.value_or(SpawnKind::Fork), f.integer<pid_t>("child_pid", 0),
                                f.integer<pid_t>("child_tid", 0)};
    } else if (type == "exec") {
        event.kind = EventKind::Exec;
        line.path.assign(f.string("path"));
        ExecEvent exec{line.path, f.integer<pid_t>("former_tid", 0)};
        // Absent: the writer did not know (-1).
        if (f.find("static")) exec.is_static = f.boolean("static", false) ? 1 : 0;
        if (f.find("glibc")) exec.glibc = f.boolean("glibc", false) ? 1 : 0;
        if (const json* names = f.find("ignored_signals")) {
            exec.signals_known = true;
            if (!names->is_array()) f.fail("ignored_signals", "not an array of signal names");
            for (std::size_t i = 0; f.ok() && i < names->size(); ++i) {
                const json& name = (*names)[i];
                const auto s = name.is_string() ? signal_number(name.get_ref<const std::string&>())
                                                : std::nullopt;
                if (!s || *s < 1 || *s > 64) {
                    f.fail("ignored_signals", "not an array of signal names");
                } else {
                    exec.ignored_signals |= 1ull << (*s - 1);
                }
            }
        }
        if (f.find("uid")) exec.uid = f.integer<std::uint32_t>("uid", 0);
        if (f.find("ppid")) exec.ppid = f.integer<pid_t>("ppid", 0);
        event.data = exec;
    } else if (type == "exit") {
        event.kind = EventKind::Exit;
        ExitEvent exit;
        exit.whole_process = f.boolean("whole_process", false);
        exit.signaled = f.boolean("signaled", false);
        exit.code = f.integer<std::int32_t>("code", 0);
        if (exit.signaled) exit.signo = f.signal("signo", true);
        exit.core_dumped = f.boolean("core_dumped", false);
        exit.rings_read = f.boolean("rings_read", false);
        event.data = exit;
        // A thread that ends inside a call never returns from it.
        if (f.ok()) entered_.erase(event.tid);
    } else if (type == "stop") {
        event.kind = EventKind::Stop;
        event.data = StopEvent{f.signal("signo", true)};
    } else if (type == "attach") {
        event.kind = EventKind::Attach;
        event.data = AttachEvent{f.boolean("attached", true)};
    } else if (type == "thread_sample") {
        // The watchdog's samples: replayed, the watch rules (hung-task,
        // futex-deadlock-suspected ...) judge them as they did live.
        event.kind = EventKind::ThreadSample;
        ThreadSampleEvent sample;
        const std::string_view state = f.string("state", "?");
        sample.state = state.empty() ? '?' : state[0];
        sample.syscall = f.integer<std::int32_t>("syscall", -2);
        f.registers("args", sample.args);
        const std::string_view wchan = f.string("wchan");
        const std::string_view comm = f.string("comm");
        std::snprintf(sample.wchan.data(), sample.wchan.size(), "%.*s",
                      static_cast<int>(wchan.size()), wchan.data());
        std::snprintf(sample.comm.data(), sample.comm.size(), "%.*s", static_cast<int>(comm.size()),
                      comm.data());
        sample.io_worker = f.boolean("io_worker", false);
        sample.sigkill_pending = f.boolean("sigkill_pending", false);
        sample.end_of_trace = f.boolean("end_of_trace", false);
        event.data = sample;
    } else if (type == "io_uring_submit") {
        // What the live io_uring tracker read from the rings, replayed so
        // the io_uring rules judge it as they did live. The fields are
        // those EventWriter::io_uring_json_fields writes; the opcode is a
        // name ("IORING_OP_READ") or, for one the writer did not know, a
        // number.
        event.kind = EventKind::IoUringSubmit;
        IoUringSqeEvent sqe;
        sqe.ring_fd = f.integer<std::int32_t>("ring_fd", -1);
        sqe.position = f.integer<std::uint32_t>("position", 0);
        const std::string_view seen = f.string("seen", "enter");
        if (seen != "enter" && seen != "sampled") f.fail("seen", "not enter or sampled");
        sqe.seen_at = seen == "sampled" ? IoUringSeenAt::Sampled : IoUringSeenAt::Enter;
        if (const json* opcode = f.find("opcode"); !opcode) {
            f.fail("opcode", "missing");
        } else if (opcode->is_string()) {
            const std::string& name = opcode->get_ref<const std::string&>();
            unsigned op = 0;
            while (op < 256 && io_uring_op_name(op) != name) ++op;
            if (op == 256) f.fail("opcode", "not an io_uring opcode");
            sqe.opcode = static_cast<std::uint8_t>(op);
        } else {
            sqe.opcode = f.integer<std::uint8_t>("opcode", 0);
        }
        sqe.flags = f.integer<std::uint8_t>("flags", 0);
        sqe.ioprio = f.integer<std::uint16_t>("ioprio", 0);
        sqe.fd = f.integer<std::int32_t>("fd", -1);
        sqe.off = f.integer<std::uint64_t>("off", 0);
        sqe.addr = f.integer<std::uint64_t>("addr", 0);
        sqe.len = f.integer<std::uint32_t>("len", 0);
        sqe.op_flags = f.integer<std::uint32_t>("op_flags", 0);
        sqe.user_data = f.integer<std::uint64_t>("user_data", 0);
        sqe.buf_index = f.integer<std::uint16_t>("buf_index", 0);
        sqe.personality = f.integer<std::uint16_t>("personality", 0);
        sqe.file_index = f.integer<std::uint32_t>("file_index", 0);
        sqe.addr3 = f.integer<std::uint64_t>("addr3", 0);
        line.path.assign(f.string("path"));
        line.path2.assign(f.string("path2"));
        sqe.path = line.path;
        sqe.path2 = line.path2;
        line.sockaddr.clear();
        const std::string_view hex = f.string("sockaddr");
        if (hex.size() % 2 != 0) f.fail("sockaddr", "not hex bytes");
        for (std::size_t i = 0; f.ok() && i + 1 < hex.size(); i += 2) {
            const auto hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
            if (!hi || !lo) {
                f.fail("sockaddr", "not hex bytes");
            } else {
                line.sockaddr.push_back(static_cast<unsigned char>(*hi << 4 | *lo));
            }
        }
        sqe.sockaddr = line.sockaddr;
        event.data = sqe;
    } else if (type == "io_uring_complete") {
        event.kind = EventKind::IoUringComplete;
        IoUringCqeEvent cqe;
        cqe.ring_fd = f.integer<std::int32_t>("ring_fd", -1);
        cqe.position = f.integer<std::uint32_t>("position", 0);
        cqe.user_data = f.integer<std::uint64_t>("user_data", 0);
        cqe.res = f.integer<std::int32_t>("res", 0);
        cqe.flags = f.integer<std::uint32_t>("flags", 0);
        event.data = cqe;
    } else {
        f.fail("type", "not an event type sctrace writes");
    }
    if (!f.ok()) return false;
    sink_.on_event(event);
    return true;
}

}  // namespace sctrace::jsonl
