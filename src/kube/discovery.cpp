#include "discovery.h"

#include <algorithm>
#include <map>

namespace serin::kube::internal {
namespace {

std::vector<std::string> stringArray(const Json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::string stringField(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::vector<ResourceInfo> parseResourceList(const Json& list, const GroupVersion& gv) {
  std::vector<ResourceInfo> out;
  std::map<std::string, std::vector<std::string>> subresources;
  auto resources = list.find("resources");
  if (resources == list.end() || !resources->is_array()) return out;
  for (const auto& r : *resources) {
    if (!r.is_object()) continue;
    std::string name = stringField(r, "name");
    if (name.empty()) continue;
    if (auto slash = name.find('/'); slash != std::string::npos) {
      subresources[name.substr(0, slash)].push_back(name.substr(slash + 1));
      continue;
    }
    ResourceInfo info;
    info.gvr = {gv.group, gv.version, name};
    info.kind = stringField(r, "kind");
    info.singularName = stringField(r, "singularName");
    auto ns = r.find("namespaced");
    info.namespaced = ns != r.end() && ns->is_boolean() && ns->get<bool>();
    info.verbs = stringArray(r, "verbs");
    info.shortNames = stringArray(r, "shortNames");
    info.categories = stringArray(r, "categories");
    out.push_back(std::move(info));
  }
  for (auto& info : out) {
    if (auto it = subresources.find(info.gvr.resource); it != subresources.end()) {
      info.subresources = it->second;
    }
  }
  return out;
}

StatusOr<ResourceInfo> DiscoveryCache::resourceFor(const GroupVersionKind& gvk) {
  auto matches = [&](const ResourceInfo& r) {
    return r.kind == gvk.kind && r.gvr.group == gvk.group && r.gvr.version == gvk.version;
  };
  for (bool refresh : {false, true}) {
    ASSIGN_OR_RETURN(SnapshotPtr snap, snapshot(refresh));
    auto it = std::find_if(snap->resources.begin(), snap->resources.end(), matches);
    if (it != snap->resources.end()) return *it;
  }
  return notFoundError("the server doesn't have a resource type for kind " + gvk.toString());
}

StatusOr<std::vector<ResourceInfo>> DiscoveryCache::serverResources() {
  ASSIGN_OR_RETURN(SnapshotPtr snap, snapshot(false));
  std::vector<ResourceInfo> out;
  for (const auto& r : snap->resources) {
    if (std::find(snap->preferred.begin(), snap->preferred.end(), r.gvr.groupVersion()) !=
        snap->preferred.end()) {
      out.push_back(r);
    }
  }
  return out;
}

void DiscoveryCache::invalidate() {
  std::lock_guard lock(mu_);
  cached_.reset();
}

StatusOr<DiscoveryCache::SnapshotPtr> DiscoveryCache::snapshot(bool refresh) {
  SnapshotPtr seen;
  {
    std::lock_guard lock(mu_);
    if (cached_ && !refresh) return cached_;
    seen = cached_;
  }
  std::lock_guard load_lock(load_mu_);
  {
    // Another caller may have refreshed while we waited for load_mu_.
    std::lock_guard lock(mu_);
    if (cached_ && cached_ != seen) return cached_;
  }
  ASSIGN_OR_RETURN(SnapshotPtr fresh, load());
  std::lock_guard lock(mu_);
  cached_ = fresh;
  return fresh;
}

StatusOr<DiscoveryCache::SnapshotPtr> DiscoveryCache::load() {
  auto snap = std::make_shared<Snapshot>();
  std::vector<GroupVersion> all;

  ASSIGN_OR_RETURN(Json core, fetch_("/api"));
  std::vector<std::string> core_versions = stringArray(core, "versions");
  for (const auto& v : core_versions) all.push_back({"", v});
  if (!core_versions.empty()) snap->preferred.push_back({"", core_versions.front()});

  ASSIGN_OR_RETURN(Json groups, fetch_("/apis"));
  if (auto it = groups.find("groups"); it != groups.end() && it->is_array()) {
    for (const auto& g : *it) {
      std::string name = stringField(g, "name");
      std::size_t first_of_group = all.size();
      if (auto versions = g.find("versions"); versions != g.end() && versions->is_array()) {
        for (const auto& v : *versions) all.push_back({name, stringField(v, "version")});
      }
      std::string preferred;
      if (auto pref = g.find("preferredVersion"); pref != g.end() && pref->is_object()) {
        preferred = stringField(*pref, "version");
      }
      // Without a preferredVersion, the server's first listed version is the preferred one.
      if (preferred.empty() && all.size() > first_of_group) {
        preferred = all[first_of_group].version;
      }
      if (!preferred.empty()) snap->preferred.push_back({name, preferred});
    }
  }

  for (const auto& gv : all) {
    if (gv.version.empty()) continue;
    std::string path =
        gv.group.empty() ? "/api/" + gv.version : "/apis/" + gv.group + "/" + gv.version;
    auto list = fetch_(path);
    if (!list.isOk()) continue;  // an unavailable aggregated API must not hide the rest
    auto parsed = parseResourceList(*list, gv);
    snap->resources.insert(snap->resources.end(), std::make_move_iterator(parsed.begin()),
                           std::make_move_iterator(parsed.end()));
  }
  return SnapshotPtr(std::move(snap));
}

}  // namespace serin::kube::internal
