#include "serin/cluster/auth.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testing/temp_dir.h"
#include <sys/stat.h>

namespace serin::cluster {
namespace {

constexpr const char* kTokens =
    "admintoken,admin,uid-1,\"system:masters\"\n"
    "\n"
    "viewtoken, viewer ,uid-2,\"serin:view,team-a\"\n"
    "bobtoken,bob,uid-3\r\n";

UserInfo user(std::string name, std::vector<std::string> groups) {
  return {std::move(name), "", std::move(groups)};
}

RequestAttributes resourceRequest(UserInfo u, std::string verb, std::string resource = "pods",
                                  std::string ns = "default") {
  RequestAttributes a;
  a.user = std::move(u);
  a.verb = std::move(verb);
  a.resource = std::move(resource);
  a.ns = std::move(ns);
  return a;
}

RequestAttributes pathRequest(UserInfo u, std::string path, std::string verb = "get") {
  RequestAttributes a;
  a.user = std::move(u);
  a.verb = std::move(verb);
  a.isResourceRequest = false;
  a.path = std::move(path);
  return a;
}

TEST(TokenFileTest, ParsesQuotesGroupsAndSkipsBlankLines) {
  auto entries = parseTokenFile(kTokens);
  ASSERT_TRUE(entries.isOk()) << entries.status();
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].token, "admintoken");
  EXPECT_EQ((*entries)[0].user, (UserInfo{"admin", "uid-1", {"system:masters"}}));
  EXPECT_EQ((*entries)[1].user.name, "viewer ");  // encoding/csv trims leading spaces only
  EXPECT_EQ((*entries)[1].user.groups, (std::vector<std::string>{"serin:view", "team-a"}));
  EXPECT_EQ((*entries)[2].user, (UserInfo{"bob", "uid-3", {}}));
}

TEST(TokenFileTest, QuotedFieldsMayHoldCommasAndQuotes) {
  auto entries = parseTokenFile("\"to,ken\",\"Jo \"\"J\"\"\",u\n");
  ASSERT_TRUE(entries.isOk()) << entries.status();
  EXPECT_EQ((*entries)[0].token, "to,ken");
  EXPECT_EQ((*entries)[0].user.name, "Jo \"J\"");
}

TEST(TokenFileTest, MalformedLinesAreNamedWithoutTheToken) {
  auto few = parseTokenFile("a,b,c\n\nsecret1,alice\n", "/d/tokens.csv");
  ASSERT_FALSE(few.isOk());
  EXPECT_TRUE(few.status().is(StatusCode::kInvalid));
  EXPECT_NE(few.status().message().find("/d/tokens.csv line 3"), std::string::npos);
  EXPECT_NE(few.status().message().find("at least 3 columns"), std::string::npos);
  EXPECT_EQ(few.status().message().find("secret1"), std::string::npos);

  auto quote = parseTokenFile("t,\"bob,u\n");
  ASSERT_FALSE(quote.isOk());
  EXPECT_NE(quote.status().message().find("line 1"), std::string::npos);
  EXPECT_FALSE(parseTokenFile("t,b\"ob,u\n").isOk());
  EXPECT_FALSE(parseTokenFile(",bob,u\n").isOk());
}

TEST(TokenFileTest, DuplicateTokensAreRejected) {
  auto dup = parseTokenFile("same,a,1\nsame,b,2\n");
  ASSERT_FALSE(dup.isOk());
  EXPECT_NE(dup.status().message().find("line 2: duplicate token"), std::string::npos);
  EXPECT_EQ(dup.status().message().find("same"), std::string::npos);
}

class TokenAuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.write("tokens.csv", kTokens);
    auto made = TokenAuthenticator::fromFile(path_);
    ASSERT_TRUE(made.isOk()) << made.status();
    auth_ = std::move(made).value();
  }
  serin::testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<TokenAuthenticator> auth_;
};

