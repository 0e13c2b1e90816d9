#include "serin/runtime/controller.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

namespace serin::runtime {
namespace {

using namespace std::chrono_literals;

// Replays scripted outcomes (then succeeds) and records every call.
class ScriptedReconciler : public Reconciler {
 public:
  using Step = std::function<StatusOr<Result>()>;
  void script(std::deque<Step> steps) { steps_ = std::move(steps); }

  StatusOr<Result> reconcile(const std::string& key) override {
    Step step;
    {
      std::lock_guard lock(mu_);
      keys_.push_back(key);
      if (!steps_.empty()) {
        step = std::move(steps_.front());
        steps_.pop_front();
      }
    }
    try {
      StatusOr<Result> out = step ? step() : StatusOr<Result>(Result{});
      finish();
      return out;
    } catch (...) {
      finish();
      throw;
    }
  }
  void finish() {
    std::lock_guard lock(mu_);
    ++finished_;
    cv_.notify_all();
  }
  bool waitForCalls(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 5s, [&] { return finished_ >= n; });
  }
  int calls() {
    std::lock_guard lock(mu_);
    return static_cast<int>(keys_.size());
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Step> steps_;
  std::vector<std::string> keys_;
  int finished_ = 0;
};

class CountingObserver : public ControllerObserver {
 public:
  void reconciled(const std::string& result, double) override {
    std::lock_guard lock(mu_);
    ++results[result];
  }
  void reconcileError() override { ++errors; }
  int count(const std::string& result) {
    std::lock_guard lock(mu_);
    return results[result];
  }
  std::atomic<int> errors{0};

