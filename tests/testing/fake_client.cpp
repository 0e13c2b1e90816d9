#include "testing/fake_client.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <utility>

#include "serin/kube/patch.h"

namespace serin::testing {
namespace {

using kube::GroupVersionResource;
using kube::Json;
using kube::Object;
using kube::WatchEventType;

std::string resourceName(const GroupVersionResource& gvr) {
  return gvr.group.empty() ? gvr.resource : gvr.resource + "." + gvr.group;
}

Status notFound(const GroupVersionResource& gvr, std::string_view name) {
  return Status(StatusCode::kNotFound,
                resourceName(gvr) + " \"" + std::string(name) + "\" not found", "NotFound");
}

std::optional<int64_t> parseRv(std::string_view text) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string suffixFor(uint64_t n) {
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  for (int i = 0; i < 5; ++i) {
    out.push_back(kAlphabet[n % kAlphabet.size()]);
    n /= kAlphabet.size();
  }
  return out;
}

std::string uidFor(uint64_t n) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "00000000-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(n));
  return buf;
}

bool specChanged(const Object& before, const Object& after) {
  auto spec = [](const Object& o) { return o.json().contains("spec") ? o.json()["spec"] : Json(); };
  return spec(before) != spec(after);
}

std::vector<kube::ResourceInfo> defaultDiscovery() {
  auto info = [](std::string group, std::string version, std::string resource, std::string kind,
                 bool namespaced) {
    kube::ResourceInfo r;
    r.gvr = {std::move(group), std::move(version), std::move(resource)};
    r.kind = std::move(kind);
    r.namespaced = namespaced;
    r.verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
    return r;
  };
  return {info("", "v1", "pods", "Pod", true),
          info("", "v1", "services", "Service", true),
          info("", "v1", "configmaps", "ConfigMap", true),
          info("", "v1", "secrets", "Secret", true),
          info("", "v1", "events", "Event", true),
          info("", "v1", "namespaces", "Namespace", false),
          info("", "v1", "nodes", "Node", false),
          info("apps", "v1", "replicasets", "ReplicaSet", true),
          info("apps", "v1", "deployments", "Deployment", true),
          info("coordination.k8s.io", "v1", "leases", "Lease", true),
          info("events.k8s.io", "v1", "events", "Event", true)};
}

}  // namespace

StatusOr<FakeClient::Filter> FakeClient::filterFor(const kube::ListOptions& options) {
  ASSIGN_OR_RETURN(auto labels, kube::LabelSelector::parse(options.labelSelector));
  ASSIGN_OR_RETURN(auto fields, kube::FieldSelector::parse(options.fieldSelector));
  return Filter{std::move(labels), std::move(fields)};
}

FakeClient::FakeClient(util::Clock* clock)
    : clock_(clock != nullptr ? clock : &util::realClock()), discovery_(defaultDiscovery()) {
  config_.server = "https://fake.invalid";
}

FakeClient::~FakeClient() = default;

Status FakeClient::takeInjectedError(Verb verb) {
  ++calls_[verb];
  auto it = errors_.find(verb);
  if (it == errors_.end()) return Status::ok();
  Status status = it->second.status;
  if (it->second.remaining > 0 && --it->second.remaining == 0) errors_.erase(it);
  return status;
}

bool FakeClient::namespacedLocked(const GroupVersionResource& gvr) const {
  for (const auto& info : discovery_) {
    if (info.gvr == gvr) return info.namespaced;
  }
  return true;
}

std::string FakeClient::nsFor(const GroupVersionResource& gvr, std::string_view ns) const {
  return namespacedLocked(gvr) ? std::string(ns) : std::string();
}

std::string FakeClient::timestampLocked() const {
  std::time_t secs = std::chrono::system_clock::to_time_t(clock_->now());
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void FakeClient::recordLocked(const GroupVersionResource& gvr, WatchEventType type,
                              const Object& object) {
  history_.push_back(HistoryEntry{next_seq_++, rv_, gvr, type, object});
  cv_.notify_all();
}

StatusOr<Object> FakeClient::get(const kube::ResourceRef& ref, const kube::GetOptions&) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(takeInjectedError(Verb::kGet));
  const auto& store = stores_[ref.gvr];
  auto it = store.find(kube::makeKey(nsFor(ref.gvr, ref.ns), ref.name));
  if (it == store.end()) return notFound(ref.gvr, ref.name);
  return it->second;
}

