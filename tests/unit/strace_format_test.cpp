// The strace notation of decoded values, on hand-built trees.
#include "report/strace_format.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

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

// One value under each -X style: abbrev, raw, verbose.
std::array<std::string, 3> styles(const ArgTree& tree, NodeId id) {
    std::array<std::string, 3> out;
    const XlatStyle all[] = {XlatStyle::Abbrev, XlatStyle::Raw, XlatStyle::Verbose};
    for (std::size_t i = 0; i < 3; ++i) {
        fmt::memory_buffer b;
        append_strace_value(b, tree, id, StraceStyle{.xlat = all[i]});
        out[i] = fmt::to_string(b);
    }
    return out;
}

using Styles = std::array<std::string, 3>;

TEST(StraceFormatXlat, EnumsAreNamesNumbersOrBoth) {
    ArgTree tree;
    const NodeId known = tree.add_enum(tree.root(), 10, xlat::sock_family);
    tree.mutable_node(known).enum_hex = true;
    EXPECT_EQ(styles(tree, known), (Styles{"AF_INET6", "0xa", "0xa /* AF_INET6 */"}));
    // A value the table does not name keeps its label in every style but raw.
    const NodeId unknown = tree.add_enum(tree.root(), 0xff, xlat::sock_family);
    tree.mutable_node(unknown).enum_hex = true;
    tree.mutable_node(unknown).text = "AF_???";
    EXPECT_EQ(styles(tree, unknown), (Styles{"0xff /* AF_??? */", "0xff", "0xff /* AF_??? */"}));
    // Without a label (strace's NULL default) the number alone; 0 as 0.
    const NodeId zero = tree.add_enum(tree.root(), 0, xlat::sock_txrehash);
    tree.mutable_node(zero).enum_hex = true;
    EXPECT_EQ(styles(tree, zero)[1], "0");
    const NodeId plain = tree.add_enum(tree.root(), 0x1234, xlat::mctp_nets);
    tree.mutable_node(plain).enum_hex = true;
    EXPECT_EQ(styles(tree, plain), (Styles{"0x1234", "0x1234", "0x1234"}));
    // printxval_d: signed decimal.
    const NodeId signed_value =
        tree.add_enum(tree.root(), static_cast<std::uint64_t>(-1), xlat::sock_txrehash);
    tree.mutable_node(signed_value).text = "SOCK_TXREHASH_???";
    EXPECT_EQ(styles(tree, signed_value),
              (Styles{"-1 /* SOCK_TXREHASH_??? */", "-1", "-1 /* SOCK_TXREHASH_??? */"}));
}

TEST(StraceFormatXlat, FlagsFollowPrintflags) {
    ArgTree tree;
    const auto flags = [&](std::uint64_t v) {
        const NodeId id = tree.add_flags(tree.root(), v, xlat::xdp_sockaddr_flags);
        tree.mutable_node(id).text = "XDP_???";
        return styles(tree, id);
    };
    EXPECT_EQ(flags(0xdead),
              (Styles{"XDP_SHARED_UMEM|XDP_ZEROCOPY|XDP_USE_NEED_WAKEUP|0xdea0", "0xdead",
                      "0xdead /* XDP_SHARED_UMEM|XDP_ZEROCOPY|XDP_USE_NEED_WAKEUP|"
                      "0xdea0 */"}));
    EXPECT_EQ(flags(0xbad0), (Styles{"0xbad0 /* XDP_??? */", "0xbad0", "0xbad0 /* XDP_??? */"}));
    EXPECT_EQ(flags(0), (Styles{"0", "0", "0"}));
    // A table that names 0 names it in verbose too.
    const NodeId zero = tree.add_flags(tree.root(), 0, xlat::open_access_modes);
    EXPECT_EQ(styles(tree, zero)[2], "0 /* O_RDONLY */");
}

