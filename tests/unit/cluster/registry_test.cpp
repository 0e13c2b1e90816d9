#include "serin/cluster/registry.h"

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "serin/kube/yaml.h"

namespace serin::cluster {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

kube::Object rolloutCrd() {
  std::ifstream in(std::string(SERIN_SOURCE_DIR) + "/crds/rollout-crd.yaml");
  std::stringstream text;
  text << in.rdbuf();
  StatusOr<std::vector<kube::Object>> objects = kube::decodeManifests(text.str());
  EXPECT_TRUE(objects.isOk()) << objects.status();
  EXPECT_EQ(objects->size(), 1u);
  return objects->front();
}

std::vector<std::string> names(const std::vector<ResourceInfoPtr>& infos) {
  std::vector<std::string> out;
  for (const ResourceInfoPtr& info : infos) out.push_back(info->resource);
  return out;
}

// The entry named `name` of an APIResourceList, or null.
Json resourceEntry(const Json& list, const std::string& name) {
  for (const Json& entry : list["resources"]) {
    if (entry["name"] == name) return entry;
  }
  return nullptr;
}

TEST(RegistryTest, BuiltinLookupsByResourceKindAndShortName) {
  ResourceRegistry registry;
  ResourceInfoPtr deployments = registry.find({"apps", "v1", "deployments"});
  ASSERT_NE(deployments, nullptr);
  EXPECT_EQ(deployments->kind, "Deployment");
  EXPECT_EQ(deployments->list_kind, "DeploymentList");
  EXPECT_TRUE(deployments->namespaced);
  EXPECT_TRUE(deployments->status_subresource);
  ASSERT_NE(deployments->subresource("scale"), nullptr);
  EXPECT_EQ(deployments->subresource("scale")->response_kind.kind, "Scale");
  EXPECT_EQ(registry.find({"apps", "v1", "daemonsets"})->subresource("scale"), nullptr);

  ResourceInfoPtr pod = registry.findByKind({"", "v1", "Pod"});
  ASSERT_NE(pod, nullptr);
  EXPECT_EQ(pod->resource, "pods");
  EXPECT_NE(pod->subresource("log"), nullptr);
  EXPECT_EQ(pod->subresource("eviction")->response_kind.group, "policy");

  EXPECT_THAT(names(registry.resolve("deploy")), ElementsAre("deployments"));
  EXPECT_THAT(names(registry.resolve("po")), ElementsAre("pods"));
  EXPECT_THAT(names(registry.resolve("svc")), ElementsAre("services"));
  EXPECT_THAT(names(registry.resolve("ns")), ElementsAre("namespaces"));
  EXPECT_THAT(names(registry.resolve("hpa")), ElementsAre("horizontalpodautoscalers"));
  EXPECT_THAT(names(registry.resolve("crd")), ElementsAre("customresourcedefinitions"));
  EXPECT_THAT(names(registry.resolve("Deployment")), ElementsAre("deployments"));
  EXPECT_THAT(names(registry.resolve("pod")), ElementsAre("pods"));
  EXPECT_THAT(names(registry.resolve("deployments.apps")), ElementsAre("deployments"));
  EXPECT_THAT(registry.resolve("nope"), IsEmpty());
  EXPECT_FALSE(registry.find({"", "v1", "namespaces"})->namespaced);
  EXPECT_FALSE(registry.find({"", "v1", "namespaces"})->hasVerb("deletecollection"));
}

TEST(RegistryTest, CategoryAll) {
  ResourceRegistry registry;
  EXPECT_THAT(names(registry.inCategory("all")),
              ElementsAre("pods", "services", "deployments", "replicasets", "statefulsets",
                          "daemonsets", "jobs", "horizontalpodautoscalers"));
}

TEST(RegistryTest, RegistersRolloutCrd) {
  ResourceRegistry registry;
  StatusOr<std::vector<std::string>> warnings = registry.registerCrd(rolloutCrd());
  ASSERT_TRUE(warnings.isOk()) << warnings.status();
  ResourceInfoPtr rollouts = registry.find({"argoproj.io", "v1alpha1", "rollouts"});
  ASSERT_NE(rollouts, nullptr);
  EXPECT_EQ(rollouts->kind, "Rollout");
  EXPECT_EQ(rollouts->crd_name, "rollouts.argoproj.io");
  EXPECT_EQ(rollouts->storage_version, "v1alpha1");
  EXPECT_TRUE(rollouts->status_subresource);
  ASSERT_TRUE(rollouts->scale.has_value());
  EXPECT_EQ(rollouts->scale->spec_replicas_path, ".spec.replicas");
  EXPECT_EQ(rollouts->scale->label_selector_path, ".status.selector");
  ASSERT_EQ(rollouts->printer_columns.size(), 5u);
  EXPECT_EQ(rollouts->printer_columns[0].name, "Desired");
  ASSERT_NE(rollouts->schema, nullptr);
  EXPECT_EQ(rollouts->definitionName(), "io.argoproj.v1alpha1.Rollout");
  EXPECT_THAT(names(registry.resolve("ro")), ElementsAre("rollouts"));
  EXPECT_THAT(names(registry.resolve("rollouts.argoproj.io")), ElementsAre("rollouts"));
  EXPECT_EQ(registry.findByKind({"argoproj.io", "v1alpha1", "Rollout"}), rollouts);
}

TEST(RegistryTest, RejectsNonStructuralCrdNamingTheField) {
  kube::Object crd = rolloutCrd();
  crd.json()["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"].erase(
      "type");
  ResourceRegistry registry;
  StatusOr<std::vector<std::string>> result = registry.registerCrd(crd);
  ASSERT_FALSE(result.isOk());
  EXPECT_TRUE(result.status().is(StatusCode::kInvalid));
  EXPECT_THAT(result.status().message(),
              HasSubstr("CustomResourceDefinition.apiextensions.k8s.io \"rollouts.argoproj.io\""));
  EXPECT_THAT(result.status().message(),
              HasSubstr("spec.versions[0].schema.openAPIV3Schema.properties[spec].type"));
  EXPECT_EQ(registry.find({"argoproj.io", "v1alpha1", "rollouts"}), nullptr);
}

TEST(RegistryTest, RejectsMalformedCrd) {
  kube::Object crd = rolloutCrd();
  crd.json()["spec"]["names"].erase("kind");
  crd.json()["spec"]["scope"] = "Galaxy";
  crd.setName("wrong");
  ResourceRegistry registry;
  Status status = registry.registerCrd(crd).status();
  EXPECT_THAT(status.message(), HasSubstr("spec.names.kind: Required value"));
  EXPECT_THAT(status.message(), HasSubstr("spec.scope: Unsupported value"));
  EXPECT_THAT(status.message(), HasSubstr("metadata.name: Invalid value"));
}

TEST(RegistryTest, CrdCannotTakeOverABuiltin) {
  kube::Object crd = rolloutCrd();
  crd.json()["spec"]["group"] = "apps";
  crd.json()["spec"]["names"]["plural"] = "deployments";
  crd.setName("deployments.apps");
  ResourceRegistry registry;
  EXPECT_TRUE(registry.registerCrd(crd).status().is(StatusCode::kAlreadyExists));
}

TEST(RegistryTest, UnregisterRemovesEverything) {
  ResourceRegistry registry;
  ASSERT_TRUE(registry.registerCrd(rolloutCrd()).isOk());
  std::string index_before = registry.openApiV3Index()->body;
  EXPECT_THAT(index_before, HasSubstr("apis/argoproj.io/v1alpha1"));
  EXPECT_TRUE(registry.unregisterCrd("rollouts.argoproj.io"));
  EXPECT_FALSE(registry.unregisterCrd("rollouts.argoproj.io"));
  EXPECT_EQ(registry.find({"argoproj.io", "v1alpha1", "rollouts"}), nullptr);
  EXPECT_THAT(registry.resolve("ro"), IsEmpty());
  EXPECT_FALSE(
      registry.discoveryJson("/apis/argoproj.io/v1alpha1", DiscoveryFormat::kLegacy).isOk());
  EXPECT_THAT(registry.discoveryDocument("/apis", DiscoveryFormat::kLegacy).value()->body,
              ::testing::Not(HasSubstr("argoproj.io")));
  EXPECT_THAT(registry.openApiV3Index()->body, ::testing::Not(HasSubstr("argoproj.io")));
  EXPECT_FALSE(registry.openApiV3("apis/argoproj.io/v1alpha1").isOk());
  EXPECT_THAT(registry.openApiV2()->body, ::testing::Not(HasSubstr("io.argoproj")));
}

TEST(RegistryTest, VersionPriority) {
  EXPECT_TRUE(versionPreferred("v2", "v1"));
  EXPECT_TRUE(versionPreferred("v1", "v2beta1"));
  EXPECT_TRUE(versionPreferred("v1beta2", "v1beta1"));
  EXPECT_TRUE(versionPreferred("v1beta1", "v1alpha1"));
  EXPECT_TRUE(versionPreferred("v1alpha1", "foo"));
  EXPECT_FALSE(versionPreferred("v1alpha1", "v1"));
}

TEST(RegistryTest, ConcurrentLookupsDuringRegistration) {
  ResourceRegistry registry;
  kube::Object crd = rolloutCrd();
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&]() {
      while (!stop.load()) {
        if (registry.find({"apps", "v1", "deployments"}) == nullptr) ++failures;
        RegistrySnapshotPtr snapshot = registry.snapshot();
        bool has_crd = snapshot->find({"argoproj.io", "v1alpha1", "rollouts"}) != nullptr;
        StatusOr<DocumentPtr> doc = snapshot->discovery("/apis", DiscoveryFormat::kAggregatedV2);
        if (!doc.isOk()) ++failures;
        // A snapshot is consistent: its documents agree with its lookups.
        bool doc_has_crd = (*doc)->body.find("argoproj.io") != std::string::npos;
        if (has_crd != doc_has_crd) ++failures;
        if (snapshot->openApiV3Index()->json["paths"].contains("apis/argoproj.io/v1alpha1") !=
            has_crd) {
          ++failures;
        }
      }
    });
  }
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(registry.registerCrd(crd).isOk());
    registry.unregisterCrd("rollouts.argoproj.io");
  }
  stop = true;
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(DiscoveryTest, LegacyCoreDocuments) {
  ResourceRegistry registry;
  Json api = registry.discoveryJson("/api", DiscoveryFormat::kLegacy).value();
  EXPECT_EQ(api["kind"], "APIVersions");
  EXPECT_EQ(api["versions"], Json::array({"v1"}));

  Json v1 = registry.discoveryJson("/api/v1", DiscoveryFormat::kLegacy).value();
  EXPECT_EQ(v1["kind"], "APIResourceList");
  EXPECT_EQ(v1["groupVersion"], "v1");
  Json pods = resourceEntry(v1, "pods");
  EXPECT_EQ(pods["singularName"], "pod");
  EXPECT_EQ(pods["namespaced"], true);
  EXPECT_EQ(pods["shortNames"], Json::array({"po"}));
  EXPECT_EQ(pods["categories"], Json::array({"all"}));
  EXPECT_TRUE(pods.contains("storageVersionHash"));
  EXPECT_EQ(resourceEntry(v1, "pods/status")["verbs"], Json::array({"get", "patch", "update"}));
  EXPECT_EQ(resourceEntry(v1, "pods/log")["verbs"], Json::array({"get"}));
  Json eviction = resourceEntry(v1, "pods/eviction");
  EXPECT_EQ(eviction["group"], "policy");
  EXPECT_EQ(eviction["kind"], "Eviction");
  EXPECT_EQ(resourceEntry(v1, "namespaces")["namespaced"], false);

  EXPECT_TRUE(registry.discoveryJson("/api/v2", DiscoveryFormat::kLegacy)
                  .status()
                  .is(StatusCode::kNotFound));
  EXPECT_TRUE(registry.discoveryJson("/apis/nope/v1", DiscoveryFormat::kLegacy)
                  .status()
                  .is(StatusCode::kNotFound));
}

