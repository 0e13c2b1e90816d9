// JSON patch (RFC 6902): successful operation sequences and every failure kube-apiserver answers
// with 422, each naming the operation index and path.
#include <ostream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "serin/kube/patch.h"

#include "patch_test_util.h"

namespace serin::kube {
namespace {

using patch_test::json;
using ::testing::HasSubstr;

struct JsonPatchCase {
  std::string name;
  // gtest prints the row name, not the bytes, when a case fails.
  friend void PrintTo(const JsonPatchCase& c, std::ostream* os) { *os << c.name; }
  const char* document;
  const char* operations;
  const char* expected;
};

class JsonPatchApplyTest : public ::testing::TestWithParam<JsonPatchCase> {};

TEST_P(JsonPatchApplyTest, GivesExpectedDocument) {
  const JsonPatchCase& c = GetParam();
  StatusOr<Json> result = applyJsonPatch(json(c.document), json(c.operations));
  ASSERT_TRUE(result.isOk()) << result.status();
  EXPECT_EQ(*result, json(c.expected)) << result->dump();
}

const JsonPatchCase kApplyCases[] = {
    {"AddObjectMember", R"({"a":1})", R"([{"op":"add","path":"/b","value":{"c":2}}])",
     R"({"a":1,"b":{"c":2}})"},
    {"AddReplacesExistingMember", R"({"a":1})", R"([{"op":"add","path":"/a","value":2}])",
     R"({"a":2})"},
    {"AddInsertsAtIndex", R"({"l":[1,3]})", R"([{"op":"add","path":"/l/1","value":2}])",
     R"({"l":[1,2,3]})"},
    {"AddDashAppends", R"({"l":[1]})", R"([{"op":"add","path":"/l/-","value":2}])",
     R"({"l":[1,2]})"},
    {"AddAtIndexEqualToSizeAppends", R"({"l":[1]})", R"([{"op":"add","path":"/l/1","value":2}])",
     R"({"l":[1,2]})"},
    {"RemoveMember", R"({"a":1,"b":2})", R"([{"op":"remove","path":"/a"}])", R"({"b":2})"},
    {"RemoveArrayElement", R"({"l":[1,2,3]})", R"([{"op":"remove","path":"/l/0"}])",
     R"({"l":[2,3]})"},
    {"ReplaceValue", R"({"spec":{"replicas":1}})",
     R"([{"op":"replace","path":"/spec/replicas","value":5}])", R"({"spec":{"replicas":5}})"},
    {"ReplaceRootDocument", R"({"a":1})", R"([{"op":"replace","path":"","value":[1]}])", R"([1])"},
    {"MoveMember", R"({"a":{"x":1},"b":{}})", R"([{"op":"move","from":"/a/x","path":"/b/y"}])",
     R"({"a":{},"b":{"y":1}})"},
    {"MoveArrayElement", R"({"l":[1,2,3]})", R"([{"op":"move","from":"/l/0","path":"/l/-"}])",
     R"({"l":[2,3,1]})"},
    {"MoveToSamePathIsNoop", R"({"a":1})", R"([{"op":"move","from":"/a","path":"/a"}])",
     R"({"a":1})"},
    {"CopyValue", R"({"a":{"b":[1]}})", R"([{"op":"copy","from":"/a/b","path":"/c"}])",
     R"({"a":{"b":[1]},"c":[1]})"},
    {"TestThenReplace", R"({"metadata":{"resourceVersion":"7"},"spec":{"paused":true}})",
     R"([{"op":"test","path":"/metadata/resourceVersion","value":"7"},
         {"op":"replace","path":"/spec/paused","value":false}])",
     R"({"metadata":{"resourceVersion":"7"},"spec":{"paused":false}})"},
    {"EscapedSlashInKey", R"({"metadata":{"annotations":{"example.com/owner":"a"}}})",
     R"([{"op":"replace","path":"/metadata/annotations/example.com~1owner","value":"b"}])",
     R"({"metadata":{"annotations":{"example.com/owner":"b"}}})"},
    {"EscapedTildeInKey", R"({"a~b":1})", R"([{"op":"remove","path":"/a~0b"}])", R"({})"},
    {"EscapeOrderTildeOneIsNotSlash", R"({"~1":1})", R"([{"op":"remove","path":"/~01"}])", R"({})"},
    {"EmptyKeyMember", R"({"":1})", R"([{"op":"replace","path":"/","value":2}])", R"({"":2})"},
    {"NullValueIsAValue", R"({})", R"([{"op":"add","path":"/a","value":null}])", R"({"a":null})"},
    {"EmptyOperationListIsNoop", R"({"a":1})", R"([])", R"({"a":1})"},
};

INSTANTIATE_TEST_SUITE_P(Table, JsonPatchApplyTest, ::testing::ValuesIn(kApplyCases),
                         patch_test::CaseName{});

