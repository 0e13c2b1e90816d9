// FakeClient: an in-memory kube::Client for unit tests of one class.
//
// Controllers, informers, leader election and event recording talk to the API only through
// kube::Client; this fake stores objects per GroupVersionResource keyed by "namespace/name" and
// behaves like an API server where the tests need it to: a monotonically increasing
// resourceVersion shared by all resources, uid and creationTimestamp on create, generateName,
// AlreadyExists/NotFound/Conflict, merge and JSON patches, watches replayed from a kept event
// history (Gone once the history was compacted past the requested version), bookmarks, and
// hooks to inject faults (per-verb errors, dropped watch streams) and count calls.
//
// Selectors and patches use the real implementations (kube/selector.h, kube/patch.h).
// Limits (by design, this is a fake): no paging (limit is ignored), label-selector watches
// filter on the new object only (no synthetic DELETED when an object stops matching),
// server-side apply is Unimplemented, and a main-resource update replaces the whole object
// (status included).
//
// Thread-safety: every method may be called from any thread. watch() blocks the caller until
// the handler returns false, `stop` fires, closeWatches() is called or an injected error ends
// it; handlers run on the watching thread without the fake's lock held.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "serin/kube/client.h"
#include "serin/kube/selector.h"
#include "serin/util/clock.h"

namespace serin::testing {

enum class Verb { kGet, kList, kCreate, kUpdate, kPatch, kDelete, kDeleteCollection, kWatch };

class FakeClient : public kube::Client {
 public:
  // `clock` stamps creationTimestamp; nullptr uses the real clock. Not owned.
  explicit FakeClient(util::Clock* clock = nullptr);
  ~FakeClient() override;

  // kube::Client.
  StatusOr<kube::Object> get(const kube::ResourceRef& ref,
                             const kube::GetOptions& options = {}) override;
  StatusOr<kube::ObjectList> list(const kube::GroupVersionResource& gvr, std::string_view ns,
                                  const kube::ListOptions& options = {}) override;
  StatusOr<kube::Object> create(const kube::GroupVersionResource& gvr, std::string_view ns,
                                const kube::Object& object,
                                const kube::WriteOptions& options = {}) override;
  StatusOr<kube::Object> update(const kube::ResourceRef& ref, const kube::Object& object,
                                const kube::WriteOptions& options = {}) override;
  StatusOr<kube::Object> patch(const kube::ResourceRef& ref, kube::PatchType type,
                               std::string_view body,
                               const kube::PatchOptions& options = {}) override;
  StatusOr<kube::Object> remove(const kube::ResourceRef& ref,
                                const kube::DeleteOptions& options = {}) override;
  Status removeCollection(const kube::GroupVersionResource& gvr, std::string_view ns,
                          const kube::ListOptions& selectors,
                          const kube::DeleteOptions& options = {}) override;
  Status watch(const kube::GroupVersionResource& gvr, std::string_view ns,
               const kube::ListOptions& options, const kube::WatchHandler& handler,
               std::stop_token stop) override;
  StatusOr<kube::ResourceInfo> resourceFor(const kube::GroupVersionKind& gvk) override;
  StatusOr<std::vector<kube::ResourceInfo>> serverResources() override;
  void invalidateDiscovery() override {}
  StatusOr<kube::RawResponse> raw(const kube::RawRequest& request) override;
  const kube::RestConfig& config() const override { return config_; }

  // --- Test hooks ---

  // Registers a kind for discovery and scope (cluster-scoped kinds ignore namespaces).
  // Core kinds used by the runtime (pods, events, leases, ...) are registered up front.
  void registerKind(const kube::ResourceInfo& info);
  // Replaces the whole discovery table.
  void setDiscovery(std::vector<kube::ResourceInfo> resources);

  // The next `times` calls of `verb` fail with `status` (times < 0: until clearErrors()).
  void injectError(Verb verb, Status status, int times = 1);
  void clearErrors();
  // Calls made per verb, failed ones included.
  int calls(Verb verb) const;

  // Ends every open watch stream with OK, as a dropped connection would.
  void closeWatches();
  // Forgets the event history: a watch from any earlier resourceVersion gets Gone.
  void compactHistory();
  // Sends a BOOKMARK carrying the current resourceVersion to watchers of `gvr` that asked
  // for bookmarks.
  void sendBookmark(const kube::GroupVersionResource& gvr);
  // Watches currently blocked in watch().
  int activeWatches() const;
  // Waits (real time, bounded by `timeout`) until at least `n` watches are open.
  bool waitForWatches(int n, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // The resourceVersion each watch() call asked for, in call order.
  std::vector<std::string> watchResourceVersions() const;
  // The latest resourceVersion handed out.
  int64_t resourceVersion() const;

 private:
  struct HistoryEntry {
    uint64_t seq;
    int64_t rv;
    kube::GroupVersionResource gvr;
    kube::WatchEventType type;
    kube::Object object;
  };
  struct InjectedError {
    Status status;
    int remaining;
  };
  using Store = std::map<std::string, kube::Object>;  // key -> object
  struct Filter {
    kube::LabelSelector labels;
    kube::FieldSelector fields;
    bool matches(const kube::Object& obj) const {
      return labels.matches(obj.labels()) && fields.matches(obj);
    }
  };
  static StatusOr<Filter> filterFor(const kube::ListOptions& options);

  Status takeInjectedError(Verb verb);
  bool namespacedLocked(const kube::GroupVersionResource& gvr) const;
  std::string nsFor(const kube::GroupVersionResource& gvr, std::string_view ns) const;
  void recordLocked(const kube::GroupVersionResource& gvr, kube::WatchEventType type,
                    const kube::Object& object);
  int64_t nextRvLocked() { return ++rv_; }
  StatusOr<kube::Object> writeLocked(const kube::ResourceRef& ref, kube::Object object);
  StatusOr<kube::Object> removeLocked(const kube::ResourceRef& ref);
  std::string timestampLocked() const;
  // Collects history entries after `cursor` for this watch; the cursor moves past them.
  std::vector<kube::WatchEvent> pendingLocked(const kube::GroupVersionResource& gvr,
                                              const std::string& ns, const Filter& filter,
                                              bool bookmarks, uint64_t& cursor) const;

  util::Clock* clock_;
  kube::RestConfig config_;

  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::map<kube::GroupVersionResource, Store> stores_;
  std::vector<kube::ResourceInfo> discovery_;
  std::map<Verb, InjectedError> errors_;
  std::map<Verb, int> calls_;
  std::deque<HistoryEntry> history_;
  uint64_t next_seq_ = 1;
  int64_t rv_ = 1000;
  int64_t compacted_rv_ = 0;  // watches from an older resourceVersion get Gone
  uint64_t uid_counter_ = 0;
  uint64_t watch_generation_ = 0;  // bumped by closeWatches()
  int active_watches_ = 0;
  std::vector<std::string> watch_rvs_;
};

}  // namespace serin::testing
