// Two saved runs compared (`sctrace diff`, and `--repeat` between its
// runs): each log read as analyze reads it, into a model of the run
// (engine/diff/run_comparer.h), and the two models compared.
#pragma once

#include <optional>
#include <string>

#include "model/run_diff.h"

namespace sctrace {

// Reads both logs and compares them. nullopt after saying on stderr,
// "PROGRAM: FILE: reason", why a log could not be read. Lines the parser
// could not read are said, each with its FILE:LINE, and counted.
std::optional<RunDiff> compare_logs(const std::string& pass, const std::string& fail,
                                    const char* program);

}  // namespace sctrace
