#include "serin/cluster/store.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "testing/temp_dir.h"
#include <sys/wait.h>
#include <unistd.h>

namespace serin::cluster {
namespace {

using namespace std::chrono_literals;

constexpr auto kWait = 5s;  // generous: only reached when a test fails

ObjectKey podKey(const std::string& ns, const std::string& name) { return {"core/pods", ns, name}; }

kube::Object pod(const std::string& ns, const std::string& name, int value = 0) {
  kube::Object object("v1", "Pod", ns, name);
  object.json()["spec"]["value"] = value;
  return object;
}

ListOptions listing(std::string resource, std::string ns = "", int64_t limit = 0,
                    std::string continue_token = "", int64_t revision = 0) {
  ListOptions options;
  options.resource = std::move(resource);
  options.ns = std::move(ns);
  options.limit = limit;
  options.continue_token = std::move(continue_token);
  options.revision = revision;
  return options;
}

WatchOptions watching(std::string resource, std::string ns = "", int64_t from_revision = 0) {
  WatchOptions options;
  options.resource = std::move(resource);
  options.ns = std::move(ns);
  options.from_revision = from_revision;
  return options;
}

Preconditions rvIs(int64_t revision) { return Preconditions{revision, std::nullopt}; }
Preconditions uidIs(std::string uid) { return Preconditions{std::nullopt, std::move(uid)}; }

// Polls `condition` (background work such as compaction) for up to kWait.
template <typename Condition>
bool eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

int64_t rv(const kube::Object& object) { return std::stoll(object.resourceVersion()); }

class StoreTest : public ::testing::Test {
 protected:
  StoreOptions options() {
    StoreOptions o;
    o.dir = dir_.path() / "state";
    return o;
  }

  std::unique_ptr<Store> open(StoreOptions o) {
    auto store = Store::open(std::move(o));
    EXPECT_TRUE(store.isOk()) << store.status();
    return store.isOk() ? std::move(store).value() : nullptr;
  }
  std::unique_ptr<Store> open() { return open(options()); }

  kube::Object mustCreate(Store& store, const std::string& ns, const std::string& name,
                          int value = 0) {
    auto created = store.create(podKey(ns, name), pod(ns, name, value));
    EXPECT_TRUE(created.isOk()) << created.status();
    return created.isOk() ? *created : kube::Object();
  }

  // The next event, failing the test on timeout or error.
  static EventPtr nextEvent(Watch& watch) {
    auto event = watch.next(kWait);
    EXPECT_TRUE(event.isOk()) << event.status();
    EXPECT_TRUE(event.isOk() && *event) << "timed out";
    return event.isOk() ? *event : nullptr;
  }

