// Kubeconfig and in-cluster loading, following kubectl's (client-go clientcmd) rules:
// file selection (--kubeconfig, KUBECONFIG, ~/.kube/config), merging (the first file to set a
// map entry or current-context wins, entries are never merged field by field), relative paths
// resolved against the directory of the file that defined the entry, and the same validation
// of the selected context, cluster and user.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "serin/kube/config.h"
#include "serin/util/base64.h"

namespace serin::kube {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kDefaultNamespace = "default";
constexpr char kKubeconfigEnv[] = "KUBECONFIG";
constexpr char kServiceHostEnv[] = "KUBERNETES_SERVICE_HOST";
constexpr char kServicePortEnv[] = "KUBERNETES_SERVICE_PORT";
constexpr char kPodNamespaceEnv[] = "POD_NAMESPACE";
constexpr std::string_view kExecApiV1 = "client.authentication.k8s.io/v1";
constexpr size_t kMaxLabelLength = 63;

// Environment lookups: the injected map in tests, else the process environment. An empty
// value counts as unset, as in client-go.
class Env {
 public:
  explicit Env(const std::map<std::string, std::string>* fake) : fake_(fake) {}

  std::string get(const std::string& name) const {
    if (fake_ != nullptr) {
      auto it = fake_->find(name);
      return it == fake_->end() ? std::string() : it->second;
    }
    const char* value = std::getenv(name.c_str());
    return value == nullptr ? std::string() : std::string(value);
  }

 private:
  const std::map<std::string, std::string>* fake_;
};

std::string quote(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string errnoText(int err) { return std::generic_category().message(err); }

// The whole file, or the OS error text (kept apart so callers can name the field).
std::optional<std::string> readFile(const std::string& path, std::string& error) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    error = errnoText(errno);
    return std::nullopt;
  }
  std::string content;
  char buffer[8192];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) content.append(buffer, n);
  // fopen succeeds on a directory; the read is what fails (EISDIR).
  bool failed = std::ferror(file) != 0;
  int read_errno = errno;
  std::fclose(file);
  if (failed) {
    error = errnoText(read_errno);
    return std::nullopt;
  }
  return content;
}

// kubectl resolves a relative path against the absolute directory of the defining file.
std::string resolvePath(const fs::path& base_dir, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (base_dir / path).lexically_normal().string();
}

bool isDnsLabel(std::string_view name) {
  if (name.empty() || name.size() > kMaxLabelLength) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  for (char c : name) {
    if (!alnum(c) && c != '-') return false;
  }
  return alnum(name.front()) && alnum(name.back());
}

// Drops "user:password@" from a URL so that describe() never shows proxy credentials.
std::string withoutUserInfo(const std::string& url) {
  auto scheme_end = url.find("://");
  size_t authority = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  auto at = url.find('@', authority);
  auto slash = url.find('/', authority);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return url;
  return url.substr(0, authority) + url.substr(at + 1);
}

struct ClusterEntry {
  std::string origin;  // the file that defined it
  std::string server;
  std::string caFile;  // resolved
  std::string caData;  // decoded
  std::string tlsServerName;
  std::string proxyUrl;
  bool insecure = false;
};

struct UserEntry {
  std::string origin;
  std::string token;
  std::string tokenFile;  // resolved
  std::string clientCertFile;
  std::string clientKeyFile;
  std::string clientCertData;
  std::string clientKeyData;
  std::string username;
  std::string password;
  std::optional<ExecConfig> exec;
  std::optional<std::string> authProvider;  // its name; present means unsupported
};

struct ContextEntry {
  std::string origin;
  std::string cluster;
  std::string user;
  std::string ns;
};

struct MergedConfig {
  std::vector<std::string> files;
  std::string currentContext;
  std::map<std::string, ClusterEntry> clusters;
  std::map<std::string, UserEntry> users;
  std::map<std::string, ContextEntry> contexts;

