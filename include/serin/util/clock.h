// Clock: the one source of time for everything that waits, schedules or stamps.
//
// Pauses, analysis intervals, backoffs, leases and deadlines all read time through an injected
// Clock, so tests drive time with ManualClock instead of sleeping. Kubernetes timestamps are
// wall-clock (RFC 3339), so the clock is expressed in std::chrono::system_clock time points.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <stop_token>

namespace serin::util {

class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  using Duration = std::chrono::nanoseconds;

  virtual ~Clock() = default;

  virtual TimePoint now() const = 0;

  // Blocks the calling thread until now() >= deadline or `stop` is requested.
  // Returns true when the deadline was reached, false when stopped first.
  virtual bool sleepUntil(TimePoint deadline, std::stop_token stop) = 0;

  bool sleepFor(Duration d, std::stop_token stop) { return sleepUntil(now() + d, stop); }
};

// The process's wall clock. A single shared instance; never destroyed.
Clock& realClock();

// A clock that only moves when told to. Sleepers wake when advance()/set() passes their
// deadline, so a test can step a controller through a 30s pause in microseconds.
class ManualClock : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint(std::chrono::seconds(1'700'000'000)));

  TimePoint now() const override;
  bool sleepUntil(TimePoint deadline, std::stop_token stop) override;

  void advance(Duration d);
  void set(TimePoint t);
  // Threads currently blocked in sleepUntil: lets a test wait until a worker is parked.
  std::size_t sleepers() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  TimePoint now_;
  std::size_t sleepers_ = 0;
};

}  // namespace serin::util
