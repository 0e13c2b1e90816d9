#include "rate_limiter.h"

#include <algorithm>

namespace serin::kube::internal {

RateLimiter::RateLimiter(double qps, int burst, util::Clock& clock)
    : qps_(qps), burst_(std::max(1, burst)), clock_(clock), tokens_(burst_), last_(clock.now()) {}

bool RateLimiter::acquire(std::stop_token stop) {
  if (qps_ <= 0) return true;
  util::Clock::TimePoint deadline;
  {
    std::lock_guard lock(mu_);
    auto now = clock_.now();
    if (now > last_) {
      std::chrono::duration<double> elapsed = now - last_;
      tokens_ = std::min(burst_, tokens_ + elapsed.count() * qps_);
      last_ = now;
    }
    tokens_ -= 1;
    if (tokens_ >= 0) return true;
    // Reserve the token now and wait for the bucket to refill to it.
    auto wait = std::chrono::duration<double>(-tokens_ / qps_);
    deadline = now + std::chrono::duration_cast<util::Clock::Duration>(wait);
  }
  return clock_.sleepUntil(deadline, stop);
}

}  // namespace serin::kube::internal
