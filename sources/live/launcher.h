// Starting the command under trace: fork, let the tracer seize the child, then
// let the child install the seccomp filter and exec.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "sources/live/seccomp_filter.h"

namespace sctrace {

// What the child reports back through its close-on-exec status pipe. Nothing
// arrives when everything worked (the pipe closes at exec).
struct ChildReport {
    int seccomp_errno = 0;  // the filter could not be installed (we fall back)
    int exec_errno = 0;     // execvp failed; the child exits 127
};

class LaunchedChild {
public:
    // Forks `argv`, leaving the child blocked before exec. `filter` may be
    // null (no prefilter). Throws SystemError when fork or pipes fail.
    static LaunchedChild fork_blocked(const std::vector<std::string>& argv,
                                      const SeccompProgram* filter);

    pid_t pid() const { return pid_; }

    // Lets the child go on to install the filter and exec. Call after seizing.
    void release();

    // Reads what the child reported. Non-blocking; call once it exec'd or exited.
    ChildReport read_report();

private:
    LaunchedChild(pid_t pid, UniqueFd go, UniqueFd report)
        : pid_(pid), go_write_(std::move(go)), report_read_(std::move(report)) {}

    pid_t pid_;
    UniqueFd go_write_;
    UniqueFd report_read_;
    ChildReport report_;
};

}  // namespace sctrace
