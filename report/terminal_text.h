// How the findings' text looks where a person reads it: colour by severity,
// paragraphs wrapped to the terminal's width, and, on a terminal, a rule that
// fires many times shown a few times and then counted. The CLI decides once
// (is the stream a terminal, how wide, --color, NO_COLOR, TERM) and hands the
// writer a TextStyle; the functions here make those decisions from values,
// so they can be tested without a terminal.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "model/finding.h"

namespace sctrace {

enum class ColorMode { Auto, Always, Never };

// "auto", "always", "never"; nullopt for anything else.
std::optional<ColorMode> color_mode_from_name(std::string_view name);

// Whether the findings' text is coloured. `auto` colours only a terminal
// whose TERM is not "dumb", and only when NO_COLOR is unset or empty
// (no-color.org); `always` and `never` are what the user said. `term` and
// `no_color` are the variables' values, or nullptr when unset.
bool use_color(ColorMode mode, bool is_terminal, const char* term, const char* no_color);

// The width to wrap to: the terminal's columns (TIOCGWINSZ, 0 when unknown),
// else $COLUMNS when it is a number, else 80; never less than kMinWidth, so
// a tiny window or a silly COLUMNS still leaves room for words.
constexpr std::size_t kMinWidth = 40;
std::size_t text_width(std::size_t terminal_columns, const char* columns_env);

struct TextStyle {
    bool color = false;
    // Wrap paragraphs to this many columns; 0: never wrap (piped output
    // keeps one line per paragraph, for grep and for tools that read it).
    std::size_t width = 0;
    // On a terminal: after this many findings of one rule, the rest are
    // counted, not shown, and the run ends with a table of the rules;
    // 0: off (piped output keeps its identical-message cap and summary
    // lines).
    std::size_t shown_per_rule = 0;
};

// A paragraph wrapped at spaces so that no line is wider than `width`
// columns: the first line starts with `first` (e.g. "sctrace:   why: "), the
// others with `indent` (as many columns wide, so the text lines up). A word
// is never broken, however long (a path, an address): it gets a line of its
// own. Each line ends with '\n'. width 0: one line, as given.
std::string wrap_paragraph(std::string_view text, std::string_view first, std::string_view indent,
                           std::size_t width);

// Columns a UTF-8 string takes on a terminal (one per code point; the text
// here has no wide characters).
std::size_t columns_of(std::string_view text);

// SGR escapes, or "" without colour.
struct Paint {
    bool on = false;
    std::string_view severity(rules::Severity severity) const;
    std::string_view bold() const { return on ? "\x1b[1m" : ""; }
    std::string_view reset() const { return on ? "\x1b[0m" : ""; }
};

}  // namespace sctrace
