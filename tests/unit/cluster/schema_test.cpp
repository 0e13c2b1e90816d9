#include "serin/cluster/schema.h"

#include <atomic>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace serin::cluster {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Json parse(const char* text) { return Json::parse(text); }

// Test names from the table's `name` column.
template <typename Case>
std::string caseName(const ::testing::TestParamInfo<Case>& param_info) {
  return param_info.param.name;
}

std::vector<std::string> messages(const FieldErrors& errors) {
  std::vector<std::string> out;
  for (const FieldError& error : errors) out.push_back(error.toString());
  return out;
}

// A root schema with one `spec` property: the shape of nearly every CRD.
Json rootWithSpec(const Json& spec_schema) {
  return Json{{"type", "object"}, {"properties", {{"spec", spec_schema}}}};
}

CompiledSchemaPtr compileOk(const Json& schema) {
  SchemaCompilation compiled = compileSchema(schema);
  EXPECT_THAT(messages(compiled.errors), IsEmpty()) << schema.dump();
  return compiled.schema;
}

// ---------------------------------------------------------------------------------------------
// Validation: (spec schema, spec value) -> kube-apiserver's error lines.

struct ValidationCase {
  const char* name;
  const char* spec_schema;
  const char* spec_value;
  std::vector<std::string> expected;
};

// Parameters print as their table name rather than bytes.
void PrintTo(const ValidationCase& c, std::ostream* os) { *os << c.name; }

class SchemaValidationTest : public ::testing::TestWithParam<ValidationCase> {};

TEST_P(SchemaValidationTest, ReportsKubeApiserverErrors) {
  const ValidationCase& c = GetParam();
  // Validation alone, so that keywords kube forbids at CRD creation (uniqueItems) are testable.
  SchemaCompilation compiled = compileSchema(rootWithSpec(parse(c.spec_schema)));
  Json object = {
      {"apiVersion", "example.com/v1"}, {"kind", "Thing"}, {"spec", parse(c.spec_value)}};
  EXPECT_THAT(messages(compiled.schema->validate(object)), ElementsAreArray(c.expected));
}

