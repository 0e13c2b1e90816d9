// The compiled form of one openAPIV3Schema node, shared by the schema*.cpp files only.
//
// Every keyword is parsed once into a typed member so that the per-request walks (validate,
// prune, default) do no JSON lookups in the schema and no regex compilation. Nodes under
// allOf/anyOf/oneOf/not ("junctors") use the same type; they only ever validate.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "serin/cluster/schema.h"

namespace serin::cluster::schema_internal {

enum class Type : uint8_t { kAny, kObject, kArray, kString, kInteger, kNumber, kBoolean };

enum class Format : uint8_t { kNone, kInt32, kInt64, kDateTime, kDate, kByte, kUuid, kIpv4 };

enum class ListType : uint8_t { kNone, kAtomic, kSet, kMap };

struct Node {
  Type type = Type::kAny;
  std::string type_name;  // as written, for messages ("integer")
  bool nullable = false;
  bool int_or_string = false;
  bool preserve_unknown = false;
  bool embedded_resource = false;

  std::map<std::string, std::unique_ptr<Node>, std::less<>> properties;
  std::vector<std::string> required;
  std::unique_ptr<Node> additional_schema;  // additionalProperties: {schema}
  bool additional_allowed = true;           // additionalProperties: false makes this false
  bool has_additional = false;              // additionalProperties given at all
  std::optional<int64_t> min_properties, max_properties;

  std::unique_ptr<Node> items;
  std::optional<int64_t> min_items, max_items;
  bool unique_items = false;
  ListType list_type = ListType::kNone;
  std::vector<std::string> list_map_keys;

  std::optional<int64_t> min_length, max_length;
  std::optional<std::regex> pattern;
  std::string pattern_source;
  Format format = Format::kNone;
  std::string format_name;

  std::optional<double> minimum, maximum, multiple_of;
  bool exclusive_minimum = false;
  bool exclusive_maximum = false;

  std::vector<Json> enum_values;
  std::optional<Json> default_value;

  std::vector<std::unique_ptr<Node>> all_of, any_of, one_of;
  std::unique_ptr<Node> not_schema;

  const Node* property(std::string_view name) const {
    auto it = properties.find(name);
    return it == properties.end() ? nullptr : it->second.get();
  }
  // The schema of a field that is not a declared property: additionalProperties, if any.
  const Node* fieldSchema(std::string_view name) const {
    const Node* declared = property(name);
    return declared != nullptr ? declared : additional_schema.get();
  }
};

// Field path under construction during a walk: appends on the way down, truncates on the way
// up, so a walk allocates only when it records an error or a pruned path.
class PathBuilder {
 public:
  explicit PathBuilder(std::string base = {}) : path_(std::move(base)) {}
  const std::string& str() const { return path_; }
  size_t mark() const { return path_.size(); }
  void reset(size_t mark) { path_.resize(mark); }
  void field(std::string_view name) {
    if (!path_.empty()) path_ += '.';
    path_ += name;
  }
  void index(size_t i) {
    path_ += '[';
    path_ += std::to_string(i);
    path_ += ']';
  }
  // kube-apiserver's CRD-side notation: properties[spec].
  void key(std::string_view k) {
    path_ += '[';
    path_ += k;
    path_ += ']';
  }
  void child(std::string_view name) {
    path_ += '.';
    path_ += name;
  }

 private:
  std::string path_;
};

// Validation entry point shared by CompiledSchema::validate and default-value checks at
// compile time. `field_prefix` is prepended to error fields ("...properties[a].default");
// messages inside details use the path relative to the validated value, as kube does.
void validateValue(const Node& node, const Json& value, std::string_view field_prefix, bool is_root,
                   FieldErrors& errors);

// Pruning entry point shared by CompiledSchema::prune and default-value checks.
void pruneValue(const Node& node, Json& value, bool is_root, std::vector<std::string>& pruned);

// Go's %v for a float64 ("0", "1.5", "1e+06"), used in messages about bounds and values.
std::string goFloat(double value);
// Go's %q for a string.
std::string goQuote(std::string_view text);
// A value as kube's field.Error prints it after the type.
std::string renderValue(const Json& value);
// "string", "integer", "number", "boolean", "object", "array", "null".
std::string_view jsonTypeName(const Json& value);

}  // namespace serin::cluster::schema_internal
