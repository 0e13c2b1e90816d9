// Strategic merge patch: the schema table, applying patches with every directive, and the
// errors kube-apiserver gives (including the rejection of custom resources).
#include <ostream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "serin/kube/patch.h"

#include "patch_test_util.h"

namespace serin::kube {
namespace {

using patch_test::json;
using patch_test::kDeployment;
using patch_test::kPod;
using patch_test::kRollout;
using ::testing::HasSubstr;

const GroupVersionKind kCronJob{"batch", "v1", "CronJob"};
const GroupVersionKind kJob{"batch", "v1", "Job"};
const GroupVersionKind kStatefulSet{"apps", "v1", "StatefulSet"};
const GroupVersionKind kService{"", "v1", "Service"};
const GroupVersionKind kNode{"", "v1", "Node"};
const GroupVersionKind kPodTemplate{"", "v1", "PodTemplate"};

// ---- schema table ----

struct MetaCase {
  std::string name;
  // gtest prints the row name, not the bytes, when a case fails.
  friend void PrintTo(const MetaCase& c, std::ostream* os) { *os << c.name; }
  GroupVersionKind gvk;
  const char* path;
  PatchMeta expected;
};

class PatchMetaTest : public ::testing::TestWithParam<MetaCase> {};

TEST_P(PatchMetaTest, MatchesGoStructTags) {
  const MetaCase& c = GetParam();
  std::optional<PatchMeta> meta = patchMetaFor(c.gvk, c.path);
  ASSERT_TRUE(meta.has_value());
  EXPECT_EQ(meta->strategy, c.expected.strategy);
  EXPECT_EQ(meta->mergeKey, c.expected.mergeKey);
  EXPECT_EQ(meta->retainKeys, c.expected.retainKeys);
}

constexpr PatchMeta kAtomic{};
constexpr PatchMeta mergeBy(std::string_view key, bool retain = false) {
  return {PatchStrategy::kMerge, key, retain};
}

const MetaCase kMetaCases[] = {
    {"DeploymentContainers", kDeployment, "spec.template.spec.containers", mergeBy("name")},
    {"DeploymentEnv", kDeployment, "spec.template.spec.containers.env", mergeBy("name")},
    {"InitContainerPorts", kDeployment, "spec.template.spec.initContainers.ports",
     mergeBy("containerPort")},
    {"VolumesRetainKeys", kDeployment, "spec.template.spec.volumes", mergeBy("name", true)},
    {"DeploymentStrategyRetainKeys",
     kDeployment,
     "spec.strategy",
     {PatchStrategy::kNone, {}, true}},
    {"FinalizersPrimitiveMerge", kPod, "metadata.finalizers", mergeBy("")},
    {"OwnerReferencesByUid", kPod, "metadata.ownerReferences", mergeBy("uid")},
    {"TolerationsAtomic", kPod, "spec.tolerations", kAtomic},
    {"EnvFromAtomic", kPod, "spec.containers.envFrom", kAtomic},
    {"ResizePolicyAtomic", kPod, "spec.containers.resizePolicy", kAtomic},
    {"HostAliasesByIp", kPod, "spec.hostAliases", mergeBy("ip")},
    {"PodConditionsByType", kPod, "status.conditions", mergeBy("type")},
    {"CronJobTemplateVolumeMounts", kCronJob,
     "spec.jobTemplate.spec.template.spec.containers.volumeMounts", mergeBy("mountPath")},
    {"ServicePortsByPort", kService, "spec.ports", mergeBy("port")},
    {"NodeAddressesByType", kNode, "status.addresses", mergeBy("type")},
    {"EndpointsSubsetsAtomic", {"", "v1", "Endpoints"}, "subsets", kAtomic},
};

INSTANTIATE_TEST_SUITE_P(Table, PatchMetaTest, ::testing::ValuesIn(kMetaCases),
                         patch_test::CaseName{});

TEST(StrategicPatchTest, CustomResourceHasNoSchema) {
  EXPECT_FALSE(hasStrategicSchema(kRollout));
  EXPECT_FALSE(patchMetaFor(kRollout, "spec.strategy").has_value());
  EXPECT_TRUE(hasStrategicSchema(kDeployment));
}

// ---- applying ----

struct StrategicCase {
  std::string name;
  // gtest prints the row name, not the bytes, when a case fails.
  friend void PrintTo(const StrategicCase& c, std::ostream* os) { *os << c.name; }
  GroupVersionKind gvk;
  const char* original;
  const char* patch;
  const char* expected;
};

class StrategicPatchApplyTest : public ::testing::TestWithParam<StrategicCase> {};

TEST_P(StrategicPatchApplyTest, GivesExpectedObject) {
  const StrategicCase& c = GetParam();
  StatusOr<Json> result = applyStrategicMergePatch(json(c.original), json(c.patch), c.gvk);
  ASSERT_TRUE(result.isOk()) << result.status();
  EXPECT_EQ(*result, json(c.expected)) << result->dump();
}

const StrategicCase kApplyCases[] = {
    {"ContainersMergedByNameKeepingOthers", kDeployment,
     R"({"spec":{"template":{"spec":{"containers":[
         {"name":"app","image":"app:1","ports":[{"containerPort":8080}]},
         {"name":"proxy","image":"envoy:1"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"app:2"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[
         {"name":"app","image":"app:2","ports":[{"containerPort":8080}]},
         {"name":"proxy","image":"envoy:1"}]}}}})"},
    {"NewContainerGoesFirstAsInKubernetes", kPod,
     R"({"spec":{"containers":[{"name":"app"},{"name":"proxy"}]}})",
     R"({"spec":{"containers":[{"name":"debug","image":"busybox"}]}})",
     R"({"spec":{"containers":[{"name":"debug","image":"busybox"},{"name":"app"},
         {"name":"proxy"}]}})"},
    {"EnvMergedByName", kPod,
     R"({"spec":{"containers":[{"name":"app","env":[{"name":"A","value":"1"},
         {"name":"B","value":"2"}]}]}})",
     R"({"spec":{"containers":[{"name":"app","env":[{"name":"B","value":"3"},
         {"name":"C","value":"4"}]}]}})",
     R"({"spec":{"containers":[{"name":"app","env":[{"name":"A","value":"1"},
         {"name":"B","value":"3"},{"name":"C","value":"4"}]}]}})"},
    {"EnvVarDeletedByPatchDelete", kPod,
     R"({"spec":{"containers":[{"name":"app","env":[{"name":"A","value":"1"},
         {"name":"B","value":"2"}]}]}})",
     R"({"spec":{"containers":[{"name":"app","env":[{"name":"A","$patch":"delete"}]}]}})",
     R"({"spec":{"containers":[{"name":"app","env":[{"name":"B","value":"2"}]}]}})"},
    {"PortsMergedByContainerPort", kPod,
     R"({"spec":{"containers":[{"name":"app","ports":[{"containerPort":8080,"name":"http"},
         {"containerPort":9090,"name":"metrics"}]}]}})",
     R"({"spec":{"containers":[{"name":"app","ports":[{"containerPort":9090,"name":"prom"}]}]}})",
     R"({"spec":{"containers":[{"name":"app","ports":[{"containerPort":8080,"name":"http"},
         {"containerPort":9090,"name":"prom"}]}]}})"},
    {"ContainerDeletedByPatchDelete", kDeployment,
     R"({"spec":{"template":{"spec":{"containers":[{"name":"app"},{"name":"proxy"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"proxy","$patch":"delete"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"app"}]}}}})"},
    {"ListReplacedByPatchReplace", kPod,
     R"({"spec":{"containers":[{"name":"app","image":"a"},{"name":"proxy"}]}})",
     R"({"spec":{"containers":[{"name":"only","image":"x"},{"$patch":"replace"}]}})",
     R"({"spec":{"containers":[{"name":"only","image":"x"}]}})"},
    {"MapReplacedByPatchReplace", kPod, R"({"metadata":{"labels":{"app":"web","tier":"fe"}}})",
     R"({"metadata":{"labels":{"$patch":"replace","app":"new"}}})",
     R"({"metadata":{"labels":{"app":"new"}}})"},
    {"MapEmptiedByPatchDelete", kPod, R"({"metadata":{"annotations":{"a":"1"},"name":"p"}})",
     R"({"metadata":{"annotations":{"$patch":"delete"}}})",
     R"({"metadata":{"annotations":{},"name":"p"}})"},
    {"MapMergeDirectiveIsDefault", kPod, R"({"metadata":{"labels":{"app":"web"}}})",
     R"({"metadata":{"labels":{"$patch":"merge","tier":"fe"}}})",
     R"({"metadata":{"labels":{"app":"web","tier":"fe"}}})"},
    {"RetainKeysSwitchesVolumeSource", kPod,
     R"({"spec":{"volumes":[{"name":"cfg","emptyDir":{}},{"name":"data","emptyDir":{}}]}})",
     R"({"spec":{"volumes":[{"name":"cfg","$retainKeys":["configMap","name"],
         "configMap":{"name":"web-cfg"}}]}})",
     R"({"spec":{"volumes":[{"name":"cfg","configMap":{"name":"web-cfg"}},
         {"name":"data","emptyDir":{}}]}})"},
    {"RetainKeysOnDeploymentStrategy", kDeployment,
     R"({"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}})",
     R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})",
     R"({"spec":{"strategy":{"type":"Recreate"}}})"},
    {"SetElementOrderPlacesNewContainer", kPod,
     R"({"spec":{"containers":[{"name":"app"},{"name":"proxy"}]}})",
     R"({"spec":{"$setElementOrder/containers":[{"name":"app"},{"name":"debug"},
         {"name":"proxy"}],"containers":[{"name":"debug","image":"busybox"}]}})",
     R"({"spec":{"containers":[{"name":"app"},{"name":"debug","image":"busybox"},
         {"name":"proxy"}]}})"},
    {"SetElementOrderAloneReorders", kPod,
     R"({"spec":{"containers":[{"name":"app"},{"name":"proxy"}]}})",
     R"({"spec":{"$setElementOrder/containers":[{"name":"proxy"},{"name":"app"}]}})",
     R"({"spec":{"containers":[{"name":"proxy"},{"name":"app"}]}})"},
    {"SetElementOrderOfPrimitives", kPod, R"({"metadata":{"finalizers":["a","b"]}})",
     R"({"metadata":{"$setElementOrder/finalizers":["a","b","c"],"finalizers":["c"]}})",
     R"({"metadata":{"finalizers":["a","b","c"]}})"},
    {"DeleteFromPrimitiveListFinalizers", kPod, R"({"metadata":{"finalizers":["a","b","c"]}})",
     R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}})",
     R"({"metadata":{"finalizers":["a","c"]}})"},
    {"FinalizersMergedAsASet", kPod, R"({"metadata":{"finalizers":["a","b"]}})",
     R"({"metadata":{"finalizers":["b","c"]}})", R"({"metadata":{"finalizers":["a","b","c"]}})"},
    {"FinalizerAddedGoesFirst", kPod, R"({"metadata":{"finalizers":["a"]}})",
     R"({"metadata":{"finalizers":["z"]}})", R"({"metadata":{"finalizers":["z","a"]}})"},
    {"TolerationsReplacedWholesale", kPod,
     R"({"spec":{"tolerations":[{"key":"a","operator":"Exists"}]}})",
     R"({"spec":{"tolerations":[{"key":"b","operator":"Exists"}]}})",
     R"({"spec":{"tolerations":[{"key":"b","operator":"Exists"}]}})"},
    {"ArgsReplacedWholesale", kPod,
     R"({"spec":{"containers":[{"name":"app","args":["--a","--b"]}]}})",
     R"({"spec":{"containers":[{"name":"app","args":["--c"]}]}})",
     R"({"spec":{"containers":[{"name":"app","args":["--c"]}]}})"},
    {"ResizePolicyIsAtomic", kPod,
     R"({"spec":{"containers":[{"name":"app","resizePolicy":[
         {"resourceName":"cpu","restartPolicy":"NotRequired"},
         {"resourceName":"memory","restartPolicy":"RestartContainer"}]}]}})",
     R"({"spec":{"containers":[{"name":"app","resizePolicy":[
         {"resourceName":"cpu","restartPolicy":"RestartContainer"}]}]}})",
     R"({"spec":{"containers":[{"name":"app","resizePolicy":[
         {"resourceName":"cpu","restartPolicy":"RestartContainer"}]}]}})"},
    {"EnvFromIsAtomic", kPod,
     R"({"spec":{"containers":[{"name":"app","envFrom":[{"configMapRef":{"name":"a"}}]}]}})",
     R"({"spec":{"containers":[{"name":"app","envFrom":[{"secretRef":{"name":"b"}}]}]}})",
     R"({"spec":{"containers":[{"name":"app","envFrom":[{"secretRef":{"name":"b"}}]}]}})"},
    {"NullDeletesField", kDeployment, R"({"spec":{"paused":true,"replicas":2}})",
     R"({"spec":{"paused":null}})", R"({"spec":{"replicas":2}})"},
    {"NullDeletesFieldInsideContainer", kPod,
     R"({"spec":{"containers":[{"name":"app","resources":{"limits":{"cpu":"1"}}}]}})",
     R"({"spec":{"containers":[{"name":"app","resources":null}]}})",
     R"({"spec":{"containers":[{"name":"app"}]}})"},
    {"NullsInNewContainerDropped", kPod, R"({"spec":{"containers":[{"name":"app"}]}})",
     R"({"spec":{"containers":[{"name":"debug","command":null,"image":"busybox"}]}})",
     R"({"spec":{"containers":[{"name":"debug","image":"busybox"},{"name":"app"}]}})"},
    {"DirectivesInNewValueConsumed", kPod, R"({"metadata":{"name":"p"}})",
     R"({"metadata":{"labels":{"$patch":"replace","app":"web"}}})",
     R"({"metadata":{"name":"p","labels":{"app":"web"}}})"},
    {"VolumeMountsByMountPath", kPod,
     R"({"spec":{"containers":[{"name":"app","volumeMounts":[
         {"name":"cfg","mountPath":"/etc/cfg"},{"name":"data","mountPath":"/data"}]}]}})",
     R"({"spec":{"containers":[{"name":"app","volumeMounts":[
         {"mountPath":"/data","readOnly":true}]}]}})",
     R"({"spec":{"containers":[{"name":"app","volumeMounts":[
         {"name":"cfg","mountPath":"/etc/cfg"},
         {"name":"data","mountPath":"/data","readOnly":true}]}]}})"},
    {"OwnerReferencesByUid", kPod,
     R"({"metadata":{"ownerReferences":[{"uid":"u1","kind":"ReplicaSet","name":"a"}]}})",
     R"({"metadata":{"ownerReferences":[{"uid":"u1","controller":true},
         {"uid":"u2","kind":"Job","name":"b"}]}})",
     R"({"metadata":{"ownerReferences":[
         {"uid":"u1","kind":"ReplicaSet","name":"a","controller":true},
         {"uid":"u2","kind":"Job","name":"b"}]}})"},
    {"CronJobTemplateContainersMerged", kCronJob,
     R"({"spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":{"spec":{
         "containers":[{"name":"task","image":"t:1"},{"name":"log","image":"l:1"}]}}}}}})",
     R"({"spec":{"jobTemplate":{"spec":{"template":{"spec":{
         "containers":[{"name":"task","image":"t:2"}]}}}}}})",
     R"({"spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":{"spec":{
         "containers":[{"name":"task","image":"t:2"},{"name":"log","image":"l:1"}]}}}}}})"},
    {"StatefulSetTemplateContainersMerged", kStatefulSet,
     R"({"spec":{"template":{"spec":{"containers":[{"name":"db","image":"pg:14"},
         {"name":"exporter"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"db","image":"pg:15"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"db","image":"pg:15"},
         {"name":"exporter"}]}}}})"},
    {"PodTemplateKindMerged", kPodTemplate,
     R"({"template":{"spec":{"initContainers":[{"name":"init","image":"i:1"},{"name":"x"}]}}})",
     R"({"template":{"spec":{"initContainers":[{"name":"init","image":"i:2"}]}}})",
     R"({"template":{"spec":{"initContainers":[{"name":"init","image":"i:2"},{"name":"x"}]}}})"},
    {"ServicePortsByPort", kService,
     R"({"spec":{"ports":[{"port":80,"targetPort":8080,"name":"http"},
         {"port":443,"name":"https"}]}})",
     R"({"spec":{"ports":[{"port":80,"targetPort":9090}]}})",
     R"({"spec":{"ports":[{"port":80,"targetPort":9090,"name":"http"},
         {"port":443,"name":"https"}]}})"},
    {"PodStatusConditionsByType", kPod,
     R"({"status":{"conditions":[{"type":"Ready","status":"False"},
         {"type":"PodScheduled","status":"True"}]}})",
     R"({"status":{"conditions":[{"type":"Ready","status":"True"}]}})",
     R"({"status":{"conditions":[{"type":"Ready","status":"True"},
         {"type":"PodScheduled","status":"True"}]}})"},
    {"JobStatusConditionsByType", kJob,
     R"({"status":{"conditions":[{"type":"Complete","status":"False"}]}})",
     R"({"status":{"conditions":[{"type":"Failed","status":"True"}]}})",
     R"({"status":{"conditions":[{"type":"Failed","status":"True"},
         {"type":"Complete","status":"False"}]}})"},
    {"NodeAddressesByType", kNode,
     R"({"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.1"},
         {"type":"Hostname","address":"n1"}]}})",
     R"({"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.2"}]}})",
     R"({"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.2"},
         {"type":"Hostname","address":"n1"}]}})"},
    {"ImagePullSecretsByName", kPod, R"({"spec":{"imagePullSecrets":[{"name":"a"}]}})",
     R"({"spec":{"imagePullSecrets":[{"name":"a"},{"name":"b"}]}})",
     R"({"spec":{"imagePullSecrets":[{"name":"a"},{"name":"b"}]}})"},
    {"TopologySpreadByTopologyKey", kPod,
     R"({"spec":{"topologySpreadConstraints":[{"topologyKey":"zone","maxSkew":1,
         "whenUnsatisfiable":"DoNotSchedule"}]}})",
     R"({"spec":{"topologySpreadConstraints":[{"topologyKey":"zone","maxSkew":2}]}})",
     R"({"spec":{"topologySpreadConstraints":[{"topologyKey":"zone","maxSkew":2,
         "whenUnsatisfiable":"DoNotSchedule"}]}})"},
    {"EmptyListPatchLeavesMergedListAlone", kPod, R"({"spec":{"containers":[{"name":"app"}]}})",
     R"({"spec":{"containers":[]}})", R"({"spec":{"containers":[{"name":"app"}]}})"},
    {"NullDeletesMergedList", kPod,
     R"({"spec":{"containers":[{"name":"app"}],"imagePullSecrets":[{"name":"a"}]}})",
     R"({"spec":{"imagePullSecrets":null}})", R"({"spec":{"containers":[{"name":"app"}]}})"},
    {"RootReplaceDirective", kPod, R"({"metadata":{"name":"p"},"spec":{"a":1}})",
     R"({"$patch":"replace","metadata":{"name":"q"}})", R"({"metadata":{"name":"q"}})"},
};

