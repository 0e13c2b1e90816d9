// compileSchema(): JSON schema -> Node tree, with kube-apiserver's CRD-time checks.
//
// Two families of checks run while compiling, both reported as field errors under the CRD's
// schema path (properties[spec].properties[replicas].type, ...):
//  - keyword checks: keywords the apiextensions API forbids ($ref, uniqueItems, ...) and
//    values of the wrong shape (a pattern that does not compile, a negative maxLength);
//  - structural invariants: types everywhere outside value validations, metadata restricted
//    to name/generateName, nothing but value validations inside allOf/anyOf/oneOf/not, and
//    every field named inside those also specified outside of them.
// Defaults are then checked against their own node: pruned-clean and valid.
#include <algorithm>
#include <array>

#include "schema_internal.h"

namespace serin::cluster {
namespace {

using schema_internal::Format;
using schema_internal::ListType;
using schema_internal::Node;
using schema_internal::PathBuilder;
using schema_internal::Type;

enum class Level { kRoot, kItem, kField };

constexpr std::array<std::string_view, 6> kTypeNames = {"array",  "boolean", "integer",
                                                        "number", "object",  "string"};

// Keywords JSONSchemaProps has but CRDs may not use, with kube-apiserver's wording.
constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kUnsupportedKeywords = {{
    {"$ref", "$ref is not supported"},
    {"$schema", "$schema is not supported"},
    {"id", "id is not supported"},
    {"definitions", "definitions are not supported"},
    {"dependencies", "dependencies are not supported"},
    {"additionalItems", "additionalItems is not supported"},
    {"patternProperties", "patternProperties is not supported"},
}};

// Generic keywords (and extensions) that make a node under a junctor non-structural.
constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kJunctorForbidden = {{
    {"type", "must be empty to be structural"},
    {"additionalProperties", "must be undefined to be structural"},
    {"default", "must be undefined to be structural"},
    {"title", "must be empty to be structural"},
    {"description", "must be empty to be structural"},
    {"nullable", "must be false to be structural"},
    {"x-kubernetes-preserve-unknown-fields", "must be false to be structural"},
    {"x-kubernetes-embedded-resource", "must be false to be structural"},
    {"x-kubernetes-int-or-string", "must be false to be structural"},
    {"x-kubernetes-list-map-keys", "must be empty to be structural"},
    {"x-kubernetes-list-type", "must be undefined to be structural"},
}};

Type compileTypeName(std::string_view name) {
  if (name == "object") return Type::kObject;
  if (name == "array") return Type::kArray;
  if (name == "string") return Type::kString;
  if (name == "integer") return Type::kInteger;
  if (name == "number") return Type::kNumber;
  if (name == "boolean") return Type::kBoolean;
  return Type::kAny;
}

Format parseFormat(std::string_view name) {
  if (name == "int32") return Format::kInt32;
  if (name == "int64") return Format::kInt64;
  if (name == "date-time") return Format::kDateTime;
  if (name == "date") return Format::kDate;
  if (name == "byte") return Format::kByte;
  if (name == "uuid") return Format::kUuid;
  if (name == "ipv4") return Format::kIpv4;
  return Format::kNone;  // unknown formats are ignored, as kube does for most
}

bool isFlagSet(const Json& schema, std::string_view key) {
  auto it = schema.find(key);
  return it != schema.end() && it->is_boolean() && it->get<bool>();
}

bool isScalarType(Type type) {
  return type == Type::kString || type == Type::kInteger || type == Type::kNumber ||
         type == Type::kBoolean;
}

// anyOf: [{type: integer}, {type: string}], the one junctor shape allowed to carry types.
bool isIntOrStringAnyOf(const Json& any_of) {
  return any_of.is_array() && any_of.size() == 2 && any_of[0] == Json{{"type", "integer"}} &&
         any_of[1] == Json{{"type", "string"}};
}

// std::regex speaks ECMAScript; Go's RE2 inline case-insensitivity flag is common enough in
// real CRDs to translate.
std::optional<std::regex> compilePattern(std::string_view source, std::string& error) {
  auto flags = std::regex::ECMAScript | std::regex::optimize;
  std::string text(source);
  if (text.rfind("(?i)", 0) == 0) {
    text.erase(0, 4);
    flags |= std::regex::icase;
  }
  try {
    return std::regex(text, flags);
  } catch (const std::regex_error& e) {
    error = e.what();
    return std::nullopt;
  }
}

class Compiler {
 public:
  explicit Compiler(SchemaCompilation& out) : out_(out) {}

