#include "serin/util/http_server.h"

#include <atomic>
#include <future>
#include <latch>
#include <set>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>

#include "serin/util/pki.h"

namespace serin::util {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

std::string str(beast::string_view s) { return std::string(s.data(), s.size()); }

// Waits (bounded) for `pred`; tests never hang on a broken server.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 3000ms) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

std::unique_ptr<HttpServer> start(HttpHandler handler, HttpServerOptions options = {}) {
  auto server = startHttpServer(options, std::move(handler));
  EXPECT_TRUE(server.isOk()) << server.status();
  return server.isOk() ? std::move(server).value() : nullptr;
}

// A plain synchronous Beast client on one keep-alive connection.
class PlainClient {
 public:
  explicit PlainClient(uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }

  http::response<http::string_body> send(http::verb verb, const std::string& target,
                                         const std::string& body = {}) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set("X-Test", "yes");
    req.body() = body;
    req.prepare_payload();
    http::write(socket_, req);
    http::response<http::string_body> res;
    beast::error_code ec;
    http::read(socket_, buffer_, res, ec);
    last_error_ = ec;
    return res;
  }

  beast::error_code lastError() const { return last_error_; }
  tcp::socket& socket() { return socket_; }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  beast::error_code last_error_;
};

TEST(HttpServerTest, ParsesRequestAndAnswers) {
  HttpRequest seen;
  auto server = start([&](const HttpRequest& req, ResponseWriter&) {
    seen = req;
    return std::optional(HttpResponse::json(201, R"({"ok":true})").header("X-Reply", "1"));
  });
  ASSERT_TRUE(server);
  EXPECT_NE(server->port(), 0);
  EXPECT_EQ(server->url(), "http://127.0.0.1:" + std::to_string(server->port()));

  PlainClient client(server->port());
  auto res = client.send(http::verb::post, "/api/v1/name%20space?labelSelector=a%3Db%2Cc&x=1+2",
                         "payload");
  EXPECT_EQ(res.result_int(), 201u);
  EXPECT_EQ(res.body(), R"({"ok":true})");
  EXPECT_EQ(str(res["X-Reply"]), "1");
  EXPECT_EQ(str(res[http::field::content_type]), "application/json");

  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/api/v1/name%20space?labelSelector=a%3Db%2Cc&x=1+2");
  EXPECT_EQ(seen.path, "/api/v1/name space");
  EXPECT_EQ(seen.queryParam("labelSelector"), "a=b,c");
  EXPECT_EQ(seen.queryParam("x"), "1 2");
  EXPECT_EQ(seen.queryParam("missing"), std::nullopt);
  EXPECT_EQ(seen.header("x-TEST"), "yes");
  EXPECT_EQ(seen.headers.count("x-test"), 1u);
  EXPECT_EQ(seen.body, "payload");
  EXPECT_EQ(seen.remoteAddress.rfind("127.0.0.1:", 0), 0u);
  EXPECT_TRUE(seen.clientCertSubject.empty());
}

TEST(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  std::mutex mu;
  std::set<std::string> peers;
  auto server = start([&](const HttpRequest& req, ResponseWriter&) {
    std::lock_guard lock(mu);
    peers.insert(req.remoteAddress);
    return std::optional(HttpResponse::text(200, req.path));
  });
  ASSERT_TRUE(server);
  PlainClient client(server->port());
  for (int i = 0; i < 3; ++i) {
    auto res = client.send(http::verb::get, "/r" + std::to_string(i));
    EXPECT_EQ(res.body(), "/r" + std::to_string(i));
    EXPECT_TRUE(res.keep_alive());
  }
  EXPECT_EQ(peers.size(), 1u);
}

TEST(HttpServerTest, RejectsBodiesOverTheLimit) {
  HttpServerOptions options;
  options.maxBodyBytes = 16;
  std::atomic<int> calls = 0;
  auto server = start(
      [&](const HttpRequest&, ResponseWriter&) {
        ++calls;
        return std::optional(HttpResponse::text(200, "ok"));
      },
      options);
  ASSERT_TRUE(server);
  PlainClient client(server->port());
  auto res = client.send(http::verb::post, "/", std::string(100, 'x'));
  EXPECT_EQ(res.result_int(), 413u);
  EXPECT_EQ(calls.load(), 0);
}

