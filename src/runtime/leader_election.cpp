#include "serin/runtime/leader_election.h"

#include <thread>

#include <spdlog/spdlog.h>

#include "serin/util/time.h"

namespace serin::runtime {
namespace {

int64_t wholeSeconds(util::Clock::Duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

}  // namespace

LeaderElector::LeaderElector(kube::Client& client, LeaderElectionConfig config)
    : client_(client),
      config_(std::move(config)),
      clock_(config_.clock != nullptr ? *config_.clock : util::realClock()) {}

Status LeaderElector::validate() const {
  if (config_.identity.empty()) return invalidError("leader election: identity is required");
  if (config_.leaseName.empty()) return invalidError("leader election: lease name is required");
  if (config_.leaseDuration <= config_.renewDeadline) {
    return invalidError("leader election: leaseDuration must exceed renewDeadline");
  }
  if (config_.renewDeadline <= config_.retryPeriod) {
    return invalidError("leader election: renewDeadline must exceed retryPeriod");
  }
  return Status::ok();
}

bool LeaderElector::isLeader() const {
  std::lock_guard lock(mu_);
  return leading_;
}

std::string LeaderElector::leader() const {
  std::lock_guard lock(mu_);
  return observed_ ? observed_->holder : std::string();
}

Status LeaderElector::run(std::stop_token stop) {
  RETURN_IF_ERROR(validate());
  if (!acquire(stop)) return Status::ok();
  spdlog::info("leader election: {} became leader of {}/{}", config_.identity,
               config_.leaseNamespace, config_.leaseName);
  std::jthread leading;
  if (config_.onStartedLeading) {
    leading = std::jthread([cb = config_.onStartedLeading](std::stop_token st) { cb(st); });
  }
  renewUntilLost(stop);
  leading.request_stop();
  if (leading.joinable()) leading.join();
  bool still_holder = isLeader();
  {
    std::lock_guard lock(mu_);
    leading_ = false;
  }
  if (still_holder && config_.releaseOnCancel) release();
  spdlog::info("leader election: {} stopped leading", config_.identity);
  if (config_.onStoppedLeading) config_.onStoppedLeading();
  return Status::ok();
}

bool LeaderElector::acquire(std::stop_token stop) {
  while (!stop.stop_requested()) {
    if (tryAcquireOrRenew()) return true;
    if (!clock_.sleepFor(config_.retryPeriod, stop)) return false;
  }
  return false;
}

void LeaderElector::renewUntilLost(std::stop_token stop) {
  auto last_renew = clock_.now();
  while (clock_.sleepFor(config_.retryPeriod, stop)) {
    if (tryAcquireOrRenew()) {
      last_renew = clock_.now();
      continue;
    }
    if (clock_.now() - last_renew >= config_.renewDeadline) {
      spdlog::warn("leader election: {} could not renew {}/{} within the renew deadline",
                   config_.identity, config_.leaseNamespace, config_.leaseName);
      std::lock_guard lock(mu_);
      leading_ = false;
      return;
    }
  }
}

LeaderElector::Record LeaderElector::recordOf(const kube::Object& lease) {
  Record r;
  const kube::Json* spec = lease.at("/spec");
  if (spec == nullptr || !spec->is_object()) return r;
  auto str = [&](const char* key) {
    auto it = spec->find(key);
    return it != spec->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto num = [&](const char* key) -> int64_t {
    auto it = spec->find(key);
    return it != spec->end() && it->is_number_integer() ? it->get<int64_t>() : 0;
  };
  r.holder = str("holderIdentity");
  r.leaseDurationSeconds = static_cast<int>(num("leaseDurationSeconds"));
  r.acquireTime = str("acquireTime");
  r.renewTime = str("renewTime");
  r.transitions = num("leaseTransitions");
  return r;
}

kube::Object LeaderElector::leaseWith(const Record& record) const {
  kube::Object lease("coordination.k8s.io/v1", "Lease", config_.leaseNamespace, config_.leaseName);
  lease.json()["spec"] = {{"holderIdentity", record.holder},
                          {"leaseDurationSeconds", record.leaseDurationSeconds},
                          {"acquireTime", record.acquireTime},
                          {"renewTime", record.renewTime},
                          {"leaseTransitions", record.transitions}};
  return lease;
}

void LeaderElector::observe(const Record& record, const std::string& resource_version) {
  std::string holder;
  {
    std::lock_guard lock(mu_);
    bool changed = !observed_ || observed_->holder != record.holder ||
                   observed_->renewTime != record.renewTime ||
                   observed_->acquireTime != record.acquireTime ||
                   observed_->transitions != record.transitions;
    if (changed) {
      observed_ = record;
      observed_at_ = clock_.now();
    }
    observed_rv_ = resource_version;
    if (record.holder == reported_leader_) return;
    reported_leader_ = holder = record.holder;
  }
  if (config_.onNewLeader && !holder.empty()) config_.onNewLeader(holder);
}

bool LeaderElector::tryAcquireOrRenew() {
  const auto now = clock_.now();
  Record mine{config_.identity, static_cast<int>(wholeSeconds(config_.leaseDuration)),
              util::formatRfc3339Micro(now), util::formatRfc3339Micro(now), 0};
  auto current = client_.get({kLeaseResource, config_.leaseNamespace, config_.leaseName, ""});
  if (!current.isOk()) {
    if (!current.status().is(StatusCode::kNotFound)) {
      spdlog::warn("leader election: reading lease: {}", current.status().toString());
      return false;
    }
    auto created = client_.create(kLeaseResource, config_.leaseNamespace, leaseWith(mine));
    if (!created.isOk()) return false;  // someone else created it first
    observe(mine, created->resourceVersion());
    std::lock_guard lock(mu_);
    leading_ = true;
    return true;
  }
  Record old = recordOf(*current);
  observe(old, current->resourceVersion());
  const bool ours = old.holder == config_.identity;
  {
    std::lock_guard lock(mu_);
    if (!old.holder.empty() && !ours && observed_at_ + config_.leaseDuration > now) {
      leading_ = false;
      return false;  // held by a live leader
    }
  }
  if (ours) {
    mine.acquireTime = old.acquireTime;
    mine.transitions = old.transitions;
  } else {
    mine.transitions = old.transitions + 1;
  }
  kube::Object lease = *current;
  lease.json()["spec"] = leaseWith(mine).json()["spec"];
  auto updated =
      client_.update({kLeaseResource, config_.leaseNamespace, config_.leaseName, ""}, lease);
  if (!updated.isOk()) {
    spdlog::info("leader election: updating lease: {}", updated.status().toString());
    return false;
  }
  observe(mine, updated->resourceVersion());
  std::lock_guard lock(mu_);
  leading_ = true;
  return true;
}

void LeaderElector::release() {
  auto current = client_.get({kLeaseResource, config_.leaseNamespace, config_.leaseName, ""});
  if (!current.isOk() || recordOf(*current).holder != config_.identity) return;
  Record old = recordOf(*current);
  const std::string now = util::formatRfc3339Micro(clock_.now());
  Record released{"", 1, now, now, old.transitions};
  kube::Object lease = *current;
  lease.json()["spec"] = leaseWith(released).json()["spec"];
  auto updated =
      client_.update({kLeaseResource, config_.leaseNamespace, config_.leaseName, ""}, lease);
  if (!updated.isOk()) {
    spdlog::warn("leader election: releasing lease: {}", updated.status().toString());
  }
}

}  // namespace serin::runtime
