// strace -c's table (report/syscall_summary.h) on counts made up here: the
// widths, orders, rounding and blanks strace 6.1 prints.
#include "report/syscall_summary.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "model/syscall_table.h"

namespace sctrace {
namespace {

constexpr Nanos kUs = 1000;

std::int32_t nr(const char* name, Arch arch = Arch::X86_64) {
    return *syscall_number(arch, name);
}

// `calls` calls of `name`, whose times add up to `total` (the first call
// takes what the others leave: min and max follow).
void add_calls(SyscallCounts& counts, const char* name, int calls, Nanos total, int errors = 0,
               Arch arch = Arch::X86_64) {
    const Nanos each = total / calls;
    for (int i = 0; i < calls; ++i) {
        const Nanos spent = i == 0 ? total - each * (calls - 1) : each;
        counts.add(arch, nr(name, arch), spent, i < errors);
    }
}

std::string table(const SyscallCounts& counts, const SummaryLayout& layout = {}) {
    fmt::memory_buffer out;
    append_summary_tables(out, counts, layout);
    return fmt::to_string(out);
}

SyscallCounts sample() {
    SyscallCounts counts;
    add_calls(counts, "openat", 34, 431 * kUs, 13);
    add_calls(counts, "read", 7, 110 * kUs);
    add_calls(counts, "close", 23, 99 * kUs);
    add_calls(counts, "execve", 1, 0);
    add_calls(counts, "mprotect", 5, 0);
    return counts;
}

TEST(SummaryTable, DefaultColumnsSortedByTimeTiesByNumber) {
    // usecs/call is the rounded mean in whole microseconds (431/34 = 12.7 -> 12);
    // equal times keep the calls' numeric order (mprotect 10 before execve 59).
    EXPECT_EQ(table(sample()),
              "% time     seconds  usecs/call     calls    errors syscall\n"
              "------ ----------- ----------- --------- --------- ----------------\n"
              " 67.34    0.000431          12        34        13 openat\n"
              " 17.19    0.000110          15         7           read\n"
              " 15.47    0.000099           4        23           close\n"
              "  0.00    0.000000           0         5           mprotect\n"
              "  0.00    0.000000           0         1           execve\n"
              "------ ----------- ----------- --------- --------- ----------------\n"
              "100.00    0.000640           9        70        13 total\n");
}

TEST(SummaryTable, NothingCountedPrintsNothing) {
    EXPECT_EQ(table(SyscallCounts{}), "");
}

TEST(SummaryTable, AllTimesZeroGivesZeroPercentNotNan) {
    SyscallCounts counts;
    add_calls(counts, "write", 1, 0);
    EXPECT_EQ(table(counts),
              "% time     seconds  usecs/call     calls    errors syscall\n"
              "------ ----------- ----------- --------- --------- ----------------\n"
              "  0.00    0.000000           0         1           write\n"
              "------ ----------- ----------- --------- --------- ----------------\n"
              "100.00    0.000000           0         1           total\n");
}

TEST(SummaryTable, ColumnsWidenForLongNamesAndLargeFigures) {
    SyscallCounts counts;
    // 123456.5 s in one call of a 17-character name: the seconds, usecs/call
    // and name columns grow to fit.
    counts.add(Arch::X86_64, nr("sched_setaffinity"), 123456'500'000'000, false);
    add_calls(counts, "getpid", 3, 3 * kUs);
    EXPECT_EQ(table(counts),
              "% time       seconds   usecs/call     calls    errors syscall\n"
              "------ ------------- ------------ --------- --------- ------------------\n"
              "100.00 123456.500000 123456500000         1           sched_setaffinity\n"
              "  0.00      0.000003            1         3           getpid\n"
              "------ ------------- ------------ --------- --------- ------------------\n"
              "100.00 123456.500003  30864125000         4           total\n");
}

TEST(SummaryTable, ChosenColumnsKeepTheirOrderAndPadTheName) {
    SummaryLayout layout;
    std::string error;
    layout.columns = *parse_summary_columns("name,calls,errors", &error);
    layout.sort_by = SummaryColumn::None;
    // Not last, the name is padded; errors last still fills its width.
    EXPECT_EQ(table(sample(), layout),
              "syscall              calls    errors\n"
              "---------------- --------- ---------\n"
              "read                     7          \n"
              "close                   23          \n"
              "mprotect                 5          \n"
              "execve                   1          \n"
              "openat                  34        13\n"
              "---------------- --------- ---------\n"
              "total                   70        13\n");
}

TEST(SummaryTable, MinMaxAndAverageColumns) {
    SyscallCounts counts;
    counts.add(Arch::X86_64, nr("read"), 5'000'000, false);
    counts.add(Arch::X86_64, nr("read"), 20'000'000, false);
    counts.add(Arch::X86_64, nr("write"), 2'500'000'000, true);
    SummaryLayout layout;
    std::string error;
    layout.columns =
        *parse_summary_columns("time,min-time,max-time,avg-time,total-time,calls", &error);
    layout.sort_by = SummaryColumn::Name;
    // The name comes last though not asked for; "longest" is as wide as
    // "2.000000" (the longest call's whole seconds and six places).
    EXPECT_EQ(table(counts, layout),
              "% time shortest  longest  usecs/call     seconds     calls syscall\n"
              "------ -------- -------- ----------- ----------- --------- ----------------\n"
              "  0.99 0.005000 0.020000       12500    0.025000         2 read\n"
              " 99.01 2.500000 2.500000     2500000    2.500000         1 write\n"
              "------ -------- -------- ----------- ----------- --------- ----------------\n"
              "100.00 0.005000 2.500000      841666    2.525000         3 total\n");
}

TEST(SummaryTable, SortKeys) {
    SyscallCounts counts;
    add_calls(counts, "read", 2, 100 * kUs, 0);   // avg 50, min 50
    add_calls(counts, "write", 5, 60 * kUs, 1);   // avg 12
    add_calls(counts, "close", 1, 70 * kUs, 0);   // avg 70
    add_calls(counts, "openat", 3, 30 * kUs, 3);  // avg 10
    auto order = [&](SummaryColumn by) {
        SummaryLayout layout;
        layout.columns = {SummaryColumn::Name};
        layout.sort_by = by;
        std::string names;
        const std::string t = table(counts, layout);
        // Rows between the two rules.
        std::size_t at = t.find('\n', t.find('\n') + 1) + 1;
        for (std::size_t end; (end = t.find('\n', at)) != std::string::npos && t[at] != '-';
             at = end + 1) {
            names += t.substr(at, end - at) + " ";
        }
        return names;
    };
    EXPECT_EQ(order(SummaryColumn::TotalTime), "read close write openat ");
    EXPECT_EQ(order(SummaryColumn::AvgTime), "close read write openat ");
    EXPECT_EQ(order(SummaryColumn::Calls), "write openat read close ");
    EXPECT_EQ(order(SummaryColumn::Errors), "openat write read close ");
    EXPECT_EQ(order(SummaryColumn::Name), "close openat read write ");
    EXPECT_EQ(order(SummaryColumn::MaxTime), "close read write openat ");
    EXPECT_EQ(order(SummaryColumn::MinTime), "close read write openat ");
    EXPECT_EQ(order(SummaryColumn::None), "read write close openat ");
}

TEST(SummaryTable, EachAbiHasItsTableAfterTheNativeOne) {
    SyscallCounts counts;
    add_calls(counts, "getpid", 2, 0, 0, Arch::I386);
    add_calls(counts, "read", 1, 0);
    const std::string t = table(counts);
    const auto native = t.find("read\n");
    const auto title = t.find("System call usage summary for 32 bit mode:\n% time");
    ASSERT_NE(native, std::string::npos);
    ASSERT_NE(title, std::string::npos);
    EXPECT_LT(native, title);
    EXPECT_NE(t.find("getpid\n", title), std::string::npos);
    EXPECT_EQ(t.find("getpid\n"), t.find("getpid\n", title));
}

TEST(SummaryTable, UnknownNumbersAreNotCounted) {
    SyscallCounts counts;
    counts.add(Arch::X86_64, 5000, 10, false);
    counts.add(Arch::X86_64, -1, 10, false);
    EXPECT_EQ(table(counts), "");
}

TEST(SummaryColumns, StraceWordsAndErrors) {
    EXPECT_EQ(summary_column_named("time_total"), SummaryColumn::TotalTime);
    EXPECT_EQ(summary_column_named("shortest"), SummaryColumn::MinTime);
    EXPECT_EQ(summary_column_named("longest"), SummaryColumn::MaxTime);
    EXPECT_EQ(summary_column_named("count"), SummaryColumn::Calls);
    EXPECT_EQ(summary_column_named("nothing"), SummaryColumn::None);
    EXPECT_FALSE(summary_column_named("bogus"));

    std::string error;
    EXPECT_FALSE(parse_summary_columns("time,bogus,name", &error));
    EXPECT_EQ(error, "unknown column name: 'bogus'");
    EXPECT_FALSE(parse_summary_columns("none", &error));
    EXPECT_EQ(error, "unknown column name: 'none'");
    EXPECT_FALSE(parse_summary_columns("calls,", &error));
    EXPECT_EQ(error, "unknown column name: ''");
    EXPECT_FALSE(parse_summary_columns("calls,time,count,name", &error));
    EXPECT_EQ(error,
              "call summary column has been provided more than once: 'count' (-U option "
              "residual: 'count,name')");
    const auto columns = parse_summary_columns("errors", &error);
    ASSERT_TRUE(columns);
    EXPECT_EQ(*columns, (std::vector<SummaryColumn>{SummaryColumn::Errors, SummaryColumn::Name}));
}

TEST(SummaryOverhead, UnitsAndForms) {
    EXPECT_EQ(parse_summary_overhead("1"), 1000);  // microseconds by default
    EXPECT_EQ(parse_summary_overhead("4.5e2ms"), 450'000'000);
    EXPECT_EQ(parse_summary_overhead("4.5e-1s"), 450'000'000);
    EXPECT_EQ(parse_summary_overhead("456789012ns"), 456'789'012);
    EXPECT_EQ(parse_summary_overhead("2s"), 2'000'000'000);
    EXPECT_EQ(parse_summary_overhead("1.5"), 1500);
    EXPECT_FALSE(parse_summary_overhead(""));
    EXPECT_FALSE(parse_summary_overhead("abc"));
    EXPECT_FALSE(parse_summary_overhead("1x"));
    EXPECT_FALSE(parse_summary_overhead("-1"));
}

// The writer counts what returned, by the time -w chooses, less -O.
std::string summarize(const std::vector<Event>& events, SummaryLayout layout,
                      SyscallSet display = SyscallSet::all()) {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    {
        SummaryWriter writer(fds[1], "pipe", display, std::move(layout));
        for (const Event& e : events) writer.on_event(e);
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

Event exit_event(const char* name, Nanos entry, Nanos exit, Nanos system, bool failed,
                 bool returned = true) {
    SyscallEvent call;
    call.nr = nr(name);
    call.name = name;
    call.entry_time = entry;
    call.has_result = returned;
    call.err = failed ? 2 : 0;
    call.ret = failed ? -1 : 0;
    call.system_time = system;
    return Event{EventKind::SyscallExit, exit, 10, 10, call};
}

TEST(SummaryWriter, SystemTimeByDefaultWallClockWithW) {
    const std::vector<Event> events = {
        exit_event("nanosleep", 0, 1'000'000'000, 3 * kUs, false),
        exit_event("nanosleep", 2'000'000'000, 2'500'000'000, 1 * kUs, true),
        // exit_group never returns: strace does not count it.
        exit_event("exit_group", 3'000'000'000, 3'000'000'100, -1, false, false),
    };
    const std::string cpu = summarize(events, {});
    EXPECT_NE(cpu.find("100.00    0.000004           2         2         1 nanosleep\n"),
              std::string::npos)
        << cpu;
    EXPECT_EQ(cpu.find("exit_group"), std::string::npos);
    SummaryLayout wall;
    wall.wall_clock = true;
    wall.overhead = 250'000'000;  // -O250ms off each call
    const std::string w = summarize(events, wall);
    EXPECT_NE(w.find("100.00    1.000000      500000         2         1 nanosleep\n"),
              std::string::npos)
        << w;
}

TEST(SummaryWriter, OnlyDisplayedCallsAndNoNegativeTimes) {
    SyscallSet display;
    display.add(nr("read"));
    SummaryLayout layout;
    layout.overhead = 10 * kUs;  // more than any call took: counted as 0
    const std::string out = summarize(
        {exit_event("read", 0, 5, 2 * kUs, false), exit_event("write", 0, 5, 2 * kUs, false)},
        layout, display);
    EXPECT_NE(out.find("  0.00    0.000000           0         1           read\n"),
              std::string::npos)
        << out;
    EXPECT_EQ(out.find("write"), std::string::npos);
}

}  // namespace
}  // namespace sctrace
