// strace 6.1's command line, read as strace reads it (getopt_long with
// bundling: "-ff", "-s256", "-etrace=dup", "--trace=dup"), for `sctrace
// strace ARGS...` and for sctrace invoked through a link named `strace`.
// sctrace's own options here are long ones strace does not have: --rules,
// --no-rules, --findings.
#pragma once

#include <sys/types.h>

#include <bitset>
#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "decoders/decoder.h"
#include "model/injection.h"
#include "report/syscall_summary.h"

namespace sctrace {

struct StraceOptions {
    std::vector<std::string> command;    // what to run, with its arguments
    std::vector<pid_t> attach;           // -p, each as strace takes it (lists too)
    std::string output;                  // -o FILE ("" = stderr)
    bool output_append = false;          // -A
    int follow = 0;                      // -f: 1; -ff / --output-separately with -o: 2
    unsigned column = 40;                // -a
    std::size_t string_limit = 32;       // -s
    int timestamps = 0;                  // -t, -tt, -ttt
    bool relative_timestamps = false;    // -r
    bool syscall_times = false;          // -T
    int quiet = 0;                       // -q, -qq (-qqq)
    bool quiet_exit = false;             // "+++ exited" lines (-qq, quiet=exit)
    bool quiet_path_resolution = false;  // -P's "Requested path ... resolved" (-qqq)
    bool verbose = false;                // -v (every structure in full)
    enum class XlatStyle { Abbrev, Raw, Verbose } xlat = XlatStyle::Abbrev;  // -X
    // --decode-fds (-y: path, -yy: all): DecodeFd bits.
    enum DecodeFd : unsigned { kFdPath = 1, kFdSocket = 2, kFdDevice = 4, kFdPidfd = 8 };
    unsigned decode_fds = 0;
    // -e read=SET, -e write=SET: whose data is dumped after each call.
    DescriptorSet dump_reads;
    DescriptorSet dump_writes;
    std::vector<std::string> trace_paths;        // -P
    std::vector<std::string> trace_expressions;  // -e trace=, --trace=
    // -e signal=: the signals whose "--- SIGxxx ---" lines are shown.
    std::bitset<128> signals = std::bitset<128>().set();
    // -e status=, -z, -Z: which calls are shown by how they ended.
    bool status_filtered = false;
    bool show_successful = true;
    bool show_failed = true;
    bool show_unfinished = true;
    // -c: the call summary instead of the trace; -C: both.
    enum class Summary { None, Only, WithTrace } summary = Summary::None;
    SummaryLayout summary_layout;          // -S, -U, -w, -O
    bool stack_traces = false;             // -k
    bool pidns_translation = false;        // --decode-pids=pidns, --pidns-translation
    std::vector<std::string> env_changes;  // -E VAR=VAL, -E VAR
    std::string user;                      // -u
    std::vector<Injection> injections;     // -e inject=, -e fault=, in order
    // sctrace's own: which rules judge the trace.
    std::vector<std::string> rule_paths;  // --rules
    bool no_rules = false;                // --no-rules
    std::vector<std::string> only_rules;  // --rule
    std::string findings_path;            // --findings
};

// What the command line asks for besides a trace.
enum class StraceAction { Trace, Help, Version };

struct StraceCommandLine {
    StraceAction action = StraceAction::Trace;
    StraceOptions options;
    // What strace says and goes on (an option that has no effect): each a
    // sentence to print after "sctrace: ".
    std::vector<std::string> warnings;
};

// Why a command line cannot be used: the sentence to print after
// "sctrace: " (strace's words where strace has them).
struct StraceUsageError {
    std::string message;
};

// Reads `args` (argv without argv[0]). Never prints.
std::variant<StraceCommandLine, StraceUsageError> parse_strace_command_line(
    const std::vector<std::string>& args);

// The usage text `-h` prints.
const char* strace_usage_text();

}  // namespace sctrace
