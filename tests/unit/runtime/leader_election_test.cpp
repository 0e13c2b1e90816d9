#include "serin/runtime/leader_election.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "testing/fake_client.h"

namespace serin::runtime {
namespace {

using namespace std::chrono_literals;
using testing::FakeClient;

class LeaderElectionTest : public ::testing::Test {
 protected:
  LeaderElectionConfig config(const std::string& identity, bool release_on_cancel = true) {
    LeaderElectionConfig c;
    c.leaseNamespace = "serin-system";
    c.leaseName = "serin-controller";
    c.identity = identity;
    c.leaseDuration = 15s;
    c.renewDeadline = 10s;
    c.retryPeriod = 2s;
    c.releaseOnCancel = release_on_cancel;
    c.clock = &clock_;
    c.onNewLeader = [this](const std::string& id) {
      std::lock_guard lock(mu_);
      new_leaders_.push_back(id);
    };
    return c;
  }
  // Waits until `n` threads are parked on the clock (electors between rounds).
  void settle(std::size_t n) {
    for (int i = 0; i < 5000 && clock_.sleepers() < n; ++i) std::this_thread::sleep_for(1ms);
    ASSERT_GE(clock_.sleepers(), n);
  }
  // Advances the clock and waits until an elector has run its round and parked again.
  void step(util::Clock::Duration d) {
    int before = fake_.calls(testing::Verb::kGet);
    clock_.advance(d);
    ASSERT_TRUE(eventually([&] { return fake_.calls(testing::Verb::kGet) > before; }));
  }
  template <typename Pred>
  static bool eventually(Pred pred) {
    for (int i = 0; i < 5000 && !pred(); ++i) std::this_thread::sleep_for(1ms);
    return pred();
  }
  kube::Json leaseSpec() {
    auto lease = fake_.get({kLeaseResource, "serin-system", "serin-controller", ""});
    return lease.isOk() ? lease->json()["spec"] : kube::Json();
  }

  util::ManualClock clock_;
  FakeClient fake_{&clock_};
  std::mutex mu_;
  std::vector<std::string> new_leaders_;
};

TEST_F(LeaderElectionTest, RejectsInconsistentDurations) {
  auto c = config("a");
  c.renewDeadline = 20s;
  LeaderElector elector(fake_, c);
  std::stop_source stop;
  EXPECT_TRUE(elector.run(stop.get_token()).is(StatusCode::kInvalid));
}

TEST_F(LeaderElectionTest, OneLeadsAndTheOtherTakesOverAfterExpiry) {
  std::atomic<bool> a_started{false}, a_stopped{false};
  auto ca = config("a", /*release_on_cancel=*/false);
  ca.onStartedLeading = [&](std::stop_token) { a_started = true; };
  ca.onStoppedLeading = [&] { a_stopped = true; };
  LeaderElector a(fake_, ca);
  LeaderElector b(fake_, config("b"));

  std::stop_source stop_a;
  std::jthread run_a([&] { EXPECT_TRUE(a.run(stop_a.get_token()).isOk()); });
  ASSERT_TRUE(eventually([&] { return a.isLeader(); }));
  EXPECT_TRUE(eventually([&] { return a_started.load(); }));
  EXPECT_EQ(leaseSpec()["holderIdentity"], "a");
  EXPECT_EQ(leaseSpec()["leaseDurationSeconds"], 15);
  EXPECT_EQ(leaseSpec()["renewTime"].get<std::string>().size(),
            std::string("2023-11-14T22:13:20.000000Z").size())
      << "MicroTime carries six fractional digits";

  std::jthread run_b([&](std::stop_token st) { EXPECT_TRUE(b.run(st).isOk()); });
  settle(2);
  EXPECT_FALSE(b.isLeader());
  EXPECT_EQ(b.leader(), "a");

  // A dies without releasing: B must wait out the lease.
  stop_a.request_stop();
  run_a.join();
  EXPECT_TRUE(a_stopped.load());
  EXPECT_FALSE(a.isLeader());
  settle(1);
  auto waited = 0s;
  while (!b.isLeader() && waited < 40s) {
    step(2s);
    waited += 2s;
    settle(1);
  }
  EXPECT_TRUE(b.isLeader());
  EXPECT_GE(waited, 12s);
  EXPECT_LE(waited, 18s);
  EXPECT_EQ(leaseSpec()["holderIdentity"], "b");
  EXPECT_EQ(leaseSpec()["leaseTransitions"], 1);
  std::lock_guard lock(mu_);
  EXPECT_EQ(new_leaders_.back(), "b");
}

TEST_F(LeaderElectionTest, AReleasedLeaseIsTakenOverAtOnce) {
  LeaderElector a(fake_, config("a"));
  LeaderElector b(fake_, config("b"));
  std::stop_source stop_a;
  std::jthread run_a([&] { EXPECT_TRUE(a.run(stop_a.get_token()).isOk()); });
  ASSERT_TRUE(eventually([&] { return a.isLeader(); }));
  std::jthread run_b([&](std::stop_token st) { EXPECT_TRUE(b.run(st).isOk()); });
  settle(2);
  EXPECT_FALSE(b.isLeader());

  stop_a.request_stop();
  run_a.join();
  EXPECT_EQ(leaseSpec()["holderIdentity"], "") << "released on shutdown";
  settle(1);
  step(2s);  // B's next retry
  ASSERT_TRUE(eventually([&] { return b.isLeader(); }));
  EXPECT_EQ(leaseSpec()["holderIdentity"], "b");
}

TEST_F(LeaderElectionTest, TheLeaderRenewsAndStepsDownWhenItCannotRenew) {
  std::atomic<bool> stopped{false};
  auto c = config("a");
  c.onStoppedLeading = [&] { stopped = true; };
  LeaderElector a(fake_, c);
  std::jthread run_a([&](std::stop_token st) { EXPECT_TRUE(a.run(st).isOk()); });
  ASSERT_TRUE(eventually([&] { return a.isLeader(); }));
  settle(1);
  std::string first_renew = leaseSpec()["renewTime"];
  step(2s);
  ASSERT_TRUE(eventually([&] { return leaseSpec()["renewTime"] != first_renew; }));

  fake_.injectError(testing::Verb::kUpdate, unavailableError("apiserver down"), -1);
  for (int i = 0; i < 8 && !stopped.load(); ++i) {
    step(2s);
    ASSERT_TRUE(eventually([&] { return stopped.load() || clock_.sleepers() >= 1; }));
  }
  EXPECT_TRUE(eventually([&] { return stopped.load(); }));
  EXPECT_GE(fake_.calls(testing::Verb::kUpdate), 5) << "kept trying until the renew deadline";
  EXPECT_FALSE(a.isLeader());
}

}  // namespace
}  // namespace serin::runtime
