// Store: the durable, watchable object storage behind the embedded API server.
//
// kube-apiserver keeps objects in etcd under /registry/<resource>/<namespace>/<name>, versions
// every write with one global revision that clients see as metadata.resourceVersion, serves
// consistent paged lists at a revision and streams changes after a revision to watchers. Store
// gives the REST handlers the same contract on one machine, on SQLite (DIR/state.db):
//
// - Revisions: one int64 counter for all resources, strictly increasing by one per successful
//   write, stamped as a decimal string into metadata.resourceVersion of the stored object, and
//   monotonic across restarts. currentRevision() is the newest write visible to readers.
// - Durability: a call that returns OK has been committed with fsync (SQLite WAL,
//   synchronous=FULL), so it survives kill -9 and power loss. Concurrent writers are batched
//   into one transaction by a single committer thread (group commit); each caller is answered
//   only after its batch is durable. A failed write consumes no revision.
// - History: every write also appends an event to a persisted history window (bounded by a
//   number of events and an age). Watches and paged lists can go back to any revision inside
//   the window, also after a restart; older revisions answer Gone (HTTP 410).
// - Memory: objects live in SQLite, not in memory. Memory holds a bounded ring of recent events
//   (shared by every watcher, never copied per watcher), bounded watcher queues, per-resource
//   counts and SQLite's bounded page caches.
//
// Thread-safety: every method of Store and Watch may be called concurrently from any thread.
// Errors are returned as Status; no exception escapes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "serin/kube/object.h"
#include "serin/util/clock.h"
#include "serin/util/status.h"

namespace serin::cluster {

// Where an object lives: kube-apiserver's registry path without the "/registry" root.
struct ObjectKey {
  std::string resource;  // "group/resource": "core/pods", "apps/deployments"
  std::string ns;        // empty for cluster-scoped objects
  std::string name;

  // "apps/deployments/default/web" (cluster-scoped: "core/nodes//n1"); for messages and logs.
  std::string toString() const;
  friend auto operator<=>(const ObjectKey&, const ObjectKey&) = default;
};

enum class EventType { kAdded, kModified, kDeleted };

// "ADDED", "MODIFIED", "DELETED": the watch wire names.
std::string_view eventTypeName(EventType type);

// One committed change. Immutable and shared by every watcher that receives it.
struct Event {
  EventType type = EventType::kAdded;
  int64_t revision = 0;
  ObjectKey key;
  // The object after the change; for DELETED its last state, with the deletion's revision as
  // resourceVersion (as kube-apiserver reports deletions).
  std::shared_ptr<const kube::Object> object;
  // object->dump(): the compact JSON, serialised once for every watcher's wire format.
  std::string json;
  // The stored JSON before the change; empty for ADDED. Lets a filtered watcher tell an object
  // that stopped matching (reported as DELETED) from one that never matched.
  std::string prev_json;
  // When the change became durable (steady clock; unset for events read back from disk): the
  // start of the commit-to-delivery latency a server reports as a metric.
  std::chrono::steady_clock::time_point committed_at{};
};
using EventPtr = std::shared_ptr<const Event>;

// Decides whether an object is of interest (label/field selectors). Called on the thread that
// runs List or Watch::next, never under a Store lock; must not call back into the Store.
using ObjectPredicate = std::function<bool(const kube::Object&)>;

struct StoreOptions {
  std::filesystem::path dir;     // created if missing; holds state.db (+ -wal, -shm) and a lock
  util::Clock* clock = nullptr;  // stamps history ages; nullptr means util::realClock()

  // History window: events older than either bound are compacted (deleted) and a watch or a
  // continue token from before the window answers Gone. 0 disables a bound.
  int64_t history_max_events = 100'000;
  std::chrono::seconds history_max_age{15 * 60};
  // How often the committer applies the window when writes arrive (it never runs on its own
  // timer for a quiet store, so an idle store keeps its history).
  std::chrono::milliseconds compaction_interval{1000};