  bool empty() const {
    return currentContext.empty() && clusters.empty() && users.empty() && contexts.empty();
  }
  std::string fileList() const {
    std::string out;
    for (const auto& file : files) out += (out.empty() ? "" : ", ") + file;
    return out;
  }
};

// Parses one kubeconfig file. Every error names the file, the line and the field path.
class FileParser {
 public:
  explicit FileParser(std::string path) : path_(std::move(path)) {
    std::error_code ec;
    base_dir_ = fs::absolute(fs::path(path_), ec).parent_path();
    if (ec) base_dir_ = fs::path(path_).parent_path();
  }

  Status parse(const std::string& text, MergedConfig& out) {
    try {
      return parseRoot(YAML::Load(text), out);
    } catch (const YAML::Exception& e) {
      return invalidError("invalid kubeconfig " + path_ + ":" + std::to_string(e.mark.line + 1) +
                          ": " + e.msg);
    } catch (const std::exception& e) {
      return invalidError("invalid kubeconfig " + path_ + ": " + e.what());
    }
  }

 private:
  Status error(const YAML::Node& node, const std::string& field, std::string_view problem) const {
    return invalidError("invalid kubeconfig " + path_ + ":" + std::to_string(node.Mark().line + 1) +
                        ": " + field + " " + std::string(problem));
  }

  static bool present(const YAML::Node& node) { return node.IsDefined() && !node.IsNull(); }

  StatusOr<std::string> scalar(const YAML::Node& parent, const char* key,
                               const std::string& prefix) const {
    YAML::Node node = parent[key];
    if (!present(node)) return std::string();
    if (!node.IsScalar()) return error(node, prefix + key, "must be a string");
    return node.Scalar();
  }

  StatusOr<bool> boolean(const YAML::Node& parent, const char* key,
                         const std::string& prefix) const {
    ASSIGN_OR_RETURN(std::string text, scalar(parent, key, prefix));
    static const std::set<std::string> kTrue = {"true", "True", "TRUE", "yes", "Yes", "YES",
                                                "on",   "On",   "ON",   "y",   "Y"};
    static const std::set<std::string> kFalse = {"",   "false", "False", "FALSE", "no", "No",
                                                 "NO", "off",   "Off",   "OFF",   "n",  "N"};
    if (kTrue.contains(text)) return true;
    if (kFalse.contains(text)) return false;
    return error(parent[key], prefix + key, "must be a boolean, got " + quote(text));
  }

  StatusOr<std::string> base64Field(const YAML::Node& parent, const char* key,
                                    const std::string& prefix) const {
    ASSIGN_OR_RETURN(std::string encoded, scalar(parent, key, prefix));
    auto decoded = util::base64Decode(encoded);
    if (!decoded) return error(parent[key], prefix + key, "is not valid base64");
    return *std::move(decoded);
  }

  StatusOr<std::string> pathField(const YAML::Node& parent, const char* key,
                                  const std::string& prefix) const {
    ASSIGN_OR_RETURN(std::string path, scalar(parent, key, prefix));
    return resolvePath(base_dir_, path);
  }

  Status parseRoot(const YAML::Node& root, MergedConfig& out) {
    if (!present(root)) return Status::ok();  // an empty file is an empty config
    if (!root.IsMap()) return error(root, "the document", "must be a mapping");
    ASSIGN_OR_RETURN(std::string current, scalar(root, "current-context", ""));
    if (out.currentContext.empty()) out.currentContext = current;
    RETURN_IF_ERROR(parseList<ClusterEntry>(root, "clusters", "cluster", out.clusters,
                                            &FileParser::parseCluster));
    RETURN_IF_ERROR(parseList<UserEntry>(root, "users", "user", out.users, &FileParser::parseUser));
    return parseList<ContextEntry>(root, "contexts", "context", out.contexts,
                                   &FileParser::parseContext);
  }

