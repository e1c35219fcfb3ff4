// strace -k's stack lines: their shape (report/strace_format.h) and where the
// strace writer puts them, with stacks from a stand-in for the live source.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "model/syscall_table.h"
#include "report/event_writer.h"
#include "report/strace_format.h"

namespace sctrace {
namespace {

StackFrame frame(std::string module, std::string symbol, std::uint64_t offset,
                 std::uint64_t file_offset, std::uint64_t pc = 0x7f0000001000) {
    StackFrame f;
    f.pc = pc;
    f.module = std::move(module);
    f.elf_symbol = std::move(symbol);
    f.elf_symbol_offset = offset;
    f.file_offset = file_offset;
    return f;
}

std::string stack_text(const std::vector<StackFrame>& frames, bool taken_earlier = false) {
    fmt::memory_buffer out;
    append_strace_stack(out, frames, taken_earlier);
    return fmt::to_string(out);
}

TEST(StraceStack, FramesAsStracePrintsThem) {
    StackFrame inlined = frame("/bin/prog", "", 0, 0x1100);
    inlined.inlined = true;  // libunwind has no inlined frames: not a line
    inlined.function = "helper";
    EXPECT_EQ(stack_text({frame("/usr/lib/x86_64-linux-gnu/libc.so.6", "__write", 0x10, 0xf8350),
                          inlined, frame("/usr/bin/echo", "", 0, 0x60c4),
                          frame("/tmp/prog", "_ZN2ns2f3Ei", 0x9c, 0x13dc),
                          frame("[vdso: 4711]", "__vdso_clock_gettime", 0x4, 0xa24)}),
              " > /usr/lib/x86_64-linux-gnu/libc.so.6(__write+0x10) [0xf8350]\n"
              " > /usr/bin/echo() [0x60c4]\n"
              " > /tmp/prog(ns::f3(int)+0x9c) [0x13dc]\n"
              " > [vdso](__vdso_clock_gettime+0x4) [0xa24]\n");
}

TEST(StraceStack, AStackTakenEarlierWritesAMissingSymbolAsPlusZero) {
    EXPECT_EQ(stack_text({frame("/usr/bin/echo", "", 0, 0x2901)}, true),
              " > /usr/bin/echo(+0x0) [0x2901]\n");
}

TEST(StraceStack, APcOutsideEveryFileEndsTheWalk) {
    StackFrame lost;
    lost.pc = 0x7f00deadbeef;
    EXPECT_EQ(stack_text({frame("/bin/prog", "main", 0x1a, 0x109a), lost,
                          frame("/bin/prog", "_start", 0x21, 0x10c1)}),
              " > /bin/prog(main+0x1a) [0x109a]\n"
              " > unexpected_backtracing_error [0x7f00deadbeef]\n");
}

TEST(StraceStack, PastTwoHundredFiftySixFramesStraceStops) {
    const std::vector<StackFrame> deep(300, frame("/bin/prog", "recurse", 0x10, 0x1000));
    const std::string text = stack_text(deep);
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 257);
    EXPECT_TRUE(text.ends_with(" > /bin/prog(recurse+0x10) [0x1000]\n > too many stack frames\n"));
}

// Answers every thread's stack with one frame naming the thread and how
// often it was asked.
struct FakeStacks final : StackTaker {
    std::map<pid_t, int> asked;
    ThreadStack thread_stack(pid_t tid, std::size_t /*max_frames*/ = kStackFrames) override {
        const int n = ++asked[tid];
        return ThreadStack{
            tid, "", {frame("/bin/t" + std::to_string(tid), "at" + std::to_string(n), 1, 2)}};
    }
    std::vector<ThreadStack> process_stacks(pid_t) override { return {}; }
};

Event call(EventKind kind, pid_t tid, const char* name, bool returned = true) {
    SyscallEvent c;
    c.nr = *syscall_number(Arch::X86_64, name);
    c.name = name;
    c.entry_time = 1;
    c.has_result = kind == EventKind::SyscallExit && returned;
    return Event{kind, 2, tid, tid, c};
}

// Runs the events through a -k writer, each followed by the safe point the
// live source gives its sinks.
std::string traced(const std::vector<Event>& events, FakeStacks& stacks, bool launched) {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    {
        StraceLayout layout;
        layout.pid_prefix = StraceLayout::PidPrefix::Never;
        layout.stack_traces = true;
        layout.launched = launched;
        StraceWriter writer(fds[1], SyscallSet::all(), "pipe", layout);
        for (const Event& e : events) {
            writer.on_event(e);
            writer.at_safe_point(stacks);
        }
        writer.on_end();
    }
    ::close(fds[1]);
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) {
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    return out;
}

TEST(StraceWriterStacks, EachCallAndSignalLineIsFollowedByItsStackAtThatMoment) {
    FakeStacks stacks;
    SignalEvent sig;
    sig.signo = 23;  // SIGURG
    const std::string out =
        traced({call(EventKind::SyscallEntry, 7, "getpid"),
                call(EventKind::SyscallExit, 7, "getpid"), Event{EventKind::Signal, 3, 7, 7, sig}},
               stacks, true);
    EXPECT_EQ(out,
              "getpid()                                = 0\n"
              " > /bin/t7(at1+0x1) [0x2]\n"
              "--- SIGURG {si_signo=SIGURG, si_code=SI_USER, si_pid=0, si_uid=0} ---\n"
              " > /bin/t7(at2+0x1) [0x2]\n");
}

TEST(StraceWriterStacks, ExecveShowsItsCallersStackExceptTheCommandsOwnFirst) {
    FakeStacks stacks;
    // The launched command's own execve: the new program's stack, at the exit.
    const std::string first = traced(
        {call(EventKind::SyscallEntry, 7, "execve"), call(EventKind::SyscallExit, 7, "execve"),
         call(EventKind::SyscallEntry, 7, "execve"), call(EventKind::SyscallExit, 7, "execve")},
        stacks, true);
    // The second one: the stack of its entry (asked third), printed as
    // strace prints a stack taken earlier.
    EXPECT_EQ(first,
              "execve(0, 0, 0)                         = 0\n"
              " > /bin/t7(at1+0x1) [0x2]\n"
              "execve(0, 0, 0)                         = 0\n"
              " > /bin/t7(at2+0x1) [0x2]\n");
    EXPECT_EQ(stacks.asked[7], 2);
}

TEST(StraceWriterStacks, ExitGroupsStackFollowsTheThreadsEnd) {
    FakeStacks stacks;
    ExitEvent end;
    end.whole_process = true;
    const std::string out = traced({call(EventKind::SyscallEntry, 7, "exit_group"),
                                    call(EventKind::SyscallExit, 7, "exit_group", false),
                                    Event{EventKind::Exit, 3, 7, 7, end}},
                                   stacks, true);
    EXPECT_EQ(out,
              "exit_group(0)                           = ?\n"
              "+++ exited with 0 +++\n"
              " > /bin/t7(at1+0x1) [0x2]\n");
}

}  // namespace
}  // namespace sctrace
