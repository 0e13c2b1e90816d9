// The strategic merge schema of the built-in kinds: the `patchStrategy` / `patchMergeKey` struct
// tags of k8s.io/api (core/v1, apps/v1, batch/v1, policy/v1, ...) transcribed by hand. Only
// fields with a tag, and the struct fields leading to them, are recorded: everything else is
// kNone (atomic lists, merged objects), which is also what an untagged Go field means.
//
// Deliberately absent because the Go types declare them atomic (no patch tags): tolerations,
// readinessGates, envFrom, resizePolicy, args/command, taints, Endpoints subsets and the
// addresses/ports inside an EndpointSubset, StatefulSet volumeClaimTemplates.
#include <map>
#include <string>
#include <vector>

#include "patch_internal.h"

namespace serin::kube::patch_internal {
namespace {

constexpr PatchMeta mergeBy(std::string_view key) { return {PatchStrategy::kMerge, key, false}; }
constexpr PatchMeta mergeRetainBy(std::string_view key) {
  return {PatchStrategy::kMerge, key, true};
}
constexpr PatchMeta kMergePrimitive{PatchStrategy::kMerge, {}, false};
constexpr PatchMeta kRetainKeysOnly{PatchStrategy::kNone, {}, true};

// Every struct type is built once, in place (the fields point at each other), on first use.
class BuiltinSchemas {
 public:
  BuiltinSchemas() {
    buildCore();
    buildWorkloads();
    buildKinds();
  }
  BuiltinSchemas(const BuiltinSchemas&) = delete;
  BuiltinSchemas& operator=(const BuiltinSchemas&) = delete;

  const StructSchema* kind(const GroupVersionKind& gvk) const {
    auto it = kinds_.find(gvk);
    return it == kinds_.end() ? nullptr : it->second;
  }

 private:
  void buildCore() {
    object_meta_.add("ownerReferences", mergeBy("uid"));
    object_meta_.add("finalizers", kMergePrimitive);

    // Container and EphemeralContainerCommon carry the same tags.
    container_.add("ports", mergeBy("containerPort"));
    container_.add("env", mergeBy("name"));
    container_.add("volumeMounts", mergeBy("mountPath"));
    container_.add("volumeDevices", mergeBy("devicePath"));

    pod_spec_.add("volumes", mergeRetainBy("name"));
    pod_spec_.add("initContainers", mergeBy("name"), &container_);
    pod_spec_.add("containers", mergeBy("name"), &container_);
    pod_spec_.add("ephemeralContainers", mergeBy("name"), &container_);
    pod_spec_.add("imagePullSecrets", mergeBy("name"));
    pod_spec_.add("hostAliases", mergeBy("ip"));
    pod_spec_.add("topologySpreadConstraints", mergeBy("topologyKey"));
    pod_spec_.add("schedulingGates", mergeBy("name"));
    pod_spec_.add("resourceClaims", mergeRetainBy("name"));

    pod_status_.add("conditions", mergeBy("type"));
    pod_status_.add("podIPs", mergeBy("ip"));
    pod_status_.add("hostIPs", mergeBy("ip"));
    pod_status_.add("resourceClaimStatuses", mergeRetainBy("name"));

    pod_template_spec_.add("metadata", &object_meta_);
    pod_template_spec_.add("spec", &pod_spec_);

    conditions_by_type_.add("conditions", mergeBy("type"));

    service_spec_.add("ports", mergeBy("port"));
    node_spec_.add("podCIDRs", kMergePrimitive);
    node_status_.add("conditions", mergeBy("type"));
    node_status_.add("addresses", mergeBy("type"));
  }

  void buildWorkloads() {
    // Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, ReplicationController: spec.template.
    template_owner_spec_.add("template", &pod_template_spec_);
    deployment_spec_.add("template", &pod_template_spec_);
    deployment_spec_.add("strategy", kRetainKeysOnly);
    job_template_spec_.add("metadata", &object_meta_);
    job_template_spec_.add("spec", &template_owner_spec_);
    cron_job_spec_.add("jobTemplate", &job_template_spec_);
  }

  // A kind: metadata plus the given spec/status/other top-level fields.
  StructSchema& root(const GroupVersionKind& gvk) {
    StructSchema& r = roots_[gvk];
    r.add("metadata", &object_meta_);
    kinds_[gvk] = &r;
    return r;
  }

