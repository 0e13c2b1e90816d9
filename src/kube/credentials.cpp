// CredentialSource implementations: static token, rotating token file, exec plugin, basic.
//
// Exec plugins follow the client.authentication.k8s.io ExecCredential protocol (v1 and
// v1beta1): the command gets KUBERNETES_EXEC_INFO (an ExecCredential with spec only) in its
// environment and prints an ExecCredential with status.token or a client certificate, and
// optionally status.expirationTimestamp. The result is cached until that time (or until
// invalidate() after a 401). The plugin runs through posix_spawnp with its stdin on
// /dev/null (Serin is never interactive), stdout and stderr on pipes, and a hard timeout.
//
// No secret ever enters a Status message: errors name the file or the command, never the
// token or the plugin's stdout.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "serin/kube/config.h"
#include "serin/util/base64.h"
#include "serin/util/time.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace serin::kube {
namespace {

using Credentials = CredentialSource::Credentials;
using TimePoint = util::Clock::TimePoint;

constexpr auto kExecTimeout = std::chrono::seconds(60);
constexpr std::size_t kMaxPluginOutput = 4 * 1024 * 1024;
constexpr std::size_t kStderrInMessage = 512;

Credentials tokenCredentials(std::string token) {
  Credentials c;
  c.bearerToken = std::move(token);
  return c;
}

std::string trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

class StaticSource final : public CredentialSource {
 public:
  explicit StaticSource(Credentials creds) : creds_(std::move(creds)) {}
  StatusOr<Credentials> get() override { return creds_; }
  void invalidate() override {}

 private:
  const Credentials creds_;
};

// Re-reads the token file when its modification time or size changes, or after a 401.
// A file that becomes unreadable keeps the last good token (the kubelet replaces the file
// atomically, but a reader can still race with it).
class TokenFileSource final : public CredentialSource {
 public:
  explicit TokenFileSource(std::string path) : path_(std::move(path)) {}

  StatusOr<Credentials> get() override {
    std::lock_guard lock(mu_);
    struct stat st {};
    bool have_stat = ::stat(path_.c_str(), &st) == 0;
    bool changed = !have_stat || stale_ || st.st_mtim.tv_sec != mtime_.tv_sec ||
                   st.st_mtim.tv_nsec != mtime_.tv_nsec || st.st_size != size_;
    if (!changed && !token_.empty()) return tokenCredentials(token_);
    std::ifstream in(path_, std::ios::binary);
    std::stringstream content;
    if (in && (content << in.rdbuf())) {
      token_ = trim(content.str());
      stale_ = false;
      if (have_stat) {
        mtime_ = st.st_mtim;
        size_ = st.st_size;
      }
    } else if (token_.empty()) {
      return unauthorizedError("cannot read token file " + path_ + ": " + std::strerror(errno));
    }
    if (token_.empty()) return unauthorizedError("token file " + path_ + " is empty");
    return tokenCredentials(token_);
  }

  void invalidate() override {
    std::lock_guard lock(mu_);
    stale_ = true;
  }

 private:
  const std::string path_;
  std::mutex mu_;
  std::string token_;
  timespec mtime_{};
  off_t size_ = -1;
  bool stale_ = false;
};

struct ProcessResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};

// Reads stdout and stderr until both close or the deadline passes.
Status drainPipes(int out_fd, int err_fd, ProcessResult& result, const std::string& command) {
  auto deadline = std::chrono::steady_clock::now() + kExecTimeout;
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  char buf[8192];
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return deadlineExceededError("exec plugin \"" + command + "\" timed out");
    }
    int n = ::poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return internalError("poll: " + std::string(std::strerror(errno)));
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t got = ::read(fds[i].fd, buf, sizeof(buf));
      if (got > 0) {
        if (sinks[i]->size() < kMaxPluginOutput) sinks[i]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  return Status::ok();
}

