// WorkQueue: the queue of object keys between informer events and reconcile workers.
//
// Controllers must never reconcile one object on two workers at once, must collapse a burst of
// events for an object into one reconcile, and must retry failures with a growing delay. This
// queue gives client-go's semantics for that:
//   - add() dedupes: a key waiting in the queue is queued once however often it is added;
//   - a key being processed (handed out by get(), not yet done()) that is added again is not
//     handed to a second worker; it is queued again when done() is called;
//   - addAfter() queues a key once a delay has passed on the injected Clock;
//   - addRateLimited() queues a key after a per-key exponential backoff (base delay doubling on
//     each failure, capped; client-go's defaults 5ms and 1000s); forget() resets the backoff.
// Keys are strings ("namespace/name").
//
// Threading: every method may be called from any thread. get() blocks until a key is
// available or the queue is shut down. The queue owns one background thread that moves
// delayed keys into the queue when their time comes (it sleeps on the Clock).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "serin/util/clock.h"

namespace serin::runtime {

// Metrics hooks. Called with the queue's lock held: implementations must be cheap, must not
// block and must not call back into the queue. Durations are in seconds of the queue's Clock.
class WorkQueueObserver {
 public:
  virtual ~WorkQueueObserver() = default;
  virtual void depth(std::size_t /*items*/) {}
  virtual void added() {}
  virtual void queueLatency(double /*seconds*/) {}  // from add to get
  virtual void workDuration(double /*seconds*/) {}  // from get to done
  virtual void retried() {}                         // every addRateLimited
};

struct WorkQueueOptions {
  std::string name;              // for metrics and logs
  util::Clock* clock = nullptr;  // default: the real clock; not owned
  util::Clock::Duration baseDelay = std::chrono::milliseconds(5);
  util::Clock::Duration maxDelay = std::chrono::seconds(1000);
  std::shared_ptr<WorkQueueObserver> observer;  // optional
};

class WorkQueue {
 public:
  explicit WorkQueue(WorkQueueOptions options = {});
  // Shuts down (without draining) and joins the delay thread.
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues `key` unless it is already queued; ignored after shutdown.
  void add(const std::string& key);
  // Queues `key` once `delay` has passed (at once when delay <= 0). A key already waiting
  // keeps the earlier of its two deadlines.
  void addAfter(const std::string& key, util::Clock::Duration delay);
  // addAfter(key, when(key)) and counts a retry.
  void addRateLimited(const std::string& key);
  // The backoff addRateLimited would use next (and records the failure).
  util::Clock::Duration when(const std::string& key);
  // Stops tracking failures of `key`: its next backoff starts at the base delay again.
  void forget(const std::string& key);
  // Failures recorded for `key` since the last forget().
  int numRequeues(const std::string& key) const;

  // Blocks until a key is available and hands it out, marking it as being processed; the
  // caller must call done(key) when finished. std::nullopt once shut down and empty.
  std::optional<std::string> get();
  // Ends processing of `key`; a key re-added meanwhile is queued now.
  void done(const std::string& key);

  // Keys queued (ready, not delayed and not being processed).
  std::size_t len() const;
  // Stops accepting keys and wakes blocked getters; keys already queued are still handed out.
  void shutDown();
  // shutDown(), then blocks until every key being processed is done().
  void shutDownWithDrain();
  bool shuttingDown() const;

 private:
  struct Delayed {
    util::Clock::TimePoint ready_at;
    uint64_t seq;
    std::string key;
    bool operator>(const Delayed& other) const {
      return ready_at != other.ready_at ? ready_at > other.ready_at : seq > other.seq;
    }
  };

  void addLocked(const std::string& key);
  void publishDepthLocked();
  void delayLoop(std::stop_token stop);
  void moveReadyLocked();

  WorkQueueOptions options_;
  util::Clock& clock_;

  mutable std::mutex mu_;
  std::condition_variable cv_;            // getters and drain
  std::condition_variable_any delay_cv_;  // the delay thread waits for work here
  std::deque<std::string> queue_;
  std::unordered_set<std::string> dirty_;       // queued, or to be re-queued at done()
  std::unordered_set<std::string> processing_;  // handed out, not done
  std::unordered_map<std::string, util::Clock::TimePoint> added_at_;
  std::unordered_map<std::string, util::Clock::TimePoint> started_at_;
  std::priority_queue<Delayed, std::vector<Delayed>, std::greater<>> delayed_;
  std::unordered_map<std::string, util::Clock::TimePoint> delayed_ready_;  // earliest per key
  std::unordered_map<std::string, int> failures_;
  uint64_t delayed_seq_ = 0;
  std::optional<util::Clock::TimePoint> sleeping_until_;
  std::stop_source wake_delay_;  // interrupts the delay thread's clock sleep
  bool shutting_down_ = false;

  std::jthread delay_thread_;  // last: started after everything above exists
};

}  // namespace serin::runtime
