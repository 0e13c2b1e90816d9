#include "serin/runtime/signals.h"

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

namespace serin::runtime {
namespace {

using namespace std::chrono_literals;

TEST(SignalsTest, SigtermRequestsStop) {
  std::stop_source stop;
  auto watcher = SignalWatcher::install(stop, /*exit_on_second_signal=*/false);
  ASSERT_TRUE(watcher.isOk()) << watcher.status();
  EXPECT_TRUE(SignalWatcher::install(stop).status().is(StatusCode::kFailedPrecondition));

  std::mutex mu;
  std::condition_variable_any cv;
  std::stop_callback wake(stop.get_token(), [&] {
    std::lock_guard lock(mu);
    cv.notify_all();
  });
  ASSERT_EQ(std::raise(SIGTERM), 0);
  std::unique_lock lock(mu);
  EXPECT_TRUE(cv.wait_for(lock, 5s, [&] { return stop.stop_requested(); }));
  EXPECT_EQ((*watcher)->receivedSignal(), SIGTERM);
}

TEST(SignalsTest, HandlersAreRemovedWithTheWatcher) {
  std::stop_source stop;
  {
    auto watcher = SignalWatcher::install(stop);
    ASSERT_TRUE(watcher.isOk());
  }
  auto again = SignalWatcher::install(stop);
  EXPECT_TRUE(again.isOk()) << "a new watcher can be installed once the old one is gone";
}

TEST(GracefulShutdownTest, RunsStepsInOrderWithinTheDeadline) {
  util::ManualClock clock;
  std::vector<std::string> ran;
  Status s = gracefulShutdown({{"controllers", [&] { ran.push_back("controllers"); }},
                               {"lease", [&] { ran.push_back("lease"); }}},
                              30s, clock);
  EXPECT_TRUE(s.isOk());
  EXPECT_EQ(ran, (std::vector<std::string>{"controllers", "lease"}));
}

TEST(GracefulShutdownTest, AStuckStepExceedsTheDeadline) {
  util::ManualClock clock;
  struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
  };
  auto gate = std::make_shared<Gate>();
  std::jthread advancer([&] {
    while (clock.sleepers() == 0) std::this_thread::sleep_for(1ms);
    clock.advance(31s);
  });
  Status s = gracefulShutdown({{"stuck",
                                [gate] {
                                  std::unique_lock lock(gate->mu);
                                  gate->cv.wait(lock, [&] { return gate->open; });
                                }}},
                              30s, clock);
  EXPECT_TRUE(s.is(StatusCode::kDeadlineExceeded));
  EXPECT_NE(s.message().find("stuck"), std::string::npos);
  {
    std::lock_guard lock(gate->mu);
    gate->open = true;
  }
  gate->cv.notify_all();
}

}  // namespace
}  // namespace serin::runtime
