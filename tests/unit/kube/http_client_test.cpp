#include <atomic>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "serin/kube/client.h"
#include "serin/version.h"

#include "testing/certs.h"
#include "testing/http_test_server.h"

namespace serin::kube {
namespace {

using testing::HttpTestServer;
using util::HttpRequest;
using util::HttpResponse;
using util::ResponseWriter;
using namespace std::chrono_literals;

// A clock whose sleeps return at once after advancing time; it records each requested sleep
// so tests can check backoff and rate limiting without waiting.
class RecordingClock final : public util::Clock {
 public:
  TimePoint now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  bool sleepUntil(TimePoint deadline, std::stop_token) override {
    std::lock_guard lock(mu_);
    sleeps_.push_back(deadline > now_ ? deadline - now_ : Duration(0));
    if (deadline > now_) now_ = deadline;
    return true;
  }
  std::vector<Duration> sleeps() const {
    std::lock_guard lock(mu_);
    return sleeps_;
  }

 private:
  mutable std::mutex mu_;
  TimePoint now_{std::chrono::seconds(1'700'000'000)};
  std::vector<Duration> sleeps_;
};

const GroupVersionResource kPods{"", "v1", "pods"};
const GroupVersionResource kDeployments{"apps", "v1", "deployments"};
const GroupVersionResource kRollouts{"argoproj.io", "v1alpha1", "rollouts"};

RestConfig configFor(const HttpTestServer& server) {
  RestConfig config;
  config.server = server.url();
  config.bearerToken = "secret-token";
  config.timeout = 2000ms;
  return config;
}

std::unique_ptr<Client> newClient(const RestConfig& config, util::Clock* clock = nullptr) {
  ClientOptions options;
  options.clock = clock;
  auto client = newHttpClient(config, options);
  EXPECT_TRUE(client.isOk()) << client.status();
  return client.isOk() ? std::move(client).value() : nullptr;
}

HttpResponse objectResponse(const Object& object, int status = 200) {
  return HttpResponse::json(status, object.dump());
}

Object pod(const std::string& name) { return Object("v1", "Pod", "default", name); }

// ---------------------------------------------------------------------------------------
// Requests.

TEST(HttpClientTest, GetSendsPathAndHeaders) {
  HttpTestServer server;
  server.respond([](const HttpRequest&) { return objectResponse(pod("web")); });
  auto client = newClient(configFor(server));
  ASSERT_TRUE(client);

  auto got = client->get({kPods, "default", "web", ""});
  ASSERT_TRUE(got.isOk()) << got.status();
  EXPECT_EQ(got->name(), "web");
  auto req = server.lastRequest();
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.target, "/api/v1/namespaces/default/pods/web");
  EXPECT_EQ(req.header("Accept"), "application/json");
  EXPECT_EQ(req.header("Authorization"), "Bearer secret-token");
  EXPECT_EQ(req.header("User-Agent"), std::string("serin/") + kVersion);

  ASSERT_TRUE(client->get({kDeployments, "team-a", "api", ""}, {"0"}).isOk());
  EXPECT_EQ(server.lastRequest().target,
            "/apis/apps/v1/namespaces/team-a/deployments/api?resourceVersion=0");
  ASSERT_TRUE(client->get({{"", "v1", "namespaces"}, "", "team-a", ""}).isOk());
  EXPECT_EQ(server.lastRequest().target, "/api/v1/namespaces/team-a");
}

TEST(HttpClientTest, ServerPathPrefixAndCustomUserAgentAreKept) {
  HttpTestServer server;
  server.respond([](const HttpRequest&) { return objectResponse(pod("web")); });
  RestConfig config = configFor(server);
  config.server += "/k8s/clusters/c-1/";
  config.userAgent = "kubectl-argo-rollouts/1.6";
  auto client = newClient(config);
  ASSERT_TRUE(client->get({kPods, "default", "web", ""}).isOk());
  EXPECT_EQ(server.lastRequest().path, "/k8s/clusters/c-1/api/v1/namespaces/default/pods/web");
  EXPECT_EQ(server.lastRequest().header("user-agent"), "kubectl-argo-rollouts/1.6");
}

TEST(HttpClientTest, ListPagesWithEncodedSelectors) {
  HttpTestServer server;
  server.respond([](const HttpRequest& req) {
    Json list = {{"apiVersion", "v1"},
                 {"kind", "PodList"},
                 {"metadata", {{"resourceVersion", "42"}}},
                 {"items", Json::array()}};
    if (!req.queryParam("continue")) {
      list["metadata"]["continue"] = "tok/en+1==";
      list["metadata"]["remainingItemCount"] = 1;
      list["items"].push_back({{"metadata", {{"name", "a"}, {"namespace", "default"}}}});
      list["items"].push_back({{"metadata", {{"name", "b"}, {"namespace", "default"}}}});
    } else {
      list["items"].push_back({{"metadata", {{"name", "c"}, {"namespace", "default"}}}});
    }
    return HttpResponse::json(200, list.dump());
  });
  auto client = newClient(configFor(server));
  ListOptions options;
  options.labelSelector = "app=web,tier in (a,b)";
  options.fieldSelector = "status.phase!=Failed";
  options.limit = 2;
  auto page1 = client->list(kPods, "default", options);
  ASSERT_TRUE(page1.isOk()) << page1.status();
  auto req = server.lastRequest();
  EXPECT_EQ(req.target,
            "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb%2Ctier%20in%20%28a%2Cb%29"
            "&fieldSelector=status.phase%21%3DFailed&limit=2");
  EXPECT_EQ(req.queryParam("labelSelector"), "app=web,tier in (a,b)");
  ASSERT_EQ(page1->items.size(), 2u);
  EXPECT_EQ(page1->items[0].kind(), "Pod");  // restored from the list kind
  EXPECT_EQ(page1->items[0].apiVersion(), "v1");
  EXPECT_EQ(page1->kind, "PodList");
  EXPECT_EQ(page1->resourceVersion, "42");
  EXPECT_EQ(page1->continueToken, "tok/en+1==");
  EXPECT_EQ(page1->remainingItemCount, 1);

  options.continueToken = page1->continueToken;
  auto page2 = client->list(kPods, "default", options);
  ASSERT_TRUE(page2.isOk());
  EXPECT_EQ(server.lastRequest().queryParam("continue"), "tok/en+1==");
  ASSERT_EQ(page2->items.size(), 1u);
  EXPECT_EQ(page2->items[0].name(), "c");
  EXPECT_TRUE(page2->continueToken.empty());

  ListOptions all;
  all.resourceVersion = "0";
  all.resourceVersionMatch = "NotOlderThan";
  ASSERT_TRUE(client->list(kPods, "", all).isOk());
  EXPECT_EQ(server.lastRequest().target,
            "/api/v1/pods?resourceVersion=0&resourceVersionMatch=NotOlderThan");
}

TEST(HttpClientTest, CreatePostsToTheCollection) {
  HttpTestServer server;
  server.respond([](const HttpRequest& req) { return HttpResponse::json(201, req.body); });
  auto client = newClient(configFor(server));
  Object rollout("argoproj.io/v1alpha1", "Rollout", "team", "web");
  rollout.json()["spec"] = {{"replicas", 3}};

  auto created = client->create(kRollouts, "", rollout);
  ASSERT_TRUE(created.isOk()) << created.status();
  EXPECT_EQ(*created, rollout);
  auto req = server.lastRequest();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/apis/argoproj.io/v1alpha1/namespaces/team/rollouts?fieldManager=serin");
  EXPECT_EQ(req.header("Content-Type"), "application/json");
  EXPECT_EQ(Json::parse(req.body), rollout.json());

  WriteOptions options;
  options.dryRun = true;
  options.fieldManager = "argo-rollouts";
  options.fieldValidation = "Strict";
  ASSERT_TRUE(client->create(kRollouts, "other", rollout, options).isOk());
  EXPECT_EQ(server.lastRequest().target,
            "/apis/argoproj.io/v1alpha1/namespaces/other/rollouts"
            "?dryRun=All&fieldManager=argo-rollouts&fieldValidation=Strict");
}

TEST(HttpClientTest, UpdateWritesObjectStatusAndScale) {
  HttpTestServer server;
  server.respond([](const HttpRequest& req) { return HttpResponse::json(200, req.body); });
  auto client = newClient(configFor(server));
  Object rollout("argoproj.io/v1alpha1", "Rollout", "team", "web");
  rollout.setResourceVersion("7");

  ASSERT_TRUE(client->update({kRollouts, "team", "web", ""}, rollout).isOk());
  EXPECT_EQ(server.lastRequest().method, "PUT");
  EXPECT_EQ(server.lastRequest().target,
            "/apis/argoproj.io/v1alpha1/namespaces/team/rollouts/web?fieldManager=serin");
  EXPECT_EQ(Json::parse(server.lastRequest().body)["metadata"]["resourceVersion"], "7");

  ASSERT_TRUE(client->update({kRollouts, "team", "web", "status"}, rollout).isOk());
  EXPECT_EQ(server.lastRequest().path,
            "/apis/argoproj.io/v1alpha1/namespaces/team/rollouts/web/status");

  Object scale("autoscaling/v1", "Scale", "team", "api");
  scale.json()["spec"] = {{"replicas", 5}};
  ASSERT_TRUE(client->update({kDeployments, "team", "api", "scale"}, scale).isOk());
  EXPECT_EQ(server.lastRequest().path, "/apis/apps/v1/namespaces/team/deployments/api/scale");
  EXPECT_EQ(Json::parse(server.lastRequest().body)["spec"]["replicas"], 5);
}

TEST(HttpClientTest, PatchUsesTheRightContentTypes) {
  HttpTestServer server;
  server.respond([](const HttpRequest&) { return objectResponse(pod("web")); });
  auto client = newClient(configFor(server));
  ResourceRef ref{kPods, "default", "web", ""};
  struct Case {
    PatchType type;
    const char* contentType;
  };
  for (auto [type, content_type] :
       {Case{PatchType::kMerge, "application/merge-patch+json"},
        Case{PatchType::kJson, "application/json-patch+json"},
        Case{PatchType::kStrategic, "application/strategic-merge-patch+json"},
        Case{PatchType::kApply, "application/apply-patch+yaml"}}) {
    PatchOptions options;
    options.force = true;  // only meaningful (and only sent) for apply
    ASSERT_TRUE(client->patch(ref, type, R"({"a":1})", options).isOk());
    auto req = server.lastRequest();
    EXPECT_EQ(req.method, "PATCH");
    EXPECT_EQ(req.header("content-type"), content_type);
    EXPECT_EQ(req.body, R"({"a":1})");
    EXPECT_EQ(req.queryParam("fieldManager"), "serin");
    EXPECT_EQ(req.queryParam("force").has_value(), type == PatchType::kApply) << content_type;
  }

  PatchOptions apply;
  apply.fieldManager = "serin-rollouts";
  apply.force = true;
  apply.dryRun = true;
  ASSERT_TRUE(client
                  ->patch({kRollouts, "team", "web", "status"}, PatchType::kApply,
                          "status:\n  phase: Healthy\n", apply)
                  .isOk());
  EXPECT_EQ(server.lastRequest().target,
            "/apis/argoproj.io/v1alpha1/namespaces/team/rollouts/web/status"
            "?dryRun=All&fieldManager=serin-rollouts&force=true");
}

TEST(HttpClientTest, DeleteSendsDeleteOptions) {
  HttpTestServer server;
  server.respond([](const HttpRequest&) {
    return HttpResponse::json(200, R"({"kind":"Status","apiVersion":"v1","status":"Success"})");
  });
  auto client = newClient(configFor(server));
  DeleteOptions options;
  options.propagationPolicy = "Foreground";
  options.preconditionUid = "uid-1";
  options.preconditionResourceVersion = "9";
  options.gracePeriodSeconds = 0;
  options.dryRun = true;
  auto removed = client->remove({kDeployments, "team", "api", ""}, options);
  ASSERT_TRUE(removed.isOk()) << removed.status();
  EXPECT_EQ(removed->kind(), "Status");
  auto req = server.lastRequest();
  EXPECT_EQ(req.method, "DELETE");
  EXPECT_EQ(req.target, "/apis/apps/v1/namespaces/team/deployments/api");
  EXPECT_EQ(req.header("content-type"), "application/json");
  EXPECT_EQ(Json::parse(req.body), Json::parse(R"({
    "kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground",
    "gracePeriodSeconds": 0, "preconditions": {"uid": "uid-1", "resourceVersion": "9"},
    "dryRun": ["All"]})"));

  ASSERT_TRUE(client->remove({kPods, "default", "web", ""}).isOk());
  EXPECT_EQ(Json::parse(server.lastRequest().body),
            Json::parse(R"({"kind":"DeleteOptions","apiVersion":"v1"})"));
}

TEST(HttpClientTest, DeleteCollectionWithSelectors) {
  HttpTestServer server;
  server.respond([](const HttpRequest&) {
    return HttpResponse::json(200, R"({"kind":"PodList","apiVersion":"v1","items":[]})");
  });
  auto client = newClient(configFor(server));
  ListOptions selectors;
  selectors.labelSelector = "rollouts-pod-template-hash=abc";
  DeleteOptions options;
  options.propagationPolicy = "Background";
  EXPECT_TRUE(client->removeCollection(kPods, "team", selectors, options).isOk());
  auto req = server.lastRequest();
  EXPECT_EQ(req.method, "DELETE");
  EXPECT_EQ(req.target,
            "/api/v1/namespaces/team/pods?labelSelector=rollouts-pod-template-hash%3Dabc");
  EXPECT_EQ(Json::parse(req.body)["propagationPolicy"], "Background");
}

TEST(HttpClientTest, RawPassesThroughAnyStatus) {
  HttpTestServer server;
  server.respond([](const HttpRequest& req) {
    if (req.path == "/version") return HttpResponse::json(200, R"({"gitVersion":"v1.29.0"})");
    return HttpResponse::text(500, "boom");
  });
  auto client = newClient(configFor(server));
  auto version = client->raw({"GET", "/version", "", "", ""});
  ASSERT_TRUE(version.isOk());
  EXPECT_EQ(version->status, 200);
  EXPECT_EQ(Json::parse(version->body)["gitVersion"], "v1.29.0");
  EXPECT_EQ(version->contentType, "application/json");
  RawRequest post{"POST", "/other?x=1", "body", "text/plain", "text/plain"};
  auto other = client->raw(post);
  ASSERT_TRUE(other.isOk());
  EXPECT_EQ(other->status, 500);  // not retried: POST
  EXPECT_EQ(server.lastRequest().header("accept"), "text/plain");
  EXPECT_EQ(server.lastRequest().body, "body");
}

// ---------------------------------------------------------------------------------------
// Errors.

struct ErrorCase {
  int http;
  const char* reason;
  StatusCode code;
};

class HttpClientErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(HttpClientErrorTest, MapsStatusBodies) {
  const ErrorCase& c = GetParam();
  HttpTestServer server;
  server.respond([&](const HttpRequest&) {
    return HttpTestServer::statusResponse(c.http, c.reason, "rollouts.argoproj.io \"web\" says no");
  });
  RecordingClock clock;
  auto client = newClient(configFor(server), &clock);
  auto got =
      client->create(kRollouts, "team", Object("argoproj.io/v1alpha1", "Rollout", "team", "web"));
  ASSERT_FALSE(got.isOk());
  EXPECT_EQ(got.status().code(), c.code) << got.status();
  EXPECT_EQ(got.status().message(), "rollouts.argoproj.io \"web\" says no");
  EXPECT_EQ(got.status().reason(), c.reason);
  EXPECT_EQ(got.status().message().find("secret-token"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    All, HttpClientErrorTest,
    ::testing::Values(ErrorCase{404, "NotFound", StatusCode::kNotFound},
                      ErrorCase{409, "AlreadyExists", StatusCode::kAlreadyExists},
                      ErrorCase{409, "Conflict", StatusCode::kConflict},
                      ErrorCase{409, "FieldManagerConflict", StatusCode::kConflict},
                      ErrorCase{410, "Expired", StatusCode::kGone},
                      ErrorCase{401, "Unauthorized", StatusCode::kUnauthorized},
                      ErrorCase{403, "Forbidden", StatusCode::kForbidden},
                      ErrorCase{400, "BadRequest", StatusCode::kInvalid},
                      ErrorCase{422, "Invalid", StatusCode::kInvalid},
                      ErrorCase{429, "TooManyRequests", StatusCode::kTooManyRequests},
                      ErrorCase{500, "InternalError", StatusCode::kUnavailable},
                      ErrorCase{503, "ServiceUnavailable", StatusCode::kUnavailable},
                      ErrorCase{504, "Timeout", StatusCode::kDeadlineExceeded}));

TEST(HttpClientTest, NonStatusErrorBodyIsQuoted) {
  HttpTestServer server;
  server.respond([](const HttpRequest&) { return HttpResponse::text(502, "bad gateway\n"); });
  RecordingClock clock;
  auto client = newClient(configFor(server), &clock);
  auto got = client->get({kPods, "default", "web", ""});
  EXPECT_TRUE(got.status().is(StatusCode::kUnavailable));
  EXPECT_EQ(got.status().message(), "HTTP 502: bad gateway");
}

TEST(HttpClientTest, ConnectionRefusedIsUnavailableWithoutSecrets) {
  std::string url;
  {
    HttpTestServer server;
    url = server.url();
  }
  RestConfig config;
  config.server = url;
  config.bearerToken = "secret-token";
  RecordingClock clock;
  auto client = newClient(config, &clock);
  auto got = client->create(kPods, "default", pod("web"));
  EXPECT_TRUE(got.status().is(StatusCode::kUnavailable)) << got.status();
  EXPECT_EQ(got.status().message().find("secret-token"), std::string::npos);
  EXPECT_EQ(clock.sleeps().size(), 5u);  // connect failures are retried for any verb
}

TEST(HttpClientTest, SlowServerIsDeadlineExceeded) {
  HttpTestServer server;
  server.respond([](const HttpRequest&) {
    std::this_thread::sleep_for(400ms);
    return objectResponse(pod("web"));
  });
  RestConfig config = configFor(server);
  config.timeout = 100ms;
  RecordingClock clock;
  ClientOptions options;
  options.clock = &clock;
  options.maxRetries = 0;
  auto client = std::move(newHttpClient(config, options)).value();
  auto got = client->get({kPods, "default", "web", ""});
  EXPECT_TRUE(got.status().is(StatusCode::kDeadlineExceeded)) << got.status();
}

// ---------------------------------------------------------------------------------------
// Retries.

TEST(HttpClientTest, TooManyRequestsHonoursRetryAfter) {
  HttpTestServer server;
  std::atomic<int> calls = 0;
  server.respond([&](const HttpRequest&) {
    if (calls++ == 0) {
      return HttpTestServer::statusResponse(429, "TooManyRequests", "slow down")
          .header("Retry-After", "3");
    }
    return objectResponse(pod("web"), 201);
  });
  RecordingClock clock;
  auto client = newClient(configFor(server), &clock);
  auto start = clock.now();
  auto created = client->create(kPods, "default", pod("web"));  // POST: 429 is still safe
  ASSERT_TRUE(created.isOk()) << created.status();
  EXPECT_EQ(server.requestCount(), 2u);
  ASSERT_EQ(clock.sleeps().size(), 1u);
  EXPECT_EQ(clock.sleeps()[0], std::chrono::seconds(3));
  EXPECT_GE(clock.now() - start, std::chrono::seconds(3));
}

TEST(HttpClientTest, ServerErrorsAreRetriedForGetWithBackoff) {
  HttpTestServer server;
  std::atomic<int> calls = 0;
  server.respond([&](const HttpRequest&) {
    if (calls++ < 2) return HttpTestServer::statusResponse(503, "ServiceUnavailable", "busy");
    return objectResponse(pod("web"));
  });
  RecordingClock clock;
  auto client = newClient(configFor(server), &clock);
  ASSERT_TRUE(client->get({kPods, "default", "web", ""}).isOk());
  EXPECT_EQ(server.requestCount(), 3u);
  EXPECT_EQ(clock.sleeps(), (std::vector<util::Clock::Duration>{200ms, 400ms}));
}

TEST(HttpClientTest, ServerErrorsAreNotRetriedForWrites) {
  HttpTestServer server;
  server.respond([](const HttpRequest&) {
    return HttpTestServer::statusResponse(500, "InternalError", "etcd hiccup");
  });
  RecordingClock clock;
  auto client = newClient(configFor(server), &clock);
  EXPECT_TRUE(client->create(kPods, "default", pod("web")).status().is(StatusCode::kUnavailable));
  EXPECT_EQ(server.requestCount(), 1u);
  EXPECT_TRUE(client->patch({kPods, "default", "web", ""}, PatchType::kMerge, "{}")
                  .status()
                  .is(StatusCode::kUnavailable));
  EXPECT_EQ(server.requestCount(), 2u);
  EXPECT_TRUE(clock.sleeps().empty());
}

TEST(HttpClientTest, RetriesStopAfterMaxRetries) {
  HttpTestServer server;
  server.respond([](const HttpRequest&) {
    return HttpTestServer::statusResponse(503, "ServiceUnavailable", "down");
  });
  RecordingClock clock;
  ClientOptions options;
  options.clock = &clock;
  options.maxRetries = 3;
  options.initialBackoff = 1000ms;
  options.maxBackoff = 2500ms;
  auto client = std::move(newHttpClient(configFor(server), options)).value();
  EXPECT_TRUE(client->get({kPods, "default", "web", ""}).status().is(StatusCode::kUnavailable));
  EXPECT_EQ(server.requestCount(), 4u);
  EXPECT_EQ(clock.sleeps(), (std::vector<util::Clock::Duration>{1000ms, 2000ms, 2500ms}));
}

TEST(HttpClientTest, UnauthorizedIsRetriedOnce) {
  HttpTestServer server;
  server.respond([](const HttpRequest&) {
    return HttpTestServer::statusResponse(401, "Unauthorized", "Unauthorized");
  });
  RecordingClock clock;
  auto client = newClient(configFor(server), &clock);
  EXPECT_TRUE(client->get({kPods, "default", "web", ""}).status().is(StatusCode::kUnauthorized));
  EXPECT_EQ(server.requestCount(), 2u);
}

TEST(HttpClientTest, QpsLimitsRequestRate) {
  HttpTestServer server;
  server.respond([](const HttpRequest&) { return objectResponse(pod("web")); });
  RestConfig config = configFor(server);
  config.qps = 2;
  config.burst = 2;
  RecordingClock clock;
  auto client = newClient(config, &clock);
  auto start = clock.now();
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(client->get({kPods, "default", "web", ""}).isOk());
  // Two go at once (burst), the other four each wait half a second (2 qps).
  EXPECT_EQ(clock.sleeps().size(), 4u);
  EXPECT_EQ(clock.now() - start, std::chrono::seconds(2));
}

TEST(HttpClientTest, RequestObserverSeesEveryRequest) {
  HttpTestServer server;
  server.respond([](const HttpRequest& req) {
    if (req.method == "DELETE") return HttpTestServer::statusResponse(404, "NotFound", "gone");
    return objectResponse(pod("web"));
  });
  std::mutex mu;
  std::vector<std::pair<std::string, long>> seen;
  setGlobalRequestObserver([&](std::string_view verb, long status, double seconds) {
    std::lock_guard lock(mu);
    EXPECT_GE(seconds, 0);
    seen.emplace_back(std::string(verb), status);
  });
  auto client = newClient(configFor(server));
  EXPECT_TRUE(client->get({kPods, "default", "web", ""}).isOk());
  EXPECT_FALSE(client->remove({kPods, "default", "web", ""}).isOk());
  setGlobalRequestObserver(nullptr);
  std::lock_guard lock(mu);
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, long>>{{"GET", 200}, {"DELETE", 404}}));
}

// ---------------------------------------------------------------------------------------
// Watch.

std::string eventLine(const std::string& type, const Object& object) {
  return Json{{"type", type}, {"object", object.json()}}.dump() + "\n";
}

Object podAt(const std::string& name, const std::string& rv) {
  Object o = pod(name);
  o.setResourceVersion(rv);
  return o;
}

struct Collected {
  std::mutex mu;
  std::vector<WatchEvent> events;
  WatchHandler handler() {
    return [this](WatchEvent&& e) {
      std::lock_guard lock(mu);
      events.push_back(std::move(e));
      return true;
    };
  }
  std::vector<WatchEventType> types() {
    std::lock_guard lock(mu);
    std::vector<WatchEventType> out;
    for (const auto& e : events) out.push_back(e.type);
    return out;
  }
};

TEST(HttpClientWatchTest, DeliversEventsSplitAcrossChunks) {
  HttpTestServer server;
  server.setResponder([](const HttpRequest&, ResponseWriter& w) -> std::optional<HttpResponse> {
    std::string all =
        eventLine("ADDED", podAt("a", "10")) + eventLine("MODIFIED", podAt("a", "11")) +
        eventLine("BOOKMARK", podAt("", "12")) + "\n" + eventLine("DELETED", podAt("a", "13"));
    EXPECT_TRUE(w.begin(200, {{"Content-Type", "application/json"}}).isOk());
    // Chunk boundaries in the middle of lines.
    for (std::size_t i = 0; i < all.size(); i += 37) EXPECT_TRUE(w.write(all.substr(i, 37)).isOk());
    return std::nullopt;
  });
  auto client = newClient(configFor(server));
  Collected got;
  ListOptions options;
  options.resourceVersion = "5";
  options.timeoutSeconds = 30;
  options.labelSelector = "app=web";
  Status status = client->watch(kPods, "default", options, got.handler(), {});
  EXPECT_TRUE(status.isOk()) << status;
  EXPECT_EQ(got.types(),
            (std::vector<WatchEventType>{WatchEventType::kAdded, WatchEventType::kModified,
                                         WatchEventType::kBookmark, WatchEventType::kDeleted}));
  EXPECT_EQ(got.events[1].object.resourceVersion(), "11");
  EXPECT_EQ(got.events[3].object.name(), "a");
  EXPECT_EQ(server.lastRequest().target,
            "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb&watch=true"
            "&resourceVersion=5&allowWatchBookmarks=true&timeoutSeconds=30");
  EXPECT_EQ(watchEventTypeName(WatchEventType::kBookmark), "BOOKMARK");
}

TEST(HttpClientWatchTest, CutStreamDeliversCompleteEventsThenFails) {
  HttpTestServer server;
  server.setResponder([](const HttpRequest&, ResponseWriter& w) -> std::optional<HttpResponse> {
    EXPECT_TRUE(w.begin(200, {}).isOk());
    EXPECT_TRUE(w.write(eventLine("ADDED", podAt("a", "1"))).isOk());
    EXPECT_TRUE(w.write(eventLine("ADDED", podAt("b", "2"))).isOk());
    std::string partial = eventLine("ADDED", podAt("c", "3"));
    EXPECT_TRUE(w.write(partial.substr(0, partial.size() / 2)).isOk());
    std::this_thread::sleep_for(20ms);  // let the client consume what was sent
    w.abort();
    return std::nullopt;
  });
  auto client = newClient(configFor(server));
  Collected got;
  Status status = client->watch(kPods, "", {}, got.handler(), {});
  EXPECT_TRUE(status.is(StatusCode::kUnavailable)) << status;
  ASSERT_EQ(got.events.size(), 2u);
  EXPECT_EQ(got.events[1].object.name(), "b");
}

TEST(HttpClientWatchTest, GoneAsHttpStatus) {
  HttpTestServer server;
  server.respond([](const HttpRequest&) {
    return HttpTestServer::statusResponse(410, "Expired", "too old resource version: 5 (90)");
  });
  auto client = newClient(configFor(server));
  Collected got;
  Status status = client->watch(kPods, "", {}, got.handler(), {});
  EXPECT_TRUE(status.is(StatusCode::kGone)) << status;
  EXPECT_EQ(status.reason(), "Expired");
  EXPECT_TRUE(got.events.empty());
}

TEST(HttpClientWatchTest, GoneAsErrorEvent) {
  HttpTestServer server;
  server.setResponder([](const HttpRequest&, ResponseWriter& w) -> std::optional<HttpResponse> {
    EXPECT_TRUE(w.begin(200, {}).isOk());
    EXPECT_TRUE(w.write(eventLine("ADDED", podAt("a", "1"))).isOk());
    Object status(Json{{"kind", "Status"},
                       {"apiVersion", "v1"},
                       {"status", "Failure"},
                       {"message", "too old resource version: 1 (50)"},
                       {"reason", "Expired"},
                       {"code", 410}});
    EXPECT_TRUE(w.write(eventLine("ERROR", status)).isOk());
    // The server may keep the stream open; the client must stop on its own.
    while (!w.closed()) std::this_thread::sleep_for(5ms);
    return std::nullopt;
  });
  auto client = newClient(configFor(server));
  Collected got;
  Status status = client->watch(kPods, "", {}, got.handler(), {});
  EXPECT_TRUE(status.is(StatusCode::kGone)) << status;
  EXPECT_EQ(status.message(), "too old resource version: 1 (50)");
  EXPECT_EQ(got.types(),
            (std::vector<WatchEventType>{WatchEventType::kAdded, WatchEventType::kError}));
}

TEST(HttpClientWatchTest, HandlerCanEndTheWatch) {
  HttpTestServer server;
  server.setResponder([](const HttpRequest&, ResponseWriter& w) -> std::optional<HttpResponse> {
    EXPECT_TRUE(w.begin(200, {}).isOk());
    for (int i = 0; i < 3 && !w.closed(); ++i) {
      (void)w.write(eventLine("ADDED", podAt("p" + std::to_string(i), "1")));
    }
    while (!w.closed()) std::this_thread::sleep_for(5ms);
    return std::nullopt;
  });
  auto client = newClient(configFor(server));
  int seen = 0;
  Status status = client->watch(kPods, "", {}, [&](WatchEvent&&) { return ++seen < 2; }, {});
  EXPECT_TRUE(status.isOk()) << status;
  EXPECT_EQ(seen, 2);
}

TEST(HttpClientWatchTest, StopTokenCancelsPromptly) {
  HttpTestServer server;
  std::promise<void> streaming;
  server.setResponder([&](const HttpRequest&, ResponseWriter& w) -> std::optional<HttpResponse> {
    EXPECT_TRUE(w.begin(200, {}).isOk());
    streaming.set_value();
    while (!w.closed()) std::this_thread::sleep_for(5ms);  // an idle watch
    return std::nullopt;
  });
  auto client = newClient(configFor(server));
  std::stop_source stop;
  Collected got;
  auto result = std::async(std::launch::async, [&] {
    return client->watch(kPods, "", {}, got.handler(), stop.get_token());
  });
  ASSERT_EQ(streaming.get_future().wait_for(3s), std::future_status::ready);
  std::this_thread::sleep_for(50ms);
  auto started = std::chrono::steady_clock::now();
  stop.request_stop();
  ASSERT_EQ(result.wait_for(2s), std::future_status::ready);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 500ms);
  EXPECT_TRUE(result.get().is(StatusCode::kCancelled));
}

TEST(HttpClientWatchTest, OversizedGarbageIsRejected) {
  HttpTestServer server;
  server.setResponder([](const HttpRequest&, ResponseWriter& w) -> std::optional<HttpResponse> {
    EXPECT_TRUE(w.begin(200, {}).isOk());
    (void)w.write("this is not json\n");
    return std::nullopt;
  });
  auto client = newClient(configFor(server));
  Collected got;
  Status status = client->watch(kPods, "", {}, got.handler(), {});
  EXPECT_TRUE(status.is(StatusCode::kInternal)) << status;
}

// ---------------------------------------------------------------------------------------
// TLS.

class HttpClientTlsTest : public ::testing::Test {
 protected:
  testing::TestPki pki_ = testing::makeTestPki();

