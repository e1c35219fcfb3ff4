// A call written as "<unfinished ...>" prints its own arguments, even when
// the source has reused the storage they were in by then (an Event is a
// view, valid only while it is delivered), and its exit prints the rest.
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "model/arg_tree.h"
#include "model/syscall_table.h"
#include "report/event_writer.h"

namespace sctrace {
namespace {

template <typename W>
struct Pipe {
    int fds[2] = {-1, -1};
    std::unique_ptr<W> writer;
    Pipe() {
        EXPECT_EQ(::pipe(fds), 0);
        writer = std::make_unique<W>(fds[1], SyscallSet::all());
    }
    std::string finish() {
        writer->on_end();
        writer.reset();
        ::close(fds[1]);
        std::string out;
        char buf[4096];
        for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) {
            out.append(buf, static_cast<std::size_t>(n));
        }
        ::close(fds[0]);
        return out;
    }
};

Event call_event(EventKind kind, pid_t tid, std::string_view name, const ArgTree* tree,
                 std::int64_t ret = 0) {
    SyscallEvent call;
    call.nr = syscall_number(Arch::X86_64, name).value_or(-1);
    call.name = name;
    call.decoded = tree;
    call.entry_time = 1'000'000'000;
    if (kind == EventKind::SyscallExit) {
        call.has_result = true;
        call.ret = ret;
    }
    return Event{kind, 2'000'000'000, tid, tid, call};
}

// A source with one scratch tree for every event, as a log reader has.
template <typename W>
std::string overtaken_read() {
    Pipe<W> p;
    ArgTree scratch;
    scratch.clear();
    scratch.add_int(scratch.root(), 3);
    scratch.entry_arg_count = 1;
    scratch.entry_complete = false;
    p.writer->on_event(call_event(EventKind::SyscallEntry, 101, "read", &scratch));
    scratch.clear();  // the next line reuses it
    scratch.add_text(scratch.root(), "AT_FDCWD");
    const std::string_view path = "/etc/hosts";
    scratch.add_str(scratch.root(), std::span<const char>(path.data(), path.size()), false);
    scratch.add_text(scratch.root(), "O_RDONLY");
    scratch.entry_arg_count = 3;
    scratch.entry_complete = true;
    p.writer->on_event(call_event(EventKind::SyscallEntry, 102, "openat", &scratch));
    p.writer->on_event(call_event(EventKind::SyscallExit, 102, "openat", &scratch, 4));
    scratch.clear();
    scratch.add_int(scratch.root(), 3);
    const char data[] = {'h', 'i'};
    scratch.add_str(scratch.root(), data, false);
    scratch.add_int(scratch.root(), 4096);
    scratch.entry_arg_count = 1;
    scratch.entry_complete = false;
    p.writer->on_event(call_event(EventKind::SyscallExit, 101, "read", &scratch, 2));
    return p.finish();
}

TEST(PendingEntry, StraceFormatKeepsTheEntrysOwnArguments) {
    EXPECT_EQ(overtaken_read<StraceWriter>(),
              "101   read(3,  <unfinished ...>\n"
              "102   openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = 4\n"
              "101   <... read resumed>\"hi\", 4096)     = 2\n");
}

TEST(PendingEntry, TextFormatKeepsTheEntrysOwnArgumentsAndShowsTheBuffer) {
    const std::string out = overtaken_read<TextWriter>();
    EXPECT_NE(out.find(" 101 read(3,  <unfinished ...>\n"), std::string::npos) << out;
    EXPECT_NE(out.find(" 102 openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = 4 <"), std::string::npos)
        << out;
    EXPECT_NE(out.find(" 101 <... read resumed>\"hi\", 4096) = 2 <1.000000>\n"), std::string::npos)
        << out;
}

TEST(PendingEntry, JsonlKeepsTheEntrysOwnArgumentsAndSaysTheyContinue) {
    const std::string out = overtaken_read<JsonlWriter>();
    EXPECT_NE(out.find(R"("syscall":"read")"), std::string::npos) << out;
    EXPECT_NE(out.find(R"("decoded":"3","entry_complete":false})"), std::string::npos) << out;
    EXPECT_NE(out.find(R"("decoded":"3, \"hi\", 4096","ret":2)"), std::string::npos) << out;
}

}  // namespace
}  // namespace sctrace
