// strace 6.1's command line as `sctrace strace` reads it: the summary
// options (-c, -C, -S, -U, -w, -O), -ff, -k, -u and --decode-pids, with
// strace's rules and words for what does not go together.
#include "cli/strace_options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sctrace {
namespace {

StraceCommandLine parsed(std::vector<std::string> args) {
    args.push_back("true");
    auto result = parse_strace_command_line(args);
    if (const auto* error = std::get_if<StraceUsageError>(&result)) {
        ADD_FAILURE() << "refused: " << error->message;
        return {};
    }
    return std::get<StraceCommandLine>(result);
}

std::string refusal(std::vector<std::string> args) {
    args.push_back("true");
    auto result = parse_strace_command_line(args);
    if (const auto* error = std::get_if<StraceUsageError>(&result)) return error->message;
    return "(accepted)";
}

TEST(StraceOptions, SummaryOnlyOrWithTheTrace) {
    EXPECT_EQ(parsed({"-c"}).options.summary, StraceOptions::Summary::Only);
    EXPECT_EQ(parsed({"--summary-only"}).options.summary, StraceOptions::Summary::Only);
    EXPECT_EQ(parsed({"-C"}).options.summary, StraceOptions::Summary::WithTrace);
    EXPECT_EQ(parsed({"--summary"}).options.summary, StraceOptions::Summary::WithTrace);
    EXPECT_EQ(parsed({}).options.summary, StraceOptions::Summary::None);
    EXPECT_EQ(refusal({"-c", "-C"}), "-c/--summary-only and -C/--summary are mutually exclusive");
    EXPECT_EQ(refusal({"-C", "-c"}), "-c/--summary-only and -C/--summary are mutually exclusive");
}

// sctrace's own long options, which strace lacks, choose the rules.
TEST(StraceOptions, SctracesOwnRuleOptions) {
    const StraceOptions o = parsed({"--rules", "a.yaml", "--rules=b", "--rule", "double-close",
                                    "--rule=fatal-signal", "--findings", "f.jsonl"})
                                .options;
    EXPECT_EQ(o.rule_paths, (std::vector<std::string>{"a.yaml", "b"}));
    EXPECT_EQ(o.only_rules, (std::vector<std::string>{"double-close", "fatal-signal"}));
    EXPECT_EQ(o.findings_path, "f.jsonl");
    EXPECT_FALSE(o.no_rules);
    EXPECT_TRUE(parsed({"--no-rules"}).options.no_rules);
}

TEST(StraceOptions, SummarySortColumnsClockAndOverhead) {
    const StraceOptions o =
        parsed({"-c", "-S", "calls", "-U", "name,calls", "-w", "-O", "2ms"}).options;
    EXPECT_EQ(o.summary_layout.sort_by, SummaryColumn::Calls);
    EXPECT_EQ(o.summary_layout.columns,
              (std::vector<SummaryColumn>{SummaryColumn::Name, SummaryColumn::Calls}));
    EXPECT_TRUE(o.summary_layout.wall_clock);
    EXPECT_EQ(o.summary_layout.overhead, 2'000'000);
    const StraceOptions l =
        parsed({"--summary", "--summary-sort-by=avg_time", "--summary-columns=errors",
                "--summary-wall-clock", "--summary-syscall-overhead=10"})
            .options;
    EXPECT_EQ(l.summary_layout.sort_by, SummaryColumn::AvgTime);
    EXPECT_EQ(l.summary_layout.columns,
              (std::vector<SummaryColumn>{SummaryColumn::Errors, SummaryColumn::Name}));
    EXPECT_EQ(l.summary_layout.overhead, 10'000);
    EXPECT_EQ(parsed({"-c", "-S", "none"}).options.summary_layout.sort_by, SummaryColumn::None);
}

TEST(StraceOptions, SummaryMistakesInStracesWords) {
    EXPECT_EQ(refusal({"-c", "-S", "bogus"}), "invalid sortby: 'bogus'");
    EXPECT_EQ(refusal({"-c", "-U", "time,bogus"}), "unknown column name: 'bogus'");
    EXPECT_EQ(refusal({"-c", "-O", "abc"}), "invalid -O argument: 'abc'");
    EXPECT_EQ(refusal({"-c", "--summary-syscall-overhead=1x"}),
              "invalid --summary-syscall-overhead argument: '1x'");
    EXPECT_EQ(refusal({"-w"}),
              "-w/--summary-wall-clock must be given with (-c/--summary-only or -C/--summary)");
    EXPECT_EQ(refusal({"-U", "calls"}),
              "-U/--summary-columns must be given with (-c/--summary-only or -C/--summary)");
    EXPECT_EQ(refusal({"-c", "-ff", "-o", "log"}),
              "(-c/--summary-only or -C/--summary) and -ff/--output-separately are mutually "
              "exclusive");
    // strace refuses -ff with a summary even without -o.
    EXPECT_EQ(refusal({"-C", "-ff"}),
              "(-c/--summary-only or -C/--summary) and -ff/--output-separately are mutually "
              "exclusive");
}

TEST(StraceOptions, WhatHasNoEffectIsSaidNotRefused) {
    const StraceCommandLine sort_alone = parsed({"-S", "calls"});
    EXPECT_EQ(sort_alone.warnings,
              (std::vector<std::string>{
                  "-S/--summary-sort-by has no effect without (-c/--summary-only or "
                  "-C/--summary)"}));
    const StraceCommandLine quiet = parsed({"-c", "-k", "-T", "-tt"});
    EXPECT_EQ(quiet.warnings, (std::vector<std::string>{
                                  "-k/--stack-traces has no effect with -c/--summary-only",
                                  "-t/--absolute-timestamps has no effect with "
                                  "-c/--summary-only",
                                  "-T/--syscall-times has no effect with -c/--summary-only"}));
    EXPECT_TRUE(parsed({"-C", "-k", "-T"}).warnings.empty());
}

TEST(StraceOptions, FilePerThreadOnlyWithAnOutputFile) {
    EXPECT_EQ(parsed({"-ff", "-o", "log"}).options.follow, 2);
    EXPECT_EQ(parsed({"--follow-forks", "--output-separately", "-o", "log"}).options.follow, 2);
    EXPECT_EQ(parsed({"-ff"}).options.follow, 1);  // no -o: one stream, as -f
}

TEST(StraceOptions, StackTracesUserAndPidTranslation) {
    EXPECT_TRUE(parsed({"-k"}).options.stack_traces);
    EXPECT_TRUE(parsed({"--stack-trace"}).options.stack_traces);  // a unique prefix
    EXPECT_EQ(parsed({"-u", "nobody"}).options.user, "nobody");
    EXPECT_EQ(parsed({"--user=daemon"}).options.user, "daemon");
    EXPECT_TRUE(parsed({"--decode-pids=pidns"}).options.pidns_translation);
    EXPECT_TRUE(parsed({"-e", "decode-pids=pidns"}).options.pidns_translation);
    EXPECT_TRUE(parsed({"--pidns-translation"}).options.pidns_translation);
    EXPECT_FALSE(parsed({"--decode-pids=pidns,none"}).options.pidns_translation);
    EXPECT_EQ(refusal({"--decode-pids=bogus"}), "invalid decode-pids 'bogus'");
}

}  // namespace
}  // namespace sctrace
