// `sctrace diff`'s report (model/run_diff.h), as text for people:
//
//   sctrace diff: 2 divergences between PASS (pass.jsonl: 2 threads, 41 calls)
//   and FAIL (fail.jsonl: 2 threads, 30 calls), earliest in FAIL first
//
//   1. flaky-connect-race[1] main: connect failed with ECONNREFUSED in FAIL,
//      succeeded in PASS, after socket
//        before:  bind, getsockname, socket
//        PASS:    connect(4, {...}, 16) = 0
//        FAIL:    connect(4, {...}, 16) = -1 ECONNREFUSED (Connection refused)
//        then PASS: write, read, close ...   FAIL: close, write, exit_group
//
// and as one JSON object for tools (docs/cli.md, "sctrace diff").
#pragma once

#include <cstddef>
#include <string>

#include "model/run_diff.h"

namespace sctrace {

// At most `limit` divergences are shown; the rest are counted.
std::string diff_text(const RunDiff& diff, std::size_t limit = 20);
std::string diff_json(const RunDiff& diff);

}  // namespace sctrace
