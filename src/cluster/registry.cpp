// ResourceRegistry and RegistrySnapshot: the resource table, its lookups and the document cache.
// Built-ins live in registry_builtin.cpp, CRD parsing in registry_crd.cpp, the documents in
// discovery.cpp and openapi.cpp.
#include "serin/cluster/registry.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <utility>

namespace serin::cluster {
namespace {

std::string lowerCase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A parsed "v<major>[alpha|beta<minor>]" for kube's version priority.
struct VersionRank {
  bool kube_like = false;
  int stability = 0;  // 2 GA, 1 beta, 0 alpha
  int major = 0;
  int minor = 0;
};

std::optional<int> parseNumber(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

VersionRank rankVersion(std::string_view version) {
  VersionRank rank;
  if (version.size() < 2 || version[0] != 'v') return rank;
  std::string_view rest = version.substr(1);
  size_t digits = 0;
  while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
  std::optional<int> major = parseNumber(rest.substr(0, digits));
  if (!major) return rank;
  rest.remove_prefix(digits);
  rank.major = *major;
  if (rest.empty()) {
    rank.kube_like = true;
    rank.stability = 2;
    return rank;
  }
  for (auto [word, stability] :
       {std::pair{std::string_view("beta"), 1}, std::pair{std::string_view("alpha"), 0}}) {
    if (rest.starts_with(word)) {
      std::optional<int> minor = parseNumber(rest.substr(word.size()));
      if (!minor) return VersionRank{};
      rank.kube_like = true;
      rank.stability = stability;
      rank.minor = *minor;
    }
  }
  return rank;
}

// Sort key of a lookup candidate: built-ins first, then registration order of the group, then
// the group's version priority.
bool candidateBefore(const RegistrySnapshot& snapshot, const ResourceInfoPtr& a,
                     const ResourceInfoPtr& b) {
  if (a->isBuiltin() != b->isBuiltin()) return a->isBuiltin();
  if (a->group != b->group) {
    std::vector<std::string> groups = snapshot.groups();
    auto index = [&](const std::string& g) {
      return g.empty() ? -1 : std::find(groups.begin(), groups.end(), g) - groups.begin();
    };
    return index(a->group) < index(b->group);
  }
  return versionPreferred(a->version, b->version);
}

}  // namespace

bool versionPreferred(std::string_view a, std::string_view b) {
  VersionRank ra = rankVersion(a);
  VersionRank rb = rankVersion(b);
  if (ra.kube_like != rb.kube_like) return ra.kube_like;
  if (!ra.kube_like) return a < b;
  if (ra.stability != rb.stability) return ra.stability > rb.stability;
  if (ra.major != rb.major) return ra.major > rb.major;
  return ra.minor > rb.minor;
}

const SubresourceInfo* ResourceInfo::subresource(std::string_view name) const {
  for (const SubresourceInfo& sub : subresources) {
    if (sub.name == name) return &sub;
  }
  return nullptr;
}

bool ResourceInfo::hasVerb(std::string_view verb) const {
  return std::find(verbs.begin(), verbs.end(), verb) != verbs.end();
}

namespace registry_internal {

std::string groupVersionPath(const kube::GroupVersion& gv) {
  return gv.group.empty() ? "api/" + gv.version : "apis/" + gv.group + "/" + gv.version;
}

std::string hashText(std::string_view text) {
  uint64_t hash = 14695981039346656037ULL;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  char out[17];
  std::snprintf(out, sizeof(out), "%016llX", static_cast<unsigned long long>(hash));
  return out;
}

}  // namespace registry_internal

// ---- RegistrySnapshot ----

RegistrySnapshot::RegistrySnapshot(std::vector<ResourceInfoPtr> resources, uint64_t generation)
    : resources_(std::move(resources)), generation_(generation) {
  for (const ResourceInfoPtr& info : resources_) {
    by_gvr_.emplace(info->gvr(), info);
    by_gvk_.emplace(info->gvk(), info);
  }
}

ResourceInfoPtr RegistrySnapshot::find(const kube::GroupVersionResource& gvr) const {
  auto it = by_gvr_.find(gvr);
  return it == by_gvr_.end() ? nullptr : it->second;
}

ResourceInfoPtr RegistrySnapshot::findByKind(const kube::GroupVersionKind& gvk) const {
  auto it = by_gvk_.find(gvk);
  return it == by_gvk_.end() ? nullptr : it->second;
}

std::vector<ResourceInfoPtr> RegistrySnapshot::resolve(std::string_view name,
                                                       std::string_view group) const {
  std::string wanted = lowerCase(name);
  std::string wanted_group(group);
  // kubectl's "rollouts.argoproj.io" form names the group after the first dot.
  if (size_t dot = wanted.find('.'); dot != std::string::npos && wanted_group.empty()) {
    wanted_group = wanted.substr(dot + 1);
    wanted.resize(dot);
  }
  std::vector<ResourceInfoPtr> out;
  for (const ResourceInfoPtr& info : resources_) {
    if (!wanted_group.empty() && info->group != wanted_group) continue;
    bool match = info->resource == wanted || info->singular == wanted ||
                 lowerCase(info->kind) == wanted ||
                 std::find(info->short_names.begin(), info->short_names.end(), wanted) !=
                     info->short_names.end();
    if (match) out.push_back(info);
  }
  std::stable_sort(out.begin(), out.end(),
                   [this](const auto& a, const auto& b) { return candidateBefore(*this, a, b); });
  return out;
}

std::vector<ResourceInfoPtr> RegistrySnapshot::inCategory(std::string_view category) const {
  std::vector<ResourceInfoPtr> out;
  for (const ResourceInfoPtr& info : resources_) {
    if (std::find(info->categories.begin(), info->categories.end(), category) ==
        info->categories.end()) {
      continue;
    }
    std::vector<std::string> versions = groupVersions(info->group);
    // One entry per resource: the group's preferred version that serves it.
    bool preferred = true;
    for (const std::string& version : versions) {
      if (version == info->version) break;
      if (find({info->group, version, info->resource})) preferred = false;
    }
    if (preferred) out.push_back(info);
  }
  return out;
}

std::vector<std::string> RegistrySnapshot::groupVersions(std::string_view group) const {
  std::vector<std::string> versions;
  for (const ResourceInfoPtr& info : resources_) {
    if (info->group == group &&
        std::find(versions.begin(), versions.end(), info->version) == versions.end()) {
      versions.push_back(info->version);
    }
  }
  std::sort(versions.begin(), versions.end(),
            [](const std::string& a, const std::string& b) { return versionPreferred(a, b); });
  return versions;
}

std::vector<std::string> RegistrySnapshot::groups() const {
  std::vector<std::string> out;
  for (const ResourceInfoPtr& info : resources_) {
    if (!info->group.empty() && std::find(out.begin(), out.end(), info->group) == out.end()) {
      out.push_back(info->group);
    }
  }
  return out;
}

StatusOr<DocumentPtr> RegistrySnapshot::cached(const std::string& key,
                                               const std::function<StatusOr<Json>()>& build) const {
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  }
  // Built outside the lock so one slow document does not hold up others; a racing duplicate
  // build is harmless (same snapshot, same result) and the first one stored wins.
  ASSIGN_OR_RETURN(Json json, build());
  auto document = std::make_shared<Document>();
  document->json = std::move(json);
  document->body = document->json.dump();
  document->hash = registry_internal::hashText(document->body);
  document->etag = "\"" + document->hash + "\"";
  std::lock_guard lock(cache_mutex_);
  return DocumentPtr(cache_.emplace(key, std::move(document)).first->second);
}

StatusOr<DocumentPtr> RegistrySnapshot::discovery(std::string_view path,
                                                  DiscoveryFormat format) const {
  // Only /api and /apis have an aggregated form; elsewhere the legacy document is the answer.
  std::string normalized(path);
  while (normalized.size() > 1 && normalized.back() == '/') normalized.pop_back();
  if (normalized != "/api" && normalized != "/apis") format = DiscoveryFormat::kLegacy;
  std::string key = "discovery:" + std::to_string(static_cast<int>(format)) + ":" + normalized;
  return cached(key,
                [&]() { return registry_internal::buildDiscovery(*this, normalized, format); });
}

DocumentPtr RegistrySnapshot::openApiV3Index() const {
  return *cached("openapi-v3-index", [this]() -> StatusOr<Json> {
    Json paths = Json::object();
    std::vector<kube::GroupVersion> seen;
    for (const ResourceInfoPtr& info : resources_) {
      kube::GroupVersion gv{info->group, info->version};
      if (std::find(seen.begin(), seen.end(), gv) != seen.end()) continue;
      seen.push_back(gv);
      std::string gv_path = registry_internal::groupVersionPath(gv);
      StatusOr<DocumentPtr> document = openApiV3(gv_path);
      if (!document.isOk()) continue;
      paths[gv_path] = {
          {"serverRelativeURL", "/openapi/v3/" + gv_path + "?hash=" + (*document)->hash}};
    }
    return Json{{"paths", std::move(paths)}};
  });
}

StatusOr<DocumentPtr> RegistrySnapshot::openApiV3(std::string_view group_version_path) const {
  std::string_view path = group_version_path;
  if (path.starts_with("/openapi/v3/")) path.remove_prefix(12);
  while (path.starts_with("/")) path.remove_prefix(1);
  if (size_t query = path.find('?'); query != std::string_view::npos) path = path.substr(0, query);
  kube::GroupVersion gv;
  if (path.starts_with("api/")) {
    gv.version = std::string(path.substr(4));
  } else if (path.starts_with("apis/")) {
    std::string_view rest = path.substr(5);
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) {
      return notFoundError("no OpenAPI v3 document for " + std::string(group_version_path));
    }
    gv.group = std::string(rest.substr(0, slash));
    gv.version = std::string(rest.substr(slash + 1));
  }
  bool served = std::any_of(resources_.begin(), resources_.end(), [&gv](const auto& info) {
    return info->group == gv.group && info->version == gv.version;
  });
  if (!served || gv.version.empty()) {
    return notFoundError("no OpenAPI v3 document for " + std::string(group_version_path));
  }
  return cached(
      "openapi-v3:" + registry_internal::groupVersionPath(gv),
      [this, &gv]() -> StatusOr<Json> { return registry_internal::buildOpenApiV3(*this, gv); });
}