  // Named lists become maps; a name repeated within one file is an error (as in client-go), a
  // name already set by an earlier file keeps the earlier entry whole.
  template <typename Entry>
  Status parseList(const YAML::Node& root, const char* list_key, const char* body_key,
                   std::map<std::string, Entry>& out,
                   StatusOr<Entry> (FileParser::*parse_body)(const YAML::Node&, const std::string&)
                       const) const {
    YAML::Node list = root[list_key];
    if (!present(list)) return Status::ok();
    if (!list.IsSequence()) return error(list, list_key, "must be a list");
    std::set<std::string> seen;
    for (size_t i = 0; i < list.size(); ++i) {
      std::string item_path = std::string(list_key) + "[" + std::to_string(i) + "]";
      const YAML::Node item = list[i];
      if (!item.IsMap()) return error(item, item_path, "must be a mapping");
      ASSIGN_OR_RETURN(std::string name, scalar(item, "name", item_path + "."));
      if (!seen.insert(name).second) {
        return error(item, item_path, "repeats the name " + quote(name));
      }
      YAML::Node body = item[body_key];
      std::string body_path = item_path + "." + body_key;
      if (present(body) && !body.IsMap()) return error(body, body_path, "must be a mapping");
      ASSIGN_OR_RETURN(Entry entry, (this->*parse_body)(body, body_path + "."));
      entry.origin = path_;
      out.emplace(name, std::move(entry));
    }
    return Status::ok();
  }

  StatusOr<ClusterEntry> parseCluster(const YAML::Node& body, const std::string& prefix) const {
    ClusterEntry c;
    if (!present(body)) return c;
    ASSIGN_OR_RETURN(c.server, scalar(body, "server", prefix));
    ASSIGN_OR_RETURN(c.caFile, pathField(body, "certificate-authority", prefix));
    ASSIGN_OR_RETURN(c.caData, base64Field(body, "certificate-authority-data", prefix));
    ASSIGN_OR_RETURN(c.insecure, boolean(body, "insecure-skip-tls-verify", prefix));
    ASSIGN_OR_RETURN(c.tlsServerName, scalar(body, "tls-server-name", prefix));
    ASSIGN_OR_RETURN(c.proxyUrl, scalar(body, "proxy-url", prefix));
    while (c.server.size() > 1 && c.server.back() == '/') c.server.pop_back();
    return c;
  }

  StatusOr<UserEntry> parseUser(const YAML::Node& body, const std::string& prefix) const {
    UserEntry u;
    if (!present(body)) return u;
    ASSIGN_OR_RETURN(u.token, scalar(body, "token", prefix));
    ASSIGN_OR_RETURN(u.tokenFile, pathField(body, "tokenFile", prefix));
    ASSIGN_OR_RETURN(u.clientCertFile, pathField(body, "client-certificate", prefix));
    ASSIGN_OR_RETURN(u.clientKeyFile, pathField(body, "client-key", prefix));
    ASSIGN_OR_RETURN(u.clientCertData, base64Field(body, "client-certificate-data", prefix));
    ASSIGN_OR_RETURN(u.clientKeyData, base64Field(body, "client-key-data", prefix));
    ASSIGN_OR_RETURN(u.username, scalar(body, "username", prefix));
    ASSIGN_OR_RETURN(u.password, scalar(body, "password", prefix));
    if (YAML::Node provider = body["auth-provider"]; present(provider)) {
      std::string name;
      if (provider.IsMap()) {
        ASSIGN_OR_RETURN(name, scalar(provider, "name", prefix + "auth-provider."));
      }
      u.authProvider = name;
    }
    if (YAML::Node exec = body["exec"]; present(exec)) {
      if (!exec.IsMap()) return error(exec, prefix + "exec", "must be a mapping");
      ASSIGN_OR_RETURN(u.exec, parseExec(exec, prefix + "exec."));
    }
    return u;
  }

