// OpenAPI v3 (per group-version) and v2 (Swagger 2.0) documents; registry.h explains what kubectl
// reads from them and why the paths are there.
#include "serin/cluster/registry.h"

namespace serin::cluster::registry_internal {
namespace {

constexpr const char* kObjectMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

enum class Flavor { kV3, kV2 };

std::string ref(Flavor flavor, const std::string& name) {
  return (flavor == Flavor::kV3 ? "#/components/schemas/" : "#/definitions/") + name;
}

Json gvkExtension(const ResourceInfo& info) {
  return Json::array({{{"group", info.group}, {"version", info.version}, {"kind", info.kind}}});
}

Json stringProperty(const char* description) {
  return {{"type", "string"}, {"description", description}};
}

Json metadataProperty(Flavor flavor) {
  const char* description = "Standard object's metadata: name, namespace, labels, annotations.";
  if (flavor == Flavor::kV3) {
    return {{"allOf", Json::array({{{"$ref", ref(flavor, kObjectMeta)}}})},
            {"default", Json::object()},
            {"description", description}};
  }
  return {{"$ref", ref(flavor, kObjectMeta)}, {"description", description}};
}

// ObjectMeta with the fields users write; unknown ones are preserved so nothing is lost.
Json objectMetaSchema() {
  Json string_map = {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}};
  Json properties = {
      {"name", stringProperty("Name, unique within a namespace.")},
      {"generateName", stringProperty("Prefix of a server-generated name.")},
      {"namespace", stringProperty("Namespace the object lives in.")},
      {"uid", stringProperty("Server-assigned unique identifier.")},
      {"resourceVersion", stringProperty("Opaque version for optimistic concurrency.")},
      {"generation",
       {{"type", "integer"},
        {"format", "int64"},
        {"description", "Sequence number of the desired state."}}},
      {"creationTimestamp", stringProperty("When the object was created (RFC 3339).")},
      {"deletionTimestamp", stringProperty("When deletion was requested (RFC 3339).")},
      {"labels", string_map},
      {"annotations", string_map},
      {"finalizers",
       {{"type", "array"},
        {"items", {{"type", "string"}}},
        {"description", "Must be empty before the object is deleted."}}},
      {"ownerReferences",
       {{"type", "array"},
        {"items", {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}},
        {"description", "Objects this object depends on."}}},
      {"managedFields",
       {{"type", "array"},
        {"items", {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}},
        {"description", "Which manager owns which fields."}}},
  };
  return {{"type", "object"},
          {"description", "Metadata that all persisted resources must have."},
          {"properties", std::move(properties)}};
}

// The CRD's schema adapted to one flavour: metadata becomes a reference to ObjectMeta, and v2
// loses what Swagger 2.0 cannot say (nullable, oneOf/anyOf/not), as kube-apiserver does.
Json adaptSchema(const Json& schema, Flavor flavor) {
  if (schema.is_array()) {
    Json out = Json::array();
    for (const Json& item : schema) out.push_back(adaptSchema(item, flavor));
    return out;
  }
  if (!schema.is_object()) return schema;
  Json out = Json::object();
  for (const auto& [key, value] : schema.items()) {
    if (flavor == Flavor::kV2 &&
        (key == "nullable" || key == "oneOf" || key == "anyOf" || key == "not")) {
      continue;
    }
    // properties' keys are field names, not schema keywords: adapt each value.
    if ((key == "properties" || key == "patternProperties") && value.is_object()) {
      Json props = Json::object();
      for (const auto& [name, sub] : value.items()) props[name] = adaptSchema(sub, flavor);
      out[key] = std::move(props);
    } else if (key == "items" || key == "additionalProperties" || key == "allOf" ||
               key == "oneOf" || key == "anyOf" || key == "not") {
      out[key] = adaptSchema(value, flavor);
    } else {
      out[key] = value;
    }
  }
  return out;
}

Json kindSchema(const ResourceInfo& info, Flavor flavor) {
  Json schema;
  if (info.isBuiltin()) {
    // Permissive: the server validates built-in kinds; explain shows the common fields.
    schema = {{"type", "object"},
              {"description", info.kind + " (" + info.apiVersion() +
                                  "). Fields are not described by this server."},
              {"x-kubernetes-preserve-unknown-fields", true}};
  } else {
    schema = adaptSchema(info.open_api_schema, flavor);
    if (!schema.is_object()) schema = Json::object();
    if (!schema.contains("type")) schema["type"] = "object";
  }
  Json& properties = schema["properties"];
  if (!properties.is_object()) properties = Json::object();
  if (!properties.contains("apiVersion")) {
    properties["apiVersion"] = stringProperty("Versioned schema of this representation.");
  }
  if (!properties.contains("kind")) properties["kind"] = stringProperty("Kind of this object.");
  properties["metadata"] = metadataProperty(flavor);
  // v2 built-ins carry no GVK so client-side apply uses kubectl's own patch metadata.
  if (flavor == Flavor::kV3 || !info.isBuiltin()) {
    schema["x-kubernetes-group-version-kind"] = gvkExtension(info);
  }
  return schema;
}

Json parameter(Flavor flavor, const char* name, const char* in, bool is_required) {
  Json out = {{"name", name}, {"in", in}, {"uniqueItems", true}};
  if (flavor == Flavor::kV3) {
    out["schema"] = {{"type", "string"}};
  } else {
    out["type"] = "string";
  }
  if (is_required) out["required"] = true;
  return out;
}

struct OperationSpec {
  const char* action;  // x-kubernetes-action
  const char* id_verb;
  bool has_body = false;
  bool is_patch = false;
};

Json operation(const ResourceInfo& info, const OperationSpec& spec, Flavor flavor, bool item_path) {
  Json params = Json::array();
  if (item_path) params.push_back(parameter(flavor, "name", "path", true));
  if (info.namespaced) params.push_back(parameter(flavor, "namespace", "path", true));
  if (spec.has_body) {
    for (const char* name : {"dryRun", "fieldManager", "fieldValidation"}) {
      params.push_back(parameter(flavor, name, "query", false));
    }
    if (spec.is_patch) params.push_back(parameter(flavor, "force", "query", false));
  }
  std::string type_ref = ref(flavor, info.definitionName());
  Json content_types =
      spec.is_patch ? Json::array({"application/json-patch+json", "application/merge-patch+json",
                                   "application/apply-patch+yaml"})
                    : Json::array({"application/json"});
  Json body_schema = spec.is_patch ? Json{{"type", "object"}} : Json{{"$ref", type_ref}};
  Json out = {{"operationId", std::string(spec.id_verb) + info.kind},
              {"x-kubernetes-action", spec.action},
              {"x-kubernetes-group-version-kind",
               {{"group", info.group}, {"version", info.version}, {"kind", info.kind}}}};
  if (flavor == Flavor::kV3) {
    out["responses"] = {
        {"200",
         {{"description", "OK"},
          {"content", {{"application/json", {{"schema", {{"$ref", type_ref}}}}}}}}}};
    if (spec.has_body) {
      Json content = Json::object();
      for (const Json& type : content_types)
        content[type.get<std::string>()] = {{"schema", body_schema}};
      out["requestBody"] = {{"content", std::move(content)}, {"required", true}};
    }
  } else {
    out["responses"] = {{"200", {{"description", "OK"}, {"schema", {{"$ref", type_ref}}}}}};
    out["produces"] = Json::array({"application/json"});
    if (spec.has_body) {
      out["consumes"] = content_types;
      params.push_back(
          {{"name", "body"}, {"in", "body"}, {"required", true}, {"schema", body_schema}});
    }
  }
  out["parameters"] = std::move(params);
  return out;
}

void addPaths(const ResourceInfo& info, Flavor flavor, Json& paths) {
  std::string base = "/" + groupVersionPath({info.group, info.version});
  std::string collection =
      base + (info.namespaced ? "/namespaces/{namespace}/" : "/") + info.resource;
  std::string item = collection + "/{name}";
  paths[collection] = {{"get", operation(info, {"list", "list"}, flavor, false)},
                       {"post", operation(info, {"post", "create", true}, flavor, false)}};
  Json item_ops = {{"get", operation(info, {"get", "read"}, flavor, true)},
                   {"put", operation(info, {"put", "replace", true}, flavor, true)},
                   {"patch", operation(info, {"patch", "patch", true, true}, flavor, true)},
                   {"delete", operation(info, {"delete", "delete"}, flavor, true)}};
  paths[item] = std::move(item_ops);
  if (info.status_subresource) {
    paths[item + "/status"] = {
        {"get", operation(info, {"get", "readStatus"}, flavor, true)},
        {"put", operation(info, {"put", "replaceStatus", true}, flavor, true)},
        {"patch", operation(info, {"patch", "patchStatus", true, true}, flavor, true)}};
  }
}

Json info(const char* title) { return {{"title", title}, {"version", "v1.32.0"}}; }

}  // namespace