TEST(DiscoveryTest, CrdAppearsInGroupDiscovery) {
  ResourceRegistry registry;
  ASSERT_TRUE(registry.registerCrd(rolloutCrd()).isOk());
  Json apis = registry.discoveryJson("/apis", DiscoveryFormat::kLegacy).value();
  EXPECT_EQ(apis["kind"], "APIGroupList");
  Json argo;
  for (const Json& group : apis["groups"]) {
    if (group["name"] == "argoproj.io") argo = group;
  }
  ASSERT_TRUE(argo.is_object()) << apis.dump();
  EXPECT_EQ(argo["preferredVersion"]["groupVersion"], "argoproj.io/v1alpha1");
  EXPECT_EQ(argo["versions"][0]["version"], "v1alpha1");
  EXPECT_EQ(apis["groups"][0]["name"], "apps");

  Json list =
      registry.discoveryJson("/apis/argoproj.io/v1alpha1", DiscoveryFormat::kLegacy).value();
  Json rollouts = resourceEntry(list, "rollouts");
  EXPECT_EQ(rollouts["kind"], "Rollout");
  EXPECT_EQ(rollouts["shortNames"], Json::array({"ro"}));
  EXPECT_EQ(resourceEntry(list, "rollouts/status")["kind"], "Rollout");
  Json scale = resourceEntry(list, "rollouts/scale");
  EXPECT_EQ(scale["group"], "autoscaling");
  EXPECT_EQ(scale["kind"], "Scale");

  Json group = registry.discoveryJson("/apis/argoproj.io", DiscoveryFormat::kLegacy).value();
  EXPECT_EQ(group["kind"], "APIGroup");
}

