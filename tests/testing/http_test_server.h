// HttpTestServer: a recording, scriptable HTTP(S) server for client tests.
//
// Wraps util::HttpServer on 127.0.0.1 with a free port. Every request (method, target, path,
// query, headers, body) is recorded so a test can assert exactly what a client sent; the
// response is produced by a test-supplied function, which may also stream through the
// ResponseWriter (watch streams, cut connections). The server stops in the destructor, so a
// failing test never leaks a listener.
//
// Thread-safety: the responder runs on server threads; requests() may be called from the test
// thread at any time.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "serin/util/http_server.h"

namespace serin::testing {

class HttpTestServer {
 public:
  // Answers one request. The default responds 404 with a Kubernetes Status body.
  using Responder = std::function<std::optional<util::HttpResponse>(const util::HttpRequest&,
                                                                    util::ResponseWriter&)>;

  // Starts the server; a failure to start fails the current test (ADD_FAILURE) and leaves
  // url() empty.
  explicit HttpTestServer(std::optional<util::TlsOptions> tls = std::nullopt, int threads = 4);
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  void setResponder(Responder responder);
  // Convenience for non-streaming answers.
  void respond(std::function<util::HttpResponse(const util::HttpRequest&)> fn);

  std::string url() const;
  std::vector<util::HttpRequest> requests() const;
  util::HttpRequest lastRequest() const;  // fails the test when nothing was recorded
  std::size_t requestCount() const;
  void clearRequests();
  void stop();

  // A Kubernetes Status response ({"kind":"Status","code":...,"reason":...,"message":...}).
  static util::HttpResponse statusResponse(int code, const std::string& reason,
                                           const std::string& message);

 private:
  std::optional<util::HttpResponse> handle(const util::HttpRequest& request,
                                           util::ResponseWriter& writer);

  mutable std::mutex mu_;
  std::vector<util::HttpRequest> requests_;
  std::shared_ptr<Responder> responder_;
  std::unique_ptr<util::HttpServer> server_;
};

}  // namespace serin::testing
