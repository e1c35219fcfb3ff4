// sctrace's text event stream read as strace's: which first lines are it,
// and each kind of line rewritten into strace -f -tt -T's grammar.
#include "sources/strace/text_dialect.h"

#include <gtest/gtest.h>

namespace sctrace::strace_text {
namespace {

TEST(TextDialect, IsToldApartFromStraceLogsByItsFirstLine) {
    EXPECT_TRUE(looks_like_sctrace_text("14:03:11.123456 4711 close(3) = 0 <0.000004>"));
    EXPECT_TRUE(looks_like_sctrace_text("14:03:11.123456 4711/4712 read(3,  <unfinished ...>"));
    // strace -f -tt puts the pid first; strace -tt alone has the call next.
    EXPECT_FALSE(looks_like_sctrace_text("4711  14:03:11.123456 close(3) = 0"));
    EXPECT_FALSE(looks_like_sctrace_text("14:03:11.123456 close(3) = 0"));
    EXPECT_FALSE(looks_like_sctrace_text("14:03:11 4711 close(3) = 0"));
    EXPECT_FALSE(looks_like_sctrace_text("{\"type\":\"syscall_exit\"}"));
    EXPECT_FALSE(looks_like_sctrace_text(""));
}

TEST(TextDialect, ACompleteCallIsStampedAtItsEntry) {
    TextLine t;
    std::string error;
    ASSERT_TRUE(translate_text_line("14:03:11.123456 4711/4712 close(3) = 0 <0.000456>", t, &error))
        << error;
    EXPECT_EQ(t.kind, TextLine::Kind::Strace);
    EXPECT_EQ(t.pid, 4711);
    EXPECT_EQ(t.tid, 4712);
    EXPECT_EQ(t.strace_line, "4712 14:03:11.123000 close(3) = 0 <0.000456>");
    // A call that entered before midnight and returned after it.
    ASSERT_TRUE(
        translate_text_line("00:00:00.000100 9 nanosleep({tv_sec=1, tv_nsec=0}, NULL) = 0 "
                            "<1.000200>",
                            t, &error));
    EXPECT_EQ(t.strace_line,
              "9 23:59:58.999900 nanosleep({tv_sec=1, tv_nsec=0}, NULL) = 0 <1.000200>");
}

TEST(TextDialect, SplitCallsSignalsAndExitsKeepTheirStamps) {
    TextLine t;
    std::string error;
    ASSERT_TRUE(translate_text_line("14:03:11.000001 7 read(3,  <unfinished ...>", t, &error));
    EXPECT_EQ(t.strace_line, "7 14:03:11.000001 read(3,  <unfinished ...>");
    ASSERT_TRUE(translate_text_line("14:03:11.000009 7 <... read resumed>\"x\", 1) = 1 <0.000008>",
                                    t, &error));
    EXPECT_EQ(t.strace_line, "7 14:03:11.000009 <... read resumed>\"x\", 1) = 1 <0.000008>");
    ASSERT_TRUE(translate_text_line(
        "14:03:11.000010 7 --- SIGCHLD {si_signo=SIGCHLD, si_code=1} ---", t, &error));
    EXPECT_EQ(t.strace_line, "7 14:03:11.000010 --- SIGCHLD {si_signo=SIGCHLD, si_code=1} ---");
    ASSERT_TRUE(translate_text_line("14:03:11.000011 7/8 +++ thread exited with 3 +++", t, &error));
    EXPECT_EQ(t.strace_line, "8 14:03:11.000011 +++ exited with 3 +++");
    ASSERT_TRUE(translate_text_line("14:03:11.000012 7 +++ killed by SIGKILL +++", t, &error));
    EXPECT_EQ(t.strace_line, "7 14:03:11.000012 +++ killed by SIGKILL +++");
}

TEST(TextDialect, NewTasksStateTheirProcess) {
    TextLine t;
    std::string error;
    ASSERT_TRUE(translate_text_line("14:03:11.000001 7/9 +++ thread 10 +++", t, &error));
    EXPECT_EQ(t.kind, TextLine::Kind::Task);
    EXPECT_EQ(t.new_tid, 10);
    EXPECT_EQ(t.new_pid, 7);
    ASSERT_TRUE(translate_text_line("14:03:11.000001 7 +++ fork 11 +++", t, &error));
    EXPECT_EQ(t.kind, TextLine::Kind::Task);
    EXPECT_EQ(t.new_tid, 11);
    EXPECT_EQ(t.new_pid, 11);
}

TEST(TextDialect, LinesStraceHasNoFormForAreSkippedNotRejected) {
    TextLine t;
    std::string error;
    for (const char* line :
         {"14:03:11.000001 7 +++ exec /usr/bin/true +++", "14:03:11.000001 7 +++ attached +++",
          "14:03:11.000001 7 --- io_uring_submit {opcode=IORING_OP_NOP} ---"}) {
        ASSERT_TRUE(translate_text_line(line, t, &error)) << line << ": " << error;
        EXPECT_EQ(t.kind, TextLine::Kind::Skip) << line;
    }
}

TEST(TextDialect, OtherLinesAreRejectedSayingWhy) {
    TextLine t;
    std::string error;
    EXPECT_FALSE(translate_text_line("4711  14:03:11.123456 close(3) = 0", t, &error));
    EXPECT_NE(error.find("time of day"), std::string::npos) << error;
    EXPECT_FALSE(translate_text_line("14:03:11.123456 close(3) = 0", t, &error));
    EXPECT_NE(error.find("pid"), std::string::npos) << error;
    EXPECT_FALSE(translate_text_line("14:03:11.123456 12/ close(3) = 0", t, &error));
    EXPECT_NE(error.find("thread id"), std::string::npos) << error;
}

}  // namespace
}  // namespace sctrace::strace_text
