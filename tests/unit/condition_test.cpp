// Rule conditions: parse, check and evaluate, on events from strace lines.
#include "engine/rules/condition.h"

#include <gtest/gtest.h>

#include "tests/unit/condition_matches.h"

namespace sctrace::rules {
namespace {

ConditionCompiler::Macros no_macros;
ConditionCompiler::Lists no_lists;

Condition compile(std::string_view text, const ConditionCompiler::Macros& macros = no_macros,
                  const ConditionCompiler::Lists& lists = no_lists) {
    auto result = ConditionCompiler(macros, lists).compile(text);
    if (auto* error = std::get_if<ConditionError>(&result)) {
        ADD_FAILURE() << text << ": " << error->message << " at " << error->offset;
        return {};
    }
    return std::get<Condition>(std::move(result));
}

ConditionError error_of(std::string_view text,
                        const ConditionCompiler::Macros& macros = no_macros) {
    auto result = ConditionCompiler(macros, no_lists).compile(text);
    if (auto* error = std::get_if<ConditionError>(&result)) return *error;
    ADD_FAILURE() << text << " compiled but should not have";
    return {};
}

const std::vector<std::string> kImmediateConnect = {
    "100 socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = 3",
    "100 connect(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"1.2.3.4\")}, 16) "
    "= 0",
};

TEST(Condition, FieldsReadTheStateBeforeTheEvent) {
    const auto c = compile(
        "evt.type = connect and evt.res = 0 and fd.nonblocking = true and fd.l4proto = tcp and "
        "fd.connect_calls = 0");
    EXPECT_EQ(matches(c, kImmediateConnect), 1);
    EXPECT_EQ(matches(c, {"100 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3",
                          "100 connect(3, {sa_family=AF_INET}, 16) = 0"}),
              0)
        << "a blocking socket may connect at once";
}

// Chains of and/or are flattened and their integer-coded comparisons moved
// first: precedence, parentheses and negation must come out unchanged.
TEST(Condition, AndBindsTighterThanOrInLongMixedChains) {
    const std::vector<std::string> connect_then_write = {kImmediateConnect[0], kImmediateConnect[1],
                                                         "100 write(3, \"x\", 1) = 1"};
    // (connect and failed) or (write and res = 1): the write only.
    EXPECT_EQ(matches(compile("evt.type = connect and evt.res = -1 or evt.type = write and "
                              "evt.res = 1"),
                      connect_then_write),
              1);
    // connect and (res = -1 or write): nothing.
    EXPECT_EQ(matches(compile("evt.type = connect and (evt.res = -1 or evt.type = write)"),
                      connect_then_write),
              0);
    // Not over a chain, a coded test after field tests, and a nested or.
    EXPECT_EQ(matches(compile("not (fd.nonblocking = true and evt.type = socket) and "
                              "fd.l4proto = tcp and evt.dir = < and "
                              "(evt.type = write or evt.res = 0 or evt.type = close)"),
                      connect_then_write),
              2)
        << "the connect (res 0) and the write, on the tracked socket";
}

TEST(Condition, InListsMacrosAndNot) {
    ConditionCompiler::Macros macros = {
        {"inet_stream", "fd.family in (AF_INET, AF_INET6) and fd.l4proto = tcp"}};
    ConditionCompiler::Lists lists = {{"connect_calls", {"connect"}}};
    const auto c = compile("evt.type in (connect_calls) and inet_stream and not evt.failed = true",
                           macros, lists);
    EXPECT_EQ(matches(c, kImmediateConnect), 1);
    ASSERT_TRUE(c.event_types());
    EXPECT_EQ(*c.event_types(), std::set<std::string>{"connect"});
}

TEST(Condition, DoubleCloseFromClosedState) {
    const auto c = compile("evt.type = close and evt.errno = EBADF and fd.closed = true");
    EXPECT_EQ(matches(c, {"100 socket(AF_UNIX, SOCK_STREAM, 0) = 5", "100 close(5) = 0",
                          "100 close(5) = -1 EBADF (Bad file descriptor)"}),
              1);
    EXPECT_EQ(matches(c, {"100 close(9) = -1 EBADF (Bad file descriptor)"}), 0)
        << "never opened here: not a double close";
}

TEST(Condition, StringOperatorsAndSignals) {
    const auto c =
        compile("evt.type = signal and signal.name startswith SIGSEG and signal.addr = 0xbbadbeef");
    EXPECT_EQ(
        matches(c,
                {"7 --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0xbbadbeef} ---"}),
        1);
    EXPECT_FALSE(c.event_types() && c.event_types()->count("connect"));
}

TEST(Condition, ErrorsPointAtTheProblemWithAHint) {
    auto e = error_of("evt.type = connect and fd.nonblock = true");
    EXPECT_EQ(e.offset, 23u);
    EXPECT_NE(e.message.find("unknown field or macro 'fd.nonblock'"), std::string::npos);
    EXPECT_EQ(e.hint, "did you mean 'fd.nonblocking'?");
    e = error_of("evt.res = connect");
    EXPECT_NE(e.message.find("evt.res is a number"), std::string::npos) << e.message;
    EXPECT_EQ(e.offset, 10u);
    // An unclosed '(' is blamed on the '(' itself, not on the text's end.
    e = error_of("evt.type = close and (fd.num = 1 or fd.num = 2");
    EXPECT_EQ(e.message, "this '(' is never closed");
    EXPECT_EQ(e.offset, 21u);
    e = error_of("evt.type = close and fd.num in (1, 2");
    EXPECT_EQ(e.message, "this '(' is never closed");
    EXPECT_EQ(e.offset, 31u);
    EXPECT_EQ(e.hint, "close the list with ')'");
    e = error_of("(evt.type = close fd.num = 1)");
    EXPECT_NE(e.message.find("expected ')' or 'and', 'or', got 'fd.num'"), std::string::npos)
        << e.message;
    EXPECT_EQ(e.offset, 18u);
    e = error_of("evt.type = close and");
    EXPECT_NE(e.message.find("ends too early"), std::string::npos) << e.message;
    e = error_of("fd.name = \"open");
    EXPECT_NE(e.message.find("not closed"), std::string::npos) << e.message;
    e = error_of("");
    EXPECT_NE(e.message.find("empty"), std::string::npos);
    e = error_of("loop", {{"loop", "loop"}});
    EXPECT_NE(e.message.find("macro 'loop' uses itself: loop -> loop"), std::string::npos)
        << e.message;
    e = error_of("a", {{"a", "b"}, {"b", "evt.type = close or a"}});
    EXPECT_NE(e.message.find("macro 'a' uses itself: a -> b -> a"), std::string::npos) << e.message;
    std::string deep(10000, '(');
    e = error_of(deep + "evt.type = close" + std::string(10000, ')'));
    EXPECT_NE(e.message.find("nest too deeply"), std::string::npos) << e.message;
}

}  // namespace
}  // namespace sctrace::rules

namespace sctrace::rules {
namespace {

TEST(Fields, TheTableIsIndexedByIdAndNamesAreUnique) {
    std::set<std::string_view> names;
    for (std::size_t i = 0; i < all_fields().size(); ++i) {
        EXPECT_EQ(static_cast<std::size_t>(all_fields()[i].id), i) << all_fields()[i].name;
        EXPECT_TRUE(names.insert(all_fields()[i].name).second) << all_fields()[i].name;
        EXPECT_FALSE(all_fields()[i].description.empty());
    }
}

}  // namespace
}  // namespace sctrace::rules
