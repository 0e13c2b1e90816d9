// ResourceRegistry: which resources the embedded API server serves, and the discovery and
// OpenAPI documents that describe them to clients.
//
// kubectl never hard-codes resources: it reads discovery to map `deploy`, `po`, `all` or
// `rollouts.argoproj.io` to a group/version/resource and to learn whether it is namespaced, and
// it reads OpenAPI to validate (`apply`) and document (`explain`) kinds. The registry is the one
// table behind both, plus the lookups the REST layer needs to route a request:
//
// - Built-ins: a fixed table of the kinds issue 3 serves, with the names, verbs, short names,
//   categories and subresources kube-apiserver 1.32 reports for them (e.g. daemonsets have
//   status but no scale subresource, as upstream).
// - CRDs: registerCrd() turns a CustomResourceDefinition object into one ResourceInfo per
//   served version (names, scope, status/scale subresources, printer columns, compiled schema,
//   storage version). A CRD whose schema is not structural, or that is malformed, is rejected
//   with a kInvalid Status naming the fields, the way kube-apiserver words it. Registering a CRD
//   again replaces its previous registration (CRD update); a CRD cannot take over a resource
//   (group + plural) that a built-in or another CRD already serves (kAlreadyExists).
//   unregisterCrd() removes everything the CRD registered.
//
// Documents (all JSON; the REST layer sets Content-Type and compares ETags):
// - discovery: /api (APIVersions), /api/v1 and /apis/<g>/<v> (APIResourceList, subresources as
//   "pods/status" entries), /apis (APIGroupList with preferredVersion), /apis/<g> (APIGroup).
//   kubectl 1.32 first asks /api and /apis for the aggregated form
//   (Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList, then v2beta1);
//   DiscoveryFormat::kAggregatedV2/V2Beta1 produce that APIGroupDiscoveryList. For other paths
//   the aggregated format does not exist and the legacy document is returned (the REST layer
//   should then answer with plain application/json, as kube-apiserver does: 406 is not needed).
// - OpenAPI v3: openApiV3Index() is /openapi/v3 ({"paths": {"apis/apps/v1": {"serverRelativeURL":
//   "/openapi/v3/apis/apps/v1?hash=<H>"}}}); openApiV3("apis/apps/v1") is the document. Schema
//   names follow kube: io.k8s.api.apps.v1.Deployment for built-ins, io.argoproj.v1alpha1.Rollout
//   for CRDs (group reversed), io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta referenced from
//   each kind's metadata. CRD kinds carry the CRD's openAPIV3Schema with descriptions (what
//   `kubectl explain rollout.spec.strategy.canary.steps` prints); built-in kinds are permissive
//   (type object + x-kubernetes-preserve-unknown-fields). Every kind schema carries
//   x-kubernetes-group-version-kind, which is how `kubectl explain` finds it.
// - OpenAPI v2: openApiV2() is /openapi/v2, Swagger 2.0 with the same definition names, kubectl's
//   fallback when v3 is unavailable.
//
// Why paths are served too (verified against kubectl 1.32's source): `kubectl apply` defaults to
// --validate=strict, and first checks whether the server supports fieldValidation by looking in
// the group-version's OpenAPI v3 document for a PATCH operation with the kind's
// x-kubernetes-group-version-kind and a `fieldValidation` query parameter (namespaces' document
// for an unknown group-version; v2 paths as fallback). When found, validation is left to the
// server (fieldValidation=Strict); otherwise kubectl validates client-side against the OpenAPI
// schemas or fails. So every resource gets item/collection paths with such operations.
// Deliberate difference from kube-apiserver: no PATCH advertises
// application/strategic-merge-patch+json, and built-in definitions in v2 carry no GVK. For
// built-in kinds, client-side `kubectl apply` computes its strategic merge patch from OpenAPI
// patch metadata when the v3 PATCH accepts strategic merge (or when v2 has the kind); from our
// permissive schemas that would be wrong (lists replaced instead of merged by key), so kubectl
// must fall back to the patch metadata compiled into it. CRs always use JSON merge patch.
//
// Thread-safety: copy-on-write. Every change builds a new immutable RegistrySnapshot and
// publishes it atomically; lookups work on the snapshot they took and never block on a
// registration in progress. Documents are built lazily once per snapshot and cached in it, so
// a change invalidates them all. No method throws.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "serin/cluster/schema.h"
#include "serin/kube/object.h"
#include "serin/util/status.h"

