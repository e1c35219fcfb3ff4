#include "sources/notify/listener.h"

#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/system_error.h"

namespace sctrace {

namespace {

// Linux 6.6's synchronous wake-up: the kernel wakes the listener's thread on
// the notifying thread's CPU and hands that CPU over, as it does for a
// ptrace stop, instead of waking it wherever it slept. Defined here for
// headers older than the kernel.
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

}  // namespace

NotifyListener::NotifyListener(UniqueFd fd) : fd_(std::move(fd)) {
    seccomp_notif_sizes sizes{};
    if (::syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) {
        throw_errno("seccomp(SECCOMP_GET_NOTIF_SIZES)");
    }
    notif_.resize(std::max<std::size_t>(sizes.seccomp_notif, sizeof(seccomp_notif)));
    resp_.resize(std::max<std::size_t>(sizes.seccomp_notif_resp, sizeof(seccomp_notif_resp)));
    // Older kernels refuse it (EINVAL): the wake-up is then the usual one.
    ::ioctl(fd_.get(), SECCOMP_IOCTL_NOTIF_SET_FLAGS,
            static_cast<std::uint64_t>(SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP));
}

NotifyListener::Wait NotifyListener::wait(std::chrono::milliseconds timeout, int wake_fd) {
    pollfd fds[2] = {{fd_.get(), POLLIN, 0}, {wake_fd, POLLIN, 0}};
    const int n = ::poll(fds, wake_fd >= 0 ? 2 : 1,
                         timeout.count() < 0 ? -1 : static_cast<int>(timeout.count()));
    Wait w;
    if (n < 0 && errno != EINTR) throw_errno("poll on the seccomp listener");
    if (n <= 0) return w;
    w.ready = fds[0].revents & POLLIN;
    // Pending calls are served before the end is taken.
    w.finished = !w.ready && (fds[0].revents & (POLLHUP | POLLERR));
    w.woken = wake_fd >= 0 && (fds[1].revents & POLLIN);
    return w;
}

bool NotifyListener::receive(Notification& out) {
    std::fill(notif_.begin(), notif_.end(), 0);  // the kernel insists on zeros
    if (::ioctl(fd_.get(), SECCOMP_IOCTL_NOTIF_RECV, notif_.data()) != 0) {
        if (errno == ENOENT || errno == EINTR) return false;
        throw_errno("receiving a seccomp notification");
    }
    seccomp_notif n;
    std::memcpy(&n, notif_.data(), sizeof n);
    out.id = n.id;
    out.tid = static_cast<pid_t>(n.pid);
    out.audit_arch = n.data.arch;
    out.nr = n.data.nr;
    out.instruction_pointer = n.data.instruction_pointer;
    for (std::size_t i = 0; i < out.args.size(); ++i) out.args[i] = n.data.args[i];
    return true;
}

bool NotifyListener::still_pending(std::uint64_t id) const {
    return ::ioctl(fd_.get(), SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

void NotifyListener::let_continue(std::uint64_t id) {
    std::fill(resp_.begin(), resp_.end(), 0);
    seccomp_notif_resp r{};
    r.id = id;
    r.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    std::memcpy(resp_.data(), &r, sizeof r);
    if (::ioctl(fd_.get(), SECCOMP_IOCTL_NOTIF_SEND, resp_.data()) != 0 && errno != ENOENT) {
        throw_errno("answering a seccomp notification");
    }
}

}  // namespace sctrace
