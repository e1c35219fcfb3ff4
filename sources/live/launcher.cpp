#include "sources/live/launcher.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

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
        ::execvp(args[0], args.data());
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
