#include "serin/runtime/ops_server.h"

namespace serin::runtime {

StatusOr<std::unique_ptr<OpsServer>> OpsServer::start(const OpsServerOptions& options,
                                                      RuntimeMetrics& metrics) {
  std::unique_ptr<OpsServer> ops(new OpsServer(metrics));
  util::HttpServerOptions http;
  http.address = options.address;
  http.port = options.port;
  http.threads = 1;
  OpsServer* self = ops.get();
  auto server =
      util::startHttpServer(http,
                            [self](const util::HttpRequest& request,
                                   util::ResponseWriter&) -> std::optional<util::HttpResponse> {
                              return self->handle(request);
                            });
  if (!server.isOk()) return server.status().withContext("ops server");
  ops->server_ = std::move(server).value();
  return ops;
}

OpsServer::~OpsServer() { stop(); }

void OpsServer::stop() {
  if (server_) server_->stop();
}

uint16_t OpsServer::port() const { return server_ ? server_->port() : 0; }
std::string OpsServer::url() const { return server_ ? server_->url() : std::string(); }

void OpsServer::addReadinessCheck(std::string name, HealthCheck check) {
  std::lock_guard lock(mu_);
  readiness_.emplace_back(std::move(name), std::move(check));
}

void OpsServer::addLivenessCheck(std::string name, HealthCheck check) {
  std::lock_guard lock(mu_);
  liveness_.emplace_back(std::move(name), std::move(check));
}

util::HttpResponse OpsServer::runChecks(
    const std::vector<std::pair<std::string, HealthCheck>>& checks, int failure_status,
    bool verbose) const {
  std::string report;
  bool healthy = true;
  for (const auto& [name, check] : checks) {
    Status status = check ? check() : internalError("no check function");
    healthy = healthy && status.isOk();
    if (status.isOk()) {
      if (verbose) report += "[+]" + name + " ok\n";
    } else {
      report += "[-]" + name + " failed: " + status.message() + "\n";
    }
  }
  if (healthy) return util::HttpResponse::text(200, verbose ? report + "ok\n" : "ok");
  return util::HttpResponse::text(failure_status, report + "check failed\n");
}

util::HttpResponse OpsServer::handle(const util::HttpRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    return util::HttpResponse::text(405, "method not allowed\n");
  }
  const bool verbose = request.queryParam("verbose").has_value();
  if (request.path == "/metrics") {
    util::HttpResponse response;
    response.body = metrics_.serialize();
    response.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return response;
  }
  std::vector<std::pair<std::string, HealthCheck>> checks;
  if (request.path == "/healthz" || request.path == "/livez") {
    {
      std::lock_guard lock(mu_);
      checks = liveness_;
    }
    return runChecks(checks, 500, verbose);
  }
  if (request.path == "/readyz") {
    {
      std::lock_guard lock(mu_);
      checks = readiness_;
    }
    return runChecks(checks, 503, verbose);
  }
  return util::HttpResponse::text(404, "not found\n");
}

}  // namespace serin::runtime
