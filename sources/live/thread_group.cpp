#include "sources/live/thread_group.h"

#include <cstdio>

namespace sctrace {

std::optional<pid_t> thread_group_of(pid_t tid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/status", static_cast<int>(tid));
    FILE* f = std::fopen(path, "re");
    if (!f) return std::nullopt;
    char line[256];
    std::optional<pid_t> tgid;
    while (std::fgets(line, sizeof line, f)) {
        int value = 0;
        if (std::sscanf(line, "Tgid: %d", &value) == 1) {
            tgid = static_cast<pid_t>(value);
            break;
        }
    }
    std::fclose(f);
    return tgid;
}

}  // namespace sctrace