INSTANTIATE_TEST_SUITE_P(Table, StrategicPatchApplyTest, ::testing::ValuesIn(kApplyCases),
                         patch_test::CaseName{});

struct StrategicFailure {
  std::string name;
  // gtest prints the row name, not the bytes, when a case fails.
  friend void PrintTo(const StrategicFailure& c, std::ostream* os) { *os << c.name; }
  GroupVersionKind gvk;
  const char* original;
  const char* patch;
  const char* message_part;
};

class StrategicPatchFailureTest : public ::testing::TestWithParam<StrategicFailure> {};

TEST_P(StrategicPatchFailureTest, IsInvalid) {
  const StrategicFailure& c = GetParam();
  StatusOr<Json> result = applyStrategicMergePatch(json(c.original), json(c.patch), c.gvk);
  ASSERT_FALSE(result.isOk()) << result->dump();
  EXPECT_TRUE(result.status().is(StatusCode::kInvalid)) << result.status();
  EXPECT_THAT(result.status().message(), HasSubstr(c.message_part));
}

const StrategicFailure kFailureCases[] = {
    {"CustomResourceRejected", kRollout, R"({"spec":{}})", R"({"spec":{"paused":true}})",
     "strategic merge patch is not supported for Rollout.v1alpha1.argoproj.io"},
    {"UnknownApiVersionRejected",
     {"apps", "v1beta1", "Deployment"},
     R"({})",
     R"({})",
     "not supported"},
    {"UnknownPatchDirective", kPod, R"({"metadata":{"labels":{}}})",
     R"({"metadata":{"labels":{"$patch":"frobnicate"}}})",
     R"(at /metadata/labels: unknown $patch directive "frobnicate")"},
    {"UnknownListDirective", kPod, R"({"spec":{"containers":[]}})",
     R"({"spec":{"containers":[{"name":"a","$patch":"shuffle"}]}})", "unknown $patch"},
    {"ElementWithoutMergeKey", kPod, R"({"spec":{"containers":[{"name":"app"}]}})",
     R"({"spec":{"containers":[{"image":"x"}]}})", R"(lacks merge key "name")"},
    {"DeleteWithoutMergeKey", kPod, R"({"spec":{"containers":[{"name":"app"}]}})",
     R"({"spec":{"containers":[{"$patch":"delete"}]}})", "$patch: delete without merge key"},
    {"FieldMissingFromRetainKeys", kDeployment, R"({"spec":{"strategy":{}}})",
     R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":{}}}})",
     R"(field "rollingUpdate" is not listed in $retainKeys)"},
    {"PatchNotAnObject", kPod, R"({})", R"([1])", "must be a JSON object"},
    {"MixedPrimitiveAndObjectList", kPod, R"({"metadata":{"finalizers":["a"]}})",
     R"({"metadata":{"finalizers":[{"x":1}]}})", "mixes objects and primitives"},
};