  RestConfig tlsConfig(const HttpTestServer& server) {
    RestConfig config;
    config.server = server.url();
    config.caData = pki_.ca.certPem;
    config.timeout = 2000ms;
    return config;
  }
  static ClientOptions noRetries(util::Clock* clock) {
    ClientOptions options;
    options.clock = clock;
    options.maxRetries = 0;
    return options;
  }
};

HttpResponse whoAmI(const HttpRequest& req) {
  return HttpResponse::json(200, Json{{"kind", "Whoami"}, {"cn", req.clientCertCommonName}}.dump());
}

TEST_F(HttpClientTlsTest, ClientCertificateIsPresented) {
  HttpTestServer server(pki_.serverTls(true, true));
  server.respond(whoAmI);
  RestConfig config = tlsConfig(server);
  config.clientCertData = pki_.client.certPem;
  config.clientKeyData = pki_.client.keyPem;
  auto client = newClient(config);
  auto got = client->raw({"GET", "/whoami", "", "", ""});
  ASSERT_TRUE(got.isOk()) << got.status();
  EXPECT_EQ(Json::parse(got->body)["cn"], "serin-test-client");
}

TEST_F(HttpClientTlsTest, MissingClientCertificateFails) {
  HttpTestServer server(pki_.serverTls(true, true));
  server.respond(whoAmI);
  RecordingClock clock;
  auto client = std::move(newHttpClient(tlsConfig(server), noRetries(&clock))).value();
  auto got = client->raw({"GET", "/whoami", "", "", ""});
  EXPECT_TRUE(got.status().is(StatusCode::kUnavailable)) << got.status();
}

TEST_F(HttpClientTlsTest, WrongCaFailsVerificationUnlessInsecure) {
  HttpTestServer server(pki_.serverTls());
  server.respond(whoAmI);
  RestConfig config = tlsConfig(server);
  config.caData = testing::makeTestPki("other-ca").ca.certPem;
  RecordingClock clock;
  auto client = std::move(newHttpClient(config, noRetries(&clock))).value();
  auto got = client->raw({"GET", "/whoami", "", "", ""});
  EXPECT_TRUE(got.status().is(StatusCode::kUnavailable)) << got.status();

  config.insecureSkipTlsVerify = true;
  auto insecure = newClient(config);
  EXPECT_TRUE(insecure->raw({"GET", "/whoami", "", "", ""}).isOk());
}

TEST_F(HttpClientTlsTest, TlsServerNameOverridesVerifiedName) {
  util::CertificateRequest req;
  req.commonName = "apiserver.test";
  req.dnsNames = {"apiserver.test"};  // no IP SAN: 127.0.0.1 alone does not verify
  auto named = util::issueCertificate(pki_.ca, req);
  ASSERT_TRUE(named.isOk());
  util::TlsOptions tls;
  tls.certPem = named->certPem;
  tls.keyPem = named->keyPem;
  HttpTestServer server(tls);
  server.respond(whoAmI);
  RecordingClock clock;
  RestConfig config = tlsConfig(server);
  auto plain = std::move(newHttpClient(config, noRetries(&clock))).value();
  EXPECT_FALSE(plain->raw({"GET", "/whoami", "", "", ""}).isOk());

  config.tlsServerName = "apiserver.test";
  auto client = newClient(config);
  auto got = client->raw({"GET", "/whoami", "", "", ""});
  ASSERT_TRUE(got.isOk()) << got.status();
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(server.lastRequest().header("host"),
            "127.0.0.1:" + server.url().substr(server.url().rfind(':') + 1));
}

// ---------------------------------------------------------------------------------------
// Discovery.

class FakeDiscovery {
 public:
  explicit FakeDiscovery(HttpTestServer& server) {
    server.respond([this](const HttpRequest& req) { return answer(req.path); });
  }
  std::atomic<bool> withArgo = false;
  std::atomic<int> apisCalls = 0;

