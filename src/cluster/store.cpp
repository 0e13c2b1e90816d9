#include "serin/cluster/store.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <future>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>

#include "store_sqlite.h"
#include "store_token.h"
#include "store_watch.h"
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace serin::cluster {

using detail::Db;
using detail::Query;

namespace {

// Bump with a migration in migrateSchema() whenever the tables change.
constexpr int64_t kSchemaVersion = 1;
// The periodic compaction deletes at most this many events per pass, so one pass never holds
// the committer for long.
constexpr int64_t kMaxCompactionRows = 10'000;

constexpr const char* kSchemaSql = R"sql(
CREATE TABLE objects(
  id INTEGER PRIMARY KEY,
  resource TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  value TEXT NOT NULL);
CREATE UNIQUE INDEX objects_key ON objects(resource, namespace, name);
CREATE TABLE events(
  revision INTEGER PRIMARY KEY,
  type INTEGER NOT NULL,
  resource TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  prev_value TEXT,
  created_ms INTEGER NOT NULL);
CREATE INDEX events_resource ON events(resource, revision);
INSERT INTO meta(key, value) VALUES ('schema_version', 1), ('revision', 0), ('compacted', 0);
)sql";

constexpr const char* kSelectMeta = "SELECT key, value FROM meta";
constexpr const char* kUpsertMeta =
    "INSERT INTO meta(key, value) VALUES (?1, ?2) "
    "ON CONFLICT(key) DO UPDATE SET value = excluded.value";
constexpr const char* kSelectObject =
    "SELECT id, revision, value FROM objects WHERE resource = ?1 AND namespace = ?2 AND "
    "name = ?3";
constexpr const char* kInsertObject =
    "INSERT INTO objects(resource, namespace, name, revision, value) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr const char* kUpdateObject = "UPDATE objects SET revision = ?2, value = ?3 WHERE id = ?1";
constexpr const char* kDeleteObject = "DELETE FROM objects WHERE id = ?1";
constexpr const char* kInsertEvent =
    "INSERT INTO events(revision, type, resource, namespace, name, value, prev_value, "
    "created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr const char* kDeleteEvents = "DELETE FROM events WHERE revision <= ?1";
constexpr const char* kEventTime = "SELECT created_ms FROM events WHERE revision = ?1";
constexpr const char* kCountObjects = "SELECT resource, COUNT(*) FROM objects GROUP BY resource";
constexpr const char* kListAll =
    "SELECT namespace, name, value FROM objects WHERE resource = ?1 AND "
    "(namespace, name) > (?2, ?3) ORDER BY namespace, name";
constexpr const char* kListNamespace =
    "SELECT namespace, name, value FROM objects WHERE resource = ?1 AND namespace = ?4 AND "
    "name > ?3 ORDER BY namespace, name";
constexpr const char* kChangedSince =
    "SELECT namespace, name, type, prev_value FROM events WHERE resource = ?1 AND "
    "revision > ?2 ORDER BY revision";
constexpr const char* kHistory =
    "SELECT revision, type, namespace, name, value, prev_value FROM events WHERE "
    "resource = ?1 AND revision > ?2 AND revision <= ?3 ORDER BY revision LIMIT ?4";

// "deployments.apps", "pods": the resource as kube-apiserver names it in messages.
std::string qualifiedResource(const std::string& resource) {
  auto slash = resource.find('/');
  if (slash == std::string::npos) return resource;
  std::string group = resource.substr(0, slash);
  std::string plural = resource.substr(slash + 1);
  return group == "core" || group.empty() ? plural : plural + "." + group;
}

Status conflictOnModified(const ObjectKey& key) {
  return conflictError("Operation cannot be fulfilled on " + qualifiedResource(key.resource) +
                       " \"" + key.name +
                       "\": the object has been modified; please apply your changes to the "
                       "latest version and try again");
}

Status notFound(const ObjectKey& key) {
  return notFoundError(qualifiedResource(key.resource) + " \"" + key.name + "\" not found");
}

// nlohmann throws on invalid UTF-8; that is bad input, not a store failure.
StatusOr<std::string> dumpJson(const kube::Object& object) {
  try {
    return object.dump();
  } catch (const nlohmann::json::exception& e) {
    return invalidError(std::string("object cannot be serialized: ") + e.what());
  }
}

StatusOr<kube::Object> runUpdateFunction(const UpdateFunction& fn, const kube::Object& current) {
  try {
    return fn(current);
  } catch (const std::exception& e) {
    return internalError(std::string("update function threw: ") + e.what());
  }
}

int64_t parseRevision(const std::string& text) {
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return text.empty() ? -1 : value;
}

Status validateKey(const ObjectKey& key, const kube::Object* object) {
  if (key.resource.empty() || key.name.empty()) {
    return invalidError("object key needs a resource and a name: " + key.toString());
  }
  if (object && (object->name() != key.name || object->ns() != key.ns)) {
    return invalidError("object metadata (" + kube::makeKey(object->ns(), object->name()) +
                        ") does not match its key " + key.toString());
  }
  return Status::ok();
}

struct Meta {
  int64_t revision = 0;
  int64_t compacted = 0;
  int64_t schema_version = 0;
};

StatusOr<Meta> readMeta(Db& db) {
  ASSIGN_OR_RETURN(auto query, db.query(kSelectMeta));
  Meta meta;
  while (true) {
    ASSIGN_OR_RETURN(bool row, query->step());
    if (!row) break;
    auto key = query->columnText(0);
    int64_t value = query->columnInt(1);
    if (key == "revision") meta.revision = value;
    if (key == "compacted") meta.compacted = value;
    if (key == "schema_version") meta.schema_version = value;
  }
  return meta;
}

Status writeMeta(Db& db, std::string_view key, int64_t value) {
  ASSIGN_OR_RETURN(auto query, db.query(kUpsertMeta));
  return query->bind(1, key).bind(2, value).run();
}

// A read transaction: every statement inside sees one snapshot of the database.
class ReadTransaction {
 public:
  explicit ReadTransaction(Db& db) : db_(db) { begun_ = db_.exec("BEGIN").isOk(); }
  ~ReadTransaction() {
    if (begun_) (void)db_.exec("COMMIT");
  }
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  Status status() const { return begun_ ? Status::ok() : db_.error("begin read"); }

 private:
  Db& db_;
  bool begun_ = false;
};

enum class OpKind { kCreate, kUpdate, kApply, kDelete, kCompact };

// One caller's write, answered through `done` once its batch committed (or failed).
struct WriteOp {
  OpKind kind = OpKind::kCreate;
  ObjectKey key;
  kube::Object object;
  Preconditions preconditions;
  int64_t compact_to = 0;
  const UpdateFunction* fn = nullptr;  // kApply; the waiting caller keeps it alive
  std::promise<StatusOr<kube::Object>> done;
};

struct StoredRow {
  int64_t id = 0;
  int64_t revision = 0;
  std::string value;
};

// A batch's events, completed (commit time) before they are shared.
using MutableEvents = std::vector<std::shared_ptr<Event>>;

using ChangedKeys = std::map<std::pair<std::string, std::string>, std::optional<std::string>>;

}  // namespace

