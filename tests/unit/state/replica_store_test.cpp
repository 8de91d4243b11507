#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "state/replica_store.h"
#include "state/state_db.h"

using namespace weft;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char pattern[] = "/tmp/weft_replica_test_XXXXXX";
    path = mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string File(const std::string& name) const { return (path / name).string(); }
};

state::ReplicaLayout ItemsLayout() {
  state::ReplicaLayout layout;
  layout.source = "shop";
  layout.table = "ecom_order_items";
  layout.key_columns = {"order_id", "product_id", "seller_id"};
  layout.indexes = {{0}, {1}, {1, 2}};
  layout.contents = "all";
  return layout;
}

// A stored row: {"v": text}.
change::Value R(const std::string& text) {
  return change::Value::MakeObject({{"v", change::Value::String(text)}});
}

std::vector<std::string> Pks(const std::vector<state::ReplicaRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.pk);
  return out;
}

}  // namespace

TEST_CASE("replica rows are found by key columns in pk order, and survive reopen") {
  TempDir dir;
  std::string path = dir.File("state.db");
  {
    auto db = state::StateDb::Open(path);
    REQUIRE(db.ok());
    bool fresh = false;
    auto store = state::ReplicaStore::Open(db->get(), ItemsLayout(), &fresh);
    REQUIRE(store.ok());
    CHECK(fresh);
    auto& s = **store;
    REQUIRE(s.Put("b", R("row-b"), {"O1", "P1", "S1"}).ok());
    REQUIRE(s.Put("a", R("row-a"), {"O1", "P2", "S1"}).ok());
    REQUIRE(s.Put("c", R("row-c"), {"O2", "P1", std::nullopt}).ok());
    REQUIRE(s.Put(std::string("a\0x", 3), R("row-a0"), {"O1", "P1", "S2"}).ok());  // pk bytes, not C strings
    REQUIRE(s.SetPkColumns({"order_id", "order_item_id"}).ok());

    std::vector<state::ReplicaRow> rows;
    REQUIRE(s.Find(0, {"O1"}, 0, &rows).ok());
    CHECK(Pks(rows) == std::vector<std::string>{"a", std::string("a\0x", 3), "b"});
    CHECK(rows[2].row == R("row-b"));
    CHECK(rows[2].keys[1] == std::optional<std::string>("P1"));
    rows.clear();
    REQUIRE(s.Find(2, {"P1", "S1"}, 0, &rows).ok());
    CHECK(Pks(rows) == std::vector<std::string>{"b"});
    rows.clear();
    REQUIRE(s.Find(1, {"P1"}, 1, &rows).ok());  // limit
    CHECK(Pks(rows) == std::vector<std::string>{std::string("a\0x", 3)});
    // FindRows: the same rows in the same (pk) order, without pk and key texts.
    std::vector<change::Value> found;
    REQUIRE(s.FindRows(0, {"O1"}, 0, &found).ok());
    CHECK(found == std::vector<change::Value>{R("row-a"), R("row-a0"), R("row-b")});
    found.clear();
    REQUIRE(s.FindRows(1, {"P1"}, 1, &found).ok());  // limit
    CHECK(found == std::vector<change::Value>{R("row-a0")});
    found.clear();
    REQUIRE(s.FindRows(0, {"O3"}, 0, &found).ok());
    CHECK(found.empty());
    rows.clear();
    REQUIRE(s.Find(0, {"O2"}, 0, &rows).ok());
    REQUIRE(rows.size() == 1);
    CHECK(!rows[0].keys[2].has_value());  // NULL stays NULL

    // Replace moves the row to its new keys; erase removes it.
    REQUIRE(s.Put("b", R("row-b2"), {"O2", "P1", "S1"}).ok());
    REQUIRE(s.Erase("a").ok());
    rows.clear();
    REQUIRE(s.Find(0, {"O1"}, 0, &rows).ok());
    CHECK(Pks(rows) == std::vector<std::string>{std::string("a\0x", 3)});
    change::Value row;
    CHECK(*s.Get("b", &row));
    CHECK(row == R("row-b2"));
    CHECK(!*s.Get("a", &row));
  }
  auto db = state::StateDb::Open(path);
  REQUIRE(db.ok());
  bool fresh = true;
  auto store = state::ReplicaStore::Open(db->get(), ItemsLayout(), &fresh);
  REQUIRE(store.ok());
  CHECK(!fresh);
  CHECK((*store)->pk_columns() == std::vector<std::string>{"order_id", "order_item_id"});
  std::vector<std::string> scanned;
  REQUIRE((*store)
              ->Scan([&](const state::ReplicaRow& r) {
                scanned.push_back(r.pk);
                return core::Status::Ok();
              })
              .ok());
  CHECK(scanned == std::vector<std::string>{std::string("a\0x", 3), "b", "c"});

  // ResetSource empties the replicas of that source only, keeping the tables usable.
  REQUIRE((*db)->ResetSource("shop").ok());
  scanned.clear();
  REQUIRE((*store)->Scan([&](const state::ReplicaRow& r) {
    scanned.push_back(r.pk);
    return core::Status::Ok();
  }).ok());
  CHECK(scanned.empty());
  REQUIRE((*store)->Put("z", R("row-z"), {"O9", "P9", "S9"}).ok());
}

