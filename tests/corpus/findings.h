// What the corpus asserts about sctrace's verdicts: the --findings JSON Lines
// file (nothing at warning or above on a clean workload) and analyze's report
// of log lines it could not parse (none), each printed in full when the
// assertion fails, so the failure alone is enough to diagnose.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace corpus {

// info 0, warning 1, error 2, critical 3; -1 for anything else.
int severity_rank(const std::string& severity);

struct Findings {
    std::vector<nlohmann::json> all;
    std::vector<std::string> problems;  // lines that break the --findings contract

    std::vector<nlohmann::json> at_least(const std::string& severity) const;
};

// Reads a --findings file: JSON Lines, each with at least rule, severity
// (info|warning|error|critical), pid, tid, time and message. A missing file
// is a problem: sctrace creates it even when nothing fires.
Findings read_findings(const std::filesystem::path& path);

// One finding as a person reads it: rule, severity, process, message, then
// every evidence line.
std::string format_finding(const nlohmann::json& finding);
std::string format_findings(const std::vector<nlohmann::json>& findings);

// What `sctrace analyze` said on stderr about lines it could not parse: the
// total it counts, and the "FILE:LINE: reason" lines it names (the first
// ten), each followed by the text of that line of the log.
struct Unparsed {
    std::size_t count = 0;
    std::vector<std::string> lines;
};
Unparsed read_unparsed(const std::string& analyze_stderr);
std::string format_unparsed(const Unparsed& u);

}  // namespace corpus