std::string ObjectKey::toString() const { return resource + "/" + ns + "/" + name; }

std::string_view eventTypeName(EventType type) {
  switch (type) {
    case EventType::kAdded:
      return "ADDED";
    case EventType::kModified:
      return "MODIFIED";
    case EventType::kDeleted:
      return "DELETED";
  }
  return "UNKNOWN";
}

class Store::Impl : public detail::HistorySource, public std::enable_shared_from_this<Impl> {
 public:
  explicit Impl(StoreOptions options)
      : options_(std::move(options)),
        clock_(options_.clock ? *options_.clock : util::realClock()),
        hub_(options_.event_ring_capacity) {}
  ~Impl() override { close(); }

  Status start();
  void close();

  StatusOr<kube::Object> write(std::unique_ptr<WriteOp> op);
  StatusOr<kube::Object> get(const ObjectKey& key);
  StatusOr<ListResult> list(const ListOptions& options);
  StatusOr<std::unique_ptr<Watch>> watch(WatchOptions options);
  int64_t count(const std::string& resource) const;
  int64_t committed() const { return committed_.load(std::memory_order_acquire); }
  int64_t compacted() const { return compacted_.load(std::memory_order_acquire); }

  StatusOr<detail::HistoryPage> readHistory(const std::string& resource, const std::string& ns,
                                            int64_t after, std::size_t max) override;
  detail::WatchHub& hub() override { return hub_; }

 private:
  // A pooled read connection, returned to the pool when the lease ends.
  class ReaderLease {
   public:
    ReaderLease(Impl& impl, std::unique_ptr<Db> db) : impl_(impl), db_(std::move(db)) {}
    ~ReaderLease() { impl_.releaseReader(std::move(db_)); }
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;
    Db& db() { return *db_; }

   private:
    Impl& impl_;
    std::unique_ptr<Db> db_;
  };

  struct Outcome {
    WriteOp* op = nullptr;
    StatusOr<kube::Object> result = internalError("not applied");
    int64_t count_delta = 0;
  };

  Status lockDirectory();
  Status initSchema();
  Status loadState();
  StatusOr<std::unique_ptr<ReaderLease>> acquireReader();
  void releaseReader(std::unique_ptr<Db> db);

  void committerLoop();
  void runBatch(std::vector<std::unique_ptr<WriteOp>>& batch);
  Status applyBatch(std::vector<Outcome>& outcomes, MutableEvents& events);
  Status applyOp(Outcome& outcome, MutableEvents& events);
  Status applyCreate(Outcome& outcome, MutableEvents& events);
  Status applyUpdate(Outcome& outcome, MutableEvents& events);
  Status updateExisting(Outcome& outcome, StoredRow existing, MutableEvents& events);
  Status applyDelete(Outcome& outcome, MutableEvents& events);
  Status applyFunction(Outcome& outcome, MutableEvents& events);
  Status applyCompact(Outcome& outcome);
  StatusOr<std::optional<StoredRow>> readRow(const ObjectKey& key);
  static Status checkPreconditions(const ObjectKey& key, const StoredRow& row,
                                   const Preconditions& preconditions);
  Status appendEvent(EventType type, const ObjectKey& key, kube::Object object, std::string json,
                     std::string prev_json, MutableEvents& events);
  void maybeCompact();
  StatusOr<int64_t> ageCompactionTarget(int64_t cutoff_ms);
  Status deleteHistory(int64_t target);