StatusOr<kube::ObjectList> FakeClient::list(const GroupVersionResource& gvr, std::string_view ns,
                                            const kube::ListOptions& options) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(takeInjectedError(Verb::kList));
  ASSIGN_OR_RETURN(Filter filter, filterFor(options));
  kube::ObjectList result;
  result.apiVersion = kube::GroupVersion{gvr.group, gvr.version}.apiVersion();
  result.resourceVersion = std::to_string(rv_);
  for (const auto& [key, object] : stores_[gvr]) {
    if (!ns.empty() && object.ns() != ns) continue;
    if (filter.matches(object)) result.items.push_back(object);
  }
  return result;
}

StatusOr<Object> FakeClient::create(const GroupVersionResource& gvr, std::string_view ns,
                                    const Object& object, const kube::WriteOptions& options) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(takeInjectedError(Verb::kCreate));
  Object created = object;
  std::string target_ns = nsFor(gvr, ns.empty() ? std::string_view(object.ns()) : ns);
  if (namespacedLocked(gvr) && target_ns.empty()) {
    return invalidError("the namespace of the object must be set");
  }
  std::string name = object.name();
  if (name.empty()) {
    if (object.generateName().empty()) return invalidError("name or generateName is required");
    name = object.generateName() + suffixFor(++uid_counter_ * 7919);
  }
  std::string key = kube::makeKey(target_ns, name);
  auto& store = stores_[gvr];
  if (store.count(key) != 0) {
    return Status(StatusCode::kAlreadyExists,
                  resourceName(gvr) + " \"" + name + "\" already exists", "AlreadyExists");
  }
  created.setName(name);
  if (!target_ns.empty()) created.setNamespace(target_ns);
  created.setUid(uidFor(++uid_counter_));
  created.setCreationTimestamp(timestampLocked());
  created.setGeneration(1);
  created.json()["metadata"].erase("deletionTimestamp");
  if (options.dryRun) return created;
  created.setResourceVersion(std::to_string(nextRvLocked()));
  store.emplace(key, created);
  recordLocked(gvr, WatchEventType::kAdded, created);
  return created;
}

StatusOr<Object> FakeClient::writeLocked(const kube::ResourceRef& ref, Object object) {
  auto& store = stores_[ref.gvr];
  std::string key = kube::makeKey(nsFor(ref.gvr, ref.ns), ref.name);
  const Object& current = store.at(key);
  object.setName(current.name());
  if (!current.ns().empty()) object.setNamespace(current.ns());
  object.setUid(current.uid());
  if (auto ts = current.creationTimestamp()) object.setCreationTimestamp(*ts);
  object.setGeneration(current.generation() + (specChanged(current, object) ? 1 : 0));
  if (object.isBeingDeleted() && object.finalizers().empty()) return removeLocked(ref);
  object.setResourceVersion(std::to_string(nextRvLocked()));
  store[key] = object;
  recordLocked(ref.gvr, WatchEventType::kModified, object);
  return object;
}

StatusOr<Object> FakeClient::update(const kube::ResourceRef& ref, const Object& object,
                                    const kube::WriteOptions& options) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(takeInjectedError(Verb::kUpdate));
  auto& store = stores_[ref.gvr];
  auto it = store.find(kube::makeKey(nsFor(ref.gvr, ref.ns), ref.name));
  if (it == store.end()) return notFound(ref.gvr, ref.name);
  if (!object.resourceVersion().empty() &&
      object.resourceVersion() != it->second.resourceVersion()) {
    return Status(StatusCode::kConflict,
                  "Operation cannot be fulfilled on " + resourceName(ref.gvr) + " \"" + ref.name +
                      "\": the object has been modified; please apply your changes to the latest "
                      "version and try again",
                  "Conflict");
  }
  Object next = object;
  if (ref.subresource == "status") {
    next = it->second;
    if (object.json().contains("status")) next.json()["status"] = object.json()["status"];
  }
  if (options.dryRun) return next;
  return writeLocked(ref, std::move(next));
}