  testing::TempDir dir_;
};

TEST_F(StoreTest, CreateGetAndErrors) {
  auto store = open();
  auto created = mustCreate(*store, "default", "a", 1);
  EXPECT_EQ(created.resourceVersion(), "1");
  EXPECT_EQ(store->currentRevision(), 1);

  auto got = store->get(podKey("default", "a"));
  ASSERT_TRUE(got.isOk()) << got.status();
  EXPECT_EQ(*got, created);

  auto again = store->create(podKey("default", "a"), pod("default", "a"));
  EXPECT_TRUE(again.status().is(StatusCode::kAlreadyExists)) << again.status();
  EXPECT_EQ(store->currentRevision(), 1) << "a failed write consumes no revision";

  EXPECT_TRUE(store->get(podKey("default", "b")).status().is(StatusCode::kNotFound));
  auto mismatched = store->create(podKey("other", "a"), pod("default", "a"));
  EXPECT_TRUE(mismatched.status().is(StatusCode::kInvalid)) << mismatched.status();

  // Same name in another namespace and another resource are different keys.
  EXPECT_TRUE(store->create(podKey("other", "a"), pod("other", "a")).isOk());
  EXPECT_TRUE(store->create({"apps/deployments", "default", "a"}, pod("default", "a")).isOk());
  EXPECT_EQ(store->count("core/pods"), 2);
  EXPECT_EQ(store->count("apps/deployments"), 1);
}

TEST_F(StoreTest, UpdateWithPreconditions) {
  auto store = open();
  auto created = mustCreate(*store, "default", "a");

  auto updated = store->update(podKey("default", "a"), pod("default", "a", 2), rvIs(rv(created)));
  ASSERT_TRUE(updated.isOk()) << updated.status();
  EXPECT_GT(rv(*updated), rv(created));
  EXPECT_EQ(updated->json()["spec"]["value"], 2);

  auto stale = store->update(podKey("default", "a"), pod("default", "a", 3), rvIs(rv(created)));
  EXPECT_TRUE(stale.status().is(StatusCode::kConflict)) << stale.status();
  EXPECT_NE(stale.status().message().find("the object has been modified"), std::string::npos);

  auto unconditional = store->update(podKey("default", "a"), pod("default", "a", 4));
  ASSERT_TRUE(unconditional.isOk()) << unconditional.status();
  EXPECT_EQ(store->get(podKey("default", "a"))->json()["spec"]["value"], 4);

  auto missing = store->update(podKey("default", "zz"), pod("default", "zz"));
  EXPECT_TRUE(missing.status().is(StatusCode::kNotFound)) << missing.status();
}

TEST_F(StoreTest, DeleteWithPreconditions) {
  auto store = open();
  auto object = pod("default", "a");
  object.setUid("uid-1");
  auto created = store->create(podKey("default", "a"), object);
  ASSERT_TRUE(created.isOk());
  mustCreate(*store, "default", "b");

  auto stale = store->remove(podKey("default", "a"), rvIs(99));
  EXPECT_TRUE(stale.status().is(StatusCode::kConflict)) << stale.status();
  auto wrong_uid = store->remove(podKey("default", "a"), uidIs("x"));
  EXPECT_TRUE(wrong_uid.status().is(StatusCode::kConflict)) << wrong_uid.status();

  auto removed = store->remove(podKey("default", "a"), Preconditions{rv(*created), "uid-1"});
  ASSERT_TRUE(removed.isOk()) << removed.status();
  EXPECT_EQ(removed->uid(), "uid-1");
  EXPECT_EQ(rv(*removed), store->currentRevision()) << "carries the deletion's revision";
  EXPECT_TRUE(store->get(podKey("default", "a")).status().is(StatusCode::kNotFound));
  EXPECT_TRUE(store->remove(podKey("default", "a")).status().is(StatusCode::kNotFound));
  EXPECT_EQ(store->count("core/pods"), 1);
}

TEST_F(StoreTest, RevisionsIncreaseUnderConcurrentWriters) {
  auto store = open();
  std::vector<std::vector<int64_t>> seen(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        auto name = "p" + std::to_string(t) + "-" + std::to_string(i);
        auto created = store->create(podKey("default", name), pod("default", name));
        if (created.isOk()) seen[t].push_back(rv(*created));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<int64_t> all;
  for (const auto& revisions : seen) {
    ASSERT_EQ(revisions.size(), 20u);
    EXPECT_TRUE(std::is_sorted(revisions.begin(), revisions.end()));
    all.insert(revisions.begin(), revisions.end());
  }
  EXPECT_EQ(all.size(), 80u) << "every write has its own revision";
  EXPECT_EQ(*all.rbegin(), 80);
  EXPECT_EQ(store->currentRevision(), 80);
}

TEST_F(StoreTest, GuaranteedUpdateLosesNoIncrementUnderContention) {
  auto store = open();
  mustCreate(*store, "default", "counter", 0);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        auto result = store->guaranteedUpdate(
            podKey("default", "counter"),
            [](const kube::Object& current) -> StatusOr<kube::Object> {
              kube::Object next = current;
              next.json()["spec"]["value"] = current.json()["spec"]["value"].get<int>() + 1;
              return next;
            });
        if (!result.isOk()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store->get(podKey("default", "counter"))->json()["spec"]["value"], 800);
}

TEST_F(StoreTest, GuaranteedUpdateStopsOnFunctionError) {
  auto store = open();
  mustCreate(*store, "default", "a");
  auto result = store->guaranteedUpdate(podKey("default", "a"), [](const kube::Object&) {
    return StatusOr<kube::Object>(invalidError("no"));
  });
  EXPECT_TRUE(result.status().is(StatusCode::kInvalid));
}

TEST_F(StoreTest, ListFiltersByNamespaceInKeyOrder) {
  auto store = open();
  mustCreate(*store, "b", "x");
  mustCreate(*store, "a", "y");
  mustCreate(*store, "a", "x");
  ASSERT_TRUE(store->create({"core/nodes", "", "n1"}, kube::Object("v1", "Node", "", "n1")).isOk());

  auto all = store->list(listing("core/pods"));
  ASSERT_TRUE(all.isOk()) << all.status();
  ASSERT_EQ(all->items.size(), 3u);
  EXPECT_EQ(all->items[0].key(), "a/x");
  EXPECT_EQ(all->items[1].key(), "a/y");
  EXPECT_EQ(all->items[2].key(), "b/x");
  EXPECT_EQ(all->revision, 4);
  EXPECT_TRUE(all->continue_token.empty());

  auto in_a = store->list(listing("core/pods", "a"));
  ASSERT_TRUE(in_a.isOk());
  EXPECT_EQ(in_a->items.size(), 2u);

  ListOptions selected = listing("core/pods");
  selected.predicate = [](const kube::Object& o) { return o.name() == "x"; };
  EXPECT_EQ(store->list(selected)->items.size(), 2u);
  EXPECT_EQ(store->list(listing("core/nodes"))->items.size(), 1u);

  ListOptions raw = listing("core/pods", "", 2);
  raw.raw = true;
  auto raw_page = store->list(raw);
  ASSERT_TRUE(raw_page.isOk());
  EXPECT_TRUE(raw_page->items.empty());
  ASSERT_EQ(raw_page->raw_items.size(), 2u);
  EXPECT_EQ(raw_page->raw_items[0], all->items[0].dump());
  EXPECT_FALSE(raw_page->continue_token.empty());
}

// Pages keep showing the snapshot of the first page while objects change in between.
TEST_F(StoreTest, ListPagesStayAtTheirSnapshotWhileWritesHappen) {
  auto store = open();
  std::map<std::string, std::string> expected;  // key -> resourceVersion at the snapshot
  for (int i = 0; i < 30; ++i) {
    auto ns = i % 2 ? "odd" : "even";
    auto name = "p" + std::to_string(100 + i);
    expected[std::string(ns) + "/" + name] = mustCreate(*store, ns, name).resourceVersion();
  }
  ListOptions options = listing("core/pods", "", 7);
  std::map<std::string, std::string> listed;
  int64_t snapshot = 0;
  int pages = 0;
  do {
    auto page = store->list(options);
    ASSERT_TRUE(page.isOk()) << page.status();
    if (snapshot == 0) snapshot = page->revision;
    EXPECT_EQ(page->revision, snapshot);
    EXPECT_LE(page->items.size(), 7u);
    for (const auto& item : page->items) listed[item.key()] = item.resourceVersion();
    options.continue_token = page->continue_token;
    // Writes between pages: updates, deletes and creates on both sides of the cursor.
    auto n = std::to_string(pages);
    ASSERT_TRUE(store->update(podKey("even", "p100"), pod("even", "p100", pages)).isOk());
    ASSERT_TRUE(store->remove(podKey("odd", "p" + std::to_string(101 + pages * 2))).isOk());
    mustCreate(*store, "even", "new" + n);
    mustCreate(*store, "aaa", "new" + n);
    ++pages;
  } while (!options.continue_token.empty());
  EXPECT_EQ(pages, 5);
  EXPECT_EQ(listed, expected);

  auto fresh = store->list(listing("core/pods"));
  ASSERT_TRUE(fresh.isOk());
  EXPECT_GT(fresh->revision, snapshot);
  EXPECT_EQ(fresh->items.size(), 30u - 5 + 10);
}

TEST_F(StoreTest, ListAtExactRevisionAndBadTokens) {
  auto store = open();
  auto a = mustCreate(*store, "default", "a");
  mustCreate(*store, "default", "b");
  auto old = store->list(listing("core/pods", "", 0, "", rv(a)));
  ASSERT_TRUE(old.isOk()) << old.status();
  ASSERT_EQ(old->items.size(), 1u);
  EXPECT_EQ(old->items[0].name(), "a");

  auto future = store->list(listing("core/pods", "", 0, "", 99));
  EXPECT_TRUE(future.status().is(StatusCode::kDeadlineExceeded)) << future.status();
  auto garbage = store->list(listing("core/pods", "", 0, "!!"));
  EXPECT_TRUE(garbage.status().is(StatusCode::kInvalid));

  auto page = store->list(listing("core/pods", "", 1));
  ASSERT_FALSE(page->continue_token.empty());
  auto foreign = store->list(listing("core/pods", "kube-system", 0, page->continue_token));
  EXPECT_TRUE(foreign.status().is(StatusCode::kInvalid));
}

TEST_F(StoreTest, ContinueTokenIsGoneOnceItsRevisionIsCompacted) {
  auto store = open();
  mustCreate(*store, "default", "a");
  mustCreate(*store, "default", "b");
  auto page = store->list(listing("core/pods", "", 1));
  ASSERT_TRUE(page.isOk());
  mustCreate(*store, "default", "c");
  ASSERT_TRUE(store->compact(store->currentRevision()).isOk());
  auto next = store->list(listing("core/pods", "", 1, page->continue_token));
  EXPECT_TRUE(next.status().is(StatusCode::kGone)) << next.status();
}

TEST_F(StoreTest, WatchFromRevisionDeliversExactlyTheLaterEventsInOrder) {
  auto store = open();
  mustCreate(*store, "default", "a");
  mustCreate(*store, "default", "b");
  const int64_t from = store->currentRevision();
  auto updated = store->update(podKey("default", "a"), pod("default", "a", 1));
  auto removed = store->remove(podKey("default", "b"));
  auto created = mustCreate(*store, "default", "c");
  ASSERT_TRUE(updated.isOk() && removed.isOk());

  auto watch = store->watch(watching("core/pods", "", from));
  ASSERT_TRUE(watch.isOk()) << watch.status();
  auto e1 = nextEvent(**watch);
  auto e2 = nextEvent(**watch);
  auto e3 = nextEvent(**watch);
  ASSERT_TRUE(e1 && e2 && e3);
  EXPECT_EQ(e1->type, EventType::kModified);
  EXPECT_EQ(e1->revision, from + 1);
  EXPECT_EQ(*e1->object, *updated);
  EXPECT_EQ(e1->json, updated->dump());
  EXPECT_EQ(e2->type, EventType::kDeleted);
  EXPECT_EQ(e2->key.name, "b");
  EXPECT_EQ(e2->object->resourceVersion(), std::to_string(from + 2));
  EXPECT_EQ(e3->type, EventType::kAdded);
  EXPECT_EQ(*e3->object, created);

  // Then live, with nothing repeated.
  mustCreate(*store, "default", "d");
  auto live = nextEvent(**watch);
  ASSERT_TRUE(live);
  EXPECT_EQ(live->key.name, "d");
  EXPECT_EQ(live->revision, from + 4);
  auto none = (*watch)->next(50ms);
  ASSERT_TRUE(none.isOk());
  EXPECT_EQ(*none, nullptr);
  EXPECT_EQ((*watch)->progressRevision(), store->currentRevision());
}

TEST_F(StoreTest, WatchFiltersByResourceAndNamespace) {
  auto store = open();
  auto watch = store->watch(watching("core/pods", "team"));
  ASSERT_TRUE(watch.isOk());
  mustCreate(*store, "default", "a");
  ASSERT_TRUE(store->create({"core/configmaps", "team", "a"}, pod("team", "a")).isOk());
  mustCreate(*store, "team", "b");
  auto event = nextEvent(**watch);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->key, podKey("team", "b"));
  EXPECT_EQ(event->revision, 3);
}

TEST_F(StoreTest, WatchFromNowSkipsThePast) {
  auto store = open();
  mustCreate(*store, "default", "old");
  auto watch = store->watch(watching("core/pods"));
  ASSERT_TRUE(watch.isOk());
  mustCreate(*store, "default", "new");
  auto event = nextEvent(**watch);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->key.name, "new");
}

TEST_F(StoreTest, WatchWithPredicateReportsObjectsLeavingTheSelection) {
  auto store = open();
  auto options = watching("core/pods");
  options.predicate = [](const kube::Object& o) { return o.label("app") == "web"; };
  auto watch = store->watch(options);
  ASSERT_TRUE(watch.isOk());
  auto object = pod("default", "a");
  object.setLabel("app", "web");
  auto created = store->create(podKey("default", "a"), object);
  ASSERT_TRUE(created.isOk());
  mustCreate(*store, "default", "other");
  object.setLabel("app", "db");
  auto moved = store->update(podKey("default", "a"), object);
  ASSERT_TRUE(moved.isOk());

  auto added = nextEvent(**watch);
  auto left = nextEvent(**watch);
  ASSERT_TRUE(added && left);
  EXPECT_EQ(added->type, EventType::kAdded);
  EXPECT_EQ(left->type, EventType::kDeleted);
  EXPECT_EQ(left->object->label("app"), "web") << "the last state that matched";
  EXPECT_EQ(left->object->resourceVersion(), moved->resourceVersion());
}

TEST_F(StoreTest, WatchFromCompactedRevisionIsGone) {
  auto store = open();
  for (int i = 0; i < 5; ++i) mustCreate(*store, "default", "p" + std::to_string(i));
  ASSERT_TRUE(store->compact(3).isOk());
  EXPECT_EQ(store->compactedRevision(), 3);
  auto old = store->watch(watching("core/pods", "", 2));
  EXPECT_TRUE(old.status().is(StatusCode::kGone)) << old.status();
  auto ok = store->watch(watching("core/pods", "", 3));
  ASSERT_TRUE(ok.isOk());
  auto event = nextEvent(**ok);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->revision, 4);
  auto future = store->watch(watching("core/pods", "", 99));
  EXPECT_TRUE(future.status().is(StatusCode::kDeadlineExceeded));
}

