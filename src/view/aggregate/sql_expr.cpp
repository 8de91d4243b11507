#include "view/aggregate/sql_expr.h"

#include <algorithm>
#include <cctype>

namespace weft::view {
namespace {

using change::Value;
using change::ValueKind;

constexpr char kPrefix[] = "SELECT (";

std::string Quote(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

bool SameName(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

void BindValue(sqlite3_stmt* stmt, int index, const Value* value) {
  if (value == nullptr) {
    sqlite3_bind_null(stmt, index);
    return;
  }
  switch (value->kind()) {
    case ValueKind::kNull:
      sqlite3_bind_null(stmt, index);
      return;
    case ValueKind::kBool:
      sqlite3_bind_int64(stmt, index, value->as_bool() ? 1 : 0);
      return;
    case ValueKind::kInt:
      sqlite3_bind_int64(stmt, index, value->as_int());
      return;
    case ValueKind::kUInt:
      if (value->as_uint() <= static_cast<uint64_t>(INT64_MAX)) {
        sqlite3_bind_int64(stmt, index, static_cast<int64_t>(value->as_uint()));
      } else {
        sqlite3_bind_double(stmt, index, static_cast<double>(value->as_uint()));
      }
      return;
    case ValueKind::kFloat:
    case ValueKind::kDouble:
      sqlite3_bind_double(stmt, index, value->as_double());
      return;
    case ValueKind::kDecimal: {
      const std::string& t = value->text();
      if (t.find('.') == std::string::npos && t.size() < 19) {
        sqlite3_bind_int64(stmt, index, std::stoll(t));
      } else {
        sqlite3_bind_double(stmt, index, std::strtod(t.c_str(), nullptr));
      }
      return;
    }
    case ValueKind::kBytes:
      sqlite3_bind_blob(stmt, index, value->text().data(), static_cast<int>(value->text().size()), SQLITE_TRANSIENT);
      return;
    case ValueKind::kArray:
    case ValueKind::kObject: {
      std::string json = change::ToJson(*value);
      sqlite3_bind_text(stmt, index, json.data(), static_cast<int>(json.size()), SQLITE_TRANSIENT);
      return;
    }
    default:
      sqlite3_bind_text(stmt, index, value->text().data(), static_cast<int>(value->text().size()), SQLITE_TRANSIENT);
      return;
  }
}

core::Result<std::unique_ptr<SqlExpression>> SqlExpression::Compile(const std::string& text, const Scope& scope,
                                                                     const config::Location& at,
                                                                     const std::string& what) {
  std::unique_ptr<SqlExpression> e(new SqlExpression());
  e->what_ = what;
  auto fail = [&](const std::string& message, int offset) {
    config::Location where = at;
    // The TOML value's column is its opening quote; SQLite's offset counts into our statement.
    if (offset >= static_cast<int>(sizeof kPrefix - 1)) where.column += 1 + offset - static_cast<int>(sizeof kPrefix - 1);
    std::string prefix = where.file.empty() ? "" : where.ToString() + ": ";
    return core::InvalidArgument(prefix + what + ": \"" + text + "\": " + message);
  };
  if (text.find(';') != std::string::npos) return fail("one expression, no ';'", -1);
  if (sqlite3_open_v2(":memory:", &e->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, nullptr) != SQLITE_OK) {
    return core::Internal("cannot open an in-memory SQLite database for " + what);
  }
  const std::string alias = scope.root.empty() ? "_doc" : scope.root;
  for (int attempt = 0; attempt < 256; ++attempt) {
    // One derived table per scope that has columns: the root's (or the document's), then lookups.
    std::string from;
    std::vector<std::string> scopes{""};
    scopes.insert(scopes.end(), scope.lookups.begin(), scope.lookups.end());
    for (const auto& s : scopes) {
      std::string cols;
      for (size_t i = 0; i < e->columns_.size(); ++i) {
        if (e->columns_[i].first != s) continue;
        cols += (cols.empty() ? "" : ", ") + std::string("?") + std::to_string(i + 1) + " AS " + Quote(e->columns_[i].second);
      }
      if (cols.empty()) continue;
      from += (from.empty() ? " FROM " : ", ") + std::string("(SELECT ") + cols + ") AS " + Quote(s.empty() ? alias : s);
    }
    std::string sql = kPrefix + text + ")" + from;
    if (e->stmt_) {
      sqlite3_finalize(e->stmt_);
      e->stmt_ = nullptr;
    }
    int rc = sqlite3_prepare_v2(e->db_, sql.c_str(), static_cast<int>(sql.size()), &e->stmt_, nullptr);
    if (rc == SQLITE_OK) {
      if (e->stmt_ == nullptr) return fail("empty expression", -1);
      if (sqlite3_column_count(e->stmt_) != 1) return fail("must be one expression", -1);
      return e;
    }
    std::string message = sqlite3_errmsg(e->db_);
    int offset = sqlite3_error_offset(e->db_);
    const std::string kNoColumn = "no such column: ";
    if (message.rfind(kNoColumn, 0) != 0) return fail(message, offset);
    std::string name = message.substr(kNoColumn.size());
    size_t dot = name.rfind('.');
    std::string qualifier = dot == std::string::npos ? "" : name.substr(0, dot);
    std::string column = dot == std::string::npos ? name : name.substr(dot + 1);
    if (!qualifier.empty()) {
      if (!scope.root.empty() && SameName(qualifier, scope.root)) {
        qualifier.clear();
      } else {
        auto it = std::find_if(scope.lookups.begin(), scope.lookups.end(),
                               [&](const std::string& l) { return SameName(l, qualifier); });
        if (it == scope.lookups.end()) {
          std::string known = scope.root.empty() ? "" : "the root table '" + scope.root + "'";
          for (const auto& l : scope.lookups) known += (known.empty() ? "'" : ", '") + l + "'";
          return fail("'" + name + "': '" + qualifier + "' is not " +
                          (known.empty() ? std::string("known here (name the fields without a qualifier)")
                                         : "one of " + known + " (object lookups at the top of the document)"),
                      offset);
        }
        qualifier = *it;
      }
    }
    auto entry = std::make_pair(qualifier, column);
    if (std::find(e->columns_.begin(), e->columns_.end(), entry) != e->columns_.end()) return fail(message, offset);
    e->columns_.push_back(entry);
  }
  return fail("names too many columns", -1);
}

SqlExpression::~SqlExpression() {
  if (stmt_) sqlite3_finalize(stmt_);
  if (db_) sqlite3_close(db_);
}

core::Result<bool> SqlExpression::Matches(const Value& doc) {
  sqlite3_reset(stmt_);
  for (size_t i = 0; i < columns_.size(); ++i) {
    const auto& [qualifier, column] = columns_[i];
    const Value* v = nullptr;
    if (qualifier.empty()) {
      v = doc.kind() == ValueKind::kObject ? doc.Find(column) : nullptr;
    } else if (const Value* sub = doc.kind() == ValueKind::kObject ? doc.Find(qualifier) : nullptr;
               sub && sub->kind() == ValueKind::kObject) {
      v = sub->Find(column);
    }
    BindValue(stmt_, static_cast<int>(i + 1), v);
  }
  int rc = sqlite3_step(stmt_);
  if (rc != SQLITE_ROW) {
    std::string message = sqlite3_errmsg(db_);
    sqlite3_reset(stmt_);
    return core::InvalidArgument(what_ + ": evaluating failed: " + message);
  }
  bool result = false;
  switch (sqlite3_column_type(stmt_, 0)) {
    case SQLITE_INTEGER:
      result = sqlite3_column_int64(stmt_, 0) != 0;
      break;
    case SQLITE_FLOAT:
    case SQLITE_TEXT:
      result = sqlite3_column_double(stmt_, 0) != 0.0;
      break;
    default:
      break;
  }
  sqlite3_reset(stmt_);
  return result;
}

}  // namespace weft::view
