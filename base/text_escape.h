// Text for people, from bytes the traced program (or a saved log) chose.
//
// A tracee picks its executable path, argv, file and socket names, thread
// names (prctl PR_SET_NAME) and, through its ELF and DWARF, the symbol and
// source names in stacks. Printed raw, a newline in any of them starts a
// line that looks like sctrace's own ("sctrace: critical [...]"), and an
// ESC or a C1 CSI (0x9b) moves the cursor or recolours the terminal. Every
// writer of human text (findings on stderr, JUnit, SARIF messages, the text
// event stream, the --timeout report) passes such strings through here;
// machine formats (JSONL) keep the bytes and escape them as JSON instead.
//
// The notation is strace's: \t \n \v \f \r by name, other bytes as short
// octal (\33, \177, \233; three digits when an octal digit follows, so
// "\1" "7" is never read back as "\17"). Unlike strace, valid printable
// UTF-8 is kept as it is, so a path in any language stays readable; what
// is escaped, byte by byte, is:
//   - C0 controls (< 0x20) and DEL (0x7f);
//   - any byte that is not part of a valid UTF-8 sequence, which covers a
//     raw C1 control such as 0x9b (CSI to some terminals);
//   - C1 controls written as UTF-8 (U+0080..U+009F), which some terminals
//     also obey;
//   - line and paragraph separators (U+2028, U+2029) and the bidirectional
//     formatting characters (U+061C, U+200E, U+200F, U+202A..U+202E,
//     U+2066..U+2069), which can reorder or hide the text around them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sctrace {

enum class EscapeMode {
    // Text sctrace composed around tracee bytes (a rule's message, an
    // evidence line already in strace's notation): a backslash stays one
    // backslash, so the notation inside is not escaped twice.
    Text,
    // One raw name (an executable, a thread's comm, a file): a backslash
    // becomes "\\", so every escape in the output stands for one byte and
    // the name reads back exactly, as strace's -y paths do.
    Name,
};

// How many bytes at text[i] may be shown as they are: a printable ASCII
// character or a valid, harmless UTF-8 sequence; 0 when text[i] must be
// escaped.
std::size_t printable_length(std::string_view text, std::size_t i);

// Appends `bytes`, escaped, to `out`: a std::string or an fmt buffer (any
// container with push_back(char) and append(first, last)).
template <class Out>
void append_escaped(Out& out, std::string_view bytes, EscapeMode mode = EscapeMode::Text) {
    static constexpr char kOct[] = "01234567";
    for (std::size_t i = 0; i < bytes.size();) {
        const char ch = bytes[i];
        if (ch == '\\' && mode == EscapeMode::Name) {
            out.push_back('\\');
            out.push_back('\\');
            ++i;
            continue;
        }
        if (const std::size_t n = printable_length(bytes, i)) {
            out.append(bytes.data() + i, bytes.data() + i + n);
            i += n;
            continue;
        }
        char named = 0;
        switch (ch) {
            case '\t':
                named = 't';
                break;
            case '\n':
                named = 'n';
                break;
            case '\v':
                named = 'v';
                break;
            case '\f':
                named = 'f';
                break;
            case '\r':
                named = 'r';
                break;
            default:
                break;
        }
        out.push_back('\\');
        if (named) {
            out.push_back(named);
        } else {
            // Short octal, three digits when an octal digit follows.
            const auto c = static_cast<unsigned char>(ch);
            const bool digit_next =
                i + 1 < bytes.size() && bytes[i + 1] >= '0' && bytes[i + 1] <= '7';
            if (digit_next || c >= 64) out.push_back(kOct[c >> 6]);
            if (digit_next || c >= 8) out.push_back(kOct[(c >> 3) & 7]);
            out.push_back(kOct[c & 7]);
        }
        ++i;  // a sequence that must go is escaped one byte at a time
    }
}

std::string escaped(std::string_view bytes, EscapeMode mode = EscapeMode::Text);

}  // namespace sctrace
