#include "serin/runtime/informer.h"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

namespace serin::runtime {
namespace {

std::vector<std::string> namespaceOf(const kube::Object& obj) { return {obj.ns()}; }

// Reads the uids straight from the JSON: cheaper than materializing OwnerReference structs.
std::vector<std::string> ownerUidsOf(const kube::Object& obj) {
  std::vector<std::string> uids;
  const kube::Json* refs = obj.at("/metadata/ownerReferences");
  if (refs == nullptr || !refs->is_array()) return uids;
  for (const auto& ref : *refs) {
    auto it = ref.find("uid");
    if (it != ref.end() && it->is_string()) uids.push_back(it->get<std::string>());
  }
  return uids;
}

// A watch ERROR event carries a metav1.Status; 410 means the resourceVersion expired.
Status statusFromWatchError(const kube::Object& obj) {
  const kube::Json& j = obj.json();
  int code = j.value("code", 0);
  std::string message = j.value("message", std::string("watch error event"));
  if (code == 410) return goneError(message);
  if (code >= 500 || code == 0) return unavailableError(message);
  return internalError("watch error " + std::to_string(code) + ": " + message);
}

}  // namespace

Informer::Informer(kube::Client& client, InformerOptions options)
    : client_(client),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : util::realClock()) {
  index_funcs_.emplace(std::string(kNamespaceIndex), namespaceOf);
  index_funcs_.emplace(std::string(kOwnerUidIndex), ownerUidsOf);
}

Informer::~Informer() { stop(); }

Status Informer::addIndexer(const std::string& name, IndexFunc func) {
  {
    std::lock_guard lifecycle(lifecycle_mu_);
    if (started_) return failedPreconditionError("informer already started: " + name);
  }
  std::lock_guard lock(store_mu_);
  if (!index_funcs_.emplace(name, std::move(func)).second) {
    return alreadyExistsError("index " + name + " already exists");
  }
  return Status::ok();
}

void Informer::addEventHandler(EventHandler handler) {
  std::lock_guard dispatch(dispatch_mu_);
  if (handler.onAdd) {
    for (const auto& obj : list()) handler.onAdd(obj);
  }
  handlers_.push_back(std::move(handler));
}

void Informer::start() {
  std::lock_guard lifecycle(lifecycle_mu_);
  if (started_) return;
  started_ = true;
  reflector_ = std::jthread([this](std::stop_token stop) { runReflector(stop); });
  resync_ = std::jthread([this](std::stop_token stop) { runResync(stop); });
}

void Informer::stop() {
  std::lock_guard lifecycle(lifecycle_mu_);
  if (!started_) return;
  reflector_.request_stop();
  resync_.request_stop();
  reflector_.join();
  resync_.join();
  started_ = false;
}

bool Informer::hasSynced() const {
  std::lock_guard lock(store_mu_);
  return synced_;
}

bool Informer::waitForCacheSync(std::stop_token stop) const {
  std::unique_lock lock(store_mu_);
  synced_cv_.wait(lock, stop, [&] { return synced_; });
  return synced_;
}

