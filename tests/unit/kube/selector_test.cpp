#include "serin/kube/selector.h"

#include <map>
#include <string>

#include <gtest/gtest.h>

namespace serin::kube {
namespace {

using Labels = std::map<std::string, std::string>;

struct CanonicalCase {
  std::string text;
  std::string canonical;
};

class LabelSelectorParses : public testing::TestWithParam<CanonicalCase> {};

TEST_P(LabelSelectorParses, AndPrintsCanonically) {
  auto s = LabelSelector::parse(GetParam().text);
  ASSERT_TRUE(s.isOk()) << GetParam().text << ": " << s.status();
  EXPECT_EQ(s->toString(), GetParam().canonical);
  // The canonical form parses back to the same selector.
  EXPECT_EQ(LabelSelector::parse(s->toString()).value(), *s);
}

INSTANTIATE_TEST_SUITE_P(
    Table, LabelSelectorParses,
    testing::Values(
        CanonicalCase{"", ""}, CanonicalCase{"a=b", "a=b"}, CanonicalCase{"a==b", "a==b"},
        CanonicalCase{"a!=b", "a!=b"}, CanonicalCase{"a", "a"}, CanonicalCase{"!a", "!a"},
        CanonicalCase{"  a  =  b  ,  c  ", "a=b,c"}, CanonicalCase{"z=1,a=2,m", "a=2,m,z=1"},
        CanonicalCase{"env in (prod, dev,qa)", "env in (dev,prod,qa)"},
        CanonicalCase{"env notin (prod)", "env notin (prod)"},
        CanonicalCase{"env in (b,a,b)", "env in (a,b)"}, CanonicalCase{"x in ()", "x in ()"},
        CanonicalCase{"x in (,a)", "x in (,a)"}, CanonicalCase{"x in (a,)", "x in (,a)"},
        CanonicalCase{"a=", "a="}, CanonicalCase{"a=,b", "a=,b"},
        CanonicalCase{"in=notin", "in=notin"}, CanonicalCase{"x in (in,notin)", "x in (in,notin)"},
        CanonicalCase{"example.com/app=web", "example.com/app=web"},
        CanonicalCase{"a>5,b<10", "a>5,b<10"},
        CanonicalCase{"app.kubernetes.io/name=my_app-1.0", "app.kubernetes.io/name=my_app-1.0"}));

struct ErrorCase {
  std::string text;
  std::string message_part;
};

class LabelSelectorRejects : public testing::TestWithParam<ErrorCase> {};

TEST_P(LabelSelectorRejects, WithAMessageNamingTheProblem) {
  auto s = LabelSelector::parse(GetParam().text);
  ASSERT_FALSE(s.isOk()) << GetParam().text << " -> " << s->toString();
  EXPECT_TRUE(s.status().is(StatusCode::kInvalid));
  EXPECT_NE(s.status().message().find(GetParam().message_part), std::string::npos) << s.status();
}

INSTANTIATE_TEST_SUITE_P(
    Table, LabelSelectorRejects,
    testing::Values(
        ErrorCase{"a=b,", "expected: identifier after ','"},
        ErrorCase{",a", "expected: !, identifier, or 'end of string'"},
        ErrorCase{"a b", "expected: in, notin, =, ==, !=, gt, lt"},
        ErrorCase{"a=b c", "expected: ',' or 'end of string'"},
        ErrorCase{"a in b", "expected: '('"}, ErrorCase{"a in (b", "expected: ',' or ')'"},
        ErrorCase{"a in (b c)", "expected: ',' or ')'"}, ErrorCase{"a=(b)", "expected: identifier"},
        ErrorCase{"!", "expected: identifier"}, ErrorCase{"a=>b", "expected: identifier"},
        ErrorCase{"a>b", "exactly one integer value"}, ErrorCase{"a b=c", "expected: in, notin"},
        ErrorCase{"-a=b", "invalid label key \"-a\""},
        ErrorCase{"a/b/c=d", "invalid label key \"a/b/c\""},
        ErrorCase{"/a=b", "prefix part must be non-empty"},
        ErrorCase{"Example.com/a=b", "prefix part"},
        ErrorCase{std::string(64, 'k') + "=v", "no more than 63 characters"},
        ErrorCase{"a=" + std::string(64, 'v'), "invalid label value"},
        ErrorCase{"a=-b", "invalid label value \"-b\""},
        ErrorCase{"a=b_", "invalid label value \"b_\""}, ErrorCase{"a=b!", "'!'"},
        ErrorCase{"a=b=c", "'='"}));

struct MatchCase {
  std::string selector;
  Labels labels;
  bool want;
};

class LabelSelectorMatches : public testing::TestWithParam<MatchCase> {};

TEST_P(LabelSelectorMatches, LikeKubernetes) {
  auto s = LabelSelector::parse(GetParam().selector);
  ASSERT_TRUE(s.isOk()) << s.status();
  EXPECT_EQ(s->matches(GetParam().labels), GetParam().want) << GetParam().selector;
}

INSTANTIATE_TEST_SUITE_P(
    Table, LabelSelectorMatches,
    testing::Values(MatchCase{"", {}, true}, MatchCase{"", {{"a", "b"}}, true},
                    MatchCase{"a=b", {{"a", "b"}}, true}, MatchCase{"a=b", {{"a", "c"}}, false},
                    MatchCase{"a=b", {}, false}, MatchCase{"a!=b", {}, true},
                    MatchCase{"a!=b", {{"a", "b"}}, false}, MatchCase{"a!=b", {{"a", "c"}}, true},
                    MatchCase{"a", {{"a", ""}}, true}, MatchCase{"a", {}, false},
                    MatchCase{"!a", {}, true}, MatchCase{"!a", {{"a", "x"}}, false},
                    MatchCase{"a in (x,y)", {{"a", "y"}}, true},
                    MatchCase{"a in (x,y)", {{"a", "z"}}, false},
                    MatchCase{"a in (x,y)", {}, false}, MatchCase{"a notin (x)", {}, true},
                    MatchCase{"a notin (x)", {{"a", "x"}}, false},
                    MatchCase{"a=", {{"a", ""}}, true}, MatchCase{"a=", {}, false},
                    MatchCase{"a>5", {{"a", "6"}}, true}, MatchCase{"a>5", {{"a", "5"}}, false},
                    MatchCase{"a>5", {{"a", "x"}}, false}, MatchCase{"a<5", {{"a", "-1"}}, true},
                    MatchCase{"a=b,c", {{"a", "b"}}, false},
                    MatchCase{"a=b,c", {{"a", "b"}, {"c", "1"}}, true}));

TEST(LabelSelector, EmptyMatchesEverythingAndNothingMatchesNothing) {
  LabelSelector everything;
  EXPECT_TRUE(everything.empty());
  EXPECT_TRUE(everything.matches({}));
  auto nothing = LabelSelector::nothing();
  EXPECT_FALSE(nothing.empty());
  EXPECT_TRUE(nothing.isNothing());
  EXPECT_FALSE(nothing.matches({}));
  EXPECT_FALSE(nothing.matches({{"a", "b"}}));
  EXPECT_EQ(nothing.toString(), "");
}

TEST(LabelSelectorFromJson, CombinesMatchLabelsAndExpressionsSortedByKey) {
  auto j = Json::parse(R"({
    "matchLabels": {"app": "web", "tier": "front"},
    "matchExpressions": [
      {"key": "env", "operator": "In", "values": ["prod", "canary"]},
      {"key": "debug", "operator": "DoesNotExist"},
      {"key": "zone", "operator": "NotIn", "values": ["a"]},
      {"key": "owner", "operator": "Exists"}
    ]})");
  auto s = LabelSelector::fromJson(j);
  ASSERT_TRUE(s.isOk()) << s.status();
  EXPECT_EQ(s->toString(), "app=web,!debug,env in (canary,prod),owner,tier=front,zone notin (a)");
  EXPECT_TRUE(s->matches({{"app", "web"}, {"tier", "front"}, {"env", "prod"}, {"owner", "x"}}));
  EXPECT_FALSE(s->matches({{"app", "web"}, {"tier", "front"}, {"env", "prod"}}));
}

TEST(LabelSelectorFromJson, NullIsNothingAndEmptyIsEverything) {
  EXPECT_TRUE(LabelSelector::fromJson(Json())->isNothing());
  EXPECT_TRUE(LabelSelector::fromJson(Json::object())->empty());
  EXPECT_TRUE(LabelSelector::fromJson(Json::parse(R"({"matchLabels": {}})"))->empty());
}

class LabelSelectorFromJsonRejects : public testing::TestWithParam<ErrorCase> {};

TEST_P(LabelSelectorFromJsonRejects, WithAMessageNamingTheProblem) {
  auto s = LabelSelector::fromJson(Json::parse(GetParam().text));
  ASSERT_FALSE(s.isOk()) << GetParam().text;
  EXPECT_TRUE(s.status().is(StatusCode::kInvalid));
  EXPECT_NE(s.status().message().find(GetParam().message_part), std::string::npos) << s.status();
}

INSTANTIATE_TEST_SUITE_P(
    Table, LabelSelectorFromJsonRejects,
    testing::Values(
        ErrorCase{R"({"matchExpressions":[{"key":"a","operator":"Equals","values":["b"]}]})",
                  "\"Equals\" is not a valid label selector operator"},
        ErrorCase{R"({"matchExpressions":[{"key":"a","operator":"In"}]})",
                  "values set can't be empty"},
        ErrorCase{R"({"matchExpressions":[{"key":"a","operator":"NotIn","values":[]}]})",
                  "values set can't be empty"},
        ErrorCase{R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})",
                  "values set must be empty"},
        ErrorCase{R"({"matchLabels":{"a":"-bad"}})", "invalid label value"},
        ErrorCase{R"({"matchLabels":{"bad key":"v"}})", "invalid label key"},
        ErrorCase{R"({"matchLabels":{"a":1}})", "matchLabels"},
        ErrorCase{R"({"matchExpressions":{"key":"a"}})", "matchExpressions"},
        ErrorCase{R"([1])", "must be an object"}));

