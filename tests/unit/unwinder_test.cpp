// Stacks of real stopped tracees (tests/unit/unwind_target.c, built -g -O2):
// the names, files and lines a user reads in a finding, including inlined
// calls, at a signal stop, at a crash, and inside a blocking syscall.
#include "sources/live/unwinder.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace sctrace {
namespace {

using std::chrono::steady_clock;

// Only so that a broken test cannot hang the suite; never a timing check.
constexpr auto kDeadline = std::chrono::seconds(20);

// The line of unwind_target.c that carries `marker` in a comment.
int marker_line(const std::string& marker) {
    std::ifstream in(UNWIND_TARGET_SOURCE);
    std::string text;
    for (int number = 1; std::getline(in, text); ++number) {
        if (text.find(marker) != std::string::npos) return number;
    }
    ADD_FAILURE() << "no " << marker << " in " << UNWIND_TARGET_SOURCE;
    return -1;
}

std::string basename_of(const std::string& path) {
    return std::filesystem::path(path).filename().string();
}

std::string dump(const std::vector<StackFrame>& frames, const std::string& note) {
    std::string out = "stack (note: \"" + note + "\"):\n";
    for (const StackFrame& frame : frames) out += format_frame(frame) + "\n";
    return out;
}

// Index of the first frame at or after `from` whose function contains `name`,
// or frames.size().
std::size_t find_frame(const std::vector<StackFrame>& frames, const std::string& name,
                       std::size_t from = 0) {
    for (std::size_t i = from; i < frames.size(); ++i) {
        if (frames[i].function.find(name) != std::string::npos) return i;
    }
    return frames.size();
}

// unwind_target MODE, seized (PTRACE_SEIZE) before it runs a single
// instruction of its own when `seize` is set; killed and reaped at the end.
class Target {
public:
    Target(const char* mode, bool seize) {
        int go[2];
        if (pipe2(go, O_CLOEXEC) != 0) return;
        pid_ = fork();
        if (pid_ == 0) {
            char byte;
            // The parent seizes us, then lets us exec.
            if (read(go[0], &byte, 1) != 1) _exit(126);
            execl(UNWIND_TARGET_PATH, UNWIND_TARGET_PATH, mode, static_cast<char*>(nullptr));
            _exit(127);
        }
        close(go[0]);
        if (pid_ > 0 && seize && ptrace(PTRACE_SEIZE, pid_, 0, PTRACE_O_EXITKILL) != 0) {
            ADD_FAILURE() << "PTRACE_SEIZE: " << std::strerror(errno);
        }
        if (write(go[1], "g", 1) != 1) ADD_FAILURE() << "cannot start the target";
        close(go[1]);
    }
    ~Target() {
        if (pid_ <= 0) return;
        kill(pid_, SIGKILL);
        if (seized_thread_ > 0) waitpid(seized_thread_, nullptr, __WALL);
        waitpid(pid_, nullptr, __WALL);
    }
    Target(const Target&) = delete;
    Target& operator=(const Target&) = delete;

    pid_t pid() const { return pid_; }

    // Runs the seized target until its signal-delivery stop for `signal`,
    // passing other signals on. False if it exits first or takes too long.
    bool run_to_signal(int signal) {
        const auto deadline = steady_clock::now() + kDeadline;
        while (steady_clock::now() < deadline) {
            int status = 0;
            const pid_t got = waitpid(pid_, &status, __WALL | WNOHANG);
            if (got < 0) return false;
            if (got == 0) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
                continue;
            }
            if (!WIFSTOPPED(status)) return false;
            const int sig = WSTOPSIG(status);
            if (sig == signal && (status >> 16) == 0) return true;
            // Another signal, or a group-stop: pass it on and go on.
            const int inject = (status >> 16) == 0 ? sig : 0;
            ptrace(PTRACE_CONT, pid_, 0, inject);
        }
        return false;
    }

    // Waits until some non-leader thread of the (unseized) target sits in
    // futex(2), then seizes and interrupts that thread only. Returns its tid,
    // stopped, or 0.
    pid_t stop_thread_in_futex() {
        const auto deadline = steady_clock::now() + kDeadline;
        const std::string task_dir = "/proc/" + std::to_string(pid_) + "/task";
        while (steady_clock::now() < deadline) {
            std::error_code ec;
            for (const auto& entry : std::filesystem::directory_iterator(task_dir, ec)) {
                const pid_t tid = std::atoi(entry.path().filename().c_str());
                if (tid == pid_) continue;
                std::ifstream syscall_file(entry.path() / "syscall");
                std::string number;
                syscall_file >> number;
                if (number != "202") continue;  // __NR_futex on x86_64
                if (ptrace(PTRACE_SEIZE, tid, 0, 0) != 0) return 0;
                seized_thread_ = tid;
                if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) != 0) return 0;
                int status = 0;
                if (waitpid(tid, &status, __WALL) != tid || !WIFSTOPPED(status)) return 0;
                return tid;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return 0;
    }

private:
    pid_t pid_ = -1;
    pid_t seized_thread_ = -1;
};

