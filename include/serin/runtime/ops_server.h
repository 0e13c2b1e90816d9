// OpsServer: the controller's operational HTTP endpoint (/metrics, /healthz, /readyz).
//
// Kubernetes probes decide whether to restart the pod (liveness) and whether to count it as
// ready (readiness); Prometheus scrapes metrics. All three share one small server on
// util::HttpServer:
//   GET /metrics  the registry in Prometheus text format (version 0.0.4)
//   GET /healthz  200 "ok" while every liveness check passes, else 500 listing the failures
//   GET /readyz   200 "ok" once every readiness check passes, else 503 listing the failures
// Checks are named functions registered by components (e.g. "informers-synced"); a check
// returns OK or an error whose message explains what is missing. `?verbose` lists each check.
//
// Threading: requests are served on the HTTP server's threads; checks run there and must be
// thread-safe and quick. add*Check() may be called from any thread at any time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "serin/runtime/metrics.h"
#include "serin/util/http_server.h"
#include "serin/util/status.h"

namespace serin::runtime {

using HealthCheck = std::function<Status()>;

struct OpsServerOptions {
  // Loopback by default; in a cluster the Deployment passes 0.0.0.0 so the kubelet's probes
  // and Prometheus reach it.
  std::string address = "127.0.0.1";
  uint16_t port = 8090;             // 0 picks a free port (tests)
};

class OpsServer {
 public:
  // Binds and starts serving. `metrics` must outlive the server. Unavailable when the port
  // cannot be bound.
  static StatusOr<std::unique_ptr<OpsServer>> start(const OpsServerOptions& options,
                                                    RuntimeMetrics& metrics);
  ~OpsServer();
  OpsServer(const OpsServer&) = delete;
  OpsServer& operator=(const OpsServer&) = delete;

  void addReadinessCheck(std::string name, HealthCheck check);
  void addLivenessCheck(std::string name, HealthCheck check);

  uint16_t port() const;
  std::string url() const;
  // Stops serving; idempotent.
  void stop();

  // Answers one request as the server would (also used directly by tests).
  util::HttpResponse handle(const util::HttpRequest& request);

 private:
  explicit OpsServer(RuntimeMetrics& metrics) : metrics_(metrics) {}
  util::HttpResponse runChecks(const std::vector<std::pair<std::string, HealthCheck>>& checks,
                               int failure_status, bool verbose) const;

  RuntimeMetrics& metrics_;
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, HealthCheck>> readiness_;
  std::vector<std::pair<std::string, HealthCheck>> liveness_;
  std::unique_ptr<util::HttpServer> server_;
};

}  // namespace serin::runtime
