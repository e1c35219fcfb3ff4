#include "harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

extern char** environ;

namespace e2e {

namespace {

// The harness writes to pipes whose reader may be gone; that must be an
// EPIPE, not a SIGPIPE that kills the test binary.
const bool kSigpipeIgnored = [] {
    signal(SIGPIPE, SIG_IGN);
    return true;
}();

std::string errno_text(const char* what) {
    return std::string(what) + ": " + strerror(errno);
}

// Fields of /proc/PID/stat after "(comm)": comm may hold spaces and parentheses.
std::vector<std::string> stat_fields_after_comm(const std::string& stat) {
    std::vector<std::string> fields;
    auto close = stat.rfind(')');
    if (close == std::string::npos) return fields;
    std::istringstream rest(stat.substr(close + 1));
    for (std::string f; rest >> f;) fields.push_back(f);
    return fields;
}

std::string stat_comm(const std::string& stat) {
    auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) return "?";
    return stat.substr(open + 1, close - open - 1);
}

std::string first_line(const std::string& s) {
    return s.substr(0, s.find('\n'));
}

std::vector<pid_t> numeric_entries(const std::string& dir) {
    std::vector<pid_t> out;
    if (DIR* d = opendir(dir.c_str())) {
        while (dirent* e = readdir(d)) {
            pid_t n = 0;
            auto [p, ec] = std::from_chars(e->d_name, e->d_name + strlen(e->d_name), n);
            if (ec == std::errc() && *p == '\0') out.push_back(n);
        }
        closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Processes in process group pgid, as "pid ppid state comm" (zombies included if asked).
std::vector<std::string> group_members(pid_t pgid, bool include_zombies) {
    std::vector<std::string> members;
    for (pid_t pid : numeric_entries("/proc")) {
        std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
        auto f = stat_fields_after_comm(stat);
        if (f.size() < 3 || f[2] != std::to_string(pgid)) continue;
        if (!include_zombies && f[0] == "Z") continue;
        members.push_back(std::to_string(pid) + " ppid " + f[1] + " state " + f[0] + " (" +
                          stat_comm(stat) + ")");
    }
    return members;
}

// Every thread of every process of the group, with what it is blocked in:
// what the lead needs to see when a traced run hangs.
std::string describe_group(pid_t pgid) {
    std::ostringstream out;
    for (pid_t pid : numeric_entries("/proc")) {
        std::string base = "/proc/" + std::to_string(pid);
        std::string stat = read_file(base + "/stat");
        auto f = stat_fields_after_comm(stat);
        if (f.size() < 3 || f[2] != std::to_string(pgid)) continue;
        out << "  process " << pid << " (" << stat_comm(stat) << ") ppid " << f[1] << "\n";
        for (pid_t tid : tasks_of(pid)) {
            std::string tbase = base + "/task/" + std::to_string(tid);
            char state = task_state(pid, tid);
            out << "    thread " << tid << " state " << (state ? state : '?') << " TracerPid "
                << tracer_of(pid, tid) << " wchan " << read_file(tbase + "/wchan") << " syscall "
                << first_line(read_file(tbase + "/syscall")) << "\n";
        }
    }
    return out.str();
}

int shell_status(int wait_status) {
    if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
    if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
    return -1;
}

}  // namespace

// ---------------------------------------------------------------------------
// Process

Process::Process(const std::vector<std::string>& argv, SpawnOptions options)
    : options_(std::move(options)) {
    if (options_.label.empty()) options_.label = argv.empty() ? "?" : argv[0];
    // Everything the child needs is prepared before fork(): the test binary
    // has other threads, so the child may only make async-signal-safe calls.
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);

    int in[2], out[2], err[2], exec_error[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) ||
        pipe2(exec_error, O_CLOEXEC)) {
        spawn_error_ = errno_text("pipe2");
        return;
    }
    pid_ = fork();
    if (pid_ < 0) {
        spawn_error_ = errno_text("fork");
        return;
    }
    if (pid_ == 0) {
        // Its own process group: a timeout can kill everything it started.
        setpgid(0, 0);
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        // The command starts as from a shell: nothing blocked, nothing ignored
        // (a SIG_IGN inherited from the test binary would change its behaviour).
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
        // Crashing tracees must not litter the build tree with core files.
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        execve(args[0], args.data(), environ);
        int e = errno;
        (void)!write(exec_error[1], &e, sizeof e);
        _exit(127);
    }
    setpgid(pid_, pid_);  // also from here, so it holds before we signal the group
    close(in[0]);
    close(out[1]);
    close(err[1]);
    close(exec_error[1]);
    int e = 0;
    if (read(exec_error[0], &e, sizeof e) == sizeof e)
        spawn_error_ = "cannot execute " + argv[0] + ": " + strerror(e);
    close(exec_error[0]);