TEST(Unwinder, StoppedInRaiseShowsTheCallChainWithFilesAndLines) {
    Target target("chain", true);
    ASSERT_TRUE(target.run_to_signal(SIGSTOP));
    Unwinder unwinder;
    std::string note;
    const auto frames = unwinder.unwind(target.pid(), target.pid(), 64, &note);
    SCOPED_TRACE(dump(frames, note));

    const std::size_t raise_at = find_frame(frames, "raise");
    const std::size_t inner_at = find_frame(frames, "inner", raise_at);
    const std::size_t outer_at = find_frame(frames, "outer", inner_at);
    const std::size_t main_at = find_frame(frames, "main", outer_at);
    ASSERT_LT(raise_at, frames.size());
    ASSERT_LT(main_at, frames.size());

    EXPECT_NE(frames[raise_at].module.find("libc"), std::string::npos);
    EXPECT_EQ(frames[inner_at].module, UNWIND_TARGET_PATH);
    EXPECT_EQ(basename_of(frames[inner_at].file), "unwind_target.c");
    // Return addresses are looked up at pc - 1: the line of the call itself.
    EXPECT_EQ(frames[inner_at].line, marker_line("MARK:inner-raise"));
    EXPECT_EQ(frames[outer_at].line, marker_line("MARK:outer-call"));
    EXPECT_EQ(frames[main_at].line, marker_line("MARK:main-call"));
    EXPECT_FALSE(frames[inner_at].inlined);
    // Plain names, as rules and people write them: no "@@GLIBC_2.34".
    EXPECT_EQ(find_frame(frames, "@"), frames.size());
    EXPECT_GT(frames[inner_at].function_offset, 0u);
}

TEST(Unwinder, CrashShowsTheFaultingInlinedFunctionThenMain) {
    Target target("segv", true);
    ASSERT_TRUE(target.run_to_signal(SIGSEGV));
    Unwinder unwinder;
    std::string note;
    const auto frames = unwinder.unwind(target.pid(), target.pid(), 64, &note);
    SCOPED_TRACE(dump(frames, note));

    ASSERT_GE(frames.size(), 2u);
    // -O2 inlined crash() into main: one pc, two frames.
    EXPECT_EQ(frames[0].function, "crash");
    EXPECT_TRUE(frames[0].inlined);
    EXPECT_EQ(basename_of(frames[0].file), "unwind_target.c");
    EXPECT_EQ(frames[0].line, marker_line("MARK:crash-write"));
    EXPECT_EQ(frames[1].function, "main");
    EXPECT_FALSE(frames[1].inlined);
    EXPECT_EQ(frames[1].pc, frames[0].pc);
    EXPECT_EQ(frames[1].line, marker_line("MARK:main-crash"));
    // The frame below main is libc's, which calls it.
    ASSERT_GE(frames.size(), 3u);
    EXPECT_NE(frames[2].module.find("libc"), std::string::npos);
}

TEST(Unwinder, ThreadBlockedOnAMutexShowsTheLockAboveTheProgram) {
    Target target("mutex", false);
    const pid_t tid = target.stop_thread_in_futex();
    ASSERT_GT(tid, 0);
    Unwinder unwinder;
    std::string note;
    const auto frames = unwinder.unwind(target.pid(), tid, 64, &note);
    SCOPED_TRACE(dump(frames, note));

    const std::size_t program_at = find_frame(frames, "blocked_on_mutex");
    ASSERT_LT(program_at, frames.size());
    bool lock_above = false;
    for (std::size_t i = 0; i < program_at; ++i) {
        const std::string& name = frames[i].function;
        if (name.find("pthread_mutex_lock") != std::string::npos ||
            name.find("lll_lock_wait") != std::string::npos)
            lock_above = true;
    }
    EXPECT_TRUE(lock_above);
    EXPECT_EQ(frames[program_at].line, marker_line("MARK:mutex-lock"));
    // ... and the thread's start below it (in libc), not main's stack.
    // start_thread is not exported: it has a name only with libc's debug
    // information (libc6-dbg); without it the frame is still there.
    ASSERT_LT(program_at + 1, frames.size());
    EXPECT_NE(frames[program_at + 1].module.find("libc.so"), std::string::npos);
    if (!frames[program_at + 1].function.empty()) {
        EXPECT_LT(find_frame(frames, "start_thread", program_at), frames.size());
    }
    EXPECT_EQ(find_frame(frames, "main"), frames.size());
}

