// DiscoveryCache: kind -> resource mapping from the API server's discovery documents.
//
// Reads /api, /api/v1 (and other core versions), /apis and /apis/<group>/<version> through
// an injected fetch function (the HTTP client's GET), so this class knows nothing about
// transport. The result is cached until invalidate(); resourceFor() refreshes once on a miss
// so a freshly installed CRD is found. Group versions that fail to load (an aggregated API
// that is down) are skipped, as kubectl does, rather than failing discovery as a whole.
// Private to src/kube.
//
// Thread-safety: all methods may be called concurrently; one refresh runs at a time.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "serin/kube/client.h"

namespace serin::kube::internal {

class DiscoveryCache {
 public:
  using Fetch = std::function<StatusOr<Json>(const std::string& path)>;
  explicit DiscoveryCache(Fetch fetch) : fetch_(std::move(fetch)) {}

  StatusOr<ResourceInfo> resourceFor(const GroupVersionKind& gvk);
  // Top-level resources of each group's preferred version.
  StatusOr<std::vector<ResourceInfo>> serverResources();
  void invalidate();

 private:
  struct Snapshot {
    std::vector<ResourceInfo> resources;  // every served version, top-level only
    std::vector<GroupVersion> preferred;
  };
  using SnapshotPtr = std::shared_ptr<const Snapshot>;

  // The cached snapshot, loading it when absent or when `refresh` is set.
  StatusOr<SnapshotPtr> snapshot(bool refresh);
  StatusOr<SnapshotPtr> load();

  Fetch fetch_;
  std::mutex load_mu_;  // serialises loads
  std::mutex mu_;
  SnapshotPtr cached_;  // guarded by mu_
};

// Parses an APIResourceList; subresources ("deployments/status") are attached to their
// resource instead of being listed. Exposed for tests.
std::vector<ResourceInfo> parseResourceList(const Json& list, const GroupVersion& gv);

}  // namespace serin::kube::internal
