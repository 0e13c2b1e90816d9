// Informer: a local, continuously updated cache of one resource, with change notifications.
//
// Controllers read the objects they reconcile from memory instead of asking the API server on
// every pass, and learn about changes from a watch instead of polling. An Informer lists one
// GroupVersionResource (optionally one namespace and a label/field selector), then watches it
// from the list's resourceVersion, with the resume logic of client-go's reflector:
//   - a stream that ends (server timeout, dropped connection) is resumed from the last
//     resourceVersion seen (events and bookmarks both advance it), without a relist;
//   - Gone (410, the version fell out of the server's window) triggers a relist; objects that
//     vanished are delivered as deletes with `final_state_unknown` set (a tombstone), changed
//     ones as updates, new ones as adds;
//   - other errors back off exponentially on the injected Clock (800ms doubling to 30s, reset
//     after a stream that delivered events) and retry.
// The cache holds std::shared_ptr<const kube::Object>: objects are immutable once cached and
// shared with every reader and handler without copying, which keeps 100,000 objects cheap.
//
// Threading: the informer owns two threads: the reflector (list/watch) and the resync timer.
// Handlers are called on those threads, one at a time and in event order (never concurrently
// with each other for one informer), after the cache reflects the change; they must be quick
// (typically: enqueue a key) and must not call start()/stop(). Cache reads (get, list, byIndex)
// may be called from any thread at any time.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "serin/kube/client.h"
#include "serin/util/clock.h"

namespace serin::runtime {

using ObjectPtr = std::shared_ptr<const kube::Object>;

// Event callbacks; any may be empty. `old_obj` and `new_obj` are the cached versions before and
// after the change (the same pointer on a periodic resync).
struct EventHandler {
  std::function<void(const ObjectPtr& obj)> onAdd;
  std::function<void(const ObjectPtr& old_obj, const ObjectPtr& new_obj)> onUpdate;
  // `final_state_unknown`: the delete was inferred by a relist, `obj` is the last state seen.
  std::function<void(const ObjectPtr& obj, bool final_state_unknown)> onDelete;
};

// Maps an object to the index values it is filed under (none, one or several).
using IndexFunc = std::function<std::vector<std::string>(const kube::Object& obj)>;

// Built-in indexes, always present.
inline constexpr std::string_view kNamespaceIndex = "namespace";  // metadata.namespace
inline constexpr std::string_view kOwnerUidIndex = "owner-uid";   // every ownerReferences[].uid

struct InformerOptions {
  kube::GroupVersionResource gvr;
  std::string ns;  // empty: all namespaces (or a cluster-scoped resource)
  std::string labelSelector;
  std::string fieldSelector;
  util::Clock::Duration resyncPeriod{0};  // 0: never resync
  util::Clock* clock = nullptr;           // default: the real clock; not owned
  util::Clock::Duration initialBackoff = std::chrono::milliseconds(800);
  util::Clock::Duration maxBackoff = std::chrono::seconds(30);
  std::optional<int> watchTimeoutSeconds;  // asks the server to end streams after this long
};

class Informer {
 public:
  // `client` must outlive the informer.
  Informer(kube::Client& client, InformerOptions options);
  // Stops and joins the threads.
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Adds an index. Before start() only; AlreadyExists for a duplicate name, FailedPrecondition
  // once started.
  Status addIndexer(const std::string& name, IndexFunc func);
  // Registers handlers. Added after the informer started, the handler first receives onAdd
  // for every object already cached (on the calling thread, serialized with other events).
  void addEventHandler(EventHandler handler);

  // Starts the reflector and resync threads; idempotent.
  void start();
  // Stops and joins the threads; idempotent. The cache keeps its contents.
  void stop();

  // True once the first list was stored and its onAdd calls were delivered.
  bool hasSynced() const;
  // Blocks until hasSynced() or `stop` is requested; returns hasSynced().
  bool waitForCacheSync(std::stop_token stop) const;

  // Cache reads: any thread, never block on the API.
  ObjectPtr get(const std::string& key) const;  // nullptr when absent
  std::vector<ObjectPtr> list() const;
  std::vector<ObjectPtr> byIndex(std::string_view index, std::string_view value) const;
  std::size_t size() const;
  // The last resourceVersion the cache reflects (from a list, an event or a bookmark).
  std::string lastResourceVersion() const;

  const InformerOptions& options() const { return options_; }

  // Applies one change to the cache and notifies handlers, as the reflector does. Exposed for
  // benchmarks and tests of consumers; not for production use alongside a running reflector.
  void applyEvent(kube::WatchEventType type, kube::Object object);

 private:
  // Index name -> value -> keys; keys view the strings owned by items_ (node-stable).
  using IndexValues = std::unordered_map<std::string, std::unordered_set<std::string_view>>;

  void runReflector(std::stop_token stop);
  void runResync(std::stop_token stop);
  Status listAndReplace(std::stop_token stop);
  Status watchOnce(std::stop_token stop, bool& progressed);
  bool handleWatchEvent(kube::WatchEvent&& event, Status& stream_error, bool& progressed);
  void replaceAll(std::vector<kube::Object> items, std::string resource_version);
  // Stores/removes under store_mu_; returns the previous object (nullptr when none).
  ObjectPtr storeLocked(const std::string& key, ObjectPtr obj);
  ObjectPtr eraseLocked(const std::string& key);
  void indexLocked(const std::string& key, const kube::Object& obj, bool insert);
  void dispatchAdd(const ObjectPtr& obj);
  void dispatchUpdate(const ObjectPtr& old_obj, const ObjectPtr& new_obj);
  void dispatchDelete(const ObjectPtr& obj, bool final_state_unknown);

  kube::Client& client_;
  InformerOptions options_;
  util::Clock& clock_;

  mutable std::mutex store_mu_;  // guards the cache, indexes, synced_ and last_rv_
  mutable std::condition_variable_any synced_cv_;
  std::unordered_map<std::string, ObjectPtr> items_;
  std::map<std::string, IndexFunc, std::less<>> index_funcs_;
  std::map<std::string, IndexValues, std::less<>> indexes_;
  bool synced_ = false;
  std::string last_rv_;

  std::mutex dispatch_mu_;  // serializes handler calls; taken before store_mu_ when both
  std::vector<EventHandler> handlers_;

  std::mutex lifecycle_mu_;
  bool started_ = false;
  std::jthread reflector_;
  std::jthread resync_;
};

// Hands out one Informer per (GVR, namespace), so controllers that watch the same resource
// share one cache and one watch. Informers requested after start() are started at once.
// Thread-safety: every method may be called from any thread.
class SharedInformerFactory {
 public:
  struct Options {
    util::Clock* clock = nullptr;
    util::Clock::Duration defaultResync{0};
    std::string labelSelector;  // applied to every informer (e.g. managed-by filters)
  };
  SharedInformerFactory(kube::Client& client, Options options);
  explicit SharedInformerFactory(kube::Client& client) : SharedInformerFactory(client, Options{}) {}
  ~SharedInformerFactory();

  // The informer for (gvr, ns), created on first use. The factory owns it; the pointer stays
  // valid until the factory is destroyed.
  Informer& informerFor(const kube::GroupVersionResource& gvr, const std::string& ns = {});
  void start();
  void stop();
  // Blocks until every informer handed out so far has synced, or `stop` is requested.
  bool waitForCacheSync(std::stop_token stop);

 private:
  kube::Client& client_;
  Options options_;
  std::mutex mu_;
  bool started_ = false;
  std::map<std::pair<kube::GroupVersionResource, std::string>, std::unique_ptr<Informer>>
      informers_;
};

}  // namespace serin::runtime
