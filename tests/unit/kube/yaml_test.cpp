#include "serin/kube/yaml.h"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace serin::kube {
namespace {

// The JSON value of `text` as the value of key "v" in a one-line document.
Json valueOf(const std::string& text) {
  auto doc = yamlToJson("v: " + text + "\n");
  EXPECT_TRUE(doc.isOk()) << text << ": " << doc.status();
  return doc.isOk() ? doc->at("v") : Json();
}

struct TypingCase {
  std::string yaml;
  Json want;
};

class YamlScalarTyping : public testing::TestWithParam<TypingCase> {};

TEST_P(YamlScalarTyping, MatchesKubectl) {
  Json got = valueOf(GetParam().yaml);
  EXPECT_EQ(got.type(), GetParam().want.type()) << GetParam().yaml << " -> " << got.dump();
  EXPECT_EQ(got, GetParam().want) << GetParam().yaml << " -> " << got.dump();
}

std::vector<TypingCase> booleanCases() {
  std::vector<TypingCase> cases;
  for (const char* t : {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}) {
    cases.push_back({t, Json(true)});
  }
  for (const char* f :
       {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}) {
    cases.push_back({f, Json(false)});
  }
  // Other spellings are strings.
  for (const char* s : {"yEs", "tRUE", "oN", "nO", "YeS", "truE"}) cases.push_back({s, Json(s)});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(EveryYaml11BooleanSpelling, YamlScalarTyping,
                         testing::ValuesIn(booleanCases()));

INSTANTIATE_TEST_SUITE_P(
    QuotedScalarsAreStrings, YamlScalarTyping,
    testing::Values(TypingCase{"\"1\"", Json("1")}, TypingCase{"'1'", Json("1")},
                    TypingCase{"\"true\"", Json("true")}, TypingCase{"'yes'", Json("yes")},
                    TypingCase{"\"null\"", Json("null")}, TypingCase{"\"\"", Json("")},
                    TypingCase{"''", Json("")}, TypingCase{"\"1.5\"", Json("1.5")},
                    TypingCase{"!!str 1", Json("1")}, TypingCase{"!!str true", Json("true")},
                    TypingCase{"|\n  1\n", Json("1\n")}, TypingCase{">-\n  true\n", Json("true")}));

INSTANTIATE_TEST_SUITE_P(Nulls, YamlScalarTyping,
                         testing::Values(TypingCase{"", Json()}, TypingCase{"~", Json()},
                                         TypingCase{"null", Json()}, TypingCase{"Null", Json()},
                                         TypingCase{"NULL", Json()},
                                         TypingCase{"nUll", Json("nUll")},
                                         TypingCase{"!!null ''", Json()}));

INSTANTIATE_TEST_SUITE_P(
    Integers, YamlScalarTyping,
    testing::Values(TypingCase{"1", Json(1)}, TypingCase{"0", Json(0)}, TypingCase{"-7", Json(-7)},
                    TypingCase{"+7", Json(7)}, TypingCase{"1_000", Json(1000)},
                    TypingCase{"0x1F", Json(31)}, TypingCase{"0X1f", Json(31)},
                    TypingCase{"-0x10", Json(-16)}, TypingCase{"0o17", Json(15)},
                    TypingCase{"017", Json(15)}, TypingCase{"00", Json(0)},
                    TypingCase{"0b101", Json(5)},
                    TypingCase{"9223372036854775807", Json(int64_t{9223372036854775807})},
                    TypingCase{"-9223372036854775808", Json(INT64_MIN)},
                    TypingCase{"!!int 42", Json(42)}, TypingCase{"!!int \"42\"", Json(42)}));

INSTANTIATE_TEST_SUITE_P(
    Floats, YamlScalarTyping,
    testing::Values(TypingCase{"1.0", Json(1.0)}, TypingCase{"1.5", Json(1.5)},
                    TypingCase{"-0.25", Json(-0.25)}, TypingCase{".5", Json(0.5)},
                    TypingCase{"1.5e+3", Json(1500.0)}, TypingCase{"1e+3", Json(1000.0)},
                    TypingCase{"2.5E-1", Json(0.25)}, TypingCase{".5e3", Json(500.0)},
                    // "08" is not octal, so go-yaml's float pattern takes it.
                    TypingCase{"08", Json(8.0)},
                    // Beyond int64: a float, as kubectl's JSON round trip makes it.
                    TypingCase{"9223372036854775808", Json(9223372036854775808.0)},
                    TypingCase{"18446744073709551616", Json(18446744073709551616.0)},
                    TypingCase{"!!float 1", Json(1.0)}, TypingCase{"!!float 2.5", Json(2.5)}));

INSTANTIATE_TEST_SUITE_P(
    GoYamlV2Strings, YamlScalarTyping,
    testing::Values(TypingCase{"1e3", Json("1e3")},  // v2 requires the exponent's sign
                    TypingCase{"1.", Json("1.")}, TypingCase{"0x", Json("0x")},
                    TypingCase{"0x1G", Json("0x1G")}, TypingCase{"-x", Json("-x")},
                    TypingCase{"2026-11-24", Json("2026-11-24")},
                    TypingCase{"2026-11-24T01:02:03Z", Json("2026-11-24T01:02:03Z")},
                    TypingCase{"1:20", Json("1:20")}, TypingCase{"nan", Json("nan")},
                    TypingCase{"inf", Json("inf")}, TypingCase{"abc", Json("abc")},
                    TypingCase{"!custom 12", Json("12")},
                    TypingCase{"!!binary aGVsbG8=", Json("hello")}));

TEST(YamlScalarTyping, ReadsInfinityAndNan) {
  EXPECT_EQ(valueOf(".inf").get<double>(), INFINITY);
  EXPECT_EQ(valueOf(".Inf").get<double>(), INFINITY);
  EXPECT_EQ(valueOf("+.INF").get<double>(), INFINITY);
  EXPECT_EQ(valueOf("-.inf").get<double>(), -INFINITY);
  EXPECT_TRUE(std::isnan(valueOf(".nan").get<double>()));
  EXPECT_TRUE(std::isnan(valueOf(".NaN").get<double>()));
  EXPECT_TRUE(valueOf(".NAN").is_number_float());
}

class YamlTagMismatch : public testing::TestWithParam<std::string> {};

TEST_P(YamlTagMismatch, IsAnErrorWithItsLine) {
  auto got = yamlToJson("a: 1\nv: " + GetParam() + "\n");
  ASSERT_FALSE(got.isOk()) << GetParam();
  EXPECT_TRUE(got.status().is(StatusCode::kInvalid));
  EXPECT_NE(got.status().message().find("document 1, line 2: cannot decode"), std::string::npos)
      << got.status();
}

INSTANTIATE_TEST_SUITE_P(Table, YamlTagMismatch,
                         testing::Values("!!int 1.5", "!!int yes", "!!float abc", "!!bool 1",
                                         "!!null 0", "!!int \"\""));

TEST(YamlToJson, KeysBecomeStringsAsSigsYamlPrintsThem) {
  auto got = yamlToJson("1: a\ntrue: b\nno: c\n1.5: d\n0x10: e\n\"2\": f\n1.0: g\n");
  ASSERT_TRUE(got.isOk()) << got.status();
  // "1.0" prints as "1", so it replaces the value of key 1.
  EXPECT_EQ(*got, Json::parse(R"({"1":"g","true":"b","false":"c","1.5":"d","16":"e","2":"f"})"));
}

TEST(YamlToJson, RejectsNullAndCollectionKeys) {
  for (const char* yaml : {"~: a\n", "? [a]\n: b\n", "? {a: 1}\n: b\n"}) {
    auto got = yamlToJson(yaml);
    ASSERT_FALSE(got.isOk()) << yaml;
    EXPECT_NE(got.status().message().find("unsupported map key"), std::string::npos);
  }
}

TEST(YamlToJson, RepeatedKeyKeepsTheLastValue) {
  EXPECT_EQ(yamlToJson("a: 1\na: 2\n").value(), Json::parse(R"({"a":2})"));
}

TEST(YamlToJson, ExpandsAnchorsAndAliases) {
  auto got = yamlToJson(
      "base: &b {cpu: 100m, mem: 1Gi}\n"
      "list: &l [1, 2]\n"
      "copy: *b\n"
      "again: *l\n"
      "scalar: &s hello\n"
      "alias: *s\n");
  ASSERT_TRUE(got.isOk()) << got.status();
  EXPECT_EQ(got->at("copy"), got->at("base"));
  EXPECT_EQ(got->at("again"), Json::parse("[1,2]"));
  EXPECT_EQ(got->at("alias"), "hello");
}

TEST(YamlToJson, AppliesMergeKeys) {
  auto got = yamlToJson(
      "defaults: &d {a: 1, b: 2}\n"
      "extra: &e {b: 20, c: 30}\n"
      "one:\n  <<: *d\n  b: 3\n"
      "many:\n  <<: [*e, *d]\n  z: 0\n"
      "inline:\n  <<: {x: 1}\n"
      "quoted:\n  \"<<\": literal\n");
  ASSERT_TRUE(got.isOk()) << got.status();
  EXPECT_EQ(got->at("one"), Json::parse(R"({"a":1,"b":3})"));
  // In a merge list the earlier map wins.
  EXPECT_EQ(got->at("many"), Json::parse(R"({"a":1,"b":20,"c":30,"z":0})"));
  EXPECT_EQ(got->at("inline"), Json::parse(R"({"x":1})"));
  EXPECT_EQ(got->at("quoted"), Json::parse(R"({"<<":"literal"})"));
}

TEST(YamlToJson, RejectsMergingANonMap) {
  auto got = yamlToJson("s: &s 1\nm:\n  <<: *s\n");
  ASSERT_FALSE(got.isOk());
  EXPECT_NE(got.status().message().find("map merge requires map"), std::string::npos);
  EXPECT_NE(got.status().message().find("line 3"), std::string::npos) << got.status();
}

TEST(YamlToJson, RejectsExcessiveAliasing) {
  std::string yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    yaml += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int k = 0; k < 9; ++k) yaml += ", " + prev;
    yaml += "]\n";
  }
  auto got = yamlToJson(yaml);
  ASSERT_FALSE(got.isOk());
  EXPECT_NE(got.status().message().find("excessive aliasing"), std::string::npos);
}

