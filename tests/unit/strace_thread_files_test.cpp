// strace -ff -o PREFIX (report/strace_thread_files.h): a file per thread,
// PREFIX.TID, lines without a thread id, calls never cut by other threads.
#include "report/strace_thread_files.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "model/syscall_table.h"

namespace sctrace {
namespace {

namespace fs = std::filesystem;

class ThreadFiles : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "sctrace-ff-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string prefix() const { return (dir_ / "trace").string(); }
    std::string read(pid_t tid) const {
        std::ifstream in(prefix() + "." + std::to_string(tid));
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
    std::vector<std::string> files() const {
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
        std::sort(names.begin(), names.end());
        return names;
    }

    fs::path dir_;
};

Event call(EventKind kind, pid_t pid, pid_t tid, const char* name, std::int64_t ret = 0) {
    SyscallEvent c;
    c.nr = *syscall_number(Arch::X86_64, name);
    c.name = name;
    c.entry_time = 1;
    c.has_result = kind == EventKind::SyscallExit;
    c.ret = ret;
    return Event{kind, 2, pid, tid, c};
}

Event exit_of(pid_t pid, pid_t tid, int code) {
    ExitEvent e;
    e.whole_process = pid == tid;
    e.code = code;
    return Event{EventKind::Exit, 3, pid, tid, e};
}

TEST_F(ThreadFiles, EachThreadWritesItsOwnFileWithoutThreadIds) {
    {
        StraceThreadFiles writer(prefix(), false, SyscallSet::all(), {});
        writer.on_event(Event{EventKind::Spawn, 1, 10, 10, SpawnEvent{SpawnKind::Thread, 10, 11}});
        // The two threads' calls overlap: in a shared stream 10's would be cut.
        writer.on_event(call(EventKind::SyscallEntry, 10, 10, "getppid"));
        writer.on_event(call(EventKind::SyscallEntry, 10, 11, "getppid"));
        writer.on_event(call(EventKind::SyscallExit, 10, 11, "getppid", 1));
        writer.on_event(call(EventKind::SyscallExit, 10, 10, "getppid", 1));
        writer.on_event(exit_of(10, 11, 0));
        writer.on_event(exit_of(10, 10, 0));
        writer.on_end();
        EXPECT_FALSE(writer.lost());
    }
    EXPECT_EQ(files(), (std::vector<std::string>{"trace.10", "trace.11"}));
    const std::string line = "getppid()                               = 1\n+++ exited with 0 +++\n";
    EXPECT_EQ(read(10), line);
    EXPECT_EQ(read(11), line);
}

TEST_F(ThreadFiles, AThreadWithNoLinesStillHasItsFile) {
    {
        StraceThreadFiles writer(prefix(), false, SyscallSet::none(), {});
        writer.on_event(Event{EventKind::Spawn, 1, 10, 10, SpawnEvent{SpawnKind::Fork, 12, 12}});
        writer.on_end();
    }
    EXPECT_EQ(files(), (std::vector<std::string>{"trace.10", "trace.12"}));
    EXPECT_EQ(read(12), "");
}

TEST_F(ThreadFiles, AnExecFromAnotherThreadGoesOnInTheLeadersFile) {
    {
        StraceThreadFiles writer(prefix(), false, SyscallSet::all(), {});
        writer.on_event(call(EventKind::SyscallEntry, 10, 11, "execve"));
        ExecEvent exec;
        exec.former_tid = 11;
        writer.on_event(Event{EventKind::Exec, 2, 10, 10, exec});
        writer.on_event(call(EventKind::SyscallExit, 10, 10, "execve"));
        writer.on_end();
    }
    EXPECT_EQ(read(11), "execve(0, 0, 0 <pid changed to 10 ...>\n");
    EXPECT_EQ(read(10), "<... execve resumed>)                   = 0\n");
}

TEST_F(ThreadFiles, AppendKeepsWhatTheFileHeld) {
    std::ofstream(prefix() + ".10") << "before\n";
    {
        StraceThreadFiles writer(prefix(), true, SyscallSet::all(), {});
        writer.on_event(exit_of(10, 10, 3));
        writer.on_end();
    }
    EXPECT_EQ(read(10), "before\n+++ exited with 3 +++\n");
}

TEST_F(ThreadFiles, AFileThatCannotBeCreatedIsLostNotFatal) {
    {
        StraceThreadFiles writer((dir_ / "missing" / "trace").string(), false, SyscallSet::all(),
                                 {});
        writer.on_event(exit_of(10, 10, 0));
        writer.on_end();
        EXPECT_TRUE(writer.lost());
    }
    EXPECT_TRUE(files().empty());
}

}  // namespace
}  // namespace sctrace