TEST(DiscoveryTest, AggregatedShape) {
  ResourceRegistry registry;
  ASSERT_TRUE(registry.registerCrd(rolloutCrd()).isOk());
  Json apis = registry.discoveryJson("/apis", DiscoveryFormat::kAggregatedV2).value();
  EXPECT_EQ(apis["kind"], "APIGroupDiscoveryList");
  EXPECT_EQ(apis["apiVersion"], "apidiscovery.k8s.io/v2");
  Json argo;
  for (const Json& item : apis["items"]) {
    if (item["metadata"].value("name", "") == "argoproj.io") argo = item;
  }
  ASSERT_TRUE(argo.is_object());
  const Json& version = argo["versions"][0];
  EXPECT_EQ(version["version"], "v1alpha1");
  EXPECT_EQ(version["freshness"], "Current");
  Json rollouts;
  for (const Json& resource : version["resources"]) {
    if (resource["resource"] == "rollouts") rollouts = resource;
  }
  EXPECT_EQ(rollouts["responseKind"],
            (Json{{"group", "argoproj.io"}, {"version", "v1alpha1"}, {"kind", "Rollout"}}));
  EXPECT_EQ(rollouts["scope"], "Namespaced");
  EXPECT_EQ(rollouts["singularResource"], "rollout");
  EXPECT_EQ(rollouts["shortNames"], Json::array({"ro"}));
  ASSERT_EQ(rollouts["subresources"].size(), 2u);
  EXPECT_EQ(rollouts["subresources"][1]["subresource"], "scale");
  EXPECT_EQ(rollouts["subresources"][1]["responseKind"]["kind"], "Scale");

  Json core = registry.discoveryJson("/api", DiscoveryFormat::kAggregatedV2Beta1).value();
  EXPECT_EQ(core["apiVersion"], "apidiscovery.k8s.io/v2beta1");
  ASSERT_EQ(core["items"].size(), 1u);
  EXPECT_FALSE(core["items"][0]["metadata"].contains("name"));
  EXPECT_EQ(core["items"][0]["versions"][0]["version"], "v1");

  // The aggregated form exists only for /api and /apis.
  Json v1 = registry.discoveryJson("/api/v1", DiscoveryFormat::kAggregatedV2).value();
  EXPECT_EQ(v1["kind"], "APIResourceList");
}