    stdin_fd_ = in[1];
    stdout_fd_ = out[0];
    stderr_fd_ = err[0];
    wake_fd_ = eventfd(0, EFD_CLOEXEC);
    if (options_.keep_stdin_open) {
        options_.stdin_data.clear();
    } else if (options_.stdin_data.empty()) {
        close(stdin_fd_);
        stdin_fd_ = -1;
    } else {
        fcntl(stdin_fd_, F_SETFL, O_NONBLOCK);
    }
    drainer_ = std::thread([this] { drain(); });
}

Process::~Process() {
    if (pid_ > 0 && !reaped_) {
        kill_group();
        waitpid(pid_, &wait_status_, 0);
        reaped_ = true;
    }
    stop_drain();
    for (int fd : {stdin_fd_, stdout_fd_, stderr_fd_, wake_fd_})
        if (fd >= 0) close(fd);
}

void Process::kill_group() {
    if (pid_ > 0) kill(-pid_, SIGKILL);
}

// The drain thread: reads stdout and stderr until EOF on both (or until told
// to stop), feeding stdin_data meanwhile.
void Process::drain() {
    std::size_t stdin_written = 0;
    bool feeding = !options_.keep_stdin_open && stdin_fd_ >= 0;
    char buf[65536];
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (out_eof_ && err_eof_) break;
        }
        pollfd fds[4] = {{stdout_fd_, POLLIN, 0},
                         {stderr_fd_, POLLIN, 0},
                         {wake_fd_, POLLIN, 0},
                         {feeding ? stdin_fd_ : -1, POLLOUT, 0}};
        {
            std::lock_guard lock(mutex_);
            if (out_eof_) fds[0].fd = -1;
            if (err_eof_) fds[1].fd = -1;
        }
        if (poll(fds, 4, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[2].revents) break;  // stop_drain()
        for (int i = 0; i < 2; i++) {
            if (!fds[i].revents) continue;
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            std::lock_guard lock(mutex_);
            if (n <= 0) {
                (i == 0 ? out_eof_ : err_eof_) = true;
            } else {
                (i == 0 ? out_ : err_).append(buf, static_cast<std::size_t>(n));
            }
            changed_.notify_all();
        }
        if (feeding && fds[3].revents) {
            const std::string& data = options_.stdin_data;
            ssize_t n = write(stdin_fd_, data.data() + stdin_written, data.size() - stdin_written);
            if (n > 0) stdin_written += static_cast<std::size_t>(n);
            // Done, or the command closed its stdin (EPIPE): either way, EOF for it.
            if (stdin_written == data.size() || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                std::lock_guard lock(mutex_);
                close(stdin_fd_);
                stdin_fd_ = -1;
                feeding = false;
            }
        }
    }
    std::lock_guard lock(mutex_);
    changed_.notify_all();
}

void Process::stop_drain() {
    if (!drainer_.joinable()) return;
    uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof one);
    drainer_.join();
}

bool Process::wait_for_stdout(std::string_view needle, Millis timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
        return out_.find(needle) != std::string::npos || out_eof_;
    }) && out_.find(needle) != std::string::npos;
}

std::string Process::stdout_so_far() {
    std::lock_guard lock(mutex_);
    return out_;
}

std::string Process::stderr_so_far() {
    std::lock_guard lock(mutex_);
    return err_;
}

void Process::close_stdin() {
    std::lock_guard lock(mutex_);
    if (options_.keep_stdin_open && stdin_fd_ >= 0) {
        close(stdin_fd_);
        stdin_fd_ = -1;
    }
}

