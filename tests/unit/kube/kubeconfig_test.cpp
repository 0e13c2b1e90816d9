#include <map>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "serin/kube/config.h"

#include "testing/temp_dir.h"

namespace serin::kube {
namespace {

using serin::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCaPem[] = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
constexpr char kCertPem[] = "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n";
constexpr char kKeyPem[] = "-----BEGIN PRIVATE KEY-----\nSECRETKEY\n-----END PRIVATE KEY-----\n";

// Test data only: the loader's decoder must accept what any standard encoder produces.
std::string base64(const std::string& in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    unsigned bits = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) bits |= static_cast<unsigned char>(in[i + 1]) << 8;
    if (i + 2 < in.size()) bits |= static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(bits >> 18) & 63];
    out += kAlphabet[(bits >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(bits >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[bits & 63] : '=';
  }
  return out;
}

// One cluster, one user and one context "main"; `user_body` and `cluster_extra` are YAML lines
// indented for their mappings.
std::string simpleConfig(const std::string& user_body, const std::string& cluster_extra = "",
                         const std::string& context_extra = "") {
  return "apiVersion: v1\nkind: Config\ncurrent-context: main\n"
         "clusters:\n- name: c1\n  cluster:\n    server: https://api.example.com:6443/\n" +
         cluster_extra + "users:\n- name: u1\n  user:\n" + user_body +
         "contexts:\n- name: main\n  context:\n    cluster: c1\n    user: u1\n" + context_extra;
}

class KubeconfigTest : public ::testing::Test {
 protected:
  KubeconfigOptions optionsFor(const std::string& path) const {
    KubeconfigOptions options;
    options.path = path;
    options.useProcessEnv = false;
    options.env = {{"HOME", (dir_.path() / "home").string()}};
    return options;
  }
  KubeconfigOptions optionsWithEnv(std::map<std::string, std::string> env) const {
    KubeconfigOptions options;
    options.useProcessEnv = false;
    options.env = std::move(env);
    return options;
  }

  TempDir dir_;
};

TEST_F(KubeconfigTest, SingleFileWithToken) {
  auto path = dir_.write("config", simpleConfig("    token: abc123\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.isOk()) << config.status();
  EXPECT_EQ(config->server, "https://api.example.com:6443");
  EXPECT_EQ(config->bearerToken, "abc123");
  EXPECT_EQ(config->contextName, "main");
  EXPECT_EQ(config->defaultNamespace, "default");
  EXPECT_FALSE(config->insecureSkipTlsVerify);
  EXPECT_FALSE(config->exec.has_value());
}

TEST_F(KubeconfigTest, ExplicitContextOverridesCurrentContext) {
  auto path = dir_.write("config", simpleConfig("    token: t\n") +
                                       "- name: other\n  context:\n    cluster: c1\n"
                                       "    user: u1\n    namespace: team-b\n");
  auto current = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(current.isOk()) << current.status();
  EXPECT_EQ(current->contextName, "main");
  auto options = optionsFor(path);
  options.context = "other";
  auto explicit_context = loadKubeconfig(options);
  ASSERT_TRUE(explicit_context.isOk()) << explicit_context.status();
  EXPECT_EQ(explicit_context->contextName, "other");
  EXPECT_EQ(explicit_context->defaultNamespace, "team-b");
}

TEST_F(KubeconfigTest, NamespaceComesFromContext) {
  auto path = dir_.write("config", simpleConfig("    token: t\n", "", "    namespace: payments\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.isOk()) << config.status();
  EXPECT_EQ(config->defaultNamespace, "payments");
}

TEST_F(KubeconfigTest, InvalidContextNamespaceRejected) {
  auto path = dir_.write("config", simpleConfig("    token: t\n", "", "    namespace: Bad_NS\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(), HasSubstr("Bad_NS"));
}

TEST_F(KubeconfigTest, KubeconfigListMergedFirstWins) {
  auto first = dir_.write("a/config",
                          "clusters:\n- name: shared\n  cluster:\n    server: https://first\n"
                          "users:\n- name: u\n  user:\n    token: first-token\n");
  auto second =
      dir_.write("b/config",
                 "current-context: ctx\n"
                 "clusters:\n- name: shared\n  cluster:\n    server: https://second\n"
                 "    insecure-skip-tls-verify: true\n"
                 "users:\n- name: u\n  user:\n    token: second-token\n"
                 "contexts:\n- name: ctx\n  context:\n    cluster: shared\n    user: u\n");
  auto config = loadKubeconfig(optionsWithEnv({{"KUBECONFIG", first + ":" + second}}));
  ASSERT_TRUE(config.isOk()) << config.status();
  EXPECT_EQ(config->server, "https://first");
  // The whole entry comes from the first file: no field-by-field merge.
  EXPECT_FALSE(config->insecureSkipTlsVerify);
  EXPECT_EQ(config->bearerToken, "first-token");
  EXPECT_EQ(config->contextName, "ctx");
}

TEST_F(KubeconfigTest, CurrentContextFromFirstFileThatSetsIt) {
  std::string body =
      "clusters:\n- name: c\n  cluster:\n    server: https://x\n"
      "users:\n- name: u\n  user:\n    token: t\n"
      "contexts:\n- name: one\n  context:\n    cluster: c\n    user: u\n"
      "- name: two\n  context:\n    cluster: c\n    user: u\n";
  auto none = dir_.write("0", "clusters: []\n");
  auto first = dir_.write("1", "current-context: two\n");
  auto second = dir_.write("2", "current-context: one\n" + body);
  auto config = loadKubeconfig(optionsWithEnv({{"KUBECONFIG", none + ":" + first + ":" + second}}));
  ASSERT_TRUE(config.isOk()) << config.status();
  EXPECT_EQ(config->contextName, "two");
}

TEST_F(KubeconfigTest, MissingFileInKubeconfigListSkipped) {
  auto existing = dir_.write("config", simpleConfig("    token: t\n"));
  std::string missing = (dir_.path() / "missing").string();
  auto config = loadKubeconfig(optionsWithEnv({{"KUBECONFIG", missing + "::" + existing}}));
  ASSERT_TRUE(config.isOk()) << config.status();
  EXPECT_EQ(config->bearerToken, "t");
}

TEST_F(KubeconfigTest, HomeConfigUsedWhenKubeconfigUnset) {
  dir_.write("home/.kube/config", simpleConfig("    token: from-home\n"));
  auto config = loadKubeconfig(optionsWithEnv({{"HOME", (dir_.path() / "home").string()}}));
  ASSERT_TRUE(config.isOk()) << config.status();
  EXPECT_EQ(config->bearerToken, "from-home");
}

TEST_F(KubeconfigTest, KubeconfigSetReplacesHomeConfig) {
  dir_.write("home/.kube/config", simpleConfig("    token: from-home\n"));
  std::string missing = (dir_.path() / "missing").string();
  auto config = loadKubeconfig(
      optionsWithEnv({{"HOME", (dir_.path() / "home").string()}, {"KUBECONFIG", missing}}));
  ASSERT_TRUE(config.status().is(StatusCode::kNotFound)) << config.status();
  EXPECT_THAT(config.status().message(), HasSubstr(missing));
}

TEST_F(KubeconfigTest, NoKubeconfigIsNotFound) {
  auto config = loadKubeconfig(optionsWithEnv({{"HOME", (dir_.path() / "nohome").string()}}));
  ASSERT_TRUE(config.status().is(StatusCode::kNotFound)) << config.status();
  EXPECT_THAT(config.status().message(), HasSubstr(".kube/config"));
}

TEST_F(KubeconfigTest, ExplicitPathThatDoesNotExistIsAnError) {
  std::string missing = (dir_.path() / "nope.yaml").string();
  dir_.write("home/.kube/config", simpleConfig("    token: t\n"));
  auto config = loadKubeconfig(optionsFor(missing));
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(), HasSubstr(missing));
}

TEST_F(KubeconfigTest, RelativePathsResolvedAgainstDefiningFile) {
  dir_.write("certs/ca.crt", kCaPem);
  dir_.write("certs/client.crt", kCertPem);
  dir_.write("certs/client.key", kKeyPem);
  // The cluster and user live in a file in another directory than the context's file.
  auto defining = dir_.write("certs/defs.yaml",
                             "clusters:\n- name: c1\n  cluster:\n    server: https://x\n"
                             "    certificate-authority: ca.crt\n"
                             "users:\n- name: u1\n  user:\n    client-certificate: ./client.crt\n"
                             "    client-key: client.key\n");
  auto main = dir_.write("main/config",
                         "current-context: main\ncontexts:\n- name: main\n  context:\n"
                         "    cluster: c1\n    user: u1\n");
  auto config = loadKubeconfig(optionsWithEnv({{"KUBECONFIG", main + ":" + defining}}));
  ASSERT_TRUE(config.isOk()) << config.status();
  EXPECT_EQ(config->caData, kCaPem);
  EXPECT_EQ(config->caFile, (dir_.path() / "certs/ca.crt").string());
  EXPECT_EQ(config->clientCertData, kCertPem);
  EXPECT_EQ(config->clientKeyData, kKeyPem);
}

TEST_F(KubeconfigTest, DataFieldsDecoded) {
  auto path = dir_.write("config",
                         simpleConfig("    client-certificate-data: " + base64(kCertPem) + "\n" +
                                          "    client-key-data: " + base64(kKeyPem) + "\n",
                                      "    certificate-authority-data: " + base64(kCaPem) + "\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.isOk()) << config.status();
  EXPECT_EQ(config->caData, kCaPem);
  EXPECT_EQ(config->clientCertData, kCertPem);
  EXPECT_EQ(config->clientKeyData, kKeyPem);
}

TEST_F(KubeconfigTest, Base64OfEveryLengthDecoded) {
  for (std::string value : {"a", "ab", "abc", "abcd"}) {
    auto path = dir_.write(
        "config",
        simpleConfig("    token: t\n", "    certificate-authority-data: " + base64(value) + "\n"));
    auto config = loadKubeconfig(optionsFor(path));
    ASSERT_TRUE(config.isOk()) << config.status();
    EXPECT_EQ(config->caData, value);
  }
}

TEST_F(KubeconfigTest, Base64WithLineBreaksDecoded) {
  std::string encoded = base64(kCaPem);
  std::string wrapped = encoded.substr(0, 20) + "\n      " + encoded.substr(20);
  auto path = dir_.write(
      "config",
      simpleConfig("    token: t\n", "    certificate-authority-data: |\n      " + wrapped + "\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.isOk()) << config.status();
  EXPECT_EQ(config->caData, kCaPem);
}

TEST_F(KubeconfigTest, CaDataWinsOverCaFile) {
  auto path = dir_.write("config", simpleConfig("    token: t\n",
                                                "    certificate-authority: /does/not/exist\n"
                                                "    certificate-authority-data: " +
                                                    base64(kCaPem) + "\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.isOk()) << config.status();
  EXPECT_EQ(config->caData, kCaPem);
}

TEST_F(KubeconfigTest, BadBase64NamesField) {
  auto path = dir_.write("config", simpleConfig("    client-key-data: not*base64\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(),
              AllOf(HasSubstr("client-key-data"), HasSubstr(path), Not(HasSubstr("not*base64"))));
}

TEST_F(KubeconfigTest, TlsOptionsAndProxy) {
  auto path = dir_.write("config", simpleConfig("    token: t\n",
                                                "    insecure-skip-tls-verify: true\n"
                                                "    tls-server-name: kubernetes.internal\n"
                                                "    proxy-url: http://proxy.local:3128\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.isOk()) << config.status();
  EXPECT_TRUE(config->insecureSkipTlsVerify);
  EXPECT_EQ(config->tlsServerName, "kubernetes.internal");
  EXPECT_EQ(config->proxyUrl, "http://proxy.local:3128");
}

TEST_F(KubeconfigTest, InsecureWithCaRejected) {
  auto path = dir_.write("config", simpleConfig("    token: t\n",
                                                "    insecure-skip-tls-verify: true\n"
                                                "    certificate-authority-data: " +
                                                    base64(kCaPem) + "\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(), HasSubstr("insecure"));
}

TEST_F(KubeconfigTest, UnsupportedProxySchemeRejected) {
  auto path = dir_.write("config", simpleConfig("    token: t\n", "    proxy-url: ftp://p\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(), HasSubstr("proxy-url"));
}

TEST_F(KubeconfigTest, NonBooleanFieldNamesLine) {
  auto path =
      dir_.write("config", simpleConfig("    token: t\n", "    insecure-skip-tls-verify: maybe\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(),
              AllOf(HasSubstr(path + ":8:"), HasSubstr("insecure-skip-tls-verify")));
}

TEST_F(KubeconfigTest, BasicAuth) {
  auto path = dir_.write("config", simpleConfig("    username: admin\n    password: s3cret\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.isOk()) << config.status();
  EXPECT_EQ(config->username, "admin");
  EXPECT_EQ(config->password, "s3cret");
  EXPECT_TRUE(config->bearerToken.empty());
}

TEST_F(KubeconfigTest, TokenFileResolvedAndNotInlined) {
  dir_.write("kube/token", "file-token\n");
  auto path = dir_.write("kube/config", simpleConfig("    tokenFile: token\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.isOk()) << config.status();
  EXPECT_EQ(config->bearerTokenFile, (dir_.path() / "kube/token").string());
  // Left empty so the client re-reads the file when it rotates.
  EXPECT_TRUE(config->bearerToken.empty());
}

TEST_F(KubeconfigTest, MissingTokenFileNamesPath) {
  auto path = dir_.write("config", simpleConfig("    tokenFile: /no/such/token\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(),
              AllOf(HasSubstr("tokenFile"), HasSubstr("/no/such/token")));
}

TEST_F(KubeconfigTest, ExecConfigParsed) {
  auto path =
      dir_.write("config", simpleConfig("    exec:\n"
                                        "      apiVersion: client.authentication.k8s.io/v1\n"
                                        "      command: aws\n"
                                        "      args: [eks, get-token, --cluster-name, prod]\n"
                                        "      env:\n"
                                        "      - name: AWS_PROFILE\n"
                                        "        value: ops\n"
                                        "      provideClusterInfo: true\n"
                                        "      interactiveMode: Never\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.isOk()) << config.status();
  ASSERT_TRUE(config->exec.has_value());
  const ExecConfig& exec = *config->exec;
  EXPECT_EQ(exec.command, "aws");  // a bare name is looked up on PATH, not resolved
  EXPECT_THAT(exec.args, ::testing::ElementsAre("eks", "get-token", "--cluster-name", "prod"));
  ASSERT_EQ(exec.env.size(), 1u);
  EXPECT_EQ(exec.env[0], std::make_pair(std::string("AWS_PROFILE"), std::string("ops")));
  EXPECT_EQ(exec.apiVersion, "client.authentication.k8s.io/v1");
  EXPECT_TRUE(exec.provideClusterInfo);
  EXPECT_EQ(exec.interactiveMode, "Never");
}

TEST_F(KubeconfigTest, ExecRelativeCommandResolvedAgainstFile) {
  auto path = dir_.write("kube/config",
                         simpleConfig("    exec:\n"
                                      "      apiVersion: client.authentication.k8s.io/v1beta1\n"
                                      "      command: ./bin/plugin\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.isOk()) << config.status();
  ASSERT_TRUE(config->exec.has_value());
  EXPECT_EQ(config->exec->command, (dir_.path() / "kube/bin/plugin").string());
  EXPECT_EQ(config->exec->interactiveMode, "IfAvailable");  // client-go's beta default
}

TEST_F(KubeconfigTest, ExecV1WithoutInteractiveModeRejected) {
  auto path =
      dir_.write("config", simpleConfig("    exec:\n"
                                        "      apiVersion: client.authentication.k8s.io/v1\n"
                                        "      command: plugin\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(), HasSubstr("interactiveMode"));
}

TEST_F(KubeconfigTest, UnknownContextNamed) {
  auto path = dir_.write("config", simpleConfig("    token: t\n"));
  auto options = optionsFor(path);
  options.context = "staging";
  auto config = loadKubeconfig(options);
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(), AllOf(HasSubstr("\"staging\""), HasSubstr(path)));
}

TEST_F(KubeconfigTest, MissingUserNamed) {
  auto path = dir_.write("config",
                         "current-context: main\n"
                         "clusters:\n- name: c1\n  cluster:\n    server: https://x\n"
                         "contexts:\n- name: main\n  context:\n    cluster: c1\n    user: ghost\n");
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(),
              AllOf(HasSubstr("user \"ghost\""), HasSubstr("\"main\""), HasSubstr(path)));
}

TEST_F(KubeconfigTest, MissingClusterNamed) {
  auto path =
      dir_.write("config",
                 "current-context: main\n"
                 "users:\n- name: u1\n  user:\n    token: t\n"
                 "contexts:\n- name: main\n  context:\n    cluster: nowhere\n    user: u1\n");
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(), AllOf(HasSubstr("cluster \"nowhere\""), HasSubstr(path)));
}

TEST_F(KubeconfigTest, NoCurrentContextRejected) {
  auto path = dir_.write("config", "clusters:\n- name: c1\n  cluster:\n    server: https://x\n");
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(), HasSubstr("current-context"));
}

TEST_F(KubeconfigTest, UnreadableCaFileNamesPath) {
  auto path = dir_.write(
      "config", simpleConfig("    token: t\n", "    certificate-authority: missing-ca.crt\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(),
              AllOf(HasSubstr("certificate-authority"),
                    HasSubstr((dir_.path() / "missing-ca.crt").string())));
}

TEST_F(KubeconfigTest, ClientCertWithoutKeyRejected) {
  auto path =
      dir_.write("config", simpleConfig("    client-certificate-data: " + base64(kCertPem) + "\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(), HasSubstr("client-key"));
}

TEST_F(KubeconfigTest, InvalidYamlNamesFileAndLine) {
  auto path = dir_.write("config", "clusters:\n- name: c1\n  cluster: [unclosed\n");
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(), HasSubstr(path + ":"));
}

TEST_F(KubeconfigTest, WrongShapeNamesField) {
  auto path = dir_.write("config", "clusters:\n  c1: {}\n");
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(), AllOf(HasSubstr(path + ":2:"), HasSubstr("clusters")));
}

TEST_F(KubeconfigTest, DuplicateNameInOneFileRejected) {
  auto path = dir_.write("config", simpleConfig("    token: t\n") +
                                       "- name: main\n  context:\n    cluster: c1\n    user: u1\n");
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(), HasSubstr("\"main\""));
}

TEST_F(KubeconfigTest, AuthProviderRejected) {
  auto path = dir_.write("config", simpleConfig("    auth-provider:\n      name: gcp\n"
                                                "      config:\n        access-token: xyz\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(),
              AllOf(HasSubstr("auth-provider"), HasSubstr("gcp"), HasSubstr("exec")));
}

TEST_F(KubeconfigTest, DescribeShowsServerAndNoSecret) {
  auto path =
      dir_.write("config", simpleConfig("    token: supersecrettoken\n"
                                        "    username: admin\n    password: hunter2pw\n"
                                        "    client-certificate-data: " +
                                            base64(kCertPem) + "\n" +
                                            "    client-key-data: " + base64(kKeyPem) + "\n",
                                        "    proxy-url: http://bob:proxypass@proxy:3128\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.isOk()) << config.status();
  std::string line = config->describe();
  EXPECT_THAT(line, AllOf(HasSubstr("https://api.example.com:6443"), HasSubstr("main"),
                          HasSubstr("token"), HasSubstr("client-cert"), HasSubstr("basic")));
  for (std::string secret : {"supersecrettoken", "supe", "hunter2pw", "SECRETKEY", "proxypass"}) {
    EXPECT_THAT(line, Not(HasSubstr(secret)));
  }
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST_F(KubeconfigTest, DescribeShowsExecCommandOnly) {
  auto path =
      dir_.write("config", simpleConfig("    exec:\n"
                                        "      apiVersion: client.authentication.k8s.io/v1\n"
                                        "      command: gke-auth\n"
                                        "      args: [--secret=xyzzy]\n"
                                        "      interactiveMode: Never\n"));
  auto config = loadKubeconfig(optionsFor(path));
  ASSERT_TRUE(config.isOk()) << config.status();
  EXPECT_THAT(config->describe(), AllOf(HasSubstr("exec gke-auth"), Not(HasSubstr("xyzzy"))));
}

class InClusterTest : public ::testing::Test {
 protected:
  InClusterPaths paths(bool with_files = true) const {
    InClusterPaths p;
    p.tokenFile = (dir_.path() / "sa/token").string();
    p.caFile = (dir_.path() / "sa/ca.crt").string();
    p.namespaceFile = (dir_.path() / "sa/namespace").string();
    if (with_files) {
      dir_.write("sa/token", "sa-token");
      dir_.write("sa/ca.crt", kCaPem);
      dir_.write("sa/namespace", "rollouts\n");
    }
    return p;
  }

  TempDir dir_;
};

TEST_F(InClusterTest, LoadsFromEnvAndFiles) {
  std::map<std::string, std::string> env = {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                                            {"KUBERNETES_SERVICE_PORT", "443"}};
  auto p = paths();
  auto config = loadInClusterConfig(p, &env);
  ASSERT_TRUE(config.isOk()) << config.status();
  EXPECT_EQ(config->server, "https://10.96.0.1:443");
  EXPECT_EQ(config->bearerTokenFile, p.tokenFile);
  EXPECT_TRUE(config->bearerToken.empty());
  EXPECT_EQ(config->caData, kCaPem);
  EXPECT_EQ(config->defaultNamespace, "rollouts");
}

TEST_F(InClusterTest, Ipv6HostBracketed) {
  std::map<std::string, std::string> env = {{"KUBERNETES_SERVICE_HOST", "fd00::1"},
                                            {"KUBERNETES_SERVICE_PORT", "6443"}};
  auto config = loadInClusterConfig(paths(), &env);
  ASSERT_TRUE(config.isOk()) << config.status();
  EXPECT_EQ(config->server, "https://[fd00::1]:6443");
}

TEST_F(InClusterTest, MissingEnvIsNotFound) {
  std::map<std::string, std::string> env = {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}};
  auto config = loadInClusterConfig(paths(), &env);
  ASSERT_TRUE(config.status().is(StatusCode::kNotFound)) << config.status();
  EXPECT_THAT(config.status().message(), HasSubstr("KUBERNETES_SERVICE_PORT"));
}

TEST_F(InClusterTest, MissingTokenFileIsInvalid) {
  std::map<std::string, std::string> env = {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                                            {"KUBERNETES_SERVICE_PORT", "443"}};
  auto p = paths(false);
  auto config = loadInClusterConfig(p, &env);
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(), HasSubstr(p.tokenFile));
}

TEST_F(InClusterTest, NamespaceDefaultsWithoutFile) {
  std::map<std::string, std::string> env = {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                                            {"KUBERNETES_SERVICE_PORT", "443"}};
  auto p = paths(false);
  dir_.write("sa/token", "sa-token");
  auto config = loadInClusterConfig(p, &env);
  ASSERT_TRUE(config.isOk()) << config.status();
  EXPECT_EQ(config->defaultNamespace, "default");
  EXPECT_TRUE(config->caData.empty());
}

TEST_F(InClusterTest, DescribeHasNoToken) {
  std::map<std::string, std::string> env = {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                                            {"KUBERNETES_SERVICE_PORT", "443"}};
  auto config = loadInClusterConfig(paths(), &env);
  ASSERT_TRUE(config.isOk()) << config.status();
  EXPECT_THAT(config->describe(), AllOf(HasSubstr("https://10.96.0.1:443"), HasSubstr("tokenFile"),
                                        Not(HasSubstr("sa-token"))));
}

class KubeconfigDefaultTest : public KubeconfigTest {};

TEST_F(KubeconfigDefaultTest, PrefersKubeconfig) {
  dir_.write("home/.kube/config", simpleConfig("    token: t\n"));
  auto config = loadDefaultConfig(optionsWithEnv({{"HOME", (dir_.path() / "home").string()},
                                                  {"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
                                                  {"KUBERNETES_SERVICE_PORT", "443"}}));
  ASSERT_TRUE(config.isOk()) << config.status();
  EXPECT_EQ(config->server, "https://api.example.com:6443");
}

TEST_F(KubeconfigDefaultTest, FallsBackToInCluster) {
  auto options = optionsWithEnv({{"HOME", (dir_.path() / "home").string()},
                                 {"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
                                 {"KUBERNETES_SERVICE_PORT", "8443"}});
  options.inClusterPaths.tokenFile = dir_.write("sa/token", "sa-token");
  options.inClusterPaths.caFile = dir_.write("sa/ca.crt", kCaPem);
  options.inClusterPaths.namespaceFile = dir_.write("sa/namespace", "team-a");
  auto config = loadDefaultConfig(options);
  ASSERT_TRUE(config.isOk()) << config.status();
  EXPECT_EQ(config->server, "https://10.0.0.1:8443");
  EXPECT_EQ(config->bearerTokenFile, options.inClusterPaths.tokenFile);
  EXPECT_EQ(config->defaultNamespace, "team-a");
}

TEST_F(KubeconfigDefaultTest, FallbackToInClusterReportsAMissingTokenFile) {
  auto options = optionsWithEnv({{"HOME", (dir_.path() / "home").string()},
                                 {"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
                                 {"KUBERNETES_SERVICE_PORT", "8443"}});
  options.inClusterPaths.tokenFile = (dir_.path() / "sa/absent-token").string();
  auto config = loadDefaultConfig(options);
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(), HasSubstr("absent-token"));
}

TEST_F(KubeconfigDefaultTest, EmptyKubeconfigFallsBackToInCluster) {
  dir_.write("home/.kube/config", "");
  auto config = loadDefaultConfig(optionsWithEnv({{"HOME", (dir_.path() / "home").string()}}));
  ASSERT_TRUE(config.status().is(StatusCode::kNotFound)) << config.status();
  EXPECT_THAT(config.status().message(),
              AllOf(HasSubstr("contains no configuration"), HasSubstr("KUBERNETES_SERVICE_HOST")));
}

TEST_F(KubeconfigDefaultTest, NeitherIsNotFoundListingWhatWasTried) {
  std::string missing = (dir_.path() / "missing").string();
  auto config = loadDefaultConfig(optionsWithEnv({{"KUBECONFIG", missing}}));
  ASSERT_TRUE(config.status().is(StatusCode::kNotFound)) << config.status();
  EXPECT_THAT(config.status().message(),
              AllOf(HasSubstr(missing), HasSubstr("KUBERNETES_SERVICE_HOST")));
}

TEST_F(KubeconfigDefaultTest, ExplicitMissingPathDoesNotFallBack) {
  auto options = optionsFor((dir_.path() / "missing").string());
  options.env["KUBERNETES_SERVICE_HOST"] = "10.0.0.1";
  options.env["KUBERNETES_SERVICE_PORT"] = "443";
  auto config = loadDefaultConfig(options);
  ASSERT_TRUE(config.status().is(StatusCode::kInvalid)) << config.status();
  EXPECT_THAT(config.status().message(), HasSubstr("does not exist"));
}

}  // namespace
}  // namespace serin::kube