  StatusOr<ChangedKeys> changedSince(Db& db, const ListOptions& options, int64_t revision);
  int64_t nowMs() const;

  const StoreOptions options_;
  util::Clock& clock_;
  detail::WatchHub hub_;
  int lock_fd_ = -1;

  std::unique_ptr<Db> writer_;  // committer thread only (and start())
  int64_t revision_ = 0;        // committer's working revision inside a batch
  std::chrono::steady_clock::time_point last_compaction_{};

  std::atomic<int64_t> committed_{0};
  std::atomic<int64_t> compacted_{0};

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<std::unique_ptr<WriteOp>> pending_;  // guarded by queue_mu_
  bool stopping_ = false;                         // guarded by queue_mu_
  std::thread committer_;

  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Db>> idle_readers_;  // guarded by pool_mu_
  std::size_t open_readers_ = 0;                   // guarded by pool_mu_
  bool pool_closed_ = false;                       // guarded by pool_mu_

  mutable std::mutex counts_mu_;
  std::unordered_map<std::string, int64_t> counts_;  // guarded by counts_mu_

  std::once_flag close_once_;
};

// ---- start-up and shutdown ----

Status Store::Impl::lockDirectory() {
  std::error_code ec;
  std::filesystem::create_directories(options_.dir, ec);
  if (ec) return internalError("create " + options_.dir.string() + ": " + ec.message());
  auto path = (options_.dir / "state.lock").string();
  lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) return internalError("open " + path + ": " + std::strerror(errno));
  // One process per directory: two committers would break the revision sequence.
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return failedPreconditionError(options_.dir.string() + " is in use by another process");
  }
  return Status::ok();
}

Status Store::Impl::initSchema() {
  RETURN_IF_ERROR(writer_->exec("BEGIN IMMEDIATE"));
  Status status = [&]() -> Status {
    RETURN_IF_ERROR(writer_->exec(
        "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) "
        "WITHOUT ROWID"));
    ASSIGN_OR_RETURN(Meta meta, readMeta(*writer_));
    if (meta.schema_version == 0) return writer_->exec(kSchemaSql);
    if (meta.schema_version > kSchemaVersion) {
      return failedPreconditionError(
          "state.db has schema version " + std::to_string(meta.schema_version) +
          ", newer than this binary's " + std::to_string(kSchemaVersion));
    }
    // Migrations from older schema versions go here, one step per version.
    return Status::ok();
  }();
  if (!status.isOk()) {
    (void)writer_->exec("ROLLBACK");
    return status;
  }
  return writer_->exec("COMMIT");
}

Status Store::Impl::loadState() {
  ASSIGN_OR_RETURN(Meta meta, readMeta(*writer_));
  revision_ = meta.revision;
  committed_.store(meta.revision);
  compacted_.store(meta.compacted);
  hub_.setPublished(meta.revision);
  // Served by the objects_key index alone: fast even with 100,000 objects.
  ASSIGN_OR_RETURN(auto query, writer_->query(kCountObjects));
  std::lock_guard lock(counts_mu_);
  while (true) {
    ASSIGN_OR_RETURN(bool row, query->step());
    if (!row) break;
    counts_[std::string(query->columnText(0))] = query->columnInt(1);
  }
  return Status::ok();
}