bool Process::has_exited() {
    if (pid_ <= 0 || reaped_) return true;
    if (waitpid(pid_, &wait_status_, WNOHANG) == pid_) reaped_ = true;
    return reaped_;
}

RunResult Process::finish(Millis timeout) {
    RunResult r;
    r.label = options_.label;
    r.spawn_error = spawn_error_;
    if (pid_ <= 0) return r;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!has_exited()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            r.timed_out = true;
            r.hang_report = describe_group(pid_);
            kill_group();
            waitpid(pid_, &wait_status_, 0);
            reaped_ = true;
            break;
        }
        std::this_thread::sleep_for(5ms);
    }
    r.status = shell_status(wait_status_);
    r.killed_by = WIFSIGNALED(wait_status_) ? WTERMSIG(wait_status_) : 0;

    // Whatever the command left running in its group when it was reaped (a
    // traced child the tracer abandoned, a tracer that exited before its
    // command) is recorded, then killed. None of the tracees daemonizes, and a
    // tracer reaps its tracees before it exits, so there is no grace period.
    if (!r.timed_out) r.leftovers = group_members(pid_, false);
    if (!r.leftovers.empty()) {
        r.hang_report += describe_group(pid_);
        kill_group();
    }
    {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, 10s, [&] { return out_eof_ && err_eof_; });
    }
    kill_group();  // a member that escaped the leftover check must not keep the pipes open
    stop_drain();
    std::lock_guard lock(mutex_);
    r.out = out_;
    r.err = err_;
    return r;
}

RunResult run(const std::vector<std::string>& argv, SpawnOptions options, Millis timeout) {
    Process p(argv, std::move(options));
    return p.finish(timeout);
}

// ---------------------------------------------------------------------------
// Tracer

std::string mode_name(Mode mode) {
    return mode == Mode::kSeccomp ? "seccomp" : "noseccomp";
}

const Tracer& Tracer::get() {
    static const Tracer tracer = [] {
        Tracer t;
        const char* override_path = getenv("SCTRACE_E2E_TRACER");
        t.path = override_path && *override_path ? override_path : SCTRACE_BIN;
        t.name = t.path.substr(t.path.rfind('/') + 1);
        t.is_strace = t.name == "strace";
        return t;
    }();
    return tracer;
}

std::vector<std::string> Tracer::launch(Mode mode, const std::string& trace_set,
                                        const std::string& log,
                                        const std::vector<std::string>& command) const {
    std::vector<std::string> argv{path};
    if (is_strace) {
        // -q, not -qq: the exit lines are part of what the tests read back.
        argv.insert(argv.end(), {"-f", "-q"});
        // strace refuses --seccomp-bpf without a filter to apply.
        if (mode == Mode::kSeccomp && !trace_set.empty()) argv.push_back("--seccomp-bpf");
        if (!trace_set.empty()) argv.insert(argv.end(), {"-e", "trace=" + trace_set});
        argv.insert(argv.end(), {"-o", log});
    } else {
        if (mode == Mode::kNoSeccomp) argv.push_back("--no-seccomp");
        if (!trace_set.empty()) argv.insert(argv.end(), {"-e", "trace=" + trace_set});
        argv.insert(argv.end(), {"-o", log, "--format", "jsonl"});
    }
    argv.push_back("--");
    argv.insert(argv.end(), command.begin(), command.end());
    return argv;
}

std::vector<std::string> Tracer::attach(Mode mode, const std::string& trace_set,
                                        const std::string& log,
                                        const std::vector<pid_t>& pids) const {
    std::vector<std::string> argv{path};
    if (is_strace) {
        argv.insert(argv.end(), {"-f", "-q"});  // strace needs -f to attach every thread
        if (!trace_set.empty()) argv.insert(argv.end(), {"-e", "trace=" + trace_set});
        argv.insert(argv.end(), {"-o", log});
    } else {
        if (mode == Mode::kNoSeccomp) argv.push_back("--no-seccomp");
        if (!trace_set.empty()) argv.insert(argv.end(), {"-e", "trace=" + trace_set});
        argv.insert(argv.end(), {"-o", log, "--format", "jsonl"});
    }
    for (pid_t pid : pids) argv.insert(argv.end(), {"-p", std::to_string(pid)});
    return argv;
}

// ---------------------------------------------------------------------------
// Event logs

