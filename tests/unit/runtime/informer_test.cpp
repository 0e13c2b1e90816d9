#include "serin/runtime/informer.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "testing/fake_client.h"

namespace serin::runtime {
namespace {

using namespace std::chrono_literals;
using testing::FakeClient;
using testing::Verb;

const kube::GroupVersionResource kPods{"", "v1", "pods"};
const kube::GroupVersionResource kConfigMaps{"", "v1", "configmaps"};

kube::Object pod(const std::string& ns, const std::string& name, const std::string& app = "web") {
  kube::Object obj("v1", "Pod", ns, name);
  obj.setLabel("app", app);
  obj.json()["spec"] = {{"containers", {{{"name", "main"}, {"image", "nginx:1"}}}}};
  return obj;
}

// Records handler calls as "add ns/x", "update ns/x", "delete ns/x", "tombstone ns/x".
class Recorder {
 public:
  EventHandler handler() {
    EventHandler h;
    h.onAdd = [this](const ObjectPtr& obj) { record("add " + obj->key()); };
    h.onUpdate = [this](const ObjectPtr& old_obj, const ObjectPtr& obj) {
      record((old_obj == obj ? "resync " : "update ") + obj->key());
    };
    h.onDelete = [this](const ObjectPtr& obj, bool unknown) {
      record((unknown ? "tombstone " : "delete ") + obj->key());
    };
    return h;
  }
  bool waitFor(std::size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 5s, [&] { return events_.size() >= n; });
  }
  std::vector<std::string> events() {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  void record(std::string e) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
    cv_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> events_;
};

class InformerTest : public ::testing::Test {
 protected:
  InformerOptions options() {
    InformerOptions o;
    o.gvr = kPods;
    o.clock = &clock_;
    return o;
  }
  void create(const kube::Object& obj) { ASSERT_TRUE(fake_.create(kPods, obj.ns(), obj).isOk()); }
  void startSynced(Informer& informer) {
    informer.addEventHandler(recorder_.handler());
    informer.start();
    std::stop_source never;
    ASSERT_TRUE(informer.waitForCacheSync(never.get_token()));
    ASSERT_TRUE(fake_.waitForWatches(1));
  }
  void waitForSleepers(std::size_t n) {
    for (int i = 0; i < 5000 && clock_.sleepers() < n; ++i) std::this_thread::sleep_for(1ms);
    ASSERT_GE(clock_.sleepers(), n);
  }
  util::ManualClock clock_;
  FakeClient fake_{&clock_};
  Recorder recorder_;
};

TEST_F(InformerTest, InitialListIsDeliveredAsAddsAndSyncs) {
  create(pod("a", "one"));
  create(pod("b", "two"));
  Informer informer(fake_, options());
  EXPECT_FALSE(informer.hasSynced());
  startSynced(informer);
  EXPECT_TRUE(informer.hasSynced());
  ASSERT_TRUE(recorder_.waitFor(2));
  auto events = recorder_.events();
  std::sort(events.begin(), events.end());
  EXPECT_EQ(events, (std::vector<std::string>{"add a/one", "add b/two"}));
  EXPECT_EQ(informer.size(), 2u);
  ASSERT_NE(informer.get("a/one"), nullptr);
  EXPECT_EQ(informer.get("a/one")->name(), "one");
  EXPECT_EQ(informer.get("a/missing"), nullptr);
}

TEST_F(InformerTest, WatchEventsUpdateTheCacheAndCallHandlers) {
  Informer informer(fake_, options());
  startSynced(informer);
  create(pod("a", "one"));
  ASSERT_TRUE(recorder_.waitFor(1));
  auto updated = pod("a", "one", "api");
  ASSERT_TRUE(fake_.update({kPods, "a", "one", ""}, updated).isOk());
  ASSERT_TRUE(recorder_.waitFor(2));
  EXPECT_EQ(informer.get("a/one")->label("app"), "api");
  ASSERT_TRUE(fake_.remove({kPods, "a", "one", ""}).isOk());
  ASSERT_TRUE(recorder_.waitFor(3));
  EXPECT_EQ(recorder_.events(),
            (std::vector<std::string>{"add a/one", "update a/one", "delete a/one"}));
  EXPECT_EQ(informer.get("a/one"), nullptr);
  EXPECT_EQ(informer.lastResourceVersion(), std::to_string(fake_.resourceVersion()));
}

TEST_F(InformerTest, DroppedWatchResumesFromTheLastResourceVersionWithoutRelisting) {
  create(pod("a", "one"));
  Informer informer(fake_, options());
  startSynced(informer);
  create(pod("a", "two"));
  ASSERT_TRUE(recorder_.waitFor(2));
  const std::string last_rv = std::to_string(fake_.resourceVersion());

  fake_.closeWatches();
  for (int i = 0; i < 5000 && fake_.watchResourceVersions().size() < 2; ++i) {
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_EQ(fake_.watchResourceVersions().size(), 2u);
  EXPECT_EQ(fake_.watchResourceVersions()[1], last_rv);
  EXPECT_EQ(fake_.calls(Verb::kList), 1);

  create(pod("a", "three"));
  ASSERT_TRUE(recorder_.waitFor(3));
  EXPECT_EQ(recorder_.events(), (std::vector<std::string>{"add a/one", "add a/two", "add a/three"}))
      << "no duplicate adds after a resumed watch";
}

TEST_F(InformerTest, GoneTriggersARelistThatReconcilesTheCache) {
  create(pod("a", "stays"));
  create(pod("a", "vanishes"));
  create(pod("a", "changes"));
  Informer informer(fake_, options());
  startSynced(informer);
  ASSERT_TRUE(recorder_.waitFor(3));

  // Keep the informer off the stream while the world changes and the history is compacted.
  fake_.injectError(Verb::kWatch, unavailableError("connection refused"), -1);
  fake_.closeWatches();
  waitForSleepers(1);  // the reflector is backing off
  ASSERT_TRUE(fake_.remove({kPods, "a", "vanishes", ""}).isOk());
  ASSERT_TRUE(fake_.update({kPods, "a", "changes", ""}, pod("a", "changes", "v2")).isOk());
  create(pod("a", "appears"));
  fake_.compactHistory();
  fake_.clearErrors();
  clock_.advance(1s);

  ASSERT_TRUE(recorder_.waitFor(6));
  auto events = recorder_.events();
  EXPECT_EQ(
      std::vector<std::string>(events.begin() + 3, events.end()),
      (std::vector<std::string>{"tombstone a/vanishes", "update a/changes", "add a/appears"}));
  EXPECT_EQ(fake_.calls(Verb::kList), 2);
  EXPECT_EQ(informer.size(), 3u);
  EXPECT_EQ(informer.get("a/changes")->label("app"), "v2");
}

TEST_F(InformerTest, ListErrorsAreRetriedWithBackoff) {
  create(pod("a", "one"));
  fake_.injectError(Verb::kList, unavailableError("apiserver down"), 1);
  Informer informer(fake_, options());
  informer.start();
  waitForSleepers(1);
  EXPECT_FALSE(informer.hasSynced());
  clock_.advance(800ms);
  std::stop_source never;
  ASSERT_TRUE(informer.waitForCacheSync(never.get_token()));
  EXPECT_EQ(fake_.calls(Verb::kList), 2);
}

TEST_F(InformerTest, BookmarksAdvanceTheResumeVersion) {
  Informer informer(fake_, options());
  startSynced(informer);
  kube::Object cm("v1", "ConfigMap", "a", "unrelated");
  ASSERT_TRUE(fake_.create(kConfigMaps, "a", cm).isOk());
  const std::string bookmark_rv = std::to_string(fake_.resourceVersion());
  fake_.sendBookmark(kPods);
  for (int i = 0; i < 5000 && informer.lastResourceVersion() != bookmark_rv; ++i) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(informer.lastResourceVersion(), bookmark_rv);
  fake_.closeWatches();
  for (int i = 0; i < 5000 && fake_.watchResourceVersions().size() < 2; ++i) {
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_EQ(fake_.watchResourceVersions().size(), 2u);
  EXPECT_EQ(fake_.watchResourceVersions()[1], bookmark_rv);
}

TEST_F(InformerTest, IndexesByNamespaceOwnerAndCustomFunction) {
  auto owned = pod("a", "owned", "web");
  owned.addOwnerReference({"apps/v1", "ReplicaSet", "rs", "uid-rs", true, true});
  create(owned);
  create(pod("a", "loose", "api"));
  create(pod("b", "other", "web"));
  Informer informer(fake_, options());
  ASSERT_TRUE(informer
                  .addIndexer("app",
                              [](const kube::Object& o) {
                                auto app = o.label("app");
                                return app ? std::vector<std::string>{*app}
                                           : std::vector<std::string>{};
                              })
                  .isOk());
  EXPECT_TRUE(informer.addIndexer("app", {}).is(StatusCode::kAlreadyExists));
  startSynced(informer);

  EXPECT_EQ(informer.byIndex(kNamespaceIndex, "a").size(), 2u);
  EXPECT_EQ(informer.byIndex(kNamespaceIndex, "b").size(), 1u);
  auto by_owner = informer.byIndex(kOwnerUidIndex, "uid-rs");
  ASSERT_EQ(by_owner.size(), 1u);
  EXPECT_EQ(by_owner[0]->name(), "owned");
  EXPECT_EQ(informer.byIndex("app", "web").size(), 2u);
  EXPECT_TRUE(informer.byIndex("nope", "x").empty());

  // An update moves the object between index values.
  ASSERT_TRUE(fake_.update({kPods, "a", "loose", ""}, pod("a", "loose", "web")).isOk());
  ASSERT_TRUE(recorder_.waitFor(4));
  EXPECT_EQ(informer.byIndex("app", "web").size(), 3u);
  EXPECT_TRUE(informer.byIndex("app", "api").empty());
  ASSERT_TRUE(fake_.remove({kPods, "b", "other", ""}).isOk());
  ASSERT_TRUE(recorder_.waitFor(5));
  EXPECT_TRUE(informer.byIndex(kNamespaceIndex, "b").empty());
}

TEST_F(InformerTest, ResyncRedeliversEveryCachedObject) {
  create(pod("a", "one"));
  create(pod("a", "two"));
  auto o = options();
  o.resyncPeriod = 30s;
  Informer informer(fake_, o);
  startSynced(informer);
  ASSERT_TRUE(recorder_.waitFor(2));
  waitForSleepers(1);  // the resync timer
  clock_.advance(30s);
  ASSERT_TRUE(recorder_.waitFor(4));
  auto events = recorder_.events();
  std::sort(events.begin() + 2, events.end());
  EXPECT_EQ(events[2], "resync a/one");
  EXPECT_EQ(events[3], "resync a/two");
}

TEST_F(InformerTest, HandlerAddedLateReceivesTheCacheAsAdds) {
  create(pod("a", "one"));
  Informer informer(fake_, options());
  startSynced(informer);
  Recorder late;
  informer.addEventHandler(late.handler());
  ASSERT_TRUE(late.waitFor(1));
  EXPECT_EQ(late.events(), std::vector<std::string>{"add a/one"});
}

TEST_F(InformerTest, NamespaceAndSelectorScopeTheCache) {
  create(pod("a", "one", "web"));
  create(pod("a", "two", "api"));
  create(pod("b", "three", "web"));
  auto o = options();
  o.ns = "a";
  o.labelSelector = "app=web";
  Informer informer(fake_, o);
  startSynced(informer);
  EXPECT_EQ(informer.size(), 1u);
  EXPECT_NE(informer.get("a/one"), nullptr);
}

TEST(SharedInformerFactoryTest, SharesOneInformerPerResourceAndNamespace) {
  util::ManualClock clock;
  FakeClient fake(&clock);
  SharedInformerFactory::Options o;
  o.clock = &clock;
  SharedInformerFactory factory(fake, o);
  Informer& all = factory.informerFor(kPods);
  EXPECT_EQ(&all, &factory.informerFor(kPods));
  EXPECT_NE(&all, &factory.informerFor(kPods, "a"));
  factory.start();
  Informer& late = factory.informerFor(kConfigMaps);
  std::stop_source never;
  EXPECT_TRUE(factory.waitForCacheSync(never.get_token()));
  EXPECT_TRUE(late.hasSynced());
  factory.stop();
}

TEST(SharedInformerFactoryTest, WaitForCacheSyncReturnsFalseWhenStopped) {
  util::ManualClock clock;
  FakeClient fake(&clock);
  fake.injectError(Verb::kList, unavailableError("down"), -1);
  SharedInformerFactory::Options o;
  o.clock = &clock;
  SharedInformerFactory factory(fake, o);
  factory.informerFor(kPods);
  factory.start();
  std::stop_source stop;
  stop.request_stop();
  EXPECT_FALSE(factory.waitForCacheSync(stop.get_token()));
}

}  // namespace
}  // namespace serin::runtime
