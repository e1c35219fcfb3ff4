#include "sources/live/launcher.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>

#include "base/system_error.h"

namespace sctrace {

namespace {

// Report record written by the child: a tag byte and an errno.
struct ReportRecord {
    char tag;  // 'S': seccomp install failed, 'E': exec failed, 'G'/'g'/'u':
               // setgroups/setregid/setreuid failed
    int error;
};

void write_report(int fd, char tag, int error) {
    const ReportRecord record{tag, error};
    // Best effort: if the parent is gone there is nobody to tell.
    [[maybe_unused]] ssize_t n = ::write(fd, &record, sizeof record);
}

}  // namespace

std::string find_program(const std::string& command) {
    if (command.find('/') != std::string::npos) return command;
    const char* path = std::getenv("PATH");
    for (std::string_view dirs = path ? path : ""; !dirs.empty();) {
        const auto colon = dirs.find(':');
        const std::string_view dir = dirs.substr(0, colon);
        dirs.remove_prefix(colon == std::string_view::npos ? dirs.size() : colon + 1);
        const std::string candidate =
            (dir.empty() ? std::string(".") : std::string(dir)) + "/" + command;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
            return candidate;
        }
    }
    return {};
}

int exec_failure_status(int exec_errno) {
    return exec_errno == ENOENT ? 127 : 126;
}

int ptrace_refusal() {
    int gate[2];
    if (::pipe2(gate, O_CLOEXEC) != 0) return errno;
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int error = errno;
        ::close(gate[0]);
        ::close(gate[1]);
        return error;
    }
    if (pid == 0) {
        // Waits for the end of the pipe, which comes when the parent is done.
        ::close(gate[1]);
        char byte;
        while (::read(gate[0], &byte, 1) < 0 && errno == EINTR) {
        }
        ::_exit(0);
    }
    ::close(gate[0]);
    const int error = ::ptrace(PTRACE_SEIZE, pid, nullptr, 0) == 0 ? 0 : errno;
    // A seized child is detached by its death; either way it goes now.
    ::kill(pid, SIGKILL);
    ::close(gate[1]);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    return error;
}

LaunchedChild LaunchedChild::fork_blocked(const std::vector<std::string>& argv,
                                          const SeccompProgram* filter, const RunAs* run_as) {
    int go[2], report[2];
    if (::pipe2(go, O_CLOEXEC) != 0) throw_errno("pipe2");
    UniqueFd go_read(go[0]), go_write(go[1]);
    if (::pipe2(report, O_CLOEXEC) != 0) throw_errno("pipe2");
    UniqueFd report_read(report[0]), report_write(report[1]);

    // Everything the child needs is prepared here, before fork: after it the
    // child may only make async-signal-safe calls.
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    const bool need_no_new_privs = ::geteuid() != 0;
    // Found before the fork (it allocates); not found, execvp says why.
    const std::string path = argv.empty() ? std::string() : find_program(argv.front());
    const sock_fprog* program = filter ? filter->program() : nullptr;

    const pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork");
    if (pid == 0) {
        ::close(go[1]);
        ::close(report[0]);
        char byte;
        while (::read(go[0], &byte, 1) < 0 && errno == EINTR) {
        }
        if (program) {
            if (const int err = install_seccomp_program(program, need_no_new_privs); err != 0) {
                write_report(report[1], 'S', err);
            }
        }
        // After the filter, which a process without privileges could only
        // install with no_new_privs; groups first, while setgroups is
        // still permitted.
        if (run_as) {
            char failed = 0;
            if (::setgroups(run_as->groups.size(), run_as->groups.data()) != 0) {
                failed = 'G';
            } else if (::setregid(run_as->gid, run_as->egid) != 0) {
                failed = 'g';
            } else if (::setreuid(run_as->uid, run_as->euid) != 0) {
                failed = 'u';
            }
            if (failed) {
                write_report(report[1], failed, errno);
                ::_exit(1);
            }
        }
        // execvp, even of the file found: it falls back to /bin/sh for a
        // script without "#!", as a shell would.
        ::execvp(path.empty() ? args[0] : path.c_str(), args.data());
        write_report(report[1], 'E', errno);
        ::_exit(127);
    }
    ::fcntl(report_read.get(), F_SETFL, O_NONBLOCK);
    return LaunchedChild(pid, std::move(go_write), std::move(report_read));
}

void LaunchedChild::release() {
    const char byte = 'g';
    if (::write(go_write_.get(), &byte, 1) != 1) throw_errno("releasing the traced child");
    go_write_.reset();
}

ChildReport LaunchedChild::read_report() {
    ReportRecord record;
    while (report_read_ && ::read(report_read_.get(), &record, sizeof record) == sizeof record) {
        if (record.tag == 'S') report_.seccomp_errno = record.error;
        if (record.tag == 'E') report_.exec_errno = record.error;
        if (record.tag == 'G' || record.tag == 'g' || record.tag == 'u') {
            report_.credentials_errno = record.error;
            report_.credentials_call = record.tag == 'G'   ? "setgroups"
                                       : record.tag == 'g' ? "setregid"
                                                           : "setreuid";
        }
    }
    return report_;
}

}  // namespace sctrace
