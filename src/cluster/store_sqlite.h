// Thin RAII wrappers over the sqlite3 C API for the store: a connection with a cache of
// prepared statements, and a scoped query that resets its statement when done.
//
// Private to src/cluster. A Db is used by one thread at a time (opened SQLITE_OPEN_NOMUTEX);
// the store gives each thread its own connection (the committer's, or one from the reader
// pool). Errors come back as Internal Status with SQLite's message.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "serin/util/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace serin::cluster::detail {

// One statement execution: bind, step, read columns. Resets the statement on destruction so
// the cached statement can be reused and releases its read snapshot.
class Query {
 public:
  explicit Query(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& bind(int index, int64_t value);
  Query& bind(int index, std::string_view text);
  Query& bindNull(int index);

  // True when a row is available, false when done; Internal on error.
  StatusOr<bool> step();
  // For statements that return no rows.
  Status run();

  int64_t columnInt(int index) const;
  std::string_view columnText(int index) const;  // valid until the next step()
  bool columnIsNull(int index) const;

 private:
  sqlite3_stmt* stmt_;
};

class Db {
 public:
  // Opens `path` (created when missing) in WAL mode with synchronous=FULL, a busy timeout and a
  // page cache of `cache_kib`. A reader connection is made query_only.
  static StatusOr<std::unique_ptr<Db>> open(const std::string& path, int64_t cache_kib,
                                            bool reader);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Status exec(const char* sql);
  // A query over a statement prepared once per connection and kept; `sql` must be a string
  // literal (the cache is keyed by its address).
  StatusOr<std::unique_ptr<Query>> query(const char* sql);

  // Internal error with `what` and SQLite's last message.
  Status error(std::string_view what) const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

}  // namespace serin::cluster::detail
