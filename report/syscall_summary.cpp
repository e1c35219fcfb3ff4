#include "report/syscall_summary.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <numeric>

#include "model/syscall_table.h"
#include "report/strace_format.h"

namespace sctrace {

namespace {

struct ColumnName {
    std::string_view name;
    SummaryColumn column;
};

// strace 6.1's words for the columns, in its order (-U and -S take the same).
constexpr ColumnName kColumnNames[] = {
    {"time", SummaryColumn::TimePercent},
    {"time_percent", SummaryColumn::TimePercent},
    {"time-percent", SummaryColumn::TimePercent},
    {"time_total", SummaryColumn::TotalTime},
    {"time-total", SummaryColumn::TotalTime},
    {"total_time", SummaryColumn::TotalTime},
    {"total-time", SummaryColumn::TotalTime},
    {"min_time", SummaryColumn::MinTime},
    {"min-time", SummaryColumn::MinTime},
    {"shortest", SummaryColumn::MinTime},
    {"time_min", SummaryColumn::MinTime},
    {"time-min", SummaryColumn::MinTime},
    {"longest", SummaryColumn::MaxTime},
    {"max_time", SummaryColumn::MaxTime},
    {"max-time", SummaryColumn::MaxTime},
    {"time_max", SummaryColumn::MaxTime},
    {"time-max", SummaryColumn::MaxTime},
    {"avg_time", SummaryColumn::AvgTime},
    {"avg-time", SummaryColumn::AvgTime},
    {"time_avg", SummaryColumn::AvgTime},
    {"time-avg", SummaryColumn::AvgTime},
    {"calls", SummaryColumn::Calls},
    {"count", SummaryColumn::Calls},
    {"error", SummaryColumn::Errors},
    {"errors", SummaryColumn::Errors},
    {"name", SummaryColumn::Name},
    {"syscall", SummaryColumn::Name},
    {"syscall_name", SummaryColumn::Name},
    {"syscall-name", SummaryColumn::Name},
    {"none", SummaryColumn::None},
    {"nothing", SummaryColumn::None},
};

// The tables, in the order strace prints them (its personalities).
constexpr Arch kArchOrder[] = {Arch::X86_64, Arch::I386, Arch::X32};

std::size_t arch_index(Arch arch) {
    switch (arch) {
        case Arch::X86_64:
            return 0;
        case Arch::I386:
            return 1;
        case Arch::X32:
            return 2;
        case Arch::Unknown:
            break;
    }
    return 3;
}

// strace's title before every table but the first personality's.
std::string_view table_title(Arch arch) {
    switch (arch) {
        case Arch::I386:
            return "System call usage summary for 32 bit mode:\n";
        case Arch::X32:
            return "System call usage summary for x32 mode:\n";
        default:
            return {};
    }
}

// strace keeps times as timespecs and turns them into doubles as
// tv_sec + tv_nsec / 1e9; the same arithmetic gives the same last digits.
double seconds_of(Nanos t) {
    return static_cast<double>(t / 1'000'000'000) +
           static_cast<double>(t % 1'000'000'000) / 1000000000.0;
}

// The mean of `total` over `n` calls, rounded to the nearest nanosecond as
// strace's ts_div does.
Nanos average(Nanos total, std::uint64_t n) {
    const auto un = static_cast<long long>(n);
    const long long sec = total / 1'000'000'000, nsec = total % 1'000'000'000;
    const long long rest = (sec % un * 1'000'000'000LL + nsec + un / 2) / un;
    return (sec / un + rest / 1'000'000'000) * 1'000'000'000 + rest % 1'000'000'000;
}

std::uint64_t micros_of(double seconds) {
    return static_cast<std::uint64_t>(seconds * 1e6);
}

std::size_t width_of(std::string_view text) {
    return text.size();
}

struct ColumnSpec {
    std::string_view heading;
    std::size_t min_width;
};

ColumnSpec column_spec(SummaryColumn c) {
    switch (c) {
        case SummaryColumn::TimePercent:
            return {"% time", 6};
        case SummaryColumn::TotalTime:
            return {"seconds", 11};  // strace keeps the historical widths
        case SummaryColumn::MinTime:
            return {"shortest", 8};
        case SummaryColumn::MaxTime:
            return {"longest", 7};
        case SummaryColumn::AvgTime:
            return {"usecs/call", 11};
        case SummaryColumn::Calls:
            return {"calls", 9};
        case SummaryColumn::Errors:
            return {"errors", 9};
        case SummaryColumn::Name:
            return {"syscall", 16};
        case SummaryColumn::None:
            break;
    }
    return {"", 0};
}

// The figures one row (or the total line) shows.
struct Row {
    double percent = 0;
    double total = 0;
    double min = 0;
    double max = 0;
    std::uint64_t avg_micros = 0;
    std::uint64_t calls = 0;
    std::uint64_t errors = 0;
    std::string_view name;
};

void append_cell(fmt::memory_buffer& out, SummaryColumn c, const Row& row, std::size_t width,
                 bool last) {
    auto it = std::back_inserter(out);
    switch (c) {
        case SummaryColumn::TimePercent:
            fmt::format_to(it, "{:>{}.2f}", row.percent, width);
            break;
        case SummaryColumn::TotalTime:
            fmt::format_to(it, "{:>{}.6f}", row.total, width);
            break;
        case SummaryColumn::MinTime:
            fmt::format_to(it, "{:>{}.6f}", row.min, width);
            break;
        case SummaryColumn::MaxTime:
            fmt::format_to(it, "{:>{}.6f}", row.max, width);
            break;
        case SummaryColumn::AvgTime:
            fmt::format_to(it, "{:>{}}", row.avg_micros, width);
            break;
        case SummaryColumn::Calls:
            fmt::format_to(it, "{:>{}}", row.calls, width);
            break;
        case SummaryColumn::Errors:
            // strace's "%*.0u": no errors is a blank cell.
            if (row.errors == 0) {
                fmt::format_to(it, "{:>{}}", "", width);
            } else {
                fmt::format_to(it, "{:>{}}", row.errors, width);
            }
            break;
        case SummaryColumn::Name:
            if (last) {
                out.append(row.name);
            } else {
                fmt::format_to(it, "{:<{}}", row.name, width);
            }
            break;
        case SummaryColumn::None:
            break;
    }
}

void append_rule(fmt::memory_buffer& out, const std::vector<SummaryColumn>& columns,
                 const std::vector<std::size_t>& widths) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i) out.push_back(' ');
        for (std::size_t j = 0; j < widths[i]; ++j) out.push_back('-');
    }
    out.push_back('\n');
}

void append_table(fmt::memory_buffer& out, Arch arch, const std::vector<CallCounts>& counts,
                  const SummaryLayout& layout) {
    std::vector<std::int32_t> numbers;
    Nanos total = 0;
    Nanos min = 0, min_max = 0, max = 0, avg_max = 0;
    bool any = false;
    std::uint64_t calls = 0, errors = 0;
    std::size_t name_max = 0;
    std::vector<Nanos> averages(counts.size(), 0);
    std::vector<std::string_view> names(counts.size());
    for (std::size_t nr = 0; nr < counts.size(); ++nr) {
        const CallCounts& c = counts[nr];
        if (c.calls == 0) continue;
        const std::int64_t number = arch == Arch::X32
                                        ? static_cast<std::int64_t>(nr) | kX32SyscallBit
                                        : static_cast<std::int64_t>(nr);
        const SyscallInfo* info = syscall_info(arch, number);
        names[nr] = info ? info->name : std::string_view();
        numbers.push_back(static_cast<std::int32_t>(nr));
        total += c.total;
        min = any ? std::min(min, c.min) : c.min;
        min_max = std::max(min_max, c.min);
        max = std::max(max, c.max);
        any = true;
        calls += c.calls;
        errors += c.errors;
        averages[nr] = average(c.total, c.calls);
        avg_max = std::max(avg_max, averages[nr]);
        name_max = std::max(name_max, names[nr].size());
    }
    if (numbers.empty()) return;
    const double total_seconds = seconds_of(total);

    // Rows with equal keys stay in the order of their numbers, as strace's
    // (stable, merge-sorting) qsort leaves them.
    auto by = [&](auto key, bool descending) {
        std::stable_sort(numbers.begin(), numbers.end(), [&](std::int32_t a, std::int32_t b) {
            return descending ? key(b) < key(a) : key(a) < key(b);
        });
    };
    switch (layout.sort_by) {
        case SummaryColumn::TimePercent:
        case SummaryColumn::TotalTime:
            by([&](std::int32_t n) { return counts[n].total; }, true);
            break;
        case SummaryColumn::MinTime:
            by([&](std::int32_t n) { return counts[n].min; }, true);
            break;
        case SummaryColumn::MaxTime:
            by([&](std::int32_t n) { return counts[n].max; }, true);
            break;
        case SummaryColumn::AvgTime:
            by([&](std::int32_t n) { return averages[n]; }, true);
            break;
        case SummaryColumn::Calls:
            by([&](std::int32_t n) { return counts[n].calls; }, true);
            break;
        case SummaryColumn::Errors:
            by([&](std::int32_t n) { return counts[n].errors; }, true);
            break;
        case SummaryColumn::Name:
            by([&](std::int32_t n) { return names[n]; }, false);
            break;
        case SummaryColumn::None:
            break;
    }

    const std::vector<SummaryColumn>& columns = layout.columns;
    std::vector<std::size_t> widths;
    for (const SummaryColumn c : columns) {
        std::size_t w = 0;
        switch (c) {
            case SummaryColumn::TimePercent:
                w = width_of("100.00");
                break;
            case SummaryColumn::TotalTime:
                w = fmt::formatted_size("{:.6f}", total_seconds);
                break;
            case SummaryColumn::MinTime:
                w = fmt::formatted_size("{}.000000", min_max / 1'000'000'000);
                break;
            case SummaryColumn::MaxTime:
                w = fmt::formatted_size("{}.000000", max / 1'000'000'000);
                break;
            case SummaryColumn::AvgTime:
                w = fmt::formatted_size("{}", micros_of(seconds_of(avg_max)));
                break;
            case SummaryColumn::Calls:
                w = fmt::formatted_size("{}", calls);
                break;
            case SummaryColumn::Errors:
                w = fmt::formatted_size("{}", errors);
                break;
            case SummaryColumn::Name:
                w = name_max + 1;
                break;
            case SummaryColumn::None:
                break;
        }
        widths.push_back(std::max(w, column_spec(c).min_width));
    }

    out.append(table_title(arch));
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i) out.push_back(' ');
        const ColumnSpec spec = column_spec(columns[i]);
        auto it = std::back_inserter(out);
        if (columns[i] != SummaryColumn::Name) {
            fmt::format_to(it, "{:>{}}", spec.heading, widths[i]);
        } else if (i + 1 == columns.size()) {
            out.append(spec.heading);
        } else {
            fmt::format_to(it, "{:<{}}", spec.heading, widths[i]);
        }
    }
    out.push_back('\n');
    append_rule(out, columns, widths);

    for (const std::int32_t nr : numbers) {
        const CallCounts& c = counts[nr];
        Row row;
        row.total = seconds_of(c.total);
        // strace divides only a non-zero share: 0 of a total of 0 is 0, not NaN.
        row.percent = 100.0 * row.total;
        if (row.percent != 0.0) row.percent /= total_seconds;
        row.min = seconds_of(c.min);
        row.max = seconds_of(c.max);
        row.avg_micros = micros_of(seconds_of(averages[nr]));
        row.calls = c.calls;
        row.errors = c.errors;
        row.name = names[nr];
        for (std::size_t i = 0; i < columns.size(); ++i) {
            if (i) out.push_back(' ');
            append_cell(out, columns[i], row, widths[i], i + 1 == columns.size());
        }
        out.push_back('\n');
    }

    append_rule(out, columns, widths);
    Row row;
    row.percent = 100.0;
    row.total = total_seconds;
    row.min = seconds_of(min);
    row.max = seconds_of(max);
    row.avg_micros =
        micros_of(total_seconds / static_cast<double>(calls));  // strace: per call, as a double
    row.calls = calls;
    row.errors = errors;
    row.name = "total";
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i) out.push_back(' ');
        append_cell(out, columns[i], row, widths[i], i + 1 == columns.size());
    }
    out.push_back('\n');
}

}  // namespace