const ValidationCase kValidationCases[] = {
    {"IntegerGivenString",
     R"({"type":"object","properties":{"replicas":{"type":"integer"}}})",
     R"({"replicas":"3"})",
     {R"(spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string")"}},
    {"IntegerGivenFraction",
     R"({"type":"object","properties":{"replicas":{"type":"integer"}}})",
     R"({"replicas":1.5})",
     {R"(spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number")"}},
    {"IntegerAcceptsWholeFloat",
     R"({"type":"object","properties":{"replicas":{"type":"integer"}}})",
     R"({"replicas":2.0})",
     {}},
    {"NumberAcceptsInteger",
     R"({"type":"object","properties":{"ratio":{"type":"number"}}})",
     R"({"ratio":3})",
     {}},
    {"BooleanGivenString",
     R"({"type":"object","properties":{"enabled":{"type":"boolean"}}})",
     R"({"enabled":"true"})",
     {R"(spec.enabled: Invalid value: "string": spec.enabled in body must be of type boolean: "string")"}},
    {"ObjectGivenArray",
     R"({"type":"object","properties":{"selector":{"type":"object"}}})",
     R"({"selector":[]})",
     {R"(spec.selector: Invalid value: "array": spec.selector in body must be of type object: "array")"}},
    {"ArrayGivenObject",
     R"({"type":"object","properties":{"steps":{"type":"array","items":{"type":"string"}}}})",
     R"({"steps":{}})",
     {R"(spec.steps: Invalid value: "object": spec.steps in body must be of type array: "object")"}},
    {"StringGivenNull",
     R"({"type":"object","properties":{"name":{"type":"string"}}})",
     R"({"name":null})",
     {R"(spec.name: Invalid value: "null": spec.name in body must be of type string: "null")"}},
    {"NullableAcceptsNull",
     R"({"type":"object","properties":{"name":{"type":"string","nullable":true,"minLength":3}}})",
     R"({"name":null})",
     {}},
    {"RequiredMissing",
     R"({"type":"object","required":["selector"],"properties":{"selector":{"type":"object"}}})",
     R"({})",
     {"spec.selector: Required value"}},
    {"RequiredBeforeFieldErrors",
     R"({"type":"object","required":["template","selector"],
         "properties":{"selector":{"type":"object"},"template":{"type":"object"},
                       "paused":{"type":"boolean"}}})",
     R"({"paused":1})",
     {"spec.template: Required value", "spec.selector: Required value",
      R"(spec.paused: Invalid value: "integer": spec.paused in body must be of type boolean: "integer")"}},
    {"EnumListsAllowedValues",
     R"({"type":"object","properties":{"policy":{"type":"string","enum":["Always","Never"]}}})",
     R"({"policy":"Sometimes"})",
     {R"(spec.policy: Unsupported value: "Sometimes": supported values: "Always", "Never")"}},
    {"EnumOfIntegers",
     R"({"type":"object","properties":{"level":{"type":"integer","enum":[1,2]}}})",
     R"({"level":3})",
     {R"(spec.level: Unsupported value: 3: supported values: "1", "2")"}},
    {"EnumAccepted",
     R"({"type":"object","properties":{"policy":{"type":"string","enum":["Always","Never"]}}})",
     R"({"policy":"Never"})",
     {}},
    {"Minimum",
     R"({"type":"object","properties":{"replicas":{"type":"integer","minimum":0}}})",
     R"({"replicas":-1})",
     {"spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to "
      "0"}},
    {"Maximum",
     R"({"type":"object","properties":{"weight":{"type":"integer","maximum":100}}})",
     R"({"weight":101})",
     {"spec.weight: Invalid value: 101: spec.weight in body should be less than or equal to 100"}},
    {"MaximumPrintedLikeGo",
     R"({"type":"object","properties":{"size":{"type":"integer","maximum":1000000}}})",
     R"({"size":1000001})",
     {"spec.size: Invalid value: 1000001: spec.size in body should be less than or equal to "
      "1e+06"}},
    {"ExclusiveMinimum",
     R"({"type":"object","properties":{"ratio":{"type":"number","minimum":0,"exclusiveMinimum":true}}})",
     R"({"ratio":0})",
     {"spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0"}},
    {"ExclusiveMaximum",
     R"({"type":"object","properties":{"ratio":{"type":"number","maximum":1.5,"exclusiveMaximum":true}}})",
     R"({"ratio":1.5})",
     {"spec.ratio: Invalid value: 1.5: spec.ratio in body should be less than 1.5"}},
    {"MultipleOfInteger",
     R"({"type":"object","properties":{"weight":{"type":"integer","multipleOf":5}}})",
     R"({"weight":7})",
     {"spec.weight: Invalid value: 7: spec.weight in body should be a multiple of 5"}},
    {"MultipleOfFraction",
     R"({"type":"object","properties":{"cpu":{"type":"number","multipleOf":0.5}}})",
     R"({"cpu":1.25})",
     {"spec.cpu: Invalid value: 1.25: spec.cpu in body should be a multiple of 0.5"}},
    {"MultipleOfFractionAccepted",
     R"({"type":"object","properties":{"cpu":{"type":"number","multipleOf":0.1}}})",
     R"({"cpu":0.3})",
     {}},
    {"MaxLength",
     R"({"type":"object","properties":{"name":{"type":"string","maxLength":5}}})",
     R"({"name":"abcdef"})",
     {"spec.name: Too long: may not be more than 5 bytes"}},
    {"MaxLengthCountsCharacters",
     R"({"type":"object","properties":{"name":{"type":"string","maxLength":5}}})",
     R"({"name":"h\u00e9llo"})",
     {}},
    {"MinLength",
     R"({"type":"object","properties":{"name":{"type":"string","minLength":1}}})",
     R"({"name":""})",
     {R"(spec.name: Invalid value: "": spec.name in body should be at least 1 chars long)"}},
    {"Pattern",
     R"({"type":"object","properties":{"name":{"type":"string","pattern":"^[a-z0-9-]+$"}}})",
     R"({"name":"Web_1"})",
     {R"(spec.name: Invalid value: "Web_1": spec.name in body should match '^[a-z0-9-]+$')"}},
    {"PatternIsUnanchoredSearch",
     R"({"type":"object","properties":{"image":{"type":"string","pattern":":[a-z]+"}}})",
     R"({"image":"nginx:stable"})",
     {}},
    {"PatternCaseInsensitiveFlag",
     R"({"type":"object","properties":{"proto":{"type":"string","pattern":"(?i)^http$"}}})",
     R"({"proto":"HTTP"})",
     {}},
    {"FormatInt32",
     R"({"type":"object","properties":{"port":{"type":"integer","format":"int32"}}})",
     R"({"port":3000000000})",
     {R"(spec.port: Invalid value: 3000000000: spec.port in body must be of type int32: "3000000000")"}},
    {"FormatInt64Accepted",
     R"({"type":"object","properties":{"size":{"type":"integer","format":"int64"}}})",
     R"({"size":3000000000})",
     {}},
    {"FormatDateTime",
     R"({"type":"object","properties":{"at":{"type":"string","format":"date-time"}}})",
     R"({"at":"yesterday"})",
     {R"(spec.at: Invalid value: "yesterday": spec.at in body must be of type date-time: "yesterday")"}},
    {"FormatDateTimeAccepted",
     R"({"type":"object","properties":{"a":{"type":"string","format":"date-time"},
                                       "b":{"type":"string","format":"date-time"}}})",
     R"({"a":"2024-05-01T10:00:00Z","b":"2024-05-01T10:00:00.123+02:00"})",
     {}},
    {"FormatByte",
     R"({"type":"object","properties":{"data":{"type":"string","format":"byte"}}})",
     R"({"data":"abc"})",
     {R"(spec.data: Invalid value: "abc": spec.data in body must be of type byte: "abc")"}},
    {"FormatByteAccepted",
     R"({"type":"object","properties":{"data":{"type":"string","format":"byte"}}})",
     R"({"data":"aGVsbG8="})",
     {}},
    {"UnknownFormatIgnored",
     R"({"type":"object","properties":{"host":{"type":"string","format":"no-such-format"}}})",
     R"({"host":"anything goes"})",
     {}},
    {"MinItems",
     R"({"type":"object","properties":{"steps":{"type":"array","minItems":1,"items":{"type":"string"}}}})",
     R"({"steps":[]})",
     {"spec.steps: Invalid value: 0: spec.steps in body should have at least 1 items"}},
    {"MaxItems",
     R"({"type":"object","properties":{"steps":{"type":"array","maxItems":2,"items":{"type":"string"}}}})",
     R"({"steps":["a","b","c"]})",
     {"spec.steps: Too many: 3: must have at most 2 items"}},
    {"UniqueItems",
     R"({"type":"object","properties":{"tags":{"type":"array","uniqueItems":true,"items":{"type":"string"}}}})",
     R"({"tags":["a","b","a"]})",
     {R"(spec.tags: Invalid value: "": spec.tags in body shouldn't contain duplicates)"}},
    {"MinProperties",
     R"({"type":"object","properties":{"labels":{"type":"object","minProperties":1,
         "additionalProperties":{"type":"string"}}}})",
     R"({"labels":{}})",
     {"spec.labels: Invalid value: 0: spec.labels in body should have at least 1 properties"}},
    {"MaxProperties",
     R"({"type":"object","properties":{"labels":{"type":"object","maxProperties":1,
         "additionalProperties":{"type":"string"}}}})",
     R"({"labels":{"a":"1","b":"2"}})",
     {"spec.labels: Too many: 2: must have at most 1 items"}},
    {"AdditionalPropertiesSchema",
     R"({"type":"object","properties":{"labels":{"type":"object",
         "additionalProperties":{"type":"string"}}}})",
     R"({"labels":{"app":1,"tier":"web"}})",
     {R"(spec.labels.app: Invalid value: "integer": spec.labels.app in body must be of type string: "integer")"}},
    {"NestedArrayOfObjectsIndex",
     R"({"type":"object","properties":{"strategy":{"type":"object","properties":{"canary":{
         "type":"object","properties":{"steps":{"type":"array","items":{"type":"object",
         "properties":{"setWeight":{"type":"integer"},"pause":{"type":"object"}}}}}}}}}})",
     R"({"strategy":{"canary":{"steps":[{"setWeight":20},{"pause":{}},{"setWeight":"forty"}]}}})",
     {R"(spec.strategy.canary.steps[2].setWeight: Invalid value: "string": spec.strategy.canary.steps[2].setWeight in body must be of type integer: "string")"}},
    {"ArrayOfArrays",
     R"({"type":"object","properties":{"matrix":{"type":"array","items":{"type":"array",
         "items":{"type":"integer","minimum":0}}}}})",
     R"({"matrix":[[1,2],[-3]]})",
     {"spec.matrix[1][0]: Invalid value: -3: spec.matrix[1][0] in body should be greater than or "
      "equal to 0"}},
    {"RequiredInsideListItems",
     R"({"type":"object","properties":{"containers":{"type":"array","items":{"type":"object",
         "required":["name"],"properties":{"name":{"type":"string"}}}}}})",
     R"({"containers":[{"name":"a"},{"image":"b"}]})",
     {"spec.containers[1].name: Required value"}},
    {"IntOrStringAcceptsInteger",
     R"({"type":"object","properties":{"maxSurge":{"x-kubernetes-int-or-string":true}}})",
     R"({"maxSurge":1})",
     {}},
    {"IntOrStringAcceptsString",
     R"({"type":"object","properties":{"maxSurge":{"x-kubernetes-int-or-string":true}}})",
     R"({"maxSurge":"25%"})",
     {}},
    {"IntOrStringRejectsBoolean",
     R"({"type":"object","properties":{"maxSurge":{"x-kubernetes-int-or-string":true}}})",
     R"({"maxSurge":true})",
     {R"(spec.maxSurge: Invalid value: "boolean": spec.maxSurge in body must be of type integer,string: "boolean")"}},
    {"IntOrStringWithAnyOfPattern",
     R"({"type":"object","properties":{"maxSurge":{"x-kubernetes-int-or-string":true,
         "anyOf":[{"type":"integer"},{"type":"string"}],"pattern":"^[0-9]+%$"}}})",
     R"({"maxSurge":"25"})",
     {R"(spec.maxSurge: Invalid value: "25": spec.maxSurge in body should match '^[0-9]+%$')"}},
    {"PreserveUnknownFieldsNotValidated",
     R"({"type":"object","x-kubernetes-preserve-unknown-fields":true,
         "properties":{"known":{"type":"string"}}})",
     R"({"known":"x","other":{"deep":[1,2,3]}})",
     {}},
    {"EmbeddedResourceNeedsKind",
     R"({"type":"object","properties":{"template":{"type":"object",
         "x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}})",
     R"({"template":{"apiVersion":"v1","metadata":{"name":"x"},"spec":{}}})",
     {"spec.template.kind: Required value: must not be empty"}},
    {"ListTypeSetDuplicate",
     R"({"type":"object","properties":{"finalizers":{"type":"array","x-kubernetes-list-type":"set",
         "items":{"type":"string"}}}})",
     R"({"finalizers":["a","b","a"]})",
     {R"(spec.finalizers[2]: Duplicate value: "a")"}},
    {"ListTypeMapDuplicateKey",
     R"({"type":"object","properties":{"ports":{"type":"array","x-kubernetes-list-type":"map",
         "x-kubernetes-list-map-keys":["name"],"items":{"type":"object","required":["name"],
         "properties":{"name":{"type":"string"},"port":{"type":"integer"}}}}}})",
     R"({"ports":[{"name":"http","port":80},{"name":"http","port":8080}]})",
     {R"(spec.ports[1]: Duplicate value: {"name":"http"})"}},
    {"ListTypeMapDistinctKeys",
     R"({"type":"object","properties":{"ports":{"type":"array","x-kubernetes-list-type":"map",
         "x-kubernetes-list-map-keys":["name","protocol"],"items":{"type":"object",
         "required":["name","protocol"],"properties":{"name":{"type":"string"},
         "protocol":{"type":"string"}}}}}})",
     R"({"ports":[{"name":"dns","protocol":"TCP"},{"name":"dns","protocol":"UDP"}]})",
     {}},
    {"AnyOfNoneMatches",
     R"({"type":"object","properties":{"value":{"type":"integer",
         "anyOf":[{"minimum":10},{"maximum":5}]}}})",
     R"({"value":7})",
     {"spec.value: Invalid value: 7: must validate at least one schema (anyOf)",
      "spec.value: Invalid value: 7: spec.value in body should be greater than or equal to 10"}},
    {"AnyOfOneMatches",
     R"({"type":"object","properties":{"value":{"type":"integer",
         "anyOf":[{"minimum":10},{"maximum":5}]}}})",
     R"({"value":3})",
     {}},
    {"OneOfTwoMatch",
     R"({"type":"object","properties":{"value":{"type":"integer",
         "oneOf":[{"minimum":1},{"maximum":10}]}}})",
     R"({"value":5})",
     {"spec.value: Invalid value: 5: must validate one and only one schema (oneOf)"}},
    {"OneOfRequiredFields",
     R"({"type":"object","properties":{"source":{"type":"object",
         "properties":{"git":{"type":"string"},"helm":{"type":"string"}},
         "oneOf":[{"required":["git"]},{"required":["helm"]}]}}})",
     R"({"source":{"git":"a","helm":"b"}})",
     {R"(spec.source: Invalid value: {"git":"a","helm":"b"}: must validate one and only one schema (oneOf))"}},
    {"Not",
     R"({"type":"object","properties":{"mode":{"type":"string","not":{"enum":["debug"]}}}})",
     R"({"mode":"debug"})",
     {R"(spec.mode: Invalid value: "debug": must not validate the schema (not))"}},
    {"AllOfReportsEachFailure",
     R"({"type":"object","properties":{"name":{"type":"string",
         "allOf":[{"minLength":3},{"pattern":"^x"}]}}})",
     R"({"name":"ab"})",
     {R"(spec.name: Invalid value: "ab": spec.name in body should be at least 3 chars long)",
      R"(spec.name: Invalid value: "ab": spec.name in body should match '^x')"}},
    {"UnknownFieldsIgnoredByValidation",
     R"({"type":"object","properties":{"replicas":{"type":"integer"}}})",
     R"({"replicas":1,"bogus":"x"})",
     {}},
    {"SeveralErrorsInKeyOrder",
     R"({"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string","maxLength":1},
         "c":{"type":"boolean"}}})",
     R"({"c":"no","a":"one","b":"two"})",
     {R"(spec.a: Invalid value: "string": spec.a in body must be of type integer: "string")",
      "spec.b: Too long: may not be more than 1 bytes",
      R"(spec.c: Invalid value: "string": spec.c in body must be of type boolean: "string")"}},
};

