// Running the corpus's programs: a command in its own process group with its
// output in files, a deadline that kills the whole group, and the small
// network and /proc helpers the workloads need to start and stop servers.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace corpus {

namespace fs = std::filesystem;
using Seconds = std::chrono::seconds;

struct Command {
    std::vector<std::string> argv;
    std::vector<std::string> env;  // "NAME=value", on top of the test's own environment
    std::string stdin_path;        // empty: /dev/null
    std::string cwd;               // empty: the test's directory
};

struct RunResult {
    std::string what;  // the command line, for messages
    int status = -1;   // exit code, or 128+N when killed by signal N
    bool timed_out = false;
    std::string spawn_error;
    std::string out, err;
};

// A started command: its own process group, stdout and stderr in files of
// dir, no core dumps, default signal dispositions. Whatever is left of its
// group is killed when it is waited for or destroyed, so nothing outlives a
// test.
class Process {
public:
    Process(const Command& command, const fs::path& dir);
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    pid_t pid() const { return pid_; }
    bool exited();  // reaps it if it has
    std::string out_so_far() const;
    // Waits for it to exit, at most deadline; then SIGKILLs its group.
    RunResult wait(Seconds deadline);

private:
    RunResult result_;
    fs::path out_path_, err_path_;
    pid_t pid_ = -1;
    bool reaped_ = false;
    int wait_status_ = 0;
};

// Runs a command to completion (see Process::wait).
RunResult run(const Command& command, const fs::path& dir, Seconds deadline);

// A program as its Debian package installs it (/usr/bin, /usr/sbin, /bin,
// /sbin first, so a version manager's shim on PATH is not what gets traced),
// else from PATH; "" when there is none.
std::string find_program(const std::string& name);

std::string slurp(const fs::path& path);
std::string join(const std::vector<std::string>& argv);
std::string describe(const RunResult& r);  // command, status, output: for failure messages

// A TCP port on 127.0.0.1 the kernel just handed out (and took back).
int free_port();
// True once something accepts connections on 127.0.0.1:port.
bool accepts(int port);
// The pids whose parent is `parent` (from /proc/PID/stat).
std::vector<pid_t> children_of(pid_t parent);

}  // namespace corpus
