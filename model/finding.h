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
    std::string call;  // "read", "close"
    int fd = -1;
    bool same_file = true;  // on the open file the finding is about, not an earlier one
    std::string file;       // that file's path or peer, when known
    Nanos since = 0;        // when the call started (see is_wall_clock_time)
};

// One piece of a finding's evidence, as data: the writers in report/ turn it
// into a line (report/evidence_text.h) and JSON writers also keep the fields,
// so a tool needs not parse the English.
struct EvidenceItem {
    enum class Kind : std::uint8_t {
        Event,        // the event the finding is about: `text`
        Step,         // a time construct's event: `label` ("step 2", "after", "now",
                      // "last") at `time` on `tid`: `text`
        HeldSince,    // a watch: the condition has held since `time`, for `duration`
        Count,        // a count: `count` matches from `time` to `until` (within `window`)
        Missing,      // an absence: `text` (the missing condition) did not happen; `label`
                      // says until when: "window" (`window`), "process exit", "trace end"
        OtherThread,  // another thread (`tid`) inside `text` (the call) on `fd` since
                      // `time`; `same_file`: on the finding's open file (`file`, when known)
        MoreThreads,  // `count` more other threads in calls on `fd`, not listed
        Earlier,      // the fd's history: `tid` did `text` on `fd`; a ring's direct
                      // descriptor has no fd (-1) and `label` names it
        RingOp,       // an io_uring operation in flight: `text` (its twin call) on `fd`,
                      // submitted by `tid` at `time` to ring `ring_fd` as `user_data`
                      // (`label`: the opcode, "IORING_OP_RECV"); `same_file`: on the
                      // finding's open file, else on `file` (empty when no longer known);
                      // `never_completed`: its process ended with its rings read
    };
    Kind kind = Kind::Event;
    std::string label;
    pid_t tid = 0;
    int fd = -1;
    Nanos time = 0;      // 0: unknown (a log without times)
    Nanos until = 0;     // Count: the last match
    Nanos duration = 0;  // HeldSince
    std::uint64_t count = 0;
    std::string text;             // the event in strace's notation, a call's name, a condition
    std::string window;           // the rule's window as written ("5s")
    std::string file;             // OtherThread, RingOp: the open file's path or peer
    std::int32_t ring_fd = -1;    // RingOp
    std::uint64_t user_data = 0;  // RingOp
    bool same_file = true;
    bool never_completed = false;  // RingOp
    // The event's result was made up by fault injection (--inject).
    bool injected = false;
    // How many identical items followed this one and were folded into it
    // (a thread's eight identical reads are one item repeated 7 times).
    std::uint64_t repeated = 0;

    bool operator==(const EvidenceItem&) const = default;
};

struct Finding {
    std::string rule;
    Severity severity = Severity::Warning;
    pid_t pid = 0;
    pid_t tid = 0;
    Nanos time = 0;
    std::string message;  // the rule's output, filled in
    std::string desc;     // what the pattern is and why it is bad
    std::string exe;      // the process's executable, when known
    // The event (or a time construct's events), other threads on the fd and
    // the fd's recent history.
    std::vector<EvidenceItem> evidence;
    // Rules about two threads: the other threads in a call on the fd (the
    // first few also as evidence).
    std::vector<OtherThread> others;
    std::string doc;  // docs/rules/ID.md
    // Some evidence rests on a result fault injection made up (--inject,
    // strace's -e inject): the program was made to see it, the kernel did
    // not produce it.
    bool injected = false;
    // When no evidence line is injected itself: how many made-up results the
    // process had seen before the finding (its state may rest on them).
    std::uint64_t injected_before = 0;
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
