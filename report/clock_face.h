// "HH:MM:SS" of a time in the local zone, as strace's -t and sctrace's text
// stream print it.
#pragma once

#include <cstdio>
#include <ctime>
#include <limits>
#include <string_view>

namespace sctrace {

// localtime_r once a second, not once a line: it is a writer's most
// expensive call, and the face changes only that often.
class ClockFace {
public:
    std::string_view at(std::time_t seconds) {
        if (seconds != second_) {
            std::tm tm{};  // stays 00:00:00 for a time localtime_r cannot place
            localtime_r(&seconds, &tm);
            second_ = seconds;
            std::snprintf(face_, sizeof face_, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
        }
        return face_;
    }

private:
    // The second face_ shows; none yet (no time reaches this second).
    std::time_t second_ = std::numeric_limits<std::time_t>::min();
    char face_[16] = "";
};

}  // namespace sctrace