  std::unique_ptr<Node> compile(const Json& schema, PathBuilder& path, Level level, bool in_junctor,
                                bool types_allowed_in_junctor = false);

 private:
  void addError(FieldErrorType type, const PathBuilder& path, std::string_view child,
                std::optional<Json> value, std::string detail) {
    std::string field = path.str();
    if (!child.empty()) field += "." + std::string(child);
    out_.errors.push_back({type, std::move(field), std::move(value), std::move(detail)});
  }

  void checkKeywords(const Json& schema, const PathBuilder& path);
  void parseType(const Json& schema, Node& node, const PathBuilder& path);
  void parseObjectKeywords(const Json& schema, Node& node, PathBuilder& path, bool in_junctor);
  void parseArrayKeywords(const Json& schema, Node& node, PathBuilder& path, bool in_junctor);
  void parseScalarKeywords(const Json& schema, Node& node, const PathBuilder& path);
  void parseExtensions(const Json& schema, Node& node, const PathBuilder& path);
  void parseJunctors(const Json& schema, Node& node, PathBuilder& path);
  std::optional<int64_t> readCount(const Json& schema, std::string_view key,
                                   const PathBuilder& path);
  std::optional<double> readNumber(const Json& schema, std::string_view key,
                                   const PathBuilder& path);

  void checkStructural(const Node& node, const Json& schema, const PathBuilder& path, Level level);
  void checkMetadataProperties(const Node& node, const Json& schema, const PathBuilder& path,
                               Level level);
  void checkJunctorNode(const Json& schema, const PathBuilder& path, bool types_allowed);
  void checkListType(const Node& node, const PathBuilder& path);
  void checkCompleteness(const Node* outer, const Node& junctor, PathBuilder& outer_path);
  void checkDefault(const Node& node, const PathBuilder& path, Level level);

