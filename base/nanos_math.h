// Arithmetic on int64 nanosecond times and durations that cannot overflow.
// Times come from input files (strace logs, JSONL) as well as from the
// clock, and a hostile value must give a clear answer, never undefined
// behaviour: sums saturate, and printing splits the magnitude apart from the
// sign, so that INT64_MIN and negative durations print as what they are.
#pragma once

#include <cstdint>
#include <limits>

namespace sctrace {

// Wall-clock time (CLOCK_REALTIME) in nanoseconds since the Unix epoch. Wall
// clock, not monotonic, so that live events and strace's -ttt stamps share one
// axis and reports can print a time a person can match against other logs.
using Nanos = std::int64_t;

// a + b, or the nearest int64 when the sum does not fit.
constexpr std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
    std::int64_t sum = 0;
    if (!__builtin_add_overflow(a, b, &sum)) return sum;
    return b > 0 ? std::numeric_limits<std::int64_t>::max()
                 : std::numeric_limits<std::int64_t>::min();
}

// a - b, or the nearest int64 when the difference does not fit.
constexpr std::int64_t saturating_sub(std::int64_t a, std::int64_t b) {
    std::int64_t difference = 0;
    if (!__builtin_sub_overflow(a, b, &difference)) return difference;
    return b < 0 ? std::numeric_limits<std::int64_t>::max()
                 : std::numeric_limits<std::int64_t>::min();
}

// Division rounding towards minus infinity, and its remainder in [0, unit):
// the second a time before the epoch falls in, and how far into it.
constexpr std::int64_t floor_div(std::int64_t value, std::int64_t unit) {
    return value / unit - (value % unit < 0 ? 1 : 0);
}
constexpr std::int64_t floor_mod(std::int64_t value, std::int64_t unit) {
    const std::int64_t r = value % unit;
    return r < 0 ? r + unit : r;
}

// |value| in whole units and the rest, with the sign apart: "-1.500000",
// never "-1.-500000".
struct Magnitude {
    bool negative = false;
    std::uint64_t whole = 0;
    std::uint64_t rest = 0;
};
constexpr Magnitude split_magnitude(std::int64_t value, std::uint64_t unit) {
    const std::uint64_t m = value < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(value)
                                      : static_cast<std::uint64_t>(value);
    return {value < 0, m / unit, m % unit};
}

}  // namespace sctrace
