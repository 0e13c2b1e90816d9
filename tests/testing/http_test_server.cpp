#include "testing/http_test_server.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace serin::testing {

HttpTestServer::HttpTestServer(std::optional<util::TlsOptions> tls, int threads) {
  util::HttpServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.threads = threads;
  options.tls = std::move(tls);
  auto server = util::startHttpServer(
      options, [this](const util::HttpRequest& request, util::ResponseWriter& writer) {
        return handle(request, writer);
      });
  if (!server.isOk()) {
    ADD_FAILURE() << "cannot start test server: " << server.status();
    return;
  }
  server_ = std::move(server).value();
}

HttpTestServer::~HttpTestServer() { stop(); }

void HttpTestServer::stop() {
  if (server_) server_->stop();
}

void HttpTestServer::setResponder(Responder responder) {
  std::lock_guard lock(mu_);
  responder_ = std::make_shared<Responder>(std::move(responder));
}

void HttpTestServer::respond(std::function<util::HttpResponse(const util::HttpRequest&)> fn) {
  setResponder([fn = std::move(fn)](const util::HttpRequest& request, util::ResponseWriter&) {
    return std::optional<util::HttpResponse>(fn(request));
  });
}

std::string HttpTestServer::url() const { return server_ ? server_->url() : std::string(); }

std::vector<util::HttpRequest> HttpTestServer::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

util::HttpRequest HttpTestServer::lastRequest() const {
  std::lock_guard lock(mu_);
  if (requests_.empty()) {
    ADD_FAILURE() << "no request was recorded";
    return {};
  }
  return requests_.back();
}

std::size_t HttpTestServer::requestCount() const {
  std::lock_guard lock(mu_);
  return requests_.size();
}

void HttpTestServer::clearRequests() {
  std::lock_guard lock(mu_);
  requests_.clear();
}

util::HttpResponse HttpTestServer::statusResponse(int code, const std::string& reason,
                                                  const std::string& message) {
  nlohmann::json body = {
      {"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", nlohmann::json::object()},
      {"status", "Failure"}, {"message", message}, {"reason", reason},
      {"code", code}};
  return util::HttpResponse::json(code, body.dump());
}

std::optional<util::HttpResponse> HttpTestServer::handle(const util::HttpRequest& request,
                                                         util::ResponseWriter& writer) {
  std::shared_ptr<Responder> responder;
  {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    responder = responder_;
  }
  if (!responder) return statusResponse(404, "NotFound", "the server could not find it");
  return (*responder)(request, writer);
}

}  // namespace serin::testing
