#include "serin/kube/quantity.h"

#include <limits>
#include <string>

#include <gtest/gtest.h>

namespace serin::kube {
namespace {

struct CanonicalCase {
  std::string text;
  std::string canonical;
  int64_t milli;
  int64_t value;
};

class QuantityParses : public testing::TestWithParam<CanonicalCase> {};

TEST_P(QuantityParses, ToKubernetesValueAndCanonicalString) {
  const auto& c = GetParam();
  auto q = Quantity::parse(c.text);
  ASSERT_TRUE(q.isOk()) << q.status();
  EXPECT_EQ(q->toString(), c.canonical) << c.text;
  EXPECT_EQ(q->milliValue(), c.milli) << c.text;
  EXPECT_EQ(q->value(), c.value) << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, QuantityParses,
    testing::Values(
        CanonicalCase{"0", "0", 0, 0}, CanonicalCase{"100m", "100m", 100, 1},
        CanonicalCase{"1", "1", 1000, 1}, CanonicalCase{"1.5", "1500m", 1500, 2},
        CanonicalCase{"0.5", "500m", 500, 1}, CanonicalCase{".5", "500m", 500, 1},
        CanonicalCase{"1000", "1k", 1000000, 1000}, CanonicalCase{"1k", "1k", 1000000, 1000},
        CanonicalCase{"1500k", "1500k", 1500000000, 1500000},
        CanonicalCase{"1000k", "1M", 1000000000, 1000000},
        CanonicalCase{"1Ki", "1Ki", 1024000, 1024}, CanonicalCase{"1024", "1024", 1024000, 1024},
        CanonicalCase{"1024Ki", "1Mi", 1048576000, 1048576},
        CanonicalCase{"500Mi", "500Mi", 524288000000, 524288000},
        CanonicalCase{"1.5Gi", "1536Mi", 1610612736000, 1610612736},
        CanonicalCase{"0.5Ki", "512", 512000, 512},
        CanonicalCase{"0.5Mi", "512Ki", 524288000, 524288},
        CanonicalCase{"2e3", "2e3", 2000000, 2000}, CanonicalCase{"1.5e3", "1500", 1500000, 1500},
        CanonicalCase{"1E6", "1E6", 1000000000, 1000000},
        CanonicalCase{"1000e3", "1e6", 1000000000, 1000000}, CanonicalCase{"12e-3", "12e-3", 12, 1},
        CanonicalCase{"-1", "-1", -1000, -1}, CanonicalCase{"-1.5", "-1500m", -1500, -2},
        CanonicalCase{"-100m", "-100m", -100, -1}, CanonicalCase{"1n", "1n", 1, 1},
        CanonicalCase{"1500u", "1500u", 2, 1}, CanonicalCase{"0.1m", "100u", 1, 1},
        CanonicalCase{"0.0000000001", "1n", 1, 1}, CanonicalCase{"1.0", "1", 1000, 1},
        CanonicalCase{"+1k", "+1k", 1000000, 1000}, CanonicalCase{"01", "01", 1000, 1},
        CanonicalCase{"1G", "1G", 1000000000000, 1000000000},
        CanonicalCase{"8Ei", "9223372036854775807", std::numeric_limits<int64_t>::max(),
                      std::numeric_limits<int64_t>::max()}));

class QuantityRejects : public testing::TestWithParam<std::string> {};

TEST_P(QuantityRejects, AsInvalidNamingTheText) {
  auto q = Quantity::parse(GetParam());
  ASSERT_FALSE(q.isOk()) << GetParam() << " -> " << q->toString();
  EXPECT_TRUE(q.status().is(StatusCode::kInvalid));
  EXPECT_NE(q.status().message().find("\"" + GetParam() + "\""), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Table, QuantityRejects,
                         testing::Values("", "abc", "1 Gi", " 1", "1GB", "1Kb", "1ki", "1.2.3",
                                         "1e", "1e1.5", "--1", "1x", "1Mi5"));

TEST(Quantity, ComparesByValueRegardlessOfFormat) {
  EXPECT_EQ(Quantity::parse("1Ki").value(), Quantity::parse("1024").value());
  EXPECT_EQ(Quantity::parse("1").value(), Quantity::parse("1000m").value());
  EXPECT_LT(Quantity::parse("999m").value(), Quantity::parse("1").value());
  EXPECT_GT(Quantity::parse("1Gi").value(), Quantity::parse("1G").value());
  EXPECT_LT(Quantity::parse("-1").value(), Quantity::parse("0").value());
}

TEST(Quantity, BuildsFromMilliAndIntegerValues) {
  EXPECT_EQ(Quantity::fromMilli(1500).toString(), "1500m");
  EXPECT_EQ(Quantity::fromMilli(2000).toString(), "2");
  EXPECT_EQ(Quantity::fromValue(2048, Quantity::Format::kBinarySI).toString(), "2Ki");
  EXPECT_EQ(Quantity::fromValue(1000).toString(), "1k");
  EXPECT_TRUE(Quantity().isZero());
  EXPECT_EQ(Quantity().toString(), "0");
}

TEST(Quantity, BinaryValuesThatAreNotWholeOrSmallPrintAsDecimal) {
  EXPECT_EQ(Quantity::fromMilli(1500, Quantity::Format::kBinarySI).toString(), "1500m");
  EXPECT_EQ(Quantity::fromValue(1000, Quantity::Format::kBinarySI).toString(), "1k");
  EXPECT_EQ(Quantity::fromValue(1536, Quantity::Format::kBinarySI).toString(), "1536");
}

TEST(Quantity, KeepsTheFormatOfItsSuffix) {
  EXPECT_EQ(Quantity::parse("1Mi")->format(), Quantity::Format::kBinarySI);
  EXPECT_EQ(Quantity::parse("1M")->format(), Quantity::Format::kDecimalSI);
  EXPECT_EQ(Quantity::parse("1e6")->format(), Quantity::Format::kDecimalExponent);
  // BinarySI below one unit has no binary spelling.
  EXPECT_EQ(Quantity::parse("0.0001Ki")->format(), Quantity::Format::kDecimalSI);
}

TEST(Quantity, CapsHugeValuesAtTheLargestInt64) {
  auto q = Quantity::parse("1e30");
  ASSERT_TRUE(q.isOk());
  EXPECT_EQ(q->value(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(q->milliValue(), std::numeric_limits<int64_t>::max());
}

TEST(Quantity, SignReportsNegativeZeroAndPositive) {
  EXPECT_EQ(Quantity::parse("-5m")->sign(), -1);
  EXPECT_EQ(Quantity::parse("0Gi")->sign(), 0);
  EXPECT_EQ(Quantity::parse("0Gi")->toString(), "0");
  EXPECT_EQ(Quantity::parse("5m")->sign(), 1);
}

}  // namespace
}  // namespace serin::kube
