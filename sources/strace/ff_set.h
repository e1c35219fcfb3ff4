// strace -ff writes one file per thread, FILE.PID, each line without a pid.
// Such a set is named by its prefix (FILE) or by its files, and is read back
// as one stream: merged by the lines' time stamps, so that threads overlap
// as they did, when the files have them.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "model/event.h"
#include "sources/strace/strace_line.h"
#include "sources/strace/strace_log.h"

namespace sctrace::strace_text {

struct LogFile {
    std::string path;  // "-": standard input
    pid_t pid = 0;     // from an -ff name (FILE.PID), else 0
};

// FILE (with its pid when named FILE.PID), or the FILE.PID members of an
// -ff set named by its prefix, in pid order. Empty when there is neither.
std::vector<LogFile> log_files_named(const std::string& name);

// Several files, each one thread's (FILE.PID): an -ff set.
bool is_ff_set(const std::vector<LogFile>& files);

// Local midnight of the file's modification day (today for stdin): what
// -t/-tt times of day count from.
Nanos day_start_of(const std::string& path);

// Progress of a long read, for a progress line: due() is asked after every
// line, so it must be cheap; when it says so, show() gets the bytes and lines
// read so far.
class ReadProgress {
public:
    virtual ~ReadProgress() = default;
    virtual bool due() = 0;
    virtual void show(std::size_t bytes_read, std::size_t lines_read) = 0;
};

// What a log's first lines show about how it was recorded.
struct LogShape {
    bool times = false;     // a line carries a time (-t, -tt, -ttt, -r)
    bool durations = true;  // complete calls carry -T durations (or none was seen)
    // The first line's time kind: an -ff set merges by absolute times or
    // times of day (see merge_ff_set).
    std::optional<TimeKind> first_time;
};
LogShape shape_of(const std::vector<std::string>& first_lines);

// Whether an -ff set whose files start with these time kinds can be merged.
bool mergeable_time(std::optional<TimeKind> first, std::optional<TimeKind> previous);

// Feeds the files of an -ff set to `converter` merged by their time stamps.
// Returns false, having fed nothing, when the files carry no absolute or
// time-of-day stamps to merge by. `stretch`: the files have no -T
// durations, so a call is taken to last until its thread's next line, the
// longest it can have lasted (an overlap seen so is possible, not certain:
// the engine says so). Lines longer than the reader's limit are fed to
// skip_line with `overlong_reason`. Throws what LineReader::open throws.
bool merge_ff_set(const std::vector<LogFile>& files, StraceLogConverter& converter, bool stretch,
                  const std::string& overlong_reason, ReadProgress& progress);

}  // namespace sctrace::strace_text