long long EventLog::root_pid() const {
    if (jsonl) return events.empty() ? 0 : events.front().pid;
    for (auto it = events.rbegin(); it != events.rend(); ++it)
        if (it->type == "exit") return it->tid;
    return 0;
}

std::vector<const Event*> EventLog::of_type(std::string_view type) const {
    std::vector<const Event*> out;
    for (const auto& e : events)
        if (e.type == type) out.push_back(&e);
    return out;
}

std::size_t EventLog::count_syscall(std::string_view type, std::string_view syscall) const {
    return std::count_if(events.begin(), events.end(),
                         [&](const Event& e) { return e.type == type && e.syscall == syscall; });
}

namespace {

using nlohmann::json;

// Checks one JSONL object against the format contract and fills an Event.
// Returns what is wrong with it ("" when nothing is).
std::string check_and_convert(const json& j, long long not_before_ns, long long not_after_ns,
                              Event& e) {
    if (!j.is_object()) return "not a JSON object";
    auto has = [&](const char* k) { return j.contains(k); };
    auto is_int = [&](const char* k) { return has(k) && j[k].is_number_integer(); };
    auto positive = [&](const char* k) { return is_int(k) && j[k].get<long long>() > 0; };

    if (!has("type") || !j["type"].is_string()) return "no string \"type\"";
    e.type = j["type"];
    static const std::vector<std::string> kTypes = {
        "syscall_entry", "syscall_exit", "signal", "spawn",        "exec",
        "exit",          "stop",         "attach", "thread_sample"};
    if (std::find(kTypes.begin(), kTypes.end(), e.type) == kTypes.end())
        return "unknown type \"" + e.type + "\"";
    if (!is_int("time")) return "\"time\" is not an integer";
    long long t = j["time"].get<long long>();
    if (t < not_before_ns || t > not_after_ns)
        return "\"time\" " + std::to_string(t) + " is not ns since the epoch around this run";
    if (!positive("pid") || !positive("tid")) return "\"pid\"/\"tid\" not positive integers";
    e.pid = j["pid"];
    e.tid = j["tid"];

    if (e.type == "syscall_entry" || e.type == "syscall_exit") {
        if (!has("syscall") || !j["syscall"].is_string() || j["syscall"].get<std::string>().empty())
            return "no \"syscall\" name";
        e.syscall = j["syscall"];
        if (!is_int("nr") || j["nr"].get<long long>() < 0) return "\"nr\" is not an integer >= 0";
        if (!has("arch") || !j["arch"].is_string() || j["arch"].get<std::string>().empty())
            return "no \"arch\"";
        if (!has("args") || !j["args"].is_array() || j["args"].size() != 6)
            return "\"args\" is not an array of 6";
        for (const auto& a : j["args"])
            if (!a.is_number_unsigned()) return "\"args\" holds a non-unsigned-integer";
        if (e.type == "syscall_exit") {
            if (!has("ret") || !(j["ret"].is_null() || j["ret"].is_number_integer()))
                return "\"ret\" is neither an integer nor null";
            if (!has("errno") ||
                !(j["errno"].is_null() ||
                  (j["errno"].is_string() && j["errno"].get<std::string>().starts_with("E"))))
                return "\"errno\" is neither null nor an E... name";
        }
    } else if (e.type == "thread_sample") {
        // The watchdog's look at a blocked thread (docs/events.md).
        if (!has("state") || !j["state"].is_string() || j["state"].get<std::string>().size() != 1)
            return "\"state\" is not one /proc state letter";
        if (!is_int("syscall") || j["syscall"].get<long long>() < -2)
            return "\"syscall\" is not an integer >= -2";
        if (!has("args") || !j["args"].is_array() || j["args"].size() != 6)
            return "\"args\" is not an array of 6";
        for (const char* k : {"wchan", "comm"})
            if (!has(k) || !j[k].is_string()) return std::string("no string \"") + k + "\"";
        for (const char* k : {"io_worker", "sigkill_pending", "end_of_trace"})
            if (!has(k) || !j[k].is_boolean()) return std::string("no boolean \"") + k + "\"";
    } else if (e.type == "signal") {
        if (!has("signo") || !j["signo"].is_string() ||
            !j["signo"].get<std::string>().starts_with("SIG"))
            return "\"signo\" is not a SIG... name";
        e.signo = j["signo"];
        if (!is_int("code")) return "\"code\" is not an integer";
        e.code = j["code"].get<long long>();
        if (!has("addr") || !(j["addr"].is_number_integer() || j["addr"].is_string()))
            return "no \"addr\"";
        if (!has("sender_pid") ||
            !(j["sender_pid"].is_null() || j["sender_pid"].is_number_integer()))
            return "\"sender_pid\" is neither an integer nor null";
    } else if (e.type == "spawn") {
        if (!has("kind") || !j["kind"].is_string()) return "no \"kind\"";
        e.kind = j["kind"];
        if (e.kind != "fork" && e.kind != "vfork" && e.kind != "thread" && e.kind != "clone")
            return "unknown spawn kind \"" + e.kind + "\"";
        if (!positive("child_pid") || !positive("child_tid"))
            return "\"child_pid\"/\"child_tid\" not positive integers";
        e.child_pid = j["child_pid"];
        e.child_tid = j["child_tid"];
    } else if (e.type == "exec") {
        if (!has("path") || !j["path"].is_string() || j["path"].get<std::string>().empty())
            return "no \"path\"";
        e.path = j["path"];
        if (!positive("former_tid")) return "\"former_tid\" is not a positive integer";
        e.former_tid = j["former_tid"];
    } else if (e.type == "exit") {
        if (!has("whole_process") || !j["whole_process"].is_boolean())
            return "\"whole_process\" is not a boolean";
        if (!has("signaled") || !j["signaled"].is_boolean()) return "\"signaled\" is not a boolean";
        e.whole_process = j["whole_process"];
        e.signaled = j["signaled"];
        if (!has("code") || !(j["code"].is_null() || j["code"].is_number_integer()))
            return "\"code\" is neither an integer nor null";
        if (j["code"].is_number_integer()) e.code = j["code"].get<long long>();
        if (!has("signo")) return "no \"signo\"";
        if (j["signo"].is_string()) e.signo = j["signo"];
        if (j["signo"].is_number_integer())
            e.signo = signal_name(j["signo"].get<int>());  // a number is fine; compare names
        if (e.signaled && e.signo.empty()) return "signaled exit without a \"signo\"";
    }
    return "";
}

// strace -f -o FILE lines: "TID  call(args) = ret", "TID  call(args <unfinished ...>",
// "TID  <... call resumed>...) = ret", "TID  --- SIGX {...} ---",
// "TID  +++ exited with N +++", "TID  +++ killed by SIGX (core dumped) +++".
// Only what the tests use is kept.
void parse_strace_line(const std::string& line, EventLog& log) {
    long long tid = 0;
    auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), tid);
    if (ec != std::errc() || tid <= 0) return;
    std::string_view rest(p, line.data() + line.size() - p);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    Event e;
    e.pid = e.tid = tid;
    auto word_at = [](std::string_view s) {
        std::size_t n = 0;
        while (n < s.size() && (isalnum(static_cast<unsigned char>(s[n])) || s[n] == '_')) n++;
        return std::string(s.substr(0, n));
    };
    if (rest.starts_with("+++ exited with ")) {
        e.type = "exit";
        e.whole_process = true;
        e.code = atoll(std::string(rest.substr(16)).c_str());
        log.events.push_back(e);
    } else if (rest.starts_with("+++ killed by ")) {
        e.type = "exit";
        e.whole_process = e.signaled = true;
        e.signo = word_at(rest.substr(14));
        log.events.push_back(e);
    } else if (rest.starts_with("--- SIG")) {
        e.type = "signal";
        e.signo = word_at(rest.substr(4));
        log.events.push_back(e);
    } else if (rest.starts_with("<... ")) {
        e.type = "syscall_exit";
        e.syscall = word_at(rest.substr(5));
        log.events.push_back(e);
    } else if (std::string name = word_at(rest);
               !name.empty() && rest.size() > name.size() && rest[name.size()] == '(') {
        e.type = "syscall_entry";
        e.syscall = name;
        log.events.push_back(e);
        if (!rest.ends_with("<unfinished ...>")) {
            e.type = "syscall_exit";
            log.events.push_back(e);
        }
    }
}

}  // namespace