INSTANTIATE_TEST_SUITE_P(SchemaKeywords, SchemaValidationTest,
                         ::testing::ValuesIn(kValidationCases), caseName<ValidationCase>);

TEST(SchemaValidation, RootMetadataNameRestriction) {
  auto schema = compileOk(parse(R"({"type":"object","properties":{
      "metadata":{"type":"object","properties":{"name":{"type":"string","maxLength":10}}},
      "spec":{"type":"object"}}})"));
  Json object = parse(R"({"apiVersion":"a/v1","kind":"K",
      "metadata":{"name":"much-too-long-name","labels":{"x":"y"}},"spec":{}})");
  EXPECT_THAT(messages(schema->validate(object)),
              ElementsAre("metadata.name: Too long: may not be more than 10 bytes"));
}

TEST(SchemaValidation, RootRequiredSpec) {
  auto schema = compileOk(parse(R"({"type":"object","required":["spec"],
      "properties":{"spec":{"type":"object"}}})"));
  EXPECT_THAT(messages(schema->validate(parse(R"({"apiVersion":"a/v1","kind":"K"})"))),
              ElementsAre("spec: Required value"));
}

TEST(SchemaValidation, SharedAcrossThreads) {
  auto schema = compileOk(rootWithSpec(
      parse(R"({"type":"object","properties":{"name":{"type":"string","pattern":"^[a-z]+$"}}})")));
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        Json object = {{"spec", {{"name", (i + t) % 2 == 0 ? "abc" : "ABC"}}}};
        size_t expected = (i + t) % 2 == 0 ? 0 : 1;
        if (schema->validate(object).size() != expected) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

// ---------------------------------------------------------------------------------------------
// Pruning: (root schema, object) -> (pruned object, pruned paths).

struct PruneCase {
  const char* name;
  const char* schema;
  const char* object;
  const char* expected_object;
  std::vector<std::string> expected_paths;
};

// Parameters print as their table name rather than bytes.
void PrintTo(const PruneCase& c, std::ostream* os) { *os << c.name; }

class SchemaPruneTest : public ::testing::TestWithParam<PruneCase> {};

TEST_P(SchemaPruneTest, RemovesUndeclaredFields) {
  const PruneCase& c = GetParam();
  auto schema = compileOk(parse(c.schema));
  Json object = parse(c.object);
  EXPECT_THAT(schema->prune(object), ElementsAreArray(c.expected_paths));
  EXPECT_EQ(object, parse(c.expected_object)) << object.dump();
}

const PruneCase kPruneCases[] = {
    {"UnknownSpecField",
     R"({"type":"object","properties":{"spec":{"type":"object","properties":{"replicas":{"type":"integer"}}}}})",
     R"({"spec":{"replicas":2,"foo":1}})",
     R"({"spec":{"replicas":2}})",
     {"spec.foo"}},
    {"RootEnvelopeKeptUnknownRootPruned",
     R"({"type":"object","properties":{"spec":{"type":"object"}}})",
     R"({"apiVersion":"a/v1","kind":"K","metadata":{"name":"x","labels":{"a":"b"}},"status":{"x":1},"spec":{}})",
     R"({"apiVersion":"a/v1","kind":"K","metadata":{"name":"x","labels":{"a":"b"}},"spec":{}})",
     {"status"}},
    {"NestedInsideListItems",
     R"({"type":"object","properties":{"spec":{"type":"object","properties":{"steps":{"type":"array",
         "items":{"type":"object","properties":{"setWeight":{"type":"integer"},
         "pause":{"type":"object","properties":{"duration":{"type":"string"}}}}}}}}}})",
     R"({"spec":{"steps":[{"setWeight":1},{"pause":{"duration":"1m","bogus":true},"extra":1}]}})",
     R"({"spec":{"steps":[{"setWeight":1},{"pause":{"duration":"1m"}}]}})",
     {"spec.steps[1].extra", "spec.steps[1].pause.bogus"}},
    {"PreserveUnknownKeepsEverything",
     R"({"type":"object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}})",
     R"({"spec":{"anything":{"deep":[1,{"x":2}]}}})",
     R"({"spec":{"anything":{"deep":[1,{"x":2}]}}})",
     {}},
    {"PreserveUnknownStillPrunesInsideKnownFields",
     R"({"type":"object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true,
         "properties":{"known":{"type":"object","properties":{"a":{"type":"string"}}}}}}})",
     R"({"spec":{"free":1,"known":{"a":"x","b":"y"}}})",
     R"({"spec":{"free":1,"known":{"a":"x"}}})",
     {"spec.known.b"}},
    {"ObjectWithoutPropertiesDropsAll",
     R"({"type":"object","properties":{"spec":{"type":"object","properties":{"opts":{"type":"object"}}}}})",
     R"({"spec":{"opts":{"a":1,"b":2}}})",
     R"({"spec":{"opts":{}}})",
     {"spec.opts.a", "spec.opts.b"}},
    {"AdditionalPropertiesValues",
     R"({"type":"object","properties":{"spec":{"type":"object","properties":{"routes":{"type":"object",
         "additionalProperties":{"type":"object","properties":{"weight":{"type":"integer"}}}}}}}})",
     R"({"spec":{"routes":{"a":{"weight":1,"junk":1},"b":{"weight":2}}}})",
     R"({"spec":{"routes":{"a":{"weight":1},"b":{"weight":2}}}})",
     {"spec.routes.a.junk"}},
    {"EmbeddedResourceKeepsEnvelope",
     R"({"type":"object","properties":{"spec":{"type":"object","properties":{"template":{"type":"object",
         "x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object",
         "x-kubernetes-preserve-unknown-fields":true}}}}}}})",
     R"({"spec":{"template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"x":1},"junk":2}}})",
     R"({"spec":{"template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"x":1}}}})",
     {"spec.template.junk"}},
    {"ArrayOfArrays",
     R"({"type":"object","properties":{"spec":{"type":"object","properties":{"m":{"type":"array",
         "items":{"type":"array","items":{"type":"object","properties":{"v":{"type":"integer"}}}}}}}}})",
     R"({"spec":{"m":[[{"v":1,"w":2}],[{"w":3}]]}})",
     R"({"spec":{"m":[[{"v":1}],[{}]]}})",
     {"spec.m[0][0].w", "spec.m[1][0].w"}},
};