TEST(HttpServerTest, StreamsChunks) {
  auto server =
      start([&](const HttpRequest&, ResponseWriter& writer) -> std::optional<HttpResponse> {
        EXPECT_TRUE(writer.begin(200, {{"Content-Type", "application/json"}}).isOk());
        for (int i = 0; i < 3; ++i)
          EXPECT_TRUE(writer.write("line" + std::to_string(i) + "\n").isOk());
        return std::nullopt;
      });
  ASSERT_TRUE(server);
  PlainClient client(server->port());
  auto res = client.send(http::verb::get, "/watch");
  EXPECT_FALSE(client.lastError()) << client.lastError().message();
  EXPECT_TRUE(res.chunked());
  EXPECT_EQ(res.body(), "line0\nline1\nline2\n");
  // The connection stays usable after a complete stream.
  auto again = client.send(http::verb::get, "/watch");
  EXPECT_EQ(again.body(), "line0\nline1\nline2\n");
}

TEST(HttpServerTest, AbortCutsTheStreamWithoutTheLastChunk) {
  auto server =
      start([&](const HttpRequest&, ResponseWriter& writer) -> std::optional<HttpResponse> {
        EXPECT_TRUE(writer.begin(200, {}).isOk());
        EXPECT_TRUE(writer.write("partial").isOk());
        writer.abort();
        EXPECT_TRUE(writer.closed());
        EXPECT_FALSE(writer.write("more").isOk());
        return std::nullopt;
      });
  ASSERT_TRUE(server);
  PlainClient client(server->port());
  client.send(http::verb::get, "/");
  EXPECT_TRUE(client.lastError());  // partial message / end of stream, not a clean response
}

TEST(HttpServerTest, ClosedTurnsTrueWhenThePeerGoes) {
  std::atomic<bool> saw_closed = false;
  std::promise<void> streaming;
  auto server =
      start([&](const HttpRequest&, ResponseWriter& writer) -> std::optional<HttpResponse> {
        EXPECT_TRUE(writer.begin(200, {}).isOk());
        EXPECT_TRUE(writer.write("hello\n").isOk());
        streaming.set_value();
        auto deadline = std::chrono::steady_clock::now() + 3s;
        while (!writer.closed() && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(5ms);
        }
        saw_closed = writer.closed();
        return std::nullopt;
      });
  ASSERT_TRUE(server);
  {
    PlainClient client(server->port());
    http::request<http::empty_body> req{http::verb::get, "/", 11};
    http::write(client.socket(), req);
    streaming.get_future().wait();
  }  // client disconnects
  EXPECT_TRUE(eventually([&] { return saw_closed.load(); }));
}

TEST(HttpServerTest, StopEndsStreamsAndWaitsForHandlers) {
  std::atomic<bool> handler_done = false;
  std::promise<void> streaming;
  auto server =
      start([&](const HttpRequest&, ResponseWriter& writer) -> std::optional<HttpResponse> {
        EXPECT_TRUE(writer.begin(200, {}).isOk());
        streaming.set_value();
        while (!writer.closed()) std::this_thread::sleep_for(5ms);
        std::this_thread::sleep_for(50ms);  // stop() must wait for this
        handler_done = true;
        return std::nullopt;
      });
  ASSERT_TRUE(server);
  PlainClient streaming_client(server->port());
  PlainClient idle_client(server->port());  // an idle keep-alive connection must not block stop
  http::request<http::empty_body> req{http::verb::get, "/", 11};
  http::write(streaming_client.socket(), req);
  streaming.get_future().wait();
  auto started = std::chrono::steady_clock::now();
  server->stop();
  EXPECT_TRUE(handler_done.load());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  server->stop();  // idempotent
}

TEST(HttpServerTest, BlockingHandlerDoesNotStallOtherConnections) {
  HttpServerOptions options;
  options.threads = 1;
  std::latch release(1);
  auto server = start(
      [&](const HttpRequest& req, ResponseWriter&) {
        if (req.path == "/block") release.wait();
        return std::optional(HttpResponse::text(200, req.path));
      },
      options);
  ASSERT_TRUE(server);
  auto blocked = std::async(std::launch::async, [&] {
    PlainClient client(server->port());
    return client.send(http::verb::get, "/block").body();
  });
  std::vector<std::future<std::string>> fast;
  for (int i = 0; i < 4; ++i) {
    fast.push_back(std::async(std::launch::async, [&] {
      PlainClient client(server->port());
      return client.send(http::verb::get, "/fast").body();
    }));
  }
  for (auto& f : fast) {
    ASSERT_EQ(f.wait_for(3s), std::future_status::ready);
    EXPECT_EQ(f.get(), "/fast");
  }
  release.count_down();
  EXPECT_EQ(blocked.get(), "/block");
}