TEST_F(TokenAuthenticatorTest, KnownTokenAddsSystemAuthenticated) {
  auto u = auth_->authenticate("Bearer viewtoken");
  ASSERT_TRUE(u.isOk()) << u.status();
  EXPECT_EQ(u->name, "viewer ");
  EXPECT_EQ(u->uid, "uid-2");
  EXPECT_EQ(u->groups, (std::vector<std::string>{"serin:view", "team-a", "system:authenticated"}));
  auto lower = auth_->authenticate("  bearer bobtoken ");
  ASSERT_TRUE(lower.isOk()) << lower.status();
  EXPECT_EQ(lower->groups, (std::vector<std::string>{"system:authenticated"}));
}

TEST_F(TokenAuthenticatorTest, MissingUnknownAndMalformedAreUnauthorized) {
  for (const char* header : {"", "Bearer", "Bearer ", "Bearer x", "Basic YWRtaW4=", "admintoken",
                             "Bearer admintoken extra", "Bearer admintokenX", "Bearer admintoke"}) {
    auto u = auth_->authenticate(header);
    ASSERT_FALSE(u.isOk()) << header;
    EXPECT_TRUE(u.status().is(StatusCode::kUnauthorized)) << header;
    EXPECT_EQ(u.status().message(), "Unauthorized");
  }
}

TEST_F(TokenAuthenticatorTest, ReloadsWhenTheFileChanges) {
  EXPECT_FALSE(auth_->authenticate("Bearer newtoken").isOk());
  dir_.write("tokens.csv", "newtoken,carol,uid-9,\"serin:view\"\n");
  ASSERT_TRUE(auth_->reloadIfChanged().isOk());
  auto u = auth_->authenticate("Bearer newtoken");
  ASSERT_TRUE(u.isOk()) << u.status();
  EXPECT_EQ(u->name, "carol");
  EXPECT_FALSE(auth_->authenticate("Bearer admintoken").isOk());
}

TEST_F(TokenAuthenticatorTest, BrokenEditKeepsPreviousTokens) {
  dir_.write("tokens.csv", "this line is broken and longer than before\n");
  Status reloaded = auth_->reloadIfChanged();
  EXPECT_TRUE(reloaded.is(StatusCode::kInvalid)) << reloaded;
  EXPECT_TRUE(auth_->authenticate("Bearer admintoken").isOk());
}

TEST(TokenAuthenticatorEntriesTest, FromEntriesRejectsDuplicates) {
  std::vector<TokenEntry> entries = {{"t", {"a", "1", {}}}, {"t", {"b", "2", {}}}};
  EXPECT_FALSE(TokenAuthenticator::fromEntries(entries).isOk());
  entries.pop_back();
  auto auth = TokenAuthenticator::fromEntries(entries);
  ASSERT_TRUE(auth.isOk());
  EXPECT_TRUE((*auth)->authenticate("Bearer t").isOk());
}

TEST(TokenAuthenticatorEntriesTest, MissingFileIsAnError) {
  EXPECT_FALSE(TokenAuthenticator::fromFile("/nonexistent/tokens.csv").isOk());
}

TEST(AuthorizerTest, MastersMayDoAnything) {
  Authorizer authz;
  const UserInfo admin = user("admin", {"system:masters", "system:authenticated"});
  for (const char* verb :
       {"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"}) {
    EXPECT_TRUE(authz.allowed(resourceRequest(admin, verb))) << verb;
  }
  EXPECT_TRUE(authz.allowed(pathRequest(admin, "/metrics", "post")));
}

