#include "serin/runtime/signals.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <mutex>

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <unistd.h>

namespace serin::runtime {
namespace {

// Process-wide state touched by the signal handler: only lock-free atomics.
std::atomic<int> g_write_fd{-1};
std::atomic<bool> g_installed{false};
int g_read_fd = -1;
struct sigaction g_old_term {};
struct sigaction g_old_int {};

constexpr unsigned char kWakeByte = 0;  // the destructor's "stop watching", never a signal

extern "C" void onShutdownSignal(int sig) {
  int saved_errno = errno;
  unsigned char byte = static_cast<unsigned char>(sig);
  int fd = g_write_fd.load();
  if (fd >= 0) {
    [[maybe_unused]] auto ignored = ::write(fd, &byte, 1);
  }
  errno = saved_errno;
}

Status installHandlers() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return internalError("signals: pipe2 failed");
  ::fcntl(fds[1], F_SETFL, O_NONBLOCK);  // a full pipe must never block the handler
  g_read_fd = fds[0];
  g_write_fd = fds[1];
  struct sigaction action {};
  action.sa_handler = onShutdownSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  if (::sigaction(SIGTERM, &action, &g_old_term) != 0 ||
      ::sigaction(SIGINT, &action, &g_old_int) != 0) {
    return internalError("signals: sigaction failed");
  }
  return Status::ok();
}

void uninstallHandlers() {
  ::sigaction(SIGTERM, &g_old_term, nullptr);
  ::sigaction(SIGINT, &g_old_int, nullptr);
  int write_fd = g_write_fd.exchange(-1);
  ::close(write_fd);
  ::close(g_read_fd);
  g_read_fd = -1;
}

}  // namespace

StatusOr<std::unique_ptr<SignalWatcher>> SignalWatcher::install(std::stop_source stop,
                                                                bool exit_on_second_signal) {
  if (g_installed.exchange(true)) {
    return failedPreconditionError("a SignalWatcher is already installed");
  }
  if (Status s = installHandlers(); !s.isOk()) {
    g_installed = false;
    return s;
  }
  return std::unique_ptr<SignalWatcher>(new SignalWatcher(std::move(stop), exit_on_second_signal));
}

SignalWatcher::SignalWatcher(std::stop_source stop, bool exit_on_second_signal)
    : stop_(std::move(stop)),
      exit_on_second_signal_(exit_on_second_signal),
      thread_([this](std::stop_token own_stop) { watch(own_stop); }) {}

SignalWatcher::~SignalWatcher() {
  thread_.request_stop();
  unsigned char byte = kWakeByte;
  [[maybe_unused]] auto ignored = ::write(g_write_fd.load(), &byte, 1);
  thread_.join();
  uninstallHandlers();
  g_installed = false;
}

void SignalWatcher::watch(std::stop_token own_stop) {
  while (!own_stop.stop_requested()) {
    unsigned char byte = 0;
    ssize_t n = ::read(g_read_fd, &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || byte == kWakeByte) return;
    int sig = byte;
    int expected = 0;
    if (received_.compare_exchange_strong(expected, sig)) {
      spdlog::info("received signal {}; shutting down", sig);
      stop_.request_stop();
    } else if (exit_on_second_signal_) {
      spdlog::warn("received signal {} again; exiting now", sig);
      std::_Exit(1);
    }
  }
}

Status gracefulShutdown(std::vector<ShutdownStep> steps, util::Clock::Duration deadline,
                        util::Clock& clock) {
  struct Progress {
    std::mutex mu;
    std::string current;
    std::stop_source done;
  };
  auto progress = std::make_shared<Progress>();
  if (!steps.empty()) progress->current = steps.front().name;  // before the worker starts
  const auto until =
      clock.now() + std::chrono::duration_cast<util::Clock::TimePoint::duration>(deadline);
  std::thread worker([progress, steps = std::move(steps)] {
    for (const auto& step : steps) {
      {
        std::lock_guard lock(progress->mu);
        progress->current = step.name;
      }
      if (step.run) step.run();
    }
    progress->done.request_stop();
  });
  bool timed_out = clock.sleepUntil(until, progress->done.get_token());
  if (!timed_out || progress->done.stop_requested()) {
    worker.join();
    return Status::ok();
  }
  worker.detach();
  std::lock_guard lock(progress->mu);
  return deadlineExceededError("graceful shutdown: step \"" + progress->current +
                               "\" did not finish in time");
}

}  // namespace serin::runtime
