#include "serin/runtime/event_recorder.h"

#include <cstdio>

#include <spdlog/spdlog.h>

#include "serin/util/time.h"

namespace serin::runtime {
namespace {

const kube::GroupVersionResource kEvents{"", "v1", "events"};
constexpr std::size_t kMaxMessageBytes = 1024;  // the API server rejects longer notes

std::string_view typeName(EventType type) {
  return type == EventType::kWarning ? "Warning" : "Normal";
}

kube::Json referenceTo(const kube::Object& obj) {
  kube::Json ref = {{"apiVersion", obj.apiVersion()}, {"kind", obj.kind()}, {"name", obj.name()}};
  if (!obj.ns().empty()) ref["namespace"] = obj.ns();
  if (!obj.uid().empty()) ref["uid"] = obj.uid();
  if (!obj.resourceVersion().empty()) ref["resourceVersion"] = obj.resourceVersion();
  return ref;
}

}  // namespace

EventRecorder::EventRecorder(kube::Client& client, EventRecorderOptions options)
    : client_(client),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : util::realClock()),
      sender_([this](std::stop_token stop) { senderLoop(stop); }) {}

EventRecorder::~EventRecorder() {
  sender_.request_stop();
  sender_.join();
}

void EventRecorder::event(const kube::Object& involved, EventType type, std::string_view reason,
                          std::string_view message) {
  Pending p{referenceTo(involved), involved.ns().empty() ? std::string("default") : involved.ns(),
            involved.name(),       type,
            std::string(reason),   std::string(message.substr(0, kMaxMessageBytes)),
            clock_.now()};
  {
    std::lock_guard lock(mu_);
    if (queue_.size() < options_.queueCapacity) {
      queue_.push_back(std::move(p));
      cv_.notify_all();
      return;
    }
    ++dropped_;
  }
  spdlog::warn("event recorder: queue full, dropped {} event {} about {}", typeName(type), reason,
               involved.key());
  if (options_.onDropped) options_.onDropped();
}

bool EventRecorder::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return queue_.empty() && !sending_; });
}

uint64_t EventRecorder::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

void EventRecorder::senderLoop(std::stop_token stop) {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, stop, [&] { return !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything was sent
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    sending_ = true;
    lock.unlock();
    send(p);
    lock.lock();
    sending_ = false;
    cv_.notify_all();  // flush() waiters
  }
}

kube::Object EventRecorder::eventObject(const Pending& p, const std::string& name) const {
  const std::string at = util::formatRfc3339(p.at);
  kube::Object ev("v1", "Event", p.ns, name);
  auto& j = ev.json();
  j["involvedObject"] = p.involved;
  j["reason"] = p.reason;
  j["message"] = p.message;
  j["type"] = typeName(p.type);
  j["source"] = {{"component", options_.component}};
  if (!options_.host.empty()) j["source"]["host"] = options_.host;
  j["firstTimestamp"] = at;
  j["lastTimestamp"] = at;
  j["count"] = 1;
  j["reportingComponent"] = options_.component;
  j["reportingInstance"] = options_.reportingInstance;
  return ev;
}

Status EventRecorder::create(const Pending& p, const std::string& cache_key) {
  // client-go names Events "<involved name>.<unix nanos in hex>"; the sequence keeps names
  // unique when the clock does not move (tests, coarse clocks).
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(p.at.time_since_epoch());
  char suffix[24];
  std::snprintf(suffix, sizeof(suffix), "%llx",
                static_cast<unsigned long long>(nanos.count()) + name_seq_++);
  std::string name = p.involvedName + "." + suffix;
  auto created = client_.create(kEvents, p.ns, eventObject(p, name));
  if (!created.isOk()) return created.status();
  if (aggregates_.size() >= options_.aggregationCacheSize) aggregates_.clear();
  aggregates_[cache_key] = Aggregate{name, 1};
  return Status::ok();
}

void EventRecorder::send(const Pending& p) {
  const std::string cache_key =
      p.involved.dump() + '\n' + p.reason + '\n' + p.message + '\n' + std::string(typeName(p.type));
  Status status;
  auto it = aggregates_.find(cache_key);
  if (it == aggregates_.end()) {
    status = create(p, cache_key);
  } else {
    int64_t count = it->second.count + 1;
    kube::Json patch = {{"count", count}, {"lastTimestamp", util::formatRfc3339(p.at)}};
    auto patched = client_.patch({kEvents, p.ns, it->second.eventName, ""}, kube::PatchType::kMerge,
                                 patch.dump());
    if (patched.isOk()) {
      it->second.count = count;
    } else if (patched.status().is(StatusCode::kNotFound)) {
      aggregates_.erase(it);  // the Event expired (TTL): start a new one
      status = create(p, cache_key);
    } else {
      status = patched.status();
    }
  }
  if (!status.isOk()) {
    spdlog::warn("event recorder: could not record {} {}: {}", typeName(p.type), p.reason,
                 status.toString());
  }
}

}  // namespace serin::runtime