TEST_CASE("a changed layout recreates the replica empty and says so") {
  TempDir dir;
  auto db = state::StateDb::Open(dir.File("state.db"));
  REQUIRE(db.ok());
  bool fresh = false;
  {
    auto store = state::ReplicaStore::Open(db->get(), ItemsLayout(), &fresh);
    REQUIRE(store.ok());
    REQUIRE((*store)->Put("a", R("row-a"), {"O1", "P1", "S1"}).ok());
  }
  auto layout = ItemsLayout();
  layout.contents = "only:price";
  auto store = state::ReplicaStore::Open(db->get(), layout, &fresh);
  REQUIRE(store.ok());
  CHECK(fresh);
  change::Value row;
  CHECK(!*(*store)->Get("a", &row));
  auto again = state::ReplicaStore::Open(db->get(), layout, &fresh);
  REQUIRE(again.ok());
  CHECK(!fresh);
}

TEST_CASE("replica names are safe identifiers and distinct per source and table") {
  CHECK(state::ReplicaTableName("shop", "ecom_orders").rfind("rep_shop__ecom_orders_", 0) == 0);
  CHECK(state::ReplicaTableName("a", "b_c") != state::ReplicaTableName("a_b", "c"));
  std::string odd = state::ReplicaTableName("s\"x", "t;drop");
  CHECK(odd.find('"') == std::string::npos);
  CHECK(odd.find(';') == std::string::npos);
}

namespace {

int IndexCount(state::StateDb& db, const std::string& table) {
  auto stmt = state::Statement::Prepare(db.handle(), "SELECT count(*) FROM sqlite_master WHERE type='index' AND "
                                                     "tbl_name=?1 AND name NOT LIKE 'sqlite_autoindex%'");
  REQUIRE(stmt.ok());
  stmt->BindText(1, table);
  auto row = stmt->Step();
  REQUIRE(row.ok());
  REQUIRE(*row);
  return static_cast<int>(stmt->Int(0));
}

}  // namespace

TEST_CASE("a bulk load drops the indexes, finds stay correct, and the indexes come back") {
  TempDir dir;
  std::string path = dir.File("state.db");
  std::string table;
  {
    auto db = state::StateDb::Open(path);
    REQUIRE(db.ok());
    bool fresh = false;
    auto store = state::ReplicaStore::Open(db->get(), ItemsLayout(), &fresh);
    REQUIRE(store.ok());
    auto& s = **store;
    table = s.table_name();
    CHECK(IndexCount(**db, table) == 3);
    REQUIRE((*db)->Begin().ok());
    REQUIRE(s.BeginBulkLoad().ok());
    CHECK(s.bulk_loading());
    REQUIRE(s.BeginBulkLoad().ok());  // idempotent
    CHECK(IndexCount(**db, table) == 0);
    REQUIRE(s.Put("b", R("row-b"), {"O1", "P1", "S1"}).ok());
    REQUIRE(s.Put("a", R("row-a"), {"O1", "P2", "S1"}).ok());
    REQUIRE(s.Put("c", R("row-c"), {"O2", "P1", std::nullopt}).ok());
    // Without indexes a Find scans the table: the same rows, in pk order.
    std::vector<state::ReplicaRow> rows;
    REQUIRE(s.Find(0, {"O1"}, 0, &rows).ok());
    CHECK(Pks(rows) == std::vector<std::string>{"a", "b"});
    REQUIRE((*db)->Commit().ok());
    // Weft dies here, mid-load: the next Open puts the indexes back.
  }
  {
    auto db = state::StateDb::Open(path);
    REQUIRE(db.ok());
    bool fresh = true;
    auto store = state::ReplicaStore::Open(db->get(), ItemsLayout(), &fresh);
    REQUIRE(store.ok());
    CHECK(!fresh);
    CHECK(!(*store)->bulk_loading());
    CHECK(IndexCount(**db, table) == 3);
    auto& s = **store;
    REQUIRE(s.BeginBulkLoad().ok());
    REQUIRE(s.Put("d", R("row-d"), {"O2", "P1", "S3"}).ok());
    REQUIRE(s.EnsureIndexes().ok());
    CHECK(!s.bulk_loading());
    CHECK(IndexCount(**db, table) == 3);
    std::vector<state::ReplicaRow> rows;
    REQUIRE(s.Find(1, {"P1"}, 0, &rows).ok());
    CHECK(Pks(rows) == std::vector<std::string>{"b", "c", "d"});
    rows.clear();
    REQUIRE(s.Find(2, {"P1", "S3"}, 0, &rows).ok());
    CHECK(Pks(rows) == std::vector<std::string>{"d"});
  }
}
