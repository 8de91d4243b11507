#pragma once
// Helpers for the view engine's unit tests: temp state files, hand-built schemas and change
// records (the shape the MySQL source produces), and a harness that runs batches through a real
// ViewEngine over a real StateDb and applies the writes to an in-memory "sink".

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "change/change.h"
#include "config/config.h"
#include "state/state_db.h"
#include "view/view_engine.h"

namespace weft::test {

using change::Value;

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char pattern[] = "/tmp/weft_view_test_XXXXXX";
    path = mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string File(const std::string& name) const { return (path / name).string(); }
};

inline change::TableSchemaPtr Schema(const std::string& table, const std::vector<std::string>& columns,
                                     const std::vector<int>& pk) {
  auto s = std::make_shared<change::TableSchema>();
  s->db = "shop";
  s->table = table;
  for (const auto& c : columns) s->columns.push_back({c, "varchar(32)", true, false});
  s->primary_key = pk;
  return s;
}

inline change::Change MakeChange(const change::TableSchemaPtr& schema, change::Op op, std::vector<Value> before,
                                 std::vector<Value> after) {
  change::Change c;
  c.op = op;
  c.schema = schema;
  c.source.name = "shop";
  c.source.db = schema->db;
  c.source.table = schema->table;
  c.source.snapshot = op == change::Op::kRead;
  c.before.values = std::move(before);
  c.after.values = std::move(after);
  return c;
}
inline change::Change Insert(const change::TableSchemaPtr& s, std::vector<Value> row) {
  return MakeChange(s, change::Op::kCreate, {}, std::move(row));
}
inline change::Change Read(const change::TableSchemaPtr& s, std::vector<Value> row) {
  return MakeChange(s, change::Op::kRead, {}, std::move(row));
}
inline change::Change Update(const change::TableSchemaPtr& s, std::vector<Value> before, std::vector<Value> after) {
  return MakeChange(s, change::Op::kUpdate, std::move(before), std::move(after));
}
inline change::Change Delete(const change::TableSchemaPtr& s, std::vector<Value> row) {
  return MakeChange(s, change::Op::kDelete, std::move(row), {});
}

inline config::LookupConfig Lookup(const std::string& table, const std::string& path, const std::string& type,
                                   std::vector<std::pair<std::string, std::string>> relation) {
  config::LookupConfig l;
  l.table = table;
  l.path = path;
  l.type = type;
  l.relation = std::move(relation);
  return l;
}

// The sink as the engine sees it: (sink, collection) -> id_key -> document JSON.
using Sink = std::map<std::pair<std::string, std::string>, std::map<std::string, std::string>>;

class Harness {
 public:
  Harness(const std::string& state_path, std::vector<config::ViewConfig> views) {
    auto db = state::StateDb::Open(state_path);
    REQUIRE_MESSAGE(db.ok(), db.status().ToString());
    db_ = std::move(*db);
    config_.views = std::move(views);
    auto engine = view::ViewEngine::Create(config_, db_.get());
    REQUIRE_MESSAGE(engine.ok(), engine.status().ToString());
    engine_ = std::move(*engine);
  }

  // One batch: apply, flush, commit; applies the writes to sink_ and returns them.
  std::vector<view::PendingWrite> Batch(const std::vector<change::Change>& changes) {
    REQUIRE(db_->Begin().ok());
    for (const auto& c : changes) {
      auto st = engine_->ApplyChange("shop", c);
      REQUIRE_MESSAGE(st.ok(), st.ToString());
    }
    std::vector<view::PendingWrite> writes;
    auto st = engine_->Flush(&writes);
    REQUIRE_MESSAGE(st.ok(), st.ToString());
    REQUIRE(db_->Commit().ok());
    Apply(writes);
    return writes;
  }

  // Snapshot build; applies and returns the writes.
  std::vector<view::PendingWrite> BuildAll() {
    std::vector<view::PendingWrite> writes;
    REQUIRE(db_->Begin().ok());
    auto st = engine_->BuildAll("shop", [&](view::PendingWrite&& w) {
      writes.push_back(std::move(w));
      return core::Status::Ok();
    });
    REQUIRE_MESSAGE(st.ok(), st.ToString());
    REQUIRE(db_->Commit().ok());
    Apply(writes);
    return writes;
  }

  void Apply(const std::vector<view::PendingWrite>& writes) {
    for (const auto& w : writes) {
      auto& coll = sink_[{w.sink, w.write.collection}];
      if (w.write.doc) {
        coll[w.write.id_key] = change::ToJson(*w.write.doc);
      } else {
        coll.erase(w.write.id_key);
      }
    }
  }

  std::map<std::string, std::string>& Collection(const std::string& sink, const std::string& collection) {
    return sink_[{sink, collection}];
  }

  state::StateDb* db() { return db_.get(); }
  view::ViewEngine* engine() { return engine_.get(); }

 private:
  std::unique_ptr<state::StateDb> db_;
  config::Config config_;
  std::unique_ptr<view::ViewEngine> engine_;
  Sink sink_;
};

}  // namespace weft::test
