// The prefilter's decisions, checked in a child with no tracer: a call the
// filter traces fails there with ENOSYS (nobody answers SECCOMP_RET_TRACE),
// a call it lets through runs. So each call's errno says whether it would
// have stopped.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "model/syscall_set.h"
#include "model/syscall_table.h"
#include "sources/live/seccomp_filter.h"

namespace sctrace {
namespace {

// Runs `probe` in a child under `program`; returns its exit code.
template <typename Probe>
int under_filter(const SeccompProgram& program, Probe probe) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (install_seccomp_program(program.program(), /*set_no_new_privs=*/true) != 0) _exit(100);
        _exit(probe());
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

// Bit 0: F_GETFL stopped; bit 1: F_SETFL stopped; bit 2: F_GETFD stopped.
int fcntl_stops() {
    const int fd = ::open("/dev/null", O_RDONLY);
    const auto stops = [](int rc) { return rc == -1 && errno == ENOSYS; };
    int bits = 0;
    const int flags = ::fcntl(fd, F_GETFL);
    if (stops(flags)) bits |= 1;
    if (stops(::fcntl(fd, F_SETFL, O_RDONLY))) bits |= 2;
    if (stops(::fcntl(fd, F_GETFD))) bits |= 4;
    return bits;
}

SyscallSet fcntl_only() {
    SyscallSet set;
    set.add(*syscall_number(Arch::X86_64, "fcntl"));
    return set;
}

TEST(SeccompFilter, ATracedCallStopsWhateverItsArguments) {
    EXPECT_EQ(under_filter(SeccompProgram::build(fcntl_only()), fcntl_stops), 1 | 2 | 4);
}

TEST(SeccompFilter, ANarrowedCallStopsOnlyWithTheNamedArgumentValues) {
    const NarrowedCall setfl{*syscall_number(Arch::X86_64, "fcntl"), 1, {F_SETFL, F_DUPFD}};
    EXPECT_EQ(under_filter(SeccompProgram::build(fcntl_only(), {setfl}), fcntl_stops), 2);
}

TEST(SeccompFilter, TheStateTrackersNarrowingOfFcntlKeepsTheCommandsItReads) {
    // The traits table's tracked_if for fcntl: what StateTracker reads.
    const SyscallInfo* info = syscall_info(Arch::X86_64, "fcntl");
    ASSERT_NE(info, nullptr);
    ASSERT_EQ(info->traits.tracked_if_arg, 1);
    const auto* begin = info->traits.tracked_if.data();
    const std::vector<std::uint32_t> values(begin, begin + info->traits.tracked_if_count);
    for (const int cmd : {F_SETFL, F_SETFD, F_DUPFD, F_DUPFD_CLOEXEC}) {
        EXPECT_NE(std::find(values.begin(), values.end(), static_cast<std::uint32_t>(cmd)),
                  values.end())
            << cmd;
    }
    EXPECT_EQ(std::find(values.begin(), values.end(), static_cast<std::uint32_t>(F_GETFL)),
              values.end());
}

}  // namespace
}  // namespace sctrace