  StatusOr<ExecConfig> parseExec(const YAML::Node& exec, const std::string& prefix) const {
    ExecConfig e;
    ASSIGN_OR_RETURN(e.command, scalar(exec, "command", prefix));
    // A command with a path separator is relative to the kubeconfig; a bare name uses PATH.
    if (e.command.find('/') != std::string::npos) e.command = resolvePath(base_dir_, e.command);
    ASSIGN_OR_RETURN(e.apiVersion, scalar(exec, "apiVersion", prefix));
    ASSIGN_OR_RETURN(e.provideClusterInfo, boolean(exec, "provideClusterInfo", prefix));
    ASSIGN_OR_RETURN(e.interactiveMode, scalar(exec, "interactiveMode", prefix));
    if (YAML::Node args = exec["args"]; present(args)) {
      if (!args.IsSequence()) return error(args, prefix + "args", "must be a list");
      for (size_t i = 0; i < args.size(); ++i) {
        if (!args[i].IsScalar()) {
          return error(args[i], prefix + "args[" + std::to_string(i) + "]", "must be a string");
        }
        e.args.push_back(args[i].Scalar());
      }
    }
    if (YAML::Node env = exec["env"]; present(env)) {
      if (!env.IsSequence()) return error(env, prefix + "env", "must be a list");
      for (size_t i = 0; i < env.size(); ++i) {
        std::string item_path = prefix + "env[" + std::to_string(i) + "]";
        if (!env[i].IsMap()) return error(env[i], item_path, "must be a mapping");
        ASSIGN_OR_RETURN(std::string name, scalar(env[i], "name", item_path + "."));
        ASSIGN_OR_RETURN(std::string value, scalar(env[i], "value", item_path + "."));
        if (name.empty()) return error(env[i], item_path + ".name", "must not be empty");
        e.env.emplace_back(std::move(name), std::move(value));
      }
    }
    return e;
  }

  StatusOr<ContextEntry> parseContext(const YAML::Node& body, const std::string& prefix) const {
    ContextEntry c;
    if (!present(body)) return c;
    ASSIGN_OR_RETURN(c.cluster, scalar(body, "cluster", prefix));
    ASSIGN_OR_RETURN(c.user, scalar(body, "user", prefix));
    ASSIGN_OR_RETURN(c.ns, scalar(body, "namespace", prefix));
    return c;
  }

  std::string path_;
  fs::path base_dir_;
};

// The files kubectl would read, in precedence order; `tried` lists what was looked at.
StatusOr<std::vector<std::string>> selectFiles(const KubeconfigOptions& options, const Env& env,
                                               std::string& tried) {
  std::error_code ec;
  if (!options.path.empty()) {
    if (!fs::exists(options.path, ec)) {
      return invalidError("kubeconfig " + quote(options.path) + " does not exist");
    }
    return std::vector<std::string>{options.path};
  }
  std::vector<std::string> files;
  if (std::string list = env.get(kKubeconfigEnv); !list.empty()) {
    std::set<std::string> seen;
    size_t start = 0;
    while (start <= list.size()) {
      size_t end = list.find(':', start);
      if (end == std::string::npos) end = list.size();
      std::string entry = list.substr(start, end - start);
      start = end + 1;
      if (entry.empty() || !seen.insert(entry).second) continue;
      if (fs::exists(entry, ec)) files.push_back(entry);
    }
    // Like client-go, a set KUBECONFIG replaces ~/.kube/config even when no entry exists.
    tried = "KUBECONFIG=" + list;
    return files;
  }
  std::string home = env.get("HOME");
  if (home.empty()) {
    tried = "KUBECONFIG and $HOME/.kube/config (HOME is not set)";
    return files;
  }
  std::string default_path = (fs::path(home) / ".kube" / "config").string();
  tried = default_path;
  if (fs::exists(default_path, ec)) files.push_back(default_path);
  return files;
}

StatusOr<MergedConfig> loadFiles(const std::vector<std::string>& files) {
  MergedConfig merged;
  for (const auto& file : files) {
    std::string read_error;
    auto text = readFile(file, read_error);
    if (!text) return invalidError("cannot read kubeconfig " + quote(file) + ": " + read_error);
    RETURN_IF_ERROR(FileParser(file).parse(*text, merged));
    merged.files.push_back(file);
  }
  return merged;
}