TEST_F(StoreTest, HistoryWindowByCountCompactsOldEvents) {
  auto o = options();
  o.history_max_events = 10;
  o.compaction_interval = 0ms;
  auto store = open(o);
  for (int i = 0; i < 30; ++i) mustCreate(*store, "default", "p" + std::to_string(i));
  // The committer compacts after answering the batch: wait for it.
  EXPECT_TRUE(eventually([&] { return store->compactedRevision() >= 19; }));
  EXPECT_TRUE(store->watch(watching("core/pods", "", 1)).status().is(StatusCode::kGone));
}

TEST_F(StoreTest, HistoryWindowByAgeUsesTheClock) {
  util::ManualClock clock;
  auto o = options();
  o.clock = &clock;
  o.history_max_events = 0;
  o.history_max_age = std::chrono::seconds(60);
  o.compaction_interval = 0ms;
  auto store = open(o);
  for (int i = 0; i < 5; ++i) mustCreate(*store, "default", "p" + std::to_string(i));
  EXPECT_EQ(store->compactedRevision(), 0);
  clock.advance(std::chrono::seconds(120));
  mustCreate(*store, "default", "late");
  EXPECT_TRUE(eventually([&] { return store->compactedRevision() == 5; }));
}

// A watcher that starts behind the in-memory ring reads the gap from SQLite, then goes live.
TEST_F(StoreTest, WatchCatchesUpFromDiskBeyondTheRing) {
  auto o = options();
  o.event_ring_capacity = 4;
  auto store = open(o);
  for (int i = 0; i < 40; ++i) mustCreate(*store, i % 2 ? "odd" : "even", "p" + std::to_string(i));
  auto watch = store->watch(watching("core/pods", "even", 2));
  ASSERT_TRUE(watch.isOk());
  for (int64_t expected = 3; expected <= 39; expected += 2) {
    auto event = nextEvent(**watch);
    ASSERT_TRUE(event);
    EXPECT_EQ(event->revision, expected);
  }
  mustCreate(*store, "even", "live");
  auto live = nextEvent(**watch);
  ASSERT_TRUE(live);
  EXPECT_EQ(live->revision, 41);
}

