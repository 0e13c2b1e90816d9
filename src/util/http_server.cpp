// HttpServer on Boost.Beast: one thread per connection.
//
// Threading choice: the server will carry the embedded API server, where hundreds of watch
// streams stay open for minutes and their handlers block waiting for new events. With a fixed
// io_context pool, N blocked handlers would stall every other connection sharing those N
// threads. So each accepted connection gets its own thread and its own small io_context: the
// thread runs the connection's asynchronous Beast operations to completion one at a time
// (which gives us Beast's timeouts and cross-thread cancellation), then calls the handler
// directly. A blocking handler therefore stalls only its own connection. Accepting runs on one
// separate thread; `HttpServerOptions::threads` is not needed by this design and is ignored.
// Threads are cheap enough here: their stacks are virtual memory, and a controller process
// holds tens to a few hundred connections, not tens of thousands. A streaming handler learns
// that its peer left through poll(POLLRDHUP) on the socket (closed()), without reading.
//
// Shutdown: stop() closes the acceptor, raises a flag that ResponseWriter::closed() reports,
// cancels connections that are idle between requests, and waits until every connection
// thread has finished (a running handler is allowed to finish and its response is sent).
#include "serin/util/http_server.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <list>
#include <mutex>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <poll.h>

namespace serin::util {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr std::size_t kMaxHeaderBytes = 1024 * 1024;  // long label selectors fit
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr auto kWriteTimeout = std::chrono::seconds(30);
constexpr auto kShutdownTimeout = std::chrono::seconds(1);

std::string_view sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

std::string toLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding; in query strings '+' also means a space (HTML forms, Go's url.Values).
std::string percentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      int hi = hexValue(s[i + 1]);
      int lo = hexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::multimap<std::string, std::string> parseQuery(std::string_view query) {
  std::multimap<std::string, std::string> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string key = percentDecode(pair.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? std::string() : percentDecode(pair.substr(eq + 1), true);
    out.emplace(std::move(key), std::move(value));
  }
  return out;
}

// State shared by the server object, the acceptor and all connection threads.
struct ServerState {
  HttpHandler handler;
  HttpServerOptions options;
  std::atomic<bool> stopping{false};

  std::mutex mu;
  std::condition_variable cv;
  std::size_t active_connections = 0;
  // Cancels the idle read of a connection; registered while the connection is alive.
  std::list<std::function<void()>> idle_cancellers;
};

std::string peerSubject(SSL* ssl, std::string* common_name) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return {};
  std::string subject;
  X509_NAME* name = X509_get_subject_name(cert);
  if (BIO* bio = BIO_new(BIO_s_mem())) {
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    if (len > 0) subject.assign(data, static_cast<std::size_t>(len));
    BIO_free(bio);
  }
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx >= 0) {
    ASN1_STRING* asn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, asn);
    if (len > 0) common_name->assign(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
    OPENSSL_free(utf8);
  }
  X509_free(cert);
  return subject;
}

// One connection, served by its own thread. Stream is beast::tcp_stream or an ssl_stream
// over it; all I/O is asynchronous on the connection's private io_context, driven by run().
template <class Stream>
class Connection final : public ResponseWriter {
 public:
  Connection(std::shared_ptr<ServerState> state, net::io_context& ioc,
             std::unique_ptr<Stream> stream)
      : state_(std::move(state)), ioc_(&ioc), stream_(std::move(stream)) {}

  void serve() {
    auto canceller = registerCanceller();
    if (handshake()) {
      while (serveOne()) {
      }
    }
    {
      std::lock_guard lock(state_->mu);
      state_->idle_cancellers.erase(canceller);
    }
    close();
  }

  // ResponseWriter.
  Status begin(int status,
               const std::vector<std::pair<std::string, std::string>>& headers) override {
    if (began_) return internalError("ResponseWriter::begin called twice");
    began_ = true;
    http::response<http::empty_body> res{static_cast<http::status>(status), 11};
    for (const auto& [name, value] : headers) res.set(name, value);
    res.chunked(true);
    res.keep_alive(keep_alive_);
    http::response_serializer<http::empty_body> serializer{res};
    lowest().expires_after(kWriteTimeout);
    auto ec = run([&](auto done) { http::async_write_header(*stream_, serializer, done); });
    return checkWrite(ec);
  }

