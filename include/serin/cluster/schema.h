// Compiled CRD schemas: structural checks, validation, pruning and defaulting of custom resources.
//
// A CustomResourceDefinition version carries an openAPIV3Schema. kube-apiserver uses it four
// ways, and so does Serin's embedded control plane: when the CRD is created or updated, the
// schema itself must be *structural* (every node typed, no $ref, metadata only restricting
// name/generateName, ...); on every write of a custom resource, unknown fields are *pruned*
// (and reported for fieldValidation=Strict|Warn), *defaults* are applied, and the object is
// *validated*, with errors worded the way kubectl users know them:
//
//   Rollout.argoproj.io "web" is invalid: spec.replicas: Invalid value: "string":
//   spec.replicas in body must be of type integer: "string"
//
// compileSchema() parses the JSON schema once (patterns are compiled here, never per request)
// into a CompiledSchema. It always returns a best-effort schema together with the list of
// structural errors; the server must reject the CRD when that list is not empty. CEL rules
// (x-kubernetes-validations) are not evaluated: compileSchema() lists them so the server can
// warn at CRD creation that they are not enforced.
//
// Thread-safety: a CompiledSchema is immutable after compileSchema() returns; share it across
// request threads as std::shared_ptr<const CompiledSchema>. prune() and applyDefaults() mutate
// only the object passed in. No function here throws.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "serin/util/status.h"

namespace serin::cluster {

using Json = nlohmann::json;

// The kinds of field errors kube-apiserver reports (k8s.io/apimachinery field.ErrorType).
enum class FieldErrorType {
  kNotFound,      // "Not found"
  kRequired,      // "Required value"
  kDuplicate,     // "Duplicate value"
  kInvalid,       // "Invalid value"
  kTypeInvalid,   // "Invalid value" (a value of the wrong JSON type)
  kNotSupported,  // "Unsupported value"
  kForbidden,     // "Forbidden"
  kTooLong,       // "Too long"
  kTooMany,       // "Too many"
  kInternal,      // "Internal error"
};

// The text kube-apiserver prints for a type: "Invalid value", "Required value", ...
std::string_view fieldErrorTypeText(FieldErrorType type);

// One problem with one field, e.g. spec.strategy.canary.steps[2].setWeight.
struct FieldError {
  FieldErrorType type = FieldErrorType::kInvalid;
  std::string field;              // "spec.replicas"; "" for the object itself
  std::optional<Json> bad_value;  // printed after the type unless the type omits values
  std::string detail;             // "spec.replicas in body must be of type integer: \"string\""

  // "spec.replicas: Invalid value: \"string\": spec.replicas in body must be ...".
  std::string toString() const;
  friend bool operator==(const FieldError&, const FieldError&) = default;
};
using FieldErrors = std::vector<FieldError>;

// `Rollout.argoproj.io "web" is invalid: <error>` for one error, `... is invalid: [e1, e2]` for
// several (duplicates dropped), as kube-apiserver's Invalid status message reads.
std::string invalidMessage(std::string_view qualified_kind, std::string_view name,
                           const FieldErrors& errors);
// A kInvalid Status with invalidMessage() and reason "Invalid" (HTTP 422).
Status invalidStatus(std::string_view qualified_kind, std::string_view name,
                     const FieldErrors& errors);
// `unknown field "spec.foo"`: the fieldValidation=Strict error and Warn warning text.
std::string unknownFieldMessage(std::string_view path);

// An x-kubernetes-validations rule found in a schema. Serin does not evaluate CEL.
struct CelRule {
  std::string path;     // schema path of the rule: "...openAPIV3Schema.properties[spec]
                        //   .x-kubernetes-validations[0]"
  std::string rule;     // the CEL expression
  std::string message;  // its message, if any
};

struct CompileOptions {
  // Prefix of every structural error path (kube-apiserver's path within the CRD object).
  std::string path = "spec.versions[0].schema.openAPIV3Schema";
};

class CompiledSchema;
using CompiledSchemaPtr = std::shared_ptr<const CompiledSchema>;

struct SchemaCompilation {
  CompiledSchemaPtr schema;  // always set; best effort when errors is not empty
  FieldErrors errors;        // structural errors; non-empty means "reject the CRD"
  std::vector<CelRule> cel_rules;

  bool ok() const { return errors.empty(); }
  // One warning per CEL rule, for the Warning header at CRD creation.
  std::vector<std::string> celWarnings() const;
};

// Parses and checks a CRD version's openAPIV3Schema. Never fails outright: a schema that is
// not even a JSON object yields errors and a schema that accepts anything.
SchemaCompilation compileSchema(const Json& open_api_v3_schema, const CompileOptions& options = {});

namespace schema_internal {
struct Node;
}

class CompiledSchema {
 public:
  // Use compileSchema().
  explicit CompiledSchema(std::unique_ptr<schema_internal::Node> root);
  ~CompiledSchema();
  CompiledSchema(const CompiledSchema&) = delete;
  CompiledSchema& operator=(const CompiledSchema&) = delete;

  // Validates a whole custom resource (root apiVersion/kind/metadata are the server's
  // business, except the name/generateName restrictions a schema may declare). Errors come in
  // a stable order: required fields of an object first, then its fields in key order.
  FieldErrors validate(const Json& object) const;

  // Removes fields the schema does not declare (keeping everything under
  // x-kubernetes-preserve-unknown-fields, and apiVersion/kind/metadata at the root and in
  // embedded resources). Returns the removed paths ("spec.foo", "spec.steps[1].bar").
  std::vector<std::string> prune(Json& object) const;

  // Applies schema defaults top-down, into array items and map values too; never overwrites
  // a present value. A null in a non-nullable field is replaced by its default, or dropped
  // when it has none; nulls in nullable fields stay.
  void applyDefaults(Json& object) const;

  struct WriteResult {
    std::vector<std::string> unknown_fields;  // what prune() removed
    FieldErrors errors;                       // what validate() found afterwards
  };
  // The write path of kube-apiserver: prune, default, validate.
  WriteResult admit(Json& object) const;

  // Not for callers: compileSchema() and the implementation files use it.
  const schema_internal::Node& root() const { return *root_; }

 private:
  std::unique_ptr<schema_internal::Node> root_;
};

}  // namespace serin::cluster
