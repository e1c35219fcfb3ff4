// Bytes in C's string notation, exactly as strace 6.1 quotes them
// (string_quote): \" \\ \f \n \r \t \v by name, printable ASCII as it is,
// every other byte in octal, as short as it can be unless an octal digit
// follows (then three digits, so "\1" "7" is never read back as "\17").
//
// Unlike base/text_escape.h, which is for people (it keeps valid UTF-8),
// this is strace's byte-for-byte format: what --format strace and the -yy
// socket descriptions print.
#pragma once

#include <string_view>

namespace sctrace {

// Appends `bytes` escaped, without quotes, to `out` (anything with
// push_back(char)); bytes in `also_escaped` print in octal too (strace
// escapes '<' and '>' in an fd's decoration).
template <class Out>
void append_c_escaped(Out& out, std::string_view bytes, std::string_view also_escaped = {}) {
    static constexpr char kOct[] = "01234567";
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        char named = 0;
        switch (c) {
            case '"':
                named = '"';
                break;
            case '\\':
                named = '\\';
                break;
            case '\f':
                named = 'f';
                break;
            case '\n':
                named = 'n';
                break;
            case '\r':
                named = 'r';
                break;
            case '\t':
                named = 't';
                break;
            case '\v':
                named = 'v';
                break;
            default:
                break;
        }
        if (named) {
            out.push_back('\\');
            out.push_back(named);
            continue;
        }
        if (c >= 0x20 && c < 0x7f &&
            also_escaped.find(static_cast<char>(c)) == std::string_view::npos) {
            out.push_back(static_cast<char>(c));
            continue;
        }
        out.push_back('\\');
        const bool digit_next = i + 1 < bytes.size() && bytes[i + 1] >= '0' && bytes[i + 1] <= '7';
        if (digit_next || c >= 64) out.push_back(kOct[c >> 6]);
        if (digit_next || c >= 8) out.push_back(kOct[(c >> 3) & 7]);
        out.push_back(kOct[c & 7]);
    }
}

}  // namespace sctrace
