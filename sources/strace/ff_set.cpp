#include "sources/strace/ff_set.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>

#include "base/line_reader.h"
#include "base/nanos_math.h"
#include "model/arg_tree.h"

namespace sctrace::strace_text {

namespace {

bool all_digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

// -t/-tt times count from midnight and wrap there.
constexpr Nanos kDay = 86'400'000'000'000;

// The merge: each file is one thread, and -ff writes each call as one
// complete line stamped with its start. A call with a -T duration is fed in
// two parts, its entry at its start and its exit at its end, so the merge
// interleaves threads by when calls began and ended.
class FfSetMerge {
public:
    FfSetMerge(StraceLogConverter& converter, bool stretch, const std::string& overlong_reason)
        : converter_(converter), stretch_(stretch), overlong_reason_(overlong_reason) {}

    bool run(const std::vector<LogFile>& files, ReadProgress& progress) {
        if (!open(files)) return false;
        converter_.begin_file(files.front().path, files.front().pid,
                              day_start_of(files.front().path));
        for (Member& m : members_) {
            if (m.has) split(m);
        }
        while (Member* next = earliest()) {
            converter_.switch_file(next->file->path, next->file->pid, next->line_no - 1);
            if (next->exit_pending) {
                converter_.feed(next->line, StraceLogConverter::Part::Entry);
                next->exit_pending = false;
                next->exit_fed = true;
                next->time = next->exit_time;  // its exit waits for its own time
                continue;
            }
            feed_line(*next);
            if (progress.due()) {
                std::size_t bytes = 0;
                for (const Member& m : members_) bytes += m.reader->bytes_read();
                progress.show(bytes, converter_.stats().lines);
            }
            advance(*next);
        }
        return true;
    }

private:
    struct Member {
        const LogFile* file = nullptr;
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

    // Reads every file's first two lines; false when they cannot be merged.
    bool open(const std::vector<LogFile>& files) {
        std::optional<TimeKind> kind;
        for (const LogFile& f : files) {
            Member m;
            m.file = &f;
            m.reader = LineReader::open(f.path);
            m.has = m.reader->next(m.line);
            m.overlong = m.has && m.reader->overlong();
            if (m.has) {
                TimeKind k{};
                const auto t = peek_time(m.line, &k);
                if (!t || !mergeable_time(k, kind)) return false;
                kind = k;
                m.time = *t;
                m.last_stamp = *t;
                m.line_no = 1;
                m.has_ahead = m.reader->next(m.ahead);
                m.ahead_overlong = m.has_ahead && m.reader->overlong();
            }
            members_.push_back(std::move(m));
        }
        time_of_day_ = kind == TimeKind::TimeOfDay;
        if (time_of_day_) align_midnights();
        return true;
    }

    // A file whose first time is more than half a day before another's
    // began after midnight.
    void align_midnights() {
        Nanos latest = 0;
        for (const Member& m : members_) {
            if (m.has) latest = std::max(latest, m.time);
        }
        for (Member& m : members_) {
            if (m.has && saturating_add(m.time, kDay / 2) < latest) {
                m.days = kDay;
                m.time = saturating_add(m.time, kDay);
            }
        }
    }

    // Within a file a step back of more than half a day is a midnight.
    // Saturating: a forged stamp sorts last instead of wrapping around.
    Nanos merge_time(const Member& m, Nanos stamp) const {
        if (!time_of_day_) return stamp;
        const Nanos wrap = saturating_add(stamp, kDay / 2) < m.last_stamp ? kDay : 0;
        return saturating_add(saturating_add(stamp, m.days), wrap);
    }

    Member* earliest() {
        Member* next = nullptr;
        for (Member& m : members_) {
            if (m.has && (!next || m.time < next->time)) next = &m;
        }
        return next;
    }

    // Whether the member's call is fed as entry and exit, and its exit time.
    void split(Member& m) {
        m.exit_pending = false;
        ParsedLine parsed;
        std::string error;
        if (!parse_line(m.line, parsed, scratch_, &error) || parsed.kind != LineKind::Call) return;
        if (parsed.duration) {
            // The stamp is the call's start; it ended -T later.
            m.exit_time = saturating_add(m.time, *parsed.duration);
            m.exit_pending = true;
        } else if (stretch_ && m.has_ahead) {
            // It ended before its thread's next line began.
            const auto t = peek_time(m.ahead, nullptr);
            if (t && merge_time(m, *t) > m.time) {
                m.exit_time = merge_time(m, *t);
                m.exit_pending = true;
            }
        }
    }

