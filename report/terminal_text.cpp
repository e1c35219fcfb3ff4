#include "report/terminal_text.h"

#include <charconv>
#include <cstring>

namespace sctrace {

std::optional<ColorMode> color_mode_from_name(std::string_view name) {
    if (name == "auto") return ColorMode::Auto;
    if (name == "always") return ColorMode::Always;
    if (name == "never") return ColorMode::Never;
    return std::nullopt;
}

bool use_color(ColorMode mode, bool is_terminal, const char* term, const char* no_color) {
    switch (mode) {
        case ColorMode::Always:
            return true;
        case ColorMode::Never:
            return false;
        case ColorMode::Auto:
            break;
    }
    if (!is_terminal) return false;
    if (no_color && *no_color) return false;
    // No TERM at all (a cron job's pty, a bare exec) is not known to take
    // escapes either.
    if (!term || !*term || std::strcmp(term, "dumb") == 0) return false;
    return true;
}

std::size_t text_width(std::size_t terminal_columns, const char* columns_env) {
    std::size_t width = terminal_columns;
    if (width == 0 && columns_env && *columns_env) {
        const std::string_view text(columns_env);
        std::size_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error == std::errc() && end == text.data() + text.size()) width = value;
    }
    if (width == 0) width = 80;
    return width < kMinWidth ? kMinWidth : width;
}

std::size_t columns_of(std::string_view text) {
    std::size_t n = 0;
    for (const char c : text) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    }
    return n;
}

std::string wrap_paragraph(std::string_view text, std::string_view first, std::string_view indent,
                           std::size_t width) {
    std::string out(first);
    if (width == 0) {
        out += text;
        out += '\n';
        return out;
    }
    std::size_t used = columns_of(first);
    const std::size_t indent_columns = columns_of(indent);
    bool line_has_word = false;
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t start = text.find_first_not_of(' ', at);
        if (start == std::string_view::npos) break;
        std::size_t end = text.find(' ', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view word = text.substr(start, end - start);
        const std::size_t columns = columns_of(word);
        if (line_has_word && used + 1 + columns > width) {
            out += '\n';
            out += indent;
            used = indent_columns;
            line_has_word = false;
        }
        if (line_has_word) {
            out += ' ';
            ++used;
        }
        out += word;
        used += columns;
        line_has_word = true;
        at = end;
    }
    out += '\n';
    return out;
}

std::string_view Paint::severity(rules::Severity severity) const {
    if (!on) return "";
    switch (severity) {
        case rules::Severity::Critical:
            return "\x1b[1;31m";  // bold red
        case rules::Severity::Error:
            return "\x1b[31m";  // red
        case rules::Severity::Warning:
            return "\x1b[33m";  // yellow
        case rules::Severity::Info:
            return "\x1b[36m";  // cyan
    }
    return "";
}

}  // namespace sctrace
