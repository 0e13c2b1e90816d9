#include "serin/runtime/controller.h"

#include <exception>

#include <spdlog/spdlog.h>

namespace serin::runtime {
namespace {

WorkQueueOptions queueOptions(const ControllerOptions& options) {
  WorkQueueOptions q;
  q.name = options.name;
  q.clock = options.clock;
  q.baseDelay = options.baseDelay;
  q.maxDelay = options.maxDelay;
  q.observer = options.queueObserver;
  return q;
}

// Runs reconcile() with exceptions turned into Internal errors.
StatusOr<Result> reconcileContained(Reconciler& reconciler, const std::string& key) {
  try {
    return reconciler.reconcile(key);
  } catch (const std::exception& e) {
    return internalError(std::string("reconciler threw: ") + e.what());
  } catch (...) {
    return internalError("reconciler threw a non-standard exception");
  }
}

}  // namespace

std::string ownerKey(const kube::Object& obj, std::string_view owner_kind,
                     std::string_view owner_group) {
  auto ref = obj.controllerRef();
  if (!ref || ref->kind != owner_kind) return {};
  if (!owner_group.empty() && kube::GroupVersion::parse(ref->apiVersion).group != owner_group) {
    return {};
  }
  return kube::makeKey(obj.ns(), ref->name);
}

Controller::Controller(ControllerOptions options, Reconciler& reconciler)
    : options_(std::move(options)), reconciler_(reconciler), queue_(queueOptions(options_)) {}

Controller::~Controller() { stop(); }

void Controller::start() {
  std::lock_guard lock(lifecycle_mu_);
  if (started_) return;
  started_ = true;
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    workers_.emplace_back([this] { worker(); });
  }
}

void Controller::stop() {
  std::lock_guard lock(lifecycle_mu_);
  queue_.shutDown();
  // Workers see shutdown once the queue is empty; drop what is left so they exit promptly.
  while (queue_.len() > 0) {
    if (auto key = queue_.get()) queue_.done(*key);
  }
  workers_.clear();  // joins
  started_ = false;
}

void Controller::worker() {
  while (auto key = queue_.get()) {
    processOne(*key);
    queue_.done(*key);
  }
}

void Controller::processOne(const std::string& key) {
  util::Clock& clock = options_.clock != nullptr ? *options_.clock : util::realClock();
  auto started = clock.now();
  StatusOr<Result> outcome = reconcileContained(reconciler_, key);
  double seconds = std::chrono::duration<double>(clock.now() - started).count();
  std::string label;
  if (!outcome.isOk()) {
    label = "error";
    spdlog::error("controller {}: reconcile {} failed (retry {}): {}", options_.name, key,
                  queue_.numRequeues(key) + 1, outcome.status().toString());
    if (options_.observer) options_.observer->reconcileError();
    queue_.addRateLimited(key);
  } else if (outcome->requeueAfter > util::Clock::Duration::zero()) {
    label = "requeue_after";
    queue_.forget(key);
    queue_.addAfter(key, outcome->requeueAfter);
  } else if (outcome->requeue) {
    label = "requeue";
    queue_.addRateLimited(key);
  } else {
    label = "success";
    queue_.forget(key);
  }
  if (options_.observer) options_.observer->reconciled(label, seconds);
}

EventHandler Controller::enqueueObjectHandler() {
  EventHandler h;
  h.onAdd = [this](const ObjectPtr& obj) { enqueue(obj->key()); };
  h.onUpdate = [this](const ObjectPtr&, const ObjectPtr& obj) { enqueue(obj->key()); };
  h.onDelete = [this](const ObjectPtr& obj, bool) { enqueue(obj->key()); };
  return h;
}

EventHandler Controller::enqueueOwnerHandler(std::string owner_kind, std::string owner_group) {
  auto enqueue_owner = [this, owner_kind = std::move(owner_kind),
                        owner_group = std::move(owner_group)](const kube::Object& obj) {
    std::string key = ownerKey(obj, owner_kind, owner_group);
    if (!key.empty()) enqueue(key);
  };
  EventHandler h;
  h.onAdd = [enqueue_owner](const ObjectPtr& obj) { enqueue_owner(*obj); };
  h.onUpdate = [enqueue_owner](const ObjectPtr& old_obj, const ObjectPtr& obj) {
    // An owner change (adoption, orphaning) concerns both the old and the new owner.
    enqueue_owner(*old_obj);
    enqueue_owner(*obj);
  };
  h.onDelete = [enqueue_owner](const ObjectPtr& obj, bool) { enqueue_owner(*obj); };
  return h;
}

}  // namespace serin::runtime
