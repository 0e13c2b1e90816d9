// Shutdown signals: SIGTERM/SIGINT as a std::stop_source request, and a bounded graceful stop.
//
// The kubelet sends SIGTERM and waits terminationGracePeriodSeconds before SIGKILL. Serin must
// notice, stop taking new work, let in-flight reconciles finish, release its leader lease and
// exit within that grace period. Signal handlers can do almost nothing safely, so the handler
// only write()s the signal number to a self-pipe; a watcher thread reads it and requests stop
// on the given std::stop_source, where everything else can react with ordinary code. A second
// signal while shutting down exits at once with status 1 (as controller-runtime does), unless
// disabled.
//
// Threading: one SignalWatcher per process at a time (install() fails with FailedPrecondition
// otherwise). The destructor restores the previous handlers and joins the watcher thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "serin/util/clock.h"
#include "serin/util/status.h"

namespace serin::runtime {

class SignalWatcher {
 public:
  // Handles SIGTERM and SIGINT from now on. Internal when the pipe or handlers cannot be set.
  static StatusOr<std::unique_ptr<SignalWatcher>> install(std::stop_source stop,
                                                          bool exit_on_second_signal = true);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  // The first signal received (SIGTERM, SIGINT), 0 when none yet.
  int receivedSignal() const { return received_.load(); }

 private:
  SignalWatcher(std::stop_source stop, bool exit_on_second_signal);
  void watch(std::stop_token own_stop);

  std::stop_source stop_;
  bool exit_on_second_signal_;
  std::atomic<int> received_{0};
  std::jthread thread_;
};

// One step of a graceful shutdown, run in order ("stop controllers", "release lease", ...).
struct ShutdownStep {
  std::string name;
  std::function<void()> run;
};

// Runs `steps` in order on a helper thread and waits for them until `deadline` passes on
// `clock`. DeadlineExceeded names the step still running when time ran out; that step's thread
// is detached (the process is about to exit), so steps must not capture stack state of the
// caller by reference unless it outlives the process. OK when every step finished in time.
Status gracefulShutdown(std::vector<ShutdownStep> steps, util::Clock::Duration deadline,
                        util::Clock& clock);

}  // namespace serin::runtime
