// `sctrace diff`: two runs of one program, a passing one and a failing one,
// compared where it matters, and the first divergence of each thread and
// each file named (model/run_diff.h says what one holds).
//
// Numbers differ between any two runs: process and thread ids, descriptor
// numbers, ephemeral ports, addresses. So nothing is aligned by number:
//
//   - a process by its place in the process tree (the first process is
//     "1", its second child "1.2"), named by its program; a thread by its
//     order of creation in its process ("main", "thread 2", ...);
//   - a descriptor by what made it: "socket #2 of 1/main" is the second
//     socket the main thread of process 1 made; "file /etc/hosts" is any
//     descriptor opened on that path; an accepted connection is the n-th
//     one accepted on its listening socket; a descriptor the trace never
//     saw made is "fd N" of its process (inherited: stdin, stdout ...);
//   - a connect() to an address some socket of the run is bound to is a
//     call on that socket too ("connect from socket #2"): the order of a
//     server's listen() and a client's connect() is a race on one address.
//
// A run is a sequence of steps per thread and per file; each step is its
// call, what it was on, and how it ended (succeeded, which errno, timed
// out, never returned). Repeats of one step (a read loop, EAGAIN polling)
// count once, so how many times data came in chunks is not a difference.
// Arguments and byte counts are not compared.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/event.h"
#include "model/run_diff.h"

namespace sctrace::diff {

// One run, as compared.
struct RunModel {
    struct Step {
        DiffStep shown;
        std::string resource;  // the file it was on (a key), or ""
        // For a file's sequence, what this call was to it when it came
        // from another file ("connect from socket #2 of 1/main").
        std::string via;
        std::size_t order = 0;  // its place among all steps of the run
    };
    struct Sequence {
        std::string name;                // short: "socket #2 of 1/main", "1/main"
        std::string label;               // with what is known of it: "... bound to 127.0.0.1:8080"
        std::vector<std::size_t> steps;  // indices into `steps`, in order
        // Threads: how it ended ("exited with 0", "killed by SIGKILL"), or
        // "" while the run ended with it alive.
        std::string end;
        Nanos end_time = 0;
    };
    std::vector<Step> steps;
    std::map<std::string, Sequence> threads;    // by role ("1/main", "1.2/thread 3")
    std::map<std::string, Sequence> resources;  // by identity ("1/main socket #2")
    std::vector<std::string> inputs;
};

// Builds a RunModel from one run's events (a source's sink).
class RunRecorder final : public EventSink {
public:
    // `describe` writes an event in strace's notation (the CLI passes the
    // report's describe_event).
    using Describe = std::function<std::string(const Event&)>;
    explicit RunRecorder(Describe describe);
    ~RunRecorder() override;

    void on_event(const Event& event) override;
    void on_end() override;
    RunModel take();

private:
    struct Process;
    struct Thread;
    Process& process_of(pid_t pid);
    Thread& thread_of(pid_t pid, pid_t tid);
    std::size_t begin_step(const Event& event, const SyscallEvent& call, Thread& thread);
    void finish_step(std::size_t index, const Event& event, const SyscallEvent& call,
                     Thread& thread);
    void on_spawn(const Event& event, const SpawnEvent& spawn);
    void on_exit(const Event& event, const ExitEvent& exit);
    std::string new_resource(Thread& thread, std::string_view what, std::string label);
    void add_to_resource(const std::string& key, std::size_t step);
    std::string resource_of_fd(Process& process, int fd);

    Describe describe_;
    RunModel model_;
    std::unordered_map<pid_t, std::unique_ptr<Process>> processes_;  // by pid
    std::unordered_map<pid_t, pid_t> thread_process_;                // tid -> pid
    std::unordered_map<pid_t, std::unique_ptr<Thread>> threads_;     // by tid
    // Processes announced by a spawn before their first event: their role.
    std::unordered_map<pid_t, std::string> announced_;
    std::unordered_map<pid_t, std::string> announced_threads_;  // tid -> role in its process
    std::size_t root_processes_ = 0;
    std::unordered_map<std::string, std::string> programs_;  // process role -> program name
    // Addresses sockets of the run are bound to (as "127.0.0.1:8080"):
    // the socket's key.
    std::unordered_map<std::string, std::string> bound_;
    // Connections accepted so far on each listening socket (by its key),
    // whichever thread accepted them.
    std::unordered_map<std::string, std::size_t> accepted_;
};

// Compares two runs: the first divergence of every thread and file both had.
RunDiff compare_runs(const RunModel& pass, const RunModel& fail);

}  // namespace sctrace::diff