EventLog read_event_log(const Tracer& tracer, const std::string& path,
                        std::chrono::system_clock::time_point not_before,
                        std::chrono::system_clock::time_point not_after, bool partial_ok) {
    EventLog log;
    log.jsonl = !tracer.is_strace;
    std::string text = read_file(path);
    // A line still being written is not complete yet.
    if (!text.empty() && text.back() != '\n') {
        if (!partial_ok) log.problems.push_back("the last line is not terminated by a newline");
        text.erase(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
    }
    // Generous slack: this checks the unit and epoch, not the clock's accuracy.
    auto ns = [](std::chrono::system_clock::time_point t) {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    };
    long long lo = ns(not_before - 10min), hi = ns(not_after + 10min);

    std::istringstream lines(text);
    std::size_t number = 0;
    for (std::string line; std::getline(lines, line);) {
        number++;
        if (!log.jsonl) {
            parse_strace_line(line, log);
            continue;
        }
        Event e;
        std::string problem;
        try {
            e.raw = json::parse(line);
            problem = check_and_convert(e.raw, lo, hi, e);
        } catch (const json::exception& ex) {
            problem = std::string("not JSON: ") + ex.what();
        }
        if (problem.empty()) {
            log.events.push_back(std::move(e));
        } else if (log.problems.size() < 20) {
            log.problems.push_back("line " + std::to_string(number) + ": " + problem + ": " +
                                   line.substr(0, 300));
        }
    }
    return log;
}

// ---------------------------------------------------------------------------
// /proc and strings

char task_state(pid_t pid, pid_t tid) {
    auto f = stat_fields_after_comm(
        read_file("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/stat"));
    return f.empty() ? 0 : f[0][0];
}

std::vector<pid_t> tasks_of(pid_t pid) {
    return numeric_entries("/proc/" + std::to_string(pid) + "/task");
}

pid_t tracer_of(pid_t pid, pid_t tid) {
    std::istringstream status(
        read_file("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/status"));
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("TracerPid:")) return atoi(line.c_str() + 10);
    return -1;
}

