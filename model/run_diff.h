// What `sctrace diff PASS FAIL` found between a passing and a failing run of
// the same program: for each thread (by its role: the process's place in the
// process tree, the thread's order of creation) and each file (by what it
// is: what was opened, which socket was made by which thread, what was
// connected or accepted; never by number or tid), the first place the two
// runs went differently. The engine (engine/diff/) finds them; the writers
// (report/diff_writer.h) show them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/nanos_math.h"

namespace sctrace {

// One call (or signal) of one run, as shown.
struct DiffStep {
    Nanos time = 0;
    std::string thread;  // the thread's role, as DiffSubject names threads
    std::string call;    // "connect", "--- SIGSEGV"
    // "" when it succeeded; else an errno name ("ECONNREFUSED"), "timeout"
    // (a wait that returned with nothing ready), or "unfinished" (the run
    // ended while the call was still in progress).
    std::string outcome;
    std::string text;  // the call in strace's notation, with its result
};

enum class DivergenceKind : std::uint8_t {
    // The same call on the same thing ended differently: failed in one run,
    // succeeded in the other; timed out; never returned.
    Outcome,
    // The same calls on one file came in a different order.
    Order,
    // Another call came at this point.
    Different,
    // The thread (or the file's use) ended here in one run and went on in
    // the other.
    EndedEarly,
};

enum class DiffSubjectKind : std::uint8_t { Thread, File };

struct Divergence {
    DivergenceKind kind = DivergenceKind::Different;
    DiffSubjectKind subject_kind = DiffSubjectKind::Thread;
    std::string subject;  // "flaky-connect-race[1] main", "socket #1 of ... (AF_INET, ...)"
    std::string summary;  // one sentence: what differed
    // The last calls both runs made before it (oldest first, a few).
    std::vector<std::string> before;
    // The diverging step of each run; absent where that run had ended.
    std::optional<DiffStep> pass, fail;
    // How each run went on after it (a few calls).
    std::vector<std::string> pass_after, fail_after;
    // Where the failing run was when it diverged: the order of the report.
    Nanos fail_time = 0;
    std::size_t fail_order = 0;  // the step's index in the failing run, for ties
};

struct RunDiff {
    struct Side {
        std::vector<std::string> inputs;
        std::size_t threads = 0;
        std::size_t calls = 0;
    };
    Side pass, fail;
    // Threads and files that only one run had: not compared, counted.
    std::size_t threads_only_in_pass = 0, threads_only_in_fail = 0;
    std::size_t files_only_in_pass = 0, files_only_in_fail = 0;
    std::vector<Divergence> divergences;  // earliest in the failing run first
};

// "outcome", "order", "different", "ended_early": the JSON spelling.
inline std::string_view divergence_kind_name(DivergenceKind kind) {
    switch (kind) {
        case DivergenceKind::Outcome:
            return "outcome";
        case DivergenceKind::Order:
            return "order";
        case DivergenceKind::Different:
            return "different";
        case DivergenceKind::EndedEarly:
            return "ended_early";
    }
    return "different";
}

}  // namespace sctrace