  Status write(std::string_view chunk) override {
    if (!began_) return internalError("ResponseWriter::write before begin");
    if (failed_ || aborted_) return unavailableError("peer connection closed");
    if (chunk.empty()) return Status::ok();  // an empty chunk would end the body
    lowest().expires_after(kWriteTimeout);
    auto ec = run([&](auto done) {
      net::async_write(*stream_, http::make_chunk(net::const_buffer(chunk.data(), chunk.size())),
                       done);
    });
    return checkWrite(ec);
  }

  bool closed() const override {
    return failed_ || aborted_ || state_->stopping.load() || peerHungUp();
  }

  void abort() override {
    aborted_ = true;
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().socket().close(ec);
  }

 private:
  using Done = std::function<void(beast::error_code, std::size_t)>;

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(*stream_); }
  const beast::tcp_stream& lowest() const { return beast::get_lowest_layer(*stream_); }

  // Starts one asynchronous operation and runs the io_context until it (and anything
  // posted meanwhile, like a cancellation from stop()) has completed.
  template <class Initiate>
  beast::error_code run(Initiate&& initiate) {
    beast::error_code result;
    initiate([&result](beast::error_code ec, std::size_t) { result = ec; });
    ioc_->restart();
    ioc_->run();
    return result;
  }

  Status checkWrite(const beast::error_code& ec) {
    if (!ec) return Status::ok();
    failed_ = true;
    return unavailableError("write failed: " + ec.message());
  }

  // The peer closing its side shows up as POLLRDHUP even while we only write.
  bool peerHungUp() const {
    if (!lowest().socket().is_open()) return true;
    pollfd pfd{};
    pfd.fd = const_cast<beast::tcp_stream&>(lowest()).socket().native_handle();
    pfd.events = POLLRDHUP;
    if (::poll(&pfd, 1, 0) <= 0) return false;
    return (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
  }

  std::list<std::function<void()>>::iterator registerCanceller() {
    std::lock_guard lock(state_->mu);
    state_->idle_cancellers.push_front([this] {
      std::lock_guard conn_lock(mu_);
      if (reading_) net::post(*ioc_, [this] { lowest().cancel(); });
    });
    return state_->idle_cancellers.begin();
  }

  bool handshake() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      return true;
    } else {
      lowest().expires_after(kHandshakeTimeout);
      beast::error_code result;
      stream_->async_handshake(ssl::stream_base::server,
                               [&result](beast::error_code ec) { result = ec; });
      ioc_->restart();
      ioc_->run();
      if (result) return false;
      client_subject_ = peerSubject(stream_->native_handle(), &client_cn_);
      return true;
    }
  }

  // Reads one request; false when the connection should end (idle timeout, stop, error).
  bool readRequest(http::request_parser<http::string_body>& parser) {
    {
      std::lock_guard lock(mu_);
      if (state_->stopping.load()) return false;
      reading_ = true;
    }
    lowest().expires_after(state_->options.idleTimeout);
    auto ec = run([&](auto done) { http::async_read_header(*stream_, buffer_, parser, done); });
    if (!ec && parser.get()[http::field::expect] == "100-continue" && !parser.is_done()) {
      http::response<http::empty_body> cont{http::status::continue_, 11};
      ec = run([&](auto done) { http::async_write(*stream_, cont, done); });
    }
    if (!ec && !parser.is_done()) {
      ec = run([&](auto done) { http::async_read(*stream_, buffer_, parser, done); });
    }
    {
      std::lock_guard lock(mu_);
      reading_ = false;
    }
    if (ec == http::error::body_limit) {
      keep_alive_ = false;
      sendResponse(HttpResponse::text(413, "request body too large\n"));
      return false;
    }
    return !ec;
  }

  HttpRequest toRequest(http::request<http::string_body>&& req) {
    HttpRequest out;
    out.method = std::string(sv(req.method_string()));
    out.target = std::string(sv(req.target()));
    std::string_view target = out.target;
    auto q = target.find('?');
    out.path = percentDecode(target.substr(0, q), false);
    if (q != std::string_view::npos) out.query = parseQuery(target.substr(q + 1));
    for (const auto& field : req) {
      out.headers.emplace(toLower(sv(field.name_string())), std::string(sv(field.value())));
    }
    out.body = std::move(req.body());
    beast::error_code ec;
    auto endpoint = lowest().socket().remote_endpoint(ec);
    if (!ec) {
      out.remoteAddress = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
    }
    out.clientCertSubject = client_subject_;
    out.clientCertCommonName = client_cn_;
    return out;
  }

  bool serveOne() {
    http::request_parser<http::string_body> parser;
    parser.body_limit(state_->options.maxBodyBytes);
    parser.header_limit(kMaxHeaderBytes);
    if (!readRequest(parser)) return false;
    auto req = parser.release();
    keep_alive_ = req.keep_alive();
    began_ = false;
    HttpRequest request = toRequest(std::move(req));

    std::optional<HttpResponse> response;
    try {
      response = state_->handler(request, *this);
    } catch (const std::exception& e) {
      response = HttpResponse::text(500, std::string("handler failed: ") + e.what() + "\n");
    }
    if (aborted_ || failed_) return false;
    if (response) {
      if (began_) return false;  // the handler mixed both styles; the stream is unusable
      if (!sendResponse(*response)) return false;
    } else if (!began_) {
      if (!sendResponse(HttpResponse::text(500, "handler produced no response\n"))) return false;
    } else if (!finishChunks()) {
      return false;
    }
    return keep_alive_ && !state_->stopping.load();
  }

  bool finishChunks() {
    lowest().expires_after(kWriteTimeout);
    auto ec = run([&](auto done) { net::async_write(*stream_, http::make_chunk_last(), done); });
    return !ec;
  }

  bool sendResponse(const HttpResponse& response) {
    http::response<http::string_body> res{static_cast<http::status>(response.status), 11};
    for (const auto& [name, value] : response.headers) res.set(name, value);
    res.body() = response.body;
    res.keep_alive(keep_alive_ && !state_->stopping.load());
    res.prepare_payload();
    lowest().expires_after(kWriteTimeout);
    auto ec = run([&](auto done) { http::async_write(*stream_, res, done); });
    return !ec;
  }

  void close() {
    if (aborted_) return;
    beast::error_code ec;
    if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
      if (!failed_ && lowest().socket().is_open()) {
        lowest().expires_after(kShutdownTimeout);
        stream_->async_shutdown([](beast::error_code) {});
        ioc_->restart();
        ioc_->run();
      }
    }
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    lowest().socket().close(ec);
  }

  std::shared_ptr<ServerState> state_;
  net::io_context* ioc_;  // owned by the connection thread, outlives stream_
  std::unique_ptr<Stream> stream_;
  beast::flat_buffer buffer_;
  std::mutex mu_;
  bool reading_ = false;  // guarded by mu_: an idle read stop() may cancel
  bool keep_alive_ = true;
  bool began_ = false;
  bool failed_ = false;
  bool aborted_ = false;
  std::string client_subject_;
  std::string client_cn_;
};

