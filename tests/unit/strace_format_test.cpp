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

TEST(Decoders, CallsWithoutADecoderPrintRawArgumentsInHex) {
    testing::FakeMemory memory;
    // rseq is one of the calls strace 6.1 itself prints with printargs.
    EXPECT_EQ(testing::decode_to_strace(
                  testing::make_call("rseq", {0x1000, 0x20, 0, 0x53053053}, 0), memory),
              "rseq(0x1000, 0x20, 0, 0x53053053) = 0");
}

}  // namespace
}  // namespace sctrace
