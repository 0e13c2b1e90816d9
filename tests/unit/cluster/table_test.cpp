#include "serin/cluster/table.h"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "serin/util/clock.h"
#include "serin/util/time.h"

namespace serin::cluster {
namespace {

using namespace std::chrono_literals;

class TableTest : public ::testing::Test {
 protected:
  // Objects are created at the clock's start; tests advance it to age them.
  std::string created() const { return util::formatRfc3339(start_); }
  std::string ago(std::chrono::seconds d) const { return util::formatRfc3339(start_ - d); }
  util::Clock::TimePoint now() const { return clock_.now(); }

  static std::vector<std::string> columnNames(const TableConvertor& c) {
    std::vector<std::string> names;
    for (const TableColumn& column : c.columns()) names.push_back(column.name);
    return names;
  }

  Json pod(Json status, Json extra_spec = Json::object()) const {
    Json spec = {{"containers", {{{"name", "app"}, {"image", "nginx"}}}}};
    spec.update(extra_spec);
    return {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata",
             {{"name", "web-1"},
              {"namespace", "default"},
              {"resourceVersion", "42"},
              {"creationTimestamp", created()}}},
            {"spec", spec},
            {"status", std::move(status)}};
  }

  util::Clock::TimePoint start_ = util::Clock::TimePoint(std::chrono::seconds(1'700'000'000));
  util::ManualClock clock_{start_};
};

TEST(TableHumanDurationTest, MatchesKubectl) {
  EXPECT_EQ(humanDuration(-5s), "<invalid>");
  EXPECT_EQ(humanDuration(-1s), "0s");
  EXPECT_EQ(humanDuration(5s), "5s");
  EXPECT_EQ(humanDuration(119s), "119s");
  EXPECT_EQ(humanDuration(200s), "3m20s");
  EXPECT_EQ(humanDuration(5min), "5m");
  EXPECT_EQ(humanDuration(42min), "42m");
  EXPECT_EQ(humanDuration(5h + 30min), "5h30m");
  EXPECT_EQ(humanDuration(6h), "6h");
  EXPECT_EQ(humanDuration(30h), "30h");
  EXPECT_EQ(humanDuration(51h), "2d3h");
  EXPECT_EQ(humanDuration(48h), "2d");
  EXPECT_EQ(humanDuration(24h * 100), "100d");
  EXPECT_EQ(humanDuration(24h * (365 * 3 + 10)), "3y10d");
  EXPECT_EQ(humanDuration(24h * 365 * 9), "9y");
}

TEST_F(TableTest, PodColumnsAndRunningRow) {
  const TableConvertor printer = TableConvertor::forKind("", "Pod");
  EXPECT_EQ(columnNames(printer),
            (std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age", "IP", "Node",
                                      "Nominated Node", "Readiness Gates"}));
  EXPECT_EQ(printer.columns()[0].format, "name");
  EXPECT_EQ(printer.columns()[5].priority, 1);
  clock_.advance(200s);
  Json p = pod({{"phase", "Running"},
                {"podIP", "10.244.0.5"},
                {"containerStatuses",
                 {{{"name", "app"},
                   {"ready", true},
                   {"restartCount", 0},
                   {"state", {{"running", {{"startedAt", created()}}}}}}}}},
               {{"nodeName", "serin-node"}});
  Json table = printer.convertObject(p, now());
  EXPECT_EQ(table["kind"], "Table");
  EXPECT_EQ(table["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(table["metadata"]["resourceVersion"], "42");
  EXPECT_EQ(table["columnDefinitions"][1], Json({{"name", "Ready"},
                                                 {"type", "string"},
                                                 {"format", ""},
                                                 {"description", printer.columns()[1].description},
                                                 {"priority", 0}}));
  EXPECT_EQ(table["rows"][0]["cells"], Json({"web-1", "1/1", "Running", "0", "3m20s", "10.244.0.5",
                                             "serin-node", "<none>", "<none>"}));
}

TEST_F(TableTest, PodCrashLoopShowsReasonAndLastRestart) {
  clock_.advance(10min);
  Json p = pod({{"phase", "Running"},
                {"containerStatuses",
                 {{{"name", "app"},
                   {"ready", false},
                   {"restartCount", 5},
                   {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}},
                   {"lastState",
                    {{"terminated",
                      {{"exitCode", 1}, {"finishedAt", util::formatRfc3339(now() - 5s)}}}}}}}}});
  Json cells = TableConvertor::forKind("", "Pod").row(p, now(), IncludeObject::kNone)["cells"];
  EXPECT_EQ(cells[1], "0/1");
  EXPECT_EQ(cells[2], "CrashLoopBackOff");
  EXPECT_EQ(cells[3], "5 (5s ago)");
  EXPECT_EQ(cells[4], "10m");
}

TEST_F(TableTest, PodTerminatingPendingAndCompleted) {
  const TableConvertor printer = TableConvertor::forKind("", "Pod");
  Json deleting = pod({{"phase", "Running"}});
  deleting["metadata"]["deletionTimestamp"] = created();
  EXPECT_EQ(printer.row(deleting, now(), IncludeObject::kNone)["cells"][2], "Terminating");

  Json pending = pod({{"phase", "Pending"}});
  EXPECT_EQ(printer.row(pending, now(), IncludeObject::kNone)["cells"][2], "Pending");

  Json done = pod({{"phase", "Succeeded"},
                   {"containerStatuses",
                    {{{"name", "app"},
                      {"state", {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}}}}}}});
  done["metadata"]["deletionTimestamp"] = created();  // terminal phases stay as they are
  Json row = printer.row(done, now(), IncludeObject::kNone);
  EXPECT_EQ(row["cells"][2], "Completed");
  EXPECT_EQ(row["conditions"][0]["type"], "Completed");
  EXPECT_EQ(row["conditions"][0]["reason"], "Succeeded");

  Json failed = pod(
      {{"phase", "Failed"},
       {"containerStatuses", {{{"name", "app"}, {"state", {{"terminated", {{"exitCode", 3}}}}}}}}});
  EXPECT_EQ(printer.row(failed, now(), IncludeObject::kNone)["cells"][2], "ExitCode:3");

  Json init =
      pod({{"phase", "Pending"},
           {"initContainerStatuses",
            {{{"name", "setup"}, {"state", {{"waiting", {{"reason", "PodInitializing"}}}}}}}}},
          {{"initContainers", {{{"name", "setup"}, {"image", "busybox"}}}}});
  EXPECT_EQ(printer.row(init, now(), IncludeObject::kNone)["cells"][2], "Init:0/1");
}

TEST_F(TableTest, PodReadinessGates) {
  Json p = pod(
      {{"phase", "Running"}, {"conditions", {{{"type", "example.com/lb"}, {"status", "True"}}}}},
      {{"readinessGates",
        {{{"conditionType", "example.com/lb"}}, {{"conditionType", "example.com/x"}}}}});
  EXPECT_EQ(TableConvertor::forKind("", "Pod").row(p, now(), IncludeObject::kNone)["cells"][8],
            "1/2");
}

TEST_F(TableTest, DeploymentsAndReplicaSets) {
  clock_.advance(51h);
  Json template_spec = {
      {"containers",
       {{{"name", "app"}, {"image", "nginx:1"}}, {{"name", "sidecar"}, {"image", "envoy:2"}}}}};
  Json selector = {
      {"matchLabels", {{"app", "web"}}},
      {"matchExpressions", {{{"key", "tier"}, {"operator", "In"}, {"values", {"fe", "be"}}}}}};
  Json deployment = {
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata", {{"name", "web"}, {"creationTimestamp", created()}}},
      {"spec", {{"replicas", 3}, {"selector", selector}, {"template", {{"spec", template_spec}}}}},
      {"status", {{"readyReplicas", 2}, {"updatedReplicas", 3}, {"availableReplicas", 2}}}};
  const TableConvertor deployments = TableConvertor::forKind("apps", "Deployment");
  EXPECT_EQ(columnNames(deployments),
            (std::vector<std::string>{"Name", "Ready", "Up-to-date", "Available", "Age",
                                      "Containers", "Images", "Selector"}));
  EXPECT_EQ(deployments.row(deployment, now(), IncludeObject::kNone)["cells"],
            Json({"web", "2/3", 3, 2, "2d3h", "app,sidecar", "nginx:1,envoy:2",
                  "app=web,tier in (be,fe)"}));

  Json rs = deployment;
  rs["kind"] = "ReplicaSet";
  rs["status"] = {{"replicas", 3}, {"readyReplicas", 1}};
  const TableConvertor replicasets = TableConvertor::forKind("apps", "ReplicaSet");
  EXPECT_EQ(columnNames(replicasets),
            (std::vector<std::string>{"Name", "Desired", "Current", "Ready", "Age", "Containers",
                                      "Images", "Selector"}));
  EXPECT_EQ(replicasets.columns()[1].type, "integer");
  EXPECT_EQ(
      replicasets.row(rs, now(), IncludeObject::kNone)["cells"],
      Json({"web", 3, 3, 1, "2d3h", "app,sidecar", "nginx:1,envoy:2", "app=web,tier in (be,fe)"}));
}

TEST_F(TableTest, ServicesWithNodePortsAndLoadBalancers) {
  const TableConvertor printer = TableConvertor::forKind("", "Service");
  EXPECT_EQ(columnNames(printer),
            (std::vector<std::string>{"Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age",
                                      "Selector"}));
  Json svc = {{"metadata", {{"name", "web"}, {"creationTimestamp", ago(5s)}}},
              {"spec",
               {{"type", "NodePort"},
                {"clusterIP", "10.96.0.10"},
                {"clusterIPs", {"10.96.0.10"}},
                {"selector", {{"app", "web"}, {"tier", "fe"}}},
                {"ports",
                 {{{"port", 80}, {"nodePort", 30080}, {"protocol", "TCP"}},
                  {{"port", 53}, {"protocol", "UDP"}}}}}}};
  EXPECT_EQ(printer.row(svc, now(), IncludeObject::kNone)["cells"],
            Json({"web", "NodePort", "10.96.0.10", "<none>", "80:30080/TCP,53/UDP", "5s",
                  "app=web,tier=fe"}));

  Json lb = {{"metadata", {{"name", "lb"}}},
             {"spec", {{"type", "LoadBalancer"}, {"ports", {{{"port", 443}}}}}}};
  Json cells = printer.row(lb, now(), IncludeObject::kNone)["cells"];
  EXPECT_EQ(cells[2], "<none>");
  EXPECT_EQ(cells[3], "<pending>");
  EXPECT_EQ(cells[4], "443/TCP");
  EXPECT_EQ(cells[5], "<unknown>");
  EXPECT_EQ(cells[6], "<none>");
  lb["status"]["loadBalancer"]["ingress"] = {{{"ip", "1.2.3.4"}}};
  EXPECT_EQ(printer.row(lb, now(), IncludeObject::kNone)["cells"][3], "1.2.3.4");
}

TEST_F(TableTest, NamespacesAndDefaultPrinter) {
  clock_.advance(42min);
  Json ns = {{"metadata", {{"name", "prod"}, {"creationTimestamp", created()}}},
             {"status", {{"phase", "Active"}}}};
  const TableConvertor namespaces = TableConvertor::forKind("", "Namespace");
  EXPECT_EQ(columnNames(namespaces), (std::vector<std::string>{"Name", "Status", "Age"}));
  EXPECT_EQ(namespaces.row(ns, now(), IncludeObject::kNone)["cells"],
            Json({"prod", "Active", "42m"}));

  const TableConvertor other = TableConvertor::forKind("", "ConfigMap");
  EXPECT_EQ(columnNames(other), (std::vector<std::string>{"Name", "Created At"}));
  EXPECT_EQ(other.columns()[1].type, "date");
  EXPECT_EQ(other.row(ns, now(), IncludeObject::kNone)["cells"], Json({"prod", created()}));
}

TEST_F(TableTest, CustomResourcePrinterColumns) {
  Json crd = {{"metadata", {{"name", "rollouts.argoproj.io"}}},
              {"spec",
               {{"versions",
                 {{{"name", "v1alpha1"},
                   {"additionalPrinterColumns",
                    {{{"name", "Desired"}, {"type", "integer"}, {"jsonPath", ".spec.replicas"}},
                     {{"name", "Current"}, {"type", "integer"}, {"jsonPath", ".status.replicas"}},
                     {{"name", "Image"},
                      {"type", "string"},
                      {"priority", 1},
                      {"jsonPath", ".spec.template.spec.containers[0].image"}},
                     {{"name", "Weight"}, {"type", "number"}, {"jsonPath", ".status.weight"}},
                     {{"name", "Paused"}, {"type", "boolean"}, {"jsonPath", ".spec.paused"}},
                     {{"name", "Labels"}, {"type", "string"}, {"jsonPath", ".metadata.labels"}},
                     {{"name", "Age"},
                      {"type", "date"},
                      {"jsonPath", ".metadata.creationTimestamp"}}}}}}}}}};
  auto printer = TableConvertor::forCrdVersion(crd, "v1alpha1");
  ASSERT_TRUE(printer.isOk()) << printer.status();
  EXPECT_EQ(columnNames(*printer), (std::vector<std::string>{"Name", "Desired", "Current", "Image",
                                                             "Weight", "Paused", "Labels", "Age"}));
  EXPECT_EQ(printer->columns()[3].priority, 1);
  EXPECT_EQ(printer->columns()[1].description,
            "Custom resource definition column (in JSONPath format): .spec.replicas");
  clock_.advance(90s);
  Json rollout = {
      {"metadata", {{"name", "web"}, {"creationTimestamp", created()}, {"labels", {{"a", "b"}}}}},
      {"spec",
       {{"replicas", 5},
        {"paused", false},
        {"template", {{"spec", {{"containers", {{{"image", "nginx:2"}}}}}}}}}},
      {"status", {{"weight", 12.5}}}};
  EXPECT_EQ(printer->row(rollout, now(), IncludeObject::kNone)["cells"],
            Json({"web", 5, nullptr, "nginx:2", 12.5, false, "{\"a\":\"b\"}", "90s"}));
  EXPECT_TRUE(TableConvertor::forCrdVersion(crd, "v9").status().is(StatusCode::kNotFound));
}

TEST_F(TableTest, CustomResourceWithoutColumnsGetsAge) {
  auto printer = TableConvertor::forPrinterColumns(Json());
  ASSERT_TRUE(printer.isOk());
  EXPECT_EQ(columnNames(*printer), (std::vector<std::string>{"Name", "Age"}));
  EXPECT_EQ(printer->columns()[1].type, "date");
  Json object = {{"metadata", {{"name", "x"}, {"creationTimestamp", "garbage"}}}};
  EXPECT_EQ(printer->row(object, now(), IncludeObject::kNone)["cells"], Json({"x", "<invalid>"}));
}

TEST_F(TableTest, RolloutCrdFromTheRepository) {
  // crds/rollout-crd.yaml's columns, as JSON.
  Json columns = {
      {{"name", "Desired"}, {"type", "integer"}, {"jsonPath", ".spec.replicas"}},
      {{"name", "Current"}, {"type", "integer"}, {"jsonPath", ".status.replicas"}},
      {{"name", "Up-to-date"}, {"type", "integer"}, {"jsonPath", ".status.updatedReplicas"}},
      {{"name", "Available"}, {"type", "integer"}, {"jsonPath", ".status.availableReplicas"}},
      {{"name", "Age"}, {"type", "date"}, {"jsonPath", ".metadata.creationTimestamp"}}};
  auto printer = TableConvertor::forPrinterColumns(columns);
  ASSERT_TRUE(printer.isOk());
  clock_.advance(3h);
  Json rollout = {{"metadata", {{"name", "web"}, {"creationTimestamp", created()}}},
                  {"spec", {{"replicas", 4}}},
                  {"status", {{"replicas", 4}, {"updatedReplicas", 2}, {"availableReplicas", 3}}}};
  EXPECT_EQ(printer->row(rollout, now(), IncludeObject::kNone)["cells"],
            Json({"web", 4, 4, 2, 3, "3h"}));
}

TEST(TableJsonPathTest, ValidatesTheSimpleSubset) {
  for (const char* ok : {".spec.replicas", "{.status.replicas}", ".a[0].b", ".a['x.y/z']",
                         ".metadata.labels.app\\.kubernetes\\.io/name"}) {
    EXPECT_TRUE(validatePrinterJsonPath(ok).isOk()) << ok;
  }
  for (const char* bad : {"spec.replicas", ".a[*]", ".a[?(@.x)]", ".a..b", ".a[-1]", ".a[0"}) {
    EXPECT_TRUE(validatePrinterJsonPath(bad).is(StatusCode::kInvalid)) << bad;
  }
  EXPECT_FALSE(TableConvertor::forPrinterColumns(
                   Json::array({{{"name", "X"}, {"type", "string"}, {"jsonPath", ".a[*]"}}}))
                   .isOk());
  EXPECT_FALSE(TableConvertor::forPrinterColumns(Json::array({{{"name", "X"}}})).isOk());
}

TEST_F(TableTest, IncludeObjectModesAndLists) {
  const TableConvertor printer = TableConvertor::forKind("", "Namespace");
  Json ns = {{"apiVersion", "v1"},
             {"kind", "Namespace"},
             {"metadata", {{"name", "a"}, {"resourceVersion", "7"}}},
             {"spec", {{"finalizers", {"kubernetes"}}}}};
  Json list = {
      {"kind", "NamespaceList"},
      {"metadata", {{"resourceVersion", "9"}, {"continue", "tok"}, {"remainingItemCount", 3}}},
      {"items", {ns, ns}}};
  Json table = printer.convertList(list, now());
  EXPECT_EQ(table["metadata"],
            Json({{"resourceVersion", "9"}, {"continue", "tok"}, {"remainingItemCount", 3}}));
  ASSERT_EQ(table["rows"].size(), 2u);
  EXPECT_EQ(table["rows"][0]["object"], Json({{"kind", "PartialObjectMetadata"},
                                              {"apiVersion", "meta.k8s.io/v1"},
                                              {"metadata", ns["metadata"]}}));
  EXPECT_EQ(table["columnDefinitions"].size(), 3u);

  TableOptions full{IncludeObject::kObject, true};
  Json object_table = printer.convertList(list, now(), full);
  EXPECT_EQ(object_table["rows"][1]["object"], ns);
  EXPECT_FALSE(object_table.contains("columnDefinitions"));

  Json none = printer.convertObject(ns, now(), {IncludeObject::kNone, false});
  EXPECT_FALSE(none["rows"][0].contains("object"));
  EXPECT_EQ(none["metadata"]["resourceVersion"], "7");

  EXPECT_EQ(*parseIncludeObject(""), IncludeObject::kMetadata);
  EXPECT_EQ(*parseIncludeObject("Object"), IncludeObject::kObject);
  EXPECT_EQ(*parseIncludeObject("None"), IncludeObject::kNone);
  EXPECT_FALSE(parseIncludeObject("all").isOk());
}

}  // namespace
}  // namespace serin::cluster
