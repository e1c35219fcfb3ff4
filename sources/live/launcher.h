// Starting the command under trace: fork, let the tracer seize the child, then
// let the child install the seccomp filter and exec.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "sources/live/seccomp_filter.h"

namespace sctrace {

// Who the command runs as (strace's -u): the credentials the child takes
// just before its exec, all resolved beforehand, since the child of a fork
// may make no library call that could take a lock (a user lookup can).
struct RunAs {
    uid_t uid = 0;
    gid_t gid = 0;
    // Effective ids: the user's, or the program file's owner when it is
    // set-user-ID (set-group-ID), as strace emulates them.
    uid_t euid = 0;
    gid_t egid = 0;
    std::vector<gid_t> groups;  // supplementary groups (the user's, initgroups)
};

// What the child reports back through its close-on-exec status pipe. Nothing
// arrives when everything worked (the pipe closes at exec).
struct ChildReport {
    int seccomp_errno = 0;  // the filter could not be installed (we fall back)
    int exec_errno = 0;     // exec failed; the child exits 127
    // Taking RunAs's credentials failed (the child exits 1): errno, and
    // the call that failed ("setgroups", "setregid", "setreuid").
    int credentials_errno = 0;
    const char* credentials_call = nullptr;
};

// The file that runs for `command`, found as strace finds it: a name with a
// '/' as it is, else the first regular file with an execute bit in a
// directory of $PATH (an empty entry is the current directory). Empty when
// there is none. The child then makes one execve, as under strace, rather
// than execvp's one per directory.
std::string find_program(const std::string& command);

// The shell's convention for a command that could not be run: 127 when it
// was not found, 126 when it was found and could not be executed.
int exec_failure_status(int exec_errno);

// Whether sctrace may ptrace a child of its own here: 0, or the errno
// PTRACE_SEIZE of a freshly forked child gave (EPERM, EACCES where a
// container's profile, Yama or an LSM refuses it). The child never runs
// anything and is reaped before this returns.
int ptrace_refusal();

class LaunchedChild {
public:
    // Forks `argv`, leaving the child blocked before exec. `filter` may be
    // null (no prefilter). Throws SystemError when fork or pipes fail.
    // `run_as`: the credentials to exec with (null: sctrace's own).
    static LaunchedChild fork_blocked(const std::vector<std::string>& argv,
                                      const SeccompProgram* filter, const RunAs* run_as = nullptr);

    pid_t pid() const { return pid_; }

    // Lets the child go on to install the filter and exec. Call after seizing.
    void release();

    // Reads what the child reported. Non-blocking; call once it exec'd or exited.
    ChildReport read_report();

private:
    LaunchedChild(pid_t pid, UniqueFd go, UniqueFd report)
        : pid_(pid), go_write_(std::move(go)), report_read_(std::move(report)) {}

    pid_t pid_;
    UniqueFd go_write_;
    UniqueFd report_read_;
    ChildReport report_;
};

}  // namespace sctrace