TEST(FieldSelector, ParsesMatchesAndPrintsSortedTerms) {
  auto s = FieldSelector::parse("status.phase!=Running,metadata.name==web,metadata.namespace=prod");
  ASSERT_TRUE(s.isOk()) << s.status();
  EXPECT_EQ(s->toString(), "metadata.name=web,metadata.namespace=prod,status.phase!=Running");
  Object pod("v1", "Pod", "prod", "web");
  pod.json()["status"]["phase"] = "Pending";
  EXPECT_TRUE(s->matches(pod));
  pod.json()["status"]["phase"] = "Running";
  EXPECT_FALSE(s->matches(pod));
  pod.json()["status"]["phase"] = "Pending";
  pod.setNamespace("dev");
  EXPECT_FALSE(s->matches(pod));
}

TEST(FieldSelector, ReadsAnyDottedPathAndTreatsMissingAsEmpty) {
  Object pod("v1", "Pod", "prod", "web");
  pod.json()["spec"]["nodeName"] = "node-1";
  pod.json()["spec"]["replicas"] = 3;
  pod.json()["spec"]["paused"] = true;
  EXPECT_TRUE(FieldSelector::parse("spec.nodeName=node-1")->matches(pod));
  EXPECT_TRUE(FieldSelector::parse("spec.replicas=3")->matches(pod));
  EXPECT_TRUE(FieldSelector::parse("spec.paused=true")->matches(pod));
  EXPECT_TRUE(FieldSelector::parse("spec.missing=")->matches(pod));
  EXPECT_TRUE(FieldSelector::parse("spec.nodeName.deeper=")->matches(pod));
  EXPECT_FALSE(FieldSelector::parse("spec.missing!=")->matches(pod));
  EXPECT_TRUE(FieldSelector::parse("")->matches(pod));
  EXPECT_TRUE(FieldSelector::parse("")->empty());
}