 private:
  std::mutex mu_;
  std::map<std::string, int> results;
};

class ControllerTest : public ::testing::Test {
 protected:
  ControllerOptions options(int workers = 1) {
    ControllerOptions o;
    o.name = "test";
    o.workers = workers;
    o.clock = &clock_;
    o.observer = observer_;
    return o;
  }
  // Waits until the queue's delay thread parks on the clock with a delayed key.
  void waitForDelayedKey() {
    for (int i = 0; i < 5000 && clock_.sleepers() == 0; ++i) std::this_thread::sleep_for(1ms);
    ASSERT_GT(clock_.sleepers(), 0u);
  }
  util::ManualClock clock_;
  std::shared_ptr<CountingObserver> observer_ = std::make_shared<CountingObserver>();
  ScriptedReconciler reconciler_;
};

TEST_F(ControllerTest, ErrorsAreRetriedWithGrowingBackoffAndSuccessForgets) {
  reconciler_.script({[] { return StatusOr<Result>(unavailableError("apiserver down")); },
                      [] { return StatusOr<Result>(conflictError("stale")); }});
  Controller controller(options(), reconciler_);
  controller.start();
  controller.enqueue("ns/a");
  ASSERT_TRUE(reconciler_.waitForCalls(1));
  waitForDelayedKey();
  EXPECT_EQ(controller.queue().numRequeues("ns/a"), 1);
  clock_.advance(5ms);  // first backoff: 5ms
  ASSERT_TRUE(reconciler_.waitForCalls(2));
  waitForDelayedKey();
  clock_.advance(9ms);  // second backoff is 10ms: not yet
  std::this_thread::sleep_for(10ms);
  EXPECT_EQ(reconciler_.calls(), 2);
  clock_.advance(1ms);
  ASSERT_TRUE(reconciler_.waitForCalls(3));
  controller.stop();
  EXPECT_EQ(controller.queue().numRequeues("ns/a"), 0) << "success forgets the backoff";
  EXPECT_EQ(observer_->errors.load(), 2);
  EXPECT_EQ(observer_->count("error"), 2);
  EXPECT_EQ(observer_->count("success"), 1);
}

TEST_F(ControllerTest, RequeueAfterSchedulesTheKey) {
  reconciler_.script({[] { return StatusOr<Result>(Result{false, 30s}); }});
  Controller controller(options(), reconciler_);
  controller.start();
  controller.enqueue("ns/a");
  ASSERT_TRUE(reconciler_.waitForCalls(1));
  waitForDelayedKey();
  clock_.advance(29s);
  std::this_thread::sleep_for(5ms);
  EXPECT_EQ(reconciler_.calls(), 1);
  clock_.advance(1s);
  ASSERT_TRUE(reconciler_.waitForCalls(2));
  controller.stop();  // joins the workers: their metric calls are done
  EXPECT_EQ(observer_->count("requeue_after"), 1);
  EXPECT_EQ(observer_->errors.load(), 0);
}

TEST_F(ControllerTest, RequeueRetriesWithBackoffWithoutCountingAnError) {
  reconciler_.script({[] { return StatusOr<Result>(Result{true, {}}); }});
  Controller controller(options(), reconciler_);
  controller.start();
  controller.enqueue("ns/a");
  ASSERT_TRUE(reconciler_.waitForCalls(1));
  waitForDelayedKey();
  clock_.advance(5ms);
  ASSERT_TRUE(reconciler_.waitForCalls(2));
  controller.stop();
  EXPECT_EQ(observer_->count("requeue"), 1);
  EXPECT_EQ(observer_->errors.load(), 0);
}

TEST_F(ControllerTest, AThrowingReconcilerIsContainedAndRetried) {
  reconciler_.script({[]() -> StatusOr<Result> { throw std::runtime_error("boom"); },
                      []() -> StatusOr<Result> { throw 42; }});
  Controller controller(options(), reconciler_);
  controller.start();
  controller.enqueue("ns/a");
  ASSERT_TRUE(reconciler_.waitForCalls(1));
  waitForDelayedKey();
  clock_.advance(5ms);
  ASSERT_TRUE(reconciler_.waitForCalls(2));
  waitForDelayedKey();
  clock_.advance(10ms);
  ASSERT_TRUE(reconciler_.waitForCalls(3));
  controller.stop();
  EXPECT_EQ(observer_->errors.load(), 2);
  EXPECT_EQ(observer_->count("success"), 1);
}

// Tracks keys in flight; fails the test if one is reconciled twice at the same time.
class ConcurrencyCheckingReconciler : public Reconciler {
 public:
  StatusOr<Result> reconcile(const std::string& key) override {
    {
      std::lock_guard lock(mu_);
      if (!in_flight_.insert(key).second) overlapped_ = true;
      max_parallel_ = std::max(max_parallel_, in_flight_.size());
    }
    std::this_thread::sleep_for(200us);  // widen the window for an overlap
    std::lock_guard lock(mu_);
    in_flight_.erase(key);
    ++done_;
    return Result{};
  }
  std::mutex mu_;
  std::set<std::string> in_flight_;
  bool overlapped_ = false;
  std::size_t max_parallel_ = 0;
  int done_ = 0;
};

TEST_F(ControllerTest, WorkersNeverReconcileTheSameKeyConcurrently) {
  ConcurrencyCheckingReconciler reconciler;
  Controller controller(options(4), reconciler);
  controller.start();
  std::vector<std::jthread> producers;
  for (int p = 0; p < 3; ++p) {
    producers.emplace_back([&] {
      for (int i = 0; i < 300; ++i) controller.enqueue("ns/k" + std::to_string(i % 5));
    });
  }
  producers.clear();
  for (int i = 0; i < 5000; ++i) {
    if (controller.queue().len() == 0) break;
    std::this_thread::sleep_for(1ms);
  }
  controller.queue().shutDownWithDrain();
  controller.stop();
  std::lock_guard lock(reconciler.mu_);
  EXPECT_FALSE(reconciler.overlapped_);
  EXPECT_GT(reconciler.done_, 0);
  EXPECT_LE(reconciler.max_parallel_, 4u);
}

TEST_F(ControllerTest, StopJoinsWorkersBlockedOnAnEmptyQueue) {
  Controller controller(options(3), reconciler_);
  controller.start();
  controller.stop();
  controller.stop();  // idempotent
  SUCCEED();
}

TEST(OwnerKeyTest, EnqueuesTheControllerOwnerOfTheRequestedKind) {
  kube::Object rs("apps/v1", "ReplicaSet", "prod", "web-abc");
  EXPECT_EQ(ownerKey(rs, "Rollout"), "");
  rs.addOwnerReference({"argoproj.io/v1alpha1", "Rollout", "web", "uid-1", true, true});
  EXPECT_EQ(ownerKey(rs, "Rollout"), "prod/web");
  EXPECT_EQ(ownerKey(rs, "Rollout", "argoproj.io"), "prod/web");
  EXPECT_EQ(ownerKey(rs, "Rollout", "apps"), "");
  EXPECT_EQ(ownerKey(rs, "Deployment"), "");
}

TEST_F(ControllerTest, EventHandlersEnqueueObjectAndOwnerKeys) {
  Controller controller(options(), reconciler_);
  auto own = controller.enqueueObjectHandler();
  auto owner = controller.enqueueOwnerHandler("Rollout");
  auto pod = std::make_shared<const kube::Object>("v1", "Pod", "prod", "p1");
  kube::Object rs_obj("apps/v1", "ReplicaSet", "prod", "web-abc");
  rs_obj.addOwnerReference({"argoproj.io/v1alpha1", "Rollout", "web", "uid-1", true, true});
  auto rs = std::make_shared<const kube::Object>(rs_obj);
  own.onAdd(pod);
  owner.onUpdate(rs, rs);
  owner.onDelete(pod, true);  // no owner: ignored
  EXPECT_EQ(controller.queue().len(), 2u);
  EXPECT_EQ(controller.queue().get(), "prod/p1");
  EXPECT_EQ(controller.queue().get(), "prod/web");
}

}  // namespace
}  // namespace serin::runtime
