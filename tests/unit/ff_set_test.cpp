// strace -ff sets: which files a name stands for (FILE.PID members found by
// their prefix, in pid order) and which first times can be merged.
#include "sources/strace/ff_set.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace sctrace::strace_text {
namespace {

namespace fs = std::filesystem;

class FfSet : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("sctrace-ff-set-" + std::to_string(getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string touch(const std::string& name) const {
        const std::string path = (dir_ / name).string();
        std::ofstream(path) << "close(3) = 0\n";
        return path;
    }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    fs::path dir_;
};

TEST_F(FfSet, APrefixNamesItsMembersInPidOrder) {
    touch("trace.12");
    touch("trace.3");
    touch("trace.x");     // not a pid
    touch("trace.");      // no pid
    touch("trace.3.gz");  // not FILE.PID
    touch("other.5");
    const auto files = log_files_named(path("trace"));
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files[0].path, path("trace.3"));
    EXPECT_EQ(files[0].pid, 3);
    EXPECT_EQ(files[1].path, path("trace.12"));  // 12 after 3: by number, not by name
    EXPECT_EQ(files[1].pid, 12);
    EXPECT_TRUE(is_ff_set(files));
}

TEST_F(FfSet, AFileIsItselfAndCarriesThePidInItsName) {
    touch("trace.4711");
    touch("trace.log");
    const auto member = log_files_named(path("trace.4711"));
    ASSERT_EQ(member.size(), 1u);
    EXPECT_EQ(member[0].pid, 4711);
    EXPECT_FALSE(is_ff_set(member));  // one file is one thread's, not a set
    const auto log = log_files_named(path("trace.log"));
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0].pid, 0);
    EXPECT_TRUE(log_files_named(path("nothing")).empty());
}

TEST(FfSetTimes, OnlyOneKindOfAbsoluteOrDailyTimeMerges) {
    EXPECT_TRUE(mergeable_time(TimeKind::Absolute, std::nullopt));
    EXPECT_TRUE(mergeable_time(TimeKind::TimeOfDay, TimeKind::TimeOfDay));
    EXPECT_FALSE(mergeable_time(TimeKind::Relative, std::nullopt));  // -r: deltas only
    EXPECT_FALSE(mergeable_time(std::nullopt, std::nullopt));        // no times at all
    EXPECT_FALSE(mergeable_time(TimeKind::Absolute, TimeKind::TimeOfDay));
}

}  // namespace
}  // namespace sctrace::strace_text
