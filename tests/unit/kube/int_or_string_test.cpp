#include "serin/kube/int_or_string.h"

#include <string>

#include <gtest/gtest.h>

namespace serin::kube {
namespace {

using Json = nlohmann::json;

TEST(IntOrString, RoundTripsIntsAsJsonNumbersAndStringsAsJsonStrings) {
  auto i = IntOrString::fromJson(Json(3));
  ASSERT_TRUE(i.isOk());
  EXPECT_TRUE(i->isInt());
  EXPECT_EQ(i->intValue(), 3);
  EXPECT_EQ(i->toJson(), Json(3));
  auto s = IntOrString::fromJson(Json("25%"));
  ASSERT_TRUE(s.isOk());
  EXPECT_TRUE(s->isString());
  EXPECT_EQ(s->stringValue(), "25%");
  EXPECT_EQ(s->toJson(), Json("25%"));
  EXPECT_EQ(IntOrString("3").toJson(), Json("3"));  // a string "3" stays a string
}

TEST(IntOrString, RejectsJsonThatIsNeitherInt32NorString) {
  for (const Json& bad : {Json(1.5), Json(3.0), Json(true), Json(nullptr), Json::array(),
                          Json::object(), Json(int64_t{1} << 31), Json(-(int64_t{1} << 31) - 1)}) {
    auto got = IntOrString::fromJson(bad);
    EXPECT_FALSE(got.isOk()) << bad.dump();
    EXPECT_TRUE(got.status().is(StatusCode::kInvalid));
  }
  EXPECT_TRUE(IntOrString::fromJson(Json(-(int64_t{1} << 31))).isOk());
}

TEST(IntOrString, EqualityDistinguishesIntFromString) {
  EXPECT_EQ(IntOrString(3), IntOrString(3));
  EXPECT_NE(IntOrString(3), IntOrString("3"));
  EXPECT_EQ(IntOrString(3).toString(), "3");
  EXPECT_EQ(IntOrString("25%").toString(), "25%");
}

struct ScaleCase {
  IntOrString value;
  int total;
  bool round_up;
  int want;
};

class KubernetesScaledValue : public testing::TestWithParam<ScaleCase> {};

TEST_P(KubernetesScaledValue, ResolvesIntsAndPercentages) {
  const auto& c = GetParam();
  auto got = scaledValueFromIntOrPercent(c.value, c.total, c.round_up);
  ASSERT_TRUE(got.isOk()) << got.status();
  EXPECT_EQ(*got, c.want) << c.value.toString() << " of " << c.total;
}

INSTANTIATE_TEST_SUITE_P(
    Table, KubernetesScaledValue,
    testing::Values(ScaleCase{3, 10, true, 3}, ScaleCase{3, 10, false, 3},
                    ScaleCase{"25%", 10, true, 3}, ScaleCase{"25%", 10, false, 2},
                    ScaleCase{"25%", 4, true, 1}, ScaleCase{"25%", 4, false, 1},
                    ScaleCase{"1%", 1, true, 1}, ScaleCase{"1%", 1, false, 0},
                    ScaleCase{"0%", 100, true, 0}, ScaleCase{"100%", 7, false, 7},
                    ScaleCase{"150%", 3, true, 5}, ScaleCase{"-10%", 5, true, 0},
                    ScaleCase{"-10%", 5, false, -1}, ScaleCase{"+20%", 5, false, 1}));

TEST(KubernetesScaledValue, RejectsStringsWithoutPercentOrDigits) {
  for (const char* bad : {"25", "abc%", "%", "", "2.5%", "25 %", "+-5%"}) {
    auto got = scaledValueFromIntOrPercent(IntOrString(bad), 10, true);
    EXPECT_FALSE(got.isOk()) << bad;
    EXPECT_TRUE(got.status().is(StatusCode::kInvalid));
  }
}

class ArgoScaledValue : public testing::TestWithParam<ScaleCase> {};

TEST_P(ArgoScaledValue, ReadsEveryStringAsAPercentage) {
  const auto& c = GetParam();
  auto got = argoScaledValueFromIntOrPercent(c.value, c.total, c.round_up);
  ASSERT_TRUE(got.isOk()) << got.status();
  EXPECT_EQ(*got, c.want) << c.value.toString() << " of " << c.total;
}

// maxSurge rounds up, maxUnavailable rounds down; "25" is Argo's default and means 25 %.
INSTANTIATE_TEST_SUITE_P(Table, ArgoScaledValue,
                         testing::Values(ScaleCase{"25", 10, true, 3},
                                         ScaleCase{"25", 10, false, 2},
                                         ScaleCase{"25%", 10, true, 3}, ScaleCase{"3", 10, true, 1},
                                         ScaleCase{"3", 10, false, 0},
                                         ScaleCase{"2%5", 100, false, 25},
                                         ScaleCase{3, 10, false, 3}, ScaleCase{"100", 5, true, 5},
                                         ScaleCase{"0", 5, true, 0}));

TEST(ArgoScaledValue, RejectsStringsThatAreNotIntegersOnceStripped) {
  for (const char* bad : {"abc", "", "%", "2.5", "1e2%"}) {
    EXPECT_FALSE(argoScaledValueFromIntOrPercent(IntOrString(bad), 10, true).isOk()) << bad;
  }
}

}  // namespace
}  // namespace serin::kube
