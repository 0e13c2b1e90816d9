// Three-way patches as `kubectl apply` computes them: each row gives the last-applied
// configuration, the desired manifest and the live object, the patch expected, and the object
// expected after applying that patch to live. A second apply of the same manifest must then be
// a no-op (`{}`), which is what keeps the GitOps sync from reporting drift forever.
#include <ostream>

#include <gtest/gtest.h>

#include "serin/kube/patch.h"

#include "patch_test_util.h"

namespace serin::kube {
namespace {

using patch_test::json;
using patch_test::kDeployment;
using patch_test::kPod;
using patch_test::kRollout;

const GroupVersionKind kService{"", "v1", "Service"};

struct ThreeWayCase {
  std::string name;
  // gtest prints the row name, not the bytes, when a case fails.
  friend void PrintTo(const ThreeWayCase& c, std::ostream* os) { *os << c.name; }
  GroupVersionKind gvk;
  const char* last_applied;
  const char* desired;
  const char* live;
  const char* expected_patch;
  const char* expected_result;
};

StatusOr<Json> applyAsClientWould(const Json& live, const Json& patch,
                                  const GroupVersionKind& gvk) {
  return hasStrategicSchema(gvk) ? applyStrategicMergePatch(live, patch, gvk)
                                 : applyMergePatch(live, patch);
}

class ThreeWayPatchTest : public ::testing::TestWithParam<ThreeWayCase> {};

TEST_P(ThreeWayPatchTest, PatchAppliedToLiveGivesExpectedObject) {
  const ThreeWayCase& c = GetParam();
  const Json desired = json(c.desired);
  StatusOr<Json> patch =
      createThreeWayMergePatch(json(c.last_applied), desired, json(c.live), c.gvk);
  ASSERT_TRUE(patch.isOk()) << patch.status();
  EXPECT_EQ(*patch, json(c.expected_patch)) << patch->dump();

  StatusOr<Json> applied = applyAsClientWould(json(c.live), *patch, c.gvk);
  ASSERT_TRUE(applied.isOk()) << applied.status();
  EXPECT_EQ(*applied, json(c.expected_result)) << applied->dump();

  StatusOr<Json> again = createThreeWayMergePatch(desired, desired, *applied, c.gvk);
  ASSERT_TRUE(again.isOk()) << again.status();
  EXPECT_EQ(*again, Json::object()) << "second apply is not a no-op: " << again->dump();
}

const ThreeWayCase kCases[] = {
    {"LabelRemovedWhileLabelOfOthersStays", kDeployment,
     R"({"metadata":{"name":"web","labels":{"app":"web","team":"a"}}})",
     R"({"metadata":{"name":"web","labels":{"app":"web"}}})",
     R"({"metadata":{"name":"web","uid":"u1","labels":{"app":"web","team":"a","owner":"ops"}}})",
     R"({"metadata":{"labels":{"team":null}}})",
     R"({"metadata":{"name":"web","uid":"u1","labels":{"app":"web","owner":"ops"}}})"},
    {"ContainerImageChange", kDeployment,
     R"({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"app:1"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"app:2"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"app:1",
         "imagePullPolicy":"IfNotPresent","terminationMessagePath":"/dev/termination-log"}]}}}})",
     R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"}],
         "containers":[{"name":"app","image":"app:2"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"app:2",
         "imagePullPolicy":"IfNotPresent","terminationMessagePath":"/dev/termination-log"}]}}}})"},
    {"EnvVarDroppedFromDesiredIsDeleted", kDeployment,
     R"({"spec":{"template":{"spec":{"containers":[{"name":"app","env":[
         {"name":"A","value":"1"},{"name":"B","value":"2"}]}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"app","env":[
         {"name":"A","value":"1"}]}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"app","imagePullPolicy":"Always",
         "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]}}}})",
     R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"}],
         "containers":[{"name":"app","$setElementOrder/env":[{"name":"A"}],
         "env":[{"name":"B","$patch":"delete"}]}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"app","imagePullPolicy":"Always",
         "env":[{"name":"A","value":"1"}]}]}}}})"},
    {"ServerDefaultsUntouched", kDeployment,
     R"({"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"app","image":"a"}]}}}})",
     R"({"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"app","image":"a"}]}}}})",
     R"({"spec":{"replicas":2,"revisionHistoryLimit":10,"progressDeadlineSeconds":600,
         "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%",
         "maxUnavailable":"25%"}},"template":{"spec":{"restartPolicy":"Always",
         "containers":[{"name":"app","image":"a","imagePullPolicy":"IfNotPresent"}]}}},
         "status":{"replicas":2}})",
     R"({"spec":{"replicas":3}})",
     R"({"spec":{"replicas":3,"revisionHistoryLimit":10,"progressDeadlineSeconds":600,
         "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%",
         "maxUnavailable":"25%"}},"template":{"spec":{"restartPolicy":"Always",
         "containers":[{"name":"app","image":"a","imagePullPolicy":"IfNotPresent"}]}}},
         "status":{"replicas":2}})"},
    {"UnchangedInputsGiveEmptyPatch", kDeployment,
     R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web",
         "labels":{"app":"web"}},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
         "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app",
         "image":"web:1","env":[{"name":"A","value":"1"}],"ports":[{"containerPort":8080}]}],
         "volumes":[{"name":"cfg","configMap":{"name":"web"}}]}}}})",
     R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web",
         "labels":{"app":"web"}},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
         "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app",
         "image":"web:1","env":[{"name":"A","value":"1"}],"ports":[{"containerPort":8080}]}],
         "volumes":[{"name":"cfg","configMap":{"name":"web"}}]}}}})",
     R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","uid":"u",
         "resourceVersion":"12","generation":3,"labels":{"app":"web"}},"spec":{"replicas":2,
         "selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
         "spec":{"containers":[{"name":"app","image":"web:1","env":[{"name":"A","value":"1"}],
         "ports":[{"containerPort":8080,"protocol":"TCP"}]}],"volumes":[{"name":"cfg",
         "configMap":{"name":"web","defaultMode":420}}]}}},"status":{"replicas":2}})",
     R"({})",
     R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","uid":"u",
         "resourceVersion":"12","generation":3,"labels":{"app":"web"}},"spec":{"replicas":2,
         "selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
         "spec":{"containers":[{"name":"app","image":"web:1","env":[{"name":"A","value":"1"}],
         "ports":[{"containerPort":8080,"protocol":"TCP"}]}],"volumes":[{"name":"cfg",
         "configMap":{"name":"web","defaultMode":420}}]}}},"status":{"replicas":2}})"},
    {"FirstApplyWithoutLastApplied", kDeployment, R"(null)",
     R"({"metadata":{"labels":{"app":"web"}},"spec":{"replicas":1}})",
     R"({"metadata":{"labels":{"app":"web","pod-template-hash":"x"}},"spec":{"replicas":3}})",
     R"({"spec":{"replicas":1}})",
     R"({"metadata":{"labels":{"app":"web","pod-template-hash":"x"}},"spec":{"replicas":1}})"},
    {"ContainerAddedAtTheEnd", kDeployment,
     R"({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"a"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"a"},
         {"name":"proxy","image":"envoy"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"a",
         "imagePullPolicy":"Always"}]}}}})",
     R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"},
         {"name":"proxy"}],"containers":[{"name":"proxy","image":"envoy"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"a",
         "imagePullPolicy":"Always"},{"name":"proxy","image":"envoy"}]}}}})"},
    {"ContainerRemovedFromDesired", kDeployment,
     R"({"spec":{"template":{"spec":{"containers":[{"name":"app"},{"name":"proxy"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"app"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"app"},{"name":"proxy"}]}}}})",
     R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"}],
         "containers":[{"name":"proxy","$patch":"delete"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"app"}]}}}})"},
    {"InjectedSidecarKept", kPod, R"({"spec":{"containers":[{"name":"app","image":"a"}]}})",
     R"({"spec":{"containers":[{"name":"app","image":"b"}]}})",
     R"({"spec":{"containers":[{"name":"istio-proxy","image":"proxyv2"},
         {"name":"app","image":"a"}]}})",
     R"({"spec":{"$setElementOrder/containers":[{"name":"app"}],
         "containers":[{"name":"app","image":"b"}]}})",
     R"({"spec":{"containers":[{"name":"istio-proxy","image":"proxyv2"},
         {"name":"app","image":"b"}]}})"},
    {"FinalizerRemovedWhileOthersFinalizerStays", kDeployment,
     R"({"metadata":{"finalizers":["example.com/a"]}})",
     R"({"metadata":{"finalizers":["example.com/b"]}})",
     R"({"metadata":{"finalizers":["example.com/a","other.io/keep"]}})",
     R"({"metadata":{"$setElementOrder/finalizers":["example.com/b"],
         "finalizers":["example.com/b"],
         "$deleteFromPrimitiveList/finalizers":["example.com/a"]}})",
     R"({"metadata":{"finalizers":["example.com/b","other.io/keep"]}})"},
    {"FieldRemovedFromDesired", kDeployment, R"({"spec":{"replicas":3}})", R"({"spec":{}})",
     R"({"spec":{"replicas":3,"paused":false}})", R"({"spec":{"replicas":null}})",
     R"({"spec":{"paused":false}})"},
    {"AtomicListReplacedWholesale", kPod,
     R"({"spec":{"tolerations":[{"key":"a","operator":"Exists"}]}})",
     R"({"spec":{"tolerations":[{"key":"b","operator":"Exists"}]}})",
     R"({"spec":{"tolerations":[{"key":"a","operator":"Exists"}],"nodeName":"n1"}})",
     R"({"spec":{"tolerations":[{"key":"b","operator":"Exists"}]}})",
     R"({"spec":{"tolerations":[{"key":"b","operator":"Exists"}],"nodeName":"n1"}})"},
    {"CustomResourceUsesMergePatch", kRollout,
     R"({"spec":{"replicas":2,"paused":true,"strategy":{"canary":{"steps":[
         {"setWeight":20},{"pause":{}}]}}}})",
     R"({"spec":{"replicas":2,"strategy":{"canary":{"steps":[
         {"setWeight":50},{"pause":{}}]}}}})",
     R"({"spec":{"replicas":2,"paused":true,"strategy":{"canary":{"steps":[
         {"setWeight":20},{"pause":{}}]}}},"status":{"phase":"Paused"}})",
     R"({"spec":{"paused":null,"strategy":{"canary":{"steps":[
         {"setWeight":50},{"pause":{}}]}}}})",
     R"({"spec":{"replicas":2,"strategy":{"canary":{"steps":[
         {"setWeight":50},{"pause":{}}]}}},"status":{"phase":"Paused"}})"},
    {"CustomResourceUnchanged", kRollout, R"({"spec":{"replicas":2}})",
     R"({"spec":{"replicas":2}})", R"({"spec":{"replicas":2},"status":{"phase":"Healthy"}})",
     R"({})", R"({"spec":{"replicas":2},"status":{"phase":"Healthy"}})"},
    {"StrategySwitchUsesRetainKeys", kDeployment,
     R"({"spec":{"strategy":{"type":"RollingUpdate"}}})",
     R"({"spec":{"strategy":{"type":"Recreate"}}})",
     R"({"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%",
         "maxUnavailable":"25%"}}}})",
     R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})",
     R"({"spec":{"strategy":{"type":"Recreate"}}})"},
    {"VolumeSourceSwitchUsesRetainKeys", kDeployment,
     R"({"spec":{"template":{"spec":{"volumes":[{"name":"cfg","emptyDir":{}}]}}}})",
     R"({"spec":{"template":{"spec":{"volumes":[{"name":"cfg","configMap":{"name":"web"}}]}}}})",
     R"({"spec":{"template":{"spec":{"volumes":[{"name":"cfg","emptyDir":{}}]}}}})",
     R"({"spec":{"template":{"spec":{"$setElementOrder/volumes":[{"name":"cfg"}],
         "volumes":[{"name":"cfg","$retainKeys":["configMap","name"],
         "configMap":{"name":"web"},"emptyDir":null}]}}}})",
     R"({"spec":{"template":{"spec":{"volumes":[{"name":"cfg","configMap":{"name":"web"}}]}}}})"},
    {"DriftResetToDesired", kDeployment, R"({"spec":{"replicas":2}})", R"({"spec":{"replicas":2}})",
     R"({"spec":{"replicas":5}})", R"({"spec":{"replicas":2}})", R"({"spec":{"replicas":2}})"},
    {"DeletionAlreadyGoneFromLive", kDeployment, R"({"metadata":{"labels":{"a":"1","b":"2"}}})",
     R"({"metadata":{"labels":{"a":"1"}}})", R"({"metadata":{"labels":{"a":"1"}}})", R"({})",
     R"({"metadata":{"labels":{"a":"1"}}})"},
    {"AnnotationAddedByDesired", kDeployment, R"({"metadata":{"name":"web"}})",
     R"({"metadata":{"name":"web","annotations":{"team":"payments"}}})",
     R"({"metadata":{"name":"web","annotations":{"deployment.kubernetes.io/revision":"4"}}})",
     R"({"metadata":{"annotations":{"team":"payments"}}})",
     R"({"metadata":{"name":"web","annotations":{"deployment.kubernetes.io/revision":"4",
         "team":"payments"}}})"},
    {"ServicePortChangedByPort", kService,
     R"({"spec":{"ports":[{"name":"http","port":80,"targetPort":8080}]}})",
     R"({"spec":{"ports":[{"name":"http","port":80,"targetPort":9090}]}})",
     R"({"spec":{"clusterIP":"10.0.0.7","ports":[{"name":"http","port":80,"protocol":"TCP",
         "targetPort":8080}]}})",
     R"({"spec":{"$setElementOrder/ports":[{"port":80}],
         "ports":[{"port":80,"targetPort":9090}]}})",
     R"({"spec":{"clusterIP":"10.0.0.7","ports":[{"name":"http","port":80,"protocol":"TCP",
         "targetPort":9090}]}})"},
};

INSTANTIATE_TEST_SUITE_P(Table, ThreeWayPatchTest, ::testing::ValuesIn(kCases),
                         patch_test::CaseName{});

TEST(ThreeWayPatchErrorTest, DesiredMustBeAnObject) {
  StatusOr<Json> patch = createThreeWayMergePatch(Json(), json("[1]"), json("{}"), kPod);
  ASSERT_FALSE(patch.isOk());
  EXPECT_TRUE(patch.status().is(StatusCode::kInvalid));
}

TEST(ThreeWayPatchErrorTest, MergedListElementWithoutKeyIsInvalid) {
  StatusOr<Json> patch =
      createThreeWayMergePatch(Json(), json(R"({"spec":{"containers":[{"image":"x"}]}})"),
                               json(R"({"spec":{"containers":[{"name":"a"}]}})"), kPod);
  ASSERT_FALSE(patch.isOk());
  EXPECT_TRUE(patch.status().is(StatusCode::kInvalid));
}

}  // namespace
}  // namespace serin::kube
