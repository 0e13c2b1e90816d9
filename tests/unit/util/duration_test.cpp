#include "serin/util/duration.h"

#include <chrono>
#include <initializer_list>
#include <limits>
#include <string>

#include <gtest/gtest.h>

namespace serin::util {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

struct ParseCase {
  std::string text;
  nanoseconds want;
};

class ParseDurationAcceptsGoSyntax : public testing::TestWithParam<ParseCase> {};

TEST_P(ParseDurationAcceptsGoSyntax, ToTheSameNanoseconds) {
  auto got = parseDuration(GetParam().text);
  ASSERT_TRUE(got.isOk()) << got.status();
  EXPECT_EQ(got->count(), GetParam().want.count());
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseDurationAcceptsGoSyntax,
    testing::Values(
        ParseCase{"0", nanoseconds(0)}, ParseCase{"+0", nanoseconds(0)},
        ParseCase{"-0", nanoseconds(0)}, ParseCase{"0s", nanoseconds(0)},
        ParseCase{"5s", seconds(5)}, ParseCase{"30s", seconds(30)},
        ParseCase{"1478s", seconds(1478)}, ParseCase{"-5s", seconds(-5)},
        ParseCase{"+5s", seconds(5)}, ParseCase{"1.5h", minutes(90)},
        ParseCase{"1h30m", minutes(90)}, ParseCase{"2m", minutes(2)},
        ParseCase{".5s", milliseconds(500)}, ParseCase{"1.s", seconds(1)},
        ParseCase{"100ms", milliseconds(100)}, ParseCase{"10us", microseconds(10)},
        ParseCase{"10\xC2\xB5s", microseconds(10)},  // U+00B5
        ParseCase{"10\xCE\xBCs", microseconds(10)},  // U+03BC
        ParseCase{"7ns", nanoseconds(7)}, ParseCase{"3h2m1s", seconds(10921)},
        ParseCase{"1h1m1s1ms1us1ns", nanoseconds(3661001001001)},
        ParseCase{"0.3333333333333333333h", nanoseconds(1200000000000)},
        ParseCase{"9223372036854775807ns", nanoseconds(std::numeric_limits<int64_t>::max())},
        ParseCase{"-9223372036854775808ns", nanoseconds(std::numeric_limits<int64_t>::min())}));

class ParseDurationRejects : public testing::TestWithParam<std::string> {};

TEST_P(ParseDurationRejects, AsInvalidNamingTheInput) {
  auto got = parseDuration(GetParam());
  ASSERT_FALSE(got.isOk());
  EXPECT_TRUE(got.status().is(StatusCode::kInvalid));
  EXPECT_NE(got.status().message().find("\"" + GetParam() + "\""), std::string::npos)
      << got.status();
}

INSTANTIATE_TEST_SUITE_P(Table, ParseDurationRejects,
                         testing::Values("", "3", "-", "s", ".", ".s", "+.s", "1d", "1hour",
                                         "1h 30m", " 1s", "1s ", "1.5", "x1s", "1e3s",
                                         "9223372036854775808ns", "3000000h"));

TEST(ParseDuration, NamesAnUnknownUnit) {
  auto got = parseDuration("5d");
  ASSERT_FALSE(got.isOk());
  EXPECT_NE(got.status().message().find("unknown unit \"d\""), std::string::npos);
}

TEST(ParseDuration, NamesAMissingUnit) {
  auto got = parseDuration("1h30");
  ASSERT_FALSE(got.isOk());
  EXPECT_NE(got.status().message().find("missing unit"), std::string::npos);
}

TEST(ParseDurationOrSeconds, ReadsABareIntegerAsSeconds) {
  EXPECT_EQ(parseDurationOrSeconds("30").value(), seconds(30));
  EXPECT_EQ(parseDurationOrSeconds("0").value(), seconds(0));
  EXPECT_EQ(parseDurationOrSeconds("-5").value(), seconds(-5));
  EXPECT_EQ(parseDurationOrSeconds("+7").value(), seconds(7));
}

TEST(ParseDurationOrSeconds, ReadsEverythingElseAsAGoDuration) {
  EXPECT_EQ(parseDurationOrSeconds("1m").value(), minutes(1));
  EXPECT_EQ(parseDurationOrSeconds("1.5s").value(), milliseconds(1500));
  EXPECT_FALSE(parseDurationOrSeconds("1.5").isOk());
  EXPECT_FALSE(parseDurationOrSeconds("").isOk());
  EXPECT_FALSE(parseDurationOrSeconds("abc").isOk());
}

TEST(ParseDurationOrSeconds, RejectsSecondsThatOverflowNanoseconds) {
  auto got = parseDurationOrSeconds("9223372037");
  ASSERT_FALSE(got.isOk());
  EXPECT_NE(got.status().message().find("9223372037"), std::string::npos);
}

struct FormatCase {
  nanoseconds in;
  std::string want;
};

class FormatDurationPrintsLikeGo : public testing::TestWithParam<FormatCase> {};

TEST_P(FormatDurationPrintsLikeGo, String) {
  EXPECT_EQ(formatDuration(GetParam().in), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Table, FormatDurationPrintsLikeGo,
    testing::Values(
        FormatCase{nanoseconds(0), "0s"}, FormatCase{nanoseconds(1), "1ns"},
        FormatCase{nanoseconds(1100), "1.1\xC2\xB5s"}, FormatCase{microseconds(2), "2\xC2\xB5s"},
        FormatCase{nanoseconds(2200000), "2.2ms"}, FormatCase{milliseconds(500), "500ms"},
        FormatCase{milliseconds(1500), "1.5s"}, FormatCase{seconds(1), "1s"},
        FormatCase{seconds(30), "30s"}, FormatCase{minutes(2), "2m0s"},
        FormatCase{minutes(90), "1h30m0s"}, FormatCase{hours(1), "1h0m0s"},
        FormatCase{seconds(4000), "1h6m40s"},
        FormatCase{nanoseconds(3661001001001), "1h1m1.001001001s"}, FormatCase{seconds(-5), "-5s"},
        FormatCase{milliseconds(-1), "-1ms"},
        FormatCase{nanoseconds(std::numeric_limits<int64_t>::max()), "2562047h47m16.854775807s"},
        FormatCase{nanoseconds(std::numeric_limits<int64_t>::min()), "-2562047h47m16.854775808s"}));

TEST(FormatDuration, RoundTripsThroughParse) {
  for (nanoseconds d :
       std::initializer_list<nanoseconds>{nanoseconds(1), nanoseconds(999), milliseconds(1234),
                                          seconds(59), minutes(61), hours(100) + nanoseconds(7)}) {
    EXPECT_EQ(parseDuration(formatDuration(d)).value(), d) << formatDuration(d);
  }
}

}  // namespace
}  // namespace serin::util
