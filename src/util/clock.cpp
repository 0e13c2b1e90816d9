#include "serin/util/clock.h"

#include <thread>

namespace serin::util {
namespace {

class RealClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }

  bool sleepUntil(TimePoint deadline, std::stop_token stop) override {
    std::mutex mu;
    std::condition_variable_any cv;
    std::unique_lock lock(mu);
    // wait_until returns the predicate's value: true only when stop was requested.
    return !cv.wait_until(lock, stop, deadline, [] { return false; });
  }
};

}  // namespace

Clock& realClock() {
  static RealClock* clock = new RealClock();  // never destroyed: used by detached threads
  return *clock;
}

ManualClock::ManualClock(TimePoint start) : now_(start) {}

Clock::TimePoint ManualClock::now() const {
  std::lock_guard lock(mu_);
  return now_;
}

bool ManualClock::sleepUntil(TimePoint deadline, std::stop_token stop) {
  std::unique_lock lock(mu_);
  ++sleepers_;
  cv_.notify_all();  // sleepers() changed
  bool reached = cv_.wait(lock, stop, [&] { return now_ >= deadline; });
  --sleepers_;
  cv_.notify_all();
  return reached;
}

void ManualClock::advance(Duration d) {
  {
    std::lock_guard lock(mu_);
    now_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
  }
  cv_.notify_all();
}

void ManualClock::set(TimePoint t) {
  {
    std::lock_guard lock(mu_);
    now_ = t;
  }
  cv_.notify_all();
}

std::size_t ManualClock::sleepers() const {
  std::lock_guard lock(mu_);
  return sleepers_;
}

}  // namespace serin::util