 private:
  static Json resource(const std::string& name, const std::string& kind, bool namespaced) {
    return {{"name", name}, {"singularName", ""},       {"namespaced", namespaced},
            {"kind", kind}, {"verbs", {"get", "list"}}, {"shortNames", Json::array()}};
  }

  HttpResponse answer(const std::string& path) {
    if (path == "/api")
      return HttpResponse::json(200, R"({"kind":"APIVersions","versions":["v1"]})");
    if (path == "/api/v1") {
      Json list = {{"kind", "APIResourceList"},
                   {"groupVersion", "v1"},
                   {"resources",
                    {resource("pods", "Pod", true), resource("pods/log", "Pod", true),
                     resource("namespaces", "Namespace", false)}}};
      return HttpResponse::json(200, list.dump());
    }
    if (path == "/apis") {
      ++apisCalls;
      Json groups = Json::array();
      groups.push_back({{"name", "apps"},
                        {"versions",
                         {{{"groupVersion", "apps/v1"}, {"version", "v1"}},
                          {{"groupVersion", "apps/v1beta1"}, {"version", "v1beta1"}}}},
                        {"preferredVersion", {{"groupVersion", "apps/v1"}, {"version", "v1"}}}});
      groups.push_back(
          {{"name", "metrics.k8s.io"},
           {"versions", {{{"groupVersion", "metrics.k8s.io/v1beta1"}, {"version", "v1beta1"}}}},
           {"preferredVersion",
            {{"groupVersion", "metrics.k8s.io/v1beta1"}, {"version", "v1beta1"}}}});
      if (withArgo) {
        groups.push_back(
            {{"name", "argoproj.io"},
             {"versions", {{{"groupVersion", "argoproj.io/v1alpha1"}, {"version", "v1alpha1"}}}},
             {"preferredVersion",
              {{"groupVersion", "argoproj.io/v1alpha1"}, {"version", "v1alpha1"}}}});
      }
      return HttpResponse::json(200, Json{{"kind", "APIGroupList"}, {"groups", groups}}.dump());
    }
    if (path == "/apis/apps/v1" || path == "/apis/apps/v1beta1") {
      std::string gv = path.substr(6);
      Json list = {{"kind", "APIResourceList"},
                   {"groupVersion", gv},
                   {"resources",
                    {resource("deployments", "Deployment", true),
                     resource("deployments/status", "Deployment", true),
                     resource("deployments/scale", "Scale", true)}}};
      return HttpResponse::json(200, list.dump());
    }
    if (path == "/apis/metrics.k8s.io/v1beta1") {
      return HttpTestServer::statusResponse(503, "ServiceUnavailable", "aggregated API down");
    }
    if (path == "/apis/argoproj.io/v1alpha1" && withArgo) {
      Json list = {
          {"kind", "APIResourceList"},
          {"groupVersion", "argoproj.io/v1alpha1"},
          {"resources",
           {resource("rollouts", "Rollout", true), resource("rollouts/status", "Rollout", true)}}};
      return HttpResponse::json(200, list.dump());
    }
    return HttpTestServer::statusResponse(404, "NotFound", "not found");
  }
};

TEST(HttpClientDiscoveryTest, ResolvesKindsWithSubresources) {
  HttpTestServer server;
  FakeDiscovery fake(server);
  RecordingClock clock;
  ClientOptions options;
  options.clock = &clock;
  options.maxRetries = 0;
  auto client = std::move(newHttpClient(configFor(server), options)).value();

  auto deploy = client->resourceFor({"apps", "v1", "Deployment"});
  ASSERT_TRUE(deploy.isOk()) << deploy.status();
  EXPECT_EQ(deploy->gvr, kDeployments);
  EXPECT_TRUE(deploy->namespaced);
  EXPECT_EQ(deploy->subresources, (std::vector<std::string>{"status", "scale"}));
  EXPECT_EQ(deploy->verbs, (std::vector<std::string>{"get", "list"}));

  auto ns = client->resourceFor({"", "v1", "Namespace"});
  ASSERT_TRUE(ns.isOk());
  EXPECT_FALSE(ns->namespaced);
  auto pods = client->resourceFor({"", "v1", "Pod"});
  ASSERT_TRUE(pods.isOk());
  EXPECT_EQ(pods->gvr.resource, "pods");
  EXPECT_EQ(pods->subresources, std::vector<std::string>{"log"});
  EXPECT_EQ(fake.apisCalls.load(), 1);  // cached

  auto all = client->serverResources();
  ASSERT_TRUE(all.isOk());
  std::vector<std::string> names;
  for (const auto& r : *all) names.push_back(r.gvr.toString());
  EXPECT_EQ(names, (std::vector<std::string>{"pods.v1", "namespaces.v1", "deployments.v1.apps"}));
}

TEST(HttpClientDiscoveryTest, MissRefreshesOnceThenNotFound) {
  HttpTestServer server;
  FakeDiscovery fake(server);
  auto client = newClient(configFor(server));
  ASSERT_TRUE(client->resourceFor({"apps", "v1", "Deployment"}).isOk());
  EXPECT_EQ(fake.apisCalls.load(), 1);

  fake.withArgo = true;  // a CRD got installed
  auto rollout = client->resourceFor({"argoproj.io", "v1alpha1", "Rollout"});
  ASSERT_TRUE(rollout.isOk()) << rollout.status();
  EXPECT_EQ(rollout->gvr, kRollouts);
  EXPECT_EQ(fake.apisCalls.load(), 2);

  auto missing = client->resourceFor({"example.com", "v1", "Widget"});
  EXPECT_TRUE(missing.status().is(StatusCode::kNotFound)) << missing.status();
  EXPECT_EQ(fake.apisCalls.load(), 3);

  client->invalidateDiscovery();
  ASSERT_TRUE(client->resourceFor({"apps", "v1", "Deployment"}).isOk());
  EXPECT_EQ(fake.apisCalls.load(), 4);
}

TEST(HttpClientDiscoveryTest, RefForUsesDefaultNamespace) {
  HttpTestServer server;
  FakeDiscovery fake(server);
  fake.withArgo = true;
  RestConfig config = configFor(server);
  config.defaultNamespace = "team";
  auto client = newClient(config);
  auto ref = refFor(*client, Object("argoproj.io/v1alpha1", "Rollout", "", "web"));
  ASSERT_TRUE(ref.isOk()) << ref.status();
  EXPECT_EQ(ref->gvr, kRollouts);
  EXPECT_EQ(ref->ns, "team");
  EXPECT_EQ(ref->name, "web");
  auto cluster = refFor(*client, Object("v1", "Namespace", "ignored", "prod"));
  ASSERT_TRUE(cluster.isOk());
  EXPECT_EQ(cluster->ns, "");
}

}  // namespace
}  // namespace serin::kube