TEST(DiscoveryTest, DocumentsAreCachedAndHashChangesWithRegistry) {
  ResourceRegistry registry;
  DocumentPtr first = registry.discoveryDocument("/apis", DiscoveryFormat::kLegacy).value();
  DocumentPtr again = registry.discoveryDocument("/apis", DiscoveryFormat::kLegacy).value();
  EXPECT_EQ(first, again);  // same snapshot, same cached document
  EXPECT_EQ(first->etag, "\"" + first->hash + "\"");
  EXPECT_EQ(first->hash.size(), 16u);
  ASSERT_TRUE(registry.registerCrd(rolloutCrd()).isOk());
  DocumentPtr after = registry.discoveryDocument("/apis", DiscoveryFormat::kLegacy).value();
  EXPECT_NE(after->hash, first->hash);
}

const Json* findSchema(const Json& doc, const std::string& name) {
  auto it = doc["components"]["schemas"].find(name);
  return it == doc["components"]["schemas"].end() ? nullptr : &*it;
}

TEST(OpenApiTest, V3IndexAndRolloutDocument) {
  ResourceRegistry registry;
  ASSERT_TRUE(registry.registerCrd(rolloutCrd()).isOk());
  Json index = registry.openApiV3Index()->json;
  ASSERT_TRUE(index["paths"].contains("apis/argoproj.io/v1alpha1"));
  ASSERT_TRUE(index["paths"].contains("api/v1"));
  DocumentPtr doc = registry.openApiV3("apis/argoproj.io/v1alpha1").value();
  EXPECT_EQ(index["paths"]["apis/argoproj.io/v1alpha1"]["serverRelativeURL"],
            "/openapi/v3/apis/argoproj.io/v1alpha1?hash=" + doc->hash);
  EXPECT_EQ(registry.openApiV3("/openapi/v3/apis/argoproj.io/v1alpha1?hash=x").value(), doc);

  const Json* rollout = findSchema(doc->json, "io.argoproj.v1alpha1.Rollout");
  ASSERT_NE(rollout, nullptr);
  EXPECT_EQ(
      (*rollout)["x-kubernetes-group-version-kind"],
      Json::array({{{"group", "argoproj.io"}, {"version", "v1alpha1"}, {"kind", "Rollout"}}}));
  const Json& steps = (*rollout)["properties"]["spec"]["properties"]["strategy"]["properties"]
                                ["canary"]["properties"]["steps"];
  EXPECT_EQ(steps["description"],
            "Steps of the update; none means a rolling update straight to 100%.");
  EXPECT_EQ((*rollout)["properties"]["metadata"]["allOf"][0]["$ref"],
            "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  EXPECT_NE(findSchema(doc->json, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"), nullptr);

  // kubectl apply's fieldValidation probe: a PATCH with the GVK and the query parameter.
  const Json& patch =
      doc->json["paths"]["/apis/argoproj.io/v1alpha1/namespaces/{namespace}/rollouts/{name}"]
               ["patch"];
  EXPECT_EQ(patch["x-kubernetes-group-version-kind"]["kind"], "Rollout");
  bool has_field_validation = false;
  for (const Json& param : patch["parameters"]) {
    if (param["name"] == "fieldValidation" && param["in"] == "query") has_field_validation = true;
  }
  EXPECT_TRUE(has_field_validation);
  EXPECT_FALSE(patch["requestBody"]["content"].contains("application/strategic-merge-patch+json"));
}

