#include "serin/runtime/event_recorder.h"

#include <atomic>
#include <chrono>

#include <gtest/gtest.h>

#include "testing/fake_client.h"

namespace serin::runtime {
namespace {

using namespace std::chrono_literals;
using testing::FakeClient;
using testing::Verb;

const kube::GroupVersionResource kEvents{"", "v1", "events"};

class EventRecorderTest : public ::testing::Test {
 protected:
  EventRecorderOptions options() {
    EventRecorderOptions o;
    o.component = "serin";
    o.reportingInstance = "serin-0";
    o.clock = &clock_;
    return o;
  }
  kube::Object rollout() {
    kube::Object obj("argoproj.io/v1alpha1", "Rollout", "prod", "web");
    obj.setUid("uid-web");
    return obj;
  }
  std::vector<kube::Object> events() {
    auto list = fake_.list(kEvents, "prod");
    return list.isOk() ? list->items : std::vector<kube::Object>{};
  }
  util::ManualClock clock_;
  FakeClient fake_{&clock_};
};

TEST_F(EventRecorderTest, RepeatsAreAggregatedIntoOneEventWithACount) {
  EventRecorder recorder(fake_, options());
  recorder.warning(rollout(), "AnalysisFailed", "metric success-rate failed");
  ASSERT_TRUE(recorder.flush());
  auto first = events();
  ASSERT_EQ(first.size(), 1u);
  const std::string first_ts = first[0].json()["firstTimestamp"];
  clock_.advance(10s);
  recorder.warning(rollout(), "AnalysisFailed", "metric success-rate failed");
  recorder.warning(rollout(), "AnalysisFailed", "metric success-rate failed");
  ASSERT_TRUE(recorder.flush());

  auto all = events();
  ASSERT_EQ(all.size(), 1u);
  const auto& ev = all[0].json();
  EXPECT_EQ(ev["count"], 3);
  EXPECT_EQ(ev["type"], "Warning");
  EXPECT_EQ(ev["reason"], "AnalysisFailed");
  EXPECT_EQ(ev["involvedObject"]["kind"], "Rollout");
  EXPECT_EQ(ev["involvedObject"]["uid"], "uid-web");
  EXPECT_EQ(ev["source"]["component"], "serin");
  EXPECT_EQ(ev["reportingComponent"], "serin");
  EXPECT_EQ(ev["firstTimestamp"], first_ts);
  EXPECT_NE(ev["lastTimestamp"], first_ts);
  EXPECT_EQ(fake_.calls(Verb::kCreate), 1);
  EXPECT_EQ(fake_.calls(Verb::kPatch), 2);
}

TEST_F(EventRecorderTest, DifferentMessagesAreSeparateEvents) {
  EventRecorder recorder(fake_, options());
  recorder.normal(rollout(), "RolloutPaused", "paused at step 1");
  recorder.normal(rollout(), "RolloutPaused", "paused at step 3");
  ASSERT_TRUE(recorder.flush());
  EXPECT_EQ(events().size(), 2u);
}

TEST_F(EventRecorderTest, AnExpiredEventIsRecreated) {
  EventRecorder recorder(fake_, options());
  recorder.normal(rollout(), "Scaled", "scaled to 3");
  ASSERT_TRUE(recorder.flush());
  auto first = events();
  ASSERT_EQ(first.size(), 1u);
  ASSERT_TRUE(fake_.remove({kEvents, "prod", first[0].name(), ""}).isOk());
  recorder.normal(rollout(), "Scaled", "scaled to 3");
  ASSERT_TRUE(recorder.flush());
  auto again = events();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].json()["count"], 1);
}

TEST_F(EventRecorderTest, AFullQueueDropsAndCounts) {
  std::atomic<int> dropped{0};
  auto o = options();
  o.queueCapacity = 0;
  o.onDropped = [&] { ++dropped; };
  EventRecorder recorder(fake_, o);
  recorder.normal(rollout(), "Scaled", "scaled to 3");
  EXPECT_EQ(recorder.dropped(), 1u);
  EXPECT_EQ(dropped.load(), 1);
  ASSERT_TRUE(recorder.flush());
  EXPECT_TRUE(events().empty());
}

TEST_F(EventRecorderTest, ApiErrorsDoNotReachTheCaller) {
  fake_.injectError(Verb::kCreate, unavailableError("down"), 1);
  EventRecorder recorder(fake_, options());
  recorder.normal(rollout(), "Scaled", "scaled to 3");
  ASSERT_TRUE(recorder.flush());
  EXPECT_TRUE(events().empty());
  recorder.normal(rollout(), "Scaled", "scaled to 3");
  ASSERT_TRUE(recorder.flush());
  EXPECT_EQ(events().size(), 1u);
}

}  // namespace
}  // namespace serin::runtime
