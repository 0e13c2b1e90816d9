#include "serin/util/time.h"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

namespace serin::util {
namespace {

using namespace std::chrono;

Clock::TimePoint at(int y, unsigned m, unsigned d, int hh, int mm, int ss,
                    nanoseconds frac = nanoseconds(0)) {
  auto midnight = sys_days(year_month_day(year(y), month(m), day(d)));
  return Clock::TimePoint(duration_cast<Clock::TimePoint::duration>(
      (midnight + hours(hh) + minutes(mm) + seconds(ss)).time_since_epoch() + frac));
}

TEST(FormatRfc3339, PrintsSecondsInUtcWithZ) {
  EXPECT_EQ(formatRfc3339(at(2026, 11, 24, 1, 2, 3)), "2026-11-24T01:02:03Z");
  EXPECT_EQ(formatRfc3339(Clock::TimePoint()), "1970-01-01T00:00:00Z");
}

TEST(FormatRfc3339, TruncatesFractionsLikeMetav1Time) {
  EXPECT_EQ(formatRfc3339(at(2026, 11, 24, 1, 2, 3, milliseconds(999))), "2026-11-24T01:02:03Z");
}

TEST(FormatRfc3339, HandlesTimesBeforeTheEpoch) {
  EXPECT_EQ(formatRfc3339(at(1969, 12, 31, 23, 59, 59, milliseconds(500))), "1969-12-31T23:59:59Z");
}

TEST(FormatRfc3339Micro, AlwaysPrintsSixFractionalDigits) {
  EXPECT_EQ(formatRfc3339Micro(at(2026, 11, 24, 1, 2, 3)), "2026-11-24T01:02:03.000000Z");
  EXPECT_EQ(formatRfc3339Micro(at(2026, 11, 24, 1, 2, 3, nanoseconds(123456789))),
            "2026-11-24T01:02:03.123456Z");
  EXPECT_EQ(formatRfc3339Micro(at(2000, 2, 29, 23, 59, 59, microseconds(1))),
            "2000-02-29T23:59:59.000001Z");
}

struct ParseCase {
  std::string text;
  Clock::TimePoint want;
};

class ParseRfc3339Accepts : public testing::TestWithParam<ParseCase> {};

TEST_P(ParseRfc3339Accepts, ToTheSameInstant) {
  auto got = parseRfc3339(GetParam().text);
  ASSERT_TRUE(got.isOk()) << got.status();
  EXPECT_EQ(*got, GetParam().want) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseRfc3339Accepts,
    testing::Values(
        ParseCase{"2026-11-24T01:02:03Z", at(2026, 11, 24, 1, 2, 3)},
        ParseCase{"2026-11-24t01:02:03z", at(2026, 11, 24, 1, 2, 3)},
        ParseCase{"2026-11-24T01:02:03.5Z", at(2026, 11, 24, 1, 2, 3, milliseconds(500))},
        ParseCase{"2026-11-24T01:02:03.123456Z", at(2026, 11, 24, 1, 2, 3, microseconds(123456))},
        ParseCase{"2026-11-24T01:02:03.123456789Z",
                  at(2026, 11, 24, 1, 2, 3, nanoseconds(123456789))},
        ParseCase{"2026-11-24T01:02:03.1234567891Z",
                  at(2026, 11, 24, 1, 2, 3, nanoseconds(123456789))},
        ParseCase{"2026-11-24T03:02:03+02:00", at(2026, 11, 24, 1, 2, 3)},
        ParseCase{"2026-11-23T20:32:03-04:30", at(2026, 11, 24, 1, 2, 3)},
        ParseCase{"2026-11-24T01:02:03.25+00:00", at(2026, 11, 24, 1, 2, 3, milliseconds(250))},
        ParseCase{"2024-02-29T00:00:00Z", at(2024, 2, 29, 0, 0, 0)}));

class ParseRfc3339Rejects : public testing::TestWithParam<std::string> {};

TEST_P(ParseRfc3339Rejects, AsInvalidNamingTheText) {
  auto got = parseRfc3339(GetParam());
  ASSERT_FALSE(got.isOk()) << GetParam();
  EXPECT_TRUE(got.status().is(StatusCode::kInvalid));
  EXPECT_NE(got.status().message().find(GetParam()), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Table, ParseRfc3339Rejects,
                         testing::Values("", "2026-11-24", "2026-11-24T01:02:03",
                                         "2026-11-24 01:02:03Z", "2026-13-01T00:00:00Z",
                                         "2025-02-29T00:00:00Z", "2026-11-24T24:00:00Z",
                                         "2026-11-24T01:60:00Z", "2026-11-24T01:02:60Z",
                                         "2026-11-24T01:02:03.Z", "2026-11-24T01:02:03+0200",
                                         "2026-11-24T01:02:03+24:00", "2026-11-24T01:02:03Zjunk",
                                         "26-11-24T01:02:03Z"));

TEST(Rfc3339, MicroFormatRoundTrips) {
  auto t = at(2026, 11, 24, 1, 2, 3, microseconds(654321));
  EXPECT_EQ(parseRfc3339(formatRfc3339Micro(t)).value(), t);
}

}  // namespace
}  // namespace serin::util
