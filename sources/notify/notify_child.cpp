#include "sources/notify/notify_child.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "base/system_error.h"
#include "sources/live/launcher.h"

namespace sctrace {

namespace {

// What the child sends: a tag and an errno, with the listener attached to
// the 'L' record. 'S': the filter could not be installed; 'E': exec failed.
struct Record {
    char tag;
    int error;
};

// Async-signal-safe: the child's only way to speak, through the one sendmsg
// its filter lets by (SeccompProgram::build_notify).
void send_record(int socket, char tag, int error, int fd_to_pass) {
    Record record{tag, error};
    iovec iov{&record, sizeof record};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (fd_to_pass >= 0) {
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &fd_to_pass, sizeof(int));
    }
    while (::sendmsg(socket, &msg, static_cast<int>(kNotifyHandshakeFlags)) < 0 && errno == EINTR) {
    }
}

// The next record, and the descriptor passed with it (-1 when none).
bool receive_record(int socket, Record& record, int& fd, bool wait) {
    iovec iov{&record, sizeof record};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    fd = -1;
    ssize_t n;
    do {
        n = ::recvmsg(socket, &msg, MSG_CMSG_CLOEXEC | (wait ? 0 : MSG_DONTWAIT));
    } while (n < 0 && errno == EINTR);
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); n > 0 && c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
        }
    }
    return n == static_cast<ssize_t>(sizeof record);
}

}  // namespace

NotifyChild NotifyChild::start(const std::vector<std::string>& argv, const SyscallSet& traced,
                               const std::vector<NarrowedCall>& narrowed) {
    int ends[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0) {
        throw_errno("socketpair");
    }
    UniqueFd ours(ends[0]), theirs(ends[1]);
    // Everything the child needs is prepared here, before fork: after it the
    // child may only make async-signal-safe calls.
    const SeccompProgram program = SeccompProgram::build_notify(traced, narrowed, theirs.get());
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    const std::string path = argv.empty() ? std::string() : find_program(argv.front());
    const bool need_no_new_privs = ::geteuid() != 0;
    const int socket = theirs.get();

    const pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork");
    if (pid == 0) {
        ::close(ends[0]);
        // The listener is close-on-exec (the kernel makes it so): the
        // command never sees it.
        const int listener = install_notify_program(program.program(), need_no_new_privs);
        if (listener < 0) {
            send_record(socket, 'S', -listener, -1);
            ::_exit(126);
        }
        send_record(socket, 'L', 0, listener);
        ::execvp(path.empty() ? args[0] : path.c_str(), args.data());
        send_record(socket, 'E', errno, -1);
        ::_exit(127);
    }
    theirs.reset();
    Record record{};
    int fd = -1;
    if (!receive_record(ours.get(), record, fd, true) || record.tag != 'L' || fd < 0) {
        if (fd >= 0) ::close(fd);
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (record.tag == 'S') {
            throw std::runtime_error(
                std::string("the kernel refused a seccomp user-notify filter: ") +
                std::strerror(record.error) +
                (record.error == EBUSY ? " (the command already has a listener)" : "") +
                (record.error == EINVAL ? " (Linux 5.0 or later is needed)" : "") +
                "; --backend ptrace traces without one");
        }
        throw std::runtime_error("the traced child did not hand over its seccomp listener");
    }
    return NotifyChild(pid, UniqueFd(fd), std::move(ours));
}

int NotifyChild::exec_errno() {
    Record record{};
    int fd = -1;
    while (reports_ && receive_record(reports_.get(), record, fd, false)) {
        if (fd >= 0) ::close(fd);
        if (record.tag == 'E') return record.error;
    }
    return 0;
}

}  // namespace sctrace
