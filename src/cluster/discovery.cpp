// Discovery documents in the shapes kube-apiserver serves: legacy (APIVersions, APIGroupList,
// APIGroup, APIResourceList) and aggregated (apidiscovery.k8s.io APIGroupDiscoveryList).
#include <algorithm>
#include <cstdio>

#include "serin/cluster/registry.h"
#include "serin/util/base64.h"

namespace serin::cluster::registry_internal {
namespace {

std::vector<ResourceInfoPtr> resourcesOf(const RegistrySnapshot& snapshot,
                                         const kube::GroupVersion& gv) {
  std::vector<ResourceInfoPtr> out;
  for (const ResourceInfoPtr& info : snapshot.resources()) {
    if (info->group == gv.group && info->version == gv.version) out.push_back(info);
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a->resource < b->resource; });
  return out;
}

// kube-apiserver's storageVersionHash: an opaque 8-byte hash, base64, of the storage
// group/version/kind. Clients only compare it for equality.
std::string storageVersionHash(const ResourceInfo& info) {
  std::string hex = hashText(info.group + "/" + info.storage_version + "/" + info.kind);
  std::string bytes(8, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>(std::stoi(hex.substr(i * 2, 2), nullptr, 16));
  }
  return util::base64Encode(bytes);  // 8 bytes: 11 characters and one '='
}

Json apiResource(const ResourceInfo& info) {
  Json out = {{"name", info.resource},         {"singularName", info.singular},
              {"namespaced", info.namespaced}, {"kind", info.kind},
              {"verbs", info.verbs},           {"storageVersionHash", storageVersionHash(info)}};
  if (!info.short_names.empty()) out["shortNames"] = info.short_names;
  if (!info.categories.empty()) out["categories"] = info.categories;
  return out;
}

Json apiSubresource(const ResourceInfo& info, const SubresourceInfo& sub) {
  Json out = {{"name", info.resource + "/" + sub.name},
              {"singularName", ""},
              {"namespaced", info.namespaced},
              {"kind", sub.response_kind.kind},
              {"verbs", sub.verbs}};
  // group/version only when the subresource answers with another group's kind (Scale).
  if (sub.response_kind.group != info.group || sub.response_kind.version != info.version) {
    out["group"] = sub.response_kind.group;
    out["version"] = sub.response_kind.version;
  }
  return out;
}

Json resourceList(const RegistrySnapshot& snapshot, const kube::GroupVersion& gv) {
  Json resources = Json::array();
  for (const ResourceInfoPtr& info : resourcesOf(snapshot, gv)) {
    resources.push_back(apiResource(*info));
    for (const SubresourceInfo& sub : info->subresources) {
      resources.push_back(apiSubresource(*info, sub));
    }
  }
  return {{"kind", "APIResourceList"},
          {"apiVersion", "v1"},
          {"groupVersion", gv.apiVersion()},
          {"resources", std::move(resources)}};
}

Json groupVersionForDiscovery(const std::string& group, const std::string& version) {
  return {{"groupVersion", group + "/" + version}, {"version", version}};
}

Json apiGroup(const RegistrySnapshot& snapshot, const std::string& group) {
  std::vector<std::string> versions = snapshot.groupVersions(group);
  Json json_versions = Json::array();
  for (const std::string& version : versions) {
    json_versions.push_back(groupVersionForDiscovery(group, version));
  }
  return {{"name", group},
          {"versions", std::move(json_versions)},
          {"preferredVersion", groupVersionForDiscovery(group, versions.front())}};
}

Json responseKind(const kube::GroupVersionKind& gvk) {
  return {{"group", gvk.group}, {"version", gvk.version}, {"kind", gvk.kind}};
}

Json discoveryResource(const ResourceInfo& info) {
  Json out = {{"resource", info.resource},
              {"responseKind", responseKind(info.gvk())},
              {"scope", info.namespaced ? "Namespaced" : "Cluster"},
              {"singularResource", info.singular},
              {"verbs", info.verbs}};
  if (!info.short_names.empty()) out["shortNames"] = info.short_names;
  if (!info.categories.empty()) out["categories"] = info.categories;
  if (!info.subresources.empty()) {
    Json subs = Json::array();
    for (const SubresourceInfo& sub : info.subresources) {
      subs.push_back({{"subresource", sub.name},
                      {"responseKind", responseKind(sub.response_kind)},
                      {"verbs", sub.verbs}});
    }
    out["subresources"] = std::move(subs);
  }
  return out;
}

// One APIGroupDiscovery: the group's versions, preferred first, each with its resources.
Json groupDiscovery(const RegistrySnapshot& snapshot, const std::string& group) {
  Json versions = Json::array();
  for (const std::string& version : snapshot.groupVersions(group)) {
    Json resources = Json::array();
    for (const ResourceInfoPtr& info : resourcesOf(snapshot, {group, version})) {
      resources.push_back(discoveryResource(*info));
    }
    versions.push_back(
        {{"version", version}, {"resources", std::move(resources)}, {"freshness", "Current"}});
  }
  Json metadata = Json::object();
  if (!group.empty()) metadata["name"] = group;
  return {{"metadata", std::move(metadata)}, {"versions", std::move(versions)}};
}

Json aggregatedList(const RegistrySnapshot& snapshot, const std::vector<std::string>& groups,
                    DiscoveryFormat format) {
  Json items = Json::array();
  for (const std::string& group : groups) items.push_back(groupDiscovery(snapshot, group));
  std::string api_version = format == DiscoveryFormat::kAggregatedV2Beta1
                                ? "apidiscovery.k8s.io/v2beta1"
                                : "apidiscovery.k8s.io/v2";
  return {{"kind", "APIGroupDiscoveryList"},
          {"apiVersion", api_version},
          {"metadata", Json::object()},
          {"items", std::move(items)}};
}

Json apiVersions(const RegistrySnapshot& snapshot) {
  return {{"kind", "APIVersions"},
          {"versions", snapshot.groupVersions("")},
          // kubectl ignores it; the REST layer may fill in the real listen address.
          {"serverAddressByClientCIDRs", Json::array()}};
}

Json apiGroupList(const RegistrySnapshot& snapshot) {
  Json groups = Json::array();
  for (const std::string& group : snapshot.groups()) groups.push_back(apiGroup(snapshot, group));
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", std::move(groups)}};
}

Status notFound(std::string_view path) {
  return Status(StatusCode::kNotFound,
                "the server could not find the requested resource (" + std::string(path) + ")",
                "NotFound");
}

}  // namespace

