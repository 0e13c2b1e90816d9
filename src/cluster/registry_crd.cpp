// resourcesFromCrd: a CustomResourceDefinition (apiextensions.k8s.io/v1) as ResourceInfos, with
// the validation kube-apiserver applies before it serves a CRD.
#include <algorithm>
#include <cctype>
#include <utility>

#include "serin/cluster/registry.h"

namespace serin::cluster {
namespace {

constexpr std::string_view kCrdQualifiedKind = "CustomResourceDefinition.apiextensions.k8s.io";
// CRUD verbs in the order kube-apiserver reports them for custom resources.
const std::vector<std::string> kCrdVerbs = {"delete", "deletecollection", "get",    "list",
                                            "patch",  "create",           "update", "watch"};

std::string stringAt(const Json& parent, const char* key) {
  auto it = parent.find(key);
  return it != parent.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> stringsAt(const Json& parent, const char* key) {
  std::vector<std::string> out;
  auto it = parent.find(key);
  if (it == parent.end() || !it->is_array()) return out;
  for (const Json& item : *it) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

const Json& objectAt(const Json& parent, const char* key) {
  static const Json kEmpty = Json::object();
  auto it = parent.find(key);
  return it != parent.end() && it->is_object() ? *it : kEmpty;
}

FieldError required(std::string field, std::string detail = {}) {
  return {FieldErrorType::kRequired, std::move(field), std::nullopt, std::move(detail)};
}

// "argoproj.io" -> "io.argoproj": kube's OpenAPI definition names reverse the group's domain.
std::string reversedGroup(std::string_view group) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t dot = group.find('.');
    parts.push_back(group.substr(0, dot));
    if (dot == std::string_view::npos) break;
    group.remove_prefix(dot + 1);
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (!out.empty()) out += '.';
    out += *it;
  }
  return out;
}

struct CrdNames {
  std::string group;
  std::string plural;
  std::string singular;
  std::string kind;
  std::string list_kind;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  bool namespaced = true;
};

CrdNames parseNames(const kube::Object& crd, const Json& spec, FieldErrors& errors) {
  CrdNames names;
  const Json& json_names = objectAt(spec, "names");
  names.group = stringAt(spec, "group");
  names.plural = stringAt(json_names, "plural");
  names.kind = stringAt(json_names, "kind");
  names.singular = stringAt(json_names, "singular");
  names.list_kind = stringAt(json_names, "listKind");
  names.short_names = stringsAt(json_names, "shortNames");
  names.categories = stringsAt(json_names, "categories");
  if (names.group.empty()) errors.push_back(required("spec.group"));
  if (names.plural.empty()) errors.push_back(required("spec.names.plural"));
  if (names.kind.empty()) errors.push_back(required("spec.names.kind"));
  if (names.singular.empty()) {
    for (char c : names.kind) {
      names.singular += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (names.list_kind.empty()) names.list_kind = names.kind + "List";
  if (!names.group.empty() && !names.plural.empty() &&
      crd.name() != names.plural + "." + names.group) {
    errors.push_back({FieldErrorType::kInvalid, "metadata.name", Json(crd.name()),
                      "must be spec.names.plural+\".\"+spec.group"});
  }
  std::string scope = stringAt(spec, "scope");
  if (scope == "Cluster") {
    names.namespaced = false;
  } else if (scope != "Namespaced") {
    errors.push_back({FieldErrorType::kNotSupported, "spec.scope", Json(scope),
                      "supported values: \"Cluster\", \"Namespaced\""});
  }
  return names;
}

std::vector<PrinterColumn> parseColumns(const Json& version) {
  std::vector<PrinterColumn> out;
  auto it = version.find("additionalPrinterColumns");
  if (it == version.end() || !it->is_array()) return out;
  for (const Json& column : *it) {
    if (!column.is_object()) continue;
    PrinterColumn parsed{stringAt(column, "name"),     stringAt(column, "type"),
                         stringAt(column, "format"),   stringAt(column, "description"),
                         stringAt(column, "jsonPath"), 0};
    if (auto p = column.find("priority"); p != column.end() && p->is_number_integer()) {
      parsed.priority = p->get<int>();
    }
    out.push_back(std::move(parsed));
  }
  return out;
}

// The subresources block of one version: status and scale.
void applySubresources(const Json& version, ResourceInfo& info) {
  const Json& subresources = objectAt(version, "subresources");
  if (subresources.contains("status")) {
    info.status_subresource = true;
    info.subresources.push_back({"status", info.gvk(), {"get", "patch", "update"}});
  }
  if (subresources.contains("scale")) {
    const Json& scale = objectAt(subresources, "scale");
    info.scale =
        ScalePaths{stringAt(scale, "specReplicasPath"), stringAt(scale, "statusReplicasPath"),
                   stringAt(scale, "labelSelectorPath")};
    info.subresources.push_back(
        {"scale", {"autoscaling", "v1", "Scale"}, {"get", "patch", "update"}});
  }
}

struct ParsedVersion {
  std::shared_ptr<ResourceInfo> info;
  bool served = false;
  bool storage = false;
};

ParsedVersion parseVersion(const Json& version, size_t index, const CrdNames& names,
                           const std::string& crd_name, FieldErrors& errors,
                           std::vector<std::string>* warnings) {
  std::string prefix = "spec.versions[" + std::to_string(index) + "]";
  ParsedVersion parsed;
  parsed.served = version.value("served", false);
  parsed.storage = version.value("storage", false);
  auto info = std::make_shared<ResourceInfo>();
  info->group = names.group;
  info->version = stringAt(version, "name");
  if (info->version.empty()) errors.push_back(required(prefix + ".name"));
  info->resource = names.plural;
  info->singular = names.singular;
  info->kind = names.kind;
  info->list_kind = names.list_kind;
  info->namespaced = names.namespaced;
  info->verbs = kCrdVerbs;
  info->short_names = names.short_names;
  info->categories = names.categories;
  info->crd_name = crd_name;
  info->definition_prefix = reversedGroup(names.group) + "." + info->version;
  info->printer_columns = parseColumns(version);
  applySubresources(version, *info);
  const Json* schema = nullptr;
  if (auto it = version.find("schema"); it != version.end() && it->is_object()) {
    if (auto s = it->find("openAPIV3Schema"); s != it->end()) schema = &*s;
  }
  if (schema == nullptr) {
    errors.push_back(required(prefix + ".schema.openAPIV3Schema", "schemas are required"));
  } else {
    SchemaCompilation compiled = compileSchema(*schema, {prefix + ".schema.openAPIV3Schema"});
    errors.insert(errors.end(), compiled.errors.begin(), compiled.errors.end());
    if (warnings != nullptr) {
      for (std::string& warning : compiled.celWarnings()) warnings->push_back(std::move(warning));
    }
    info->open_api_schema = *schema;
    info->schema = compiled.schema;
  }
  parsed.info = std::move(info);
  return parsed;
}

}  // namespace

StatusOr<std::vector<ResourceInfoPtr>> resourcesFromCrd(const kube::Object& crd,
                                                        std::vector<std::string>* warnings) {
  if (crd.kind() != "CustomResourceDefinition") {
    return invalidError("not a CustomResourceDefinition: kind " + crd.kind());
  }
  const Json& spec = objectAt(crd.json(), "spec");
  FieldErrors errors;
  CrdNames names = parseNames(crd, spec, errors);
  std::vector<ParsedVersion> versions;
  if (auto it = spec.find("versions"); it != spec.end() && it->is_array() && !it->empty()) {
    for (size_t i = 0; i < it->size(); ++i) {
      versions.push_back(parseVersion((*it)[i], i, names, crd.name(), errors, warnings));
    }
  } else {
    errors.push_back(required("spec.versions",
                              "must have exactly one version marked as storage "
                              "version"));
  }
  std::string storage_version;
  size_t storage_count = 0;
  for (const ParsedVersion& parsed : versions) {
    if (parsed.storage) {
      ++storage_count;
      storage_version = parsed.info->version;
    }
  }
  if (!versions.empty() && storage_count != 1) {
    errors.push_back({FieldErrorType::kInvalid, "spec.versions",
                      Json(std::to_string(storage_count)),
                      "must have exactly one version marked as storage version"});
  }
  if (!errors.empty()) return invalidStatus(kCrdQualifiedKind, crd.name(), errors);
  std::vector<ResourceInfoPtr> out;
  for (ParsedVersion& parsed : versions) {
    if (!parsed.served) continue;
    parsed.info->storage_version = storage_version;
    out.push_back(std::move(parsed.info));
  }
  return out;
}

}  // namespace serin::cluster
