// The strace notation of decoded values, on hand-built trees.
#include "report/strace_format.h"

#include <gtest/gtest.h>

#include "decode_test_util.h"
#include "model/xlat_tables.h"

namespace sctrace {
namespace {

std::string str(std::string_view bytes, bool truncated = false) {
    fmt::memory_buffer out;
    append_strace_string(out, bytes, truncated);
    return fmt::to_string(out);
}

TEST(StraceFormat, StringsUseCEscapesAndShortestOctal) {
    EXPECT_EQ(str("hello\n"), R"("hello\n")");
    EXPECT_EQ(str(std::string_view("\177ELF\2\1\1\3\0\0", 10)), R"("\177ELF\2\1\1\3\0\0")");
    // A digit after an octal escape forces three digits.
    EXPECT_EQ(str(std::string_view("\0"
                                   "1",
                                   2)),
              R"("\0001")");
    EXPECT_EQ(str("quote\" back\\slash\ttab"), R"("quote\" back\\slash\ttab")");
    EXPECT_EQ(str("abc", true), R"("abc"...)");
}

TEST(StraceFormat, StructsArraysFlagsAndEnums) {
    ArgTree tree;
    const NodeId s = tree.add_struct(tree.root());
    tree.add_enum(s, 2, xlat::sock_family, "sa_family");
    tree.add_text(s, "htons(80)", "sin_port");
    const NodeId set = tree.add_array(tree.root());
    tree.mutable_node(set).spaced = true;
    tree.add_int(set, 3);
    tree.add_int(set, 4);
    tree.add_ptr(tree.root(), 0);
    tree.add_enum(tree.root(), 99, xlat::sock_family);
    fmt::memory_buffer out;
    append_strace_args(out, tree, 0, 10);
    EXPECT_EQ(fmt::to_string(out), "{sa_family=AF_INET, sin_port=htons(80)}, [3 4], NULL, 99");
}

TEST(StraceFormat, ATreeThatOverflowsSaysSo) {
    ArgTree tree;
    const NodeId list = tree.add_array(tree.root());
    for (std::size_t i = 0; i < ArgTree::kMaxNodes + 5; ++i) tree.add_int(list, 1);
    EXPECT_TRUE(tree.overflowed());
    fmt::memory_buffer out;
    append_strace_value(out, tree, list);
    EXPECT_TRUE(fmt::to_string(out).ends_with(", ...]"));
}

// An fd's decoration by kind, as -y and -yy print it.
std::string decorated(std::string_view text, FdDecoration decoration, StraceStyle style) {
    ArgTree tree;
    const NodeId fd = tree.add_int(tree.root(), 3);
    tree.mutable_node(fd).fd = true;
    tree.mutable_node(fd).text = tree.store(text);
    tree.mutable_node(fd).decoration = decoration;
    fmt::memory_buffer out;
    append_strace_value(out, tree, fd, style);
    return fmt::to_string(out);
}

TEST(StraceFormat, FdDecorationsByKind) {
    const StraceStyle yy{true, true};
    EXPECT_EQ(decorated("/tmp/a<b>", FdDecoration::Path, yy), R"(3</tmp/a\74b\76>)");
    EXPECT_EQ(decorated("/tmp/x (deleted)", FdDecoration::Path, yy), "3</tmp/x>(deleted)");
    using namespace std::string_view_literals;
    EXPECT_EQ(decorated("/dev/null\0char 1:3"sv, FdDecoration::Device, yy),
              "3</dev/null<char 1:3>>");
    EXPECT_EQ(decorated("/dev/<s>\0block 8:0"sv, FdDecoration::Device, yy),
              R"(3</dev/\74s\76<block 8:0>>)");
    // strace's own descriptions print as they are: "->" stays.
    EXPECT_EQ(decorated("TCP:[127.0.0.1:80->127.0.0.1:4711]", FdDecoration::Details, yy),
              "3<TCP:[127.0.0.1:80->127.0.0.1:4711]>");
    EXPECT_EQ(decorated("pid:42", FdDecoration::Details, yy), "3<pid:42>");
}

TEST(StraceFormat, EachDecorationShowsOnlyWhenItsKindIsAskedFor) {
    using namespace std::string_view_literals;
    const StraceStyle none{};
    const StraceStyle paths{true, false};    // -y, or -P's paths kept for matching
    const StraceStyle details{false, true};  // --decode-fds=socket,dev
    EXPECT_EQ(decorated("/etc/passwd", FdDecoration::Path, none), "3");
    EXPECT_EQ(decorated("/etc/passwd", FdDecoration::Path, paths), "3</etc/passwd>");
    EXPECT_EQ(decorated("/etc/passwd", FdDecoration::Path, details), "3");
    EXPECT_EQ(decorated("/dev/null\0char 1:3"sv, FdDecoration::Device, paths), "3");
    EXPECT_EQ(decorated("/dev/null\0char 1:3"sv, FdDecoration::Device, details),
              "3</dev/null<char 1:3>>");
    // -P matches a device by its path alone.
    EXPECT_EQ(strace_decoration_path("/dev/null\0char 1:3"sv, FdDecoration::Device), "/dev/null");
    EXPECT_EQ(strace_decoration_path("/dev/null", FdDecoration::Path), "/dev/null");
}

TEST(Decoders, CallsWithoutADecoderPrintRawArgumentsInHex) {
    testing::FakeMemory memory;
    EXPECT_EQ(testing::decode_to_strace(testing::make_call("getcwd", {0x1000, 4096}, 5), memory),
              "getcwd(0x1000, 0x1000) = 5");
}

}  // namespace
}  // namespace sctrace