namespace serin::cluster {

// A subresource such as pods/status or deployments/scale.
struct SubresourceInfo {
  std::string name;  // "status", "scale", "log", "eviction"
  // What the subresource returns: the parent kind for status and log, autoscaling/v1 Scale for
  // scale, policy/v1 Eviction for eviction.
  kube::GroupVersionKind response_kind;
  std::vector<std::string> verbs;
};

// The CRD scale subresource's JSON paths (".spec.replicas").
struct ScalePaths {
  std::string spec_replicas_path;
  std::string status_replicas_path;
  std::string label_selector_path;  // optional: empty when the CRD sets none
};

// One additionalPrinterColumns entry of a CRD version.
struct PrinterColumn {
  std::string name;
  std::string type;  // integer, number, string, boolean, date
  std::string format;
  std::string description;
  std::string json_path;
  int priority = 0;
};

// One served group/version/resource.
struct ResourceInfo {
  std::string group;  // "" for core
  std::string version;
  std::string resource;  // plural
  std::string singular;
  std::string kind;
  std::string list_kind;
  bool namespaced = true;
  std::vector<std::string> verbs;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  std::vector<SubresourceInfo> subresources;
  // Status is written only through /status: spec changes bump metadata.generation, status and
  // metadata changes do not.
  bool status_subresource = false;
  std::optional<ScalePaths> scale;             // CRDs only; built-ins know their own fields
  std::vector<PrinterColumn> printer_columns;  // CRDs only
  // The version objects are stored at (for CRDs: spec.versions[].storage; built-ins: itself).
  std::string storage_version;
  // CRDs: the CRD's name ("rollouts.argoproj.io"), its openAPIV3Schema and compiled schema.
  // Built-ins: empty name, null schema JSON, null compiled schema.
  std::string crd_name;
  Json open_api_schema;
  CompiledSchemaPtr schema;
  // OpenAPI definition prefix: "io.k8s.api.apps.v1" or "io.argoproj.v1alpha1".
  std::string definition_prefix;

  bool isBuiltin() const { return crd_name.empty(); }
  kube::GroupVersionResource gvr() const { return {group, version, resource}; }
  kube::GroupVersionKind gvk() const { return {group, version, kind}; }
  std::string apiVersion() const { return kube::GroupVersion{group, version}.apiVersion(); }
  // "io.k8s.api.apps.v1.Deployment": the name of the kind's OpenAPI schema.
  std::string definitionName() const { return definition_prefix + "." + kind; }
  const SubresourceInfo* subresource(std::string_view name) const;
  bool hasVerb(std::string_view verb) const;
};
using ResourceInfoPtr = std::shared_ptr<const ResourceInfo>;

enum class DiscoveryFormat {
  kLegacy,             // APIVersions / APIGroupList / APIGroup / APIResourceList
  kAggregatedV2,       // apidiscovery.k8s.io/v2 APIGroupDiscoveryList (/api and /apis only)
  kAggregatedV2Beta1,  // the same shape as apidiscovery.k8s.io/v2beta1
};

// A served document: built once per registry snapshot and shared by every request.
struct Document {
  Json json;
  std::string body;  // json.dump(), serialised once
  std::string hash;  // 16 upper-case hex digits of a hash of body
  std::string etag;  // "\"<hash>\"", for ETag / If-None-Match
};
using DocumentPtr = std::shared_ptr<const Document>;

class RegistrySnapshot;
using RegistrySnapshotPtr = std::shared_ptr<const RegistrySnapshot>;

// An immutable, consistent view of the registry. Lookups return nullptr / empty when nothing
// matches.
class RegistrySnapshot {
 public:
  RegistrySnapshot(std::vector<ResourceInfoPtr> resources, uint64_t generation);

  // Registration order: built-ins first, then CRDs in the order they were registered.
  const std::vector<ResourceInfoPtr>& resources() const { return resources_; }
  // Increases with every change; a cheap "did anything change" for caches.
  uint64_t generation() const { return generation_; }

  ResourceInfoPtr find(const kube::GroupVersionResource& gvr) const;
  ResourceInfoPtr findByKind(const kube::GroupVersionKind& gvk) const;
  // kubectl's resource argument: plural, singular, short name or kind (case-insensitive), in
  // any group unless `group` is given; several matches in priority order (a built-in before a
  // CRD, a group's preferred version first).
  std::vector<ResourceInfoPtr> resolve(std::string_view name, std::string_view group = {}) const;
  // Resources in a category ("all"), preferred versions only, as kubectl expands it.
  std::vector<ResourceInfoPtr> inCategory(std::string_view category) const;
  // The versions of a group, preferred first (kube's version priority: v2 > v1 > v1beta2 >
  // v1beta1 > v1alpha1 > anything else alphabetically). Empty for an unknown group.
  std::vector<std::string> groupVersions(std::string_view group) const;
  // Groups with at least one served resource, in /apis order (built-ins first); "" excluded.
  std::vector<std::string> groups() const;

