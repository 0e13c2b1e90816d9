#include "serin/kube/object.h"

#include <algorithm>

namespace serin::kube {
namespace {

std::string stringAt(const Json* parent, const char* key) {
  if (parent == nullptr || !parent->is_object()) return {};
  auto it = parent->find(key);
  if (it == parent->end() || !it->is_string()) return {};
  return it->get<std::string>();
}

Object::Labels stringMapAt(const Json* parent, const char* key) {
  Object::Labels out;
  if (parent == nullptr || !parent->is_object()) return out;
  auto it = parent->find(key);
  if (it == parent->end() || !it->is_object()) return out;
  for (const auto& [k, v] : it->items()) {
    if (v.is_string()) out.emplace(k, v.get<std::string>());
  }
  return out;
}

Json& objectMember(Json& parent, const char* key) {
  Json& member = parent[key];
  if (!member.is_object()) member = Json::object();
  return member;
}

}  // namespace

std::string GroupVersion::apiVersion() const {
  return group.empty() ? version : group + "/" + version;
}

GroupVersion GroupVersion::parse(std::string_view apiVersion) {
  auto slash = apiVersion.find('/');
  if (slash == std::string_view::npos) return {"", std::string(apiVersion)};
  return {std::string(apiVersion.substr(0, slash)), std::string(apiVersion.substr(slash + 1))};
}

GroupVersionKind GroupVersionKind::from(std::string_view apiVersion, std::string_view kind) {
  GroupVersion gv = GroupVersion::parse(apiVersion);
  return {std::move(gv.group), std::move(gv.version), std::string(kind)};
}

std::string GroupVersionKind::toString() const {
  std::string out = kind + "." + version;
  if (!group.empty()) out += "." + group;
  return out;
}

std::string GroupVersionResource::toString() const {
  std::string out = resource + "." + version;
  if (!group.empty()) out += "." + group;
  return out;
}

Json OwnerReference::toJson() const {
  Json j = {{"apiVersion", apiVersion}, {"kind", kind}, {"name", name}, {"uid", uid}};
  if (controller) j["controller"] = true;
  if (blockOwnerDeletion) j["blockOwnerDeletion"] = true;
  return j;
}

OwnerReference OwnerReference::fromJson(const Json& j) {
  OwnerReference ref;
  ref.apiVersion = stringAt(&j, "apiVersion");
  ref.kind = stringAt(&j, "kind");
  ref.name = stringAt(&j, "name");
  ref.uid = stringAt(&j, "uid");
  if (j.is_object()) {
    ref.controller = j.value("controller", false);
    ref.blockOwnerDeletion = j.value("blockOwnerDeletion", false);
  }
  return ref;
}

Object::Object(std::string_view apiVersion, std::string_view kind, std::string_view ns,
               std::string_view name)
    : json_(Json::object()) {
  setApiVersion(apiVersion);
  setKind(kind);
  if (!ns.empty()) setNamespace(ns);
  if (!name.empty()) setName(name);
}

StatusOr<Object> Object::parse(std::string_view text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return invalidError("invalid JSON object");
  if (!j.is_object()) return invalidError("a Kubernetes object must be a JSON object");
  return Object(std::move(j));
}

std::string Object::apiVersion() const { return stringAt(&json_, "apiVersion"); }
std::string Object::kind() const { return stringAt(&json_, "kind"); }
GroupVersionKind Object::gvk() const { return GroupVersionKind::from(apiVersion(), kind()); }
void Object::setApiVersion(std::string_view v) { json_["apiVersion"] = std::string(v); }
void Object::setKind(std::string_view k) { json_["kind"] = std::string(k); }

const Json* Object::metadataOrNull() const {
  if (!json_.is_object()) return nullptr;
  auto it = json_.find("metadata");
  return it != json_.end() && it->is_object() ? &*it : nullptr;
}

Json& Object::metadata() {
  if (!json_.is_object()) json_ = Json::object();
  return objectMember(json_, "metadata");
}

std::string Object::name() const { return stringAt(metadataOrNull(), "name"); }
std::string Object::generateName() const { return stringAt(metadataOrNull(), "generateName"); }
std::string Object::ns() const { return stringAt(metadataOrNull(), "namespace"); }
std::string Object::uid() const { return stringAt(metadataOrNull(), "uid"); }
std::string Object::resourceVersion() const {
  return stringAt(metadataOrNull(), "resourceVersion");
}

int64_t Object::generation() const {
  const Json* md = metadataOrNull();
  if (md == nullptr) return 0;
  auto it = md->find("generation");
  return it != md->end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

std::optional<std::string> Object::creationTimestamp() const {
  std::string v = stringAt(metadataOrNull(), "creationTimestamp");
  return v.empty() ? std::nullopt : std::optional(v);
}

std::optional<std::string> Object::deletionTimestamp() const {
  std::string v = stringAt(metadataOrNull(), "deletionTimestamp");
  return v.empty() ? std::nullopt : std::optional(v);
}

Object::Labels Object::labels() const { return stringMapAt(metadataOrNull(), "labels"); }
Object::Labels Object::annotations() const { return stringMapAt(metadataOrNull(), "annotations"); }

namespace {
std::optional<std::string> mapValue(const Json* md, const char* field, std::string_view key) {
  if (md == nullptr) return std::nullopt;
  auto m = md->find(field);
  if (m == md->end() || !m->is_object()) return std::nullopt;
  auto it = m->find(std::string(key));
  if (it == m->end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}
}  // namespace

std::optional<std::string> Object::label(std::string_view key) const {
  return mapValue(metadataOrNull(), "labels", key);
}
std::optional<std::string> Object::annotation(std::string_view key) const {
  return mapValue(metadataOrNull(), "annotations", key);
}

std::vector<OwnerReference> Object::ownerReferences() const {
  std::vector<OwnerReference> out;
  const Json* md = metadataOrNull();
  if (md == nullptr) return out;
  auto it = md->find("ownerReferences");
  if (it == md->end() || !it->is_array()) return out;
  for (const auto& ref : *it) out.push_back(OwnerReference::fromJson(ref));
  return out;
}

std::optional<OwnerReference> Object::controllerRef() const {
  for (auto& ref : ownerReferences()) {
    if (ref.controller) return ref;
  }
  return std::nullopt;
}

std::vector<std::string> Object::finalizers() const {
  std::vector<std::string> out;
  const Json* md = metadataOrNull();
  if (md == nullptr) return out;
  auto it = md->find("finalizers");
  if (it == md->end() || !it->is_array()) return out;
  for (const auto& f : *it) {
    if (f.is_string()) out.push_back(f.get<std::string>());
  }
  return out;
}

bool Object::hasFinalizer(std::string_view f) const {
  auto all = finalizers();
  return std::find(all.begin(), all.end(), f) != all.end();
}

const Json* Object::managedFields() const {
  const Json* md = metadataOrNull();
  if (md == nullptr) return nullptr;
  auto it = md->find("managedFields");
  return it == md->end() ? nullptr : &*it;
}

void Object::setName(std::string_view v) { metadata()["name"] = std::string(v); }
void Object::setGenerateName(std::string_view v) { metadata()["generateName"] = std::string(v); }
void Object::setNamespace(std::string_view v) { metadata()["namespace"] = std::string(v); }
void Object::setUid(std::string_view v) { metadata()["uid"] = std::string(v); }
void Object::setResourceVersion(std::string_view v) {
  metadata()["resourceVersion"] = std::string(v);
}
void Object::setGeneration(int64_t g) { metadata()["generation"] = g; }
void Object::setCreationTimestamp(std::string_view v) {
  metadata()["creationTimestamp"] = std::string(v);
}
void Object::setDeletionTimestamp(std::string_view v) {
  metadata()["deletionTimestamp"] = std::string(v);
}

void Object::setLabel(std::string_view key, std::string_view value) {
  objectMember(metadata(), "labels")[std::string(key)] = std::string(value);
}
void Object::removeLabel(std::string_view key) {
  Json& md = metadata();
  auto it = md.find("labels");
  if (it != md.end() && it->is_object()) it->erase(std::string(key));
}
void Object::setLabels(const Labels& labels) { metadata()["labels"] = labels; }

void Object::setAnnotation(std::string_view key, std::string_view value) {
  objectMember(metadata(), "annotations")[std::string(key)] = std::string(value);
}
void Object::removeAnnotation(std::string_view key) {
  Json& md = metadata();
  auto it = md.find("annotations");
  if (it != md.end() && it->is_object()) it->erase(std::string(key));
}
void Object::setAnnotations(const Labels& annotations) { metadata()["annotations"] = annotations; }

void Object::setOwnerReferences(const std::vector<OwnerReference>& refs) {
  Json arr = Json::array();
  for (const auto& r : refs) arr.push_back(r.toJson());
  metadata()["ownerReferences"] = std::move(arr);
}

void Object::addOwnerReference(const OwnerReference& ref) {
  auto refs = ownerReferences();
  for (const auto& existing : refs) {
    if (existing.uid == ref.uid && !ref.uid.empty()) return;
  }
  refs.push_back(ref);
  setOwnerReferences(refs);
}

void Object::addFinalizer(std::string_view f) {
  if (hasFinalizer(f)) return;
  Json& arr = metadata()["finalizers"];
  if (!arr.is_array()) arr = Json::array();
  arr.push_back(std::string(f));
}

void Object::removeFinalizer(std::string_view f) {
  Json& md = metadata();
  auto it = md.find("finalizers");
  if (it == md.end() || !it->is_array()) return;
  Json kept = Json::array();
  for (const auto& v : *it) {
    if (!(v.is_string() && v.get<std::string>() == f)) kept.push_back(v);
  }
  if (kept.empty()) {
    md.erase("finalizers");
  } else {
    *it = std::move(kept);
  }
}

void Object::clearManagedFields() { metadata().erase("managedFields"); }

OwnerReference Object::asOwner(bool controller, bool blockOwnerDeletion) const {
  return {apiVersion(), kind(), name(), uid(), controller, blockOwnerDeletion};
}

std::string Object::key() const { return makeKey(ns(), name()); }

const Json* Object::at(std::string_view pointer) const {
  if (pointer.empty()) return &json_;
  // json_pointer throws on malformed pointers; callers pass literals, but stay total anyway.
  try {
    Json::json_pointer ptr{std::string(pointer)};
    if (!json_.contains(ptr)) return nullptr;
    return &json_.at(ptr);
  } catch (const Json::exception&) {
    return nullptr;
  }
}

std::pair<std::string, std::string> splitKey(std::string_view key) {
  auto slash = key.find('/');
  if (slash == std::string_view::npos) return {"", std::string(key)};
  return {std::string(key.substr(0, slash)), std::string(key.substr(slash + 1))};
}

std::string makeKey(std::string_view ns, std::string_view name) {
  if (ns.empty()) return std::string(name);
  std::string out;
  out.reserve(ns.size() + name.size() + 1);
  out.append(ns).append("/").append(name);
  return out;
}

}  // namespace serin::kube