  void buildKinds() {
    const std::string core;
    StructSchema& pod = root({core, "v1", "Pod"});
    pod.add("spec", &pod_spec_);
    pod.add("status", &pod_status_);
    root({core, "v1", "PodTemplate"}).add("template", &pod_template_spec_);
    workload({core, "v1", "ReplicationController"}, &template_owner_spec_);
    workload({"apps", "v1", "Deployment"}, &deployment_spec_);
    workload({"apps", "v1", "ReplicaSet"}, &template_owner_spec_);
    workload({"apps", "v1", "StatefulSet"}, &template_owner_spec_);
    workload({"apps", "v1", "DaemonSet"}, &template_owner_spec_);
    workload({"batch", "v1", "Job"}, &template_owner_spec_);
    root({"batch", "v1", "CronJob"}).add("spec", &cron_job_spec_);

    StructSchema& service = root({core, "v1", "Service"});
    service.add("spec", &service_spec_);
    service.add("status", &conditions_by_type_);
    StructSchema& node = root({core, "v1", "Node"});
    node.add("spec", &node_spec_);
    node.add("status", &node_status_);
    root({core, "v1", "Namespace"}).add("status", &conditions_by_type_);
    root({core, "v1", "PersistentVolumeClaim"}).add("status", &conditions_by_type_);
    root({core, "v1", "ServiceAccount"}).add("secrets", mergeBy("name"));
    root({"policy", "v1", "PodDisruptionBudget"}).add("status", &conditions_by_type_);

    // Kinds whose lists are all atomic: only metadata carries strategies.
    for (const char* kind : {"ConfigMap", "Secret", "Endpoints", "Event", "PersistentVolume",
                             "LimitRange", "ResourceQuota"}) {
      root({core, "v1", kind});
    }
    root({"apps", "v1", "ControllerRevision"});
    root({"networking.k8s.io", "v1", "Ingress"});
    root({"networking.k8s.io", "v1", "NetworkPolicy"});
    root({"coordination.k8s.io", "v1", "Lease"});
    for (const char* kind : {"Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"}) {
      root({"rbac.authorization.k8s.io", "v1", kind});
    }
  }

  // Workloads whose status conditions merge by type.
  void workload(const GroupVersionKind& gvk, const StructSchema* spec) {
    StructSchema& r = root(gvk);
    r.add("spec", spec);
    r.add("status", &conditions_by_type_);
  }

  StructSchema object_meta_, container_, pod_spec_, pod_status_, pod_template_spec_;
  StructSchema conditions_by_type_, service_spec_, node_spec_, node_status_;
  StructSchema template_owner_spec_, deployment_spec_, job_template_spec_, cron_job_spec_;
  std::map<GroupVersionKind, StructSchema> roots_;
  std::map<GroupVersionKind, const StructSchema*> kinds_;
};

const BuiltinSchemas& builtins() {
  static const BuiltinSchemas kSchemas;  // thread-safe initialisation, immutable afterwards
  return kSchemas;
}

// Splits "a.b.c" on dots; an empty path gives no segments.
std::vector<std::string_view> splitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    size_t dot = path.find('.');
    parts.push_back(path.substr(0, dot));
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  return parts;
}

}  // namespace

const StructSchema* schemaForKind(const GroupVersionKind& gvk) { return builtins().kind(gvk); }

Status unsupportedKindError(const GroupVersionKind& gvk) {
  return invalidError("strategic merge patch is not supported for " + gvk.toString() +
                      ": it has no built-in schema (custom resources take a merge or JSON patch)");
}

}  // namespace serin::kube::patch_internal

namespace serin::kube {

bool hasStrategicSchema(const GroupVersionKind& gvk) {
  return patch_internal::schemaForKind(gvk) != nullptr;
}

std::optional<PatchMeta> patchMetaFor(const GroupVersionKind& gvk, std::string_view field_path) {
  const patch_internal::StructSchema* schema = patch_internal::schemaForKind(gvk);
  if (schema == nullptr) return std::nullopt;
  PatchMeta meta;
  for (std::string_view part : patch_internal::splitPath(field_path)) {
    const patch_internal::StructSchema::Field* field =
        schema == nullptr ? nullptr : schema->field(part);
    meta = field == nullptr ? PatchMeta{} : field->meta;
    schema = field == nullptr ? nullptr : field->type;
  }
  return meta;
}

}  // namespace serin::kube
