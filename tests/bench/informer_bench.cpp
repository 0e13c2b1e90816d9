// Informer cache cost at scale: 100,000 Pod-like objects.
//
// Reports bytes per cached object (heap growth measured with mallinfo2, JSON document included),
// updates/s applied through the cache with the built-in namespace and owner indexes plus one
// custom label index, and list()/byIndex() latency. The informer is fed through applyEvent(), so
// the figures are the cache's own, without any API traffic.
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "serin/kube/client.h"
#include "serin/runtime/informer.h"

#include <malloc.h>

namespace {

using serin::Status;
using serin::StatusOr;
using serin::runtime::Informer;
using serin::runtime::InformerOptions;
namespace kube = serin::kube;

constexpr int kObjects = 100'000;
constexpr int kNamespaces = 100;
constexpr int kPodsPerOwner = 10;

// The informer is never started: the client is never called.
class NullClient final : public kube::Client {
 public:
  StatusOr<kube::Object> get(const kube::ResourceRef&, const kube::GetOptions&) override {
    return unavailable();
  }
  StatusOr<kube::ObjectList> list(const kube::GroupVersionResource&, std::string_view,
                                  const kube::ListOptions&) override {
    return unavailable();
  }
  StatusOr<kube::Object> create(const kube::GroupVersionResource&, std::string_view,
                                const kube::Object&, const kube::WriteOptions&) override {
    return unavailable();
  }
  StatusOr<kube::Object> update(const kube::ResourceRef&, const kube::Object&,
                                const kube::WriteOptions&) override {
    return unavailable();
  }
  StatusOr<kube::Object> patch(const kube::ResourceRef&, kube::PatchType, std::string_view,
                               const kube::PatchOptions&) override {
    return unavailable();
  }
  StatusOr<kube::Object> remove(const kube::ResourceRef&, const kube::DeleteOptions&) override {
    return unavailable();
  }
  Status removeCollection(const kube::GroupVersionResource&, std::string_view,
                          const kube::ListOptions&, const kube::DeleteOptions&) override {
    return unavailable();
  }
  Status watch(const kube::GroupVersionResource&, std::string_view, const kube::ListOptions&,
               const kube::WatchHandler&, std::stop_token) override {
    return unavailable();
  }
  StatusOr<kube::ResourceInfo> resourceFor(const kube::GroupVersionKind&) override {
    return unavailable();
  }
  StatusOr<std::vector<kube::ResourceInfo>> serverResources() override { return unavailable(); }
  void invalidateDiscovery() override {}
  StatusOr<kube::RawResponse> raw(const kube::RawRequest&) override { return unavailable(); }
  const kube::RestConfig& config() const override { return config_; }