TEST(FieldSelector, UnescapesAndReEscapesValues) {
  auto s = FieldSelector::parse(R"(metadata.name=a\,b\=c\\d)");
  ASSERT_TRUE(s.isOk()) << s.status();
  ASSERT_EQ(s->terms().size(), 1u);
  EXPECT_EQ(s->terms()[0].value, R"(a,b=c\d)");
  EXPECT_EQ(s->toString(), R"(metadata.name=a\,b\=c\\d)");
}

class FieldSelectorRejects : public testing::TestWithParam<std::string> {};

TEST_P(FieldSelectorRejects, AsInvalid) {
  auto s = FieldSelector::parse(GetParam());
  ASSERT_FALSE(s.isOk()) << GetParam();
  EXPECT_TRUE(s.status().is(StatusCode::kInvalid));
}

INSTANTIATE_TEST_SUITE_P(Table, FieldSelectorRejects,
                         testing::Values("metadata.name", "a=b,c", R"(a=b\x)", "a=b=c", R"(a=b\)"));

TEST(FieldSelector, NamesTheTermItCannotUnderstand) {
  auto s = FieldSelector::parse("a=b,nonsense");
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.status().message().find("can't understand 'nonsense'"), std::string::npos);
}

}  // namespace
}  // namespace serin::kube
