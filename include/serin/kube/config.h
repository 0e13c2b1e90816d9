// RestConfig: everything needed to talk to one Kubernetes API server, and the loaders that
// build it exactly as kubectl does (kubeconfig files, explicit context, in-cluster).
//
// Loading is pure (files and environment in, a RestConfig out); credentials that change over
// time (token files, exec plugins) are resolved lazily by the client through
// `CredentialSource`, so a rotated token is picked up without rebuilding the client.
//
// Secrets (tokens, passwords, keys) must never be logged: RestConfig::describe() redacts them.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "serin/util/clock.h"
#include "serin/util/status.h"

namespace serin::kube {

// users[].user.exec of a kubeconfig.
struct ExecConfig {
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::string apiVersion;  // client.authentication.k8s.io/v1 or v1beta1
  bool provideClusterInfo = false;
  std::string interactiveMode;  // Never | IfAvailable | Always; Serin never has a TTY
};

struct RestConfig {
  std::string server;  // https://127.0.0.1:6443 (no trailing slash)
  std::string tlsServerName;
  bool insecureSkipTlsVerify = false;
  std::string caData;  // PEM, from certificate-authority-data or the file's content
  std::string caFile;  // kept for messages; caData holds the content
  std::string proxyUrl;

  // Authentication: at most one of these is used, in kubectl's order of precedence:
  // client certificate (alongside any other), token, tokenFile, exec, basic.
  std::string clientCertData;  // PEM
  std::string clientKeyData;   // PEM
  std::string bearerToken;
  std::string bearerTokenFile;  // re-read when it changes (service-account rotation)
  std::optional<ExecConfig> exec;
  std::string username;
  std::string password;

  // Client behaviour.
  double qps = 50;  // sustained requests per second; <= 0 disables limiting
  int burst = 100;  // bucket size
  std::chrono::milliseconds timeout{30'000};  // per non-watch request
  std::string userAgent;                      // default "serin/<version>"
  std::string contextName;                    // the context it came from, for messages
  std::string defaultNamespace = "default";   // the context's namespace

  // One line for logs, with every secret redacted.
  std::string describe() const;
};

// Where the service-account files are mounted in a pod.
struct InClusterPaths {
  std::string tokenFile = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string caFile = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::string namespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
};

struct KubeconfigOptions {
  // Explicit file (--kubeconfig). Empty: KUBECONFIG (several files, ':' separated, merged
  // with the first file's value winning), then ~/.kube/config.
  std::string path;
  std::string context;  // --context; empty means current-context
  // Environment lookups are injectable for tests: with useProcessEnv false, `env` is the
  // whole environment; otherwise getenv is used.
  std::map<std::string, std::string> env;
  bool useProcessEnv = true;
  // Where loadDefaultConfig looks for the service-account files (tests point it elsewhere).
  InClusterPaths inClusterPaths;
};

// Loads a kubeconfig as kubectl does. NotFound when no file exists; Invalid with the file
// and field when it cannot be used (unknown context, missing cluster, unreadable cert file).
StatusOr<RestConfig> loadKubeconfig(const KubeconfigOptions& options);

// In-cluster config: KUBERNETES_SERVICE_HOST/PORT, the service-account token file (re-read on
// rotation) and CA. NotFound when not running in a pod.
StatusOr<RestConfig> loadInClusterConfig(const InClusterPaths& paths = {},
                                         const std::map<std::string, std::string>* env = nullptr);

// kubeconfig first (explicit path, KUBECONFIG, ~/.kube/config), then in-cluster.
StatusOr<RestConfig> loadDefaultConfig(const KubeconfigOptions& options);

// Produces the credentials for each request. The client asks before every request and calls
// invalidate() after a 401 so that exec plugins are re-run and token files re-read.
// Thread-safe.
class CredentialSource {
 public:
  struct Credentials {
    std::string bearerToken;                    // "Authorization: Bearer ..."
    std::string username, password;             // basic auth
    std::string clientCertData, clientKeyData;  // from an exec plugin's status
  };
  virtual ~CredentialSource() = default;
  virtual StatusOr<Credentials> get() = 0;
  virtual void invalidate() = 0;
};

// The credential source a RestConfig implies: static token, token file (re-read when its
// modification time changes), exec plugin (cached until expirationTimestamp) or basic auth.
std::shared_ptr<CredentialSource> makeCredentialSource(const RestConfig& config,
                                                       util::Clock& clock = util::realClock());

}  // namespace serin::kube