TEST_F(StoreTest, RestartKeepsObjectsRevisionsAndHistory) {
  int64_t mid = 0;
  int64_t last = 0;
  {
    auto store = open();
    mustCreate(*store, "default", "a");
    mid = store->currentRevision();
    ASSERT_TRUE(store->update(podKey("default", "a"), pod("default", "a", 7)).isOk());
    mustCreate(*store, "default", "b");
    ASSERT_TRUE(store->remove(podKey("default", "b")).isOk());
    last = store->currentRevision();
  }
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->currentRevision(), last);
  EXPECT_EQ(store->get(podKey("default", "a"))->json()["spec"]["value"], 7);
  EXPECT_EQ(store->count("core/pods"), 1);
  EXPECT_EQ(rv(mustCreate(*store, "default", "c")), last + 1);

  auto watch = store->watch(watching("core/pods", "", mid));
  ASSERT_TRUE(watch.isOk()) << watch.status();
  std::vector<EventType> types;
  for (int i = 0; i < 4; ++i) {
    auto event = nextEvent(**watch);
    ASSERT_TRUE(event);
    EXPECT_EQ(event->revision, mid + 1 + i);
    types.push_back(event->type);
  }
  EXPECT_EQ(types, (std::vector{EventType::kModified, EventType::kAdded, EventType::kDeleted,
                                EventType::kAdded}));
}