std::string strip_tracer_lines(const std::string& err, const std::string& tracer_name) {
    std::string prefix = tracer_name + ":", out;
    std::size_t pos = 0;
    while (pos < err.size()) {
        std::size_t end = err.find('\n', pos);
        end = end == std::string::npos ? err.size() : end + 1;
        if (err.compare(pos, prefix.size(), prefix) != 0) out.append(err, pos, end - pos);
        pos = end;
    }
    return out;
}

std::string describe_difference(const std::string& expected, const std::string& actual) {
    auto escape = [](std::string_view s) {
        std::string out;
        for (unsigned char c : s) {
            if (c == '\n') {
                out += "\\n";
            } else if (c >= 32 && c < 127 && c != '\\') {
                out += static_cast<char>(c);
            } else {
                char hex[8];
                snprintf(hex, sizeof hex, "\\x%02x", c);
                out += hex;
            }
        }
        return out;
    };
    std::size_t at =
        std::mismatch(expected.begin(), expected.begin() + std::min(expected.size(), actual.size()),
                      actual.begin())
            .first -
        expected.begin();
    std::size_t from = at < 40 ? 0 : at - 40;
    std::ostringstream out;
    out << "untraced has " << expected.size() << " bytes, traced " << actual.size()
        << "; first difference at byte " << at << "\n  untraced: \""
        << escape(std::string_view(expected).substr(from, 120)) << "\"\n  traced:   \""
        << escape(std::string_view(actual).substr(from, 120)) << "\"";
    return out.str();
}

std::string make_test_dir(const std::string& prefix) {
    const char* tmp = getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "-XXXXXX";
    return mkdtemp(pattern.data()) ? pattern : std::string();
}

void drop_test_dir(const std::string& dir, bool failed) {
    if (dir.empty()) return;
    if (failed) {
        std::cout << "[   LOGS   ] kept in " << dir << "\n";
    } else {
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
    }
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

std::string signal_name(int signo) {
    const char* abbrev = sigabbrev_np(signo);
    return abbrev ? std::string("SIG") + abbrev : std::to_string(signo);
}

}  // namespace e2e
