// Watch fan-out for the store: a ring of recent events shared by all watchers, a registry of
// live watchers indexed by resource, and each watcher's bounded queue.
//
// Private to src/cluster. The committer publishes each committed batch once; the hub appends
// the immutable events to the ring and pushes pointers (never copies) into the queues of the
// watchers whose resource and namespace match. A watcher whose queue is full is terminated
// instead of blocking the committer. A watcher that starts before the ring reads the missing
// history from SQLite on its own thread (HistorySource) until the ring covers it, then attaches.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "serin/cluster/store.h"

namespace serin::cluster {

namespace detail {

class WatchHub;

// Events persisted in the history table, for watchers that start behind the ring.
struct HistoryPage {
  std::vector<EventPtr> events;  // matching events, in revision order
  int64_t scanned_to = 0;        // every matching event up to here is in `events`
};

class HistorySource {
 public:
  virtual ~HistorySource() = default;
  // Up to `max` events of (resource, ns) after `after`. Gone when `after` was compacted;
  // Cancelled once the store closed.
  virtual StatusOr<HistoryPage> readHistory(const std::string& resource, const std::string& ns,
                                            int64_t after, std::size_t max) = 0;
  virtual WatchHub& hub() = 0;
};

}  // namespace detail

class Watch::Impl : public std::enable_shared_from_this<Watch::Impl> {
 public:
  Impl(std::shared_ptr<detail::HistorySource> source, WatchOptions options, std::size_t capacity,
       int64_t start);

  const std::string& resource() const { return options_.resource; }
  bool matches(const Event& event) const {
    return options_.ns.empty() || event.key.ns == options_.ns;
  }

  // Called by the hub with its lock held. False when the queue is full: the watcher is then
  // ended (Unavailable) and must be dropped from the registry.
  bool push(const EventPtr& event);
  // The ring's backlog at attach time, beyond the capacity (bounded by the ring).
  void pushInitial(const EventPtr& event);
  bool ended();
  // Ends the stream with `status` after the queued events; wakes next().
  void end(Status status);

  StatusOr<EventPtr> next(std::chrono::milliseconds timeout);
  int64_t progressRevision() const { return progress_.load(std::memory_order_acquire); }
  void cancel();

 private:
  // Loads history or attaches to the hub; consumer thread only.
  Status catchUp();
  // The event this watcher reports for `event` (predicate transitions), or nullptr to skip.
  EventPtr convert(const EventPtr& event) const;
  void advanceProgress(int64_t revision);

  std::shared_ptr<detail::HistorySource> source_;
  const WatchOptions options_;
  const std::size_t capacity_;

  // Consumer-side state (the thread calling next()).
  bool live_ = false;
  int64_t position_;              // every event up to here is in backlog_, queue_ or returned
  int64_t last_returned_;         // drops duplicates between history, ring and live pushes
  std::deque<EventPtr> backlog_;  // read from SQLite while catching up

  std::atomic<int64_t> progress_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<EventPtr> queue_;  // guarded by mu_
  bool ended_ = false;          // guarded by mu_
  Status end_status_;           // guarded by mu_
};

namespace detail {

class WatchHub {
 public:
  explicit WatchHub(std::size_t ring_capacity) : ring_capacity_(ring_capacity) {}

  // Registers `watcher` live if the ring (or nothing having happened since) covers every event
  // after `position`, queueing the ring's events after it. False when history is still needed.
  bool attach(const std::shared_ptr<Watch::Impl>& watcher, int64_t position);
  void detach(const Watch::Impl* watcher);

  // Committer only: a committed batch, in revision order, ending at `revision`.
  void publish(const std::vector<EventPtr>& events, int64_t revision);
  // Ends every watcher with `status` (store closing).
  void closeAll(const Status& status);

  int64_t published() const { return published_.load(std::memory_order_acquire); }
  void setPublished(int64_t revision) { published_.store(revision, std::memory_order_release); }

 private:
  void deliver(const std::vector<EventPtr>& events);

  const std::size_t ring_capacity_;
  std::atomic<int64_t> published_{0};
  std::mutex mu_;
  std::deque<EventPtr> ring_;  // guarded by mu_
  std::unordered_map<std::string, std::vector<std::shared_ptr<Watch::Impl>>>
      watchers_;         // by resource; guarded by mu_
  bool closed_ = false;  // guarded by mu_
};

}  // namespace detail
}  // namespace serin::cluster
