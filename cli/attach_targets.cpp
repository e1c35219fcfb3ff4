#include "cli/attach_targets.h"

#include <algorithm>
#include <climits>

#include "sources/live/thread_group.h"

namespace sctrace {

std::optional<pid_t> parse_process_id(const std::string& text) {
    if (text.empty() || text.size() > 10) return std::nullopt;
    long long value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    if (value < 1 || value > INT_MAX) return std::nullopt;
    return static_cast<pid_t>(value);
}

std::optional<std::vector<pid_t>> attach_targets(const std::vector<std::string>& values,
                                                 FILE* messages) {
    std::vector<pid_t> pids;
    for (const std::string& text : values) {
        const std::optional<pid_t> given = parse_process_id(text);
        if (!given) {
            std::fprintf(messages, "sctrace: -p %s: not a process id (a positive number)\n",
                         text.c_str());
            return std::nullopt;
        }
        pid_t pid = *given;
        // A thread that is gone by now is left to the attach, which names it.
        if (const std::optional<pid_t> process = thread_group_of(pid); process && *process != pid) {
            std::fprintf(messages, "sctrace: %d is a thread of process %d: attaching to %d\n",
                         static_cast<int>(pid), static_cast<int>(*process),
                         static_cast<int>(*process));
            pid = *process;
        }
        if (std::find(pids.begin(), pids.end(), pid) != pids.end()) {
            std::fprintf(messages, "sctrace: process %d is given twice: attaching to it once\n",
                         static_cast<int>(pid));
            continue;
        }
        pids.push_back(pid);
    }
    return pids;
}

}  // namespace sctrace