Status Store::Impl::start() {
  RETURN_IF_ERROR(lockDirectory());
  ASSIGN_OR_RETURN(writer_, Db::open((options_.dir / "state.db").string(),
                                     options_.writer_cache_kib, /*reader=*/false));
  RETURN_IF_ERROR(initSchema());
  // The database and WAL files must survive power loss too, not only their contents.
  int dir_fd = ::open(options_.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  RETURN_IF_ERROR(loadState());
  last_compaction_ = std::chrono::steady_clock::now();
  committer_ = std::thread([this] { committerLoop(); });
  return Status::ok();
}

void Store::Impl::close() {
  std::call_once(close_once_, [this] {
    {
      std::lock_guard lock(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    if (committer_.joinable()) committer_.join();
    hub_.closeAll(cancelledError("store closed"));
    {
      std::lock_guard lock(pool_mu_);
      pool_closed_ = true;
      idle_readers_.clear();
    }
    pool_cv_.notify_all();
    writer_.reset();
    if (lock_fd_ >= 0) ::close(lock_fd_);
    lock_fd_ = -1;
  });
}

// ---- reader pool ----

StatusOr<std::unique_ptr<Store::Impl::ReaderLease>> Store::Impl::acquireReader() {
  std::unique_lock lock(pool_mu_);
  pool_cv_.wait(lock, [&] {
    return pool_closed_ || !idle_readers_.empty() || open_readers_ < options_.max_readers;
  });
  if (pool_closed_) return cancelledError("store closed");
  if (!idle_readers_.empty()) {
    auto db = std::move(idle_readers_.back());
    idle_readers_.pop_back();
    return std::make_unique<ReaderLease>(*this, std::move(db));
  }
  ++open_readers_;
  lock.unlock();
  auto db = Db::open((options_.dir / "state.db").string(), options_.reader_cache_kib,
                     /*reader=*/true);
  if (!db.isOk()) {
    lock.lock();
    --open_readers_;
    pool_cv_.notify_one();
    return db.status();
  }
  return std::make_unique<ReaderLease>(*this, std::move(db).value());
}

void Store::Impl::releaseReader(std::unique_ptr<Db> db) {
  {
    std::lock_guard lock(pool_mu_);
    if (pool_closed_) {
      --open_readers_;
      db.reset();
    } else {
      idle_readers_.push_back(std::move(db));
    }
  }
  pool_cv_.notify_one();
}

// ---- writes: group commit ----

StatusOr<kube::Object> Store::Impl::write(std::unique_ptr<WriteOp> op) {
  auto future = op->done.get_future();
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) return unavailableError("store closed");
    pending_.push_back(std::move(op));
  }
  queue_cv_.notify_one();
  return future.get();
}

void Store::Impl::committerLoop() {
  while (true) {
    std::vector<std::unique_ptr<WriteOp>> batch;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, and every queued write was answered
      // Everything that queued up during the previous fsync goes into this transaction.
      while (!pending_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
    }
    runBatch(batch);
    maybeCompact();
  }
}

void Store::Impl::runBatch(std::vector<std::unique_ptr<WriteOp>>& batch) {
  std::vector<Outcome> outcomes(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) outcomes[i].op = batch[i].get();
  MutableEvents events;
  const int64_t before = revision_;
  if (Status status = applyBatch(outcomes, events); !status.isOk()) {
    (void)writer_->exec("ROLLBACK");
    revision_ = before;
    for (auto& outcome : outcomes) {
      outcome.op->done.set_value(unavailableError("store write failed: " + status.message()));
    }
    return;
  }
  committed_.store(revision_, std::memory_order_release);
  const auto committed_at = std::chrono::steady_clock::now();
  for (auto& event : events) event->committed_at = committed_at;
  {
    std::lock_guard lock(counts_mu_);
    for (const auto& outcome : outcomes) {
      if (outcome.count_delta != 0) counts_[outcome.op->key.resource] += outcome.count_delta;
    }
  }
  // Publish before answering: a caller that got revision R finds R in every new watch.
  hub_.publish(std::vector<EventPtr>(events.begin(), events.end()), revision_);
  for (auto& outcome : outcomes) outcome.op->done.set_value(std::move(outcome.result));
}

Status Store::Impl::applyBatch(std::vector<Outcome>& outcomes, MutableEvents& events) {
  RETURN_IF_ERROR(writer_->exec("BEGIN IMMEDIATE"));
  const int64_t before = revision_;
  bool compacted = false;
  for (auto& outcome : outcomes) {
    RETURN_IF_ERROR(applyOp(outcome, events));
    compacted = compacted || (outcome.op->kind == OpKind::kCompact && outcome.result.isOk());
  }
  if (revision_ != before) RETURN_IF_ERROR(writeMeta(*writer_, "revision", revision_));
  RETURN_IF_ERROR(writer_->exec("COMMIT"));
  if (compacted) {
    for (const auto& outcome : outcomes) {
      if (outcome.op->kind == OpKind::kCompact && outcome.result.isOk()) {
        int64_t target = std::min(outcome.op->compact_to, revision_);
        if (target > compacted_.load()) compacted_.store(target, std::memory_order_release);
      }
    }
  }
  return Status::ok();
}

Status Store::Impl::applyOp(Outcome& outcome, MutableEvents& events) {
  switch (outcome.op->kind) {
    case OpKind::kCreate:
      return applyCreate(outcome, events);
    case OpKind::kUpdate:
      return applyUpdate(outcome, events);
    case OpKind::kApply:
      return applyFunction(outcome, events);
    case OpKind::kDelete:
      return applyDelete(outcome, events);
    case OpKind::kCompact:
      return applyCompact(outcome);
  }
  return internalError("unknown write");
}

StatusOr<std::optional<StoredRow>> Store::Impl::readRow(const ObjectKey& key) {
  ASSIGN_OR_RETURN(auto query, writer_->query(kSelectObject));
  query->bind(1, key.resource).bind(2, key.ns).bind(3, key.name);
  ASSIGN_OR_RETURN(bool row, query->step());
  if (!row) return std::optional<StoredRow>();
  return std::optional<StoredRow>(
      StoredRow{query->columnInt(0), query->columnInt(1), std::string(query->columnText(2))});
}

// The caller's Conflict (a rejected write, not a storage failure).
Status Store::Impl::checkPreconditions(const ObjectKey& key, const StoredRow& row,
                                       const Preconditions& preconditions) {
  if (preconditions.resource_version && *preconditions.resource_version != row.revision) {
    return conflictOnModified(key);
  }
  if (preconditions.uid) {
    auto stored = kube::Object::parse(row.value);
    if (!stored.isOk()) return stored.status().withContext("stored " + key.toString());
    if (stored->uid() != *preconditions.uid) {
      return conflictError("Precondition failed: UID in precondition: " + *preconditions.uid +
                           ", UID in object meta: " + stored->uid());
    }
  }
  return Status::ok();
}

Status Store::Impl::appendEvent(EventType type, const ObjectKey& key, kube::Object object,
                                std::string json, std::string prev_json, MutableEvents& events) {
  const int64_t revision = revision_ + 1;
  ASSIGN_OR_RETURN(auto query, writer_->query(kInsertEvent));
  query->bind(1, revision).bind(2, static_cast<int64_t>(type));
  query->bind(3, key.resource).bind(4, key.ns).bind(5, key.name).bind(6, json);
  if (type == EventType::kAdded) {
    query->bindNull(7);
  } else {
    query->bind(7, prev_json);
  }
  RETURN_IF_ERROR(query->bind(8, nowMs()).run());
  revision_ = revision;
  auto event = std::make_shared<Event>();
  event->type = type;
  event->revision = revision;
  event->key = key;
  event->object = std::make_shared<const kube::Object>(std::move(object));
  event->json = std::move(json);
  event->prev_json = std::move(prev_json);
  events.push_back(std::move(event));
  return Status::ok();
}

Status Store::Impl::applyCreate(Outcome& outcome, MutableEvents& events) {
  WriteOp& op = *outcome.op;
  ASSIGN_OR_RETURN(auto existing, readRow(op.key));
  if (existing) {
    outcome.result = alreadyExistsError(qualifiedResource(op.key.resource) + " \"" + op.key.name +
                                        "\" already exists");
    return Status::ok();
  }
  const int64_t revision = revision_ + 1;
  op.object.setResourceVersion(std::to_string(revision));
  auto json = dumpJson(op.object);
  if (!json.isOk()) {
    outcome.result = json.status();
    return Status::ok();
  }
  ASSIGN_OR_RETURN(auto insert, writer_->query(kInsertObject));
  insert->bind(1, op.key.resource).bind(2, op.key.ns).bind(3, op.key.name);
  RETURN_IF_ERROR(insert->bind(4, revision).bind(5, *json).run());
  outcome.result = op.object;
  outcome.count_delta = 1;
  return appendEvent(EventType::kAdded, op.key, std::move(op.object), std::move(json).value(), {},
                     events);
}

Status Store::Impl::applyUpdate(Outcome& outcome, MutableEvents& events) {
  WriteOp& op = *outcome.op;
  ASSIGN_OR_RETURN(auto existing, readRow(op.key));
  if (!existing) {
    outcome.result = notFound(op.key);
    return Status::ok();
  }
  return updateExisting(outcome, std::move(*existing), events);
}

// Writes op.object over `existing`, the row already read in this transaction.
Status Store::Impl::updateExisting(Outcome& outcome, StoredRow existing, MutableEvents& events) {
  WriteOp& op = *outcome.op;
  if (Status precondition = checkPreconditions(op.key, existing, op.preconditions);
      !precondition.isOk()) {
    outcome.result = precondition;
    return Status::ok();
  }
  const int64_t revision = revision_ + 1;
  op.object.setResourceVersion(std::to_string(revision));
  auto json = dumpJson(op.object);
  if (!json.isOk()) {
    outcome.result = json.status();
    return Status::ok();
  }
  ASSIGN_OR_RETURN(auto update, writer_->query(kUpdateObject));
  RETURN_IF_ERROR(update->bind(1, existing.id).bind(2, revision).bind(3, *json).run());
  outcome.result = op.object;
  return appendEvent(EventType::kModified, op.key, std::move(op.object), std::move(json).value(),
                     std::move(existing.value), events);
}

// guaranteedUpdate's fallback: fn sees the row inside the write transaction, so it cannot
// conflict. Rejections by fn fail only this operation.
Status Store::Impl::applyFunction(Outcome& outcome, MutableEvents& events) {
  WriteOp& op = *outcome.op;
  ASSIGN_OR_RETURN(auto existing, readRow(op.key));
  if (!existing) {
    outcome.result = notFound(op.key);
    return Status::ok();
  }
  auto current = kube::Object::parse(existing->value);
  if (!current.isOk()) return current.status().withContext("stored " + op.key.toString());
  auto updated = runUpdateFunction(*op.fn, *current);
  Status valid = updated.isOk() ? validateKey(op.key, &*updated) : updated.status();
  if (!valid.isOk()) {
    outcome.result = valid;
    return Status::ok();
  }
  op.object = std::move(updated).value();
  return updateExisting(outcome, std::move(*existing), events);
}

Status Store::Impl::applyDelete(Outcome& outcome, MutableEvents& events) {
  WriteOp& op = *outcome.op;
  ASSIGN_OR_RETURN(auto existing, readRow(op.key));
  if (!existing) {
    outcome.result = notFound(op.key);
    return Status::ok();
  }
  if (Status precondition = checkPreconditions(op.key, *existing, op.preconditions);
      !precondition.isOk()) {
    outcome.result = precondition;
    return Status::ok();
  }
  auto last = kube::Object::parse(existing->value);
  if (!last.isOk()) return last.status().withContext("stored " + op.key.toString());
  last->setResourceVersion(std::to_string(revision_ + 1));
  ASSIGN_OR_RETURN(std::string json, dumpJson(*last));
  ASSIGN_OR_RETURN(auto remove, writer_->query(kDeleteObject));
  RETURN_IF_ERROR(remove->bind(1, existing->id).run());
  outcome.result = *last;
  outcome.count_delta = -1;
  return appendEvent(EventType::kDeleted, op.key, std::move(last).value(), std::move(json),
                     std::move(existing->value), events);
}

Status Store::Impl::applyCompact(Outcome& outcome) {
  const int64_t target = std::min(outcome.op->compact_to, revision_);
  if (target > compacted_.load()) {
    ASSIGN_OR_RETURN(auto remove, writer_->query(kDeleteEvents));
    RETURN_IF_ERROR(remove->bind(1, target).run());
    RETURN_IF_ERROR(writeMeta(*writer_, "compacted", target));
  }
  outcome.result = kube::Object();
  return Status::ok();
}

// ---- history window ----

int64_t Store::Impl::nowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
      .count();
}