TEST(YamlToJsonDocuments, SkipsEmptyAndNullDocuments) {
  auto got = yamlToJsonDocuments(
      "---\n"
      "---\n"
      "# only a comment\n"
      "---\n"
      "a: 1\n"
      "---\n"
      "null\n"
      "---\n"
      "~\n"
      "---\n"
      "- b\n"
      "...\n"
      "---\n");
  ASSERT_TRUE(got.isOk()) << got.status();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0], Json::parse(R"({"a":1})"));
  EXPECT_EQ((*got)[1], Json::parse(R"(["b"])"));
}

TEST(YamlToJsonDocuments, EmptyInputHasNoDocuments) {
  EXPECT_TRUE(yamlToJsonDocuments("").value().empty());
  EXPECT_TRUE(yamlToJsonDocuments("\n# nothing\n").value().empty());
  EXPECT_TRUE(yamlToJson("").value().is_null());
}

TEST(YamlToJsonDocuments, AnchorsDoNotCrossDocuments) {
  auto got = yamlToJsonDocuments("a: &x 1\n---\nb: *x\n");
  ASSERT_FALSE(got.isOk());
  EXPECT_NE(got.status().message().find("document 2"), std::string::npos) << got.status();
}

struct SyntaxErrorCase {
  std::string yaml;
  std::string where;
};

