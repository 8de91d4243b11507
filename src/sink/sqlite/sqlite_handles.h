#pragma once
// Move-only owners for the SQLite sink's handles. The state module has its own; the sinks do not
// depend on it (a sink knows nothing of the engine's state).

#include <sqlite3.h>

#include <memory>

namespace weft::sink::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

}  // namespace weft::sink::sqlite