Json buildOpenApiV3(const RegistrySnapshot& snapshot, const kube::GroupVersion& gv) {
  Json schemas = {{kObjectMeta, objectMetaSchema()}};
  Json paths = Json::object();
  for (const ResourceInfoPtr& resource : snapshot.resources()) {
    if (resource->group != gv.group || resource->version != gv.version) continue;
    schemas[resource->definitionName()] = kindSchema(*resource, Flavor::kV3);
    addPaths(*resource, Flavor::kV3, paths);
  }
  return {{"openapi", "3.0.0"},
          {"info", info("Kubernetes")},
          {"paths", std::move(paths)},
          {"components", {{"schemas", std::move(schemas)}}}};
}

Json buildOpenApiV2(const RegistrySnapshot& snapshot) {
  Json definitions = {{kObjectMeta, objectMetaSchema()}};
  Json paths = Json::object();
  for (const ResourceInfoPtr& resource : snapshot.resources()) {
    definitions[resource->definitionName()] = kindSchema(*resource, Flavor::kV2);
    addPaths(*resource, Flavor::kV2, paths);
  }
  return {{"swagger", "2.0"},
          {"info", info("Kubernetes")},
          {"paths", std::move(paths)},
          {"definitions", std::move(definitions)}};
}

}  // namespace serin::cluster::registry_internal