class YamlSyntaxError : public testing::TestWithParam<SyntaxErrorCase> {};

TEST_P(YamlSyntaxError, NamesOneBasedDocumentAndStreamLine) {
  auto got = yamlToJsonDocuments(GetParam().yaml);
  ASSERT_FALSE(got.isOk());
  EXPECT_TRUE(got.status().is(StatusCode::kInvalid));
  EXPECT_EQ(got.status().message().rfind(GetParam().where, 0), 0u) << got.status();
}

INSTANTIATE_TEST_SUITE_P(
    Table, YamlSyntaxError,
    testing::Values(SyntaxErrorCase{"a: [1, 2\n", "document 1, line "},
                    SyntaxErrorCase{"a: 1\n b: 2\n", "document 1, line 2:"},
                    SyntaxErrorCase{"a: 1\n---\nb: 2\n---\nc: 3\nd: 4\n  e: 5\n",
                                    "document 3, line 7:"},
                    SyntaxErrorCase{"---\n---\nx: {a: 1\n", "document 2, line "},
                    SyntaxErrorCase{"a: *missing\n", "document 1, line 1:"}));

TEST(YamlToJson, RejectsSeveralDocuments) {
  auto got = yamlToJson("a: 1\n---\nb: 2\n");
  ASSERT_FALSE(got.isOk());
  EXPECT_NE(got.status().message().find("expected one YAML document"), std::string::npos);
  EXPECT_EQ(yamlToJson("---\na: 1\n---\n").value(), Json::parse(R"({"a":1})"));
}

