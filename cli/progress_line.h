// The progress line of a long `sctrace analyze`, on stderr.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace sctrace {

// "sctrace: analyze: 120 MB of 203 MB (59%), 1.4 M lines, 2 findings" on
// stderr, rewritten in place, for inputs that take more than a second, and
// only when stderr is a terminal: tests, CI and `2>file` see nothing.
//
// The line ends with '\r', leaving the cursor at its start. A finding
// printed meanwhile (the text findings writer shares stderr) would overprint
// it and leave its tail on screen, so the writer takes the line off before
// each finding and puts it back after (hide() and show()). It is erased at
// the end, before the summary is printed.
class ProgressLine {
public:
    // `total_bytes`: the inputs' size, 0 when unknown (stdin, a pipe).
    ProgressLine(bool enabled, std::size_t total_bytes)
        : enabled_(enabled), total_(total_bytes), start_(Clock::now()), last_(start_) {}
    ~ProgressLine() { clear(); }
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;

    // Called for every line read; true when a new line should be drawn now.
    // The clock is read every kCheckEvery lines only, so this costs a
    // counter increment per line.
    bool due() {
        if (!enabled_ || ++calls_ % kCheckEvery != 0) return false;
        const auto now = Clock::now();
        if (now - start_ < kAfter || now - last_ < kInterval) return false;
        last_ = now;
        return true;
    }

    void draw(std::size_t bytes, std::size_t lines, std::optional<std::size_t> findings);

    // Erases the line (if one was drawn), e.g. before other messages.
    void clear();

    // Around a finding's text: hide() erases the line (when one is shown)
    // and leaves the cursor at the start of the row for the finding; show()
    // draws it again below the finding, with the new count.
    void hide() {
        hidden_ = shown_ > 0;
        clear();
    }
    void show(std::optional<std::size_t> findings) {
        if (!std::exchange(hidden_, false)) return;
        draw(bytes_, lines_, findings);
    }

private:
    using Clock = std::chrono::steady_clock;
    static constexpr std::size_t kCheckEvery = 256;
    static constexpr auto kAfter = std::chrono::seconds(1);
    static constexpr auto kInterval = std::chrono::milliseconds(250);

    static std::string megabytes(std::size_t bytes);

    bool enabled_;
    std::size_t total_;
    Clock::time_point start_, last_;
    std::size_t calls_ = 0;
    std::size_t shown_ = 0;              // columns of the line now on screen, 0 none
    bool hidden_ = false;                // hide() took a shown line off, for show()
    std::size_t bytes_ = 0, lines_ = 0;  // what the last draw() showed
};

}  // namespace sctrace
