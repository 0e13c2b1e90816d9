#include "store_sqlite.h"

#include <string>

#include <sqlite3.h>

namespace serin::cluster::detail {

Query::~Query() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Query& Query::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Query& Query::bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT: the caller's buffer may die before step(); SQLite copies it.
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Query& Query::bindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

StatusOr<bool> Query::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return internalError(std::string("sqlite step: ") + sqlite3_errmsg(sqlite3_db_handle(stmt_)));
}

Status Query::run() {
  auto more = step();
  if (!more.isOk()) return more.status();
  return Status::ok();
}

int64_t Query::columnInt(int index) const { return sqlite3_column_int64(stmt_, index); }

std::string_view Query::columnText(int index) const {
  const auto* text = sqlite3_column_text(stmt_, index);
  int size = sqlite3_column_bytes(stmt_, index);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

bool Query::columnIsNull(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

StatusOr<std::unique_ptr<Db>> Db::open(const std::string& path, int64_t cache_kib, bool reader) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &raw, flags, nullptr) != SQLITE_OK) {
    std::string message = raw ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close(raw);
    return internalError("open " + path + ": " + message);
  }
  std::unique_ptr<Db> db(new Db(raw));
  // Readers and the committer only wait on each other during WAL checkpoints and recovery.
  sqlite3_busy_timeout(raw, 5000);
  RETURN_IF_ERROR(db->exec("PRAGMA journal_mode=WAL"));
  // FULL: the WAL is fsynced at every commit, so an acknowledged write survives power loss
  // (NORMAL would only survive a process crash).
  RETURN_IF_ERROR(db->exec("PRAGMA synchronous=FULL"));
  RETURN_IF_ERROR(db->exec(("PRAGMA cache_size=-" + std::to_string(cache_kib)).c_str()));
  RETURN_IF_ERROR(db->exec("PRAGMA temp_store=MEMORY"));
  if (reader) RETURN_IF_ERROR(db->exec("PRAGMA query_only=1"));
  return db;
}

Db::~Db() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Status Db::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    return internalError(std::string("sqlite: ") + text + " in: " + sql);
  }
  return Status::ok();
}

StatusOr<std::unique_ptr<Query>> Db::query(const char* sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      return error(std::string("prepare ") + sql);
    }
    it = statements_.emplace(sql, stmt).first;
  }
  return std::make_unique<Query>(it->second);
}

Status Db::error(std::string_view what) const {
  return internalError(std::string(what) + ": " + sqlite3_errmsg(db_));
}

}  // namespace serin::cluster::detail
