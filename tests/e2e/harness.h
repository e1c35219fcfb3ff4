// The e2e harness: runs a command with pipes on all three standard streams and
// a deadline, drives the tracer under test (sctrace, or strace as a stand-in
// that validates the harness itself), and reads the event stream the tracer
// wrote.
//
// Nothing here knows about individual test cases; e2e_test.cpp holds those.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace e2e {

using namespace std::chrono_literals;
using Millis = std::chrono::milliseconds;

// What a shell would report about a finished command, and what the harness
// noticed while running it.
struct RunResult {
    std::string label;
    int status = -1;    // the exit code, or 128+N when killed by signal N
    int killed_by = 0;  // N when signal N killed it, 0 when it exited
    std::string out;
    std::string err;
    bool timed_out = false;
    std::string spawn_error;             // set when the command could not be started
    std::string hang_report;             // the process group as it was when the deadline hit
    std::vector<std::string> leftovers;  // its process group's members still alive after it exited
};

struct SpawnOptions {
    std::string label;             // names the run in failure messages
    std::string stdin_data;        // written to the command's stdin, which is then closed
    bool keep_stdin_open = false;  // stdin stays open (and empty) until close_stdin()
};

// A command started in its own process group, with its stdout and stderr
// collected by a background thread (so a chatty command never blocks on a full
// pipe while the test does something else).
class Process {
public:
    Process(const std::vector<std::string>& argv, SpawnOptions options);
    ~Process();  // kills the whole process group if the test did not finish() it
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    pid_t pid() const { return pid_; }
    const std::string& label() const { return options_.label; }
    const std::string& spawn_error() const { return spawn_error_; }

    // Waits until the command's stdout contains needle; false on timeout or EOF.
    bool wait_for_stdout(std::string_view needle, Millis timeout);
    std::string stdout_so_far();
    std::string stderr_so_far();

    // Closes the command's stdin (only with keep_stdin_open).
    void close_stdin();

    // True once the command has exited (it is then reaped, and finish() returns at once).
    bool has_exited();

    // Waits for the command to exit and for EOF on its output, at most timeout.
    // On timeout, records what its process group looked like, SIGKILLs the
    // group and returns with timed_out set: a hang never hangs the test.
    RunResult finish(Millis timeout);

private:
    void drain();
    void stop_drain();
    void kill_group();

    SpawnOptions options_;
    pid_t pid_ = -1;
    std::string spawn_error_;
    bool reaped_ = false;
    int wait_status_ = 0;
    int stdin_fd_ = -1, stdout_fd_ = -1, stderr_fd_ = -1, wake_fd_ = -1;

    std::mutex mutex_;
    std::condition_variable changed_;
    std::string out_, err_;
    bool out_eof_ = false, err_eof_ = false;
    std::thread drainer_;
};

// Runs a command to completion (see Process::finish).
RunResult run(const std::vector<std::string>& argv, SpawnOptions options, Millis timeout);

// Polls cond every `step` until it holds or timeout passes; returns the last result.
template <class Cond>
bool eventually(Cond cond, Millis timeout, Millis step = 10ms) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (cond()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return cond();
        std::this_thread::sleep_for(step);
    }
}

// ---------------------------------------------------------------------------
// The tracer under test.

// sctrace's two ways of stopping a tracee: the seccomp prefilter (default),
// or a stop at every syscall.
enum class Mode { kSeccomp, kNoSeccomp };
std::string mode_name(Mode mode);
inline void PrintTo(Mode mode, std::ostream* os) {
    *os << mode_name(mode);
}  // for gtest

struct Tracer {
    std::string path;
    std::string name;        // basename: the prefix of the tracer's own stderr lines
    bool is_strace = false;  // strace stands in for sctrace to validate the harness

    // SCTRACE_E2E_TRACER if set (a path; strace is recognized by its name),
    // else the sctrace binary of this build.
    static const Tracer& get();

    // argv that launches command under the tracer, writing the event stream to
    // log (JSONL for sctrace, strace's own format for strace). trace_set is
    // what follows "-e trace="; empty means the tracer's default set.
    std::vector<std::string> launch(Mode mode, const std::string& trace_set, const std::string& log,
                                    const std::vector<std::string>& command) const;
    // argv that attaches to all threads of the given processes.
    std::vector<std::string> attach(Mode mode, const std::string& trace_set, const std::string& log,
                                    const std::vector<pid_t>& pids) const;
};

// ---------------------------------------------------------------------------
// The event stream, read back.

// One event, with the fields the tests look at. From sctrace's JSONL every
// field the contract names is filled in (and `raw` holds the object); from an
// strace log only type, tid (also used as pid), syscall and signo are.
struct Event {
    std::string type;  // syscall_entry, syscall_exit, signal, spawn, exec, exit, stop, attach
    long long pid = 0, tid = 0;
    std::string syscall;            // syscall_*
    std::string signo;              // signal: the name; exit: the name (or number) when signaled
    bool whole_process = false;     // exit
    bool signaled = false;          // exit
    std::optional<long long> code;  // exit (when not signaled), signal
    std::string kind;               // spawn: fork, vfork, thread, clone
    long long child_pid = 0, child_tid = 0;  // spawn
    std::string path;                        // exec
    long long former_tid = 0;                // exec
    nlohmann::json raw;                      // the JSONL object
};

struct EventLog {
    bool jsonl = false;
    std::vector<Event> events;
    std::vector<std::string> problems;  // lines that break the format contract

    // The launched command's pid: for JSONL the pid of the first event, for
    // strace the tid of the last exit line (the leader is reaped last).
    long long root_pid() const;
    std::vector<const Event*> of_type(std::string_view type) const;
    std::size_t count_syscall(std::string_view type, std::string_view syscall) const;
};

// Reads the tracer's log. Events must carry times inside [not_before, not_after]
// (with generous slack). With partial_ok, a last line still being written is
// ignored rather than reported (for reading a log while the tracer runs).
EventLog read_event_log(const Tracer& tracer, const std::string& path,
                        std::chrono::system_clock::time_point not_before,
                        std::chrono::system_clock::time_point not_after, bool partial_ok);

// ---------------------------------------------------------------------------
// Small helpers for /proc and byte strings.

// The state letter of /proc/PID/task/TID/stat (R, S, D, T, t, Z, ...), or 0 if gone.
char task_state(pid_t pid, pid_t tid);
std::vector<pid_t> tasks_of(pid_t pid);
// TracerPid from /proc/PID/task/TID/status, or -1 if gone.
pid_t tracer_of(pid_t pid, pid_t tid);

// Removes the lines the tracer writes about itself ("<name>: ...") from stderr.
std::string strip_tracer_lines(const std::string& err, const std::string& tracer_name);
// Says where two byte strings first differ, with a little escaped context.
std::string describe_difference(const std::string& expected, const std::string& actual);
// A directory for one test's files, under $TMPDIR (else /tmp): "" when it
// cannot be made.
std::string make_test_dir(const std::string& prefix);
// Removes it when the test passed; when it failed, keeps it and says where,
// for whoever debugs the failure.
void drop_test_dir(const std::string& dir, bool failed);

std::string read_file(const std::string& path);
// How many times `needle` occurs in `text` (overlaps counted).
std::size_t count_of(const std::string& text, const std::string& needle);
std::string signal_name(int signo);  // "SIGSEGV"

}  // namespace e2e
