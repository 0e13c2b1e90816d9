// Internals shared by the patch_*.cpp files: the strategic merge schema tree and the directive
// names. Not part of the public interface (include/serin/kube/patch.h is).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "serin/kube/patch.h"

namespace serin::kube::patch_internal {

inline constexpr std::string_view kPatchDirective = "$patch";
inline constexpr std::string_view kRetainKeysDirective = "$retainKeys";
inline constexpr std::string_view kSetElementOrderPrefix = "$setElementOrder/";
inline constexpr std::string_view kDeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/";

// One Go struct type of the Kubernetes API, reduced to what strategic merge needs: its fields
// that carry a patch strategy or lead to one. A field missing here is patched with kNone.
class StructSchema {
 public:
  struct Field {
    PatchMeta meta;
    // The struct type of the field, or of the list's elements; nullptr when nothing below it
    // carries a strategy.
    const StructSchema* type = nullptr;
  };

  // nullptr when the field carries no strategy (and nothing below it does).
  const Field* field(std::string_view name) const {
    auto it = fields_.find(name);
    return it == fields_.end() ? nullptr : &it->second;
  }

  void add(std::string name, const StructSchema* type) { fields_[std::move(name)] = {{}, type}; }
  void add(std::string name, PatchMeta meta, const StructSchema* type = nullptr) {
    fields_[std::move(name)] = {meta, type};
  }

 private:
  std::map<std::string, Field, std::less<>> fields_;
};

// The root struct of a built-in kind; nullptr for kinds without a schema (custom resources).
const StructSchema* schemaForKind(const GroupVersionKind& gvk);

// The kInvalid status for a strategic patch to a kind without a schema.
Status unsupportedKindError(const GroupVersionKind& gvk);

// Merge key value of a list element, or nullptr when the element is not an object or lacks it.
inline const Json* mergeKeyValue(const Json& element, std::string_view merge_key) {
  if (!element.is_object()) return nullptr;
  auto it = element.find(merge_key);
  return it == element.end() ? nullptr : &*it;
}

}  // namespace serin::kube::patch_internal
