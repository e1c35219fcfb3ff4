// What a rule found, and who receives it: the floor between the engine that
// raises findings and the writers that print them, so neither includes the
// other.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/nanos_math.h"
#include "model/stack_frame.h"

namespace sctrace::rules {

enum class Severity : std::uint8_t { Info, Warning, Error, Critical };
std::string_view severity_name(Severity severity);
std::optional<Severity> severity_from_name(std::string_view name);

// Whose stacks a finding carries (`stacks:` in a rule file). `None` still
// gets the finding's thread's stack when the user asks for -k.
enum class StackScope : std::uint8_t { None, Thread, Process };

// A place in a rule file.
struct SourceLocation {
    std::string file;
    int line = 0;    // 1-based
    int column = 0;  // 1-based
};

// What a report says of a rule whether or not it fired: SARIF's rule
// descriptors, JUnit's test cases.
struct RuleInfo {
    std::string id;
    std::string desc;
    Severity severity = Severity::Warning;
    std::vector<std::string> tags;
    std::vector<std::string> references;
    bool enabled = true;
    SourceLocation where;
};

// Whether an event time is a wall-clock time. A log without timestamps
// numbers its lines instead (1 ns each), and a time before 1971 is that.
inline bool is_wall_clock_time(Nanos time) {
    return time >= Nanos{365} * 86'400 * 1'000'000'000;
}

// Another thread of the process inside a call on the finding's fd number
// when it was raised: the other half of a finding about two threads.
struct OtherThread {
    pid_t tid = 0;
    std::string call;       // "read", "close"
    int fd = -1;
    bool same_file = true;  // on the open file the finding is about, not an earlier one
    std::string file;       // that file's path or peer, when known
    Nanos since = 0;        // when the call started (see is_wall_clock_time)
};

struct Finding {
    std::string rule;
    Severity severity = Severity::Warning;
    pid_t pid = 0;
    pid_t tid = 0;
    Nanos time = 0;
    std::string message;                // the rule's output, filled in
    std::string desc;                   // what the pattern is and why it is bad
    std::string exe;                    // the process's executable, when known
    std::vector<std::string> evidence;  // the event and the fd's recent history
    // Rules about two threads: the other threads in a call on the fd, also
    // as evidence lines.
    std::vector<OtherThread> others;
    std::string doc;                    // docs/rules/ID.md
    // User stacks, when the source can take them (live only): the finding's
    // thread, or every thread of the process (Rule::stacks, -k).
    std::vector<ThreadStack> stacks;
};

class FindingSink {
public:
    virtual ~FindingSink() = default;
    virtual void on_finding(const Finding& finding) = 0;
    virtual void on_end() {}
};

}  // namespace sctrace::rules
