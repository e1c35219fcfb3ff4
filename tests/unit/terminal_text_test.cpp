// The decisions behind the findings' look on a terminal: when to colour
// (--color, NO_COLOR, TERM), how wide to wrap, and wrapping that never
// breaks a word such as a path.
#include "report/terminal_text.h"

#include "report/findings_tally.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace sctrace {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// The summary table's counts are grouped by thousands for reading.
TEST(SummaryCount, IsGroupedByThousands) {
    EXPECT_EQ(grouped(0), "0");
    EXPECT_EQ(grouped(999), "999");
    EXPECT_EQ(grouped(1000), "1,000");
    EXPECT_EQ(grouped(123456), "123,456");
    EXPECT_EQ(grouped(1234567), "1,234,567");
    EXPECT_EQ(grouped(18446744073709551615ULL), "18,446,744,073,709,551,615");
}

TEST(ColorDecision, AutoColoursATerminalOnly) {
    EXPECT_TRUE(use_color(ColorMode::Auto, true, "xterm-256color", nullptr));
    EXPECT_FALSE(use_color(ColorMode::Auto, false, "xterm-256color", nullptr));
}

TEST(ColorDecision, NoColorSetToAnythingTurnsAutoOff) {
    EXPECT_FALSE(use_color(ColorMode::Auto, true, "xterm", "1"));
    EXPECT_FALSE(use_color(ColorMode::Auto, true, "xterm", "0"));  // any non-empty value
}

TEST(ColorDecision, AnEmptyNoColorIsAsIfUnset) {
    EXPECT_TRUE(use_color(ColorMode::Auto, true, "xterm", ""));
}

TEST(ColorDecision, ADumbOrMissingTermIsNotColoured) {
    EXPECT_FALSE(use_color(ColorMode::Auto, true, "dumb", nullptr));
    EXPECT_FALSE(use_color(ColorMode::Auto, true, nullptr, nullptr));
    EXPECT_FALSE(use_color(ColorMode::Auto, true, "", nullptr));
}

TEST(ColorDecision, AlwaysAndNeverAreWhatTheUserSaid) {
    // --color=always beats NO_COLOR, TERM=dumb and a pipe.
    EXPECT_TRUE(use_color(ColorMode::Always, false, "dumb", "1"));
    EXPECT_FALSE(use_color(ColorMode::Never, true, "xterm", nullptr));
}

TEST(ColorDecision, ModeNames) {
    EXPECT_EQ(color_mode_from_name("auto"), ColorMode::Auto);
    EXPECT_EQ(color_mode_from_name("always"), ColorMode::Always);
    EXPECT_EQ(color_mode_from_name("never"), ColorMode::Never);
    EXPECT_EQ(color_mode_from_name("yes"), std::nullopt);
    EXPECT_EQ(color_mode_from_name(""), std::nullopt);
}

TEST(TextWidth, TheTerminalsColumnsThenColumnsThen80) {
    EXPECT_EQ(text_width(132, "100"), 132u);
    EXPECT_EQ(text_width(0, "100"), 100u);
    EXPECT_EQ(text_width(0, nullptr), 80u);
    EXPECT_EQ(text_width(0, "wide"), 80u);
    EXPECT_EQ(text_width(0, "90x"), 80u);
}

TEST(TextWidth, NeverNarrowerThanTheMinimum) {
    EXPECT_EQ(text_width(12, nullptr), kMinWidth);
    EXPECT_EQ(text_width(0, "5"), kMinWidth);
}

TEST(Wrap, LinesFitTheWidthAndContinueUnderTheParagraph) {
    const std::string text =
        "a thread closed a file descriptor while another thread was still blocked in a call "
        "on it, so the blocked call may return on a different file";
    const std::string out = wrap_paragraph(text, "sctrace:   why: ", "sctrace:        ", 50);
    const auto lines = lines_of(out);
    ASSERT_GT(lines.size(), 2u) << out;
    EXPECT_EQ(lines[0].rfind("sctrace:   why: a thread", 0), 0u) << out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        EXPECT_LE(lines[i].size(), 50u) << lines[i];
        if (i > 0) {
            EXPECT_EQ(lines[i].rfind("sctrace:        ", 0), 0u) << lines[i];
            EXPECT_NE(lines[i][16], ' ') << "text lines up under the paragraph: " << lines[i];
        }
    }
    // Nothing lost or reordered: the words joined again are the text.
    std::string joined;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        joined += (i ? " " : "") + lines[i].substr(16);
    }
    EXPECT_EQ(joined, text);
}

TEST(Wrap, ALongPathIsNeverBroken) {
    const std::string path = "/very/long/path/to/some/file/that/is/wider/than/the/terminal.sock";
    const std::string out = wrap_paragraph("connect to " + path + " failed", "> ", "  ", 40);
    EXPECT_EQ(out, "> connect to\n  " + path + "\n  failed\n");
}

TEST(Wrap, WidthZeroKeepsOneLine) {
    const std::string text(300, 'x');
    EXPECT_EQ(wrap_paragraph(text + " y", "p: ", "   ", 0), "p: " + text + " y\n");
}

TEST(Wrap, MultiByteCharactersCountAsOneColumn) {
    // 10 "×" are 20 bytes but 10 columns: they fit a 12-column line.
    std::string times;
    for (int i = 0; i < 10; ++i) times += "×";
    EXPECT_EQ(columns_of(times), 10u);
    EXPECT_EQ(wrap_paragraph(times + " a", "", "", 12), times + " a\n");
}

TEST(Paint, SeverityColours) {
    const Paint on{true};
    EXPECT_EQ(on.severity(rules::Severity::Critical), "\x1b[1;31m");
    EXPECT_EQ(on.severity(rules::Severity::Error), "\x1b[31m");
    EXPECT_EQ(on.severity(rules::Severity::Warning), "\x1b[33m");
    EXPECT_EQ(on.severity(rules::Severity::Info), "\x1b[36m");
    const Paint off{false};
    EXPECT_EQ(off.severity(rules::Severity::Critical), "");
    EXPECT_EQ(off.bold(), "");
    EXPECT_EQ(off.reset(), "");
}

}  // namespace
}  // namespace sctrace