std::optional<SummaryColumn> summary_column_named(std::string_view name) {
    for (const ColumnName& c : kColumnNames) {
        if (c.name == name) return c.column;
    }
    return std::nullopt;
}

std::optional<std::vector<SummaryColumn>> parse_summary_columns(std::string_view list,
                                                                std::string* error) {
    std::vector<SummaryColumn> columns;
    std::string_view rest = list;
    while (true) {
        const auto comma = rest.find(',');
        const std::string_view word = rest.substr(0, comma);
        const std::optional<SummaryColumn> column = summary_column_named(word);
        if (!column || *column == SummaryColumn::None) {
            if (error) *error = "unknown column name: '" + std::string(word) + "'";
            return std::nullopt;
        }
        if (std::find(columns.begin(), columns.end(), *column) != columns.end()) {
            if (error) {
                *error = "call summary column has been provided more than once: '" +
                         std::string(word) + "' (-U option residual: '" + std::string(rest) + "')";
            }
            return std::nullopt;
        }
        columns.push_back(*column);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    // A table without the names means nothing: strace adds them.
    if (std::find(columns.begin(), columns.end(), SummaryColumn::Name) == columns.end()) {
        columns.push_back(SummaryColumn::Name);
    }
    return columns;
}

std::optional<Nanos> parse_summary_overhead(std::string_view text) {
    // strace reads a floating-point number when the text has more of
    // "eE.-+" and digits than of "+" and digits, else an integer; then a
    // unit (none: microseconds).
    const std::string s(text);
    const std::size_t float_len = std::strspn(s.c_str(), "eE.-+0123456789");
    const std::size_t int_len = std::strspn(s.c_str(), "+0123456789");
    const char* end = nullptr;
    double float_value = -1;
    long long int_value = -1;
    if (float_len > int_len) {
        char* e = nullptr;
        errno = 0;
        float_value = std::strtod(s.c_str(), &e);
        if (e == s.c_str() || errno != 0 || float_value < 0) return std::nullopt;
        end = e;
    } else {
        if (int_len == 0) return std::nullopt;
        char* e = nullptr;
        errno = 0;
        int_value = std::strtoll(s.c_str(), &e, 10);
        if (e == s.c_str() || errno != 0 || int_value < 0) return std::nullopt;
        end = e;
    }
    const std::string_view unit(end);
    long long scale = 0;  // nanoseconds per unit
    if (unit.empty() || unit == "us") {
        scale = 1000;
    } else if (unit == "s") {
        scale = 1'000'000'000;
    } else if (unit == "ms") {
        scale = 1'000'000;
    } else if (unit == "ns") {
        scale = 1;
    } else {
        return std::nullopt;
    }
    const long long per_second = 1'000'000'000 / scale;
    if (float_len > int_len) {
        // As strace splits it: whole seconds, then the rest in nanoseconds.
        const auto sec = static_cast<long long>(float_value / static_cast<double>(per_second));
        const auto nsec = static_cast<long long>(
            static_cast<std::uint64_t>((float_value - static_cast<double>(sec * per_second)) *
                                       static_cast<double>(scale)) %
            1'000'000'000);
        return Nanos{sec} * 1'000'000'000 + nsec;
    }
    return Nanos{int_value / per_second} * 1'000'000'000 + (int_value % per_second) * scale;
}

void SyscallCounts::add(Arch arch, std::int32_t nr, Nanos spent, bool failed) {
    const std::size_t a = arch_index(arch);
    if (a >= by_arch_.size()) return;
    std::int64_t index = nr;
    if (arch == Arch::X32) index &= ~kX32SyscallBit;
    if (index < 0 || index >= syscall_table_size(arch) || !syscall_info(arch, nr)) return;
    std::vector<CallCounts>& counts = by_arch_[a];
    if (counts.empty()) counts.resize(static_cast<std::size_t>(syscall_table_size(arch)));
    CallCounts& c = counts[static_cast<std::size_t>(index)];
    c.min = c.calls == 0 ? spent : std::min(c.min, spent);
    c.max = c.calls == 0 ? spent : std::max(c.max, spent);
    ++c.calls;
    if (failed) ++c.errors;
    c.total += spent;
}

const std::vector<CallCounts>& SyscallCounts::of(Arch arch) const {
    static const std::vector<CallCounts> kNone;
    const std::size_t a = arch_index(arch);
    return a < by_arch_.size() ? by_arch_[a] : kNone;
}

void append_summary_tables(fmt::memory_buffer& out, const SyscallCounts& counts,
                           const SummaryLayout& layout) {
    for (const Arch arch : kArchOrder) append_table(out, arch, counts.of(arch), layout);
}

SummaryWriter::SummaryWriter(int fd, std::string name, SyscallSet display, SummaryLayout layout,
                             std::vector<std::string> paths)
    : stream_(fd, std::move(name)),
      display_(display),
      layout_(std::move(layout)),
      paths_(std::move(paths)) {}

void SummaryWriter::on_event(const Event& event) {
    if (event.kind != EventKind::SyscallExit) return;
    const SyscallEvent& call = *event.syscall();
    // A call that never returned (exit_group, a kill) has no time: strace
    // counts calls when they return.
    if (!call.has_result || !display_.contains(call.arch, call.nr)) return;
    if (!paths_.empty() && !strace_call_names_path(call, paths_)) return;
    Nanos spent = layout_.wall_clock ? event.time - call.entry_time : call.system_time;
    spent = std::max<Nanos>(spent - layout_.overhead, 0);
    counts_.add(call.arch, call.nr, spent, call.err != 0);
}

void SummaryWriter::on_end() {
    fmt::memory_buffer out;
    append_summary_tables(out, counts_, layout_);
    stream_.write(std::string_view(out.data(), out.size()));
}

}  // namespace sctrace
