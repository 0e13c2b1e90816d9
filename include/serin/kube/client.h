// kube::Client: the Kubernetes API as every Serin controller sees it.
//
// One implementation speaks HTTP(S) to a real API server (newHttpClient, libcurl underneath);
// the embedded control plane is reached through the same implementation, never in-process.
// Unit tests of one class may substitute a fake.
//
// Addressing: resources are named by GroupVersionResource plus namespace and name. An empty
// namespace addresses a cluster-scoped object, or all namespaces for list/watch of a
// namespaced resource. resourceFor() maps a kind to its resource through discovery.
//
// Errors: API failures come back as Status with the code mapped from the HTTP status (404
// NotFound, 409 Conflict or AlreadyExists, 410 Gone, 401, 403, 422 Invalid, 429, 5xx
// Unavailable) and the server's message; Status::reason() keeps the server's reason string.
//
// Thread-safety: every method may be called concurrently from any thread. Calls block the
// calling thread; watch() blocks until the stream ends or `stop` is requested.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "serin/kube/config.h"
#include "serin/kube/object.h"
#include "serin/util/status.h"

namespace serin::kube {

struct ResourceRef {
  GroupVersionResource gvr;
  std::string ns;  // empty for cluster-scoped
  std::string name;
  std::string subresource;  // "", "status", "scale", "log", ...
};

// One entry of an APIResourceList, as discovery reports it.
struct ResourceInfo {
  GroupVersionResource gvr;
  std::string kind;
  std::string singularName;
  bool namespaced = false;
  std::vector<std::string> verbs;
  std::vector<std::string> shortNames;
  std::vector<std::string> categories;
  std::vector<std::string> subresources;  // "status", "scale", ...
};

struct GetOptions {
  std::string resourceVersion;  // "" = most recent (quorum read); "0" = any cached
};

struct ListOptions {
  std::string labelSelector;
  std::string fieldSelector;
  int64_t limit = 0;          // 0 = no paging
  std::string continueToken;  // from ObjectList::continueToken
  std::string resourceVersion;
  std::string resourceVersionMatch;  // "", "Exact", "NotOlderThan"
  // For watch only.
  bool allowWatchBookmarks = true;
  std::optional<int> timeoutSeconds;
};

struct WriteOptions {
  bool dryRun = false;          // dryRun=All
  std::string fieldManager;     // default "serin"
  std::string fieldValidation;  // "", "Strict", "Warn", "Ignore"
};

enum class PatchType {
  kMerge,      // application/merge-patch+json (RFC 7386)
  kJson,       // application/json-patch+json (RFC 6902)
  kStrategic,  // application/strategic-merge-patch+json
  kApply,      // application/apply-patch+yaml (server-side apply)
};

struct PatchOptions : WriteOptions {
  bool force = false;  // server-side apply: take ownership of conflicting fields
};

struct DeleteOptions {
  std::optional<std::string> propagationPolicy;  // Foreground, Background, Orphan
  std::optional<std::string> preconditionUid;
  std::optional<std::string> preconditionResourceVersion;
  std::optional<int64_t> gracePeriodSeconds;
  bool dryRun = false;
};

struct ObjectList {
  std::string apiVersion;  // of the list, e.g. "v1"
  std::string kind;        // e.g. "PodList"
  std::vector<Object> items;
  std::string resourceVersion;
  std::string continueToken;
  std::optional<int64_t> remainingItemCount;
};

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };
std::string_view watchEventTypeName(WatchEventType t);

struct WatchEvent {
  WatchEventType type;
  Object object;  // for kError, the Status object the server sent
};

// Called for each event of a watch stream, on the thread that called watch(). Return false
// to end the watch.
using WatchHandler = std::function<bool(WatchEvent&&)>;

// Free-form request for endpoints that are not resources (/version, /livez, pod logs).
struct RawRequest {
  std::string method = "GET";
  std::string path;  // with query string
  std::string body;
  std::string contentType;
  std::string accept;
};
struct RawResponse {
  long status = 0;
  std::string body;
  std::string contentType;
};

class Client {
 public:
  virtual ~Client() = default;

  virtual StatusOr<Object> get(const ResourceRef& ref, const GetOptions& options = {}) = 0;

  // One page (or everything when options.limit is 0).
  virtual StatusOr<ObjectList> list(const GroupVersionResource& gvr, std::string_view ns,
                                    const ListOptions& options = {}) = 0;

  // Creates `object` (name or generateName set). The namespace is `ns` when given, else the
  // object's own.
  virtual StatusOr<Object> create(const GroupVersionResource& gvr, std::string_view ns,
                                  const Object& object, const WriteOptions& options = {}) = 0;

  // PUT; ref.subresource "status" or "scale" writes that subresource. A stale
  // metadata.resourceVersion fails with Conflict.
  virtual StatusOr<Object> update(const ResourceRef& ref, const Object& object,
                                  const WriteOptions& options = {}) = 0;

  // PATCH with the given body (JSON, or YAML/JSON for kApply).
  virtual StatusOr<Object> patch(const ResourceRef& ref, PatchType type, std::string_view body,
                                 const PatchOptions& options = {}) = 0;

  // DELETE. Returns the object when it still exists afterwards (finalizers, foreground
  // deletion), else the Status object the server answered with.
  virtual StatusOr<Object> remove(const ResourceRef& ref, const DeleteOptions& options = {}) = 0;

  // DELETE on a collection with label/field selectors.
  virtual Status removeCollection(const GroupVersionResource& gvr, std::string_view ns,
                                  const ListOptions& selectors,
                                  const DeleteOptions& options = {}) = 0;

  // One watch stream from options.resourceVersion. Returns OK when the server closed the
  // stream or the handler returned false, Cancelled when `stop` fired, Gone when the
  // resourceVersion is too old (relist), or the transport error. Bookmarks are delivered as
  // kBookmark events. Memory is bounded by the largest single event, not the stream.
  virtual Status watch(const GroupVersionResource& gvr, std::string_view ns,
                       const ListOptions& options, const WatchHandler& handler,
                       std::stop_token stop) = 0;

  // Discovery: kind -> resource. Cached; a miss refreshes the cache once before NotFound.
  virtual StatusOr<ResourceInfo> resourceFor(const GroupVersionKind& gvk) = 0;
  // Every resource the server serves (top-level resources only, not subresources).
  virtual StatusOr<std::vector<ResourceInfo>> serverResources() = 0;
  // Drops the discovery cache (after a CRD is installed, say).
  virtual void invalidateDiscovery() = 0;

  virtual StatusOr<RawResponse> raw(const RawRequest& request) = 0;

  // The config the client was built from (server, default namespace).
  virtual const RestConfig& config() const = 0;
};

struct ClientOptions {
  util::Clock* clock = nullptr;  // default: realClock()
  int maxRetries = 5;            // for 429 and 5xx on idempotent calls
  std::chrono::milliseconds initialBackoff{200};
  std::chrono::milliseconds maxBackoff{10'000};
};

// The HTTP implementation. Fails only on unusable TLS material in the config.
StatusOr<std::unique_ptr<Client>> newHttpClient(const RestConfig& config,
                                                const ClientOptions& options = {});

// Observes every API request the HTTP client makes (the runtime counts them in metrics).
// Called on the requesting thread after each response; must be cheap and thread-safe.
using RequestObserver = std::function<void(std::string_view verb, long httpStatus, double seconds)>;
void setGlobalRequestObserver(RequestObserver observer);

// Convenience over a client: resolve the object's kind, then create/update/get it.
StatusOr<ResourceRef> refFor(Client& client, const Object& object);

}  // namespace serin::kube