StatusOr<Object> FakeClient::patch(const kube::ResourceRef& ref, kube::PatchType type,
                                   std::string_view body, const kube::PatchOptions& options) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(takeInjectedError(Verb::kPatch));
  auto& store = stores_[ref.gvr];
  auto it = store.find(kube::makeKey(nsFor(ref.gvr, ref.ns), ref.name));
  if (it == store.end()) return notFound(ref.gvr, ref.name);
  if (type == kube::PatchType::kApply) return unimplementedError("fake: server-side apply");
  Json patch_doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (patch_doc.is_discarded()) return invalidError("fake: patch body is not JSON");
  StatusOr<Json> patched =
      type == kube::PatchType::kJson ? kube::applyJsonPatch(it->second.json(), patch_doc)
      : type == kube::PatchType::kStrategic
          ? kube::applyStrategicMergePatch(it->second.json(), patch_doc, it->second.gvk())
          : kube::applyMergePatch(it->second.json(), patch_doc);
  if (!patched.isOk()) return patched.status();
  Object next(std::move(patched).value());
  if (!next.resourceVersion().empty() && next.resourceVersion() != it->second.resourceVersion()) {
    return Status(StatusCode::kConflict, "the object has been modified", "Conflict");
  }
  if (ref.subresource == "status") {
    Object status_only = it->second;
    status_only.json()["status"] = next.json().value("status", Json::object());
    next = std::move(status_only);
  }
  if (options.dryRun) return next;
  return writeLocked(ref, std::move(next));
}

StatusOr<Object> FakeClient::removeLocked(const kube::ResourceRef& ref) {
  auto& store = stores_[ref.gvr];
  auto it = store.find(kube::makeKey(nsFor(ref.gvr, ref.ns), ref.name));
  if (it == store.end()) return notFound(ref.gvr, ref.name);
  Object gone = std::move(it->second);
  store.erase(it);
  gone.setResourceVersion(std::to_string(nextRvLocked()));
  recordLocked(ref.gvr, WatchEventType::kDeleted, gone);
  return gone;
}

StatusOr<Object> FakeClient::remove(const kube::ResourceRef& ref,
                                    const kube::DeleteOptions& options) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(takeInjectedError(Verb::kDelete));
  auto& store = stores_[ref.gvr];
  auto it = store.find(kube::makeKey(nsFor(ref.gvr, ref.ns), ref.name));
  if (it == store.end()) return notFound(ref.gvr, ref.name);
  const Object& current = it->second;
  if ((options.preconditionUid && *options.preconditionUid != current.uid()) ||
      (options.preconditionResourceVersion &&
       *options.preconditionResourceVersion != current.resourceVersion())) {
    return Status(StatusCode::kConflict, "precondition failed", "Conflict");
  }
  if (options.dryRun) return current;
  if (!current.finalizers().empty()) {
    if (current.isBeingDeleted()) return current;
    Object marked = current;
    marked.setDeletionTimestamp(timestampLocked());
    return writeLocked(ref, std::move(marked));
  }
  return removeLocked(ref);
}

Status FakeClient::removeCollection(const GroupVersionResource& gvr, std::string_view ns,
                                    const kube::ListOptions& selectors,
                                    const kube::DeleteOptions&) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(takeInjectedError(Verb::kDeleteCollection));
  ASSIGN_OR_RETURN(Filter filter, filterFor(selectors));
  std::vector<kube::ResourceRef> doomed;
  for (const auto& [key, object] : stores_[gvr]) {
    if (!ns.empty() && object.ns() != ns) continue;
    if (!filter.matches(object)) continue;
    doomed.push_back({gvr, object.ns(), object.name(), ""});
  }
  for (const auto& ref : doomed) (void)removeLocked(ref);
  return Status::ok();
}

std::vector<kube::WatchEvent> FakeClient::pendingLocked(const GroupVersionResource& gvr,
                                                        const std::string& ns, const Filter& filter,
                                                        bool bookmarks, uint64_t& cursor) const {
  std::vector<kube::WatchEvent> events;
  if (history_.empty() || cursor + 1 >= next_seq_) {
    cursor = std::max(cursor, next_seq_ - 1);
    return events;
  }
  size_t start = cursor + 1 > history_.front().seq ? cursor + 1 - history_.front().seq : 0;
  for (size_t i = start; i < history_.size(); ++i) {
    const HistoryEntry& entry = history_[i];
    if (entry.gvr != gvr) continue;
    if (entry.type == WatchEventType::kBookmark) {
      if (bookmarks) events.push_back({entry.type, entry.object});
      continue;
    }
    if (!ns.empty() && entry.object.ns() != ns) continue;
    if (!filter.matches(entry.object)) continue;
    events.push_back({entry.type, entry.object});
  }
  cursor = next_seq_ - 1;
  return events;
}

