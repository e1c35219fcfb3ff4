// Findings as SARIF 2.1.0 (--sarif FILE), the format GitHub code scanning and
// most static-analysis dashboards import.
//
// One run: the loaded rules as tool.driver.rules (so a dashboard lists what
// was checked, even with no results), one result per finding, as many as
// code scanning takes: past 5,000 findings the most severe (then earliest)
// are kept, and a file that would pass 10 MB loses its results' stacks and
// evidence data, then its least severe results; what was left out is said
// in the invocation's notifications and counted in the run's properties. A finding
// carries no source position of its own; when its stack (-k) has a frame with
// a source file in the user's code (one of the project's, under the source
// root, first; never one in libc or another system library:
// report/source_location.h), the innermost such frame becomes the result's
// physical location, and the stacks become SARIF `stacks`. Without one, the
// location is the process's executable: code scanning rejects a result
// without a physical location.
// The process and thread are always a logical location.
#pragma once

#include <string>
#include <vector>

#include "model/finding.h"
#include "report/run_summary.h"

namespace sctrace {

// Where a reader of the report learns more: SARIF's informationUri (the
// tool) and helpUri (each rule). Absolute URIs; empty leaves them out.
struct SarifLinks {
    std::string information_uri;
    // The bundled rules' pages: a rule of the pack gets RULE_DOCS_URI/ID.md.
    std::string rule_docs_uri;
    // The bundled pack's folder: rules loaded from elsewhere (a user's own)
    // get their rule file's URI instead.
    std::string bundled_rules_dir;
    // The bundled rules' pages on this machine (the installed stories, or
    // the source tree's): their file:// URIs when rule_docs_uri is empty.
    std::string rule_docs_dir;
};

// What code scanning accepts of one upload: it rejects a file over 10 MB
// and shows 5,000 results of a run.
inline constexpr std::size_t kSarifMaxResults = 5000;
inline constexpr std::size_t kSarifMaxBytes = 10'000'000;

class SarifWriter final : public rules::FindingSink {
public:
    // `source_root`: an absolute directory (the working directory, normally
    // the checkout). Files under it are written relative to it, against the
    // base id %SRCROOT%, because code scanning matches repository paths.
    SarifWriter(std::string tool_version, std::string source_root, SarifLinks links = {});

    // Findings are kept until render(): the document is written once, when
    // the run is over and its invocation (command, times) is known.
    void on_finding(const rules::Finding& finding) override { findings_.push_back(finding); }

    // The whole document. Bytes that are not UTF-8 (tracee paths) come out
    // as U+FFFD, so the file always parses.
    std::string render(const std::vector<rules::RuleInfo>& rules, const RunSummary& run) const;

private:
    std::string tool_version_;
    std::string source_root_;
    SarifLinks links_;
    std::vector<rules::Finding> findings_;
};

// SARIF's level for a severity: critical and error are "error", warning is
// "warning", info is "note".
const char* sarif_level(rules::Severity severity);

// The first sentence of a rule's desc, whitespace runs folded to one space:
// SARIF's shortDescription, the title dashboards show.
std::string first_sentence(const std::string& text);

}  // namespace sctrace