// The newest revision written before `cutoff_ms`. Revisions in the window are contiguous and
// written in time order, so a binary search over point lookups finds it in O(log n) reads.
StatusOr<int64_t> Store::Impl::ageCompactionTarget(int64_t cutoff_ms) {
  int64_t low = compacted_.load() + 1;
  int64_t high = revision_;
  int64_t found = compacted_.load();
  while (low <= high) {
    const int64_t middle = low + (high - low) / 2;
    ASSIGN_OR_RETURN(auto query, writer_->query(kEventTime));
    query->bind(1, middle);
    ASSIGN_OR_RETURN(bool row, query->step());
    if (row && query->columnInt(0) < cutoff_ms) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

Status Store::Impl::deleteHistory(int64_t target) {
  RETURN_IF_ERROR(writer_->exec("BEGIN IMMEDIATE"));
  Status status = [&]() -> Status {
    ASSIGN_OR_RETURN(auto remove, writer_->query(kDeleteEvents));
    RETURN_IF_ERROR(remove->bind(1, target).run());
    RETURN_IF_ERROR(writeMeta(*writer_, "compacted", target));
    return writer_->exec("COMMIT");
  }();
  if (!status.isOk()) {
    (void)writer_->exec("ROLLBACK");
    return status;
  }
  compacted_.store(target, std::memory_order_release);
  return Status::ok();
}

void Store::Impl::maybeCompact() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_compaction_ < options_.compaction_interval) return;
  last_compaction_ = now;
  int64_t target = 0;
  if (options_.history_max_events > 0) target = revision_ - options_.history_max_events;
  if (options_.history_max_age.count() > 0) {
    const int64_t cutoff =
        nowMs() -
        std::chrono::duration_cast<std::chrono::milliseconds>(options_.history_max_age).count();
    auto by_age = ageCompactionTarget(cutoff);
    if (by_age.isOk()) target = std::max(target, *by_age);
  }
  target = std::min(target, compacted_.load() + kMaxCompactionRows);
  // A failed compaction leaves history longer than asked, never shorter: retried next time.
  if (target > compacted_.load()) (void)deleteHistory(target);
}

