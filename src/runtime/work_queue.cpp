#include "serin/runtime/work_queue.h"

#include <cmath>

namespace serin::runtime {
namespace {

double secondsBetween(util::Clock::TimePoint from, util::Clock::TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

WorkQueue::WorkQueue(WorkQueueOptions options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : util::realClock()),
      delay_thread_([this](std::stop_token stop) { delayLoop(stop); }) {}

WorkQueue::~WorkQueue() {
  shutDown();
  delay_thread_.request_stop();
  std::lock_guard lock(mu_);
  wake_delay_.request_stop();
  delay_cv_.notify_all();
}

void WorkQueue::publishDepthLocked() {
  if (options_.observer) options_.observer->depth(queue_.size());
}

void WorkQueue::addLocked(const std::string& key) {
  if (shutting_down_ || dirty_.count(key) != 0) return;
  dirty_.insert(key);
  added_at_[key] = clock_.now();
  if (options_.observer) options_.observer->added();
  if (processing_.count(key) != 0) return;  // re-queued by done()
  queue_.push_back(key);
  publishDepthLocked();
  cv_.notify_one();
}

void WorkQueue::add(const std::string& key) {
  std::lock_guard lock(mu_);
  addLocked(key);
}

void WorkQueue::addAfter(const std::string& key, util::Clock::Duration delay) {
  std::lock_guard lock(mu_);
  if (shutting_down_) return;
  if (delay <= util::Clock::Duration::zero()) {
    addLocked(key);
    return;
  }
  auto ready_at =
      clock_.now() + std::chrono::duration_cast<util::Clock::TimePoint::duration>(delay);
  auto [it, inserted] = delayed_ready_.try_emplace(key, ready_at);
  if (!inserted) {
    if (it->second <= ready_at) return;  // the earlier deadline wins
    it->second = ready_at;
  }
  delayed_.push(Delayed{ready_at, delayed_seq_++, key});
  if (sleeping_until_ && ready_at < *sleeping_until_) wake_delay_.request_stop();
  delay_cv_.notify_all();
}

util::Clock::Duration WorkQueue::when(const std::string& key) {
  int exponent = 0;
  {
    std::lock_guard lock(mu_);
    exponent = failures_[key]++;
  }
  double nanos = static_cast<double>(options_.baseDelay.count()) * std::pow(2.0, exponent);
  if (nanos >= static_cast<double>(options_.maxDelay.count())) return options_.maxDelay;
  return util::Clock::Duration(static_cast<int64_t>(nanos));
}

void WorkQueue::addRateLimited(const std::string& key) {
  auto delay = when(key);
  {
    std::lock_guard lock(mu_);
    if (options_.observer) options_.observer->retried();
  }
  addAfter(key, delay);
}

void WorkQueue::forget(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

int WorkQueue::numRequeues(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !queue_.empty() || shutting_down_; });
  if (queue_.empty()) return std::nullopt;
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  processing_.insert(key);
  dirty_.erase(key);
  auto now = clock_.now();
  if (auto it = added_at_.find(key); it != added_at_.end()) {
    if (options_.observer) options_.observer->queueLatency(secondsBetween(it->second, now));
    added_at_.erase(it);
  }
  started_at_[key] = now;
  publishDepthLocked();
  return key;
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard lock(mu_);
  if (processing_.erase(key) == 0) return;
  if (auto it = started_at_.find(key); it != started_at_.end()) {
    if (options_.observer)
      options_.observer->workDuration(secondsBetween(it->second, clock_.now()));
    started_at_.erase(it);
  }
  if (dirty_.count(key) != 0) {
    queue_.push_back(key);
    publishDepthLocked();
    cv_.notify_one();
  }
  if (processing_.empty()) cv_.notify_all();  // a drain may be waiting
}

std::size_t WorkQueue::len() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void WorkQueue::shutDown() {
  std::lock_guard lock(mu_);
  shutting_down_ = true;
  cv_.notify_all();
}

void WorkQueue::shutDownWithDrain() {
  std::unique_lock lock(mu_);
  shutting_down_ = true;
  cv_.notify_all();
  cv_.wait(lock, [&] { return processing_.empty(); });
}

bool WorkQueue::shuttingDown() const {
  std::lock_guard lock(mu_);
  return shutting_down_;
}

void WorkQueue::moveReadyLocked() {
  auto now = clock_.now();
  while (!delayed_.empty() && delayed_.top().ready_at <= now) {
    Delayed next = delayed_.top();
    delayed_.pop();
    auto it = delayed_ready_.find(next.key);
    if (it == delayed_ready_.end() || it->second != next.ready_at) continue;  // superseded
    delayed_ready_.erase(it);
    addLocked(next.key);
  }
}

void WorkQueue::delayLoop(std::stop_token stop) {
  std::unique_lock lock(mu_);
  while (!stop.stop_requested()) {
    moveReadyLocked();
    if (delayed_.empty()) {
      delay_cv_.wait(lock, stop, [&] { return !delayed_.empty(); });
      continue;
    }
    auto deadline = delayed_.top().ready_at;
    sleeping_until_ = deadline;
    wake_delay_ = std::stop_source();
    std::stop_source wake = wake_delay_;
    lock.unlock();
    {
      std::stop_callback on_stop(stop, [wake]() mutable { wake.request_stop(); });
      clock_.sleepUntil(deadline, wake.get_token());
    }
    lock.lock();
    sleeping_until_.reset();
  }
}

}  // namespace serin::runtime
