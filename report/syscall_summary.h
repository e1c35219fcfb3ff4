// strace's call summary (-c, -C): per syscall, how many calls returned, how
// many of them failed and how long they took, as strace 6.1's table when the
// trace ends:
//
//   % time     seconds  usecs/call     calls    errors syscall
//   ------ ----------- ----------- --------- --------- ----------------
//    33.67    0.000431          12        34        13 openat
//   ...
//   ------ ----------- ----------- --------- --------- ----------------
//   100.00    0.001280           8       144        19 total
//
// One table per ABI the calls were made through (x86_64 first, without a
// title; then "System call usage summary for 32 bit mode:" and "... for x32
// mode:").
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "base/nanos_math.h"
#include "model/event.h"
#include "model/syscall_set.h"
#include "report/output_stream.h"

namespace sctrace {

// The table's columns (-U) and what it is sorted by (-S).
enum class SummaryColumn : std::uint8_t {
    None,         // -S none: no sorting, the calls in the order of their numbers
    TimePercent,  // "% time": the call's share of the total
    TotalTime,    // "seconds"
    MinTime,      // "shortest"
    MaxTime,      // "longest"
    AvgTime,      // "usecs/call"
    Calls,
    Errors,
    Name,  // "syscall"
};

// The column strace 6.1 calls `name` (-U time,calls,name; -S avg_time),
// None for "none" and "nothing"; nullopt for a word it does not know.
std::optional<SummaryColumn> summary_column_named(std::string_view name);

// How the table is made.
struct SummaryLayout {
    std::vector<SummaryColumn> columns = {SummaryColumn::TimePercent, SummaryColumn::TotalTime,
                                          SummaryColumn::AvgTime,     SummaryColumn::Calls,
                                          SummaryColumn::Errors,      SummaryColumn::Name};
    SummaryColumn sort_by = SummaryColumn::TotalTime;  // -S (strace's default: time)
    // -w: a call's time is the wall clock from entry to exit; otherwise the
    // system CPU time its process spent meanwhile (SyscallEvent::system_time).
    bool wall_clock = false;
    Nanos overhead = 0;  // -O: taken off every call's time (never below 0)
};

// Parses -U's list (strace's words, comma-separated). The Name column is
// added at the end when the list lacks it. On a bad list, returns nullopt
// and sets *error to strace's sentence.
std::optional<std::vector<SummaryColumn>> parse_summary_columns(std::string_view list,
                                                                std::string* error);

// Parses -O's time: a number (integer or floating point) with an optional
// unit s, ms, us (the default) or ns.
std::optional<Nanos> parse_summary_overhead(std::string_view text);

// The figures of one syscall.
struct CallCounts {
    std::uint64_t calls = 0;
    std::uint64_t errors = 0;
    Nanos total = 0;
    Nanos min = 0;  // meaningful once calls > 0
    Nanos max = 0;
};

// The figures of every syscall, per ABI, by number.
class SyscallCounts {
public:
    // One call that returned: its time (already less the overhead, >= 0)
    // and whether it failed. Numbers outside the ABI's table are ignored.
    void add(Arch arch, std::int32_t nr, Nanos spent, bool failed);

    // The counts of `arch`, indexed by syscall number (x32: without
    // kX32SyscallBit); empty when no call of that ABI was counted.
    const std::vector<CallCounts>& of(Arch arch) const;

private:
    std::array<std::vector<CallCounts>, 3> by_arch_;  // X86_64, I386, X32
};

// Appends the tables to `out`, as strace 6.1 prints them; nothing when no
// call was counted.
void append_summary_tables(fmt::memory_buffer& out, const SyscallCounts& counts,
                           const SummaryLayout& layout);

// The sink behind -c and -C: counts the calls `display` shows (and, with
// -P, only those naming one of `paths`) as they return, and writes the
// tables to `fd` (not owned) when the trace ends.
class SummaryWriter final : public EventSink {
public:
    SummaryWriter(int fd, std::string name, SyscallSet display, SummaryLayout layout,
                  std::vector<std::string> paths = {});

    void on_event(const Event& event) override;
    void on_end() override;

    OutputStream& output() { return stream_; }

private:
    OutputStream stream_;
    SyscallSet display_;
    SummaryLayout layout_;
    std::vector<std::string> paths_;
    SyscallCounts counts_;
};

}  // namespace sctrace
