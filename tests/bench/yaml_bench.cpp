// YAML <-> JSON throughput on a realistic manifest stream: 5,000 Deployments, "---" separated.
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "serin/kube/yaml.h"

namespace {

using serin::kube::Json;

constexpr int kObjects = 5000;

Json deployment(int i) {
  std::string name = "web-" + std::to_string(i);
  Json labels = {{"app", name},
                 {"team", "payments"},
                 {"app.kubernetes.io/version", "1.2." + std::to_string(i % 10)}};
  Json container = {
      {"name", "app"},
      {"image", "registry.example.com/payments/web:1.2." + std::to_string(i % 10)},
      {"args", {"--port=8080", "--log-level=info"}},
      {"ports", {{{"containerPort", 8080}, {"name", "http"}, {"protocol", "TCP"}}}},
      {"env", {{{"name", "MODE"}, {"value", "production"}}, {{"name", "WORKERS"}, {"value", "4"}}}},
      {"resources",
       {{"requests", {{"cpu", "100m"}, {"memory", "128Mi"}}},
        {"limits", {{"cpu", "500m"}, {"memory", "512Mi"}}}}},
      {"readinessProbe",
       {{"httpGet", {{"path", "/healthz"}, {"port", 8080}}}, {"periodSeconds", 5}}},
  };
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata",
           {{"name", name},
            {"namespace", "prod"},
            {"labels", labels},
            {"annotations", {{"deployment.kubernetes.io/revision", std::to_string(i % 7 + 1)}}}}},
          {"spec",
           {{"replicas", 3},
            {"revisionHistoryLimit", 10},
            {"selector", {{"matchLabels", {{"app", name}}}}},
            {"strategy",
             {{"type", "RollingUpdate"},
              {"rollingUpdate", {{"maxSurge", "25%"}, {"maxUnavailable", 0}}}}},
            {"template",
             {{"metadata", {{"labels", labels}}},
              {"spec", {{"containers", {container}}, {"terminationGracePeriodSeconds", 30}}}}}}}};
}

const std::vector<Json>& documents() {
  static const std::vector<Json> docs = [] {
    std::vector<Json> out;
    for (int i = 0; i < kObjects; ++i) out.push_back(deployment(i));
    return out;
  }();
  return docs;
}

const std::string& stream() {
  static const std::string text = serin::kube::jsonToYamlDocuments(documents());
  return text;
}

void BM_YamlToJson(benchmark::State& state) {
  const std::string& text = stream();
  for (auto _ : state) {
    auto docs = serin::kube::yamlToJsonDocuments(text);
    if (!docs.isOk() || docs->size() != kObjects) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(docs);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
  state.counters["objects/s"] = benchmark::Counter(static_cast<double>(kObjects),
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

void BM_JsonToYaml(benchmark::State& state) {
  const auto& docs = documents();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string text = serin::kube::jsonToYamlDocuments(docs);
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
  state.counters["objects/s"] = benchmark::Counter(static_cast<double>(kObjects),
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_YamlToJson)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_JsonToYaml)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