// ------------------------------------ JSON -> YAML ------------------------------------

TEST(JsonToYaml, WritesKubectlBlockLayout) {
  auto j = Json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {"replicas": 3, "template": {"spec": {"containers": [
      {"name": "web", "image": "nginx:1.25", "ports": [{"containerPort": 80}],
       "args": ["--port", "80"], "env": []}]}}}})");
  EXPECT_EQ(jsonToYaml(j),
            "apiVersion: apps/v1\n"
            "kind: Deployment\n"
            "metadata:\n"
            "  labels:\n"
            "    app: web\n"
            "  name: web\n"
            "spec:\n"
            "  replicas: 3\n"
            "  template:\n"
            "    spec:\n"
            "      containers:\n"
            "      - args:\n"
            "        - --port\n"
            "        - \"80\"\n"
            "        env: []\n"
            "        image: nginx:1.25\n"
            "        name: web\n"
            "        ports:\n"
            "        - containerPort: 80\n");
}

TEST(JsonToYaml, WritesScalarsNestedSequencesAndEmptyCollections) {
  EXPECT_EQ(jsonToYaml(Json::parse(R"([[1, 2], [], {}, null, true, 1.5, 2.0])")),
            "- - 1\n  - 2\n- []\n- {}\n- null\n- true\n- 1.5\n- 2.0\n");
  EXPECT_EQ(jsonToYaml(Json::object()), "{}\n");
  EXPECT_EQ(jsonToYaml(Json("yes")), "\"yes\"\n");
}

TEST(JsonToYaml, QuotesStringsThatWouldReadBackAsAnotherType) {
  auto j = Json::parse(R"({"a": "1", "b": "true", "c": "yes", "d": "null", "e": "1.0",
                           "f": "0x1F", "g": "", "h": "1e3", "i": "~", "j": "on", "k": "0o17",
                           "l": "plain"})");
  EXPECT_EQ(jsonToYaml(j),
            "a: \"1\"\nb: \"true\"\nc: \"yes\"\nd: \"null\"\ne: \"1.0\"\nf: \"0x1F\"\ng: \"\"\n"
            "h: \"1e3\"\ni: \"~\"\nj: \"on\"\nk: \"0o17\"\nl: plain\n");
}

