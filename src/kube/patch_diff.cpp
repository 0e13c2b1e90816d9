// Computing strategic merge patches (two-way) and kubectl apply's three-way patch.
//
// One recursive walk serves both: a two-way patch is the three-way patch whose last-applied
// configuration and live object are both the original. Without a schema (custom resources) the
// walk never meets a merged list or a retainKeys field, so it produces a plain JSON merge patch.
//
// Two choices differ from kubectl in form, not in the result of applying the patch: a deletion
// is only emitted for what live still has, and $setElementOrder / $retainKeys are only emitted
// alongside a real change, so an object that matches its manifest always gives `{}`.
#include <algorithm>
#include <exception>
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

const Json* member(const Json* object, const std::string& key) {
  if (object == nullptr || !object->is_object()) return nullptr;
  auto it = object->find(key);
  return it == object->end() || it->is_null() ? nullptr : &*it;
}

// The element of `list` (may be null) whose merge key equals `id`.
const Json* findByKey(const Json* list, std::string_view merge_key, const Json& id) {
  if (list == nullptr || !list->is_array()) return nullptr;
  for (const Json& element : *list) {
    const Json* k = mergeKeyValue(element, merge_key);
    if (k != nullptr && *k == id) return &element;
  }
  return nullptr;
}

bool containsValue(const Json& list, const Json& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

Json sortedNonNullKeys(const Json& object) {
  Json keys = Json::array();
  for (const auto& [key, value] : object.items()) {  // nlohmann objects iterate sorted
    if (!value.is_null()) keys.push_back(key);
  }
  return keys;
}

using Ids = std::vector<const Json*>;

bool containsId(const Ids& ids, const Json& id) {
  return std::any_of(ids.begin(), ids.end(), [&](const Json* other) { return *other == id; });
}

// Whether the elements of `desired` (by identity) appear in another order in `live`; elements
// only live has (set by others) do not count.
bool orderChanged(const Ids& desired_ids, const Ids& live_ids) {
  Ids common, unique;
  for (const Json* id : live_ids) {
    if (containsId(desired_ids, *id) && !containsId(common, *id)) common.push_back(id);
  }
  for (const Json* id : desired_ids) {
    if (!containsId(unique, *id)) unique.push_back(id);
  }
  return !std::equal(common.begin(), common.end(), unique.begin(), unique.end(),
                     [](const Json* a, const Json* b) { return *a == *b; });
}

// Identities of a list's elements: the elements themselves, or their merge key values.
Ids identities(const Json& list, std::string_view merge_key) {
  Ids ids;
  ids.reserve(list.size());
  for (const Json& element : list) {
    const Json* id = merge_key.empty() ? &element : mergeKeyValue(element, merge_key);
    if (id != nullptr) ids.push_back(id);
  }
  return ids;
}

Status diffObject(const Json* last, const Json& desired, const Json& live,
                  const StructSchema* schema, Json& out);

void diffPrimitiveList(const Json* last, const Json& desired, const Json& live,
                       const std::string& key, Json& out) {
  Json additions = Json::array();
  for (const Json& value : desired) {
    if (!containsValue(live, value) && !containsValue(additions, value)) {
      additions.push_back(value);
    }
  }
  Json deletions = Json::array();
  if (last != nullptr && last->is_array()) {
    for (const Json& value : *last) {
      if (!containsValue(desired, value) && containsValue(live, value) &&
          !containsValue(deletions, value)) {
        deletions.push_back(value);
      }
    }
  }
  bool reorder = orderChanged(identities(desired, {}), identities(live, {}));
  if (!additions.empty()) out[key] = std::move(additions);
  if (!deletions.empty()) out[std::string(kDeleteFromPrimitiveListPrefix) + key] = deletions;
  if (out.contains(key) || !deletions.empty() || reorder) {
    out[std::string(kSetElementOrderPrefix) + key] = desired;
  }
}

// Patch entries for the elements of `desired`: new ones whole, changed ones as a diff.
Status diffElements(const Json* last, const Json& desired, const Json& live,
                    const StructSchema::Field& field, Json& patch_list) {
  std::string_view merge_key = field.meta.mergeKey;
  for (const Json& element : desired) {
    const Json* id = mergeKeyValue(element, merge_key);
    if (id == nullptr) {
      return invalidError("list element " + element.dump() + " lacks merge key \"" +
                          std::string(merge_key) + "\"");
    }
    const Json* live_element = findByKey(&live, merge_key, *id);
    if (live_element == nullptr) {
      patch_list.push_back(element);
      continue;
    }
    Json sub = Json::object();
    RETURN_IF_ERROR(
        diffObject(findByKey(last, merge_key, *id), element, *live_element, field.type, sub));
    if (sub.empty()) continue;
    if (field.meta.retainKeys) sub[kRetainKeysDirective] = sortedNonNullKeys(element);
    sub[merge_key] = *id;
    patch_list.push_back(std::move(sub));
  }
  return Status::ok();
}

Status diffObjectList(const Json* last, const Json& desired, const Json& live,
                      const StructSchema::Field& field, const std::string& key, Json& out) {
  std::string_view merge_key = field.meta.mergeKey;
  Json patch_list = Json::array();
  RETURN_IF_ERROR(diffElements(last, desired, live, field, patch_list));
  if (last != nullptr && last->is_array()) {
    for (const Json& element : *last) {
      const Json* id = mergeKeyValue(element, merge_key);
      if (id != nullptr && findByKey(&desired, merge_key, *id) == nullptr &&
          findByKey(&live, merge_key, *id) != nullptr) {
        patch_list.push_back({{merge_key, *id}, {kPatchDirective, "delete"}});
      }
    }
  }
  bool reorder = orderChanged(identities(desired, merge_key), identities(live, merge_key));
  if (!patch_list.empty()) out[key] = std::move(patch_list);
  if (!out.contains(key) && !reorder) return Status::ok();
  Json order = Json::array();
  for (const Json& element : desired) {
    order.push_back({{merge_key, *mergeKeyValue(element, merge_key)}});
  }
  out[std::string(kSetElementOrderPrefix) + key] = std::move(order);
  return Status::ok();
}

Status diffMergedList(const Json* last, const Json& desired, const Json& live,
                      const StructSchema::Field& field, const std::string& key, Json& out) {
  auto is_object = [](const Json& e) { return e.is_object(); };
  bool objects = std::any_of(desired.begin(), desired.end(), is_object) ||
                 std::any_of(live.begin(), live.end(), is_object);
  if (!objects) {
    diffPrimitiveList(last, desired, live, key, out);
    return Status::ok();
  }
  if (field.meta.mergeKey.empty()) {
    if (desired != live) out[key] = desired;
    return Status::ok();
  }
  return diffObjectList(last, desired, live, field, key, out);
}

Status diffNestedObject(const Json* last, const Json& desired, const Json& live,
                        const StructSchema::Field* field, const std::string& key, Json& out) {
  if (field != nullptr && field->meta.strategy == PatchStrategy::kReplace) {
    if (desired != live) out[key] = desired;
    return Status::ok();
  }
  Json sub;  // stays null (no allocation) while nothing differs
  RETURN_IF_ERROR(diffObject(last, desired, live, field == nullptr ? nullptr : field->type, sub));
  if (sub.empty()) return Status::ok();
  if (field != nullptr && field->meta.retainKeys) {
    sub[kRetainKeysDirective] = sortedNonNullKeys(desired);
  }
  out[key] = std::move(sub);
  return Status::ok();
}

Status diffField(const Json* last, const std::string& key, const Json& desired, const Json& live,
                 const StructSchema* schema, Json& out) {
  const StructSchema::Field* field = schema == nullptr ? nullptr : schema->field(key);
  const Json* live_value = member(&live, key);
  if (desired.is_null()) {
    if (live_value != nullptr) out[key] = nullptr;
    return Status::ok();
  }
  if (live_value == nullptr) {
    out[key] = desired;
    return Status::ok();
  }
  const Json* last_value = member(last, key);
  if (desired.is_object() && live_value->is_object()) {
    return diffNestedObject(last_value, desired, *live_value, field, key, out);
  }
  if (desired.is_array() && live_value->is_array() && field != nullptr &&
      field->meta.strategy == PatchStrategy::kMerge) {
    return diffMergedList(last_value, desired, *live_value, *field, key, out);
  }
  if (desired != *live_value) out[key] = desired;
  return Status::ok();
}

Status diffObject(const Json* last, const Json& desired, const Json& live,
                  const StructSchema* schema, Json& out) {
  for (const auto& [key, value] : desired.items()) {
    RETURN_IF_ERROR(diffField(last, key, value, live, schema, out));
  }
  if (last == nullptr || !last->is_object()) return Status::ok();
  for (const auto& [key, value] : last->items()) {
    if (!value.is_null() && !desired.contains(key) && member(&live, key) != nullptr) {
      out[key] = nullptr;
    }
  }
  return Status::ok();
}

StatusOr<Json> threeWay(const Json& last_applied, const Json& desired, const Json& live,
                        const StructSchema* schema) {
  if (!desired.is_object() || !live.is_object()) {
    return invalidError("patch computation needs JSON objects");
  }
  if (!last_applied.is_null() && !last_applied.is_object()) {
    return invalidError("the last-applied configuration must be a JSON object or null");
  }
  try {
    Json out = Json::object();
    RETURN_IF_ERROR(diffObject(&last_applied, desired, live, schema, out));
    return out;
  } catch (const std::exception& e) {
    return invalidError(std::string("patch computation: ") + e.what());
  }
}

}  // namespace

StatusOr<Json> createStrategicMergePatch(const Json& original, const Json& modified,
                                         const GroupVersionKind& gvk) {
  const StructSchema* schema = patch_internal::schemaForKind(gvk);
  if (schema == nullptr) return patch_internal::unsupportedKindError(gvk);
  return threeWay(original, modified, original, schema);
}

StatusOr<Json> createThreeWayMergePatch(const Json& last_applied, const Json& desired,
                                        const Json& live, const GroupVersionKind& gvk) {
  return threeWay(last_applied, desired, live, patch_internal::schemaForKind(gvk));
}

}  // namespace serin::kube
