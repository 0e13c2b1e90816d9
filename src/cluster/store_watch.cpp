#include "store_watch.h"

#include <algorithm>
#include <utility>

namespace serin::cluster {

namespace {
// Events read from SQLite per catch-up step: bounds a lagging watcher's memory.
constexpr std::size_t kHistoryPageSize = 256;
}  // namespace

Watch::Impl::Impl(std::shared_ptr<detail::HistorySource> source, WatchOptions options,
                  std::size_t capacity, int64_t start)
    : source_(std::move(source)),
      options_(std::move(options)),
      capacity_(capacity),
      position_(start),
      last_returned_(start),
      progress_(start) {}

bool Watch::Impl::push(const EventPtr& event) {
  {
    std::lock_guard lock(mu_);
    if (ended_) return false;
    if (queue_.size() >= capacity_) {
      ended_ = true;
      end_status_ = unavailableError("watch of " + options_.resource +
                                     " fell too far behind; re-watch from the last revision");
      cv_.notify_one();
      return false;
    }
    queue_.push_back(event);
  }
  cv_.notify_one();
  return true;
}

void Watch::Impl::pushInitial(const EventPtr& event) {
  std::lock_guard lock(mu_);
  queue_.push_back(event);
}

bool Watch::Impl::ended() {
  std::lock_guard lock(mu_);
  return ended_;
}

void Watch::Impl::end(Status status) {
  {
    std::lock_guard lock(mu_);
    if (ended_) return;
    ended_ = true;
    end_status_ = std::move(status);
  }
  cv_.notify_one();
}

void Watch::Impl::cancel() {
  end(cancelledError("watch cancelled"));
  source_->hub().detach(this);
}

void Watch::Impl::advanceProgress(int64_t revision) {
  if (revision > progress_.load(std::memory_order_relaxed)) {
    progress_.store(revision, std::memory_order_release);
  }
}

Status Watch::Impl::catchUp() {
  if (source_->hub().attach(shared_from_this(), position_)) {
    live_ = true;
    return Status::ok();
  }
  ASSIGN_OR_RETURN(
      auto page, source_->readHistory(options_.resource, options_.ns, position_, kHistoryPageSize));
  for (auto& event : page.events) backlog_.push_back(std::move(event));
  position_ = std::max(position_, page.scanned_to);
  if (backlog_.empty()) advanceProgress(position_);
  return Status::ok();
}

StatusOr<EventPtr> Watch::Impl::next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    EventPtr event;
    if (!backlog_.empty()) {
      event = std::move(backlog_.front());
      backlog_.pop_front();
    } else if (!live_) {
      {
        std::lock_guard lock(mu_);
        if (ended_) return end_status_;
      }
      if (Status status = catchUp(); !status.isOk()) {
        end(status);
        return status;
      }
      continue;
    } else {
      std::unique_lock lock(mu_);
      // Timed wait on the steady clock: this is a network-facing timeout, not scheduling, so it
      // is not driven by util::Clock.
      cv_.wait_until(lock, deadline, [&] { return !queue_.empty() || ended_; });
      if (queue_.empty()) {
        if (ended_) return end_status_;
        // Every event up to `published` was pushed before it was announced, and all of them
        // have left the queue: a bookmark may claim it.
        advanceProgress(std::max(last_returned_, source_->hub().published()));
        return EventPtr{};
      }
      event = std::move(queue_.front());
      queue_.pop_front();
    }
    if (event->revision <= last_returned_) continue;
    last_returned_ = event->revision;
    EventPtr out = convert(event);
    advanceProgress(event->revision);
    if (out) return out;
  }
}

EventPtr Watch::Impl::convert(const EventPtr& event) const {
  const auto& predicate = options_.predicate;
  if (!predicate) return event;
  if (event->type != EventType::kModified) return predicate(*event->object) ? event : nullptr;
  const bool now_matches = predicate(*event->object);
  auto prev = kube::Object::parse(event->prev_json);
  const bool matched = prev.isOk() && predicate(*prev);
  if (now_matches == matched) return now_matches ? event : nullptr;
  auto changed = std::make_shared<Event>(*event);
  if (now_matches) {
    changed->type = EventType::kAdded;
    return changed;
  }
  // Stopped matching: kube reports the previous state, stamped with this change's revision.
  changed->type = EventType::kDeleted;
  prev->setResourceVersion(std::to_string(event->revision));
  changed->json = prev->dump();
  changed->object = std::make_shared<const kube::Object>(std::move(prev).value());
  return changed;
}

Watch::Watch(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
Watch::~Watch() { impl_->cancel(); }
StatusOr<EventPtr> Watch::next(std::chrono::milliseconds timeout) { return impl_->next(timeout); }
int64_t Watch::progressRevision() const { return impl_->progressRevision(); }
void Watch::cancel() { impl_->cancel(); }

namespace detail {

bool WatchHub::attach(const std::shared_ptr<Watch::Impl>& watcher, int64_t position) {
  std::lock_guard lock(mu_);
  if (closed_) {
    watcher->end(cancelledError("store closed"));
    return true;
  }
  const bool covered = position >= published_.load(std::memory_order_relaxed) ||
                       (!ring_.empty() && ring_.front()->revision <= position + 1);
  if (!covered) return false;
  auto first = std::upper_bound(
      ring_.begin(), ring_.end(), position,
      [](int64_t revision, const EventPtr& event) { return revision < event->revision; });
  // The initial copy may exceed the queue's capacity: it is bounded by the ring, and the
  // watcher asked for exactly these events.
  for (auto it = first; it != ring_.end(); ++it) {
    const auto& event = *it;
    if (event->key.resource == watcher->resource() && watcher->matches(*event)) {
      watcher->pushInitial(event);
    }
  }
  watchers_[watcher->resource()].push_back(watcher);
  return true;
}

void WatchHub::detach(const Watch::Impl* watcher) {
  std::lock_guard lock(mu_);
  for (auto& [resource, list] : watchers_) {
    std::erase_if(list, [&](const auto& w) { return w.get() == watcher; });
  }
}

void WatchHub::publish(const std::vector<EventPtr>& events, int64_t revision) {
  std::lock_guard lock(mu_);
  for (const auto& event : events) {
    ring_.push_back(event);
    if (ring_.size() > ring_capacity_) ring_.pop_front();
  }
  deliver(events);
  // After delivery: a watcher that sees this revision has every event up to it in its queue.
  published_.store(revision, std::memory_order_release);
}

void WatchHub::deliver(const std::vector<EventPtr>& events) {
  for (const auto& event : events) {
    auto it = watchers_.find(event->key.resource);
    if (it == watchers_.end()) continue;
    bool dropped = false;
    for (const auto& watcher : it->second) {
      if (watcher->matches(*event) && !watcher->push(event)) dropped = true;
    }
    if (dropped) std::erase_if(it->second, [](const auto& w) { return w->ended(); });
  }
}

void WatchHub::closeAll(const Status& status) {
  std::lock_guard lock(mu_);
  closed_ = true;
  for (auto& [resource, list] : watchers_) {
    for (auto& watcher : list) watcher->end(status);
  }
  watchers_.clear();
}

}  // namespace detail
}  // namespace serin::cluster
