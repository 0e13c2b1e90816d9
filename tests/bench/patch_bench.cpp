// Patch costs on a realistic Deployment (3 containers with env, ports, probes, resources and
// mounts; 4 volumes; server-populated metadata and status): the strategic merge patch a rollout
// sends for an image and env change, and the three-way patch the GitOps sync computes for it.
#include <string>

#include <benchmark/benchmark.h>

#include "serin/kube/patch.h"

namespace serin::kube {
namespace {

const GroupVersionKind kDeploymentGvk{"apps", "v1", "Deployment"};

Json envList(const std::string& prefix, int count) {
  Json env = Json::array();
  for (int i = 0; i < count; ++i) {
    env.push_back({{"name", prefix + "_VAR_" + std::to_string(i)}, {"value", std::to_string(i)}});
  }
  env.push_back(
      {{"name", "POD_NAME"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.name"}}}}}});
  return env;
}

Json probe(const std::string& path, int port) {
  return {{"httpGet", {{"path", path}, {"port", port}, {"scheme", "HTTP"}}},
          {"initialDelaySeconds", 5},
          {"periodSeconds", 10},
          {"timeoutSeconds", 1},
          {"successThreshold", 1},
          {"failureThreshold", 3}};
}

Json container(const std::string& name, const std::string& image, int port) {
  return {{"name", name},
          {"image", image},
          {"imagePullPolicy", "IfNotPresent"},
          {"args", {"--port=" + std::to_string(port), "--log-level=info"}},
          {"ports", {{{"name", "http"}, {"containerPort", port}, {"protocol", "TCP"}}}},
          {"env", envList(name, 8)},
          {"resources",
           {{"requests", {{"cpu", "100m"}, {"memory", "128Mi"}}},
            {"limits", {{"cpu", "1"}, {"memory", "512Mi"}}}}},
          {"livenessProbe", probe("/healthz", port)},
          {"readinessProbe", probe("/ready", port)},
          {"volumeMounts",
           {{{"name", "config"}, {"mountPath", "/etc/" + name}},
            {{"name", "data"}, {"mountPath", "/var/lib/" + name}}}},
          {"terminationMessagePath", "/dev/termination-log"},
          {"terminationMessagePolicy", "File"}};
}

Json volumes() {
  Json list = Json::array();
  list.push_back({{"name", "config"}, {"configMap", {{"name", "checkout-config"}}}});
  list.push_back({{"name", "data"}, {"emptyDir", Json::object()}});
  list.push_back({{"name", "tls"}, {"secret", {{"secretName", "checkout-tls"}}}});
  list.push_back({{"name", "tmp"}, {"emptyDir", {{"medium", "Memory"}}}});
  return list;
}

// The manifest as written in Git.
Json desiredDeployment(const std::string& app_image, const std::string& app_var) {
  Json app = container("app", app_image, 8080);
  app["env"][0]["value"] = app_var;
  Json containers = Json::array();
  containers.push_back(std::move(app));
  containers.push_back(container("proxy", "envoyproxy/envoy:v1.29", 15001));
  containers.push_back(container("log-shipper", "fluent/fluent-bit:3.0", 2020));

  Json deployment = Json::object();
  deployment["apiVersion"] = "apps/v1";
  deployment["kind"] = "Deployment";
  deployment["metadata"] = {{"name", "checkout"},
                            {"namespace", "shop"},
                            {"labels", {{"app", "checkout"}, {"team", "payments"}}},
                            {"annotations", {{"serin.dev/owner", "payments"}}}};
  Json& spec = deployment["spec"];
  spec["replicas"] = 6;
  spec["selector"]["matchLabels"]["app"] = "checkout";
  spec["template"]["metadata"]["labels"] = {{"app", "checkout"}, {"version", "v1"}};
  Json& pod = spec["template"]["spec"];
  pod["serviceAccountName"] = "checkout";
  pod["containers"] = std::move(containers);
  pod["volumes"] = volumes();
  return deployment;
}

// The same object as the API server returns it: defaults, metadata and status added.
Json liveDeployment() {
  Json live = desiredDeployment("shop/checkout:1.4.2", "1");
  live["metadata"]["uid"] = "0b5b7a8e-6d0e-4a57-9a43-0e6c1d1f0f11";
  live["metadata"]["resourceVersion"] = "184467";
  live["metadata"]["generation"] = 12;
  live["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "12";
  live["spec"]["revisionHistoryLimit"] = 10;
  live["spec"]["progressDeadlineSeconds"] = 600;
  live["spec"]["strategy"] = {{"type", "RollingUpdate"},
                              {"rollingUpdate", {{"maxSurge", "25%"}, {"maxUnavailable", "25%"}}}};
  Json& pod = live["spec"]["template"]["spec"];
  pod["restartPolicy"] = "Always";
  pod["dnsPolicy"] = "ClusterFirst";
  pod["schedulerName"] = "default-scheduler";
  pod["terminationGracePeriodSeconds"] = 30;
  live["status"] = {{"replicas", 6},
                    {"readyReplicas", 6},
                    {"observedGeneration", 12},
                    {"conditions",
                     {{{"type", "Available"}, {"status", "True"}},
                      {{"type", "Progressing"}, {"status", "True"}}}}};
  return live;
}

// What a rollout sends to move to a new version: a new image and a changed env var.
Json imageAndEnvPatch() {
  return Json::parse(R"({"spec":{"template":{"spec":{"containers":[{"name":"app",
      "image":"shop/checkout:1.5.0","env":[{"name":"app_VAR_0","value":"2"}]}]}}}})");
}