TEST(OpenApiTest, BuiltinsArePermissive) {
  ResourceRegistry registry;
  DocumentPtr apps = registry.openApiV3("apis/apps/v1").value();
  const Json* deployment = findSchema(apps->json, "io.k8s.api.apps.v1.Deployment");
  ASSERT_NE(deployment, nullptr);
  EXPECT_EQ((*deployment)["type"], "object");
  EXPECT_EQ((*deployment)["x-kubernetes-preserve-unknown-fields"], true);
  EXPECT_EQ((*deployment)["x-kubernetes-group-version-kind"][0]["kind"], "Deployment");
  DocumentPtr core = registry.openApiV3("api/v1").value();
  EXPECT_NE(findSchema(core->json, "io.k8s.api.core.v1.Namespace"), nullptr);
  EXPECT_TRUE(core->json["paths"].contains("/api/v1/namespaces/{name}"));
  EXPECT_TRUE(registry.openApiV3("apis/nope/v1").status().is(StatusCode::kNotFound));
}

TEST(OpenApiTest, V2Definitions) {
  ResourceRegistry registry;
  ASSERT_TRUE(registry.registerCrd(rolloutCrd()).isOk());
  Json v2 = registry.openApiV2()->json;
  EXPECT_EQ(v2["swagger"], "2.0");
  const Json& rollout = v2["definitions"]["io.argoproj.v1alpha1.Rollout"];
  EXPECT_EQ(rollout["x-kubernetes-group-version-kind"][0]["kind"], "Rollout");
  EXPECT_EQ(rollout["properties"]["metadata"]["$ref"],
            "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  EXPECT_TRUE(v2["definitions"].contains("io.k8s.api.core.v1.Pod"));
  // Built-ins carry no GVK in v2, so kubectl's client-side apply uses its own patch metadata.
  EXPECT_FALSE(
      v2["definitions"]["io.k8s.api.core.v1.Pod"].contains("x-kubernetes-group-version-kind"));
  EXPECT_THAT(v2.dump(), ::testing::Not(HasSubstr("\"nullable\"")));
}

}  // namespace
}  // namespace serin::cluster