// ---- reads ----

StatusOr<kube::Object> Store::Impl::get(const ObjectKey& key) {
  RETURN_IF_ERROR(validateKey(key, nullptr));
  ASSIGN_OR_RETURN(auto lease, acquireReader());
  ASSIGN_OR_RETURN(auto query, lease->db().query(kSelectObject));
  query->bind(1, key.resource).bind(2, key.ns).bind(3, key.name);
  ASSIGN_OR_RETURN(bool row, query->step());
  if (!row) return notFound(key);
  return kube::Object::parse(query->columnText(2));
}

int64_t Store::Impl::count(const std::string& resource) const {
  std::lock_guard lock(counts_mu_);
  auto it = counts_.find(resource);
  return it == counts_.end() ? 0 : it->second;
}

// For a list at an older revision: the keys changed since, each with its state at `revision`
// (nullopt when it did not exist then). The first change after `revision` knows that state.
StatusOr<ChangedKeys> Store::Impl::changedSince(Db& db, const ListOptions& options,
                                                int64_t revision) {
  ChangedKeys changed;
  ASSIGN_OR_RETURN(auto query, db.query(kChangedSince));
  query->bind(1, options.resource).bind(2, revision);
  while (true) {
    ASSIGN_OR_RETURN(bool row, query->step());
    if (!row) break;
    if (!options.ns.empty() && query->columnText(0) != options.ns) continue;
    auto key = std::make_pair(std::string(query->columnText(0)), std::string(query->columnText(1)));
    if (changed.contains(key)) continue;
    std::optional<std::string> state;
    if (query->columnInt(2) != static_cast<int64_t>(EventType::kAdded)) {
      state = std::string(query->columnText(3));
    }
    changed.emplace(std::move(key), std::move(state));
  }
  return changed;
}

namespace {

// Collects one page: applies the predicate and the limit, remembers where the page ended.
class PageBuilder {
 public:
  PageBuilder(const ListOptions& options, ListResult& result)
      : options_(options), result_(result) {}

