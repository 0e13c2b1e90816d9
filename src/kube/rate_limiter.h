// RateLimiter: the client-side QPS/burst token bucket (client-go's flowcontrol equivalent).
//
// Keeps one Serin process from flooding the API server: `burst` requests may go at once,
// then `qps` per second. Time is read from the injected Clock so tests can drive it.
// Private to src/kube.
//
// Thread-safety: acquire() may be called concurrently; waiters are served in arrival order
// because each one reserves its token (possibly driving the bucket into debt) before sleeping.
#pragma once

#include <mutex>
#include <stop_token>

#include "serin/util/clock.h"

namespace serin::kube::internal {

class RateLimiter {
 public:
  // qps <= 0 disables limiting.
  RateLimiter(double qps, int burst, util::Clock& clock);

  // Blocks until the caller may send one request. False when `stop` fired first.
  bool acquire(std::stop_token stop = {});

 private:
  double qps_;
  double burst_;
  util::Clock& clock_;
  std::mutex mu_;
  double tokens_;                // guarded by mu_; negative while callers wait
  util::Clock::TimePoint last_;  // guarded by mu_
};

}  // namespace serin::kube::internal
