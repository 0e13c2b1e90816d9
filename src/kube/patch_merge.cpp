// JSON merge patch (RFC 7386): applying and computing.
#include <exception>
#include <string>

#include "serin/kube/patch.h"

namespace serin::kube {
namespace {

void mergeInto(Json& target, const Json& patch) {
  if (!patch.is_object()) {
    target = patch;
    return;
  }
  if (!target.is_object()) target = Json::object();
  for (const auto& [key, value] : patch.items()) {
    if (value.is_null()) {
      target.erase(key);
    } else {
      mergeInto(target[key], value);
    }
  }
}

// Only objects are diffed: RFC 7386 cannot address array elements, so a changed array (or a
// changed type) is sent whole.
Json diff(const Json& original, const Json& modified) {
  if (!original.is_object() || !modified.is_object()) return modified;
  Json patch = Json::object();
  for (const auto& [key, value] : original.items()) {
    if (!modified.contains(key)) patch[key] = nullptr;
  }
  for (const auto& [key, value] : modified.items()) {
    auto before = original.find(key);
    if (before == original.end()) {
      patch[key] = value;
    } else if (*before != value) {
      Json sub = diff(*before, value);
      bool both_objects = before->is_object() && value.is_object();
      if (!(both_objects && sub.empty())) patch[key] = std::move(sub);
    }
  }
  return patch;
}

}  // namespace

StatusOr<Json> applyMergePatch(const Json& original, const Json& patch) {
  try {
    Json result = original;
    mergeInto(result, patch);
    return result;
  } catch (const std::exception& e) {
    return invalidError(std::string("merge patch: ") + e.what());
  }
}

Json createMergePatch(const Json& original, const Json& modified) {
  try {
    return diff(original, modified);
  } catch (const std::exception&) {
    return modified;  // unreachable with valid JSON values; the whole value is always correct
  }
}

}  // namespace serin::kube