struct JsonPatchFailure {
  std::string name;
  // gtest prints the row name, not the bytes, when a case fails.
  friend void PrintTo(const JsonPatchFailure& c, std::ostream* os) { *os << c.name; }
  const char* document;
  const char* operations;
  const char* message_part;  // the error names the operation index and path
};

class JsonPatchFailureTest : public ::testing::TestWithParam<JsonPatchFailure> {};

TEST_P(JsonPatchFailureTest, IsInvalidAndNamesTheOperation) {
  const JsonPatchFailure& c = GetParam();
  StatusOr<Json> result = applyJsonPatch(json(c.document), json(c.operations));
  ASSERT_FALSE(result.isOk()) << result->dump();
  EXPECT_TRUE(result.status().is(StatusCode::kInvalid)) << result.status();
  EXPECT_THAT(result.status().message(), HasSubstr(c.message_part));
}

const JsonPatchFailure kFailureCases[] = {
    {"TestMismatch", R"({"a":1})",
     R"([{"op":"add","path":"/b","value":2},{"op":"test","path":"/a","value":2}])",
     R"(operation 1 (test) at "/a": test failed)"},
    {"TestMissingPath", R"({"a":1})", R"([{"op":"test","path":"/x","value":1}])",
     R"(operation 0 (test) at "/x")"},
    {"RemoveMissingMember", R"({"a":1})", R"([{"op":"remove","path":"/b"}])",
     R"(operation 0 (remove) at "/b": "b" does not exist)"},
    {"ReplaceMissingMember", R"({"a":1})", R"([{"op":"replace","path":"/b","value":1}])",
     R"(operation 0 (replace) at "/b")"},
    {"AddIndexOutOfRange", R"({"l":[1]})", R"([{"op":"add","path":"/l/2","value":0}])",
     "out of range"},
    {"RemoveIndexOutOfRange", R"({"l":[1]})", R"([{"op":"remove","path":"/l/1"}])",
     R"(operation 0 (remove) at "/l/1": index 1 is out of range)"},
    {"DashOnlyValidForAdd", R"({"l":[1]})", R"([{"op":"remove","path":"/l/-"}])",
     "not an array index"},
    {"LeadingZeroIndex", R"({"l":[1,2]})", R"([{"op":"replace","path":"/l/01","value":0}])",
     "not an array index"},
    {"NegativeIndex", R"({"l":[1,2]})", R"([{"op":"remove","path":"/l/-1"}])",
     "not an array index"},
    {"AddUnderMissingParent", R"({})", R"([{"op":"add","path":"/a/b","value":1}])",
     R"("a" does not exist)"},
    {"MoveFromMissing", R"({"a":1})", R"([{"op":"move","from":"/x","path":"/y"}])",
     R"(operation 0 (move) at "/y")"},
    {"MoveIntoOwnChild", R"({"a":{"b":{}}})", R"([{"op":"move","from":"/a","path":"/a/b/c"}])",
     "into one of its children"},
    {"CopyFromMissing", R"({})", R"([{"op":"copy","from":"/nope","path":"/y"}])",
     R"(operation 0 (copy))"},
    {"UnknownOperation", R"({})", R"([{"op":"merge","path":"/a","value":1}])",
     R"(unknown operation "merge")"},
    {"MissingValue", R"({})", R"([{"op":"add","path":"/a"}])", R"(missing member "value")"},
    {"MissingPath", R"({})", R"([{"op":"remove"}])", R"(operation 0 (remove) at "?")"},
    {"BadEscape", R"({"a":1})", R"([{"op":"remove","path":"/a~2"}])", "'~' must be followed"},
    {"PathWithoutLeadingSlash", R"({"a":1})", R"([{"op":"remove","path":"a"}])",
     "must be empty or start with '/'"},
    {"RemoveRoot", R"({"a":1})", R"([{"op":"remove","path":""}])", "whole document"},
    {"DescendIntoScalar", R"({"a":1})", R"([{"op":"add","path":"/a/b/c","value":1}])",
     "not a container"},
    {"OperationsNotAnArray", R"({})", R"({"op":"add","path":"/a","value":1})", "must be an array"},
    {"OperationNotAnObject", R"({})", R"([42])", "operation 0"},
};

INSTANTIATE_TEST_SUITE_P(Table, JsonPatchFailureTest, ::testing::ValuesIn(kFailureCases),
                         patch_test::CaseName{});

TEST(JsonPatchTest, FailureAfterSuccessfulOperationsLeavesNoPartialResult) {
  const Json document = json(R"({"a":1})");
  StatusOr<Json> result = applyJsonPatch(
      document,
      json(R"([{"op":"replace","path":"/a","value":2},{"op":"remove","path":"/missing"}])"));
  EXPECT_FALSE(result.isOk());
  EXPECT_EQ(document, json(R"({"a":1})"));
}

}  // namespace
}  // namespace serin::kube
