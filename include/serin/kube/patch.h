// Kubernetes patches: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge
// patch, applied and computed the way kube-apiserver and kubectl do.
//
// Three parts of Serin need the same semantics bit for bit: the API client sends patches, the
// embedded API server applies them exactly as kube-apiserver would, and the GitOps sync computes
// the three-way patch `kubectl apply` sends (last-applied configuration, desired manifest, live
// object). A difference between them would show up as endless drift or as fields clobbered
// behind a controller's back, so all patch logic lives here.
//
// Strategic merge patch needs to know, for each list field of a kind, whether its elements are
// merged (and by which key) or the list is replaced wholesale. Kubernetes takes this from the Go
// struct tags (`patchStrategy`, `patchMergeKey`) of the built-in API types; Serin keeps the same
// facts in a table (patchMetaFor). Kinds missing from the table, custom resources in particular,
// have no strategic schema: kube-apiserver answers 415 for a strategic patch to them, and every
// strategic function here returns an Invalid status saying so. Three-way patches for such kinds
// fall back to JSON merge patch semantics, as kubectl does for custom resources.
//
// Contracts shared by every function below:
// - Inputs are never modified; results are new values, so a failing patch leaves nothing half
//   applied.
// - No exception escapes; malformed input gives StatusCode::kInvalid with a message naming the
//   offending path (and, for JSON patch, the operation index).
// - Functions are pure and thread-safe; the schema table is immutable after its thread-safe
//   first use.
#pragma once

#include <optional>
#include <string_view>

#include "serin/kube/object.h"
#include "serin/util/status.h"

namespace serin::kube {

// ---- JSON merge patch (RFC 7386): application/merge-patch+json ----

// Applies `patch` to `original`: objects merge key by key, null deletes a key, anything else
// (arrays included) replaces the target. Never fails on well-formed JSON; StatusOr keeps the
// signature uniform with the other patch types.
StatusOr<Json> applyMergePatch(const Json& original, const Json& patch);

// The smallest merge patch turning `original` into `modified`. Null values inside `modified`
// cannot be expressed by RFC 7386 (null means delete) and are emitted as deletions.
Json createMergePatch(const Json& original, const Json& modified);

// ---- JSON patch (RFC 6902): application/json-patch+json ----

// Applies an array of operations (add, remove, replace, move, copy, test) in order. Paths are
// JSON pointers (RFC 6901, "~0" is '~' and "~1" is '/'); "-" appends to an array in add, move
// and copy targets. A failing test, a missing path, an index out of range or a malformed
// operation is kInvalid ("json patch operation 2 (test) at /spec/replicas: ...") and, as
// kube-apiserver does, the whole patch is rejected.
StatusOr<Json> applyJsonPatch(const Json& document, const Json& operations);

// ---- Strategic merge patch: application/strategic-merge-patch+json ----

// How a field is patched, from its Go struct tags. kNone is the untagged default: a list is
// atomic (replaced wholesale) and an object is merged key by key.
enum class PatchStrategy {
  kNone,
  kMerge,    // lists: elements merged by mergeKey, or as a set of primitives without one
  kReplace,  // replaced wholesale even when it is an object
};

struct PatchMeta {
  PatchStrategy strategy = PatchStrategy::kNone;
  // The element field identifying list elements ("name", "containerPort"); empty for atomic
  // lists and for merged lists of primitives such as metadata.finalizers.
  std::string_view mergeKey;
  // `patchStrategy:"...,retainKeys"`: a patch carrying `$retainKeys` drops the other keys, so a
  // volume can switch source (emptyDir to configMap) in one patch.
  bool retainKeys = false;

  friend bool operator==(const PatchMeta&, const PatchMeta&) = default;
};

// True when the kind has a strategic merge schema (a built-in kind Serin knows).
bool hasStrategicSchema(const GroupVersionKind& gvk);

// The patch metadata of a field, by dotted path from the object root; list elements are passed
// through implicitly, so "spec.template.spec.containers.env" names the env of any container.
// nullopt when the kind has no strategic schema; a default PatchMeta (kNone) for a field the
// table records no strategy for (atomic list or plain object).
std::optional<PatchMeta> patchMetaFor(const GroupVersionKind& gvk, std::string_view field_path);

// Applies a strategic merge patch as kube-apiserver does. Beyond JSON merge patch semantics:
// lists with the merge strategy merge element by element (new elements first, see below), merged
// primitive lists become sets, and these directives are honoured and never left in the result:
//   {"$patch": "replace"}   in an object: the object replaces the original one;
//                           as a list element: the list (minus the directive) replaces it
//   {"$patch": "delete"}    in an object: it becomes {}; as a list element with its merge key:
//                           that element is removed
//   {"$patch": "merge"}     the default; accepted and ignored (kube-apiserver rejects it)
//   "$retainKeys": [...]    keys of the original object not listed are dropped
//   "$setElementOrder/f"    the order of the merged list f
//   "$deleteFromPrimitiveList/f"  values removed from the merged primitive list f
// Elements of a merged list that the patch does not name keep their relative order; without
// $setElementOrder, elements the patch names come first where the original order does not
// decide, as in Kubernetes. Fields absent from the table are patched as in JSON merge patch.
// Errors (kInvalid): the kind has no strategic schema ("strategic merge patch is not supported
// for <kind>", 415 in kube-apiserver), an unknown $patch value, an element of a merged list
// without its merge key, a patch key missing from $retainKeys, a non-object patch.
StatusOr<Json> applyStrategicMergePatch(const Json& original, const Json& patch,
                                        const GroupVersionKind& gvk);

// The two-way strategic merge patch from `original` to `modified`, as kubectl computes it:
// removed fields become null, removed elements of merged lists `{"<key>": ..., "$patch":
// "delete"}`, removed primitives `$deleteFromPrimitiveList/<field>`, and every changed merged
// list carries `$setElementOrder/<field>`. Applying it to `original` gives `modified`.
// Same errors as applyStrategicMergePatch for kinds without a schema.
StatusOr<Json> createStrategicMergePatch(const Json& original, const Json& modified,
                                         const GroupVersionKind& gvk);

// The three-way patch `kubectl apply` sends. Fields in `last_applied` but not in `desired` are
// deleted from `live`; fields of `desired` that differ from `live` are set; fields only in
// `live` (written by controllers, defaulted by the server) are kept. A strategic merge patch
// for kinds with a schema, a JSON merge patch otherwise (custom resources), so the caller sends
// it with the content type `hasStrategicSchema(gvk)` implies. Deletions are only emitted for
// what `live` still has. Unchanged inputs give `{}`. `last_applied` may be null (first apply).
StatusOr<Json> createThreeWayMergePatch(const Json& last_applied, const Json& desired,
                                        const Json& live, const GroupVersionKind& gvk);

}  // namespace serin::kube