TEST_F(StoreTest, SecondOpenOfTheSameDirectoryFails) {
  auto store = open();
  auto second = Store::open(options());
  EXPECT_TRUE(second.status().is(StatusCode::kFailedPrecondition)) << second.status();
}

TEST_F(StoreTest, SlowWatcherIsTerminatedWithoutBlockingWriters) {
  auto o = options();
  o.watch_queue_capacity = 8;
  auto store = open(o);
  auto slow = store->watch(watching("core/pods"));
  ASSERT_TRUE(slow.isOk());
  auto idle = (*slow)->next(1ms);  // attaches; nothing to deliver yet
  ASSERT_TRUE(idle.isOk() && *idle == nullptr);
  for (int i = 0; i < 30; ++i) mustCreate(*store, "default", "p" + std::to_string(i));
  EXPECT_EQ(store->currentRevision(), 30) << "writers were not blocked";
  int received = 0;
  while (true) {
    auto event = (*slow)->next(kWait);
    if (!event.isOk()) {
      EXPECT_TRUE(event.status().is(StatusCode::kUnavailable)) << event.status();
      break;
    }
    ASSERT_TRUE(*event);
    EXPECT_EQ((*event)->revision, ++received);
  }
  EXPECT_EQ(received, 8) << "queued events are delivered before the error";
}

