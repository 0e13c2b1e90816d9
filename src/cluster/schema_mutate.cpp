// The two walks that change a custom resource in place: pruning and defaulting.
//
// Both follow only the structural part of the schema (properties, additionalProperties,
// items); value validations under allOf/anyOf/oneOf/not never add or remove fields, as in
// kube-apiserver. Both work on the caller's document without copying it.
#include "schema_internal.h"

namespace serin::cluster {
namespace schema_internal {
namespace {

bool isEnvelopeField(std::string_view key) {
  return key == "apiVersion" || key == "kind" || key == "metadata";
}

class Pruner {
 public:
  explicit Pruner(std::vector<std::string>& pruned) : pruned_(pruned) {}

  void prune(const Node& node, Json& value, bool is_root) {
    if (value.is_object()) {
      pruneObject(node, value, is_root);
    } else if (value.is_array() && node.items) {
      for (size_t i = 0; i < value.size(); ++i) {
        size_t mark = path_.mark();
        path_.index(i);
        prune(*node.items, value[i], /*is_root=*/false);
        path_.reset(mark);
      }
    }
  }

 private:
  // Unknown fields survive under preserve-unknown-fields and additionalProperties: true, and
  // the type envelope survives at the root and in embedded resources.
  bool keepsUnknown(const Node& node, std::string_view key, bool is_root) const {
    if (node.preserve_unknown) return true;
    if (node.has_additional && node.additional_allowed && !node.additional_schema) return true;
    return (is_root || node.embedded_resource) && isEnvelopeField(key);
  }

  void pruneObject(const Node& node, Json& value, bool is_root) {
    for (auto it = value.begin(); it != value.end();) {
      const std::string& key = it.key();
      // Root metadata is ObjectMeta, which the server itself owns and checks.
      if (is_root && key == "metadata") {
        ++it;
        continue;
      }
      size_t mark = path_.mark();
      path_.field(key);
      if (const Node* child = node.fieldSchema(key); child != nullptr) {
        prune(*child, *it, /*is_root=*/false);
        ++it;
      } else if (keepsUnknown(node, key, is_root)) {
        ++it;
      } else {
        pruned_.push_back(path_.str());
        it = value.erase(it);
      }
      path_.reset(mark);
    }
  }

  PathBuilder path_;
  std::vector<std::string>& pruned_;
};

class Defaulter {
 public:
  void apply(const Node& node, Json& value, bool is_root) {
    if (value.is_object()) {
      applyToObject(node, value, is_root);
    } else if (value.is_array() && node.items) {
      for (Json& item : value) {
        if (item.is_null() && !node.items->nullable && node.items->default_value) {
          item = *node.items->default_value;
        }
        apply(*node.items, item, /*is_root=*/false);
      }
    }
  }

 private:
  void applyToObject(const Node& node, Json& value, bool is_root) {
    // Present fields first: nulls where null is not allowed become the default or go away.
    for (auto it = value.begin(); it != value.end();) {
      const Node* child = node.fieldSchema(it.key());
      if (child == nullptr || (is_root && it.key() == "metadata")) {
        ++it;
        continue;
      }
      if (it->is_null() && !child->nullable) {
        if (!child->default_value) {
          it = value.erase(it);
          continue;
        }
        *it = *child->default_value;
      }
      apply(*child, *it, /*is_root=*/false);
      ++it;
    }
    // Then missing fields, whose defaults may hold nested objects with defaults of their own.
    for (const auto& [name, child] : node.properties) {
      if (!child->default_value || (is_root && name == "metadata") || value.contains(name)) {
        continue;
      }
      Json& inserted = value[name];
      inserted = *child->default_value;
      apply(*child, inserted, /*is_root=*/false);
    }
  }
};

}  // namespace

void pruneValue(const Node& node, Json& value, bool is_root, std::vector<std::string>& pruned) {
  Pruner(pruned).prune(node, value, is_root);
}

}  // namespace schema_internal

void CompiledSchema::applyDefaults(Json& object) const {
  schema_internal::Defaulter().apply(*root_, object, /*is_root=*/true);
}

}  // namespace serin::cluster