  SchemaCompilation& out_;
};

std::unique_ptr<Node> Compiler::compile(const Json& schema, PathBuilder& path, Level level,
                                        bool in_junctor, bool types_allowed_in_junctor) {
  auto node = std::make_unique<Node>();
  if (!schema.is_object()) {
    addError(FieldErrorType::kInvalid, path, "", schema, "must be a JSON schema object");
    node->preserve_unknown = true;  // accept anything rather than guess
    return node;
  }
  checkKeywords(schema, path);
  parseType(schema, *node, path);
  parseExtensions(schema, *node, path);
  parseObjectKeywords(schema, *node, path, in_junctor);
  parseArrayKeywords(schema, *node, path, in_junctor);
  parseScalarKeywords(schema, *node, path);
  parseJunctors(schema, *node, path);
  if (auto it = schema.find("default"); it != schema.end()) node->default_value = *it;
  if (in_junctor) {
    checkJunctorNode(schema, path, types_allowed_in_junctor);
  } else {
    checkStructural(*node, schema, path, level);
    checkDefault(*node, path, level);
  }
  checkListType(*node, path);
  return node;
}

void Compiler::checkKeywords(const Json& schema, const PathBuilder& path) {
  for (const auto& [key, message] : kUnsupportedKeywords) {
    if (schema.contains(key)) {
      addError(FieldErrorType::kForbidden, path, key, std::nullopt, std::string(message));
    }
  }
  if (isFlagSet(schema, "uniqueItems")) {
    addError(FieldErrorType::kForbidden, path, "uniqueItems", std::nullopt,
             "uniqueItems cannot be set to true since the runtime complexity becomes quadratic");
  }
}

void Compiler::parseType(const Json& schema, Node& node, const PathBuilder& path) {
  auto it = schema.find("type");
  if (it == schema.end()) return;
  if (!it->is_string()) {
    addError(FieldErrorType::kInvalid, path, "type", *it, "must be a string");
    return;
  }
  node.type_name = it->get<std::string>();
  node.type = compileTypeName(node.type_name);
  if (node.type == Type::kAny && !node.type_name.empty()) {
    std::string supported;
    for (std::string_view name : kTypeNames) {
      if (!supported.empty()) supported += ", ";
      supported += schema_internal::goQuote(name);
    }
    addError(FieldErrorType::kNotSupported, path, "type", node.type_name,
             "supported values: " + supported);
  }
}

void Compiler::parseExtensions(const Json& schema, Node& node, const PathBuilder& path) {
  node.nullable = isFlagSet(schema, "nullable");
  node.int_or_string = isFlagSet(schema, "x-kubernetes-int-or-string");
  node.embedded_resource = isFlagSet(schema, "x-kubernetes-embedded-resource");
  if (auto it = schema.find("x-kubernetes-preserve-unknown-fields"); it != schema.end()) {
    if (it->is_boolean() && it->get<bool>()) {
      node.preserve_unknown = true;
    } else {
      addError(FieldErrorType::kInvalid, path, "x-kubernetes-preserve-unknown-fields", *it,
               "must be true or undefined");
    }
  }
  auto rules = schema.find("x-kubernetes-validations");
  if (rules == schema.end() || !rules->is_array()) return;
  for (size_t i = 0; i < rules->size(); ++i) {
    const Json& rule = (*rules)[i];
    CelRule cel;
    cel.path = path.str() + ".x-kubernetes-validations[" + std::to_string(i) + "]";
    if (rule.is_object()) {
      cel.rule = rule.value("rule", "");
      cel.message = rule.value("message", "");
    }
    out_.cel_rules.push_back(std::move(cel));
  }
}

void Compiler::parseObjectKeywords(const Json& schema, Node& node, PathBuilder& path,
                                   bool in_junctor) {
  if (auto it = schema.find("properties"); it != schema.end() && it->is_object()) {
    for (const auto& [name, child] : it->items()) {
      size_t mark = path.mark();
      path.child("properties");
      path.key(name);
      node.properties.emplace(name, compile(child, path, Level::kField, in_junctor));
      path.reset(mark);
    }
  }
  if (auto it = schema.find("required"); it != schema.end() && it->is_array()) {
    for (const Json& name : *it) {
      if (name.is_string()) node.required.push_back(name.get<std::string>());
    }
  }
  if (auto it = schema.find("additionalProperties"); it != schema.end()) {
    node.has_additional = true;
    if (it->is_boolean()) {
      node.additional_allowed = it->get<bool>();
      if (!node.additional_allowed) {
        addError(FieldErrorType::kForbidden, path, "additionalProperties", std::nullopt,
                 "additionalProperties cannot be set to false");
      }
    } else {
      size_t mark = path.mark();
      path.child("additionalProperties");
      node.additional_schema = compile(*it, path, Level::kField, in_junctor);
      path.reset(mark);
    }
    if (schema.contains("properties")) {
      addError(FieldErrorType::kForbidden, path, "additionalProperties", std::nullopt,
               "additionalProperties and properties are mutual exclusive");
    }
  }
  node.min_properties = readCount(schema, "minProperties", path);
  node.max_properties = readCount(schema, "maxProperties", path);
}

void Compiler::parseArrayKeywords(const Json& schema, Node& node, PathBuilder& path,
                                  bool in_junctor) {
  if (auto it = schema.find("items"); it != schema.end()) {
    if (it->is_array()) {
      addError(FieldErrorType::kForbidden, path, "items", std::nullopt,
               "items must be a schema object and not an array");
    } else {
      size_t mark = path.mark();
      path.child("items");
      node.items = compile(*it, path, Level::kItem, in_junctor);
      path.reset(mark);
    }
  }
  node.min_items = readCount(schema, "minItems", path);
  node.max_items = readCount(schema, "maxItems", path);
  node.unique_items = isFlagSet(schema, "uniqueItems");
  if (auto it = schema.find("x-kubernetes-list-type"); it != schema.end()) {
    std::string value = it->is_string() ? it->get<std::string>() : it->dump();
    if (value == "atomic") {
      node.list_type = ListType::kAtomic;
    } else if (value == "set") {
      node.list_type = ListType::kSet;
    } else if (value == "map") {
      node.list_type = ListType::kMap;
    } else {
      addError(FieldErrorType::kNotSupported, path, "x-kubernetes-list-type", value,
               "supported values: \"atomic\", \"set\", \"map\"");
    }
  }
  if (auto it = schema.find("x-kubernetes-list-map-keys"); it != schema.end() && it->is_array()) {
    for (const Json& key : *it) {
      if (key.is_string()) node.list_map_keys.push_back(key.get<std::string>());
    }
  }
}

void Compiler::parseScalarKeywords(const Json& schema, Node& node, const PathBuilder& path) {
  node.min_length = readCount(schema, "minLength", path);
  node.max_length = readCount(schema, "maxLength", path);
  node.minimum = readNumber(schema, "minimum", path);
  node.maximum = readNumber(schema, "maximum", path);
  node.multiple_of = readNumber(schema, "multipleOf", path);
  if (node.multiple_of && *node.multiple_of <= 0) {
    addError(FieldErrorType::kInvalid, path, "multipleOf", *node.multiple_of,
             "must be greater than zero");
    node.multiple_of.reset();
  }
  node.exclusive_minimum = isFlagSet(schema, "exclusiveMinimum");
  node.exclusive_maximum = isFlagSet(schema, "exclusiveMaximum");
  if (auto it = schema.find("format"); it != schema.end() && it->is_string()) {
    node.format_name = it->get<std::string>();
    node.format = parseFormat(node.format_name);
  }
  if (auto it = schema.find("enum"); it != schema.end() && it->is_array()) {
    node.enum_values.assign(it->begin(), it->end());
  }
  auto it = schema.find("pattern");
  if (it == schema.end()) return;
  if (!it->is_string()) {
    addError(FieldErrorType::kInvalid, path, "pattern", *it, "must be a string");
    return;
  }
  node.pattern_source = it->get<std::string>();
  std::string error;
  node.pattern = compilePattern(node.pattern_source, error);
  if (!node.pattern) {
    addError(FieldErrorType::kInvalid, path, "pattern", node.pattern_source,
             "must be a valid regular expression, but isn't: " + error);
  }
}

void Compiler::parseJunctors(const Json& schema, Node& node, PathBuilder& path) {
  bool int_or_string_any_of = isIntOrStringAnyOf(schema.value("anyOf", Json()));
  auto compile_list = [&](std::string_view key, std::vector<std::unique_ptr<Node>>& into) {
    auto it = schema.find(key);
    if (it == schema.end() || !it->is_array()) return;
    for (size_t i = 0; i < it->size(); ++i) {
      size_t mark = path.mark();
      path.child(key);
      path.index(i);
      const Json& sub = (*it)[i];
      // Only the int-or-string anyOf may name types (also as allOf[0].anyOf, which the
      // recursion into allOf[0] sees as its own anyOf).
      bool types_allowed = key == "anyOf" && int_or_string_any_of;
      into.push_back(compile(sub, path, Level::kField, /*in_junctor=*/true, types_allowed));
      path.reset(mark);
    }
  };
  compile_list("allOf", node.all_of);
  compile_list("anyOf", node.any_of);
  compile_list("oneOf", node.one_of);
  if (auto it = schema.find("not"); it != schema.end()) {
    size_t mark = path.mark();
    path.child("not");
    node.not_schema = compile(*it, path, Level::kField, /*in_junctor=*/true);
    path.reset(mark);
  }
}

std::optional<int64_t> Compiler::readCount(const Json& schema, std::string_view key,
                                           const PathBuilder& path) {
  auto it = schema.find(key);
  if (it == schema.end()) return std::nullopt;
  if (!it->is_number_integer() || it->get<int64_t>() < 0) {
    addError(FieldErrorType::kInvalid, path, key, *it, "must be a non-negative integer");
    return std::nullopt;
  }
  return it->get<int64_t>();
}

std::optional<double> Compiler::readNumber(const Json& schema, std::string_view key,
                                           const PathBuilder& path) {
  auto it = schema.find(key);
  if (it == schema.end()) return std::nullopt;
  if (!it->is_number()) {
    addError(FieldErrorType::kInvalid, path, key, *it, "must be a number");
    return std::nullopt;
  }
  return it->get<double>();
}

void Compiler::checkStructural(const Node& node, const Json& schema, const PathBuilder& path,
                               Level level) {
  if (node.type == Type::kArray && !node.items) {
    addError(FieldErrorType::kRequired, path, "items", std::nullopt, "must be specified");
  }
  bool has_type = !node.type_name.empty();
  if (node.embedded_resource && node.type != Type::kObject) {
    addError(has_type ? FieldErrorType::kInvalid : FieldErrorType::kRequired, path, "type",
             has_type ? std::optional<Json>(node.type_name) : std::nullopt,
             "must be object if x-kubernetes-embedded-resource is true");
  } else if (!has_type && !node.int_or_string && !node.preserve_unknown) {
    static constexpr std::array<std::string_view, 3> kDetails = {
        "must not be empty at the root", "must not be empty for specified array items",
        "must not be empty for specified object fields"};
    addError(FieldErrorType::kRequired, path, "type", std::nullopt,
             std::string(kDetails[static_cast<size_t>(level)]));
  }
  if (node.int_or_string && has_type) {
    addError(FieldErrorType::kInvalid, path, "type", node.type_name,
             "must be empty if x-kubernetes-int-or-string is true");
  }
  if (node.int_or_string && node.preserve_unknown) {
    addError(FieldErrorType::kInvalid, path, "x-kubernetes-preserve-unknown-fields", true,
             "must be false if x-kubernetes-int-or-string is true");
  }
  if (node.int_or_string && node.embedded_resource) {
    addError(FieldErrorType::kInvalid, path, "x-kubernetes-embedded-resource", true,
             "must be false if x-kubernetes-int-or-string is true");
  }
  if (node.embedded_resource && node.has_additional) {
    addError(FieldErrorType::kForbidden, path, "additionalProperties", std::nullopt,
             "must not be used if x-kubernetes-embedded-resource is set");
  }
  if (level == Level::kRoot && node.has_additional) {
    addError(FieldErrorType::kForbidden, path, "additionalProperties", std::nullopt,
             "must not be used at the root");
  }
  if (level == Level::kRoot && has_type && node.type != Type::kObject) {
    addError(FieldErrorType::kInvalid, path, "type", node.type_name, "must be object at the root");
  }
  checkMetadataProperties(node, schema, path, level);
  if (node.embedded_resource && !node.preserve_unknown && node.properties.empty()) {
    addError(FieldErrorType::kRequired, path, "properties", std::nullopt,
             "must not be empty if x-kubernetes-embedded-resource is true without "
             "x-kubernetes-preserve-unknown-fields");
  }
  PathBuilder outer_path(path.str());
  for (const auto* junctors : {&node.all_of, &node.any_of, &node.one_of}) {
    for (const auto& junctor : *junctors) checkCompleteness(&node, *junctor, outer_path);
  }
  if (node.not_schema) checkCompleteness(&node, *node.not_schema, outer_path);
}

void Compiler::checkMetadataProperties(const Node& node, const Json& schema,
                                       const PathBuilder& path, Level level) {
  if (level != Level::kRoot && !node.embedded_resource) return;
  auto property_path = [&](std::string_view name) {
    PathBuilder p(path.str());
    p.child("properties");
    p.key(name);
    return p;
  };
  for (std::string_view name : {"kind", "apiVersion"}) {
    const Node* child = node.property(name);
    if (child != nullptr && child->type != Type::kString) {
      addError(FieldErrorType::kInvalid, property_path(name), "type", child->type_name,
               "must be string");
    }
  }
  const Node* metadata = node.property("metadata");
  if (metadata == nullptr) return;
  if (metadata->type != Type::kObject) {
    addError(FieldErrorType::kInvalid, property_path("metadata"), "type", metadata->type_name,
             "must be object");
  }
  if (level != Level::kRoot) return;
  // Only restrictions of name and generateName are allowed; descriptions are harmless and
  // common in generated CRDs, so they are tolerated.
  const Json& raw = schema["properties"]["metadata"];
  bool other_keyword = std::any_of(raw.items().begin(), raw.items().end(), [](const auto& kv) {
    return kv.key() != "type" && kv.key() != "properties" && kv.key() != "description" &&
           kv.key() != "default";
  });
  bool other_property =
      std::any_of(metadata->properties.begin(), metadata->properties.end(),
                  [](const auto& kv) { return kv.first != "name" && kv.first != "generateName"; });
  if (other_keyword || other_property) {
    addError(FieldErrorType::kForbidden, property_path("metadata"), "", std::nullopt,
             "must not specify anything other than name and generateName, but metadata is "
             "implicitly specified");
  }
}

void Compiler::checkJunctorNode(const Json& schema, const PathBuilder& path, bool types_allowed) {
  for (const auto& [key, message] : kJunctorForbidden) {
    if (key == "type" && types_allowed) continue;
    auto it = schema.find(key);
    if (it == schema.end()) continue;
    bool is_false_flag = it->is_boolean() && !it->get<bool>();
    bool is_empty = (it->is_string() && it->get_ref<const std::string&>().empty()) ||
                    (it->is_array() && it->empty());
    if (is_false_flag || is_empty) continue;
    addError(FieldErrorType::kForbidden, path, key, std::nullopt, std::string(message));
  }
  auto props = schema.find("properties");
  if (props != schema.end() && props->is_object() && props->contains("metadata")) {
    PathBuilder p(path.str());
    p.child("properties");
    p.key("metadata");
    addError(FieldErrorType::kForbidden, p, "", std::nullopt,
             "must not be specified in a nested context");
  }
}

void Compiler::checkCompleteness(const Node* outer, const Node& junctor, PathBuilder& outer_path) {
  for (const auto& [name, child] : junctor.properties) {
    size_t mark = outer_path.mark();
    outer_path.child("properties");
    outer_path.key(name);
    const Node* specified = outer != nullptr ? outer->fieldSchema(name) : nullptr;
    if (specified == nullptr) {
      addError(FieldErrorType::kRequired, outer_path, "", std::nullopt,
               "must be specified to be structural");
    } else {
      checkCompleteness(specified, *child, outer_path);
    }
    outer_path.reset(mark);
  }
  if (junctor.items) {
    size_t mark = outer_path.mark();
    outer_path.child("items");
    if (outer == nullptr || !outer->items) {
      addError(FieldErrorType::kRequired, outer_path, "", std::nullopt,
               "must be specified to be structural");
    } else {
      checkCompleteness(outer->items.get(), *junctor.items, outer_path);
    }
    outer_path.reset(mark);
  }
  for (const auto* junctors : {&junctor.all_of, &junctor.any_of, &junctor.one_of}) {
    for (const auto& nested : *junctors) checkCompleteness(outer, *nested, outer_path);
  }
  if (junctor.not_schema) checkCompleteness(outer, *junctor.not_schema, outer_path);
}

void Compiler::checkListType(const Node& node, const PathBuilder& path) {
  if (node.list_type != ListType::kNone && node.type != Type::kArray) {
    addError(FieldErrorType::kInvalid, path, "x-kubernetes-list-type", std::nullopt,
             "must only be used if type is array");
  }
  if (node.list_type != ListType::kMap) {
    if (!node.list_map_keys.empty()) {
      addError(FieldErrorType::kForbidden, path, "x-kubernetes-list-map-keys", std::nullopt,
               "must not be set if x-kubernetes-list-type is not map");
    }
    if (node.list_type == ListType::kSet && node.items && !isScalarType(node.items->type) &&
        !node.items->int_or_string) {
      PathBuilder items_path(path.str());
      items_path.child("items");
      addError(FieldErrorType::kInvalid, items_path, "type", node.items->type_name,
               "must be a scalar type if parent array's x-kubernetes-list-type is set");
    }
    return;
  }
  if (node.list_map_keys.empty()) {
    addError(FieldErrorType::kRequired, path, "x-kubernetes-list-map-keys", std::nullopt,
             "must not be empty if x-kubernetes-list-type is map");
  }
  if (!node.items) return;
  PathBuilder items_path(path.str());
  items_path.child("items");
  if (node.items->type != Type::kObject) {
    addError(FieldErrorType::kInvalid, items_path, "type", node.items->type_name,
             "must be object if parent array's x-kubernetes-list-type is map");
    return;
  }
  for (const std::string& key : node.list_map_keys) {
    const Node* key_schema = node.items->property(key);
    if (key_schema == nullptr) {
      addError(FieldErrorType::kRequired, items_path, "properties[" + key + "]", std::nullopt,
               "must be specified for a key of x-kubernetes-list-map-keys");
      continue;
    }
    bool required = std::find(node.items->required.begin(), node.items->required.end(), key) !=
                    node.items->required.end();
    if (!required && !key_schema->default_value) {
      addError(FieldErrorType::kRequired, items_path, "required", key,
               "all map keys must be required or have a default value");
    }
  }
}

void Compiler::checkDefault(const Node& node, const PathBuilder& path, Level level) {
  if (!node.default_value) return;
  if (level == Level::kRoot) {
    addError(FieldErrorType::kForbidden, path, "default", std::nullopt,
             "must not be used at the root");
    return;
  }
  std::string default_path = path.str() + ".default";
  Json pruned_copy = *node.default_value;
  std::vector<std::string> pruned;
  schema_internal::pruneValue(node, pruned_copy, /*is_root=*/false, pruned);
  if (!pruned.empty()) {
    out_.errors.push_back({FieldErrorType::kInvalid, default_path, *node.default_value,
                           "must not have unknown fields"});
  }
  schema_internal::validateValue(node, *node.default_value, default_path, /*is_root=*/false,
                                 out_.errors);
}

}  // namespace

SchemaCompilation compileSchema(const Json& open_api_v3_schema, const CompileOptions& options) {
  SchemaCompilation out;
  Compiler compiler(out);
  PathBuilder path(options.path);
  auto root = compiler.compile(open_api_v3_schema, path, Level::kRoot, /*in_junctor=*/false);
  // kube-apiserver sorts structural errors so that CRD messages are stable.
  std::stable_sort(out.errors.begin(), out.errors.end(),
                   [](const auto& a, const auto& b) { return a.toString() < b.toString(); });
  out.schema = std::make_shared<const CompiledSchema>(std::move(root));
  return out;
}

}  // namespace serin::cluster