INSTANTIATE_TEST_SUITE_P(SchemaPruning, SchemaPruneTest, ::testing::ValuesIn(kPruneCases),
                         caseName<PruneCase>);

// ---------------------------------------------------------------------------------------------
// Defaulting: (root schema, object) -> defaulted object.

struct DefaultCase {
  const char* name;
  const char* schema;
  const char* object;
  const char* expected_object;
};

// Parameters print as their table name rather than bytes.
void PrintTo(const DefaultCase& c, std::ostream* os) { *os << c.name; }

class SchemaDefaultTest : public ::testing::TestWithParam<DefaultCase> {};

TEST_P(SchemaDefaultTest, AppliesDefaults) {
  const DefaultCase& c = GetParam();
  auto schema = compileOk(parse(c.schema));
  Json object = parse(c.object);
  schema->applyDefaults(object);
  EXPECT_EQ(object, parse(c.expected_object)) << object.dump();
}

const DefaultCase kDefaultCases[] = {
    {"MissingField",
     R"({"type":"object","properties":{"spec":{"type":"object","properties":{
         "revisionHistoryLimit":{"type":"integer","default":10}}}}})",
     R"({"spec":{}})", R"({"spec":{"revisionHistoryLimit":10}})"},
    {"PresentValueKept",
     R"({"type":"object","properties":{"spec":{"type":"object","properties":{
         "revisionHistoryLimit":{"type":"integer","default":10}}}}})",
     R"({"spec":{"revisionHistoryLimit":2}})", R"({"spec":{"revisionHistoryLimit":2}})"},
    {"DeepThroughDefaultedParents",
     R"({"type":"object","properties":{"spec":{"type":"object","default":{},"properties":{
         "strategy":{"type":"object","default":{"canary":{}},"properties":{
         "canary":{"type":"object","properties":{"maxSurge":{"x-kubernetes-int-or-string":true,
         "default":"25%"},"maxUnavailable":{"x-kubernetes-int-or-string":true,"default":0}}}}}}}}})",
     R"({"apiVersion":"a/v1","kind":"K"})",
     R"({"apiVersion":"a/v1","kind":"K","spec":{"strategy":{"canary":{"maxSurge":"25%","maxUnavailable":0}}}})"},
    {"InsideListItems",
     R"({"type":"object","properties":{"spec":{"type":"object","properties":{"ports":{"type":"array",
         "items":{"type":"object","properties":{"port":{"type":"integer"},
         "protocol":{"type":"string","default":"TCP"}}}}}}}})",
     R"({"spec":{"ports":[{"port":80},{"port":53,"protocol":"UDP"}]}})",
     R"({"spec":{"ports":[{"port":80,"protocol":"TCP"},{"port":53,"protocol":"UDP"}]}})"},
    {"NonNullableNullGetsDefault",
     R"({"type":"object","properties":{"spec":{"type":"object","properties":{
         "mode":{"type":"string","default":"auto"}}}}})",
     R"({"spec":{"mode":null}})", R"({"spec":{"mode":"auto"}})"},
    {"NullableNullKept",
     R"({"type":"object","properties":{"spec":{"type":"object","properties":{
         "mode":{"type":"string","nullable":true,"default":"auto"}}}}})",
     R"({"spec":{"mode":null}})", R"({"spec":{"mode":null}})"},
    {"NonNullableNullWithoutDefaultDropped",
     R"({"type":"object","properties":{"spec":{"type":"object","properties":{
         "mode":{"type":"string"}}}}})",
     R"({"spec":{"mode":null}})", R"({"spec":{}})"},
    {"MapValues",
     R"({"type":"object","properties":{"spec":{"type":"object","properties":{"routes":{"type":"object",
         "additionalProperties":{"type":"object","properties":{"weight":{"type":"integer","default":1}}}}}}}})",
     R"({"spec":{"routes":{"a":{},"b":{"weight":5}}}})",
     R"({"spec":{"routes":{"a":{"weight":1},"b":{"weight":5}}}})"},
    {"NullListItemGetsItemDefault",
     R"({"type":"object","properties":{"spec":{"type":"object","properties":{"names":{"type":"array",
         "items":{"type":"string","default":"unnamed"}}}}}})",
     R"({"spec":{"names":["a",null]}})", R"({"spec":{"names":["a","unnamed"]}})"},
    {"NotUnderPreserveUnknownFields",
     R"({"type":"object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true,
         "properties":{"a":{"type":"object","properties":{"b":{"type":"integer","default":1}}}}}}})",
     R"({"spec":{"free":{"b":null},"a":{}}})", R"({"spec":{"free":{"b":null},"a":{"b":1}}})"},
};