  // The discovery document at `path` ("/api", "/api/v1", "/apis", "/apis/apps",
  // "/apis/apps/v1"); NotFound for anything else.
  StatusOr<DocumentPtr> discovery(std::string_view path, DiscoveryFormat format) const;
  // /openapi/v3 index, /openapi/v3/<group_version_path> ("api/v1", "apis/apps/v1"; a leading
  // "/" or "/openapi/v3/" prefix is accepted), /openapi/v2.
  DocumentPtr openApiV3Index() const;
  StatusOr<DocumentPtr> openApiV3(std::string_view group_version_path) const;
  DocumentPtr openApiV2() const;

 private:
  StatusOr<DocumentPtr> cached(const std::string& key,
                               const std::function<StatusOr<Json>()>& build) const;

  std::vector<ResourceInfoPtr> resources_;
  uint64_t generation_;
  std::map<kube::GroupVersionResource, ResourceInfoPtr> by_gvr_;
  std::map<kube::GroupVersionKind, ResourceInfoPtr> by_gvk_;
  mutable std::mutex cache_mutex_;
  mutable std::map<std::string, DocumentPtr> cache_;
};

class ResourceRegistry {
 public:
  // A registry holding the built-in resources.
  ResourceRegistry();

  // Registers (or re-registers) the served versions of a CRD. Returns the warnings to send
  // back at CRD creation (CEL rules that are not enforced). kInvalid with the field errors for
  // a malformed or non-structural CRD; kAlreadyExists when its group/plural is taken by a
  // built-in or by another CRD. Nothing changes on error.
  StatusOr<std::vector<std::string>> registerCrd(const kube::Object& crd);
  // Removes a CRD's resources; false when it was not registered.
  bool unregisterCrd(std::string_view crd_name);

  // The current snapshot; hold it to get several consistent answers.
  RegistrySnapshotPtr snapshot() const;

  // Conveniences over snapshot().
  ResourceInfoPtr find(const kube::GroupVersionResource& gvr) const;
  ResourceInfoPtr findByKind(const kube::GroupVersionKind& gvk) const;
  std::vector<ResourceInfoPtr> resolve(std::string_view name, std::string_view group = {}) const;
  std::vector<ResourceInfoPtr> inCategory(std::string_view category) const;
  StatusOr<Json> discoveryJson(std::string_view path, DiscoveryFormat format) const;
  StatusOr<DocumentPtr> discoveryDocument(std::string_view path, DiscoveryFormat format) const;
  DocumentPtr openApiV3Index() const;
  StatusOr<DocumentPtr> openApiV3(std::string_view group_version_path) const;
  DocumentPtr openApiV2() const;

 private:
  void publish(std::vector<ResourceInfoPtr> resources);

  mutable std::mutex snapshot_mutex_;  // guards snapshot_ (the pointer, not what it points to)
  RegistrySnapshotPtr snapshot_;
  std::mutex write_mutex_;  // serialises registrations
};

// The built-in resources (kube-apiserver 1.32 facts), in /api and /apis order.
std::vector<ResourceInfoPtr> builtinResources();

// Parses a CustomResourceDefinition into one ResourceInfo per served version; the errors are
// field errors as kube-apiserver reports them ("spec.names.plural: Required value"). Warnings
// collects the CEL rules that are not enforced.
StatusOr<std::vector<ResourceInfoPtr>> resourcesFromCrd(const kube::Object& crd,
                                                        std::vector<std::string>* warnings);

// Kube's version priority: true when a sorts before b (preferred first).
bool versionPreferred(std::string_view a, std::string_view b);

// Document builders (implementation detail of RegistrySnapshot, exposed for the .cpp files).
namespace registry_internal {
StatusOr<Json> buildDiscovery(const RegistrySnapshot& snapshot, std::string_view path,
                              DiscoveryFormat format);
Json buildOpenApiV3(const RegistrySnapshot& snapshot, const kube::GroupVersion& gv);
Json buildOpenApiV2(const RegistrySnapshot& snapshot);
// "apis/apps/v1" / "api/v1" for a group-version.
std::string groupVersionPath(const kube::GroupVersion& gv);
// 16 upper-case hex digits (FNV-1a 64) of the text.
std::string hashText(std::string_view text);
}  // namespace registry_internal

}  // namespace serin::cluster