INSTANTIATE_TEST_SUITE_P(Table, StrategicPatchFailureTest, ::testing::ValuesIn(kFailureCases),
                         patch_test::CaseName{});

// ---- two-way patches ----

struct TwoWayCase {
  std::string name;
  // gtest prints the row name, not the bytes, when a case fails.
  friend void PrintTo(const TwoWayCase& c, std::ostream* os) { *os << c.name; }
  GroupVersionKind gvk;
  const char* original;
  const char* modified;
  const char* expected_patch;
};

class StrategicPatchCreateTest : public ::testing::TestWithParam<TwoWayCase> {};

TEST_P(StrategicPatchCreateTest, IsExpectedAndRoundTrips) {
  const TwoWayCase& c = GetParam();
  StatusOr<Json> patch = createStrategicMergePatch(json(c.original), json(c.modified), c.gvk);
  ASSERT_TRUE(patch.isOk()) << patch.status();
  EXPECT_EQ(*patch, json(c.expected_patch)) << patch->dump();
  StatusOr<Json> applied = applyStrategicMergePatch(json(c.original), *patch, c.gvk);
  ASSERT_TRUE(applied.isOk()) << applied.status();
  EXPECT_EQ(*applied, json(c.modified)) << applied->dump();
}

const TwoWayCase kCreateCases[] = {
    {"IdenticalGivesEmptyPatch", kPod, R"({"spec":{"containers":[{"name":"a","image":"x"}]}})",
     R"({"spec":{"containers":[{"name":"a","image":"x"}]}})", R"({})"},
    {"ImageChangeAndEnvRemoval", kPod,
     R"({"spec":{"containers":[{"name":"a","image":"x:1","env":[{"name":"K","value":"1"},
         {"name":"L","value":"2"}]}]}})",
     R"({"spec":{"containers":[{"name":"a","image":"x:2","env":[{"name":"K","value":"1"}]}]}})",
     R"({"spec":{"$setElementOrder/containers":[{"name":"a"}],"containers":[{"name":"a",
         "image":"x:2","$setElementOrder/env":[{"name":"K"}],
         "env":[{"name":"L","$patch":"delete"}]}]}})"},
    {"ContainerAppendedKeepsOrder", kPod, R"({"spec":{"containers":[{"name":"a"}]}})",
     R"({"spec":{"containers":[{"name":"a"},{"name":"b","image":"y"}]}})",
     R"({"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"b"}],
         "containers":[{"name":"b","image":"y"}]}})"},
    {"FinalizerRemovedAndAdded", kPod, R"({"metadata":{"finalizers":["a","b"]}})",
     R"({"metadata":{"finalizers":["a","c"]}})",
     R"({"metadata":{"$setElementOrder/finalizers":["a","c"],"finalizers":["c"],
         "$deleteFromPrimitiveList/finalizers":["b"]}})"},
    {"RemovedFieldBecomesNull", kDeployment, R"({"spec":{"replicas":2,"paused":true}})",
     R"({"spec":{"replicas":2}})", R"({"spec":{"paused":null}})"},
};

INSTANTIATE_TEST_SUITE_P(Table, StrategicPatchCreateTest, ::testing::ValuesIn(kCreateCases),
                         patch_test::CaseName{});

TEST(StrategicPatchTest, CreateRejectsCustomResource) {
  StatusOr<Json> patch =
      createStrategicMergePatch(json(R"({"a":1})"), json(R"({"a":2})"), kRollout);
  ASSERT_FALSE(patch.isOk());
  EXPECT_TRUE(patch.status().is(StatusCode::kInvalid));
  EXPECT_THAT(patch.status().message(), HasSubstr("not supported"));
}

TEST(StrategicPatchTest, InputIsNotModified) {
  const Json original = json(R"({"spec":{"containers":[{"name":"a","image":"1"}]}})");
  const Json patch = json(R"({"spec":{"containers":[{"name":"a","image":"2"}]}})");
  const Json copy = original;
  StatusOr<Json> result = applyStrategicMergePatch(original, patch, kPod);
  ASSERT_TRUE(result.isOk());
  EXPECT_EQ(original, copy);
}

}  // namespace
}  // namespace serin::kube