INSTANTIATE_TEST_SUITE_P(SchemaDefaulting, SchemaDefaultTest, ::testing::ValuesIn(kDefaultCases),
                         caseName<DefaultCase>);

TEST(SchemaAdmit, PrunesThenDefaultsThenValidates) {
  auto schema = compileOk(parse(R"({"type":"object","properties":{"spec":{"type":"object",
      "required":["replicas"],"properties":{"replicas":{"type":"integer","minimum":0},
      "paused":{"type":"boolean","default":false}}}}})"));
  Json object = parse(R"({"apiVersion":"a/v1","kind":"K","spec":{"replicas":-2,"foo":1}})");
  CompiledSchema::WriteResult result = schema->admit(object);
  EXPECT_THAT(result.unknown_fields, ElementsAre("spec.foo"));
  EXPECT_EQ(object["spec"], parse(R"({"replicas":-2,"paused":false})"));
  EXPECT_THAT(messages(result.errors),
              ElementsAre("spec.replicas: Invalid value: -2: spec.replicas in body should be "
                          "greater than or equal to 0"));
  EXPECT_EQ(unknownFieldMessage(result.unknown_fields[0]), R"(unknown field "spec.foo")");
}

// ---------------------------------------------------------------------------------------------
// Structural checks at CRD creation: schema -> errors under spec.versions[0]...

struct StructuralCase {
  const char* name;
  const char* schema;
  std::vector<std::string> expected;
};

// Parameters print as their table name rather than bytes.
void PrintTo(const StructuralCase& c, std::ostream* os) { *os << c.name; }

class SchemaStructuralTest : public ::testing::TestWithParam<StructuralCase> {};

TEST_P(SchemaStructuralTest, ReportsErrorsWithPaths) {
  const StructuralCase& c = GetParam();
  SchemaCompilation compiled = compileSchema(parse(c.schema));
  EXPECT_THAT(messages(compiled.errors), ElementsAreArray(c.expected));
  EXPECT_EQ(compiled.ok(), c.expected.empty());
  ASSERT_NE(compiled.schema, nullptr);
}

constexpr const char* kP = "spec.versions[0].schema.openAPIV3Schema";

std::string at(const std::string& rest) { return std::string(kP) + rest; }