TEST(AuthorizerTest, ViewersMayOnlyRead) {
  Authorizer authz;
  const UserInfo viewer = user("viewer", {"serin:view", "system:authenticated"});
  for (const char* verb : {"get", "list", "watch"}) {
    EXPECT_TRUE(authz.allowed(resourceRequest(viewer, verb, "rollouts"))) << verb;
  }
  for (const char* verb : {"create", "update", "patch", "delete", "deletecollection"}) {
    Status s = authz.authorize(resourceRequest(viewer, verb));
    EXPECT_TRUE(s.is(StatusCode::kForbidden)) << verb;
    EXPECT_EQ(s.reason(), "Forbidden");
  }
  EXPECT_TRUE(authz.allowed(pathRequest(viewer, "/version")));
  EXPECT_TRUE(authz.allowed(pathRequest(viewer, "/openapi/v3/apis/apps/v1")));
  EXPECT_TRUE(authz.allowed(pathRequest(viewer, "/metrics")));
  EXPECT_FALSE(authz.allowed(pathRequest(viewer, "/metrics", "post")));
}

TEST(AuthorizerTest, OthersOnlyReachDiscoveryAndHealth) {
  Authorizer authz;
  const UserInfo bob = user("bob", {"system:authenticated"});
  for (const char* verb : {"get", "list", "watch", "create"}) {
    EXPECT_FALSE(authz.allowed(resourceRequest(bob, verb))) << verb;
  }
  for (const char* path : {"/version", "/version/", "/api", "/api/v1", "/apis", "/apis/apps/v1",
                           "/openapi/v2", "/openapi/v3", "/healthz", "/livez", "/readyz"}) {
    EXPECT_TRUE(authz.allowed(pathRequest(bob, path))) << path;
  }
  EXPECT_FALSE(authz.allowed(pathRequest(bob, "/metrics")));
  EXPECT_FALSE(authz.allowed(pathRequest(bob, "/apiextra")));
  EXPECT_FALSE(authz.allowed(pathRequest(bob, "/version", "post")));
  // system:basic-user: self reviews for `kubectl auth can-i`.
  RequestAttributes review = resourceRequest(bob, "create", "selfsubjectaccessreviews", "");
  review.apiGroup = "authorization.k8s.io";
  EXPECT_TRUE(authz.allowed(review));
  // Without system:authenticated (not from the authenticator) even discovery is refused.
  EXPECT_FALSE(authz.allowed(pathRequest(user("x", {}), "/version")));
}

TEST(AuthorizerTest, ForbiddenMessagesMatchKubeApiserver) {
  const UserInfo bob = user("bob", {"system:authenticated"});
  EXPECT_EQ(forbiddenMessage(resourceRequest(bob, "list")),
            "pods is forbidden: User \"bob\" cannot list resource \"pods\" in API group \"\" in "
            "the namespace \"default\"");
  RequestAttributes named = resourceRequest(bob, "patch", "deployments", "prod");
  named.apiGroup = "apps";
  named.name = "web";
  named.subresource = "scale";
  EXPECT_EQ(forbiddenMessage(named),
            "deployments.apps \"web\" is forbidden: User \"bob\" cannot patch resource "
            "\"deployments/scale\" in API group \"apps\" in the namespace \"prod\"");
  EXPECT_EQ(forbiddenMessage(resourceRequest(bob, "list", "nodes", "")),
            "nodes is forbidden: User \"bob\" cannot list resource \"nodes\" in API group \"\" at "
            "the cluster scope");
  EXPECT_EQ(forbiddenMessage(pathRequest(bob, "/metrics")),
            "forbidden: User \"bob\" cannot get path \"/metrics\"");
}