  // False once the page is full and one more item exists (the list continues).
  StatusOr<bool> add(std::string_view ns, std::string_view name, std::string_view value) {
    if (options_.limit > 0 && added_ >= options_.limit) {
      more_ = true;
      return false;
    }
    if (options_.raw && !options_.predicate) {
      result_.raw_items.emplace_back(value);
    } else {
      ASSIGN_OR_RETURN(auto object, kube::Object::parse(value));
      if (options_.predicate && !options_.predicate(object)) return true;
      if (options_.raw) {
        result_.raw_items.emplace_back(value);
      } else {
        result_.items.push_back(std::move(object));
      }
    }
    ++added_;
    last_ns_ = ns;
    last_name_ = name;
    return true;
  }

  bool more() const { return more_; }
  const std::string& lastNs() const { return last_ns_; }
  const std::string& lastName() const { return last_name_; }

 private:
  const ListOptions& options_;
  ListResult& result_;
  bool more_ = false;
  int64_t added_ = 0;
  std::string last_ns_;
  std::string last_name_;
};

}  // namespace

StatusOr<ListResult> Store::Impl::list(const ListOptions& options) {
  if (options.resource.empty()) return invalidError("list needs a resource");
  detail::ContinueToken start;
  start.revision = options.revision;
  if (!options.continue_token.empty()) {
    ASSIGN_OR_RETURN(start, detail::decodeContinueToken(options.continue_token));
    if (start.resource != options.resource || start.ns != options.ns) {
      return invalidError("continue token was issued for another list");
    }
  }
  ASSIGN_OR_RETURN(auto lease, acquireReader());
  ReadTransaction transaction(lease->db());
  RETURN_IF_ERROR(transaction.status());
  ASSIGN_OR_RETURN(Meta meta, readMeta(lease->db()));
  ListResult result;
  result.revision = start.revision > 0 ? start.revision : meta.revision;
  if (result.revision > meta.revision) {
    return deadlineExceededError("Too large resource version: " + std::to_string(result.revision) +
                                 ", current resource version: " + std::to_string(meta.revision));
  }
  ChangedKeys changed;
  if (result.revision < meta.revision) {
    if (result.revision < meta.compacted) {
      return options.continue_token.empty()
                 ? goneError("too old resource version: " + std::to_string(result.revision) + " (" +
                             std::to_string(meta.compacted) + ")")
                 : goneError(
                       "The provided continue parameter is too old to display a consistent "
                       "list result. You can start a new list without the continue parameter.");
    }
    ASSIGN_OR_RETURN(changed, changedSince(lease->db(), options, result.revision));
  }

  const auto after = std::make_pair(start.last_ns, start.last_name);
  auto next_changed = options.continue_token.empty() ? changed.begin() : changed.upper_bound(after);
  PageBuilder page(options, result);
  // Merges the current rows with the keys that changed since the snapshot, in key order.
  auto emitChangedBefore = [&](const std::pair<std::string, std::string>* bound) -> StatusOr<bool> {
    for (; next_changed != changed.end() && (!bound || next_changed->first < *bound);
         ++next_changed) {
      if (!next_changed->second) continue;
      ASSIGN_OR_RETURN(bool go_on, page.add(next_changed->first.first, next_changed->first.second,
                                            *next_changed->second));
      if (!go_on) return false;
    }
    return true;
  };
  ASSIGN_OR_RETURN(auto query, lease->db().query(options.ns.empty() ? kListAll : kListNamespace));
  query->bind(1, options.resource).bind(2, start.last_ns).bind(3, start.last_name);
  if (!options.ns.empty()) query->bind(4, options.ns);
  bool go_on = true;
  while (go_on) {
    ASSIGN_OR_RETURN(bool row, query->step());
    if (!row) break;
    auto key = std::make_pair(std::string(query->columnText(0)), std::string(query->columnText(1)));
    ASSIGN_OR_RETURN(go_on, emitChangedBefore(&key));
    if (!go_on) break;
    if (next_changed != changed.end() && next_changed->first == key) {
      ++next_changed;
      if (auto& state = std::prev(next_changed)->second; state) {
        ASSIGN_OR_RETURN(go_on, page.add(key.first, key.second, *state));
      }
      continue;
    }
    ASSIGN_OR_RETURN(go_on, page.add(key.first, key.second, query->columnText(2)));
  }
  if (go_on) {
    ASSIGN_OR_RETURN(go_on, emitChangedBefore(nullptr));
  }
  if (page.more()) {
    result.continue_token = detail::encodeContinueToken(
        {result.revision, options.resource, options.ns, page.lastNs(), page.lastName()});
  }
  return result;
}