    void feed_line(Member& m) {
        if (m.overlong) {
            converter_.skip_line(overlong_reason_);
        } else {
            converter_.feed(m.line, m.exit_fed ? StraceLogConverter::Part::Exit
                                               : StraceLogConverter::Part::Whole);
        }
        m.exit_fed = false;
    }

    // To the member's next line.
    void advance(Member& m) {
        m.has = m.has_ahead;
        if (m.has) {
            m.line.swap(m.ahead);
            m.overlong = m.ahead_overlong;
            m.has_ahead = m.reader->next(m.ahead);
            m.ahead_overlong = m.has_ahead && m.reader->overlong();
        }
        // strace leaves the line of a call that has not returned open, in
        // each FILE.PID of a set killed mid-call: a file's last line may be
        // its thread's unfinished call (only the last; see end_file()).
        if (!m.has) {
            converter_.end_file();
            return;
        }
        ++m.line_no;
        // Lines without a stamp (-k frames) keep their file's last time.
        if (const auto t = peek_time(m.line, nullptr)) {
            m.time = merge_time(m, *t);
            if (time_of_day_) {
                if (saturating_add(*t, kDay / 2) < m.last_stamp) {
                    m.days = saturating_add(m.days, kDay);
                }
                m.last_stamp = *t;
            }
        }
        split(m);
    }

    StraceLogConverter& converter_;
    const bool stretch_;
    const std::string& overlong_reason_;
    std::vector<Member> members_;
    bool time_of_day_ = false;
    ArgTree scratch_;
};

}  // namespace

std::vector<LogFile> log_files_named(const std::string& name) {
    namespace fs = std::filesystem;
    std::vector<LogFile> files;
    if (name == "-" || fs::exists(name)) {
        LogFile f{name, 0};
        // "trace.4711" alone is one member of an -ff set: its pid is in its name.
        const auto dot = name.rfind('.');
        if (dot != std::string::npos && all_digits(std::string_view(name).substr(dot + 1))) {
            f.pid = std::atoi(name.c_str() + dot + 1);
        }
        files.push_back(f);
        return files;
    }
    const fs::path prefix(name);
    const fs::path dir = prefix.has_parent_path() ? prefix.parent_path() : fs::path(".");
    const std::string stem = prefix.filename().string() + ".";
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string member = entry.path().filename().string();
        if (!member.starts_with(stem)) continue;
        const std::string suffix = member.substr(stem.size());
        if (!all_digits(suffix)) continue;
        files.push_back({entry.path().string(), std::atoi(suffix.c_str())});
    }
    std::sort(files.begin(), files.end(),
              [](const LogFile& a, const LogFile& b) { return a.pid < b.pid; });
    return files;
}

bool is_ff_set(const std::vector<LogFile>& files) {
    return files.size() > 1 &&
           std::all_of(files.begin(), files.end(), [](const LogFile& f) { return f.pid > 0; });
}

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

LogShape shape_of(const std::vector<std::string>& first_lines) {
    LogShape shape;
    ArgTree scratch;
    bool calls = false, timed_calls = false;
    for (std::size_t i = 0; i < first_lines.size(); ++i) {
        ParsedLine parsed;
        std::string error;
        if (!parse_line(first_lines[i], parsed, scratch, &error)) continue;
        if (parsed.time_kind != TimeKind::None) {
            shape.times = true;
            if (i == 0) shape.first_time = parsed.time_kind;
        }
        if (parsed.kind == LineKind::Call) {
            calls = true;
            timed_calls = timed_calls || parsed.duration.has_value();
        }
    }
    shape.durations = !calls || timed_calls;
    return shape;
}

bool mergeable_time(std::optional<TimeKind> first, std::optional<TimeKind> previous) {
    return first && *first != TimeKind::Relative && (!previous || *previous == *first);
}

bool merge_ff_set(const std::vector<LogFile>& files, StraceLogConverter& converter, bool stretch,
                  const std::string& overlong_reason, ReadProgress& progress) {
    return FfSetMerge(converter, stretch, overlong_reason).run(files, progress);
}

}  // namespace sctrace::strace_text
