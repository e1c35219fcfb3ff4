// Text helpers every reporter shares: UTF-8 and JSON strings.
#include "report/event_writer.h"

namespace sctrace {

std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char c = byte(i);
    std::size_t n = 0;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4;
    else
        return 0;
    if (i + n > text.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xc0) != 0x80) return 0;
    }
    // Overlong forms, surrogates and code points past U+10FFFF.
    if (n == 3 && c == 0xe0 && byte(i + 1) < 0xa0) return 0;
    if (n == 3 && c == 0xed && byte(i + 1) >= 0xa0) return 0;
    if (n == 4 && c == 0xf0 && byte(i + 1) < 0x90) return 0;
    if (n == 4 && c == 0xf4 && byte(i + 1) >= 0x90) return 0;
    return n;
}

void append_json_string(fmt::memory_buffer& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out.append(std::string_view("\\\""));
                continue;
            case '\\':
                out.append(std::string_view("\\\\"));
                continue;
            case '\n':
                out.append(std::string_view("\\n"));
                continue;
            case '\t':
                out.append(std::string_view("\\t"));
                continue;
            case '\r':
                out.append(std::string_view("\\r"));
                continue;
            default:
                break;
        }
        if (u >= 0x80) {
            // Tracee bytes are not always UTF-8 (paths, buffers). Valid
            // sequences pass through; any other byte becomes \u00XX, so every
            // line stays valid JSON (the byte value is kept, its encoding is not).
            if (const std::size_t n = utf8_sequence_length(text, i)) {
                out.append(text.substr(i, n));
                i += n - 1;
                continue;
            }
        }
        if (u < 0x20 || u >= 0x7f) {
            const char esc[] = {'\\', 'u', '0', '0', kHex[u >> 4], kHex[u & 15]};
            out.append(esc, esc + sizeof esc);
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
}

}  // namespace sctrace