TEST_F(StoreTest, ManyWatchersAllReceiveAnEvent) {
  auto store = open();
  std::vector<std::unique_ptr<Watch>> watches;
  for (int i = 0; i < 200; ++i) {
    auto watch = store->watch(watching("core/pods"));
    ASSERT_TRUE(watch.isOk());
    watches.push_back(std::move(watch).value());
  }
  auto created = mustCreate(*store, "default", "a");
  const Event* shared = nullptr;
  for (auto& watch : watches) {
    auto event = nextEvent(*watch);
    ASSERT_TRUE(event);
    EXPECT_EQ(*event->object, created);
    if (!shared) shared = event.get();
    EXPECT_EQ(event.get(), shared) << "one immutable event, shared by every watcher";
  }
}

TEST_F(StoreTest, CancelAndCloseEndWatches) {
  auto store = open();
  auto cancelled = store->watch(watching("core/pods"));
  auto open_watch = store->watch(watching("core/pods"));
  ASSERT_TRUE(cancelled.isOk() && open_watch.isOk());
  std::thread canceller([&] {
    std::this_thread::sleep_for(20ms);
    (*cancelled)->cancel();
  });
  auto result = (*cancelled)->next(kWait);
  canceller.join();
  EXPECT_TRUE(result.status().is(StatusCode::kCancelled)) << result.status();
  store.reset();
  EXPECT_TRUE((*open_watch)->next(kWait).status().is(StatusCode::kCancelled));
}

// kill -9 in the middle of a stream of writes: every write acknowledged before the kill is
// found after reopening.
TEST_F(StoreTest, AcknowledgedWritesSurviveSigkill) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const auto dir = options().dir;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    StoreOptions o;
    o.dir = dir;
    auto store = Store::open(o);
    if (!store.isOk()) _exit(2);
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
      writers.emplace_back([&, t] {
        for (int i = 0; i < 1000; ++i) {
          auto name = "w" + std::to_string(t) + "-" + std::to_string(i);
          if ((*store)->create(podKey("default", name), pod("default", name)).isOk()) {
            auto line = name + "\n";
            if (write(fds[1], line.data(), line.size()) < 0) _exit(3);
          }
        }
      });
    }
    for (auto& writer : writers) writer.join();
    _exit(0);
  }
  close(fds[1]);
  FILE* acks = fdopen(fds[0], "r");
  std::vector<std::string> acknowledged;
  char line[128];
  while (acknowledged.size() < 60 && std::fgets(line, sizeof line, acks)) {
    acknowledged.emplace_back(line, std::strlen(line) - 1);
  }
  kill(child, SIGKILL);
  // Acknowledgements already in the pipe when the child died count too.
  while (std::fgets(line, sizeof line, acks))
    acknowledged.emplace_back(line, std::strlen(line) - 1);
  std::fclose(acks);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child finished before it was killed";
  ASSERT_GE(acknowledged.size(), 60u);

  auto store = open();
  ASSERT_TRUE(store);
  for (const auto& name : acknowledged) {
    EXPECT_TRUE(store->get(podKey("default", name)).isOk()) << name << " was lost";
  }
  EXPECT_GE(store->count("core/pods"), static_cast<int64_t>(acknowledged.size()));
  EXPECT_EQ(store->currentRevision(), store->count("core/pods"));
}

}  // namespace
}  // namespace serin::cluster
