#include "sources/live/launcher.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>

#include "base/system_error.h"

namespace sctrace {

namespace {

// Report record written by the child: a tag byte and an errno.
struct ReportRecord {
    char tag;  // 'S': seccomp install failed, 'E': exec failed
    int error;
};

void write_report(int fd, char tag, int error) {
    const ReportRecord record{tag, error};
    // Best effort: if the parent is gone there is nobody to tell.
    [[maybe_unused]] ssize_t n = ::write(fd, &record, sizeof record);
}

// The file a command name runs, found as strace finds it: a name with a '/'
// is itself; else the first PATH entry holding a regular file with an
// execute bit. So the trace starts with the one execve that runs it, as
// strace's does, not with execvp's failed tries along PATH. Empty when
// none is found (execvp then reports the error).
std::string resolve_command(const std::string& name) {
    if (name.find('/') != std::string::npos) return name;
    const char* path = std::getenv("PATH");
    if (!path || name.empty()) return {};
    std::string_view rest(path);
    while (!rest.empty()) {
        const std::size_t colon = rest.find(':');
        const std::string_view dir = rest.substr(0, colon);
        rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
        // An empty entry is the working directory.
        std::string candidate = dir.empty() ? name : std::string(dir) + "/" + name;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
            return candidate;
        }
    }
    return {};
}

}  // namespace

LaunchedChild LaunchedChild::fork_blocked(const std::vector<std::string>& argv,
                                          const SeccompProgram* filter) {
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
    // execvp still runs the resolved file: it falls back to /bin/sh for a
    // script without "#!", as a shell would.
    const std::string resolved = argv.empty() ? std::string() : resolve_command(argv[0]);
    const char* file = resolved.empty() ? args[0] : resolved.c_str();
    const bool need_no_new_privs = ::geteuid() != 0;
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
        ::execvp(file, args.data());
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
    }
    return report_;
}

}  // namespace sctrace