class BeastHttpServer final : public HttpServer {
 public:
  BeastHttpServer(std::shared_ptr<ServerState> state, std::unique_ptr<ssl::context> tls)
      : state_(std::move(state)), tls_(std::move(tls)), acceptor_(accept_ioc_) {}

  ~BeastHttpServer() override { stop(); }

  Status bind() {
    try {
      auto address = net::ip::make_address(state_->options.address);
      tcp::endpoint endpoint(address, state_->options.port);
      acceptor_.open(endpoint.protocol());
      acceptor_.set_option(net::socket_base::reuse_address(true));
      acceptor_.bind(endpoint);
      acceptor_.listen(net::socket_base::max_listen_connections);
      port_ = acceptor_.local_endpoint().port();
    } catch (const boost::system::system_error& e) {
      return unavailableError("cannot listen on " + state_->options.address + ":" +
                              std::to_string(state_->options.port) + ": " + e.what());
    }
    accept();
    accept_thread_ = std::thread([this] { accept_ioc_.run(); });
    return Status::ok();
  }

  uint16_t port() const override { return port_; }

  std::string url() const override {
    std::string host = state_->options.address;
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return std::string(tls_ ? "https://" : "http://") + host + ":" + std::to_string(port_);
  }

  void stop() override {
    std::call_once(stopped_, [this] {
      state_->stopping = true;
      net::post(accept_ioc_, [this] {
        beast::error_code ec;
        acceptor_.close(ec);
      });
      if (accept_thread_.joinable()) accept_thread_.join();
      std::unique_lock lock(state_->mu);
      for (auto& cancel : state_->idle_cancellers) cancel();
      state_->cv.wait(lock, [&] { return state_->active_connections == 0; });
    });
  }

 private:
  // An accepted socket with the io_context it is bound to; the socket goes first.
  struct Accepted {
    std::unique_ptr<net::io_context> ioc;
    std::optional<tcp::socket> socket;
  };