Status FakeClient::watch(const GroupVersionResource& gvr, std::string_view ns_view,
                         const kube::ListOptions& options, const kube::WatchHandler& handler,
                         std::stop_token stop) {
  std::unique_lock lock(mu_);
  watch_rvs_.push_back(options.resourceVersion);
  RETURN_IF_ERROR(takeInjectedError(Verb::kWatch));
  ASSIGN_OR_RETURN(Filter filter, filterFor(options));
  const std::string ns = nsFor(gvr, ns_view);
  std::vector<kube::WatchEvent> events;
  uint64_t cursor = next_seq_ - 1;
  if (options.resourceVersion.empty() || options.resourceVersion == "0") {
    for (const auto& [key, object] : stores_[gvr]) {
      if (!ns.empty() && object.ns() != ns) continue;
      if (!filter.matches(object)) continue;
      events.push_back({WatchEventType::kAdded, object});
    }
  } else {
    auto from = parseRv(options.resourceVersion);
    if (!from) return invalidError("fake: bad resourceVersion " + options.resourceVersion);
    if (*from < compacted_rv_) {
      return Status(StatusCode::kGone, "too old resource version: " + options.resourceVersion,
                    "Expired");
    }
    for (const auto& entry : history_) {
      if (entry.rv > *from) break;
      cursor = entry.seq;
    }
    if (!history_.empty() && history_.front().rv > *from) cursor = history_.front().seq - 1;
  }
  const uint64_t generation = watch_generation_;
  ++active_watches_;
  cv_.notify_all();
  Status result;
  bool open = true;
  while (open) {
    auto pending = pendingLocked(gvr, ns, filter, options.allowWatchBookmarks, cursor);
    events.insert(events.end(), std::make_move_iterator(pending.begin()),
                  std::make_move_iterator(pending.end()));
    if (!events.empty()) {
      lock.unlock();
      for (auto& event : events) {
        if (!handler(std::move(event))) {
          open = false;
          break;
        }
      }
      events.clear();
      lock.lock();
      continue;
    }
    cv_.wait(lock, stop, [&] { return watch_generation_ != generation || next_seq_ - 1 > cursor; });
    if (stop.stop_requested()) {
      result = cancelledError("watch stopped");
      open = false;
    } else if (watch_generation_ != generation) {
      open = false;
    }
  }
  --active_watches_;
  cv_.notify_all();
  return result;
}

StatusOr<kube::ResourceInfo> FakeClient::resourceFor(const kube::GroupVersionKind& gvk) {
  std::lock_guard lock(mu_);
  for (const auto& info : discovery_) {
    if (info.kind == gvk.kind && info.gvr.group == gvk.group && info.gvr.version == gvk.version) {
      return info;
    }
  }
  return notFoundError("no resource for " + gvk.toString());
}

StatusOr<std::vector<kube::ResourceInfo>> FakeClient::serverResources() {
  std::lock_guard lock(mu_);
  return discovery_;
}

StatusOr<kube::RawResponse> FakeClient::raw(const kube::RawRequest&) {
  return unimplementedError("fake: raw requests");
}

void FakeClient::registerKind(const kube::ResourceInfo& info) {
  std::lock_guard lock(mu_);
  std::erase_if(discovery_, [&](const kube::ResourceInfo& r) { return r.gvr == info.gvr; });
  discovery_.push_back(info);
}

void FakeClient::setDiscovery(std::vector<kube::ResourceInfo> resources) {
  std::lock_guard lock(mu_);
  discovery_ = std::move(resources);
}

void FakeClient::injectError(Verb verb, Status status, int times) {
  std::lock_guard lock(mu_);
  errors_[verb] = InjectedError{std::move(status), times};
}

void FakeClient::clearErrors() {
  std::lock_guard lock(mu_);
  errors_.clear();
}

int FakeClient::calls(Verb verb) const {
  std::lock_guard lock(mu_);
  auto it = calls_.find(verb);
  return it == calls_.end() ? 0 : it->second;
}

void FakeClient::closeWatches() {
  std::lock_guard lock(mu_);
  ++watch_generation_;
  cv_.notify_all();
}

void FakeClient::compactHistory() {
  std::lock_guard lock(mu_);
  compacted_rv_ = rv_;
  history_.clear();
}

void FakeClient::sendBookmark(const GroupVersionResource& gvr) {
  std::lock_guard lock(mu_);
  Object bookmark;
  bookmark.setResourceVersion(std::to_string(rv_));
  recordLocked(gvr, WatchEventType::kBookmark, bookmark);
}

int FakeClient::activeWatches() const {
  std::lock_guard lock(mu_);
  return active_watches_;
}

bool FakeClient::waitForWatches(int n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return active_watches_ >= n; });
}

std::vector<std::string> FakeClient::watchResourceVersions() const {
  std::lock_guard lock(mu_);
  return watch_rvs_;
}

int64_t FakeClient::resourceVersion() const {
  std::lock_guard lock(mu_);
  return rv_;
}

}  // namespace serin::testing