DocumentPtr RegistrySnapshot::openApiV2() const {
  return *cached("openapi-v2",
                 [this]() -> StatusOr<Json> { return registry_internal::buildOpenApiV2(*this); });
}

// ---- ResourceRegistry ----

ResourceRegistry::ResourceRegistry() { publish(builtinResources()); }

void ResourceRegistry::publish(std::vector<ResourceInfoPtr> resources) {
  uint64_t generation = 1;
  {
    std::lock_guard lock(snapshot_mutex_);
    if (snapshot_) generation = snapshot_->generation() + 1;
  }
  auto next = std::make_shared<const RegistrySnapshot>(std::move(resources), generation);
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = std::move(next);
}

RegistrySnapshotPtr ResourceRegistry::snapshot() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

StatusOr<std::vector<std::string>> ResourceRegistry::registerCrd(const kube::Object& crd) {
  std::vector<std::string> warnings;
  ASSIGN_OR_RETURN(std::vector<ResourceInfoPtr> added, resourcesFromCrd(crd, &warnings));
  std::lock_guard write_lock(write_mutex_);
  RegistrySnapshotPtr current = snapshot();
  std::vector<ResourceInfoPtr> next;
  for (const ResourceInfoPtr& info : current->resources()) {
    if (info->crd_name == crd.name()) continue;  // replaced by this registration
    for (const ResourceInfoPtr& mine : added) {
      if (info->group == mine->group && info->resource == mine->resource) {
        return alreadyExistsError(
            "resource " + mine->resource + "." + mine->group + " is already served" +
            (info->isBuiltin() ? std::string(" by the API server")
                               : " by CustomResourceDefinition " + info->crd_name));
      }
    }
    next.push_back(info);
  }
  next.insert(next.end(), added.begin(), added.end());
  publish(std::move(next));
  return warnings;
}

