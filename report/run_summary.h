// What a whole sctrace run was, for the reports that describe it as a unit
// (JUnit's command test case, SARIF's invocation). Known only when the run is
// over: the exit status comes last, after the rule engine's on_end().
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "model/event.h"

namespace sctrace {

struct RunSummary {
    std::vector<std::string> command;  // run: the traced command's argv
    std::vector<pid_t> attached;       // run -p: the processes attached to
    std::vector<std::string> inputs;   // analyze: the files analyzed
    // The command's status as `run` reports it (128+N when killed by signal
    // N); -1 when there is none (analyze, or an attach that ended by detach).
    int exit_status = -1;
    Nanos start_time = 0;  // wall clock
    Nanos duration = 0;
    // --repeat: every run of the command and how it ended, in order; the
    // report describes the whole (a flaky command as Surefire shows a
    // flaky test). Empty for a single run.
    struct Attempt {
        unsigned run = 0;
        int exit_status = 0;
    };
    std::vector<Attempt> attempts;
    // --repeat: how the failing runs differed from the passing one (sctrace
    // diff's text), for the report's readers.
    std::string differences;
};

// Words joined for a person to read and paste into a shell: a word with
// anything but [A-Za-z0-9_@%+=:,./-] in it is single-quoted.
inline std::string shell_join(const std::vector<std::string>& words) {
    std::string out;
    for (const std::string& word : words) {
        if (!out.empty()) out += ' ';
        bool plain = !word.empty();
        for (const char c : word) {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') ||
                            std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
            if (!ok) plain = false;
        }
        if (plain) {
            out += word;
            continue;
        }
        out += '\'';
        for (const char c : word) {
            if (c == '\'') {
                out += "'\\''";
            } else {
                out += c;
            }
        }
        out += '\'';
    }
    return out;
}

// "ctest -R flaky", "pid 4711 4712", "analyze a.log b.log": what was looked at.
inline std::string run_target(const RunSummary& run) {
    if (!run.command.empty()) return shell_join(run.command);
    if (!run.attached.empty()) {
        std::string out = "pid";
        for (const pid_t pid : run.attached) out += " " + std::to_string(pid);
        return out;
    }
    return "analyze " + shell_join(run.inputs);
}

}  // namespace sctrace
