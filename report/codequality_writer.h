// Findings as a GitLab Code Quality report (--codequality FILE): the JSON
// array GitLab shows in a merge request's widget and its changes view.
//
//   [{"description": "...", "check_name": "double-close", "fingerprint": "...",
//     "severity": "major", "location": {"path": "src/net.c", "lines": {"begin": 42}}}]
//
// Each finding points at the user's code (report/source_location.h), else
// at the traced executable (line 1). A finding found again at the same
// place (same rule, file, line and function) has the same fingerprint, in
// this run and the next, so GitLab can tell new findings from old ones; the
// repeats are one entry, with their count in its description.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/finding.h"

namespace sctrace {

class CodeQualityWriter final : public rules::FindingSink {
public:
    // `source_root`: the checkout ($CI_PROJECT_DIR): paths under it are
    // written relative to it, as GitLab matches them.
    explicit CodeQualityWriter(std::string source_root);

    void on_finding(const rules::Finding& finding) override;
    std::string render() const;

private:
    struct Entry {
        rules::Finding finding;
        std::string path;
        int line = 1;
        std::uint64_t count = 0;
    };
    std::string root_;
    std::vector<Entry> entries_;
    std::map<std::string, std::size_t> by_fingerprint_;
    std::uint64_t dropped_ = 0;
    static constexpr std::size_t kMaxEntries = 5000;
};

// GitLab's severity for a finding's: info, minor (warning), major (error),
// critical.
const char* codequality_severity(rules::Severity severity);

}  // namespace sctrace
