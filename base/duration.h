// Durations on the command line: "30s", "1.5s", "250ms", "2m", "1h", "500us".
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace sctrace {

// A bare number means seconds, as in timeout(1). Returns nullopt on anything
// else (negative, empty, unknown unit, trailing junk).
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);

}  // namespace sctrace
