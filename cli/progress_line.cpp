#include "cli/progress_line.h"

#include <algorithm>
#include <cstdio>

namespace sctrace {

void ProgressLine::draw(std::size_t bytes, std::size_t lines, std::optional<std::size_t> findings) {
    bytes_ = bytes;
    lines_ = lines;
    char text[160];
    int n = std::snprintf(text, sizeof text, "sctrace: analyze: %s", megabytes(bytes).c_str());
    if (total_ > 0) {
        const auto percent = static_cast<int>(std::min<std::size_t>(100, bytes * 100 / total_));
        n += std::snprintf(text + n, sizeof text - n, " of %s (%d%%)", megabytes(total_).c_str(),
                           percent);
    } else {
        n += std::snprintf(text + n, sizeof text - n, " read");
    }
    if (lines >= 1'000'000) {
        n += std::snprintf(text + n, sizeof text - n, ", %.1f M lines",
                           static_cast<double>(lines) / 1e6);
    } else {
        n += std::snprintf(text + n, sizeof text - n, ", %zu lines", lines);
    }
    if (findings) {
        n += std::snprintf(text + n, sizeof text - n, ", %zu finding%s", *findings,
                           *findings == 1 ? "" : "s");
    }
    const auto length = static_cast<std::size_t>(std::max(n, 0));
    // Pad over what a longer previous line left.
    std::string out(text, std::min(length, sizeof text - 1));
    if (out.size() < shown_) out.append(shown_ - out.size(), ' ');
    out += '\r';
    std::fputs(out.c_str(), stderr);
    std::fflush(stderr);
    shown_ = std::min(length, sizeof text - 1);
}

void ProgressLine::clear() {
    if (shown_ == 0) return;
    const std::string blank = std::string(shown_, ' ') + '\r';
    std::fputs(blank.c_str(), stderr);
    std::fflush(stderr);
    shown_ = 0;
}

std::string ProgressLine::megabytes(std::size_t bytes) {
    char text[32];
    if (bytes < 10'000'000) {
        std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
    } else {
        std::snprintf(text, sizeof text, "%zu MB", bytes / 1'000'000);
    }
    return text;
}

}  // namespace sctrace
