#include "serin/util/status.h"

#include <gtest/gtest.h>

namespace serin {
namespace {

StatusOr<int> half(int x) {
  if (x % 2 != 0) return invalidError("odd number " + std::to_string(x));
  return x / 2;
}

StatusOr<int> quarter(int x) {
  ASSIGN_OR_RETURN(int h, half(x));
  ASSIGN_OR_RETURN(int q, half(h));
  return q;
}

Status checkEven(int x) {
  RETURN_IF_ERROR(half(x));
  return Status::ok();
}

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.isOk());
  EXPECT_EQ(s.toString(), "OK");
}

TEST(StatusTest, ErrorCarriesCodeMessageAndReason) {
  Status s(StatusCode::kConflict, "field managed by kubectl", "FieldManagerConflict");
  EXPECT_FALSE(s.isOk());
  EXPECT_TRUE(s.is(StatusCode::kConflict));
  EXPECT_EQ(s.reason(), "FieldManagerConflict");
  EXPECT_EQ(s.toString(), "Conflict: field managed by kubectl");
}

TEST(StatusTest, WithContextPrefixesMessageAndKeepsCode) {
  Status s = notFoundError("pods \"a\" not found").withContext("syncing web");
  EXPECT_TRUE(s.is(StatusCode::kNotFound));
  EXPECT_EQ(s.message(), "syncing web: pods \"a\" not found");
  EXPECT_TRUE(Status::ok().withContext("x").isOk());
}

TEST(StatusOrTest, HoldsValueOrError) {
  StatusOr<int> v = half(8);
  ASSERT_TRUE(v.isOk());
  EXPECT_EQ(*v, 4);
  StatusOr<int> e = half(3);
  ASSERT_FALSE(e.isOk());
  EXPECT_EQ(e.status().code(), StatusCode::kInvalid);
  EXPECT_EQ(e.valueOr(-1), -1);
}

TEST(StatusOrTest, OkStatusBecomesInternalError) {
  StatusOr<int> v{Status::ok()};
  EXPECT_TRUE(v.status().is(StatusCode::kInternal));
}

TEST(StatusOrTest, MacrosPropagateTheFirstError) {
  EXPECT_EQ(*quarter(8), 2);
  EXPECT_EQ(quarter(6).status().message(), "odd number 3");
  EXPECT_TRUE(checkEven(2).isOk());
  EXPECT_TRUE(checkEven(1).is(StatusCode::kInvalid));
}

TEST(StatusOrTest, ConvertsFromConstructibleTypes) {
  StatusOr<std::string> s = "literal";
  EXPECT_EQ(*s, "literal");
}

}  // namespace
}  // namespace serin