// Reads a file the kubeconfig refers to; the error names the field, the entry and its file.
StatusOr<std::string> readReferenced(const std::string& path, std::string_view field,
                                     std::string_view entry) {
  std::string read_error;
  auto content = readFile(path, read_error);
  if (!content) {
    return invalidError("unable to read " + std::string(field) + " " + quote(path) + " for " +
                        std::string(entry) + ": " + read_error);
  }
  return *std::move(content);
}

Status checkProxyUrl(const std::string& url, const std::string& entry) {
  auto scheme_end = url.find("://");
  std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme == "http" || scheme == "https" || scheme == "socks5") return Status::ok();
  return invalidError("invalid proxy-url for " + entry + ": scheme " + quote(scheme) +
                      " is not http, https or socks5");
}

Status applyCluster(const std::string& name, const ClusterEntry& cluster, RestConfig& config) {
  std::string entry = "cluster " + quote(name) + " (in " + cluster.origin + ")";
  if (cluster.server.empty()) return invalidError("no server found for " + entry);
  if (!cluster.proxyUrl.empty()) RETURN_IF_ERROR(checkProxyUrl(cluster.proxyUrl, entry));
  if (cluster.insecure && (!cluster.caData.empty() || !cluster.caFile.empty())) {
    return invalidError(entry + " sets insecure-skip-tls-verify together with a certificate " +
                        "authority; specifying a root certificate with the insecure flag is " +
                        "not allowed");
  }
  config.server = cluster.server;
  config.tlsServerName = cluster.tlsServerName;
  config.insecureSkipTlsVerify = cluster.insecure;
  config.proxyUrl = cluster.proxyUrl;
  config.caFile = cluster.caFile;
  if (!cluster.caData.empty()) {
    config.caData = cluster.caData;  // data wins over the file, which is then not read
  } else if (!cluster.caFile.empty()) {
    ASSIGN_OR_RETURN(config.caData, readReferenced(cluster.caFile, "certificate-authority", entry));
  }
  return Status::ok();
}

Status validateExec(const ExecConfig& exec, const std::string& entry) {
  if (exec.command.empty()) return invalidError("exec.command must be set for " + entry);
  if (exec.apiVersion.empty()) return invalidError("exec.apiVersion must be set for " + entry);
  const std::string& mode = exec.interactiveMode;
  if (mode.empty() && exec.apiVersion == kExecApiV1) {
    return invalidError("exec.interactiveMode must be set for " + entry + " (apiVersion " +
                        std::string(kExecApiV1) + ")");
  }
  if (!mode.empty() && mode != "Never" && mode != "IfAvailable" && mode != "Always") {
    return invalidError("exec.interactiveMode " + quote(mode) + " for " + entry +
                        " is not one of Never, IfAvailable, Always");
  }
  return Status::ok();
}

Status applyClientCert(const UserEntry& user, const std::string& entry, RestConfig& config) {
  if (!user.clientCertData.empty()) {
    config.clientCertData = user.clientCertData;
  } else if (!user.clientCertFile.empty()) {
    ASSIGN_OR_RETURN(config.clientCertData,
                     readReferenced(user.clientCertFile, "client-certificate", entry));
  }
  if (!user.clientKeyData.empty()) {
    config.clientKeyData = user.clientKeyData;
  } else if (!user.clientKeyFile.empty()) {
    ASSIGN_OR_RETURN(config.clientKeyData, readReferenced(user.clientKeyFile, "client-key", entry));
  }
  if (!config.clientCertData.empty() && config.clientKeyData.empty()) {
    return invalidError("client-key-data or client-key must be set for " + entry +
                        " to use a client certificate");
  }
  if (config.clientCertData.empty() && !config.clientKeyData.empty()) {
    return invalidError("client-certificate-data or client-certificate must be set for " + entry +
                        " to use a client key");
  }
  return Status::ok();
}

