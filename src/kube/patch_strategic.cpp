// Applying a strategic merge patch (kube-apiserver's application/strategic-merge-patch+json).
//
// The original is copied once and merged in place; the patch is only read. Directives are
// consumed as they are met, and values the original lacks are merged into an empty value of
// their type rather than copied, so no directive or null from the patch survives into the
// result (kube-apiserver can leave some in that case; nothing relies on it).
#include <algorithm>
#include <exception>
#include <initializer_list>
#include <string>
#include <vector>

#include "serin/kube/patch.h"

#include "patch_internal.h"

namespace serin::kube {
namespace {

using patch_internal::kDeleteFromPrimitiveListPrefix;
using patch_internal::kPatchDirective;
using patch_internal::kRetainKeysDirective;
using patch_internal::kSetElementOrderPrefix;
using patch_internal::mergeKeyValue;
using patch_internal::StructSchema;

// Where the merge is, for error messages only: a chain on the stack, rendered on failure.
struct Where {
  const Where* parent = nullptr;
  std::string_view key;

  // The root has no parent and renders as "".
  std::string render() const {
    return parent == nullptr ? std::string() : parent->render() + "/" + std::string(key);
  }
};

Status patchError(const Where& where, const std::string& message) {
  std::string at = where.parent == nullptr ? "/" : where.render();
  return invalidError("strategic merge patch at " + at + ": " + message);
}

// Only the four directive spellings are special; any other key is a field, even with a '$'.
bool isDirectiveKey(std::string_view key) {
  return key == kPatchDirective || key == kRetainKeysDirective ||
         key.starts_with(kSetElementOrderPrefix) || key.starts_with(kDeleteFromPrimitiveListPrefix);
}

Status mergeObject(Json& target, const Json& patch, const StructSchema* schema, const Where& where);
Status mergeList(Json& target, const Json& patch, const Json* order,
                 const StructSchema::Field& field, const Where& where);

// A patch value for a place the original does not have: merged into an empty value of its type
// so that its directives and nulls are consumed.
Status freshValue(Json& target, const Json& patch, const StructSchema::Field* field,
                  const Where& where) {
  const StructSchema* type = field == nullptr ? nullptr : field->type;
  if (patch.is_object()) {
    target = Json::object();
    return mergeObject(target, patch, type, where);
  }
  if (patch.is_array() && field != nullptr && field->meta.strategy == PatchStrategy::kMerge) {
    target = Json::array();
    return mergeList(target, patch, nullptr, *field, where);
  }
  target = patch;
  return Status::ok();
}

// Handles `$patch` in an object. Returns true when the directive decided the whole result.
StatusOr<bool> applyObjectDirective(Json& target, const Json& patch, const StructSchema* schema,
                                    const Where& where) {
  auto it = patch.find(kPatchDirective);
  if (it == patch.end()) return false;
  if (*it == "delete") {
    target = Json::object();
    return true;
  }
  if (*it == "replace") {
    Json body = patch;
    body.erase(std::string(kPatchDirective));
    target = Json::object();
    RETURN_IF_ERROR(mergeObject(target, body, schema, where));
    return true;
  }
  if (*it == "merge") return false;
  return patchError(where, "unknown $patch directive " + it->dump());
}

Status applyRetainKeys(Json& target, const Json& patch, const Where& where) {
  auto it = patch.find(kRetainKeysDirective);
  if (it == patch.end()) return Status::ok();
  if (!it->is_array()) return patchError(where, "$retainKeys must be a list of field names");
  auto retained = [&](const std::string& key) {
    return std::find(it->begin(), it->end(), key) != it->end();
  };
  for (const auto& [key, value] : patch.items()) {
    if (!value.is_null() && !isDirectiveKey(key) && !retained(key)) {
      return patchError(where, "field \"" + key + "\" is not listed in $retainKeys");
    }
  }
  for (auto entry = target.begin(); entry != target.end();) {
    entry = retained(entry.key()) ? std::next(entry) : target.erase(entry);
  }
  return Status::ok();
}

Status applyDeleteFromPrimitiveLists(Json& target, const Json& patch, const Where& where) {
  for (const auto& [key, values] : patch.items()) {
    if (!key.starts_with(kDeleteFromPrimitiveListPrefix)) continue;
    std::string field = key.substr(kDeleteFromPrimitiveListPrefix.size());
    if (!values.is_array()) return patchError(where, key + " must be a list");
    auto list = target.find(field);
    if (list == target.end() || !list->is_array()) continue;
    Json kept = Json::array();
    for (auto& element : *list) {
      if (std::find(values.begin(), values.end(), element) == values.end()) {
        kept.push_back(std::move(element));
      }
    }
    *list = std::move(kept);
  }
  return Status::ok();
}

bool sameKind(const Json& a, const Json& b) {
  return (a.is_object() == b.is_object()) && (a.is_array() == b.is_array());
}

const StructSchema::Field* fieldOf(const StructSchema* schema, std::string_view key) {
  return schema == nullptr ? nullptr : schema->field(key);
}

const Json* orderFor(const Json& patch, const std::string& key) {
  auto it = patch.find(std::string(kSetElementOrderPrefix) + key);
  return it == patch.end() ? nullptr : &*it;
}

Status mergeField(Json& target, const std::string& key, const Json& value, const Json& patch,
                  const StructSchema* schema, const Where& where) {
  const StructSchema::Field* field = fieldOf(schema, key);
  if (value.is_null()) {
    target.erase(key);
    return Status::ok();
  }
  Where here{&where, key};
  auto existing = target.find(key);
  if (existing == target.end() || !sameKind(*existing, value)) {
    return freshValue(target[key], value, field, here);
  }
  PatchStrategy strategy = field == nullptr ? PatchStrategy::kNone : field->meta.strategy;
  if (value.is_object()) {
    if (strategy == PatchStrategy::kReplace) return freshValue(*existing, value, field, here);
    return mergeObject(*existing, value, field == nullptr ? nullptr : field->type, here);
  }
  if (value.is_array() && strategy == PatchStrategy::kMerge) {
    return mergeList(*existing, value, orderFor(patch, key), *field, here);
  }
  *existing = value;
  return Status::ok();
}

// `$setElementOrder/f` without `f` in the patch only reorders the original list.
Status applyLoneElementOrders(Json& target, const Json& patch, const StructSchema* schema,
                              const Where& where) {
  for (const auto& [key, order] : patch.items()) {
    if (!key.starts_with(kSetElementOrderPrefix)) continue;
    std::string name = key.substr(kSetElementOrderPrefix.size());
    const StructSchema::Field* field = fieldOf(schema, name);
    auto list = target.find(name);
    if (patch.contains(name) || list == target.end() || !list->is_array() || field == nullptr ||
        field->meta.strategy != PatchStrategy::kMerge) {
      continue;
    }
    Where here{&where, name};
    RETURN_IF_ERROR(mergeList(*list, Json::array(), &order, *field, here));
  }
  return Status::ok();
}

Status mergeObject(Json& target, const Json& patch, const StructSchema* schema,
                   const Where& where) {
  if (!patch.is_object()) return patchError(where, "expected an object, got " + patch.dump());
  ASSIGN_OR_RETURN(bool decided, applyObjectDirective(target, patch, schema, where));
  if (decided) return Status::ok();
  RETURN_IF_ERROR(applyRetainKeys(target, patch, where));
  RETURN_IF_ERROR(applyDeleteFromPrimitiveLists(target, patch, where));
  for (const auto& [key, value] : patch.items()) {
    if (isDirectiveKey(key)) continue;
    RETURN_IF_ERROR(mergeField(target, key, value, patch, schema, where));
  }
  return applyLoneElementOrders(target, patch, schema, where);
}

// ---- merged lists ----

// What identifies an element for ordering: its merge key value, or itself for primitives.
const Json* identity(const Json& element, std::string_view merge_key) {
  return merge_key.empty() ? &element : mergeKeyValue(element, merge_key);
}

// Position of the element identified by `id` in `list`, or -1.
long indexOf(const std::vector<Json>& ids, const Json* id) {
  if (id == nullptr) return -1;
  auto it = std::find(ids.begin(), ids.end(), *id);
  return it == ids.end() ? -1 : static_cast<long>(it - ids.begin());
}

std::vector<Json> identities(const Json& list, std::string_view merge_key) {
  std::vector<Json> ids;
  ids.reserve(list.size());
  for (const Json& element : list) {
    const Json* id = identity(element, merge_key);
    ids.push_back(id == nullptr ? Json() : *id);
  }
  return ids;
}

// Kubernetes' ordering of a merged list: elements the patch (or $setElementOrder) names in that
// order, the others in their original order, interleaved so that an unnamed element goes before
// a named one only when it came before it in the original list.
Json orderMerged(Json merged, const Json& named_list, const std::vector<Json>& original_ids,
                 std::string_view merge_key) {
  std::vector<Json> named_ids = identities(named_list, merge_key);
  std::vector<Json> named, others;
  for (Json& element : merged) {
    (indexOf(named_ids, identity(element, merge_key)) >= 0 ? named : others)
        .push_back(std::move(element));
  }
  auto position = [&](const std::vector<Json>& ids, const Json& element) {
    long i = indexOf(ids, identity(element, merge_key));
    return i < 0 ? static_cast<long>(ids.size()) : i;
  };
  std::stable_sort(named.begin(), named.end(), [&](const Json& a, const Json& b) {
    return position(named_ids, a) < position(named_ids, b);
  });
  std::stable_sort(others.begin(), others.end(), [&](const Json& a, const Json& b) {
    return position(original_ids, a) < position(original_ids, b);
  });
  Json result = Json::array();
  size_t i = 0, j = 0;
  while (i < others.size() || j < named.size()) {
    bool take_other = j >= named.size();
    if (!take_other && i < others.size()) {
      long left = indexOf(original_ids, identity(others[i], merge_key));
      long right = indexOf(original_ids, identity(named[j], merge_key));
      take_other = left >= 0 && right >= 0 && left < right;
    }
    result.push_back(std::move(take_other ? others[i++] : named[j++]));
  }
  return result;
}

Status mergePrimitiveList(Json& target, const Json& patch, const Json* order) {
  std::vector<Json> original_ids = identities(target, {});
  Json merged = Json::array();
  for (const Json* list : std::initializer_list<const Json*>{&target, &patch}) {
    for (const Json& value : *list) {
      if (std::find(merged.begin(), merged.end(), value) == merged.end()) merged.push_back(value);
    }
  }
  target = orderMerged(std::move(merged), order != nullptr ? *order : patch, original_ids, {});
  return Status::ok();
}

// Applies `$patch` list elements. Returns true when `$patch: replace` replaced the list.
StatusOr<bool> applyListDirectives(Json& target, const Json& patch,
                                   const StructSchema::Field& field, const Where& where) {
  std::string_view merge_key = field.meta.mergeKey;
  bool replace = false;
  for (const Json& element : patch) {
    auto directive = element.find(kPatchDirective);
    if (directive == element.end() || *directive == "merge") continue;
    if (*directive == "replace") {
      replace = true;
    } else if (*directive == "delete") {
      const Json* id = mergeKeyValue(element, merge_key);
      if (id == nullptr) return patchError(where, "$patch: delete without merge key");
      auto doomed = [&](const Json& e) {
        const Json* k = mergeKeyValue(e, merge_key);
        return k != nullptr && *k == *id;
      };
      target.erase(std::remove_if(target.begin(), target.end(), doomed), target.end());
    } else {
      return patchError(where, "unknown $patch directive " + directive->dump());
    }
  }
  if (!replace) return false;
  Json replacement = Json::array();
  for (const Json& element : patch) {
    if (element.contains(kPatchDirective)) continue;
    Json clean = Json::object();
    RETURN_IF_ERROR(mergeObject(clean, element, field.type, where));
    replacement.push_back(std::move(clean));
  }
  target = std::move(replacement);
  return true;
}

Status mergeObjectList(Json& target, const Json& patch, const Json* order,
                       const StructSchema::Field& field, const Where& where) {
  std::string_view merge_key = field.meta.mergeKey;
  if (merge_key.empty()) return patchError(where, "cannot merge a list of objects without key");
  std::vector<Json> original_ids = identities(target, merge_key);
  ASSIGN_OR_RETURN(bool replaced, applyListDirectives(target, patch, field, where));
  if (replaced) return Status::ok();
  for (const Json& element : patch) {
    auto directive = element.find(kPatchDirective);
    bool bare_merge = directive != element.end() && *directive == "merge" && element.size() == 1;
    if ((directive != element.end() && *directive != "merge") || bare_merge) continue;
    const Json* id = mergeKeyValue(element, merge_key);
    if (id == nullptr) {
      return patchError(where, "list element " + element.dump() + " lacks merge key \"" +
                                   std::string(merge_key) + "\"");
    }
    auto match = std::find_if(target.begin(), target.end(), [&](const Json& e) {
      const Json* k = mergeKeyValue(e, merge_key);
      return k != nullptr && *k == *id;
    });
    Where here{&where, merge_key};
    if (match != target.end()) {
      RETURN_IF_ERROR(mergeObject(*match, element, field.type, here));
    } else {
      Json fresh = Json::object();
      RETURN_IF_ERROR(mergeObject(fresh, element, field.type, here));
      target.push_back(std::move(fresh));
    }
  }
  target =
      orderMerged(std::move(target), order != nullptr ? *order : patch, original_ids, merge_key);
  return Status::ok();
}

Status mergeList(Json& target, const Json& patch, const Json* order,
                 const StructSchema::Field& field, const Where& where) {
  if (order != nullptr && !order->is_array()) {
    return patchError(where, "$setElementOrder must be a list");
  }
  auto is_object = [](const Json& e) { return e.is_object(); };
  bool objects = std::any_of(target.begin(), target.end(), is_object) ||
                 std::any_of(patch.begin(), patch.end(), is_object);
  bool primitives = !std::all_of(target.begin(), target.end(), is_object) ||
                    !std::all_of(patch.begin(), patch.end(), is_object);
  if (objects && primitives) return patchError(where, "list mixes objects and primitives");
  if (objects) return mergeObjectList(target, patch, order, field, where);
  return mergePrimitiveList(target, patch, order);
}

}  // namespace

StatusOr<Json> applyStrategicMergePatch(const Json& original, const Json& patch,
                                        const GroupVersionKind& gvk) {
  const StructSchema* schema = patch_internal::schemaForKind(gvk);
  if (schema == nullptr) return patch_internal::unsupportedKindError(gvk);
  if (!patch.is_object()) return invalidError("strategic merge patch must be a JSON object");
  try {
    Json result = original.is_object() ? original : Json::object();
    RETURN_IF_ERROR(mergeObject(result, patch, schema, Where{}));
    return result;
  } catch (const std::exception& e) {
    return invalidError(std::string("strategic merge patch: ") + e.what());
  }
}

}  // namespace serin::kube
