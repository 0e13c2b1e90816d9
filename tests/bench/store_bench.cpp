// Store benchmarks: durable writes (1 and 8 writers), listing 10,000 objects, watch fan-out
// latency to 100 watchers, and start-up time and RSS with 100,000 stored objects.
//
// Needs serin_cluster (and SQLite) at link time. Objects are ~1 KiB pods, like a real cluster's.
// The 100,000-object figures run in a re-executed child so the parent's heap does not inflate
// RSS; the binary therefore has its own main().
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "serin/cluster/store.h"

#include <unistd.h>

namespace serin::cluster {
namespace {

using Clock = std::chrono::steady_clock;

std::filesystem::path benchDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("serin-store-bench-" + std::to_string(getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  return dir;
}

kube::Object benchPod(const std::string& ns, const std::string& name) {
  kube::Object pod("v1", "Pod", ns, name);
  pod.setUid("7f6d3c2e-1b7a-4c9e-9a51-" + std::to_string(std::hash<std::string>{}(name)));
  pod.setLabels({{"app", "web"}, {"pod-template-hash", "6d4f8c7b9"}, {"tier", "frontend"}});
  pod.setAnnotation("kubectl.kubernetes.io/restartedAt", "2024-05-01T10:00:00Z");
  pod.setCreationTimestamp("2024-05-01T10:00:00Z");
  auto& spec = pod.json()["spec"];
  spec["nodeName"] = "serin-node";
  spec["serviceAccountName"] = "default";
  kube::Json container = {
      {"name", "web"},
      {"image", "registry.example.com/team/web:1.24.3"},
      {"ports", {{{"containerPort", 8080}, {"protocol", "TCP"}, {"name", "http"}}}},
      {"resources",
       {{"requests", {{"cpu", "100m"}, {"memory", "128Mi"}}},
        {"limits", {{"cpu", "500m"}, {"memory", "256Mi"}}}}},
      {"readinessProbe", {{"httpGet", {{"path", "/healthz"}, {"port", 8080}}}}},
      {"env", kube::Json::array()}};
  for (int i = 0; i < 5; ++i) {
    container["env"].push_back(
        {{"name", "SETTING_" + std::to_string(i)}, {"value", "value-" + std::to_string(i)}});
  }
  spec["containers"] = kube::Json::array({container});
  pod.json()["status"] = {
      {"phase", "Running"},
      {"podIP", "10.244.0.17"},
      {"hostIP", "10.0.0.1"},
      {"startTime", "2024-05-01T10:00:01Z"},
      {"conditions",
       {{{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", "2024-05-01T10:00:05Z"}},
        {{"type", "ContainersReady"},
         {"status", "True"},
         {"lastTransitionTime", "2024-05-01T10:00:05Z"}}}}};
  return pod;
}

ObjectKey podKey(const std::string& ns, const std::string& name) { return {"core/pods", ns, name}; }

std::unique_ptr<Store> openStore(const std::filesystem::path& dir) {
  StoreOptions options;
  options.dir = dir;
  auto store = Store::open(options);
  if (!store.isOk()) {
    std::fprintf(stderr, "open %s: %s\n", dir.c_str(), store.status().toString().c_str());
    std::abort();
  }
  return std::move(store).value();
}

// Creates `count` pods with `writers` concurrent writers (many, so batches fill up).
void fill(Store& store, int count, int writers, const std::string& prefix) {
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < writers; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        auto name = prefix + std::to_string(i);
        auto ns = "ns-" + std::to_string(i % 10);
        if (!store.create(podKey(ns, name), benchPod(ns, name)).isOk()) std::abort();
      }
    });
  }
  for (auto& thread : threads) thread.join();
}

std::unique_ptr<Store> g_store;
std::filesystem::path g_dir;
std::atomic<int64_t> g_sequence{0};

void setUpEmpty(const benchmark::State&) {
  g_dir = benchDir("writes");
  g_store = openStore(g_dir);
}

void tearDown(const benchmark::State&) {
  g_store.reset();
  std::filesystem::remove_all(g_dir);
}

void BM_DurableCreate(benchmark::State& state) {
  for (auto _ : state) {
    auto name = "p" + std::to_string(g_sequence++);
    auto created = g_store->create(podKey("default", name), benchPod("default", name));
    if (!created.isOk()) state.SkipWithError(created.status().toString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DurableCreate)
    ->Setup(setUpEmpty)
    ->Teardown(tearDown)
    ->Threads(1)
    ->Threads(8)
    ->UseRealTime()
    ->MinTime(3);

void BM_DurableUpdate(benchmark::State& state) {
  auto name = "u" + std::to_string(state.thread_index());
  auto object = benchPod("default", name);
  (void)g_store->create(podKey("default", name), object);
  int64_t value = 0;
  for (auto _ : state) {
    object.json()["spec"]["activeDeadlineSeconds"] = ++value;
    auto updated = g_store->update(podKey("default", name), object);
    if (!updated.isOk()) state.SkipWithError(updated.status().toString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DurableUpdate)
    ->Setup(setUpEmpty)
    ->Teardown(tearDown)
    ->Threads(1)
    ->Threads(8)
    ->UseRealTime()
    ->MinTime(3);

void setUpTenThousand(const benchmark::State&) {
  g_dir = benchDir("list");
  g_store = openStore(g_dir);
  fill(*g_store, 10'000, 64, "l");
}

void BM_List10k(benchmark::State& state) {
  ListOptions options;
  options.resource = "core/pods";
  options.limit = state.range(0);
  options.raw = state.range(1) != 0;
  for (auto _ : state) {
    std::size_t items = 0;
    options.continue_token.clear();
    do {
      auto page = g_store->list(options);
      if (!page.isOk()) {
        state.SkipWithError(page.status().toString().c_str());
        break;
      }
      items += page->items.size() + page->raw_items.size();
      options.continue_token = page->continue_token;
    } while (!options.continue_token.empty());
    if (items != 10'000) state.SkipWithError("wrong item count");
  }
  state.SetItemsProcessed(state.iterations() * 10'000);
}
// Args: limit (0: one list of everything; 500: kubectl's default chunk size), raw JSON items.
BENCHMARK(BM_List10k)
    ->Setup(setUpTenThousand)
    ->Teardown(tearDown)
    ->Args({0, 0})
    ->Args({500, 0})
    ->Args({0, 1})
    ->Args({500, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Commit-to-delivery latency: each of 100 watchers (own thread, as HTTP handlers would be)
// measures Event::committed_at to the moment next() returns it.
void BM_WatchFanout100(benchmark::State& state) {
  constexpr int kWatchers = 100;
  constexpr int kEvents = 300;
  for (auto _ : state) {
    auto dir = benchDir("watch");
    auto store = openStore(dir);
    std::vector<std::vector<double>> latencies(kWatchers);
    std::vector<std::thread> threads;
    std::atomic<int> ready{0};
    for (int w = 0; w < kWatchers; ++w) {
      WatchOptions options;
      options.resource = "core/pods";
      auto watch = store->watch(options);
      if (!watch.isOk()) std::abort();
      threads.emplace_back([&, w, watch = std::shared_ptr<Watch>(std::move(watch).value())] {
        (void)watch->next(std::chrono::milliseconds(1));  // attach before the writes
        ++ready;
        while (static_cast<int>(latencies[w].size()) < kEvents) {
          auto event = watch->next(std::chrono::seconds(10));
          if (!event.isOk() || !*event) std::abort();
          latencies[w].push_back(
              std::chrono::duration<double, std::micro>(Clock::now() - (*event)->committed_at)
                  .count());
        }
      });
    }
    while (ready < kWatchers) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    for (int i = 0; i < kEvents; ++i) {
      auto name = "w" + std::to_string(i);
      if (!store->create(podKey("default", name), benchPod("default", name)).isOk()) {
        std::abort();
      }
    }
    for (auto& thread : threads) thread.join();
    std::vector<double> all;
    for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    state.counters["p50_us"] = all[all.size() / 2];
    state.counters["p99_us"] = all[all.size() * 99 / 100];
    state.counters["max_us"] = all.back();
    store.reset();
    std::filesystem::remove_all(dir);
  }
}
BENCHMARK(BM_WatchFanout100)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

long statusKib(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::string(field).size()));
  }
  return -1;
}

// Runs in a fresh process (the benchmark binary re-executed, so the parent's heap does not
// count): reopen time and RSS after reopening, after listing all objects in pages of 500 and
// after 10,000 gets. Prints 5 numbers.
int measureReopen(const std::filesystem::path& dir) {
  const long baseline = statusKib("VmRSS:");
  const auto start = Clock::now();
  auto store = openStore(dir);
  const double open_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  const long after_open = statusKib("VmRSS:");
  ListOptions options;
  options.resource = "core/pods";
  options.limit = 500;
  do {
    auto page = store->list(options);
    if (!page.isOk()) return 2;
    options.continue_token = page->continue_token;
  } while (!options.continue_token.empty());
  for (int i = 0; i < 10'000; ++i) {
    int n = (i * 7919) % 100'000;
    auto ns = "ns-" + std::to_string(n % 10);
    if (!store->get(podKey(ns, "r" + std::to_string(n))).isOk()) return 3;
  }
  const long after_reads = statusKib("VmRSS:");
  std::printf("%f %ld %ld %ld %ld\n", open_ms, baseline, after_open, after_reads,
              static_cast<long>(store->count("core/pods")));
  return 0;
}

void BM_Reopen100k(benchmark::State& state) {
  auto dir = benchDir("100k");
  {
    auto store = openStore(dir);
    fill(*store, 100'000, 128, "r");
  }
  for (auto _ : state) {
    auto command = "/proc/" + std::to_string(getpid()) + "/exe --measure-reopen " + dir.string();
    FILE* child = popen(command.c_str(), "r");
    char buffer[256] = {};
    bool read_ok = child && std::fgets(buffer, sizeof buffer, child);
    if (child) pclose(child);
    double open_ms = 0;
    long baseline = 0, after_open = 0, after_reads = 0, count = 0;
    if (!read_ok || std::sscanf(buffer, "%lf %ld %ld %ld %ld", &open_ms, &baseline, &after_open,
                                &after_reads, &count) != 5) {
      state.SkipWithError("child failed");
      break;
    }
    state.counters["open_ms"] = open_ms;
    state.counters["rss_base_MiB"] = static_cast<double>(baseline) / 1024;
    state.counters["rss_open_MiB"] = static_cast<double>(after_open) / 1024;
    state.counters["rss_read_MiB"] = static_cast<double>(after_reads) / 1024;
    state.counters["objects"] = static_cast<double>(count);
  }
  std::error_code ec;
  uintmax_t bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    bytes += entry.is_regular_file() ? entry.file_size() : 0;
  }
  state.counters["disk_MiB"] = static_cast<double>(bytes) / (1024 * 1024);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_Reopen100k)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace serin::cluster

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--measure-reopen") {
    return serin::cluster::measureReopen(argv[2]);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
