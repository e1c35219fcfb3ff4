#include "base/text_escape.h"

namespace sctrace {

namespace {

// The length of the valid UTF-8 sequence at text[i], or 0: not UTF-8,
// overlong, a surrogate or past U+10FFFF.
std::size_t utf8_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
    const unsigned char c = byte(0);
    std::size_t n = 0;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
    } else {
        return 0;
    }
    if (i + n > text.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(k) & 0xc0) != 0x80) return 0;
    }
    if (n == 3 && c == 0xe0 && byte(1) < 0xa0) return 0;
    if (n == 3 && c == 0xed && byte(1) >= 0xa0) return 0;
    if (n == 4 && c == 0xf0 && byte(1) < 0x90) return 0;
    if (n == 4 && c == 0xf4 && byte(1) >= 0x90) return 0;
    return n;
}

}  // namespace

std::size_t printable_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
    const unsigned char c = byte(0);
    if (c < 0x80) return c >= 0x20 && c != 0x7f ? 1 : 0;
    const std::size_t n = utf8_length(text, i);
    if (n == 2 && c == 0xc2 && byte(1) < 0xa0) return 0;   // U+0080..U+009F: C1 controls
    if (n == 2 && c == 0xd8 && byte(1) == 0x9c) return 0;  // U+061C arabic letter mark
    if (n == 3 && c == 0xe2 && byte(1) == 0x80) {
        const unsigned char low = byte(2);
        // U+200E, U+200F marks; U+2028, U+2029 separators; U+202A..U+202E
        // embeddings and overrides.
        if (low == 0x8e || low == 0x8f || (low >= 0xa8 && low <= 0xae)) return 0;
    }
    if (n == 3 && c == 0xe2 && byte(1) == 0x81 && byte(2) >= 0xa6 && byte(2) <= 0xa9) {
        return 0;  // U+2066..U+2069 isolates
    }
    return n;
}

std::string escaped(std::string_view bytes, EscapeMode mode) {
    std::string out;
    out.reserve(bytes.size());
    append_escaped(out, bytes, mode);
    return out;
}

}  // namespace sctrace