TEST(StraceFormatXlat, SymbolicTextsPrintTheirRawChildUnderRawAndVerbose) {
    ArgTree tree;
    const NodeId s = tree.add_struct(tree.root());
    const NodeId port = tree.add_text(s, "htons(12345)", "sin_port");
    const char port_bytes[2] = {0x30, 0x39};
    tree.mutable_node(tree.add_str(port, {port_bytes, 2}, false)).force_hex = true;
    // The IPv6 form: keyless abbreviation, keyed raw bytes, its own comment.
    const NodeId pton = tree.add_text(s, "inet_pton(AF_INET6, \"::1\", &sin6_addr)");
    const char addr[2] = {0, 1};
    const NodeId raw = tree.add_str(pton, {addr, 2}, false, "sin6_addr");
    tree.mutable_node(raw).force_hex = true;
    tree.add_text(pton, "inet_pton(AF_INET6, \"::1\")");
    EXPECT_EQ(styles(tree, s),
              (Styles{R"({sin_port=htons(12345), inet_pton(AF_INET6, "::1", &sin6_addr)})",
                      R"({sin_port="\x30\x39", sin6_addr="\x00\x01"})",
                      R"({sin_port="\x30\x39" /* htons(12345) */, )"
                      R"(sin6_addr="\x00\x01" /* inet_pton(AF_INET6, "::1") */})"}));
}

TEST(StraceFormatXlat, PinnedNodesIgnoreSomeStyles) {
    ArgTree tree;
    // PRINT_FIELD_XVAL_VERBOSE: verbose unless raw.
    const NodeId service = tree.add_enum(tree.root(), 1, xlat::rxrpc_services);
    tree.mutable_node(service).enum_hex = true;
    tree.mutable_node(service).pin = XlatPin::VerboseUnlessRaw;
    EXPECT_EQ(styles(tree, service),
              (Styles{"0x1 /* CM_SERVICE */", "0x1", "0x1 /* CM_SERVICE */"}));
    // A comment strace prints in every style, after the value in that style.
    const NodeId op = tree.add_text(tree.root(), "op: 0");
    tree.mutable_node(op).pin = XlatPin::Always;
    const NodeId code = tree.add_enum(op, 2, xlat::ieee802154_addr_types);
    tree.mutable_node(code).enum_hex = true;
    EXPECT_EQ(styles(tree, op), (Styles{"IEEE802154_ADDR_SHORT /* op: 0 */", "0x2 /* op: 0 */",
                                        "0x2 /* IEEE802154_ADDR_SHORT */ /* op: 0 */"}));
}

TEST(StraceFormatXlat, IndexedAndChangedArrays) {
    ArgTree tree;
    const NodeId changed = tree.add_array(tree.root());
    tree.mutable_node(changed).changed = true;
    for (std::uint32_t round = 0; round < 2; ++round) {
        const NodeId list = tree.add_array(changed);
        tree.mutable_node(list).indexed = true;
        for (std::uint64_t i = 0; i < 3; ++i) {
            const NodeId index = tree.add_enum(list, i, xlat::io_uring_iowq_acct);
            tree.mutable_node(index).text = "IO_WQ_???";
            tree.add_uint(index, 10 * i + round);
        }
    }
    EXPECT_EQ(
        styles(tree, changed),
        (Styles{"[[IO_WQ_BOUND]=0, [IO_WQ_UNBOUND]=10, [2 /* IO_WQ_??? */]=20] => "
                "[[IO_WQ_BOUND]=1, [IO_WQ_UNBOUND]=11, [2 /* IO_WQ_??? */]=21]",
                "[[0]=0, [1]=10, [2]=20] => [[0]=1, [1]=11, [2]=21]",
                "[[0 /* IO_WQ_BOUND */]=0, [1 /* IO_WQ_UNBOUND */]=10, [2 /* IO_WQ_??? */]=20] "
                "=> [[0 /* IO_WQ_BOUND */]=1, [1 /* IO_WQ_UNBOUND */]=11, "
                "[2 /* IO_WQ_??? */]=21]"}));
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
    // rseq is one of the calls strace 6.1 itself prints with printargs.
    EXPECT_EQ(testing::decode_to_strace(
                  testing::make_call("rseq", {0x1000, 0x20, 0, 0x53053053}, 0), memory),
              "rseq(0x1000, 0x20, 0, 0x53053053) = 0");
}

}  // namespace
}  // namespace sctrace
