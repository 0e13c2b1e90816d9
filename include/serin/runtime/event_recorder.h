// EventRecorder: Kubernetes Events (core/v1) about the objects Serin manages.
//
// Users learn what a controller did from `kubectl describe` ("RolloutPaused", "ScalingReplicaSet",
// "AnalysisRunFailed"). Recording must never slow a reconcile or fail it, and a controller that
// repeats itself every few seconds must not flood etcd. So, as client-go's recorder does:
//   - event() only enqueues into a bounded queue and returns at once; a sender thread writes
//     the Events; when the queue is full the event is dropped and counted;
//   - repeats of the same (involved object, reason, message, type) are aggregated: the first
//     creates an Event, the next ones patch its count and lastTimestamp instead of creating
//     new objects (a local cache, bounded, remembers which Event to patch);
//   - API errors are logged and the event is dropped: events are best effort.
//
// Secrets: messages are stored in the cluster and visible to anyone who can read Events. Callers
// must never put secret values (tokens, passwords, credentials, query strings with keys) in a
// reason or message; the recorder cannot tell and does not scrub.
//
// Threading: event()/normal()/warning() may be called from any thread and never block on the
// API. The destructor stops accepting events, sends what is queued and joins the sender.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "serin/kube/client.h"
#include "serin/util/clock.h"

namespace serin::runtime {

enum class EventType { kNormal, kWarning };

struct EventRecorderOptions {
  std::string component;          // source.component and reportingComponent, e.g. "serin"
  std::string host;               // source.host (optional)
  std::string reportingInstance;  // e.g. the pod name (optional)
  std::size_t queueCapacity = 1000;
  std::size_t aggregationCacheSize = 4096;  // distinct events remembered for aggregation
  util::Clock* clock = nullptr;             // default: the real clock; not owned
  std::function<void()> onDropped;          // e.g. increments serin_events_dropped_total
};

class EventRecorder {
 public:
  // `client` must outlive the recorder.
  EventRecorder(kube::Client& client, EventRecorderOptions options);
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // Queues an event about `involved` (copied: only its reference fields are kept).
  void event(const kube::Object& involved, EventType type, std::string_view reason,
             std::string_view message);
  void normal(const kube::Object& involved, std::string_view reason, std::string_view message) {
    event(involved, EventType::kNormal, reason, message);
  }
  void warning(const kube::Object& involved, std::string_view reason, std::string_view message) {
    event(involved, EventType::kWarning, reason, message);
  }

  // Blocks (real time, up to `timeout`) until every queued event was sent; true when idle.
  bool flush(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Events dropped because the queue was full.
  uint64_t dropped() const;

 private:
  struct Pending {
    kube::Json involved;  // an ObjectReference
    std::string ns;       // where the Event lives
    std::string involvedName;
    EventType type;
    std::string reason;
    std::string message;
    util::Clock::TimePoint at;
  };
  struct Aggregate {
    std::string eventName;
    int64_t count = 0;
  };

  void senderLoop(std::stop_token stop);
  void send(const Pending& p);
  Status create(const Pending& p, const std::string& cache_key);
  kube::Object eventObject(const Pending& p, const std::string& name) const;

  kube::Client& client_;
  EventRecorderOptions options_;
  util::Clock& clock_;

  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::deque<Pending> queue_;
  bool sending_ = false;
  uint64_t dropped_ = 0;
  uint64_t name_seq_ = 0;
  std::map<std::string, Aggregate> aggregates_;  // sender thread only

  std::jthread sender_;  // last: started once everything above exists
};

}  // namespace serin::runtime
