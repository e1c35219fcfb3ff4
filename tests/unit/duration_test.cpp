#include "base/duration.h"

#include <gtest/gtest.h>

namespace sctrace {
namespace {

using namespace std::chrono_literals;

TEST(Duration, UnitsAndBareSeconds) {
    EXPECT_EQ(parse_duration("30s"), 30s);
    EXPECT_EQ(parse_duration("30"), 30s);
    EXPECT_EQ(parse_duration("1.5s"), 1500ms);
    EXPECT_EQ(parse_duration("250ms"), 250ms);
    EXPECT_EQ(parse_duration("2m"), 120s);
    EXPECT_EQ(parse_duration("1h"), 3600s);
    EXPECT_EQ(parse_duration("500us"), 500us);
}

TEST(Duration, RejectsWhatIsNotADuration) {
    EXPECT_FALSE(parse_duration(""));
    EXPECT_FALSE(parse_duration("-1s"));
    EXPECT_FALSE(parse_duration("10 s"));
    EXPECT_FALSE(parse_duration("10sec"));
    EXPECT_FALSE(parse_duration("s"));
    EXPECT_FALSE(parse_duration("1e300h"));
}

}  // namespace
}  // namespace sctrace