TEST(JsonToYaml, PrintsFloatsSoTheyStayFloats) {
  EXPECT_EQ(jsonToYaml(Json(1.0)), "1.0\n");
  EXPECT_EQ(jsonToYaml(Json(1e20)), "1.0e+20\n");
  EXPECT_EQ(jsonToYaml(Json(-0.5)), "-0.5\n");
  EXPECT_EQ(jsonToYaml(Json(INFINITY)), ".inf\n");
}

TEST(JsonToYaml, UsesLiteralBlocksForMultiLineText) {
  EXPECT_EQ(jsonToYaml(Json{{"script", "echo a\necho b\n"}}), "script: |\n  echo a\n  echo b\n");
  EXPECT_EQ(jsonToYaml(Json{{"s", "a\n\nb"}}), "s: |-\n  a\n\n  b\n");
  EXPECT_EQ(jsonToYaml(Json{{"s", "a\n\n\n"}}), "s: |+\n  a\n\n\n");
  // Leading spaces would change the block's indentation: escaped instead.
  EXPECT_EQ(jsonToYaml(Json{{"s", "  a\nb"}}), "s: \"  a\\nb\"\n");
}

TEST(JsonToYamlDocuments, SeparatesDocumentsWithDashes) {
  EXPECT_EQ(jsonToYamlDocuments({Json{{"a", 1}}, Json{{"b", 2}}}), "a: 1\n---\nb: 2\n");
  EXPECT_EQ(jsonToYamlDocuments({}), "");
}

class YamlRoundTrip : public testing::TestWithParam<std::string> {};

TEST_P(YamlRoundTrip, StringValueAndKeySurviveUnchanged) {
  Json j{{"value", GetParam()}, {GetParam().empty() ? "empty-key" : GetParam(), "k"}};
  std::string yaml = jsonToYaml(j);
  auto back = yamlToJson(yaml);
  ASSERT_TRUE(back.isOk()) << yaml << "\n" << back.status();
  EXPECT_EQ(*back, j) << yaml;
}

INSTANTIATE_TEST_SUITE_P(
    TrickyStrings, YamlRoundTrip,
    testing::Values("1", "-1", "+1", "1.0", "1e3", "1e+3", ".5", "1.", "08", "0x1F", "0o17",
                    "0b101", "1_000", "true", "True", "yes", "Y", "n", "off", "null", "Null", "~",
                    "", " ", " leading", "trailing ", "a: b", "a:b", "a:", "key #comment", "#hash",
                    "- item", "-", "-dash", "--flag=1", "? q", ":colon", "[x]", "{y}", "*alias",
                    "&anchor", "!tag", "|pipe", ">gt", "'single'", "\"double\"", "%percent", "@at",
                    "`tick`", "<<", "---", "...", "a\tb", "multi\nline", "multi\nline\n",
                    "trailing\n\n", "\nleading newline", "cr\r\nlf", "bell\x07",
                    "nul" + std::string(1, '\0') + "x", "caf\xC3\xA9", "line\xE2\x80\xA8sep",
                    "\xEF\xBB\xBF"
                    "bom",
                    "1:20", "2026-11-24", "2026-11-24T01:02:03Z", ".inf", "-.inf", ".nan", "nan",
                    "C:\\path", "back\\slash", "a, b", "100%", "a=b",
                    "https://example.com/x?y=1#z"));

TEST(YamlRoundTrip, NumbersBooleansAndStructurePreserved) {
  auto j = Json::parse(R"({"i": 3, "neg": -9223372036854775808, "f": 0.1, "big": 1e300,
                           "whole": 2.0, "t": true, "n": null, "nested": {"list": [[{"a": [1]}]]},
                           "empty": {}, "none": []})");
  auto back = yamlToJson(jsonToYaml(j));
  ASSERT_TRUE(back.isOk()) << back.status();
  EXPECT_EQ(*back, j) << jsonToYaml(j);
  EXPECT_TRUE(back->at("whole").is_number_float());
}