TEST(Unwinder, SecondStackOfTheSameProcessReusesItsCaches) {
    Target target("chain", true);
    ASSERT_TRUE(target.run_to_signal(SIGSTOP));
    Unwinder unwinder;

    const auto t0 = steady_clock::now();
    const auto first = unwinder.unwind(target.pid(), target.pid());
    const auto t1 = steady_clock::now();
    const UnwinderStats after_first = unwinder.stats();
    const auto second = unwinder.unwind(target.pid(), target.pid());
    const auto t2 = steady_clock::now();
    const UnwinderStats after_second = unwinder.stats();
    // A figure for people, not an assertion.
    using us = std::chrono::microseconds;
    std::cout << "[ figure   ] first unwind " << std::chrono::duration_cast<us>(t1 - t0).count()
              << " us, second " << std::chrono::duration_cast<us>(t2 - t1).count() << " us, "
              << first.size() << " frames, " << after_first.symbols.modules_loaded
              << " modules loaded, memory block reads " << after_first.memory_block_reads
              << " then " << after_second.memory_block_reads - after_first.memory_block_reads
              << "\n";

    ASSERT_FALSE(first.empty());
    ASSERT_EQ(second.size(), first.size());
    for (std::size_t i = 0; i < first.size(); ++i) {
        EXPECT_EQ(second[i].pc, first[i].pc);
        EXPECT_EQ(second[i].function, first[i].function);
    }
    EXPECT_EQ(after_first.symbols.processes_reported, 1u);
    EXPECT_GE(after_first.symbols.modules_loaded, 2u);  // the program and libc
    EXPECT_EQ(after_second.symbols.processes_reported, 1u);
    EXPECT_EQ(after_second.symbols.modules_loaded, after_first.symbols.modules_loaded);
    EXPECT_EQ(after_second.address_spaces_created, 1u);

    EXPECT_GT(after_second.symbols.frame_cache_hits, after_first.symbols.frame_cache_hits);

    // exec or exit: forget_process drops the process's maps and libunwind
    // state; the files it mapped stay described, for the next process of the
    // same program (a fork, a rerun).
    unwinder.forget_process(target.pid());
    const auto t3 = steady_clock::now();
    const auto third = unwinder.unwind(target.pid(), target.pid());
    const auto t4 = steady_clock::now();
    const UnwinderStats after_third = unwinder.stats();
    std::cout << "[ figure   ] after forget_process (a new process, same files): "
              << std::chrono::duration_cast<us>(t4 - t3).count() << " us\n"
              << dump(third, "");
    ASSERT_EQ(third.size(), first.size());
    EXPECT_EQ(third[0].function, first[0].function);
    EXPECT_EQ(after_third.symbols.processes_reported, 2u);
    EXPECT_EQ(after_third.address_spaces_created, 2u);
    EXPECT_EQ(after_third.symbols.modules_loaded, after_first.symbols.modules_loaded);
}

TEST(Unwinder, AThreadThatIsNotStoppedGivesANoteNotAThrow) {
    Unwinder unwinder;
    std::string note;
    // Our own pid: not our tracee, so libunwind cannot read its registers.
    const auto frames = unwinder.unwind(getpid(), getpid(), 64, &note);
    EXPECT_TRUE(frames.empty());
    EXPECT_FALSE(note.empty());
}

TEST(FormatFrame, FollowsStraceDashKWithTheSourcePositionAppended) {
    StackFrame frame;
    frame.pc = 0x7f000010e53e;
    frame.module = "/usr/lib/x86_64-linux-gnu/libc.so.6";
    frame.module_offset = 0x10e53e;
    frame.function = "__connect";
    frame.function_offset = 0x14;
    EXPECT_EQ(format_frame(frame),
              " > /usr/lib/x86_64-linux-gnu/libc.so.6(__connect+0x14) [0x10e53e]");

    frame.file = "/src/fatal-signal.c";
    frame.line = 24;
    EXPECT_EQ(format_frame(frame),
              " > /usr/lib/x86_64-linux-gnu/libc.so.6(__connect+0x14) [0x10e53e] at "
              "/src/fatal-signal.c:24");

    frame.function = "WTFCrash";
    frame.inlined = true;
    frame.line = 15;
    EXPECT_EQ(format_frame(frame),
              " > /usr/lib/x86_64-linux-gnu/libc.so.6(WTFCrash) [0x10e53e] at "
              "/src/fatal-signal.c:15 (inlined)");

    StackFrame nowhere;
    nowhere.pc = 0xdeadbeef;
    EXPECT_EQ(format_frame(nowhere), " > ?? [0xdeadbeef]");
}

}  // namespace
}  // namespace sctrace
