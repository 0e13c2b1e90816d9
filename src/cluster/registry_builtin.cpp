// The built-in resources of the embedded control plane, with the names, verbs, short names,
// categories and subresources kube-apiserver 1.32 reports in `kubectl api-resources -o wide`.
// Subresources Serin does not serve (pods/exec, pods/binding, nodes/proxy, ...) are left out.
#include <utility>

#include "serin/cluster/registry.h"

namespace serin::cluster {
namespace {

using Strings = std::vector<std::string>;

const Strings kAllVerbs = {"create", "delete", "deletecollection", "get",
                           "list",   "patch",  "update",           "watch"};
// Namespaces cannot be deleted as a collection.
const Strings kNoCollectionVerbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
const Strings kStatusVerbs = {"get", "patch", "update"};

struct BuiltinSpec {
  std::string group;
  std::string version;
  std::string resource;
  std::string singular;
  std::string kind;
  bool namespaced;
  Strings short_names;
  Strings categories;
  Strings subresources;  // from: status, scale, log, eviction
  std::string definition_prefix;
  const Strings* verbs = &kAllVerbs;
};

SubresourceInfo makeSubresource(const std::string& name, const BuiltinSpec& spec) {
  kube::GroupVersionKind parent{spec.group, spec.version, spec.kind};
  if (name == "scale") return {name, {"autoscaling", "v1", "Scale"}, kStatusVerbs};
  if (name == "eviction") return {name, {"policy", "v1", "Eviction"}, {"create"}};
  if (name == "log") return {name, parent, {"get"}};
  return {name, parent, kStatusVerbs};
}

ResourceInfoPtr makeBuiltin(const BuiltinSpec& spec) {
  auto info = std::make_shared<ResourceInfo>();
  info->group = spec.group;
  info->version = spec.version;
  info->resource = spec.resource;
  info->singular = spec.singular;
  info->kind = spec.kind;
  info->list_kind = spec.kind + "List";
  info->namespaced = spec.namespaced;
  info->verbs = *spec.verbs;
  info->short_names = spec.short_names;
  info->categories = spec.categories;
  for (const std::string& name : spec.subresources) {
    info->subresources.push_back(makeSubresource(name, spec));
    if (name == "status") info->status_subresource = true;
  }
  info->storage_version = spec.version;
  info->open_api_schema = nullptr;
  info->definition_prefix = spec.definition_prefix;
  return info;
}

std::vector<BuiltinSpec> builtinSpecs() {
  const std::string core = "io.k8s.api.core.v1";
  const std::string apps = "io.k8s.api.apps.v1";
  const Strings all = {"all"};
  const Strings status = {"status"};
  const Strings status_scale = {"status", "scale"};
  return {
      // namespaces and nodes keep their status out of main-resource updates, as upstream.
      {"",
       "v1",
       "namespaces",
       "namespace",
       "Namespace",
       false,
       {"ns"},
       {},
       status,
       core,
       &kNoCollectionVerbs},
      {"", "v1", "nodes", "node", "Node", false, {"no"}, {}, status, core},
      {"", "v1", "pods", "pod", "Pod", true, {"po"}, all, {"status", "log", "eviction"}, core},
      {"", "v1", "services", "service", "Service", true, {"svc"}, all, status, core},
      {"", "v1", "endpoints", "endpoints", "Endpoints", true, {"ep"}, {}, {}, core},
      {"", "v1", "configmaps", "configmap", "ConfigMap", true, {"cm"}, {}, {}, core},
      {"", "v1", "secrets", "secret", "Secret", true, {}, {}, {}, core},
      {"", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, {"sa"}, {}, {}, core},
      {"", "v1", "events", "event", "Event", true, {"ev"}, {}, {}, core},
      {"apps",
       "v1",
       "deployments",
       "deployment",
       "Deployment",
       true,
       {"deploy"},
       all,
       status_scale,
       apps},
      {"apps",
       "v1",
       "replicasets",
       "replicaset",
       "ReplicaSet",
       true,
       {"rs"},
       all,
       status_scale,
       apps},
      {"apps",
       "v1",
       "statefulsets",
       "statefulset",
       "StatefulSet",
       true,
       {"sts"},
       all,
       status_scale,
       apps},
      // Upstream daemonsets have no scale subresource (one pod per node, nothing to scale).
      {"apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, {"ds"}, all, status, apps},
      {"batch", "v1", "jobs", "job", "Job", true, {}, all, status, "io.k8s.api.batch.v1"},
      {"networking.k8s.io",
       "v1",
       "ingresses",
       "ingress",
       "Ingress",
       true,
       {"ing"},
       {},
       status,
       "io.k8s.api.networking.v1"},
      {"networking.k8s.io",
       "v1",
       "ingressclasses",
       "ingressclass",
       "IngressClass",
       false,
       {},
       {},
       {},
       "io.k8s.api.networking.v1"},
      {"coordination.k8s.io",
       "v1",
       "leases",
       "lease",
       "Lease",
       true,
       {},
       {},
       {},
       "io.k8s.api.coordination.v1"},
      {"autoscaling",
       "v2",
       "horizontalpodautoscalers",
       "horizontalpodautoscaler",
       "HorizontalPodAutoscaler",
       true,
       {"hpa"},
       all,
       status,
       "io.k8s.api.autoscaling.v2"},
      {"apiextensions.k8s.io",
       "v1",
       "customresourcedefinitions",
       "customresourcedefinition",
       "CustomResourceDefinition",
       false,
       {"crd", "crds"},
       {"api-extensions"},
       status,
       "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1"},
  };
}

}  // namespace

std::vector<ResourceInfoPtr> builtinResources() {
  std::vector<ResourceInfoPtr> out;
  for (const BuiltinSpec& spec : builtinSpecs()) out.push_back(makeBuiltin(spec));
  return out;
}

}  // namespace serin::cluster