Status applyUser(const std::string& name, const UserEntry& user, RestConfig& config) {
  std::string entry = "user " + quote(name) + " (in " + user.origin + ")";
  if (user.authProvider) {
    return invalidError(entry + " uses auth-provider " + quote(*user.authProvider) +
                        ", which Serin does not support; use an exec credential plugin " +
                        "(users[].user.exec) instead");
  }
  RETURN_IF_ERROR(applyClientCert(user, entry, config));
  if (!user.token.empty()) {
    config.bearerToken = user.token;
  } else if (!user.tokenFile.empty()) {
    // Read once to fail early as kubectl does; the client re-reads it on every rotation.
    RETURN_IF_ERROR(readReferenced(user.tokenFile, "tokenFile", entry).status());
    config.bearerTokenFile = user.tokenFile;
  }
  if (user.exec) {
    RETURN_IF_ERROR(validateExec(*user.exec, entry));
    config.exec = user.exec;
    // client-go defaults the mode for the beta APIs; v1 requires it to be explicit.
    if (config.exec->interactiveMode.empty()) config.exec->interactiveMode = "IfAvailable";
  }
  config.username = user.username;
  config.password = user.password;
  return Status::ok();
}

StatusOr<RestConfig> buildConfig(const MergedConfig& merged, const std::string& context_name) {
  std::string files = merged.fileList();
  auto context_it = merged.contexts.find(context_name);
  if (context_it == merged.contexts.end()) {
    return invalidError("context " + quote(context_name) + " not found in kubeconfig " + files);
  }
  const ContextEntry& context = context_it->second;
  std::string where = "context " + quote(context_name) + " (in " + context.origin + ")";
  if (context.cluster.empty()) return invalidError("no cluster set for " + where);
  if (context.user.empty()) return invalidError("no user set for " + where);
  auto cluster = merged.clusters.find(context.cluster);
  if (cluster == merged.clusters.end()) {
    return invalidError("cluster " + quote(context.cluster) + " of " + where +
                        " not found in kubeconfig " + files);
  }
  auto user = merged.users.find(context.user);
  if (user == merged.users.end()) {
    return invalidError("user " + quote(context.user) + " of " + where +
                        " not found in kubeconfig " + files);
  }
  if (!context.ns.empty() && !isDnsLabel(context.ns)) {
    return invalidError("namespace " + quote(context.ns) + " of " + where +
                        " is not a valid DNS label");
  }
  RestConfig config;
  config.contextName = context_name;
  config.defaultNamespace = context.ns.empty() ? std::string(kDefaultNamespace) : context.ns;
  RETURN_IF_ERROR(applyCluster(cluster->first, cluster->second, config));
  RETURN_IF_ERROR(applyUser(user->first, user->second, config));
  return config;
}

StatusOr<std::string> readInClusterNamespace(const InClusterPaths& paths, const Env& env) {
  if (std::string ns = env.get(kPodNamespaceEnv); !ns.empty()) return ns;
  std::string read_error;
  auto text = readFile(paths.namespaceFile, read_error);
  if (!text) return std::string(kDefaultNamespace);
  std::string ns = *text;
  auto space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (!ns.empty() && space(ns.back())) ns.pop_back();
  while (!ns.empty() && space(ns.front())) ns.erase(ns.begin());
  return ns.empty() ? std::string(kDefaultNamespace) : ns;
}

StatusOr<RestConfig> loadKubeconfigOrThrow(const KubeconfigOptions& options) {
  Env env(options.useProcessEnv ? nullptr : &options.env);
  std::string tried;
  ASSIGN_OR_RETURN(std::vector<std::string> files, selectFiles(options, env, tried));
  if (files.empty()) return notFoundError("no kubeconfig found (tried " + tried + ")");
  ASSIGN_OR_RETURN(MergedConfig merged, loadFiles(files));
  // client-go treats a config with nothing in it like no config, so in-cluster may take over.
  if (merged.empty()) {
    return notFoundError("kubeconfig " + merged.fileList() + " contains no configuration");
  }
  std::string context_name = options.context.empty() ? merged.currentContext : options.context;
  if (context_name.empty()) {
    return invalidError("no current-context is set in kubeconfig " + merged.fileList() +
                        " and no context was given");
  }
  return buildConfig(merged, context_name);
}

