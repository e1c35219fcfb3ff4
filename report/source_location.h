// Where a finding points in the user's code: the frame of its stacks a
// person should look at first, for the reports that place a finding on a
// line (SARIF's physical location, GitHub's annotations, GitLab's code
// quality). Never a frame inside the C library, the loader or another system
// library: the call that misbehaved is made there, the mistake is not.
#pragma once

#include <string>
#include <string_view>

#include "model/finding.h"
#include "model/stack_frame.h"

namespace sctrace {

// Whether `module` (a frame's mapped file) is a library of the system rather
// than the program's own: under /lib, /lib64, /usr/lib, /usr/lib64 or
// /usr/libexec, the vDSO, or a module with no file.
bool is_system_module(std::string_view module);

// The innermost frame with a source file, preferring the finding's own
// thread: first one whose file is in the project (under `root`, or a
// relative path found there), else one whose module is not a system
// library. nullptr when no frame qualifies (no stacks, or only libc's).
const StackFrame* user_code_frame(const rules::Finding& finding, const std::string& root);

// A frame's file as the project names it: relative to `root` when inside
// it (code scanning and annotations match repository paths), else as given.
std::string project_path(std::string_view file, const std::string& root);

}  // namespace sctrace
