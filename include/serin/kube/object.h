// kube::Object: any Kubernetes object (built-in kind or custom resource) as JSON.
//
// nlohmann::json is the shared vocabulary type for Kubernetes objects across Serin (DESIGN.md):
// an Object owns one JSON document and offers typed accessors for the metadata every object
// carries. Spec and status are read through json() by the module that understands the kind.
//
// Accessors never throw: a missing or mistyped metadata field reads as empty/zero, and setters
// create the path they write. Object is a value type; copying copies the document, so caches
// share objects as std::shared_ptr<const Object>.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "serin/util/status.h"

namespace serin::kube {

using Json = nlohmann::json;

struct GroupVersion {
  std::string group;  // "" for the core group
  std::string version;

  // "v1" for core, else "group/version".
  std::string apiVersion() const;
  // Parses "apps/v1" or "v1".
  static GroupVersion parse(std::string_view apiVersion);
  friend bool operator==(const GroupVersion&, const GroupVersion&) = default;
};

struct GroupVersionKind {
  std::string group;
  std::string version;
  std::string kind;

  std::string apiVersion() const { return GroupVersion{group, version}.apiVersion(); }
  GroupVersion groupVersion() const { return {group, version}; }
  static GroupVersionKind from(std::string_view apiVersion, std::string_view kind);
  // "Deployment.v1.apps", kubectl's fully-qualified form; "Pod.v1" for core.
  std::string toString() const;
  friend auto operator<=>(const GroupVersionKind&, const GroupVersionKind&) = default;
};

struct GroupVersionResource {
  std::string group;
  std::string version;
  std::string resource;  // plural lower-case, e.g. "deployments"

  GroupVersion groupVersion() const { return {group, version}; }
  // "deployments.v1.apps"; "pods.v1" for core.
  std::string toString() const;
  friend auto operator<=>(const GroupVersionResource&, const GroupVersionResource&) = default;
};

struct OwnerReference {
  std::string apiVersion;
  std::string kind;
  std::string name;
  std::string uid;
  bool controller = false;
  bool blockOwnerDeletion = false;

  Json toJson() const;
  static OwnerReference fromJson(const Json& j);
  friend bool operator==(const OwnerReference&, const OwnerReference&) = default;
};

class Object {
 public:
  using Labels = std::map<std::string, std::string>;

  Object() : json_(Json::object()) {}
  explicit Object(Json json) : json_(std::move(json)) {}
  Object(std::string_view apiVersion, std::string_view kind, std::string_view ns,
         std::string_view name);

  // Parses a JSON document; the error names the offset of a syntax error.
  static StatusOr<Object> parse(std::string_view text);

  const Json& json() const { return json_; }
  Json& json() { return json_; }
  std::string dump(int indent = -1) const { return json_.dump(indent); }

  // Type.
  std::string apiVersion() const;
  std::string kind() const;
  GroupVersionKind gvk() const;
  void setApiVersion(std::string_view v);
  void setKind(std::string_view k);

  // metadata.
  std::string name() const;
  std::string generateName() const;
  std::string ns() const;  // "namespace" is a keyword
  std::string uid() const;
  std::string resourceVersion() const;
  int64_t generation() const;
  std::optional<std::string> creationTimestamp() const;
  std::optional<std::string> deletionTimestamp() const;
  bool isBeingDeleted() const { return deletionTimestamp().has_value(); }
  Labels labels() const;
  Labels annotations() const;
  std::optional<std::string> label(std::string_view key) const;
  std::optional<std::string> annotation(std::string_view key) const;
  std::vector<OwnerReference> ownerReferences() const;
  // The ownerReference with controller: true, if any.
  std::optional<OwnerReference> controllerRef() const;
  std::vector<std::string> finalizers() const;
  bool hasFinalizer(std::string_view f) const;
  const Json* managedFields() const;  // nullptr when absent

  void setName(std::string_view v);
  void setGenerateName(std::string_view v);
  void setNamespace(std::string_view v);
  void setUid(std::string_view v);
  void setResourceVersion(std::string_view v);
  void setGeneration(int64_t g);
  void setCreationTimestamp(std::string_view rfc3339);
  void setDeletionTimestamp(std::string_view rfc3339);
  void setLabel(std::string_view key, std::string_view value);
  void removeLabel(std::string_view key);
  void setLabels(const Labels& labels);
  void setAnnotation(std::string_view key, std::string_view value);
  void removeAnnotation(std::string_view key);
  void setAnnotations(const Labels& annotations);
  void setOwnerReferences(const std::vector<OwnerReference>& refs);
  void addOwnerReference(const OwnerReference& ref);
  void addFinalizer(std::string_view f);
  void removeFinalizer(std::string_view f);
  void clearManagedFields();

  // A reference to this object for others' ownerReferences.
  OwnerReference asOwner(bool controller = true, bool blockOwnerDeletion = true) const;

  // "namespace/name", or "name" for cluster-scoped objects: the cache and work-queue key.
  std::string key() const;

  // Values at a JSON pointer ("/spec/replicas"); nullptr when absent.
  const Json* at(std::string_view pointer) const;

  friend bool operator==(const Object& a, const Object& b) { return a.json_ == b.json_; }

 private:
  Json& metadata();
  const Json* metadataOrNull() const;

  Json json_;
};

// Splits a "namespace/name" key; a key without '/' is cluster-scoped.
std::pair<std::string, std::string> splitKey(std::string_view key);
std::string makeKey(std::string_view ns, std::string_view name);

}  // namespace serin::kube
