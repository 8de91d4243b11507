#pragma once
// SqlExpression: a view's `filter` (or an aggregate view's `having`), a SQL expression evaluated by
// SQLite's own expression engine, not a grammar of ours: it is prepared once as
//   SELECT (<expr>) FROM (SELECT ?1 AS "status", ?2 AS "total") AS "orders",
//                        (SELECT ?3 AS "country") AS "customer"
// on a private in-memory connection, and each row binds its values. Names resolve like SQL: a bare
// column is a column of the root row (or a field of the group document for `having`), and
// `<lookup>.<column>` is a column of an object lookup at the top level of the document
// (`customer.country`); `<root table>.<column>` names a root column explicitly. Which names the
// expression uses is learnt at compile time from SQLite's own "no such column" answers.
// The row is in the view when the expression is true (SQL WHERE: NULL and 0 are false).
//
// Errors from Compile are kInvalidArgument "file:line:col: <what>: <SQLite's message>", the column
// pointing at the offending token inside the TOML string when SQLite knows it.
// Not thread-safe: one per engine, used on the loop thread (or by one verify thread).

#include <sqlite3.h>

#include <memory>
#include <string>
#include <vector>

#include "change/value.h"
#include "config/config.h"
#include "core/status.h"

namespace weft::view {

class SqlExpression {
 public:
  struct Scope {
    std::string root;                 // the root table's name ("" for `having`: no qualifier)
    std::vector<std::string> lookups; // top-level object lookup paths usable as qualifiers
  };
  // `what` names it in errors ("view 'x': filter").
  static core::Result<std::unique_ptr<SqlExpression>> Compile(const std::string& text, const Scope& scope,
                                                              const config::Location& at, const std::string& what);
  ~SqlExpression();
  SqlExpression(const SqlExpression&) = delete;
  SqlExpression& operator=(const SqlExpression&) = delete;

  // Whether `doc` (a wide document, or a group document for `having`) satisfies the expression.
  core::Result<bool> Matches(const change::Value& doc);

  // The names it reads: (qualifier, column); qualifier "" is the root / the document itself.
  const std::vector<std::pair<std::string, std::string>>& columns() const { return columns_; }

 private:
  SqlExpression() = default;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::vector<std::pair<std::string, std::string>> columns_;  // parameter i+1 is columns_[i]
  std::string what_;
};

// Binds one document value as SQLite sees it: numbers as numbers (an exact DECIMAL as an integer
// when it has no fraction, else a double), text and temporals as text, arrays/objects as JSON.
void BindValue(sqlite3_stmt* stmt, int index, const change::Value* value);

}  // namespace weft::view
