#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "serin/kube/client.h"
#include "serin/kube/config.h"

#include "testing/http_test_server.h"
#include "testing/temp_dir.h"
#include <sys/stat.h>

namespace serin::kube {
namespace {

using testing::HttpTestServer;
using testing::TempDir;
using util::HttpRequest;
using util::HttpResponse;
using namespace std::chrono_literals;

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int invocations(const TempDir& dir) {
  std::string content = readFile((dir.path() / "count").string());
  return static_cast<int>(std::count(content.begin(), content.end(), 'x'));
}

// A plugin that counts its runs, saves its environment and prints a token "tok-<run>" that
// expires at `expiry` (ManualClock's default start is 2023-11-14T22:13:20Z).
std::string writePlugin(const TempDir& dir, const std::string& expiry,
                        const std::string& api_version = "client.authentication.k8s.io/v1") {
  std::string script =
      R"(#!/bin/sh
dir=")" +
      dir.path().string() + R"("
printf x >> "$dir/count"
n=$(wc -c < "$dir/count" | tr -d ' ')
printf '%s' "$KUBERNETES_EXEC_INFO" > "$dir/exec_info"
printf '%s %s' "$PLUGIN_ENV" "$*" > "$dir/args"
cat <<EOF
{"apiVersion":")" +
      api_version +
      R"(","kind":"ExecCredential","status":{"token":"tok-$n","expirationTimestamp":")" + expiry +
      R"("}}
EOF
)";
  std::string path = dir.write("plugin.sh", script);
  ::chmod(path.c_str(), 0755);
  return path;
}

RestConfig execConfig(const std::string& command) {
  RestConfig config;
  config.server = "https://cluster.example:6443";
  config.caData = "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n";
  ExecConfig exec;
  exec.command = command;
  exec.args = {"get-token", "--cluster=prod"};
  exec.env = {{"PLUGIN_ENV", "from-kubeconfig"}};
  exec.apiVersion = "client.authentication.k8s.io/v1";
  exec.provideClusterInfo = true;
  config.exec = exec;
  return config;
}

TEST(CredentialsTest, StaticTokenAndBasicAuth) {
  RestConfig config;
  config.bearerToken = "abc";
  auto creds = makeCredentialSource(config)->get();
  ASSERT_TRUE(creds.isOk());
  EXPECT_EQ(creds->bearerToken, "abc");

  RestConfig basic;
  basic.username = "admin";
  basic.password = "pw";
  auto b = makeCredentialSource(basic)->get();
  ASSERT_TRUE(b.isOk());
  EXPECT_EQ(b->username, "admin");
  EXPECT_EQ(b->password, "pw");
  EXPECT_TRUE(b->bearerToken.empty());
}

TEST(CredentialsTest, ExecPluginIsCachedUntilExpiry) {
  TempDir dir;
  util::ManualClock clock;
  auto source = makeCredentialSource(execConfig(writePlugin(dir, "2023-11-14T22:23:20Z")), clock);
  auto first = source->get();
  ASSERT_TRUE(first.isOk()) << first.status();
  EXPECT_EQ(first->bearerToken, "tok-1");
  EXPECT_EQ(source->get()->bearerToken, "tok-1");
  clock.advance(9min);
  EXPECT_EQ(source->get()->bearerToken, "tok-1");
  EXPECT_EQ(invocations(dir), 1);

  clock.advance(2min);  // past expirationTimestamp
  EXPECT_EQ(source->get()->bearerToken, "tok-2");
  EXPECT_EQ(invocations(dir), 2);

  source->invalidate();  // after a 401
  EXPECT_EQ(source->get()->bearerToken, "tok-3");
  EXPECT_EQ(invocations(dir), 3);

  EXPECT_EQ(readFile((dir.path() / "args").string()), "from-kubeconfig get-token --cluster=prod");
  Json info = Json::parse(readFile((dir.path() / "exec_info").string()));
  EXPECT_EQ(info["kind"], "ExecCredential");
  EXPECT_EQ(info["apiVersion"], "client.authentication.k8s.io/v1");
  EXPECT_EQ(info["spec"]["interactive"], false);
  EXPECT_EQ(info["spec"]["cluster"]["server"], "https://cluster.example:6443");
  EXPECT_EQ(info["spec"]["cluster"]["certificate-authority-data"],
            "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCmFiYwotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==");
}

TEST(CredentialsTest, ExecPluginV1beta1WithOffsetTimestamp) {
  TempDir dir;
  util::ManualClock clock;
  RestConfig config = execConfig(
      writePlugin(dir, "2023-11-15T00:23:20.5+02:00", "client.authentication.k8s.io/v1beta1"));
  config.exec->apiVersion = "client.authentication.k8s.io/v1beta1";
  config.exec->provideClusterInfo = false;
  auto source = makeCredentialSource(config, clock);
  EXPECT_EQ(source->get()->bearerToken, "tok-1");
  clock.advance(10min);  // 22:23:20Z < 22:23:20.5Z
  EXPECT_EQ(source->get()->bearerToken, "tok-1");
  clock.advance(1s);
  EXPECT_EQ(source->get()->bearerToken, "tok-2");
  Json info = Json::parse(readFile((dir.path() / "exec_info").string()));
  EXPECT_EQ(info["apiVersion"], "client.authentication.k8s.io/v1beta1");
  EXPECT_FALSE(info["spec"].contains("cluster"));
}

TEST(CredentialsTest, ExecPluginFailureNamesTheCommand) {
  TempDir dir;
  std::string path = dir.write("fail.sh", "#!/bin/sh\necho 'login required' >&2\nexit 3\n");
  ::chmod(path.c_str(), 0755);
  auto creds = makeCredentialSource(execConfig(path))->get();
  ASSERT_FALSE(creds.isOk());
  EXPECT_NE(creds.status().message().find(path), std::string::npos) << creds.status();
  EXPECT_NE(creds.status().message().find("exit code 3"), std::string::npos);
  EXPECT_NE(creds.status().message().find("login required"), std::string::npos);

  auto missing = makeCredentialSource(execConfig("/nonexistent/plugin"))->get();
  ASSERT_FALSE(missing.isOk());
  EXPECT_NE(missing.status().message().find("/nonexistent/plugin"), std::string::npos);
}

TEST(CredentialsTest, ExecPluginBadOutputIsInvalidWithoutLeakingIt) {
  TempDir dir;
  std::string path = dir.write("bad.sh", "#!/bin/sh\necho 'secret-value {not json'\n");
  ::chmod(path.c_str(), 0755);
  auto creds = makeCredentialSource(execConfig(path))->get();
  EXPECT_TRUE(creds.status().is(StatusCode::kInvalid)) << creds.status();
  EXPECT_NE(creds.status().message().find(path), std::string::npos);
  EXPECT_EQ(creds.status().message().find("secret-value"), std::string::npos);

  std::string wrong =
      dir.write("wrong.sh",
                "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
                "\"kind\":\"ExecCredential\",\"status\":{}}'\n");
  ::chmod(wrong.c_str(), 0755);
  auto empty = makeCredentialSource(execConfig(wrong))->get();
  EXPECT_TRUE(empty.status().is(StatusCode::kInvalid)) << empty.status();
}

TEST(CredentialsTest, ExecPluginRerunsAfterUnauthorized) {
  TempDir dir;
  HttpTestServer server;
  server.respond([](const HttpRequest& req) {
    if (req.header("authorization") != "Bearer tok-2") {
      return HttpTestServer::statusResponse(401, "Unauthorized", "Unauthorized");
    }
    return HttpResponse::json(200, R"({"kind":"Pod","apiVersion":"v1"})");
  });
  util::ManualClock clock;
  RestConfig config = execConfig(writePlugin(dir, "2023-11-14T23:13:20Z"));
  config.server = server.url();
  config.caData.clear();
  ClientOptions options;
  options.clock = &clock;
  auto client = std::move(newHttpClient(config, options)).value();
  auto got = client->get({{"", "v1", "pods"}, "default", "web", ""});
  ASSERT_TRUE(got.isOk()) << got.status();
  EXPECT_EQ(invocations(dir), 2);
  EXPECT_EQ(server.requestCount(), 2u);
  ASSERT_TRUE(client->get({{"", "v1", "pods"}, "default", "web", ""}).isOk());
  EXPECT_EQ(invocations(dir), 2);  // cached
}

TEST(CredentialsTest, RotatedTokenFileIsPickedUp) {
  TempDir dir;
  std::string token_file = dir.write("token", "first-token\n");
  HttpTestServer server;
  server.respond([](const HttpRequest&) {
    return HttpResponse::json(200, R"({"kind":"Pod","apiVersion":"v1"})");
  });
  RestConfig config;
  config.server = server.url();
  config.bearerTokenFile = token_file;
  auto client = std::move(newHttpClient(config)).value();
  ASSERT_TRUE(client->get({{"", "v1", "pods"}, "default", "web", ""}).isOk());
  EXPECT_EQ(server.lastRequest().header("authorization"), "Bearer first-token");

  dir.write("token", "second-token-rotated\n");
  // Same-second rewrites must still be noticed; move mtime explicitly to be sure.
  std::filesystem::last_write_time(token_file, std::filesystem::last_write_time(token_file) + 2s);
  ASSERT_TRUE(client->get({{"", "v1", "pods"}, "default", "web", ""}).isOk());
  EXPECT_EQ(server.lastRequest().header("authorization"), "Bearer second-token-rotated");
}

TEST(CredentialsTest, TokenFileReadAgainAfterUnauthorized) {
  TempDir dir;
  std::string token_file = dir.write("token", "old");
  auto source = makeCredentialSource([&] {
    RestConfig c;
    c.bearerTokenFile = token_file;
    return c;
  }());
  EXPECT_EQ(source->get()->bearerToken, "old");
  // Same size, and (possibly) the same mtime: only invalidate() reveals the change.
  auto mtime = std::filesystem::last_write_time(token_file);
  dir.write("token", "new");
  std::filesystem::last_write_time(token_file, mtime);
  source->invalidate();
  EXPECT_EQ(source->get()->bearerToken, "new");

  auto missing = makeCredentialSource([&] {
                   RestConfig c;
                   c.bearerTokenFile = (dir.path() / "absent").string();
                   return c;
                 }())
                     ->get();
  EXPECT_TRUE(missing.status().is(StatusCode::kUnauthorized)) << missing.status();
}

TEST(CredentialsTest, BasicAuthHeaderIsSent) {
  HttpTestServer server;
  server.respond([](const HttpRequest&) {
    return HttpResponse::json(200, R"({"kind":"Pod","apiVersion":"v1"})");
  });
  RestConfig config;
  config.server = server.url();
  config.username = "admin";
  config.password = "s3cret";
  auto client = std::move(newHttpClient(config)).value();
  ASSERT_TRUE(client->get({{"", "v1", "pods"}, "default", "web", ""}).isOk());
  EXPECT_EQ(server.lastRequest().header("authorization"), "Basic YWRtaW46czNjcmV0");
}

}  // namespace
}  // namespace serin::kube
