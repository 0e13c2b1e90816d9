// HttpServer: Serin's one HTTP/1.1 server (Boost.Beast underneath, kept out of this header).
//
// Serves the controller's /metrics, /healthz and /readyz, webhooks, the embedded API server
// and test doubles of remote services. Plain HTTP or TLS (optionally demanding a client
// certificate signed by a given CA). Keep-alive, chunked streaming responses (watch streams,
// `logs -f`) and graceful shutdown.
//
// Threading: each connection is served by its own thread, so a handler may block (a streaming
// handler blocks only its own connection; many concurrent watch streams are the design case).
// Handlers must be thread-safe.
// Lifetime: the handler must outlive the server; stop() (or the destructor) waits for running
// handlers to return, after asking streaming ones to end through ResponseWriter::closed().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "serin/util/status.h"

namespace serin::util {

struct HttpRequest {
  std::string method;                             // "GET"
  std::string target;                             // "/api/v1/pods?watch=true"
  std::string path;                               // "/api/v1/pods", percent-decoded
  std::multimap<std::string, std::string> query;  // decoded
  // Header names lower-cased.
  std::multimap<std::string, std::string> headers;
  std::string body;
  std::string remoteAddress;      // "127.0.0.1:53422"
  std::string clientCertSubject;  // verified client certificate's subject, "" when none
  std::string clientCertCommonName;

  // First value of a header (name in any case) or query parameter, if present.
  std::optional<std::string> header(std::string_view name) const;
  std::optional<std::string> queryParam(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  static HttpResponse text(int status, std::string body);
  static HttpResponse json(int status, std::string body);
  HttpResponse& header(std::string name, std::string value);
};

// For streaming responses (chunked transfer encoding). Used from the handler's thread only.
class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;
  // Sends status and headers; must be called once before write().
  virtual Status begin(int status,
                       const std::vector<std::pair<std::string, std::string>>& headers) = 0;
  // Sends one chunk and flushes it. Fails with Unavailable once the peer has gone.
  virtual Status write(std::string_view chunk) = 0;
  // True once the peer disconnected or the server is stopping: the handler should return.
  virtual bool closed() const = 0;
  // Ends the connection abruptly, without the terminating chunk (tests: a cut stream).
  virtual void abort() = 0;
};

// A handler either returns a response, or streams through `writer` and returns std::nullopt.
using HttpHandler =
    std::function<std::optional<HttpResponse>(const HttpRequest&, ResponseWriter& writer)>;

struct TlsOptions {
  std::string certPem;             // server certificate chain
  std::string keyPem;              // server private key
  std::string clientCaPem;         // when set, client certificates signed by it are verified
  bool requireClientCert = false;  // reject handshakes without a valid client certificate
};

struct HttpServerOptions {
  std::string address = "127.0.0.1";  // loopback by default
  uint16_t port = 0;                  // 0 picks a free port
  int threads = 2;                    // a hint; the thread-per-connection design may ignore it
  std::optional<TlsOptions> tls;
  std::size_t maxBodyBytes = 16 * 1024 * 1024;
  std::chrono::seconds idleTimeout{120};
};

class HttpServer {
 public:
  virtual ~HttpServer() = default;
  // The bound port (useful with port 0).
  virtual uint16_t port() const = 0;
  // "http://127.0.0.1:port" or "https://...".
  virtual std::string url() const = 0;
  // Stops accepting, asks streams to end, waits for handlers. Idempotent.
  virtual void stop() = 0;
};

// Binds and starts serving before returning. Unavailable when the address cannot be bound,
// Invalid for unusable TLS material.
StatusOr<std::unique_ptr<HttpServer>> startHttpServer(const HttpServerOptions& options,
                                                      HttpHandler handler);

}  // namespace serin::util