const StructuralCase kStructuralCases[] = {
    {"PropertyWithoutType",
     R"({"type":"object","properties":{"spec":{"properties":{"a":{"type":"string"}}}}})",
     {at(".properties[spec].type: Required value: must not be empty for specified object fields")}},
    {"ItemsWithoutType",
     R"({"type":"object","properties":{"spec":{"type":"object","properties":{
         "list":{"type":"array","items":{"description":"x"}}}}}})",
     {at(".properties[spec].properties[list].items.type: Required value: must not be empty for "
         "specified array items")}},
    {"RootWithoutType",
     R"({"properties":{"spec":{"type":"object"}}})",
     {at(".type: Required value: must not be empty at the root")}},
    {"RootNotObject",
     R"({"type":"string"})",
     {at(R"(.type: Invalid value: "string": must be object at the root)")}},
    {"ArrayWithoutItems",
     R"({"type":"object","properties":{"a":{"type":"array"}}})",
     {at(".properties[a].items: Required value: must be specified")}},
    {"RefForbidden",
     R"({"type":"object","properties":{"a":{"type":"object","$ref":"#/definitions/A"}}})",
     {at(".properties[a].$ref: Forbidden: $ref is not supported")}},
    {"AdditionalPropertiesWithProperties",
     R"({"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"string"}},
         "additionalProperties":{"type":"string"}}}})",
     {at(".properties[a].additionalProperties: Forbidden: additionalProperties and properties are "
         "mutual exclusive")}},
    {"AdditionalPropertiesAtRoot",
     R"({"type":"object","additionalProperties":{"type":"string"}})",
     {at(".additionalProperties: Forbidden: must not be used at the root")}},
    {"UniqueItemsForbidden",
     R"({"type":"object","properties":{"a":{"type":"array","uniqueItems":true,"items":{"type":"string"}}}})",
     {at(".properties[a].uniqueItems: Forbidden: uniqueItems cannot be set to true since the "
         "runtime complexity becomes quadratic")}},
    {"UnknownType",
     R"({"type":"object","properties":{"a":{"type":"strin"}}})",
     {at(R"(.properties[a].type: Unsupported value: "strin": supported values: "array", "boolean", "integer", "number", "object", "string")")}},
    {"MetadataRestrictedToNames",
     R"({"type":"object","properties":{"metadata":{"type":"object","properties":{
         "name":{"type":"string"},"labels":{"type":"object"}}}}})",
     {at(".properties[metadata]: Forbidden: must not specify anything other than name and "
         "generateName, but metadata is implicitly specified")}},
    {"MetadataNameAndGenerateNameAllowed",
     R"({"type":"object","properties":{"metadata":{"type":"object","properties":{
         "name":{"type":"string","maxLength":20},"generateName":{"type":"string"}}}}})",
     {}},
    {"PreserveUnknownAndIntOrStringNeedNoType",
     R"({"type":"object","properties":{"free":{"x-kubernetes-preserve-unknown-fields":true},
         "port":{"x-kubernetes-int-or-string":true}}})",
     {}},
    {"PreserveUnknownFalse",
     R"({"type":"object","properties":{"a":{"type":"object","x-kubernetes-preserve-unknown-fields":false}}})",
     {at(".properties[a].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true "
         "or undefined")}},
    {"TypeInsideJunctor",
     R"({"type":"object","properties":{"a":{"type":"string","anyOf":[{"type":"string"},{"maxLength":3}]}}})",
     {at(".properties[a].anyOf[0].type: Forbidden: must be empty to be structural")}},
    {"IntOrStringAnyOfAllowed",
     R"({"type":"object","properties":{"a":{"x-kubernetes-int-or-string":true,
         "anyOf":[{"type":"integer"},{"type":"string"}]}}})",
     {}},
    {"IntOrStringAllOfAnyOfAllowed",
     R"({"type":"object","properties":{"a":{"x-kubernetes-int-or-string":true,
         "allOf":[{"anyOf":[{"type":"integer"},{"type":"string"}]},{"pattern":"^[0-9]+%?$"}]}}})",
     {}},
    {"JunctorFieldNotSpecifiedOutside",
     R"({"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"string"}},
         "oneOf":[{"required":["a"]},{"properties":{"b":{"minLength":1}}}]}}})",
     {at(".properties[spec].properties[b]: Required value: must be specified to be structural")}},
    {"MetadataInsideJunctor",
     R"({"type":"object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true,
         "anyOf":[{"properties":{"metadata":{"minProperties":1}}}]}}})",
     {at(".properties[spec].anyOf[0].properties[metadata]: Forbidden: must not be specified in a "
         "nested context"),
      at(".properties[spec].properties[metadata]: Required value: must be specified to be "
         "structural")}},
    {"DefaultOfWrongType",
     R"({"type":"object","properties":{"spec":{"type":"object","properties":{
         "replicas":{"type":"integer","default":"one"}}}}})",
     {at(R"(.properties[spec].properties[replicas].default: Invalid value: "string": in body must be of type integer: "string")")}},
    {"DefaultWithUnknownFields",
     R"({"type":"object","properties":{"spec":{"type":"object","properties":{
         "pause":{"type":"object","default":{"duration":"1m","bogus":1},
         "properties":{"duration":{"type":"string"}}}}}}})",
     {at(R"(.properties[spec].properties[pause].default: Invalid value: {"bogus":1,"duration":"1m"}: must not have unknown fields)")}},
    {"DefaultNestedFieldInvalid",
     R"({"type":"object","properties":{"spec":{"type":"object","properties":{
         "pause":{"type":"object","default":{"duration":5},
         "properties":{"duration":{"type":"string"}}}}}}})",
     {at(R"(.properties[spec].properties[pause].default.duration: Invalid value: "integer": duration in body must be of type string: "integer")")}},
    {"ListMapWithoutKeys",
     R"({"type":"object","properties":{"a":{"type":"array","x-kubernetes-list-type":"map",
         "items":{"type":"object","properties":{"name":{"type":"string"}}}}}})",
     {at(".properties[a].x-kubernetes-list-map-keys: Required value: must not be empty if "
         "x-kubernetes-list-type is map")}},
    {"ListMapKeyNotRequired",
     R"({"type":"object","properties":{"a":{"type":"array","x-kubernetes-list-type":"map",
         "x-kubernetes-list-map-keys":["name"],
         "items":{"type":"object","properties":{"name":{"type":"string"}}}}}})",
     {at(R"(.properties[a].items.required: Required value: all map keys must be required or have a default value)")}},
    {"ListTypeUnsupported",
     R"({"type":"object","properties":{"a":{"type":"array","x-kubernetes-list-type":"bag",
         "items":{"type":"string"}}}})",
     {at(R"(.properties[a].x-kubernetes-list-type: Unsupported value: "bag": supported values: "atomic", "set", "map")")}},
    {"EmbeddedResourceNeedsProperties",
     R"({"type":"object","properties":{"t":{"type":"object","x-kubernetes-embedded-resource":true}}})",
     {at(".properties[t].properties: Required value: must not be empty if "
         "x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields")}},
    {"ErrorsSorted",
     R"({"type":"object","properties":{"z":{"description":"no type"},"a":{"type":"array"}}})",
     {at(".properties[a].items: Required value: must be specified"),
      at(".properties[z].type: Required value: must not be empty for specified object fields")}},
    {"NotAnObject",
     R"({"type":"object","properties":{"a":"string"}})",
     {at(R"(.properties[a]: Invalid value: "string": must be a JSON schema object)")}},
};