  void accept() {
    auto ioc = std::make_unique<net::io_context>(1);
    net::io_context& target = *ioc;
    acceptor_.async_accept(
        target, [this, ioc = std::move(ioc)](beast::error_code ec, tcp::socket socket) mutable {
          if (state_->stopping.load() || ec == net::error::operation_aborted) return;
          if (ec) {
            // Out of file descriptors and the like: back off briefly, keep serving.
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            accept();
            return;
          }
          auto accepted = std::make_unique<Accepted>();
          accepted->ioc = std::move(ioc);
          accepted->socket.emplace(std::move(socket));
          startConnection(std::move(accepted));
          accept();
        });
  }

  void startConnection(std::unique_ptr<Accepted> accepted) {
    {
      std::lock_guard lock(state_->mu);
      ++state_->active_connections;
    }
    try {
      std::thread([state = state_, tls = tls_, accepted = std::move(accepted)]() mutable {
        serveConnection(state, tls.get(), *accepted);
        accepted.reset();
        connectionDone(*state);
      }).detach();
    } catch (const std::system_error&) {
      connectionDone(*state_);  // no thread available: the socket is dropped
    }
  }

  static void connectionDone(ServerState& state) {
    std::lock_guard lock(state.mu);
    --state.active_connections;
    state.cv.notify_all();
  }

  static void serveConnection(const std::shared_ptr<ServerState>& state, ssl::context* tls,
                              Accepted& accepted) {
    try {
      if (tls != nullptr) {
        using TlsStream = beast::ssl_stream<beast::tcp_stream>;
        auto stream =
            std::make_unique<TlsStream>(beast::tcp_stream(std::move(*accepted.socket)), *tls);
        Connection<TlsStream>(state, *accepted.ioc, std::move(stream)).serve();
      } else {
        auto stream = std::make_unique<beast::tcp_stream>(std::move(*accepted.socket));
        Connection<beast::tcp_stream>(state, *accepted.ioc, std::move(stream)).serve();
      }
    } catch (const std::exception&) {
      // A connection-level failure (e.g. a socket error thrown by Asio) ends that connection
      // only; the server keeps running.
    }
  }

  std::shared_ptr<ServerState> state_;
  std::shared_ptr<ssl::context> tls_;
  net::io_context accept_ioc_{1};
  tcp::acceptor acceptor_;
  std::thread accept_thread_;
  uint16_t port_ = 0;
  std::once_flag stopped_;
};

StatusOr<std::unique_ptr<ssl::context>> makeTlsContext(const TlsOptions& tls) {
  try {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    ctx->use_certificate_chain(net::buffer(tls.certPem));
    ctx->use_private_key(net::buffer(tls.keyPem), ssl::context::pem);
    if (!tls.clientCaPem.empty()) {
      ctx->add_certificate_authority(net::buffer(tls.clientCaPem));
      auto mode = ssl::verify_peer;
      if (tls.requireClientCert) mode |= ssl::verify_fail_if_no_peer_cert;
      ctx->set_verify_mode(mode);
      // Without a session id context OpenSSL refuses session resumption with client certs.
      static const unsigned char kSessionContext[] = "serin";
      SSL_CTX_set_session_id_context(ctx->native_handle(), kSessionContext,
                                     sizeof(kSessionContext) - 1);
    } else if (tls.requireClientCert) {
      return invalidError("TLS: requireClientCert needs clientCaPem");
    }
    return ctx;
  } catch (const boost::system::system_error& e) {
    return invalidError(std::string("TLS: unusable certificate or key: ") + e.what());
  }
}

}  // namespace

std::optional<std::string> HttpRequest::header(std::string_view name) const {
  auto it = headers.find(toLower(name));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> HttpRequest::queryParam(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return it->second;
}

HttpResponse HttpResponse::text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  return r;
}

HttpResponse HttpResponse::json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", "application/json");
  return r;
}

HttpResponse& HttpResponse::header(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

StatusOr<std::unique_ptr<HttpServer>> startHttpServer(const HttpServerOptions& options,
                                                      HttpHandler handler) {
  std::unique_ptr<ssl::context> tls;
  if (options.tls) {
    ASSIGN_OR_RETURN(tls, makeTlsContext(*options.tls));
  }
  auto state = std::make_shared<ServerState>();
  state->handler = std::move(handler);
  state->options = options;
  auto server = std::make_unique<BeastHttpServer>(std::move(state), std::move(tls));
  RETURN_IF_ERROR(server->bind());
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace serin::util