TEST(HttpServerTest, BindFailureIsUnavailable) {
  auto first = start([](const HttpRequest&, ResponseWriter&) {
    return std::optional(HttpResponse::text(200, ""));
  });
  ASSERT_TRUE(first);
  HttpServerOptions options;
  options.port = first->port();
  auto second = startHttpServer(options, [](const HttpRequest&, ResponseWriter&) {
    return std::optional(HttpResponse::text(200, ""));
  });
  EXPECT_TRUE(second.status().is(StatusCode::kUnavailable)) << second.status();
}

TEST(HttpServerTest, BadTlsMaterialIsInvalid) {
  HttpServerOptions options;
  options.tls = TlsOptions{"not a cert", "not a key", "", false};
  auto server = startHttpServer(options, [](const HttpRequest&, ResponseWriter&) {
    return std::optional(HttpResponse::text(200, ""));
  });
  EXPECT_TRUE(server.status().is(StatusCode::kInvalid)) << server.status();
}

// TLS: a CA, a server certificate for 127.0.0.1 and a client certificate.
struct Pki {
  KeyPair ca, server, client;
  Pki() {
    ca = *createCertificateAuthority("http-test-ca");
    CertificateRequest s;
    s.commonName = "127.0.0.1";
    s.ipAddresses = {"127.0.0.1"};
    server = *issueCertificate(ca, s);
    CertificateRequest c;
    c.commonName = "alice";
    c.organizations = {"devs"};
    c.serverAuth = false;
    c.clientAuth = true;
    client = *issueCertificate(ca, c);
  }
};

// One HTTPS GET; returns the body or the error.
std::string tlsGet(uint16_t port, const Pki& pki, bool with_client_cert) {
  try {
    net::io_context ioc;
    ssl::context ctx(ssl::context::tls_client);
    ctx.add_certificate_authority(net::buffer(pki.ca.certPem));
    ctx.set_verify_mode(ssl::verify_peer);
    if (with_client_cert) {
      ctx.use_certificate_chain(net::buffer(pki.client.certPem));
      ctx.use_private_key(net::buffer(pki.client.keyPem), ssl::context::pem);
    }
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    beast::get_lowest_layer(stream).connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    beast::get_lowest_layer(stream).expires_after(3s);
    stream.handshake(ssl::stream_base::client);
    http::request<http::empty_body> req{http::verb::get, "/whoami", 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    return res.body();
  } catch (const std::exception& e) {
    return std::string("error: ") + e.what();
  }
}

TEST(HttpServerTest, TlsWithRequiredClientCertificate) {
  Pki pki;
  HttpServerOptions options;
  options.tls = TlsOptions{pki.server.certPem, pki.server.keyPem, pki.ca.certPem, true};
  auto server = start(
      [](const HttpRequest& req, ResponseWriter&) {
        return std::optional(
            HttpResponse::text(200, req.clientCertCommonName + "|" + req.clientCertSubject));
      },
      options);
  ASSERT_TRUE(server);
  EXPECT_EQ(server->url().rfind("https://127.0.0.1:", 0), 0u);
  EXPECT_EQ(tlsGet(server->port(), pki, true), "alice|CN=alice,O=devs");
  EXPECT_EQ(tlsGet(server->port(), pki, false).rfind("error:", 0), 0u);
}

TEST(HttpServerTest, TlsWithOptionalClientCertificate) {
  Pki pki;
  HttpServerOptions options;
  options.tls = TlsOptions{pki.server.certPem, pki.server.keyPem, pki.ca.certPem, false};
  auto server = start(
      [](const HttpRequest& req, ResponseWriter&) {
        return std::optional(HttpResponse::text(200, "cn=" + req.clientCertCommonName));
      },
      options);
  ASSERT_TRUE(server);
  EXPECT_EQ(tlsGet(server->port(), pki, true), "cn=alice");
  EXPECT_EQ(tlsGet(server->port(), pki, false), "cn=");
}

}  // namespace
}  // namespace serin::util