StatusOr<detail::HistoryPage> Store::Impl::readHistory(const std::string& resource,
                                                       const std::string& ns, int64_t after,
                                                       std::size_t max) {
  ASSIGN_OR_RETURN(auto lease, acquireReader());
  ReadTransaction transaction(lease->db());
  RETURN_IF_ERROR(transaction.status());
  ASSIGN_OR_RETURN(Meta meta, readMeta(lease->db()));
  if (after < meta.compacted) {
    return goneError("too old resource version: " + std::to_string(after) + " (" +
                     std::to_string(meta.compacted) + ")");
  }
  ASSIGN_OR_RETURN(auto query, lease->db().query(kHistory));
  query->bind(1, resource).bind(2, after).bind(3, meta.revision);
  query->bind(4, static_cast<int64_t>(max));
  detail::HistoryPage page;
  page.scanned_to = meta.revision;
  std::size_t rows = 0;
  while (true) {
    ASSIGN_OR_RETURN(bool row, query->step());
    if (!row) break;
    ++rows;
    const int64_t revision = query->columnInt(0);
    if (rows == max) page.scanned_to = revision;
    if (!ns.empty() && query->columnText(2) != ns) continue;
    auto event = std::make_shared<Event>();
    event->type = static_cast<EventType>(query->columnInt(1));
    event->revision = revision;
    event->key = {resource, std::string(query->columnText(2)), std::string(query->columnText(3))};
    event->json = std::string(query->columnText(4));
    event->prev_json = std::string(query->columnText(5));
    ASSIGN_OR_RETURN(auto object, kube::Object::parse(event->json));
    event->object = std::make_shared<const kube::Object>(std::move(object));
    page.events.push_back(std::move(event));
  }
  return page;
}

StatusOr<std::unique_ptr<Watch>> Store::Impl::watch(WatchOptions options) {
  if (options.resource.empty()) return invalidError("watch needs a resource");
  int64_t start = options.from_revision;
  if (start < 0) return invalidError("negative resource version");
  if (start == 0) {
    start = hub_.published();
  } else if (start < compacted()) {
    return goneError("too old resource version: " + std::to_string(start) + " (" +
                     std::to_string(compacted()) + ")");
  } else if (start > committed()) {
    return deadlineExceededError("Too large resource version: " + std::to_string(start) +
                                 ", current resource version: " + std::to_string(committed()));
  }
  auto impl = std::make_shared<Watch::Impl>(shared_from_this(), std::move(options),
                                            options_.watch_queue_capacity, start);
  return std::make_unique<Watch>(std::move(impl));
}

// ---- Store ----

Store::Store(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() { impl_->close(); }

StatusOr<std::unique_ptr<Store>> Store::open(StoreOptions options) {
  if (options.dir.empty()) return invalidError("store needs a directory");
  if (options.max_batch == 0 || options.max_readers == 0 || options.watch_queue_capacity == 0) {
    return invalidError("store batch, reader and watch queue sizes must be positive");
  }
  auto impl = std::make_shared<Impl>(std::move(options));
  if (Status status = impl->start(); !status.isOk()) {
    impl->close();
    return status;
  }
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

StatusOr<kube::Object> Store::create(const ObjectKey& key, kube::Object object) {
  RETURN_IF_ERROR(validateKey(key, &object));
  auto op = std::make_unique<WriteOp>();
  op->kind = OpKind::kCreate;
  op->key = key;
  op->object = std::move(object);
  return impl_->write(std::move(op));
}

StatusOr<kube::Object> Store::get(const ObjectKey& key) { return impl_->get(key); }

StatusOr<ListResult> Store::list(const ListOptions& options) { return impl_->list(options); }

StatusOr<kube::Object> Store::update(const ObjectKey& key, kube::Object object,
                                     const Preconditions& preconditions) {
  RETURN_IF_ERROR(validateKey(key, &object));
  auto op = std::make_unique<WriteOp>();
  op->kind = OpKind::kUpdate;
  op->key = key;
  op->object = std::move(object);
  op->preconditions = preconditions;
  return impl_->write(std::move(op));
}

StatusOr<kube::Object> Store::guaranteedUpdate(const ObjectKey& key, const UpdateFunction& fn) {
  // Optimistic first: fn runs on this thread, outside the committer, as long as nobody races.
  ASSIGN_OR_RETURN(auto current, get(key));
  const int64_t revision = parseRevision(current.resourceVersion());
  ASSIGN_OR_RETURN(auto updated, runUpdateFunction(fn, current));
  auto result = update(key, std::move(updated), Preconditions{revision, std::nullopt});
  if (result.isOk() || !result.status().is(StatusCode::kConflict)) return result;
  // Contended: retrying the CAS would commit one winner per fsync. Applying fn to the row
  // inside the committer's transaction cannot conflict, so every contender lands in the next
  // batch.
  auto op = std::make_unique<WriteOp>();
  op->kind = OpKind::kApply;
  op->key = key;
  op->fn = &fn;
  return impl_->write(std::move(op));
}

StatusOr<kube::Object> Store::remove(const ObjectKey& key, const Preconditions& preconditions) {
  RETURN_IF_ERROR(validateKey(key, nullptr));
  auto op = std::make_unique<WriteOp>();
  op->kind = OpKind::kDelete;
  op->key = key;
  op->preconditions = preconditions;
  return impl_->write(std::move(op));
}

int64_t Store::count(const std::string& resource) const { return impl_->count(resource); }

int64_t Store::currentRevision() const { return impl_->hub().published(); }

int64_t Store::compactedRevision() const { return impl_->compacted(); }

StatusOr<std::unique_ptr<Watch>> Store::watch(WatchOptions options) {
  return impl_->watch(std::move(options));
}

Status Store::compact(int64_t revision) {
  auto op = std::make_unique<WriteOp>();
  op->kind = OpKind::kCompact;
  op->compact_to = revision;
  return impl_->write(std::move(op)).status();
}

}  // namespace serin::cluster
