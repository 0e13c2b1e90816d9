#include "serin/runtime/work_queue.h"

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace serin::runtime {
namespace {

using namespace std::chrono_literals;

class RecordingObserver : public WorkQueueObserver {
 public:
  void depth(std::size_t items) override { last_depth = items; }
  void added() override { ++adds; }
  void retried() override { ++retries; }
  std::atomic<std::size_t> last_depth{0};
  std::atomic<int> adds{0};
  std::atomic<int> retries{0};
};

class WorkQueueTest : public ::testing::Test {
 protected:
  WorkQueueOptions options() {
    WorkQueueOptions o;
    o.name = "test";
    o.clock = &clock_;
    return o;
  }
  // Waits (briefly, real time) until the queue holds `n` ready keys.
  static bool waitForLen(const WorkQueue& q, std::size_t n) {
    for (int i = 0; i < 2000 && q.len() != n; ++i) std::this_thread::sleep_for(1ms);
    return q.len() == n;
  }
  util::ManualClock clock_;
};

TEST_F(WorkQueueTest, AddDedupesQueuedKeys) {
  WorkQueue q(options());
  q.add("ns/a");
  q.add("ns/a");
  q.add("ns/b");
  EXPECT_EQ(q.len(), 2u);
  EXPECT_EQ(q.get(), "ns/a");
  EXPECT_EQ(q.get(), "ns/b");
}

TEST_F(WorkQueueTest, KeyReaddedDuringProcessingIsQueuedAgainAfterDone) {
  WorkQueue q(options());
  q.add("ns/a");
  auto key = q.get();
  ASSERT_EQ(key, "ns/a");
  q.add("ns/a");
  q.add("ns/a");
  EXPECT_EQ(q.len(), 0u) << "a key being processed must not be handed to a second worker";
  q.done("ns/a");
  EXPECT_EQ(q.len(), 1u);
  EXPECT_EQ(q.get(), "ns/a");
  q.done("ns/a");
  EXPECT_EQ(q.len(), 0u);
}

TEST_F(WorkQueueTest, AddAfterFiresWhenTheClockAdvances) {
  WorkQueue q(options());
  q.addAfter("ns/a", 10s);
  q.addAfter("ns/b", 5s);
  while (clock_.sleepers() == 0) std::this_thread::yield();
  EXPECT_EQ(q.len(), 0u);
  clock_.advance(5s);
  ASSERT_TRUE(waitForLen(q, 1));
  EXPECT_EQ(q.get(), "ns/b");
  clock_.advance(5s);
  EXPECT_EQ(q.get(), "ns/a");
}

TEST_F(WorkQueueTest, EarlierAddAfterWakesTheDelayThread) {
  WorkQueue q(options());
  q.addAfter("ns/late", 1h);
  while (clock_.sleepers() == 0) std::this_thread::yield();
  q.addAfter("ns/soon", 1s);
  q.addAfter("ns/late", 2s);  // an earlier deadline for a waiting key wins
  clock_.advance(2s);
  ASSERT_TRUE(waitForLen(q, 2));
  EXPECT_EQ(q.get(), "ns/soon");
  EXPECT_EQ(q.get(), "ns/late");
}

TEST_F(WorkQueueTest, RateLimitedBackoffDoublesUpToTheCap) {
  auto o = options();
  o.baseDelay = 5ms;
  o.maxDelay = 100ms;
  WorkQueue q(o);
  EXPECT_EQ(q.when("k"), 5ms);
  EXPECT_EQ(q.when("k"), 10ms);
  EXPECT_EQ(q.when("k"), 20ms);
  EXPECT_EQ(q.when("k"), 40ms);
  EXPECT_EQ(q.when("k"), 80ms);
  EXPECT_EQ(q.when("k"), 100ms);
  EXPECT_EQ(q.when("k"), 100ms);
  EXPECT_EQ(q.numRequeues("k"), 7);
  EXPECT_EQ(q.when("other"), 5ms) << "backoff is per key";
}

TEST_F(WorkQueueTest, DefaultBackoffMatchesClientGo) {
  WorkQueue q(options());
  EXPECT_EQ(q.when("k"), 5ms);
  for (int i = 0; i < 40; ++i) (void)q.when("k");
  EXPECT_EQ(q.when("k"), 1000s);
}

TEST_F(WorkQueueTest, AddRateLimitedWaitsForTheBackoffAndForgetResets) {
  auto observer = std::make_shared<RecordingObserver>();
  auto o = options();
  o.observer = observer;
  WorkQueue q(o);
  q.addRateLimited("k");  // 5ms
  while (clock_.sleepers() == 0) std::this_thread::yield();
  clock_.advance(4ms);
  EXPECT_EQ(q.len(), 0u);
  clock_.advance(1ms);
  EXPECT_EQ(q.get(), "k");
  q.done("k");
  EXPECT_EQ(q.numRequeues("k"), 1);
  EXPECT_EQ(observer->retries.load(), 1);
  q.forget("k");
  EXPECT_EQ(q.numRequeues("k"), 0);
  EXPECT_EQ(q.when("k"), 5ms);
}

TEST_F(WorkQueueTest, ShutdownWakesBlockedGetters) {
  WorkQueue q(options());
  std::atomic<int> woke{0};
  std::vector<std::jthread> getters;
  for (int i = 0; i < 3; ++i) {
    getters.emplace_back([&] {
      if (!q.get()) ++woke;
    });
  }
  q.shutDown();
  getters.clear();
  EXPECT_EQ(woke.load(), 3);
  q.add("ignored");
  EXPECT_EQ(q.len(), 0u);
}

TEST_F(WorkQueueTest, ShutdownStillHandsOutQueuedKeys) {
  WorkQueue q(options());
  q.add("a");
  q.shutDown();
  EXPECT_EQ(q.get(), "a");
  EXPECT_EQ(q.get(), std::nullopt);
}

TEST_F(WorkQueueTest, ShutDownWithDrainWaitsForInFlightWork) {
  WorkQueue q(options());
  q.add("a");
  auto key = q.get();
  std::atomic<bool> drained{false};
  std::jthread drainer([&] {
    q.shutDownWithDrain();
    drained = true;
  });
  while (!q.shuttingDown()) std::this_thread::yield();
  std::this_thread::sleep_for(5ms);
  EXPECT_FALSE(drained.load());
  q.done(*key);
  drainer.join();
  EXPECT_TRUE(drained.load());
}

TEST_F(WorkQueueTest, ObserverSeesAddsAndDepth) {
  auto observer = std::make_shared<RecordingObserver>();
  auto o = options();
  o.observer = observer;
  WorkQueue q(o);
  q.add("a");
  q.add("a");
  q.add("b");
  EXPECT_EQ(observer->adds.load(), 2);
  EXPECT_EQ(observer->last_depth.load(), 2u);
  (void)q.get();
  EXPECT_EQ(observer->last_depth.load(), 1u);
}

}  // namespace
}  // namespace serin::runtime