INSTANTIATE_TEST_SUITE_P(SchemaStructure, SchemaStructuralTest,
                         ::testing::ValuesIn(kStructuralCases), caseName<StructuralCase>);

TEST(SchemaStructural, BadPatternRejectedWithPath) {
  SchemaCompilation compiled = compileSchema(
      parse(R"({"type":"object","properties":{"a":{"type":"string","pattern":"([a-z"}}})"));
  ASSERT_EQ(compiled.errors.size(), 1u);
  EXPECT_THAT(compiled.errors[0].toString(),
              HasSubstr(at(R"(.properties[a].pattern: Invalid value: "([a-z": must be a valid )"
                           R"(regular expression, but isn't: )")));
  // The rest of the schema still works.
  EXPECT_THAT(compiled.schema->validate(parse(R"({"a":1})")), ::testing::SizeIs(1));
}

TEST(SchemaStructural, CustomPathPrefix) {
  SchemaCompilation compiled =
      compileSchema(parse(R"({"type":"object","properties":{"a":{}}})"),
                    CompileOptions{"spec.versions[2].schema.openAPIV3Schema"});
  EXPECT_THAT(messages(compiled.errors),
              ElementsAre("spec.versions[2].schema.openAPIV3Schema.properties[a].type: Required "
                          "value: must not be empty for specified object fields"));
}

TEST(SchemaStructural, CelRulesReported) {
  SchemaCompilation compiled = compileSchema(parse(R"json({"type":"object","properties":{
      "spec":{"type":"object","x-kubernetes-validations":[
          {"rule":"self.minReplicas <= self.maxReplicas","message":"min above max"},
          {"rule":"has(self.selector)"}],
        "properties":{"minReplicas":{"type":"integer"},"maxReplicas":{"type":"integer"},
          "selector":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}})json"));
  EXPECT_TRUE(compiled.ok());
  ASSERT_EQ(compiled.cel_rules.size(), 2u);
  EXPECT_EQ(compiled.cel_rules[0].path, at(".properties[spec].x-kubernetes-validations[0]"));
  EXPECT_EQ(compiled.cel_rules[0].rule, "self.minReplicas <= self.maxReplicas");
  EXPECT_EQ(compiled.cel_rules[0].message, "min above max");
  EXPECT_EQ(compiled.cel_rules[1].rule, "has(self.selector)");
  std::vector<std::string> warnings = compiled.celWarnings();
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_THAT(warnings[0], HasSubstr("self.minReplicas <= self.maxReplicas"));
  EXPECT_THAT(warnings[0], HasSubstr("not enforced"));
  // Not enforced: an object breaking the rule is accepted.
  EXPECT_THAT(compiled.schema->validate(parse(R"({"spec":{"minReplicas":5,"maxReplicas":1}})")),
              IsEmpty());
}

// ---------------------------------------------------------------------------------------------
// Messages.

TEST(SchemaMessages, InvalidMessageOneAndMany) {
  FieldErrors one = {{FieldErrorType::kTypeInvalid, "spec.replicas", Json("string"),
                      R"(spec.replicas in body must be of type integer: "string")"}};
  EXPECT_EQ(invalidMessage("Rollout.argoproj.io", "web", one),
            R"(Rollout.argoproj.io "web" is invalid: spec.replicas: Invalid value: "string": )"
            R"(spec.replicas in body must be of type integer: "string")");
  FieldErrors many = {
      {FieldErrorType::kRequired, "spec.selector", std::nullopt, ""},
      {FieldErrorType::kRequired, "spec.selector", std::nullopt, ""},
      {FieldErrorType::kTooLong, "spec.name", Json("abcdef"), "may not be more than 5 bytes"}};
  EXPECT_EQ(invalidMessage("Rollout.argoproj.io", "web", many),
            R"(Rollout.argoproj.io "web" is invalid: [spec.selector: Required value, )"
            R"(spec.name: Too long: may not be more than 5 bytes])");
  Status status = invalidStatus("Rollout.argoproj.io", "web", one);
  EXPECT_TRUE(status.is(StatusCode::kInvalid));
  EXPECT_EQ(status.reason(), "Invalid");
}

TEST(SchemaMessages, ValuesRenderedLikeGo) {
  FieldError error{FieldErrorType::kNotSupported, "spec.mode", Json("a\"b\n"),
                   "supported values: \"x\""};
  EXPECT_EQ(error.toString(), R"(spec.mode: Unsupported value: "a\"b\n": supported values: "x")");
  error.bad_value = Json(0.0001);
  EXPECT_EQ(error.toString(), R"(spec.mode: Unsupported value: 0.0001: supported values: "x")");
  error.bad_value = Json(0.00001);
  EXPECT_EQ(error.toString(), R"(spec.mode: Unsupported value: 1e-05: supported values: "x")");
  error.bad_value = Json(true);
  EXPECT_EQ(error.toString(), R"(spec.mode: Unsupported value: true: supported values: "x")");
}

// ---------------------------------------------------------------------------------------------
// A realistic CRD: a compact Rollout schema against Argo's own examples.

const char* kRolloutSchema = R"({
  "type": "object",
  "properties": {
    "apiVersion": {"type": "string"},
    "kind": {"type": "string"},
    "metadata": {"type": "object"},
    "spec": {
      "type": "object",
      "properties": {
        "replicas": {"type": "integer", "format": "int32", "minimum": 0, "default": 1},
        "revisionHistoryLimit": {"type": "integer", "format": "int32", "default": 10},
        "paused": {"type": "boolean"},
        "selector": {
          "type": "object",
          "properties": {
            "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
            "matchExpressions": {"type": "array", "items": {"type": "object",
              "required": ["key", "operator"],
              "properties": {"key": {"type": "string"}, "operator": {"type": "string"},
                             "values": {"type": "array", "items": {"type": "string"}}}}}
          }
        },
        "template": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
        "strategy": {
          "type": "object",
          "properties": {
            "blueGreen": {
              "type": "object",
              "required": ["activeService"],
              "properties": {
                "activeService": {"type": "string"},
                "previewService": {"type": "string"},
                "autoPromotionEnabled": {"type": "boolean"},
                "scaleDownDelaySeconds": {"type": "integer", "format": "int32", "default": 30}
              }
            },
            "canary": {
              "type": "object",
              "properties": {
                "maxSurge": {"x-kubernetes-int-or-string": true},
                "maxUnavailable": {"x-kubernetes-int-or-string": true},
                "steps": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "properties": {
                      "setWeight": {"type": "integer", "format": "int32", "minimum": 0,
                                    "maximum": 100},
                      "pause": {"type": "object",
                                "properties": {"duration": {"x-kubernetes-int-or-string": true}}},
                      "analysis": {"type": "object", "properties": {"templates": {
                        "type": "array", "items": {"type": "object", "required": ["templateName"],
                        "properties": {"templateName": {"type": "string"},
                                       "clusterScope": {"type": "boolean"}}}}}}
                    }
                  }
                }
              }
            }
          }
        }
      },
      "required": ["selector", "template"]
    },
    "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
  }
})";

// argo-examples/rollout-canary.yaml, as JSON (the YAML codec is another module's, and unit
// tests of the schema should not depend on it).
const char* kRolloutCanary = R"({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
  "metadata": {"name": "rollout-canary"},
  "spec": {"replicas": 5, "revisionHistoryLimit": 2,
    "selector": {"matchLabels": {"app": "rollout-canary"}},
    "template": {"metadata": {"labels": {"app": "rollout-canary"}},
      "spec": {"containers": [{"name": "rollouts-demo", "image": "argoproj/rollouts-demo:blue",
        "imagePullPolicy": "Always", "ports": [{"containerPort": 8080}]}]}},
    "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {}}, {"setWeight": 40},
      {"pause": {"duration": "40s"}}, {"setWeight": 60}, {"pause": {"duration": "20s"}},
      {"setWeight": 80}, {"pause": {"duration": "20s"}}]}}}})";

