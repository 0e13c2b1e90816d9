// JSON merge patch (RFC 7386): applying tables of (original, patch, expected) and computing the
// minimal patch between two documents.
#include <ostream>

#include <gtest/gtest.h>

#include "serin/kube/patch.h"

#include "patch_test_util.h"

namespace serin::kube {
namespace {

using patch_test::json;

struct MergeCase {
  std::string name;
  // gtest prints the row name, not the bytes, when a case fails.
  friend void PrintTo(const MergeCase& c, std::ostream* os) { *os << c.name; }
  const char* original;
  const char* patch;
  const char* expected;
};

class MergePatchApplyTest : public ::testing::TestWithParam<MergeCase> {};

TEST_P(MergePatchApplyTest, GivesExpectedDocument) {
  const MergeCase& c = GetParam();
  StatusOr<Json> result = applyMergePatch(json(c.original), json(c.patch));
  ASSERT_TRUE(result.isOk()) << result.status();
  EXPECT_EQ(*result, json(c.expected)) << result->dump();
}

const MergeCase kMergeCases[] = {
    {"AddsField", R"({"a":1})", R"({"b":2})", R"({"a":1,"b":2})"},
    {"ReplacesScalar", R"({"spec":{"replicas":1}})", R"({"spec":{"replicas":3}})",
     R"({"spec":{"replicas":3}})"},
    {"NullDeletesKey", R"({"a":1,"b":2})", R"({"a":null})", R"({"b":2})"},
    {"NestedNullDeletesNestedKey",
     R"({"metadata":{"labels":{"app":"web","tier":"fe"},"name":"x"}})",
     R"({"metadata":{"labels":{"tier":null}}})",
     R"({"metadata":{"labels":{"app":"web"},"name":"x"}})"},
    {"NullForMissingKeyIsNoop", R"({"a":1})", R"({"zzz":null})", R"({"a":1})"},
    {"ArrayIsReplacedNotMerged",
     R"({"spec":{"containers":[{"name":"a","image":"x"},{"name":"b"}]}})",
     R"({"spec":{"containers":[{"name":"a","image":"y"}]}})",
     R"({"spec":{"containers":[{"name":"a","image":"y"}]}})"},
    {"NonObjectPatchReplacesDocument", R"({"a":1})", R"([1,2])", R"([1,2])"},
    {"NullPatchReplacesDocumentWithNull", R"({"a":1})", R"(null)", R"(null)"},
    {"ObjectPatchOnScalarBuildsObject", R"({"a":"text"})", R"({"a":{"b":1}})", R"({"a":{"b":1}})"},
    {"ObjectReplacesArray", R"({"a":[1]})", R"({"a":{"b":1}})", R"({"a":{"b":1}})"},
    {"NullsInsideNewValueAreDropped", R"({})", R"({"a":{"b":null,"c":1}})", R"({"a":{"c":1}})"},
    {"EmptyPatchIsNoop", R"({"a":{"b":[1]}})", R"({})", R"({"a":{"b":[1]}})"},
    {"Rfc7386Example",
     R"({"title":"Goodbye!","author":{"givenName":"John","familyName":"Doe"},
         "tags":["example","sample"],"content":"This will be unchanged"})",
     R"({"title":"Hello!","phoneNumber":"+01-123-456-7890","author":{"familyName":null},
         "tags":["example"]})",
     R"({"title":"Hello!","author":{"givenName":"John"},"tags":["example"],
         "content":"This will be unchanged","phoneNumber":"+01-123-456-7890"})"},
};

INSTANTIATE_TEST_SUITE_P(Table, MergePatchApplyTest, ::testing::ValuesIn(kMergeCases),
                         patch_test::CaseName{});

struct CreateCase {
  std::string name;
  // gtest prints the row name, not the bytes, when a case fails.
  friend void PrintTo(const CreateCase& c, std::ostream* os) { *os << c.name; }
  const char* original;
  const char* modified;
  const char* expected_patch;
};

class MergePatchCreateTest : public ::testing::TestWithParam<CreateCase> {};

TEST_P(MergePatchCreateTest, IsMinimalAndRoundTrips) {
  const CreateCase& c = GetParam();
  Json patch = createMergePatch(json(c.original), json(c.modified));
  EXPECT_EQ(patch, json(c.expected_patch)) << patch.dump();
  StatusOr<Json> applied = applyMergePatch(json(c.original), patch);
  ASSERT_TRUE(applied.isOk()) << applied.status();
  EXPECT_EQ(*applied, json(c.modified));
}

const CreateCase kCreateCases[] = {
    {"UnchangedGivesEmptyPatch", R"({"a":{"b":[1,2]}})", R"({"a":{"b":[1,2]}})", R"({})"},
    {"RemovedKeyBecomesNull", R"({"a":1,"b":2})", R"({"a":1})", R"({"b":null})"},
    {"NestedChangeOnlyCarriesTheChange",
     R"({"metadata":{"name":"x","labels":{"app":"a"}},"spec":{"replicas":1}})",
     R"({"metadata":{"name":"x","labels":{"app":"b"}},"spec":{"replicas":1}})",
     R"({"metadata":{"labels":{"app":"b"}}})"},
    {"ChangedArrayIsSentWhole", R"({"args":["a","b","c"]})", R"({"args":["a","c"]})",
     R"({"args":["a","c"]})"},
    {"TypeChangeSendsNewValue", R"({"a":5})", R"({"a":{}})", R"({"a":{}})"},
    {"AddedNestedObjectIsSentWhole", R"({"spec":{}})", R"({"spec":{"strategy":{"type":"R"}}})",
     R"({"spec":{"strategy":{"type":"R"}}})"},
};

INSTANTIATE_TEST_SUITE_P(Table, MergePatchCreateTest, ::testing::ValuesIn(kCreateCases),
                         patch_test::CaseName{});

}  // namespace
}  // namespace serin::kube