void BM_ApplyStrategicMergePatch(benchmark::State& state) {
  const Json live = liveDeployment();
  const Json patch = imageAndEnvPatch();
  if (!applyStrategicMergePatch(live, patch, kDeploymentGvk).isOk()) {
    state.SkipWithError("patch failed");
  }
  for (auto _ : state) {
    StatusOr<Json> result = applyStrategicMergePatch(live, patch, kDeploymentGvk);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_ApplyStrategicMergePatch);

void BM_CreateThreeWayMergePatch(benchmark::State& state) {
  const Json last_applied = desiredDeployment("shop/checkout:1.4.2", "1");
  const Json desired = desiredDeployment("shop/checkout:1.5.0", "2");
  const Json live = liveDeployment();
  StatusOr<Json> check = createThreeWayMergePatch(last_applied, desired, live, kDeploymentGvk);
  if (!check.isOk() || check->empty()) state.SkipWithError("unexpected three-way patch");
  for (auto _ : state) {
    StatusOr<Json> patch = createThreeWayMergePatch(last_applied, desired, live, kDeploymentGvk);
    benchmark::DoNotOptimize(patch);
  }
}
BENCHMARK(BM_CreateThreeWayMergePatch);

// The steady state of a sync loop: nothing changed, the patch is {}.
void BM_CreateThreeWayMergePatchUnchanged(benchmark::State& state) {
  const Json desired = desiredDeployment("shop/checkout:1.4.2", "1");
  const Json live = liveDeployment();
  for (auto _ : state) {
    StatusOr<Json> patch = createThreeWayMergePatch(desired, desired, live, kDeploymentGvk);
    benchmark::DoNotOptimize(patch);
  }
}
BENCHMARK(BM_CreateThreeWayMergePatchUnchanged);

// For scale: copying the object is the floor under any patch application.
void BM_CopyDeployment(benchmark::State& state) {
  const Json live = liveDeployment();
  for (auto _ : state) {
    Json copy = live;
    benchmark::DoNotOptimize(copy);
  }
}
BENCHMARK(BM_CopyDeployment);

}  // namespace
}  // namespace serin::kube

BENCHMARK_MAIN();
