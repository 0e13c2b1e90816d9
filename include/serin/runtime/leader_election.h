// LeaderElector: one active replica among several, through a coordination.k8s.io/v1 Lease.
//
// Serin runs with replicas for availability, but two controllers acting on the same Rollout
// would fight. Each replica runs a LeaderElector on the same Lease; the holder renews it every
// retryPeriod, the others watch it expire. This follows client-go's leaderelection package:
//   - a Lease held by someone else is taken only once it has not changed for leaseDuration,
//     measured on this replica's injected Clock from when this replica last saw it change
//     (not from renewTime, so clock skew between replicas does not matter);
//   - an empty holderIdentity (a released lease) is free at once;
//   - the leader renews every retryPeriod and steps down when it could not renew within
//     renewDeadline (so it stops acting before anyone else may take over);
//   - on shutdown the leader releases the lease by clearing holderIdentity, so a successor
//     takes over immediately instead of waiting for expiry.
// Record fields: holderIdentity, leaseDurationSeconds, acquireTime and renewTime (MicroTime),
// leaseTransitions (incremented when the holder changes).
//
// Threading: run() blocks the calling thread. onStartedLeading runs on its own thread with a
// stop_token that is requested when leadership ends; run() waits for it to return before
// calling onStoppedLeading, so the callback must honour its token promptly. onNewLeader is
// called on run()'s thread. isLeader()/leader() may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

#include "serin/kube/client.h"
#include "serin/util/clock.h"

namespace serin::runtime {

struct LeaderElectionConfig {
  std::string leaseNamespace;
  std::string leaseName;
  std::string identity;  // unique per replica, e.g. the pod name
  util::Clock::Duration leaseDuration = std::chrono::seconds(15);
  util::Clock::Duration renewDeadline = std::chrono::seconds(10);
  util::Clock::Duration retryPeriod = std::chrono::seconds(2);
  bool releaseOnCancel = true;
  util::Clock* clock = nullptr;  // default: the real clock; not owned

  std::function<void(std::stop_token)> onStartedLeading;
  std::function<void()> onStoppedLeading;
  std::function<void(const std::string& identity)> onNewLeader;
};

inline const kube::GroupVersionResource kLeaseResource{"coordination.k8s.io", "v1", "leases"};

class LeaderElector {
 public:
  // `client` must outlive the elector. Invalid configs (empty identity or lease name,
  // leaseDuration <= renewDeadline, renewDeadline <= retryPeriod) are reported by run().
  LeaderElector(kube::Client& client, LeaderElectionConfig config);

  // Campaigns until leading, leads until the lease is lost or `stop` is requested, then
  // releases (when configured) and returns. OK on a normal end; Invalid for a bad config.
  Status run(std::stop_token stop);

  bool isLeader() const;
  // The last observed holder ("" when none).
  std::string leader() const;

 private:
  struct Record {
    std::string holder;
    int leaseDurationSeconds = 0;
    std::string acquireTime;
    std::string renewTime;
    int64_t transitions = 0;
  };

  Status validate() const;
  bool acquire(std::stop_token stop);
  void renewUntilLost(std::stop_token stop);
  // One round of client-go's tryAcquireOrRenew: true when we hold the lease afterwards.
  bool tryAcquireOrRenew();
  void release();
  void observe(const Record& record, const std::string& resource_version);
  static Record recordOf(const kube::Object& lease);
  kube::Object leaseWith(const Record& record) const;

  kube::Client& client_;
  LeaderElectionConfig config_;
  util::Clock& clock_;

  mutable std::mutex mu_;
  std::optional<Record> observed_;
  std::string observed_rv_;
  util::Clock::TimePoint observed_at_{};
  bool leading_ = false;
  std::string reported_leader_;  // last identity passed to onNewLeader
};

}  // namespace serin::runtime