// Runs `argv` with `env` (full environment), capturing output. The error names the command.
StatusOr<ProcessResult> runProcess(const std::vector<std::string>& argv,
                                   const std::vector<std::string>& env) {
  const std::string& command = argv.front();
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return internalError("pipe failed");
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return internalError("pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);

  std::vector<char*> c_argv, c_env;
  for (const auto& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
  c_argv.push_back(nullptr);
  for (const auto& e : env) c_env.push_back(const_cast<char*>(e.c_str()));
  c_env.push_back(nullptr);

  pid_t pid = 0;
  int rc = posix_spawnp(&pid, command.c_str(), &actions, nullptr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    return unavailableError("exec plugin \"" + command +
                            "\" could not be started: " + std::strerror(rc));
  }
  ProcessResult result;
  Status drained = drainPipes(out_pipe[0], err_pipe[0], result, command);
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  if (!drained.isOk()) ::kill(pid, SIGKILL);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  RETURN_IF_ERROR(drained);
  result.exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  return result;
}

class ExecSource final : public CredentialSource {
 public:
  ExecSource(const RestConfig& config, util::Clock& clock)
      : exec_(*config.exec), clock_(clock), exec_info_(execInfo(config)) {}

  StatusOr<Credentials> get() override {
    std::lock_guard lock(mu_);
    if (cached_ && (!expiry_ || clock_.now() < *expiry_)) return *cached_;
    ASSIGN_OR_RETURN(ProcessResult result, runProcess(argv(), environment()));
    if (result.exit_code != 0) {
      std::string err = trim(result.err.substr(0, kStderrInMessage));
      return unauthorizedError("exec plugin \"" + exec_.command + "\" failed with exit code " +
                               std::to_string(result.exit_code) + (err.empty() ? "" : ": " + err));
    }
    RETURN_IF_ERROR(parse(result.out));
    return *cached_;
  }

  void invalidate() override {
    std::lock_guard lock(mu_);
    cached_.reset();
    expiry_.reset();
  }

 private:
  static std::string execInfo(const RestConfig& config) {
    const ExecConfig& exec = *config.exec;
    std::string api_version =
        exec.apiVersion.empty() ? "client.authentication.k8s.io/v1" : exec.apiVersion;
    nlohmann::json spec = {{"interactive", false}};
    if (exec.provideClusterInfo) {
      nlohmann::json cluster = {{"server", config.server}};
      if (!config.tlsServerName.empty()) cluster["tls-server-name"] = config.tlsServerName;
      if (config.insecureSkipTlsVerify) cluster["insecure-skip-tls-verify"] = true;
      if (!config.caData.empty()) {
        cluster["certificate-authority-data"] = util::base64Encode(config.caData);
      }
      if (!config.proxyUrl.empty()) cluster["proxy-url"] = config.proxyUrl;
      spec["cluster"] = std::move(cluster);
    }
    return nlohmann::json{{"apiVersion", api_version}, {"kind", "ExecCredential"}, {"spec", spec}}
        .dump();
  }

  std::vector<std::string> argv() const {
    std::vector<std::string> out{exec_.command};
    out.insert(out.end(), exec_.args.begin(), exec_.args.end());
    return out;
  }

  std::vector<std::string> environment() const {
    std::vector<std::string> out;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) out.emplace_back(*e);
    for (const auto& [name, value] : exec_.env) out.push_back(name + "=" + value);
    out.push_back("KUBERNETES_EXEC_INFO=" + exec_info_);
    return out;
  }

  Status parse(const std::string& out) {
    const std::string what = "exec plugin \"" + exec_.command + "\"";
    nlohmann::json doc = nlohmann::json::parse(out, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
      return invalidError(what + " did not print a JSON ExecCredential");
    }
    if (doc.value("kind", "") != "ExecCredential") {
      return invalidError(what + " printed kind \"" + doc.value("kind", "") +
                          "\", want ExecCredential");
    }
    std::string api_version = doc.value("apiVersion", "");
    if (!exec_.apiVersion.empty() && api_version != exec_.apiVersion) {
      return invalidError(what + " printed apiVersion \"" + api_version + "\", want \"" +
                          exec_.apiVersion + "\"");
    }
    auto status = doc.find("status");
    if (status == doc.end() || !status->is_object()) {
      return invalidError(what + " printed an ExecCredential without status");
    }
    Credentials creds;
    creds.bearerToken = status->value("token", "");
    creds.clientCertData = status->value("clientCertificateData", "");
    creds.clientKeyData = status->value("clientKeyData", "");
    if (creds.bearerToken.empty() &&
        (creds.clientCertData.empty() || creds.clientKeyData.empty())) {
      return invalidError(what +
                          " printed neither status.token nor clientCertificateData and "
                          "clientKeyData");
    }
    std::optional<TimePoint> expiry;
    if (std::string ts = status->value("expirationTimestamp", ""); !ts.empty()) {
      auto parsed = util::parseRfc3339(ts);
      if (parsed.isOk()) expiry = *parsed;
      if (!expiry) {
        return invalidError(what + " printed an invalid expirationTimestamp \"" + ts + "\"");
      }
    }
    cached_ = std::move(creds);
    expiry_ = expiry;
    return Status::ok();
  }

  const ExecConfig exec_;
  util::Clock& clock_;
  const std::string exec_info_;
  std::mutex mu_;  // held while the plugin runs: concurrent callers share one run
  std::optional<Credentials> cached_;
  std::optional<TimePoint> expiry_;
};

}  // namespace

std::shared_ptr<CredentialSource> makeCredentialSource(const RestConfig& config,
                                                       util::Clock& clock) {
  if (!config.bearerToken.empty()) {
    return std::make_shared<StaticSource>(tokenCredentials(config.bearerToken));
  }
  if (!config.bearerTokenFile.empty()) {
    return std::make_shared<TokenFileSource>(config.bearerTokenFile);
  }
  if (config.exec && !config.exec->command.empty()) {
    return std::make_shared<ExecSource>(config, clock);
  }
  Credentials basic;
  basic.username = config.username;
  basic.password = config.password;
  return std::make_shared<StaticSource>(std::move(basic));
}

}  // namespace serin::kube
