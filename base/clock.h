#pragma once

#include <time.h>

#include <cstdio>
#include <string>

#include "base/nanos_math.h"

namespace sctrace {

// Wall-clock now, as event timestamps use it. clock_gettime goes through the
// vDSO: no syscall, cheap enough for the per-stop hot path.
inline Nanos now_realtime() {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return Nanos{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// "14:03:07.123456": a time of day in local time, as findings, evidence and
// strace's -tt print it.
inline std::string format_clock_time(Nanos time) {
    // Floor division: the fraction of a time before 1970 (or a forged one)
    // is still in [0, 1 s), never a negative number after the dot.
    const time_t seconds = static_cast<time_t>(floor_div(time, 1'000'000'000));
    tm local{};  // stays 00:00:00 for a time localtime_r cannot place
    localtime_r(&seconds, &local);
    char text[32];
    std::snprintf(text, sizeof text, "%02d:%02d:%02d.%06lld", local.tm_hour, local.tm_min,
                  local.tm_sec, static_cast<long long>(floor_mod(time, 1'000'000'000) / 1000));
    return text;
}

}  // namespace sctrace