StatusOr<RestConfig> loadInClusterOrThrow(const InClusterPaths& paths, const Env& env) {
  std::string host = env.get(kServiceHostEnv);
  std::string port = env.get(kServicePortEnv);
  if (host.empty() || port.empty()) {
    return notFoundError(std::string("not running in a cluster (") + kServiceHostEnv + " and " +
                         kServicePortEnv + " are not set)");
  }
  std::string read_error;
  if (!readFile(paths.tokenFile, read_error)) {
    return invalidError("in-cluster config: cannot read service-account token " +
                        quote(paths.tokenFile) + ": " + read_error);
  }
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  RestConfig config;
  config.server = "https://" + host + ":" + port;
  config.bearerTokenFile = paths.tokenFile;
  // Like client-go, a missing CA bundle is not fatal: TLS then verifies against system roots.
  if (auto ca = readFile(paths.caFile, read_error)) {
    config.caData = *std::move(ca);
    config.caFile = paths.caFile;
  }
  ASSIGN_OR_RETURN(config.defaultNamespace, readInClusterNamespace(paths, env));
  return config;
}

}  // namespace

StatusOr<RestConfig> loadKubeconfig(const KubeconfigOptions& options) {
  try {
    return loadKubeconfigOrThrow(options);
  } catch (const std::exception& e) {
    return internalError(std::string("loading kubeconfig: ") + e.what());
  }
}

StatusOr<RestConfig> loadInClusterConfig(const InClusterPaths& paths,
                                         const std::map<std::string, std::string>* env) {
  try {
    return loadInClusterOrThrow(paths, Env(env));
  } catch (const std::exception& e) {
    return internalError(std::string("loading in-cluster config: ") + e.what());
  }
}

StatusOr<RestConfig> loadDefaultConfig(const KubeconfigOptions& options) {
  auto from_file = loadKubeconfig(options);
  if (from_file.isOk() || !from_file.status().is(StatusCode::kNotFound)) return from_file;
  auto in_cluster =
      loadInClusterConfig(options.inClusterPaths, options.useProcessEnv ? nullptr : &options.env);
  if (in_cluster.isOk() || !in_cluster.status().is(StatusCode::kNotFound)) return in_cluster;
  return notFoundError("no Kubernetes configuration: " + from_file.status().message() + "; " +
                       in_cluster.status().message());
}

std::string RestConfig::describe() const {
  std::string out = "server=" + withoutUserInfo(server);
  if (!contextName.empty()) out += " context=" + contextName;
  out += " namespace=" + defaultNamespace;
  std::string auth;
  auto add = [&auth](const std::string& kind) { auth += (auth.empty() ? "" : "+") + kind; };
  if (!clientCertData.empty()) add("client-cert");
  if (!bearerToken.empty()) add("token");
  if (!bearerTokenFile.empty()) add("tokenFile " + bearerTokenFile);
  if (exec) add("exec " + exec->command);
  if (!username.empty() || !password.empty()) add("basic");
  out += " auth=" + (auth.empty() ? std::string("none") : auth);
  if (!caFile.empty()) {
    out += " ca=" + caFile;
  } else if (!caData.empty()) {
    out += " ca=inline";
  }
  if (insecureSkipTlsVerify) out += " insecure-skip-tls-verify";
  if (!tlsServerName.empty()) out += " tls-server-name=" + tlsServerName;
  if (!proxyUrl.empty()) out += " proxy=" + withoutUserInfo(proxyUrl);
  return out;
}

}  // namespace serin::kube