 private:
  static Status unavailable() { return serin::unavailableError("bench: no API"); }
  kube::RestConfig config_;
};

std::string ns(int i) { return "team-" + std::to_string(i % kNamespaces); }
std::string ownerUid(int i) {
  return "5f0c1e2a-7b3d-4c8e-9a1f-" + std::to_string(100'000'000'000 + i / kPodsPerOwner);
}

// A Pod as the API server returns it, trimmed of managedFields: about 2 KB of JSON.
kube::Object podLike(int i, int generation) {
  std::string name = "web-7d9f8c6b5-" + std::to_string(i);
  kube::Object pod("v1", "Pod", ns(i), name);
  pod.setUid("0b7c9a3e-2f41-4d6b-8e5a-" + std::to_string(200'000'000'000 + i));
  pod.setResourceVersion(std::to_string(1'000'000 + i * 7 + generation));
  pod.setCreationTimestamp("2024-05-01T10:00:00Z");
  pod.setLabels({{"app", "web"},
                 {"pod-template-hash", "7d9f8c6b5"},
                 {"rollouts-pod-template-hash", "7d9f8c6b5"},
                 {"version", "v" + std::to_string(generation)}});
  pod.setAnnotations({{"prometheus.io/scrape", "true"}, {"prometheus.io/port", "9090"}});
  pod.addOwnerReference({"apps/v1", "ReplicaSet", "web-7d9f8c6b5", ownerUid(i), true, true});
  auto& j = pod.json();
  j["spec"] = {{"containers",
                {{{"name", "web"},
                  {"image", "registry.example.com/shop/web:1.42." + std::to_string(generation)},
                  {"ports", {{{"containerPort", 8080}, {"name", "http"}, {"protocol", "TCP"}}}},
                  {"env",
                   {{{"name", "LOG_LEVEL"}, {"value", "info"}},
                    {{"name", "POD_NAME"},
                     {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.name"}}}}}}}},
                  {"resources",
                   {{"requests", {{"cpu", "100m"}, {"memory", "128Mi"}}},
                    {"limits", {{"cpu", "500m"}, {"memory", "256Mi"}}}}},
                  {"readinessProbe",
                   {{"httpGet", {{"path", "/healthz"}, {"port", 8080}}}, {"periodSeconds", 5}}}}}},
               {"nodeName", "node-" + std::to_string(i % 50)},
               {"serviceAccountName", "web"},
               {"restartPolicy", "Always"},
               {"terminationGracePeriodSeconds", 30}};
  j["status"] = {{"phase", "Running"},
                 {"podIP", "10.1." + std::to_string(i / 250 % 250) + "." + std::to_string(i % 250)},
                 {"hostIP", "192.168.0." + std::to_string(i % 50)},
                 {"startTime", "2024-05-01T10:00:01Z"},
                 {"conditions",
                  {{{"type", "Initialized"}, {"status", "True"}},
                   {{"type", "Ready"}, {"status", "True"}},
                   {{"type", "ContainersReady"}, {"status", "True"}},
                   {{"type", "PodScheduled"}, {"status", "True"}}}},
                 {"containerStatuses",
                  {{{"name", "web"},
                    {"ready", true},
                    {"restartCount", 0},
                    {"image", "registry.example.com/shop/web:1.42." + std::to_string(generation)},
                    {"state", {{"running", {{"startedAt", "2024-05-01T10:00:02Z"}}}}}}}}};
  return pod;
}

std::unique_ptr<Informer> newInformer(kube::Client& client) {
  InformerOptions options;
  options.gvr = {"", "v1", "pods"};
  auto informer = std::make_unique<Informer>(client, options);
  (void)informer->addIndexer("app", [](const kube::Object& o) {
    auto app = o.label("app");
    return app ? std::vector<std::string>{*app} : std::vector<std::string>{};
  });
  return informer;
}

NullClient& client() {
  static NullClient c;
  return c;
}

// One populated cache shared by the read benchmarks.
Informer& populated() {
  static std::unique_ptr<Informer> informer = [] {
    auto inf = newInformer(client());
    for (int i = 0; i < kObjects; ++i) inf->applyEvent(kube::WatchEventType::kAdded, podLike(i, 0));
    return inf;
  }();
  return *informer;
}

void BM_CacheBytesPerObject(benchmark::State& state) {
  for (auto _ : state) {
    malloc_trim(0);
    size_t before = mallinfo2().uordblks;
    auto informer = newInformer(client());
    for (int i = 0; i < kObjects; ++i) {
      informer->applyEvent(kube::WatchEventType::kAdded, podLike(i, 0));
    }
    size_t after = mallinfo2().uordblks;
    // The JSON alone, for comparison: what the objects cost without the cache around them.
    size_t json_before = mallinfo2().uordblks;
    {
      std::vector<kube::Object> plain;
      plain.reserve(1000);
      for (int i = 0; i < 1000; ++i) plain.push_back(podLike(i, 0));
      state.counters["json_bytes_per_object"] =
          static_cast<double>(mallinfo2().uordblks - json_before) / 1000.0;
    }
    state.counters["bytes_per_object"] = static_cast<double>(after - before) / kObjects;
    state.counters["objects"] = static_cast<double>(informer->size());
  }
}
BENCHMARK(BM_CacheBytesPerObject)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_CacheUpdates(benchmark::State& state) {
  Informer& informer = populated();
  constexpr int kBatch = 10'000;
  int generation = 1;
  int64_t applied = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<kube::Object> batch;
    batch.reserve(kBatch);
    // Every tenth update changes an indexed value (the app label) to exercise re-indexing.
    for (int i = 0; i < kBatch; ++i) {
      int idx = (generation * kBatch + i) % kObjects;
      auto pod = podLike(idx, generation);
      if (i % 10 == 0) pod.setLabel("app", generation % 2 ? "web-canary" : "web");
      batch.push_back(std::move(pod));
    }
    ++generation;
    state.ResumeTiming();
    for (auto& pod : batch) informer.applyEvent(kube::WatchEventType::kModified, std::move(pod));
    applied += kBatch;
  }
  state.SetItemsProcessed(applied);
}
BENCHMARK(BM_CacheUpdates)->Unit(benchmark::kMillisecond);

void BM_List(benchmark::State& state) {
  Informer& informer = populated();
  for (auto _ : state) benchmark::DoNotOptimize(informer.list());
}
BENCHMARK(BM_List)->Unit(benchmark::kMicrosecond);

void BM_ByNamespaceIndex(benchmark::State& state) {
  Informer& informer = populated();
  int i = 0;
  for (auto _ : state) {
    auto pods = informer.byIndex(serin::runtime::kNamespaceIndex, ns(i++));
    benchmark::DoNotOptimize(pods);
  }
}
BENCHMARK(BM_ByNamespaceIndex)->Unit(benchmark::kMicrosecond);

void BM_ByOwnerIndex(benchmark::State& state) {
  Informer& informer = populated();
  int i = 0;
  for (auto _ : state) {
    auto pods = informer.byIndex(serin::runtime::kOwnerUidIndex, ownerUid(i));
    i = (i + kPodsPerOwner) % kObjects;
    benchmark::DoNotOptimize(pods);
  }
}
BENCHMARK(BM_ByOwnerIndex)->Unit(benchmark::kMicrosecond);

void BM_Get(benchmark::State& state) {
  Informer& informer = populated();
  int i = 0;
  for (auto _ : state) {
    auto pod = informer.get(ns(i) + "/web-7d9f8c6b5-" + std::to_string(i));
    i = (i + 7919) % kObjects;
    benchmark::DoNotOptimize(pod);
  }
}
BENCHMARK(BM_Get);

}  // namespace

BENCHMARK_MAIN();
