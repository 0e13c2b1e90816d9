// Controller: N worker threads draining a WorkQueue into a Reconciler.
//
// Every Serin controller (rollouts, analysis runs, applications) has the same loop: informer
// events enqueue object keys, workers take keys off the queue and call reconcile(key), and the
// outcome decides what happens to the key next (controller-runtime's rules):
//   - an error Status is logged, counted and retried with the queue's per-key backoff;
//   - Result{requeueAfter > 0} forgets the backoff and schedules the key after that delay;
//   - Result{requeue = true} retries with backoff without counting an error;
//   - success forgets the key's backoff.
// A reconciler that throws is contained: the exception becomes an Internal error (logged,
// counted, retried). Exceptions are not Serin's error model, but one must not kill the process.
// The queue guarantees a key is never reconciled by two workers at the same time.
//
// Threading: reconcile() is called on the controller's worker threads, concurrently for
// different keys. start()/stop() from the owning thread; enqueue*() and the event-handler
// helpers from any thread (typically an informer's).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "serin/runtime/informer.h"
#include "serin/runtime/work_queue.h"
#include "serin/util/clock.h"
#include "serin/util/status.h"

namespace serin::runtime {

struct Result {
  bool requeue = false;
  util::Clock::Duration requeueAfter{0};
};

class Reconciler {
 public:
  virtual ~Reconciler() = default;
  // Brings the object named by `key` ("namespace/name") towards its desired state. Called on
  // a worker thread; may block on the API. Never called concurrently for the same key.
  virtual StatusOr<Result> reconcile(const std::string& key) = 0;
};

// Metrics hooks for reconciles; `result` is "success", "error", "requeue" or "requeue_after"
// (controller-runtime's labels). Called on worker threads: must be thread-safe and cheap.
class ControllerObserver {
 public:
  virtual ~ControllerObserver() = default;
  virtual void reconciled(const std::string& /*result*/, double /*seconds*/) {}
  virtual void reconcileError() {}
};

struct ControllerOptions {
  std::string name;  // for logs and metrics, e.g. "rollout"
  int workers = 1;
  util::Clock* clock = nullptr;  // default: the real clock; not owned
  util::Clock::Duration baseDelay = std::chrono::milliseconds(5);
  util::Clock::Duration maxDelay = std::chrono::seconds(1000);
  std::shared_ptr<ControllerObserver> observer;      // optional
  std::shared_ptr<WorkQueueObserver> queueObserver;  // optional
};

class Controller {
 public:
  // `reconciler` must outlive the controller.
  Controller(ControllerOptions options, Reconciler& reconciler);
  // stop().
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // Starts the workers; idempotent.
  void start();
  // Shuts the queue down, lets in-flight reconciles finish and joins the workers. Keys still
  // queued are dropped (the next leader or process relists everything anyway). Idempotent.
  void stop();

  void enqueue(const std::string& key) { queue_.add(key); }
  void enqueueAfter(const std::string& key, util::Clock::Duration delay) {
    queue_.addAfter(key, delay);
  }
  WorkQueue& queue() { return queue_; }
  const std::string& name() const { return options_.name; }

  // Informer handlers that enqueue the object's own key on add, update and delete.
  EventHandler enqueueObjectHandler();
  // Informer handlers for owned kinds (a ReplicaSet owned by a Rollout): enqueue the key of
  // the object's controller owner when that owner has kind `owner_kind` (and, when not empty,
  // apiVersion group `owner_group`); objects without such an owner are ignored.
  EventHandler enqueueOwnerHandler(std::string owner_kind, std::string owner_group = {});

 private:
  void worker();
  void processOne(const std::string& key);

  ControllerOptions options_;
  Reconciler& reconciler_;
  WorkQueue queue_;
  std::mutex lifecycle_mu_;
  bool started_ = false;
  std::vector<std::jthread> workers_;
};

// The key of `obj`'s controller owner of the given kind (same namespace), or "" when none.
std::string ownerKey(const kube::Object& obj, std::string_view owner_kind,
                     std::string_view owner_group = {});

}  // namespace serin::runtime