// argo-examples/rollout-bluegreen.yaml.
const char* kRolloutBlueGreen = R"({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
  "metadata": {"name": "rollout-bluegreen"},
  "spec": {"replicas": 2, "revisionHistoryLimit": 2,
    "selector": {"matchLabels": {"app": "rollout-bluegreen"}},
    "template": {"metadata": {"labels": {"app": "rollout-bluegreen"}},
      "spec": {"containers": [{"name": "rollouts-demo", "image": "argoproj/rollouts-demo:blue",
        "imagePullPolicy": "Always", "ports": [{"containerPort": 8080}]}]}},
    "strategy": {"blueGreen": {"activeService": "rollout-bluegreen-active",
      "previewService": "rollout-bluegreen-preview", "autoPromotionEnabled": false}}}})";

// argo-examples/rollout-analysis-step.yaml (the Rollout document).
const char* kRolloutAnalysisStep = R"({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
  "metadata": {"name": "rollout-analysis-step"},
  "spec": {"replicas": 4, "revisionHistoryLimit": 2,
    "selector": {"matchLabels": {"app": "rollout-analysis-step"}},
    "template": {"metadata": {"labels": {"app": "rollout-analysis-step"}},
      "spec": {"containers": [{"name": "rollouts-demo", "image": "argoproj/rollouts-demo:blue",
        "imagePullPolicy": "Always", "ports": [{"containerPort": 8080}]}]}},
    "strategy": {"canary": {"steps": [{"setWeight": 25}, {"analysis": {"templates": [
      {"templateName": "random-fail"}, {"templateName": "always-pass", "clusterScope": true}]}}]}}}})";

class SchemaRolloutTest : public ::testing::Test {
 protected:
  void SetUp() override { schema_ = compileOk(parse(kRolloutSchema)); }
  CompiledSchemaPtr schema_;
};

TEST_F(SchemaRolloutTest, ArgoExamplesAdmittedUnchanged) {
  for (const char* example : {kRolloutCanary, kRolloutAnalysisStep}) {
    Json object = parse(example);
    Json original = object;
    CompiledSchema::WriteResult result = schema_->admit(object);
    EXPECT_THAT(result.unknown_fields, IsEmpty());
    EXPECT_THAT(messages(result.errors), IsEmpty());
    EXPECT_EQ(object, original);  // every default already present
  }
}

TEST_F(SchemaRolloutTest, BlueGreenGetsDefaults) {
  Json object = parse(kRolloutBlueGreen);
  object["spec"].erase("revisionHistoryLimit");
  CompiledSchema::WriteResult result = schema_->admit(object);
  EXPECT_THAT(messages(result.errors), IsEmpty());
  EXPECT_EQ(object["spec"]["revisionHistoryLimit"], 10);
  EXPECT_EQ(object["spec"]["strategy"]["blueGreen"]["scaleDownDelaySeconds"], 30);
  EXPECT_EQ(object["spec"]["strategy"]["blueGreen"]["autoPromotionEnabled"], false);
}

TEST_F(SchemaRolloutTest, BrokenCanaryRejectedNamingTheField) {
  Json object = parse(kRolloutCanary);
  object["spec"]["strategy"]["canary"]["steps"][2]["setWeight"] = "forty";
  object["spec"]["strategy"]["canary"]["steps"][3]["pause"]["duration"] = true;
  object["spec"]["strategy"]["canary"]["steps"][4]["setWeigth"] = 10;  // a typo: pruned
  CompiledSchema::WriteResult result = schema_->admit(object);
  EXPECT_THAT(result.unknown_fields, ElementsAre("spec.strategy.canary.steps[4].setWeigth"));
  EXPECT_EQ(
      invalidMessage("Rollout.argoproj.io", "rollout-canary", result.errors),
      R"(Rollout.argoproj.io "rollout-canary" is invalid: [)"
      R"(spec.strategy.canary.steps[2].setWeight: Invalid value: "string": )"
      R"(spec.strategy.canary.steps[2].setWeight in body must be of type integer: "string", )"
      R"(spec.strategy.canary.steps[3].pause.duration: Invalid value: "boolean": )"
      R"(spec.strategy.canary.steps[3].pause.duration in body must be of type integer,string: )"
      R"("boolean"])");
}

TEST_F(SchemaRolloutTest, MissingRequiredAndOutOfRange) {
  Json object = parse(kRolloutAnalysisStep);
  object["spec"].erase("selector");
  object["spec"]["strategy"]["canary"]["steps"][0]["setWeight"] = 120;
  object["spec"]["strategy"]["canary"]["steps"][1]["analysis"]["templates"][1].erase(
      "templateName");
  EXPECT_THAT(
      messages(schema_->admit(object).errors),
      ElementsAre("spec.selector: Required value",
                  "spec.strategy.canary.steps[0].setWeight: Invalid value: 120: "
                  "spec.strategy.canary.steps[0].setWeight in body should be less than or "
                  "equal to 100",
                  "spec.strategy.canary.steps[1].analysis.templates[1].templateName: Required "
                  "value"));
}

}  // namespace
}  // namespace serin::cluster