StatusOr<Json> buildDiscovery(const RegistrySnapshot& snapshot, std::string_view path,
                              DiscoveryFormat format) {
  bool aggregated = format != DiscoveryFormat::kLegacy;
  if (path == "/api") {
    return aggregated ? aggregatedList(snapshot, {""}, format) : apiVersions(snapshot);
  }
  if (path == "/apis") {
    return aggregated ? aggregatedList(snapshot, snapshot.groups(), format)
                      : apiGroupList(snapshot);
  }
  if (path.starts_with("/api/")) {
    std::string version(path.substr(5));
    if (resourcesOf(snapshot, {"", version}).empty()) return notFound(path);
    return resourceList(snapshot, {"", version});
  }
  if (!path.starts_with("/apis/")) return notFound(path);
  std::string_view rest = path.substr(6);
  size_t slash = rest.find('/');
  std::string group(rest.substr(0, slash));
  if (group.empty() || snapshot.groupVersions(group).empty()) return notFound(path);
  if (slash == std::string_view::npos) {
    Json doc = apiGroup(snapshot, group);
    doc["kind"] = "APIGroup";
    doc["apiVersion"] = "v1";
    return doc;
  }
  std::string version(rest.substr(slash + 1));
  if (resourcesOf(snapshot, {group, version}).empty()) return notFound(path);
  return resourceList(snapshot, {group, version});
}

}  // namespace serin::cluster::registry_internal
