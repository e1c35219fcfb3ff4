// sctrace analyze [OPTIONS] FILE...
//
// Post-mortem: saved strace logs (any common flag mix, -ff sets, gzip) and
// sctrace's own JSONL event logs become the same event stream the live tracer
// produces. Exit status: 0 clean, 1 findings at or above --fail-on, 2
// unusable input or arguments, 122 an output could not be written.
#include "cli/analyze.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/duration.h"
#include "base/line_reader.h"
#include "base/nanos_math.h"
#include "base/unique_fd.h"
#include "cli/command_line.h"
#include "cli/report_options.h"
#include "cli/rule_pipeline.h"
#include "model/arg_tree.h"
#include "sources/jsonl/jsonl_events.h"
#include "sources/strace/strace_line.h"
#include "sources/strace/strace_log.h"
#include "model/syscall_set.h"
#include "model/syscall_table.h"
#include "report/event_writer.h"

namespace sctrace {

namespace {

constexpr int kUnusable = 2;
// An output (-o, --findings, a report, the findings on stderr) failed and
// lost what it should have held; as `run` says it (docs/cli.md).
constexpr int kOutputLost = 122;

// How many leading lines may fail before a file is judged "not a log".
constexpr std::size_t kSniffLines = 50;

struct InputFile {
    std::string path;
    pid_t pid = 0;  // from an -ff name (FILE.PID), else 0
};

// FILE, or the FILE.PID members of an -ff set named by its prefix.
std::vector<InputFile> expand(const std::string& arg) {
    namespace fs = std::filesystem;
    std::vector<InputFile> files;
    if (arg == "-" || fs::exists(arg)) {
        InputFile f{arg, 0};
        // "trace.4711" alone is one member of an -ff set: its pid is in its name.
        const auto dot = arg.rfind('.');
        if (dot != std::string::npos && dot + 1 < arg.size() &&
            std::all_of(arg.begin() + static_cast<long>(dot) + 1, arg.end(), ::isdigit)) {
            f.pid = std::atoi(arg.c_str() + dot + 1);
        }
        files.push_back(f);
        return files;
    }
    const fs::path prefix(arg);
    const fs::path dir = prefix.has_parent_path() ? prefix.parent_path() : fs::path(".");
    const std::string stem = prefix.filename().string() + ".";
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (!name.starts_with(stem) || name.size() == stem.size()) continue;
        const std::string suffix = name.substr(stem.size());
        if (!std::all_of(suffix.begin(), suffix.end(), ::isdigit)) continue;
        files.push_back({entry.path().string(), std::atoi(suffix.c_str())});
    }
    std::sort(files.begin(), files.end(),
              [](const InputFile& a, const InputFile& b) { return a.pid < b.pid; });
    return files;
}

// Local midnight of the file's modification day: what -t/-tt times count from.
Nanos day_start_of(const std::string& path) {
    struct stat st {};
    std::time_t t =
        path != "-" && ::stat(path.c_str(), &st) == 0 ? st.st_mtime : std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    Nanos start = 0;  // a date past 64 bits of nanoseconds (a forged mtime): the epoch
    if (__builtin_mul_overflow(static_cast<Nanos>(std::mktime(&tm)), 1'000'000'000, &start)) {
        return 0;
    }
    return start;
}

// "sctrace: analyze: 120 MB of 203 MB (59%), 1.4 M lines, 2 findings" on
// stderr, rewritten in place, for inputs that take more than a second, and
// only when stderr is a terminal: tests, CI and `2>file` see nothing.
//
// The line ends with '\r', leaving the cursor at its start. A finding
// printed meanwhile (the text findings writer shares stderr) would overprint
// it and leave its tail on screen, so the writer takes the line off before
// each finding and puts it back after (hide() and show()). It is erased at
// the end, before the summary is printed.
class ProgressLine {
public:
    // `total_bytes`: the inputs' size, 0 when unknown (stdin, a pipe).
    ProgressLine(bool enabled, std::size_t total_bytes)
        : enabled_(enabled), total_(total_bytes), start_(Clock::now()), last_(start_) {}
    ~ProgressLine() { clear(); }
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;

    // Called for every line read; true when a new line should be drawn now.
    // The clock is read every kCheckEvery lines only, so this costs a
    // counter increment per line.
    bool due() {
        if (!enabled_ || ++calls_ % kCheckEvery != 0) return false;
        const auto now = Clock::now();
        if (now - start_ < kAfter || now - last_ < kInterval) return false;
        last_ = now;
        return true;
    }

    void draw(std::size_t bytes, std::size_t lines, std::optional<std::size_t> findings) {
        bytes_ = bytes;
        lines_ = lines;
        char text[160];
        int n = std::snprintf(text, sizeof text, "sctrace: analyze: %s", megabytes(bytes).c_str());
        if (total_ > 0) {
            const auto percent = static_cast<int>(std::min<std::size_t>(100, bytes * 100 / total_));
            n += std::snprintf(text + n, sizeof text - n, " of %s (%d%%)",
                               megabytes(total_).c_str(), percent);
        } else {
            n += std::snprintf(text + n, sizeof text - n, " read");
        }
        if (lines >= 1'000'000) {
            n += std::snprintf(text + n, sizeof text - n, ", %.1f M lines",
                               static_cast<double>(lines) / 1e6);
        } else {
            n += std::snprintf(text + n, sizeof text - n, ", %zu lines", lines);
        }
        if (findings) {
            n += std::snprintf(text + n, sizeof text - n, ", %zu finding%s", *findings,
                               *findings == 1 ? "" : "s");
        }
        const auto length = static_cast<std::size_t>(std::max(n, 0));
        // Pad over what a longer previous line left.
        std::string out(text, std::min(length, sizeof text - 1));
        if (out.size() < shown_) out.append(shown_ - out.size(), ' ');
        out += '\r';
        std::fputs(out.c_str(), stderr);
        std::fflush(stderr);
        shown_ = std::min(length, sizeof text - 1);
    }

    // Erases the line (if one was drawn), e.g. before other messages.
    void clear() {
        if (shown_ == 0) return;
        const std::string blank = std::string(shown_, ' ') + '\r';
        std::fputs(blank.c_str(), stderr);
        std::fflush(stderr);
        shown_ = 0;
    }

    // Around a finding's text: hide() erases the line (when one is shown)
    // and leaves the cursor at the start of the row for the finding; show()
    // draws it again below the finding, with the new count.
    void hide() {
        hidden_ = shown_ > 0;
        clear();
    }
    void show(std::optional<std::size_t> findings) {
        if (!std::exchange(hidden_, false)) return;
        draw(bytes_, lines_, findings);
    }

private:
    using Clock = std::chrono::steady_clock;
    static constexpr std::size_t kCheckEvery = 256;
    static constexpr auto kAfter = std::chrono::seconds(1);
    static constexpr auto kInterval = std::chrono::milliseconds(250);

    static std::string megabytes(std::size_t bytes) {
        char text[32];
        if (bytes < 10'000'000) {
            std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
        } else {
            std::snprintf(text, sizeof text, "%zu MB", bytes / 1'000'000);
        }
        return text;
    }

    bool enabled_;
    std::size_t total_;
    Clock::time_point start_, last_;
    std::size_t calls_ = 0;
    std::size_t shown_ = 0;              // columns of the line now on screen, 0 none
    bool hidden_ = false;                // hide() took a shown line off, for show()
    std::size_t bytes_ = 0, lines_ = 0;  // what the last draw() showed
};

// The inputs' total size for the progress line; 0 when any is not a regular
// file (stdin, a pipe): then only the bytes read are shown. For gzip files
// both sides count compressed bytes (LineReader::bytes_read()).
std::size_t total_size(const std::vector<InputFile>& files) {
    std::size_t total = 0;
    for (const InputFile& f : files) {
        struct stat st {};
        if (f.path == "-" || ::stat(f.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
        total += static_cast<std::size_t>(st.st_size);
    }
    return total;
}

// What the first lines of a log show about how it was recorded.
struct LogShape {
    bool jsonl = false;
    bool times = false;      // a line carries a time (-t, -tt, -ttt, -r)
    bool durations = true;   // complete calls carry -T durations (or none was seen)
    // The first line's time, for merging an -ff set (absolute or time of day).
    std::optional<strace_text::TimeKind> first_time;
};

constexpr std::size_t kProbeLines = 64;

// A reader that can be looked into before it is read: the lines looked at
// are read again. Standard input cannot be opened twice.
class PeekingReader final : public LineReader {
public:
    explicit PeekingReader(std::unique_ptr<LineReader> inner) : inner_(std::move(inner)) {}
    // The first `n` lines (fewer at the end of the input), up to and
    // including an overlong one: the rest of that may never end.
    const std::vector<std::string>& peek(std::size_t n) {
        std::string line;
        while (peeked_.size() < n && !overlong_at_ && inner_->next(line)) {
            peeked_.push_back(line);
            if (inner_->overlong()) overlong_at_ = peeked_.size();
        }
        return peeked_;
    }
    bool next(std::string& line) override {
        if (replayed_ < peeked_.size()) {
            line = std::move(peeked_[replayed_++]);
            return true;
        }
        ++replayed_;
        return inner_->next(line);
    }
    bool overlong() const override {
        if (replayed_ <= peeked_.size()) return overlong_at_ != 0 && overlong_at_ == replayed_;
        return inner_->overlong();
    }
    std::size_t bytes_read() const override { return inner_->bytes_read(); }

private:
    std::unique_ptr<LineReader> inner_;
    std::vector<std::string> peeked_;
    std::size_t overlong_at_ = 0;  // 1-based index of an overlong peeked line, 0 none
    std::size_t replayed_ = 0;
};

// The problem reported for a line longer than LineReader::kMaxLineBytes.
std::string overlong_problem() {
    return "the line is longer than " + std::to_string(LineReader::kMaxLineBytes >> 20) +
           " MiB, the most a line may have: skipped";
}

LogShape shape_of(const std::vector<std::string>& lines) {
    LogShape shape;
    if (!lines.empty() && jsonl::looks_like_jsonl(lines.front())) {
        shape.jsonl = shape.times = true;
        return shape;
    }
    ArgTree scratch;
    bool calls = false, timed_calls = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        strace_text::ParsedLine parsed;
        std::string error;
        if (!strace_text::parse_line(lines[i], parsed, scratch, &error)) continue;
        if (parsed.time_kind != strace_text::TimeKind::None) {
            shape.times = true;
            if (i == 0) shape.first_time = parsed.time_kind;
        }
        if (parsed.kind == strace_text::LineKind::Call) {
            calls = true;
            timed_calls = timed_calls || parsed.duration.has_value();
        }
    }
    shape.durations = !calls || timed_calls;
    return shape;
}

// The files of an -ff set, one per thread, merged into one stream by their
// time stamps, so that rules see threads overlap as they did. Returns false
// (having read nothing) when the files carry no absolute or time-of-day
// stamps to merge by. `stretch`: the files have no -T durations, so a call
// is taken to last until its thread's next line, the longest it can have
// lasted (an overlap seen so is possible, not certain: the engine says so).
bool merge_ff_set(const std::vector<InputFile>& files, strace_text::StraceLogConverter& converter,
                  ProgressLine& progress,
                  const std::function<std::optional<std::size_t>()>& findings, bool stretch) {
    struct Source {
        const InputFile* file;
        std::unique_ptr<LineReader> reader;
        std::string line;
        bool has = false;
        bool overlong = false;  // `line` was too long to keep (it is empty)
        std::string ahead;      // the line after `line`, for stretched calls
        bool has_ahead = false;
        bool ahead_overlong = false;
        std::size_t line_no = 0;
        Nanos time = 0;             // the merge key of what is fed next
        Nanos exit_time = 0;        // a split call's end
        bool exit_pending = false;  // the next feed is a split call's entry
        bool exit_fed = false;      // its entry went in; the next feed is its exit
        Nanos last_stamp = -1;      // -t/-tt: the last time of day read, for wraps
        Nanos days = 0;             // -t/-tt: midnights passed, as a time
    };
    std::vector<Source> sources;
    std::optional<strace_text::TimeKind> kind;
    for (const InputFile& f : files) {
        Source s;
        s.file = &f;
        s.reader = LineReader::open(f.path);
        s.has = s.reader->next(s.line);
        s.overlong = s.has && s.reader->overlong();
        if (s.has) {
            strace_text::TimeKind k{};
            const auto t = strace_text::peek_time(s.line, &k);
            if (!t || k == strace_text::TimeKind::Relative || (kind && *kind != k)) return false;
            kind = k;
            s.time = *t;
            s.last_stamp = *t;
            s.line_no = 1;
            s.has_ahead = s.reader->next(s.ahead);
            s.ahead_overlong = s.has_ahead && s.reader->overlong();
        }
        sources.push_back(std::move(s));
    }
    // -t/-tt times count from midnight and wrap there: a file whose first
    // time is more than half a day before another's began after midnight,
    // and within a file a step back of more than half a day is a midnight.
    constexpr Nanos kDay = 86'400'000'000'000;
    const bool time_of_day = kind == strace_text::TimeKind::TimeOfDay;
    if (time_of_day) {
        Nanos latest = 0;
        for (const Source& s : sources) {
            if (s.has) latest = std::max(latest, s.time);
        }
        for (Source& s : sources) {
            if (s.has && saturating_add(s.time, kDay / 2) < latest) {
                s.days = kDay;
                s.time = saturating_add(s.time, kDay);
            }
        }
    }
    const auto merge_time = [&](const Source& s, Nanos stamp) {
        if (!time_of_day) return stamp;
        // Saturating: a forged stamp sorts last instead of wrapping around.
        const Nanos wrap = saturating_add(stamp, kDay / 2) < s.last_stamp ? kDay : 0;
        return saturating_add(saturating_add(stamp, s.days), wrap);
    };
    converter.begin_file(files.front().path, files.front().pid, day_start_of(files.front().path));
    // Each file is one thread, and -ff writes each call as one complete line
    // stamped with its start. A call with a -T duration is fed in two parts,
    // its entry at its start and its exit at its end, so the merge
    // interleaves threads by when calls began and ended.
    ArgTree scratch;
    const auto split = [&](Source& s) {
        s.exit_pending = false;
        strace_text::ParsedLine parsed;
        std::string error;
        if (!strace_text::parse_line(s.line, parsed, scratch, &error) ||
            parsed.kind != strace_text::LineKind::Call) {
            return;
        }
        if (parsed.duration) {
            // The stamp is the call's start; it ended -T later.
            s.exit_time = saturating_add(s.time, *parsed.duration);
            s.exit_pending = true;
        } else if (stretch && s.has_ahead) {
            // It ended before its thread's next line began.
            const auto t = strace_text::peek_time(s.ahead, nullptr);
            if (t && merge_time(s, *t) > s.time) {
                s.exit_time = merge_time(s, *t);
                s.exit_pending = true;
            }
        }
    };
    for (Source& s : sources) {
        if (s.has) split(s);
    }
    while (true) {
        Source* next = nullptr;
        for (Source& s : sources) {
            if (s.has && (!next || s.time < next->time)) next = &s;
        }
        if (!next) break;
        converter.switch_file(next->file->path, next->file->pid, next->line_no - 1);
        if (next->exit_pending) {
            converter.feed(next->line, strace_text::StraceLogConverter::Part::Entry);
            next->exit_pending = false;
            next->exit_fed = true;
            next->time = next->exit_time;  // its exit waits for its own time
            continue;
        }
        if (next->overlong) {
            converter.skip_line(overlong_problem());
        } else {
            converter.feed(next->line, next->exit_fed
                                           ? strace_text::StraceLogConverter::Part::Exit
                                           : strace_text::StraceLogConverter::Part::Whole);
        }
        next->exit_fed = false;
        if (progress.due()) {
            std::size_t bytes = 0;
            for (const Source& s : sources) bytes += s.reader->bytes_read();
            progress.draw(bytes, converter.stats().lines, findings());
        }
        next->has = next->has_ahead;
        if (next->has) {
            next->line.swap(next->ahead);
            next->overlong = next->ahead_overlong;
            next->has_ahead = next->reader->next(next->ahead);
            next->ahead_overlong = next->has_ahead && next->reader->overlong();
        }
        // strace leaves the line of a call that has not returned open, in
        // each FILE.PID of a set killed mid-call: a file's last line may be
        // its thread's unfinished call (only the last; see end_file()).
        if (!next->has) converter.end_file();
        if (next->has) {
            ++next->line_no;
            // Lines without a stamp (-k frames) keep their file's last time.
            if (const auto t = strace_text::peek_time(next->line, nullptr)) {
                next->time = merge_time(*next, *t);
                if (time_of_day) {
                    if (saturating_add(*t, kDay / 2) < next->last_stamp) {
                        next->days = saturating_add(next->days, kDay);
                    }
                    next->last_stamp = *t;
                }
            }
            split(*next);
        }
    }
    return true;
}

// Says once, on stderr, which rules the inputs cannot support and why.
void report_limited_rules(const rules::RuleEngine& engine, bool ff_set) {
    const auto names = [&](rules::SourceLimit limit) {
        std::string out;
        for (const auto& [rule, why] : engine.limited_rules()) {
            if (why == limit) out += (out.empty() ? "" : ", ") + rule->id;
        }
        return out;
    };
    const std::string what = ff_set ? "the -ff set" : "the log";
    if (const std::string ids = names(rules::SourceLimit::NoThreadOrder); !ids.empty()) {
        std::fprintf(stderr,
                     "sctrace analyze: %s has no times: rules that compare threads were not "
                     "judged: %s (its files are read one after another, so the order of calls "
                     "in different threads is unknown; record with -ff -ttt -T)\n",
                     what.c_str(), ids.c_str());
    }
    if (const std::string ids = names(rules::SourceLimit::NoTimes); !ids.empty()) {
        std::fprintf(stderr,
                     "sctrace analyze: %s has no times: rules that measure time were not judged: "
                     "%s (record with -tt, -ttt or -r)\n",
                     what.c_str(), ids.c_str());
    }
    if (const std::string ids = names(rules::SourceLimit::InexactOverlap); !ids.empty()) {
        std::fprintf(stderr,
                     "sctrace analyze: %s has times but no -T durations, so whether calls of "
                     "different threads overlapped is only possible, not certain: findings of "
                     "these rules are reported at info, as possible: %s (record with -T)\n",
                     what.c_str(), ids.c_str());
    }
}


}  // namespace

AnalyzeCommand::AnalyzeCommand(CLI::App& sctrace)
    : app_(sctrace.add_subcommand(
          "analyze", "The same findings, from saved strace logs or sctrace event logs")) {
    // Unknown options are left for execute() to name (see command_line.h).
    app_->allow_extras();
    options_.rules.rules.fail_on = "warning";
    app_->add_option("FILE", options_.inputs,
                     "strace logs (any flag mix, gzip ok), -ff sets (by prefix or files), "
                     "sctrace JSONL event logs; '-' reads standard input")
        ->required();
    add_event_stream_options(*app_, options_.stream);
    add_rule_options(*app_, options_.rules,
                     "Exit 1 when a finding at or above SEVERITY was raised (default warning)");
    add_report_options(*app_, options_.reports);
}

int AnalyzeCommand::execute() {
    if (const auto unknown = unknown_option(app_->remaining())) {
        report_unknown_option("sctrace analyze", *unknown);
        return kUnusable;
    }
    // An output whose reader went away (-o >(head)) costs a write error,
    // said once, not the analysis; analyze starts no command that could
    // inherit the disposition.
    std::signal(SIGPIPE, SIG_IGN);
    const auto& inputs = options_.inputs;
    const auto& output_path = options_.stream.output_path;
    const auto& format = options_.stream.format;
    const auto& report_paths = options_.reports;
    RuleOptions& rule_options = options_.rules.rules;
    SyscallSet display;
    try {
        display = syscalls_selected(options_.stream.trace_expressions);
    } catch (const TraceExpressionError& e) {
        std::fprintf(stderr, "sctrace analyze: %s\n", e.what());
        return kUnusable;
    }
    std::optional<rules::Severity> fail_on;
    if (!resolve_rule_options(options_.rules, "sctrace analyze", fail_on)) return kUnusable;
    if (!fail_on) {  // --fail-on '': analyze always judges at some level
        std::fprintf(stderr, "sctrace analyze: --fail-on: not one of info, warning, error, critical\n");
        return kUnusable;
    }

    // The event stream, with -o only.
    UniqueFd output_file;
    std::unique_ptr<EventWriter> writer;
    if (!output_path.empty()) {
        output_file = open_event_output(output_path, "sctrace analyze");
        if (!output_file) return kUnusable;
        writer = make_event_writer(format, output_file.get(), display, output_path);
    }
    std::vector<InputFile> files;
    for (const auto& arg : inputs) {
        auto expanded = expand(arg);
        if (expanded.empty()) {
            std::fprintf(stderr, "sctrace analyze: %s: no such file (nor an -ff set %s.PID)\n",
                         arg.c_str(), arg.c_str());
            return kUnusable;
        }
        files.insert(files.end(), expanded.begin(), expanded.end());
    }

    // What the inputs can vouch for decides which rules can be judged on
    // them (docs/cli.md, "What a log can show").
    const bool ff_set =
        files.size() > 1 &&
        std::all_of(files.begin(), files.end(), [](const InputFile& f) { return f.pid > 0; });
    std::unique_ptr<PeekingReader> stdin_reader;  // looked into once, read after
    bool ff_mergeable = ff_set, ff_durations = true;
    std::optional<strace_text::TimeKind> ff_kind;
    rules::SourceGuarantees& source = rule_options.engine.source;
    const InputFile* probing = nullptr;
    try {
        for (const InputFile& f : files) {
            probing = &f;
            std::optional<PeekingReader> probe;
            PeekingReader* reader = nullptr;
            if (f.path == "-") {
                stdin_reader = std::make_unique<PeekingReader>(LineReader::open(f.path));
                reader = stdin_reader.get();
            } else {
                reader = &probe.emplace(LineReader::open(f.path));
            }
            const auto& lines = reader->peek(kProbeLines);
            if (lines.empty()) continue;  // an empty file vouches for nothing, nor against
            const LogShape shape = shape_of(lines);
            source.times = source.times && shape.times;
            ff_durations = ff_durations && shape.durations;
            // merge_ff_set's condition: every file starts with a time of one kind.
            if (!shape.first_time || *shape.first_time == strace_text::TimeKind::Relative ||
                (ff_kind && *ff_kind != *shape.first_time)) {
                ff_mergeable = false;
            }
            ff_kind = shape.first_time;
        }
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr,
                     "sctrace analyze: %s: out of memory reading its first lines: they need more "
                     "memory than sctrace may use here (see ulimit -v)\n",
                     probing ? probing->path.c_str() : "");
        return kUnusable;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sctrace analyze: %s\n", e.what());
        return kUnusable;
    }
    if (ff_set) {
        // Read one file after another, threads' events are not in order;
        // merged by times without -T, calls are stretched (merge_ff_set).
        source.thread_order = ff_mergeable;
        source.exact_overlap = !ff_mergeable || ff_durations;
    }
    auto reports = ReportOutputs::open(report_paths, *fail_on, "sctrace analyze");
    if (!reports) return kUnusable;
    auto pipeline = RulePipeline::create(rule_options, reports->finding_sinks());
    if (!pipeline) return kUnusable;
    const Nanos start = now_realtime();
    // Events go to the writer (if any), then to the rule engine.
    struct Fanout final : EventSink {
        std::vector<EventSink*> sinks;
        rules::RuleEngine* engine = nullptr;
        Nanos last_time = 0;
        // Only strace logs without times were read: their events' times
        // are line numbers, not times, and the end-of-log samples say so by
        // time 0 (evt.held_for: unknown, rather than a made-up "0ms").
        bool times_unknown = false;
        void on_event(const Event& e) override {
            last_time = std::max(last_time, e.time);
            for (EventSink* s : sinks) s->on_event(e);
        }
        void on_end() override {
            // The log ends: processes with no exit line are left as they
            // were last seen. The watch rules judge that final picture
            // (futex-deadlock-suspected: every thread in an unfinished
            // futex wait), as a log cut off in a hang asks.
            if (engine) {
                const Nanos end = times_unknown ? 0 : last_time;
                for (const Event& sample : engine->state().end_of_trace_samples(end)) {
                    engine->on_event(sample);
                }
            }
            for (EventSink* s : sinks) s->on_end();
        }
    } fanout;
    if (writer) fanout.sinks.push_back(writer.get());
    if (EventSink* trace = reports->event_sink()) fanout.sinks.push_back(trace);
    // With no rules there is nothing to track state for.
    if (!pipeline->empty()) {
        fanout.sinks.push_back(&pipeline->sink());
        fanout.engine = &pipeline->engine();
    }
    EventSink& sink = fanout;

    if (!pipeline->empty()) report_limited_rules(pipeline->engine(), ff_set);

    ProgressLine progress(::isatty(STDERR_FILENO) == 1, total_size(files));
    const auto findings = [&]() -> std::optional<std::size_t> {
        if (pipeline->empty()) return std::nullopt;
        return pipeline->finding_count();
    };
    // Findings printed while the progress line is up go above it. Unhooked
    // before `progress` is gone.
    struct ProgressHook {
        TextFindingsWriter& text;
        ~ProgressHook() { text.set_around_write({}, {}); }
    } hook{pipeline->text_writer()};
    hook.text.set_around_write([&] { progress.hide(); }, [&] { progress.show(findings()); });
    std::size_t lines_read = 0;  // all files, for the progress line
    std::size_t bytes_done = 0;  // by the files before the current one
    strace_text::StraceLogConverter converter(sink);
    jsonl::JsonlEventReader jsonl_reader(sink);
    int status = 0;
    std::size_t total_unparsed = 0;
    bool merged = false;
    bool jsonl_read = false;  // some input was sctrace JSONL (which has real times)
    if (files.size() > 1 &&
        std::all_of(files.begin(), files.end(), [](const InputFile& f) { return f.pid > 0; })) {
        try {
            merged = merge_ff_set(files, converter, progress, findings, !ff_durations);
        } catch (const std::bad_alloc&) {
            progress.clear();
            std::fprintf(stderr,
                         "sctrace analyze: %s and the rest of its -ff set: out of memory merging "
                         "them: they need more memory than sctrace may use here (see ulimit -v)\n",
                         files.front().path.c_str());
            return kUnusable;
        } catch (const std::exception& e) {
            progress.clear();
            std::fprintf(stderr, "sctrace analyze: %s\n", e.what());
            return kUnusable;
        }
        if (!merged) converter.defer_process_exits();
        if (!merged && pipeline->empty()) {
            std::fprintf(stderr,
                         "sctrace analyze: warning: the -ff set has no -t/-tt/-ttt times, so its "
                         "files are read one after another: what threads did at the same time "
                         "cannot be seen (record with -ff -ttt -T)\n");
        }
    }
    for (const InputFile& file : files) {
        if (merged) break;
        std::unique_ptr<LineReader> reader;
        try {
            reader = file.path == "-" && stdin_reader ? std::move(stdin_reader)
                                                      : LineReader::open(file.path);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "sctrace analyze: %s\n", e.what());
            return kUnusable;
        }
        const std::string name = file.path == "-" ? "<stdin>" : file.path;
        converter.begin_file(name, file.pid, day_start_of(file.path));
        std::string line;
        std::size_t line_no = 0, good = 0, bad = 0;
        std::string first_error;
        bool jsonl_mode = false;
        std::vector<strace_text::LogProblem> jsonl_problems;
        const std::size_t unparsed_before = converter.stats().unparsed;
        std::size_t lines_done = 0;  // line_no once its line is handled
        try {
            while (reader->next(line)) {
                ++line_no;
                ++lines_read;
                if (progress.due()) {
                    progress.draw(bytes_done + reader->bytes_read(), lines_read, findings());
                }
                if (line_no == 1) jsonl_mode = jsonl::looks_like_jsonl(line);
                jsonl_read = jsonl_read || jsonl_mode;
                bool ok;
                std::string error;
                if (reader->overlong()) {
                    ok = false;
                    error = overlong_problem();
                    if (jsonl_mode && jsonl_problems.size() < 10) {
                        jsonl_problems.push_back({name, line_no, error});
                    }
                    if (!jsonl_mode) converter.skip_line(error);
                    if (good == 0) {
                        // Not a log, or not one that starts as logs do: the
                        // rest of this line may never end (/dev/zero).
                        ++bad;
                        if (first_error.empty()) first_error = error;
                        break;
                    }
                } else if (jsonl_mode) {
                    ok = jsonl_reader.feed(line, &error);
                    if (!ok && jsonl_problems.size() < 10) {
                        jsonl_problems.push_back({name, line_no, error});
                    }
                } else {
                    ok = converter.feed(line);
                }
                if (ok) {
                    ++good;
                } else {
                    ++bad;
                    if (first_error.empty()) {
                        first_error = jsonl_mode ? error
                                      : converter.stats().first_problems.empty()
                                          ? "unparsable"
                                          : converter.stats().first_problems.back().message;
                    }
                }
                // Judge early whether this is a log at all.
                if (line_no == kSniffLines && good == 0 && bad > 0) break;
                lines_done = line_no;
            }
        } catch (const std::bad_alloc&) {
            progress.clear();
            std::fprintf(stderr,
                         "sctrace analyze: %s:%zu: out of memory reading this line: it needs "
                         "more memory than sctrace may use here (see ulimit -v)\n",
                         name.c_str(), lines_done == line_no ? line_no + 1 : line_no);
            return kUnusable;
        } catch (const std::exception& e) {
            progress.clear();
            std::fprintf(stderr, "sctrace analyze: %s\n", e.what());
            return kUnusable;
        }
        bytes_done += reader->bytes_read();
        if (good == 0 && bad > 0) {
            progress.clear();
            std::fprintf(stderr,
                         "sctrace analyze: %s: not an strace log or sctrace event log (line 1: "
                         "%s)\n",
                         name.c_str(), first_error.c_str());
            return kUnusable;
        }
        if (!jsonl_mode) converter.end_file();
        const std::size_t unparsed =
            jsonl_mode ? bad : converter.stats().unparsed - unparsed_before;
        total_unparsed += unparsed;
        if (jsonl_mode) {
            progress.clear();
            for (const auto& p : jsonl_problems) {
                std::fprintf(stderr, "sctrace analyze: %s:%zu: %s\n", p.file.c_str(), p.line,
                             p.message.c_str());
            }
        }
    }
    if (merged) total_unparsed = converter.stats().unparsed;
    progress.clear();  // before finish(): the end-of-log checks may print findings
    fanout.times_unknown = !jsonl_read && converter.stats().lines > 0 && !converter.stats().timed;
    converter.finish();
    for (const auto& p : converter.stats().first_problems) {
        std::fprintf(stderr, "sctrace analyze: %s:%zu: %s\n", p.file.c_str(), p.line,
                     p.message.c_str());
    }
    if (total_unparsed > 0) {
        std::fprintf(stderr, "sctrace analyze: %zu line(s) could not be parsed and were skipped\n",
                     total_unparsed);
    }
    RunSummary summary;
    summary.inputs = inputs;
    summary.start_time = start;
    summary.duration = now_realtime() - start;
    bool lost = !reports->finish(summary, pipeline->rule_set());
    pipeline->close_outputs();
    lost = pipeline->output_lost() || lost;
    if (writer) {
        writer->on_end();
        // close() can report a deferred write error (NFS, quota).
        if (::close(output_file.release()) != 0) writer->output().fail(errno);
        lost = writer->output().lost() || lost;
    }
    if (lost) {
        std::fprintf(stderr, "sctrace analyze: an output was lost (see above); exit status %d\n",
                     kOutputLost);
        return kOutputLost;
    }
    if (pipeline->failed(*fail_on)) status = 1;
    return status;
}

}  // namespace sctrace
