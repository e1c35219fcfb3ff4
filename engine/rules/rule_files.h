// Reading rule files from disk: what `-r PATH` accepts, and every way a path
// can fail to be one.
//
// A rule path is a regular file, or a folder whose *.yaml / *.yml entries
// (in name order) are regular files; symbolic links are followed and what
// they point at is held to the same test. Anything else (a FIFO, a device,
// a socket) is refused before a byte is read: opening is non-blocking, so a
// FIFO with no writer cannot hang the load, and a device that never ends
// (/dev/zero) is never read. A file larger than kMaxRuleFileBytes is refused,
// and a read that fails (/proc/self/mem reads EIO) is reported with its
// reason, never taken as an empty file.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace sctrace::rules {

// No rule pack comes near this (the bundled one is about 12 KB): a larger
// file is a mistake, not rules.
inline constexpr std::size_t kMaxRuleFileBytes = 1 << 20;

struct RuleFileText {
    std::string path;
    std::string text;
};

struct RuleFileProblem {
    std::string path;
    std::string message;  // "is a FIFO, not a regular file", "cannot read it: Input/output error"
};

struct RuleFiles {
    std::vector<RuleFileText> files;
    std::vector<RuleFileProblem> problems;
};

// Reads every path in order (a folder's files in name order).
RuleFiles read_rule_files(const std::vector<std::string>& paths);

}  // namespace sctrace::rules
