// The corpus: real programs doing real work, each bounded (a few seconds
// untraced, fixed request counts, servers on 127.0.0.1 ports handed out at
// test time) and each with a way to tell that it did its job. Nothing here
// knows about tracing: corpus_test.cpp runs every workload untraced, under
// sctrace and under strace, and judges the same Plan each time.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "process.h"

namespace corpus {

// A program the workload runs, and the Debian package that installs it
// (scripts/install-deps installs them all). An absolute path names a file
// that must exist, such as a static library.
struct Need {
    std::string program;
    std::string package;
};

// The test's private world: a temporary directory (also HOME and TMPDIR of
// every command), the corpus's data files, and the untraced helpers a
// workload starts (stopped with the Scene).
class Scene {
public:
    explicit Scene(fs::path dir) : dir_(std::move(dir)) {}
    const fs::path& dir() const { return dir_; }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    static std::string data(const std::string& name);  // a file of tests/corpus/data
    std::vector<std::string> env() const;              // HOME, TMPDIR, LC_ALL for every command

    // python3 -m http.server serving root on 127.0.0.1 (untraced); its URL,
    // or "" and why not.
    std::string serve_http(const fs::path& root, std::string* why);
    // An untraced server, ready once its stdout shows ready_text; false and
    // why not when it exits or stays silent.
    bool start_server(std::vector<std::string> argv, const std::string& ready_text,
                      std::string* why);
    // An untraced helper run to completion.
    RunResult run_helper(std::vector<std::string> argv, Seconds deadline,
                         const std::string& stdin_path = "");

private:
    fs::path dir_;
    std::vector<std::unique_ptr<Process>> helpers_;
};

// How one run of a workload goes, and how to tell it did its job.
struct Plan {
    Command command;  // what gets traced

    // A server runs until stopped: it is ready when it accepts on ready_port
    // (or has printed ready_text), then drive() loads it (untraced) and says
    // what went wrong ("" when nothing), then stop_signal goes to it (0: it
    // exits on its own once driven).
    int ready_port = 0;
    std::string ready_text;
    std::function<std::string()> drive;
    int stop_signal = 0;

    int exit_status = 0;
    // Its stdout must be exactly this (when the program is deterministic)...
    std::string expected_stdout;
    // ... or pass this check: "" when it did its job, else what is wrong.
    std::function<std::string(const RunResult&)> check;

    // It ends with every io_uring operation it submitted completed: traced
    // by ptrace, each must be followed to its completion, and no
    // "sctrace: io_uring: ..." note may say one was not.
    bool rings_followed = false;
};

struct Workload {
    std::string name;
    std::vector<Need> needs;
    // Sets the scene (files, helper servers, builds) and says how to run;
    // on failure returns a Plan with no command and sets *error.
    std::function<Plan(Scene&, std::string* error)> prepare;
};

const std::vector<Workload>& workloads();

}  // namespace corpus