bool ResourceRegistry::unregisterCrd(std::string_view crd_name) {
  if (crd_name.empty()) return false;
  std::lock_guard write_lock(write_mutex_);
  RegistrySnapshotPtr current = snapshot();
  std::vector<ResourceInfoPtr> next;
  for (const ResourceInfoPtr& info : current->resources()) {
    if (info->crd_name != crd_name) next.push_back(info);
  }
  if (next.size() == current->resources().size()) return false;
  publish(std::move(next));
  return true;
}

ResourceInfoPtr ResourceRegistry::find(const kube::GroupVersionResource& gvr) const {
  return snapshot()->find(gvr);
}

ResourceInfoPtr ResourceRegistry::findByKind(const kube::GroupVersionKind& gvk) const {
  return snapshot()->findByKind(gvk);
}

std::vector<ResourceInfoPtr> ResourceRegistry::resolve(std::string_view name,
                                                       std::string_view group) const {
  return snapshot()->resolve(name, group);
}

std::vector<ResourceInfoPtr> ResourceRegistry::inCategory(std::string_view category) const {
  return snapshot()->inCategory(category);
}

StatusOr<Json> ResourceRegistry::discoveryJson(std::string_view path,
                                               DiscoveryFormat format) const {
  ASSIGN_OR_RETURN(DocumentPtr document, snapshot()->discovery(path, format));
  return document->json;
}

StatusOr<DocumentPtr> ResourceRegistry::discoveryDocument(std::string_view path,
                                                          DiscoveryFormat format) const {
  return snapshot()->discovery(path, format);
}

DocumentPtr ResourceRegistry::openApiV3Index() const { return snapshot()->openApiV3Index(); }

StatusOr<DocumentPtr> ResourceRegistry::openApiV3(std::string_view group_version_path) const {
  return snapshot()->openApiV3(group_version_path);
}

DocumentPtr ResourceRegistry::openApiV2() const { return snapshot()->openApiV2(); }

}  // namespace serin::cluster
