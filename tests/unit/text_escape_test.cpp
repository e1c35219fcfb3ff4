// The escaping every human output applies to names and text a tracee (or a
// saved log) chose: nothing in them may start a line, move the cursor or
// change colours, and a name must read back exactly.
#include "base/text_escape.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

namespace sctrace {
namespace {

using namespace std::string_literals;

TEST(TextEscape, ControlBytesAsStraceSpellsThem) {
    // strace 6.1 prints a path with ESC and a newline as "a\n\33[31mb".
    EXPECT_EQ(escaped("a\n\033[31mb"), "a\\n\\33[31mb");
    EXPECT_EQ(escaped("\t\v\f\r"), "\\t\\v\\f\\r");
    EXPECT_EQ(escaped("\x01\x7f"), "\\1\\177");
    EXPECT_EQ(escaped("\0x"s), "\\0x");
}

TEST(TextEscape, AnOctalDigitAfterAnEscapeForcesThreeDigits) {
    // "\1" then "7" must not read back as "\17".
    EXPECT_EQ(escaped("\x01"
                      "7"),
              "\\0017");
    EXPECT_EQ(escaped("\033"
                      "1"),
              "\\0331");
    EXPECT_EQ(escaped("\033"
                      "8"),
              "\\338");
}

TEST(TextEscape, PlainTextAndValidUtf8PassThrough) {
    EXPECT_EQ(escaped("sctrace: fd 3 (/tmp/x) closed twice"),
              "sctrace: fd 3 (/tmp/x) closed twice");
    EXPECT_EQ(escaped("/home/zoë/日本/…×"), "/home/zoë/日本/…×");
}

TEST(TextEscape, C1ControlsAreEscapedRawOrAsUtf8) {
    // 0x9b alone is CSI to terminals that read 8-bit controls; U+009B is the
    // same control written as UTF-8.
    EXPECT_EQ(escaped("a\x9b"
                      "31mb"),
              "a\\23331mb");
    EXPECT_EQ(escaped("a\xc2\x9b"
                      "31m"),
              "a\\302\\23331m");
    EXPECT_EQ(escaped("\xc2\x85"), "\\302\\205");  // NEL, a line break to some
    EXPECT_EQ(escaped("\xc2\xa0"), "\xc2\xa0");    // U+00A0 is printable
}

TEST(TextEscape, InvalidUtf8IsEscapedByteByByte) {
    EXPECT_EQ(escaped("\xff\xc3("), "\\377\\303(");
    EXPECT_EQ(escaped("\xe2\x82"), "\\342\\202");           // cut short
    EXPECT_EQ(escaped("\xc0\xaf"), "\\300\\257");           // overlong '/'
    EXPECT_EQ(escaped("\xed\xa0\x80"), "\\355\\240\\200");  // a surrogate
}

TEST(TextEscape, LineSeparatorsAndBidiControlsAreEscaped) {
    // They break or reorder the text around them in UIs and some terminals.
    EXPECT_EQ(escaped("a\xe2\x80\xa8"
                      "b"),
              "a\\342\\200\\250b");  // U+2028
    EXPECT_EQ(escaped("\xe2\x80\xae"
                      "gpj.exe"),
              "\\342\\200\\256gpj.exe");                    // U+202E
    EXPECT_EQ(escaped("\xe2\x81\xa6"), "\\342\\201\\246");  // U+2066
    EXPECT_EQ(escaped("\xe2\x80\x8f"), "\\342\\200\\217");  // U+200F
    EXPECT_EQ(escaped("\xe2\x80\x94"), "\xe2\x80\x94");     // an em dash stays
}

TEST(TextEscape, NamesEscapeBackslashesSoTheyReadBack) {
    // In a name, "\33" as typed and a real ESC must differ.
    EXPECT_EQ(escaped("a\\33b", EscapeMode::Name), "a\\\\33b");
    EXPECT_EQ(escaped("a\033b", EscapeMode::Name), "a\\33b");
    // In composed text (already in strace's notation) a backslash stays.
    EXPECT_EQ(escaped("open(\"a\\\\b\")"), "open(\"a\\\\b\")");
}

TEST(TextEscape, AppendsToFmtBuffers) {
    fmt::memory_buffer out;
    append_escaped(out, "x\ny", EscapeMode::Name);
    EXPECT_EQ(fmt::to_string(out), "x\\ny");
}

}  // namespace
}  // namespace sctrace
