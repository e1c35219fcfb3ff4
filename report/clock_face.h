// "HH:MM:SS" of a time in the local zone, as strace's -t and sctrace's text
// stream print it.
#pragma once

#include <cstdio>
#include <ctime>
#include <limits>
#include <string>
#include <string_view>

#include "base/nanos_math.h"

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

    // "HH:MM:SS.uuuuuu" of a wall-clock time (floor division: a time before
    // 1970 still has its microseconds in [0, 1e6)).
    std::string with_micros(Nanos time) {
        const auto seconds = static_cast<std::time_t>(floor_div(time, 1'000'000'000));
        char micros[24];  // room for any long long, though [0, 1e6) needs 8
        std::snprintf(micros, sizeof micros, ".%06lld",
                      static_cast<long long>(floor_mod(time, 1'000'000'000) / 1000));
        return std::string(at(seconds)) + micros;
    }

private:
    // The second face_ shows; none yet (no time reaches this second).
    std::time_t second_ = std::numeric_limits<std::time_t>::min();
    char face_[16] = "";
};

}  // namespace sctrace