TEST(AuthorizerTest, StatusBodiesAreByteExact) {
  EXPECT_EQ(unauthorizedStatusBody(),
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
            R"("message":"Unauthorized","reason":"Unauthorized","code":401})");
  const UserInfo bob = user("bob", {"system:authenticated"});
  EXPECT_EQ(forbiddenStatusBody(resourceRequest(bob, "list")),
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
            R"("message":"pods is forbidden: User \"bob\" cannot list resource \"pods\" in API )"
            R"(group \"\" in the namespace \"default\"","reason":"Forbidden",)"
            R"("details":{"kind":"pods"},"code":403})");
  RequestAttributes named = resourceRequest(bob, "delete", "rollouts", "prod");
  named.apiGroup = "argoproj.io";
  named.name = "web";
  EXPECT_EQ(forbiddenStatusBody(named),
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
            R"("message":"rollouts.argoproj.io \"web\" is forbidden: User \"bob\" cannot )"
            R"(delete resource \"rollouts\" in API group \"argoproj.io\" in the namespace )"
            R"(\"prod\"","reason":"Forbidden",)"
            R"("details":{"name":"web","group":"argoproj.io","kind":"rollouts"},"code":403})");
  EXPECT_EQ(forbiddenStatusBody(pathRequest(bob, "/metrics")),
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
            R"("message":"forbidden: User \"bob\" cannot get path \"/metrics\"",)"
            R"("reason":"Forbidden","details":{},"code":403})");
}

TEST(AuthorizerTest, ForbiddenMessageEscapesHtml) {
  EXPECT_EQ(forbiddenMessage(pathRequest(user("<b>", {}), "/a&b")),
            "forbidden: User \"&lt;b&gt;\" cannot get path \"/a&amp;b\"");
}

TEST(AuthVerbTest, MapsMethodsToKubernetesVerbs) {
  EXPECT_EQ(requestVerb("GET", true, false, false), "get");
  EXPECT_EQ(requestVerb("GET", true, true, false), "list");
  EXPECT_EQ(requestVerb("GET", true, true, true), "watch");
  EXPECT_EQ(requestVerb("GET", true, false, true), "get");
  EXPECT_EQ(requestVerb("HEAD", true, false, false), "get");
  EXPECT_EQ(requestVerb("POST", true, true, false), "create");
  EXPECT_EQ(requestVerb("PUT", true, false, false), "update");
  EXPECT_EQ(requestVerb("PATCH", true, false, false), "patch");
  EXPECT_EQ(requestVerb("DELETE", true, false, false), "delete");
  EXPECT_EQ(requestVerb("DELETE", true, true, false), "deletecollection");
  EXPECT_EQ(requestVerb("GET", false, false, false), "get");
  EXPECT_EQ(requestVerb("POST", false, false, false), "post");
  EXPECT_EQ(requestVerb("TRACE", true, false, false), "");
}

TEST(AuthAdminTokenTest, CreatesOnceThenReuses) {
  serin::testing::TempDir dir;
  const auto data_dir = dir.path() / "data";
  auto first = ensureAdminToken(data_dir);
  ASSERT_TRUE(first.isOk()) << first.status();
  EXPECT_EQ(first->size(), 48u);
  const auto file = data_dir / "tokens.csv";
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto second = ensureAdminToken(data_dir);
  ASSERT_TRUE(second.isOk()) << second.status();
  EXPECT_EQ(*second, *first);

  auto auth = TokenAuthenticator::fromFile(file);
  ASSERT_TRUE(auth.isOk()) << auth.status();
  auto admin = (*auth)->authenticate("Bearer " + *first);
  ASSERT_TRUE(admin.isOk());
  EXPECT_EQ(admin->name, "admin");
  EXPECT_TRUE(admin->inGroup("system:masters"));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(data_dir),
                          std::filesystem::directory_iterator()),
            1);  // no temporary left behind
}

TEST(AuthAdminTokenTest, ExistingFileWithoutMastersIsAnError) {
  serin::testing::TempDir dir;
  dir.write("tokens.csv", "t,bob,1,\"serin:view\"\n");
  auto token = ensureAdminToken(dir.path());
  ASSERT_FALSE(token.isOk());
  EXPECT_TRUE(token.status().is(StatusCode::kFailedPrecondition));
  dir.write("tokens.csv", "x,bob,1\nt,root,0,\"a,system:masters\"\n");
  token = ensureAdminToken(dir.path());
  ASSERT_TRUE(token.isOk());
  EXPECT_EQ(*token, "t");
}

}  // namespace
}  // namespace serin::cluster