// ------------------------------------ manifests ------------------------------------

TEST(DecodeManifests, ReadsMultiDocumentYamlSkippingEmptyOnes) {
  auto got = decodeManifests(
      "---\n"
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
      "---\n"
      "---\n"
      "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: b}\n");
  ASSERT_TRUE(got.isOk()) << got.status();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].kind(), "ConfigMap");
  EXPECT_EQ((*got)[1].name(), "b");
}

TEST(DecodeManifests, ReadsAJsonStream) {
  auto got = decodeManifests(
      R"(  {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "x": "}"}}
         {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"n": 1e3}})");
  ASSERT_TRUE(got.isOk()) << got.status();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].kind(), "Service");
  // JSON numbers keep JSON typing: 1e3 is a number here, unlike in YAML.
  EXPECT_TRUE((*got)[1].json()["spec"]["n"].is_number());
}

TEST(DecodeManifests, UnwrapsListKinds) {
  auto got = decodeManifests(
      "apiVersion: v1\nkind: List\nitems:\n"
      "- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n"
      "- {apiVersion: v1, kind: Secret, metadata: {name: b}}\n"
      "---\n"
      "apiVersion: v1\nkind: PodList\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: c}}\n"
      "---\n"
      "apiVersion: v1\nkind: List\nitems: []\n");
  ASSERT_TRUE(got.isOk()) << got.status();
  ASSERT_EQ(got->size(), 3u);
  EXPECT_EQ((*got)[0].name(), "a");
  EXPECT_EQ((*got)[1].kind(), "Secret");
  EXPECT_EQ((*got)[2].name(), "c");
}

TEST(DecodeManifests, KeepsAKindEndingInListWithoutItems) {
  auto got = decodeManifests("apiVersion: example.com/v1\nkind: AllowList\nspec: {}\n");
  ASSERT_TRUE(got.isOk()) << got.status();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].kind(), "AllowList");
}

struct ManifestErrorCase {
  std::string text;
  std::string message_part;
};

class DecodeManifestsRejects : public testing::TestWithParam<ManifestErrorCase> {};

TEST_P(DecodeManifestsRejects, NamingTheDocument) {
  auto got = decodeManifests(GetParam().text);
  ASSERT_FALSE(got.isOk());
  EXPECT_TRUE(got.status().is(StatusCode::kInvalid));
  EXPECT_NE(got.status().message().find(GetParam().message_part), std::string::npos)
      << got.status();
}

INSTANTIATE_TEST_SUITE_P(
    Table, DecodeManifestsRejects,
    testing::Values(
        ManifestErrorCase{"just a string\n", "document 1: expected an object, got a string"},
        ManifestErrorCase{"apiVersion: v1\nkind: A\n---\n- 1\n",
                          "document 2: expected an object, got a list"},
        ManifestErrorCase{"---\n---\nkind: Pod\nmetadata: {name: web}\n",
                          "document 2 (name \"web\"): missing apiVersion"},
        ManifestErrorCase{"apiVersion: v1\n", "document 1: missing kind"},
        ManifestErrorCase{"apiVersion: v1\nkind: 3\n", "missing kind"},
        ManifestErrorCase{"apiVersion: v1\nkind: List\nitems:\n- {kind: Pod}\n",
                          "document 1, item 1: missing apiVersion"},
        ManifestErrorCase{"apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: A}\n- 7\n",
                          "document 1, item 2: expected an object"},
        ManifestErrorCase{"{\"apiVersion\": \"v1\", \"kind\": \"A\"}\n{\"kind\": \n",
                          "document 2, line 2"},
        ManifestErrorCase{"{\"apiVersion\": \"v1\", \"kind\": \"A\"}\nnope\n",
                          "document 2, line 2: expected a JSON object"}));

}  // namespace
}  // namespace serin::kube
