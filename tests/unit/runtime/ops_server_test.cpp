#include "serin/runtime/ops_server.h"

#include <atomic>
#include <chrono>

#include <gtest/gtest.h>

#include "serin/runtime/controller.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace serin::runtime {
namespace {

using namespace std::chrono_literals;

struct Reply {
  int status = 0;
  std::string body;
};

// A minimal HTTP/1.1 GET over a loopback socket; the server closes with Connection: close.
Reply httpGet(uint16_t port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return {};
  }
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  (void)::send(fd, request.data(), request.size(), 0);
  std::string raw;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) raw.append(buf, static_cast<size_t>(n));
  ::close(fd);
  Reply reply;
  if (raw.size() > 12) reply.status = std::stoi(raw.substr(9, 3));
  auto body_at = raw.find("\r\n\r\n");
  if (body_at != std::string::npos) reply.body = raw.substr(body_at + 4);
  return reply;
}

class OneShotReconciler : public Reconciler {
 public:
  StatusOr<Result> reconcile(const std::string&) override {
    ++calls;
    return Result{};
  }
  std::atomic<int> calls{0};
};

TEST(OpsServerTest, MetricsExposeBuildInfoAndReconcileCounters) {
  RuntimeMetrics metrics;
  auto server = OpsServer::start({"127.0.0.1", 0}, metrics);
  ASSERT_TRUE(server.isOk()) << server.status();

  util::ManualClock clock;
  OneShotReconciler reconciler;
  ControllerOptions o;
  o.name = "rollout";
  o.clock = &clock;
  o.observer = metrics.controllerObserver("rollout");
  o.queueObserver = metrics.workQueueObserver("rollout");
  {
    Controller controller(o, reconciler);
    controller.start();
    controller.enqueue("prod/web");
    for (int i = 0; i < 5000 && reconciler.calls.load() == 0; ++i) std::this_thread::sleep_for(1ms);
    controller.queue().shutDownWithDrain();
  }
  metrics.observeRequest("GET", 200);

  Reply reply = httpGet((*server)->port(), "/metrics");
  EXPECT_EQ(reply.status, 200);
  EXPECT_NE(reply.body.find("serin_build_info{"), std::string::npos) << reply.body;
  EXPECT_NE(reply.body.find("controller_runtime_reconcile_total{controller=\"rollout\",result="
                            "\"success\"} 1"),
            std::string::npos)
      << reply.body;
  EXPECT_NE(reply.body.find("workqueue_adds_total{name=\"rollout\"} 1"), std::string::npos);
  EXPECT_NE(reply.body.find("rest_client_requests_total{code=\"200\",method=\"GET\"} 1"),
            std::string::npos);
}

TEST(OpsServerTest, ReadyzFailsUntilEveryCheckPasses) {
  RuntimeMetrics metrics;
  auto server = OpsServer::start({"127.0.0.1", 0}, metrics);
  ASSERT_TRUE(server.isOk()) << server.status();
  std::atomic<bool> synced{false};
  (*server)->addReadinessCheck("informers-synced", [&] {
    return synced ? Status::ok() : unavailableError("pods informer not synced");
  });
  Reply not_ready = httpGet((*server)->port(), "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_NE(not_ready.body.find("[-]informers-synced failed: pods informer not synced"),
            std::string::npos);
  EXPECT_EQ(httpGet((*server)->port(), "/healthz").status, 200);
  synced = true;
  EXPECT_EQ(httpGet((*server)->port(), "/readyz").status, 200);
  EXPECT_EQ(httpGet((*server)->port(), "/nope").status, 404);
}

TEST(OpsServerTest, LivenessChecksFailHealthz) {
  RuntimeMetrics metrics;
  auto server = OpsServer::start({"127.0.0.1", 0}, metrics);
  ASSERT_TRUE(server.isOk()) << server.status();
  (*server)->addLivenessCheck("deadlock", [] { return internalError("worker stuck"); });
  util::HttpRequest request;
  request.method = "GET";
  request.path = "/healthz";
  EXPECT_EQ((*server)->handle(request).status, 500);
}

}  // namespace
}  // namespace serin::runtime
