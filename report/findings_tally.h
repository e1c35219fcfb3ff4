// Findings counted per rule, for the reports that end with a table of the
// rules that fired: the terminal's summary (TextFindingsWriter) and the
// Markdown job summary (GithubWriter). One count, so the two cannot disagree
// on what "count", "first seen" or "processes" mean.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "model/event.h"
#include "model/finding.h"

namespace sctrace {

class FindingsTally {
public:
    // Processes beyond this many are counted, not listed.
    static constexpr std::size_t kPidsListed = 8;

    struct Rule {
        std::string id;
        rules::Severity severity = rules::Severity::Info;  // the worst seen
        std::uint64_t count = 0;
        // Wall-clock times only: a log without timestamps numbers its lines,
        // which are no time of day (timed stays false).
        Nanos first = 0, last = 0;
        bool timed = false;
        std::vector<pid_t> pids;    // the first kPidsListed, in order of finding
        std::size_t pid_count = 0;  // distinct processes, listed or not
    };

    void add(const rules::Finding& finding);
    bool empty() const { return rules_.empty(); }
    std::uint64_t total() const;
    // In order of each rule's first finding.
    const std::vector<Rule>& rules() const { return rules_; }
    // Most severe first, then the most frequent, then by id: a table's rows.
    std::vector<const Rule*> by_severity() const;

private:
    struct Seen {
        std::unordered_set<pid_t> pids;
    };
    std::vector<Rule> rules_;
    std::vector<Seen> seen_;  // parallel to rules_
};

// "4711 4712 and 3 more" (with ", " between pids when `separator` says so).
std::string pid_list(const FindingsTally::Rule& rule, std::string_view separator = " ");

// "1,995": a count as people read it in a sentence or a table.
std::string grouped(std::uint64_t n);

}  // namespace sctrace