  // Recent events kept in memory: watchers that start inside it never touch the disk.
  std::size_t event_ring_capacity = 4096;
  // Events queued for one watcher before it is terminated as too slow.
  std::size_t watch_queue_capacity = 1024;
  // Upper bound of operations committed in one transaction.
  std::size_t max_batch = 512;
  // Pooled read connections (reads never wait for the committer; SQLite WAL snapshots).
  std::size_t max_readers = 8;
  // SQLite page cache per connection, in KiB: bounds memory whatever the store's size.
  int64_t writer_cache_kib = 16 * 1024;
  int64_t reader_cache_kib = 4 * 1024;
};

struct ListOptions {
  std::string resource;        // required
  std::string ns;              // empty: every namespace (and cluster-scoped objects)
  int64_t limit = 0;           // 0: no limit; else at most `limit` items per page
  std::string continue_token;  // from a previous page; pins the same revision and scope
  // 0: the newest revision. Else list exactly at this revision (Gone when compacted,
  // DeadlineExceeded when newer than the store, as kube-apiserver's "too large" 504).
  int64_t revision = 0;
  ObjectPredicate predicate;  // optional; `limit` counts matching items only
  // Fill ListResult::raw_items (the stored compact JSON) instead of items: a handler that
  // writes the JSON list body as is skips parsing and re-serialising every object.
  bool raw = false;
};

struct ListResult {
  std::vector<kube::Object> items;     // ordered by (namespace, name)
  std::vector<std::string> raw_items;  // the same, as stored JSON, when ListOptions::raw
  int64_t revision = 0;                // the snapshot the page was read at: the list's RV
  std::string continue_token;          // empty when this is the last page
};

// What a write must find in the store (kube's Preconditions). Unset fields are not checked.
struct Preconditions {
  std::optional<int64_t> resource_version;
  std::optional<std::string> uid;
};

// Result of a mutation function for guaranteedUpdate: the new object, or an error that stops
// the update (returned to the caller as is).
using UpdateFunction = std::function<StatusOr<kube::Object>(const kube::Object& current)>;

struct WatchOptions {
  std::string resource;  // required
  std::string ns;        // empty: all namespaces
  // Events strictly after this revision. 0 means "from now": only changes after the call.
  int64_t from_revision = 0;
  ObjectPredicate predicate;  // optional; kube's semantics: see Watch::next
};

// A stream of events for one watcher. Create with Store::watch; destroy (or cancel) to stop.
// Holds no Store lock while the caller processes an event. May outlive the Store: it then ends
// with Cancelled.
class Watch {
 public:
  class Impl;
  explicit Watch(std::shared_ptr<Impl> impl);
  ~Watch();
  Watch(const Watch&) = delete;
  Watch& operator=(const Watch&) = delete;

  // Blocks up to `timeout` (wall time) for the next event, in revision order, with no gaps or
  // duplicates. Returns nullptr on timeout (send a bookmark with progressRevision()). Errors end
  // the stream, after every event queued before them was returned:
  //   Gone        the history the watch still needed was compacted: relist;
  //   Unavailable the watcher fell more than watch_queue_capacity events behind: re-watch
  //               from the last revision received;
  //   Cancelled   cancel() was called or the store closed.
  // With a predicate, as kube-apiserver's watch cache: a change that makes an object stop
  // matching arrives as DELETED (its previous state, with the change's revision), one that
  // makes it start matching as ADDED, and changes of objects that match neither before nor
  // after are skipped. Call from one thread at a time.
  StatusOr<EventPtr> next(std::chrono::milliseconds timeout);

  // A revision R such that every event up to R for this watch has been returned by next():
  // what a bookmark (progress notification) may announce. Never decreases.
  int64_t progressRevision() const;

  // Ends the stream: a blocked or later next() returns Cancelled. Any thread; idempotent.
  void cancel();

 private:
  std::shared_ptr<Impl> impl_;
};

class Store {
 public:
  class Impl;

  // Opens (or creates) the store in options.dir and starts its committer thread. Fails with
  // FailedPrecondition when another process holds the directory or the schema is newer than
  // this binary; Internal for I/O and SQLite errors.
  static StatusOr<std::unique_ptr<Store>> open(StoreOptions options);

  // Waits for queued writes, stops the committer and cancels every watch.
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Stores a new object (its metadata.namespace/name must match the key; any resourceVersion
  // given is replaced). AlreadyExists when the key is taken. Returns the stored object.
  StatusOr<kube::Object> create(const ObjectKey& key, kube::Object object);

  // NotFound when absent.
  StatusOr<kube::Object> get(const ObjectKey& key);

  // One page of a consistent list; see ListOptions. Invalid for a malformed or foreign
  // continue token; Gone when its revision left the history window.
  StatusOr<ListResult> list(const ListOptions& options);

  // Replaces the object. With preconditions.resource_version, Conflict unless it is the stored
  // revision (the caller read a stale object); unconditional otherwise. NotFound when absent.
  StatusOr<kube::Object> update(const ObjectKey& key, kube::Object object,
                                const Preconditions& preconditions = {});

  // Reads the object, applies `fn` and writes the result with the read revision as
  // precondition (fn runs on the calling thread). When that write conflicts, fn runs once more
  // on the committer thread, against the current row inside the write transaction, which cannot
  // conflict: contended updates then cost one batch, not one fsync each. So fn may run twice,
  // must be fast and side-effect free, and must not call the Store. Errors from fn are
  // returned as they are; NotFound when the object is absent.
  StatusOr<kube::Object> guaranteedUpdate(const ObjectKey& key, const UpdateFunction& fn);

  // Removes the object. Conflict when a precondition fails, NotFound when absent. Returns the
  // object's last state with the deletion's revision as resourceVersion.
  StatusOr<kube::Object> remove(const ObjectKey& key, const Preconditions& preconditions = {});

  // Objects stored under `resource` (all namespaces), from memory.
  int64_t count(const std::string& resource) const;

  // The newest revision whose write is visible to reads and watches.
  int64_t currentRevision() const;

  // The oldest revision a watch or list may start from; older ones answer Gone.
  int64_t compactedRevision() const;

  // Starts a watch; see WatchOptions. Gone when from_revision is older than the history
  // window; DeadlineExceeded when it is newer than currentRevision().
  StatusOr<std::unique_ptr<Watch>> watch(WatchOptions options);

  // Drops history up to and including `revision` now (kube's compaction; mainly for tests and
  // admin tools). Clamped to currentRevision(). Durable when it returns OK.
  Status compact(int64_t revision);

 private:
  explicit Store(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace serin::cluster