ObjectPtr Informer::get(const std::string& key) const {
  std::lock_guard lock(store_mu_);
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Informer::list() const {
  std::lock_guard lock(store_mu_);
  std::vector<ObjectPtr> out;
  out.reserve(items_.size());
  for (const auto& [key, obj] : items_) out.push_back(obj);
  return out;
}

std::vector<ObjectPtr> Informer::byIndex(std::string_view index, std::string_view value) const {
  std::lock_guard lock(store_mu_);
  std::vector<ObjectPtr> out;
  auto idx = indexes_.find(index);
  if (idx == indexes_.end()) return out;
  auto keys = idx->second.find(std::string(value));
  if (keys == idx->second.end()) return out;
  out.reserve(keys->second.size());
  for (std::string_view key : keys->second) out.push_back(items_.find(std::string(key))->second);
  return out;
}

std::size_t Informer::size() const {
  std::lock_guard lock(store_mu_);
  return items_.size();
}

std::string Informer::lastResourceVersion() const {
  std::lock_guard lock(store_mu_);
  return last_rv_;
}

// --- Cache maintenance (store_mu_ held) ---

void Informer::indexLocked(const std::string& key, const kube::Object& obj, bool insert) {
  std::string_view key_view = key;  // `key` is the node-owned string of items_
  for (const auto& [name, func] : index_funcs_) {
    IndexValues& values = indexes_[name];
    for (auto& value : func(obj)) {
      if (insert) {
        values[std::move(value)].insert(key_view);
        continue;
      }
      auto it = values.find(value);
      if (it == values.end()) continue;
      it->second.erase(key_view);
      if (it->second.empty()) values.erase(it);
    }
  }
}

ObjectPtr Informer::storeLocked(const std::string& key, ObjectPtr obj) {
  auto [it, inserted] = items_.try_emplace(key, obj);
  if (inserted) {
    indexLocked(it->first, *obj, true);
    return nullptr;
  }
  ObjectPtr old = std::exchange(it->second, std::move(obj));
  for (const auto& [name, func] : index_funcs_) {
    auto old_values = func(*old);
    auto new_values = func(*it->second);
    if (old_values == new_values) continue;
    IndexValues& values = indexes_[name];
    for (const auto& value : old_values) {
      auto v = values.find(value);
      if (v == values.end()) continue;
      v->second.erase(it->first);
      if (v->second.empty()) values.erase(v);
    }
    for (auto& value : new_values) values[std::move(value)].insert(it->first);
  }
  return old;
}

ObjectPtr Informer::eraseLocked(const std::string& key) {
  auto it = items_.find(key);
  if (it == items_.end()) return nullptr;
  ObjectPtr old = std::move(it->second);
  indexLocked(it->first, *old, false);
  items_.erase(it);
  return old;
}

// --- Handlers (dispatch_mu_ held) ---

void Informer::dispatchAdd(const ObjectPtr& obj) {
  for (const auto& h : handlers_) {
    if (h.onAdd) h.onAdd(obj);
  }
}

void Informer::dispatchUpdate(const ObjectPtr& old_obj, const ObjectPtr& new_obj) {
  for (const auto& h : handlers_) {
    if (h.onUpdate) h.onUpdate(old_obj, new_obj);
  }
}

void Informer::dispatchDelete(const ObjectPtr& obj, bool final_state_unknown) {
  for (const auto& h : handlers_) {
    if (h.onDelete) h.onDelete(obj, final_state_unknown);
  }
}

void Informer::applyEvent(kube::WatchEventType type, kube::Object object) {
  std::string key = object.key();
  std::string rv = object.resourceVersion();
  auto obj = std::make_shared<const kube::Object>(std::move(object));
  std::lock_guard dispatch(dispatch_mu_);
  ObjectPtr old;
  {
    std::lock_guard lock(store_mu_);
    old = type == kube::WatchEventType::kDeleted ? eraseLocked(key) : storeLocked(key, obj);
    if (!rv.empty()) last_rv_ = rv;
  }
  if (type == kube::WatchEventType::kDeleted) {
    if (old) dispatchDelete(obj, false);
  } else if (old) {
    dispatchUpdate(old, obj);
  } else {
    dispatchAdd(obj);
  }
}

void Informer::replaceAll(std::vector<kube::Object> items, std::string resource_version) {
  std::lock_guard dispatch(dispatch_mu_);
  std::vector<ObjectPtr> added, deleted;
  std::vector<std::pair<ObjectPtr, ObjectPtr>> updated;
  {
    std::lock_guard lock(store_mu_);
    std::unordered_set<std::string> listed;
    listed.reserve(items.size());
    for (auto& item : items) {
      std::string key = item.key();
      listed.insert(key);
      auto current = items_.find(key);
      if (current != items_.end() && current->second->resourceVersion() == item.resourceVersion()) {
        continue;  // unchanged: keep the cached pointer
      }
      auto obj = std::make_shared<const kube::Object>(std::move(item));
      if (ObjectPtr old = storeLocked(key, obj)) {
        updated.emplace_back(std::move(old), std::move(obj));
      } else {
        added.push_back(std::move(obj));
      }
    }
    std::vector<std::string> vanished;
    for (const auto& [key, obj] : items_) {
      if (listed.count(key) == 0) vanished.push_back(key);
    }
    for (const auto& key : vanished) deleted.push_back(eraseLocked(key));
    last_rv_ = std::move(resource_version);
  }
  for (const auto& obj : deleted) dispatchDelete(obj, true);
  for (const auto& [old_obj, new_obj] : updated) dispatchUpdate(old_obj, new_obj);
  for (const auto& obj : added) dispatchAdd(obj);
  {
    std::lock_guard lock(store_mu_);
    synced_ = true;
  }
  synced_cv_.notify_all();
}

// --- Reflector ---

Status Informer::listAndReplace(std::stop_token) {
  kube::ListOptions list_options;
  list_options.labelSelector = options_.labelSelector;
  list_options.fieldSelector = options_.fieldSelector;
  auto listed = client_.list(options_.gvr, options_.ns, list_options);
  if (!listed.isOk()) return listed.status();
  replaceAll(std::move(listed->items), std::move(listed->resourceVersion));
  return Status::ok();
}

bool Informer::handleWatchEvent(kube::WatchEvent&& event, Status& stream_error, bool& progressed) {
  switch (event.type) {
    case kube::WatchEventType::kError:
      stream_error = statusFromWatchError(event.object);
      return false;
    case kube::WatchEventType::kBookmark: {
      std::string rv = event.object.resourceVersion();
      std::lock_guard lock(store_mu_);
      if (!rv.empty()) last_rv_ = std::move(rv);
      return true;
    }
    default:
      progressed = true;
      applyEvent(event.type, std::move(event.object));
      return true;
  }
}

Status Informer::watchOnce(std::stop_token stop, bool& progressed) {
  kube::ListOptions watch_options;
  watch_options.labelSelector = options_.labelSelector;
  watch_options.fieldSelector = options_.fieldSelector;
  watch_options.resourceVersion = lastResourceVersion();
  watch_options.allowWatchBookmarks = true;
  watch_options.timeoutSeconds = options_.watchTimeoutSeconds;
  Status stream_error;
  Status result = client_.watch(
      options_.gvr, options_.ns, watch_options,
      [&](kube::WatchEvent&& event) {
        return handleWatchEvent(std::move(event), stream_error, progressed);
      },
      stop);
  return stream_error.isOk() ? result : stream_error;
}

void Informer::runReflector(std::stop_token stop) {
  const std::string what = options_.gvr.toString();
  auto backoff = options_.initialBackoff;
  bool need_list = true;
  while (!stop.stop_requested()) {
    bool progressed = false;
    Status status = need_list ? listAndReplace(stop) : watchOnce(stop, progressed);
    if (stop.stop_requested()) break;
    if (status.isOk()) {
      need_list = false;
      backoff = options_.initialBackoff;
      continue;  // a closed stream resumes from the last resourceVersion
    }
    if (status.is(StatusCode::kGone)) {
      spdlog::info("informer {}: {}; relisting", what, status.toString());
      need_list = true;
      continue;
    }
    if (progressed) backoff = options_.initialBackoff;
    spdlog::warn("informer {}: {} failed: {}; retrying in {}ms", what, need_list ? "list" : "watch",
                 status.toString(),
                 std::chrono::duration_cast<std::chrono::milliseconds>(backoff).count());
    if (!clock_.sleepFor(backoff, stop)) break;
    backoff = std::min(backoff * 2, options_.maxBackoff);
  }
}

void Informer::runResync(std::stop_token stop) {
  if (options_.resyncPeriod <= util::Clock::Duration::zero()) return;
  while (clock_.sleepFor(options_.resyncPeriod, stop)) {
    if (!hasSynced()) continue;
    std::lock_guard dispatch(dispatch_mu_);
    for (const auto& obj : list()) dispatchUpdate(obj, obj);
  }
}

// --- SharedInformerFactory ---

SharedInformerFactory::SharedInformerFactory(kube::Client& client, Options options)
    : client_(client), options_(std::move(options)) {}

SharedInformerFactory::~SharedInformerFactory() { stop(); }

Informer& SharedInformerFactory::informerFor(const kube::GroupVersionResource& gvr,
                                             const std::string& ns) {
  std::lock_guard lock(mu_);
  auto& slot = informers_[{gvr, ns}];
  if (!slot) {
    InformerOptions informer_options;
    informer_options.gvr = gvr;
    informer_options.ns = ns;
    informer_options.labelSelector = options_.labelSelector;
    informer_options.resyncPeriod = options_.defaultResync;
    informer_options.clock = options_.clock;
    slot = std::make_unique<Informer>(client_, std::move(informer_options));
    if (started_) slot->start();
  }
  return *slot;
}

void SharedInformerFactory::start() {
  std::lock_guard lock(mu_);
  started_ = true;
  for (auto& [key, informer] : informers_) informer->start();
}

void SharedInformerFactory::stop() {
  std::lock_guard lock(mu_);
  started_ = false;
  for (auto& [key, informer] : informers_) informer->stop();
}

bool SharedInformerFactory::waitForCacheSync(std::stop_token stop) {
  std::vector<Informer*> all;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, informer] : informers_) all.push_back(informer.get());
  }
  return std::all_of(all.begin(), all.end(),
                     [&](Informer* informer) { return informer->waitForCacheSync(stop); });
}

}  // namespace serin::runtime
