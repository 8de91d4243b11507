// Replica rows without their column names (change::EncodeRow against the replica's column list):
// they read back exactly as put whatever columns they have, across reopen, Clear and rollback.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "change/value_codec.h"
#include "state/replica_store.h"
#include "state/state_db.h"

using namespace weft;
using change::Value;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char pattern[] = "/tmp/weft_replica_rows_test_XXXXXX";
    path = mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string File(const std::string& name) const { return (path / name).string(); }
};

state::ReplicaLayout OrdersLayout() {
  state::ReplicaLayout layout;
  layout.source = "shop";
  layout.table = "orders";
  layout.key_columns = {"customer_id"};
  layout.indexes = {{0}};
  layout.contents = "all";
  return layout;
}

Value Row(change::Object fields) { return Value::MakeObject(std::move(fields)); }

Value Get(state::ReplicaStore& s, const std::string& pk) {
  Value row;
  auto found = s.Get(pk, &row);
  REQUIRE(found.ok());
  REQUIRE(*found);
  return row;
}

// The stored bytes of the row under `pk`.
std::string StoredBytes(state::StateDb& db, const std::string& table, const std::string& pk) {
  auto stmt = state::Statement::Prepare(db.handle(), "SELECT row FROM \"" + table + "\" WHERE pk=?1");
  REQUIRE(stmt.ok());
  stmt->BindBlob(1, pk);
  auto row = stmt->Step();
  REQUIRE(row.ok());
  REQUIRE(*row);
  return std::string(stmt->Blob(0));
}

}  // namespace

TEST_CASE("a row encodes without names, by position, and decodes back exactly") {
  std::vector<std::string> columns = {"id", "customer_id", "status", "total", "items", "note"};
  Value row = Row({{"id", Value::Int(-5)},
                   {"customer_id", Value::UInt(18446744073709551615ull)},
                   {"total", Value::Decimal("12.50")},
                   {"items", Value::MakeArray({Value::Int(1), Value::Null()})}});
  std::string bytes;
  REQUIRE(change::EncodeRow(row, columns, &bytes));
  CHECK(change::IsRow(bytes));
  CHECK(bytes.find("customer_id") == std::string::npos);
  CHECK(bytes.size() * 3 < change::EncodeValue(row).size() * 2);
  Value back;
  REQUIRE(change::DecodeRow(bytes, columns, &back));
  CHECK(back == row);  // "status" absent stays absent, "note" (past the last field) too
  CHECK(back.Find("status") == nullptr);

  // Names appended to the list later do not change what an older row reads as.
  columns.push_back("added");
  REQUIRE(change::DecodeRow(bytes, columns, &back));
  CHECK(back == row);

  // Small and extreme integers survive their varint form.
  for (int64_t i : {int64_t{0}, int64_t{1}, int64_t{-1}, INT64_MIN, INT64_MAX}) {
    std::string b;
    REQUIRE(change::EncodeRow(Row({{"id", Value::Int(i)}}), columns, &b));
    REQUIRE(change::DecodeRow(b, columns, &back));
    CHECK(back == Row({{"id", Value::Int(i)}}));
  }

  // Refused, and *out untouched: a name not in the list, fields out of the list's order, not an object.
  std::string out = "x";
  CHECK(!change::EncodeRow(Row({{"id", Value::Int(1)}, {"other", Value::Int(2)}}), columns, &out));
  CHECK(!change::EncodeRow(Row({{"status", Value::Null()}, {"id", Value::Int(1)}}), columns, &out));
  CHECK(!change::EncodeRow(Value::String("id"), columns, &out));
  CHECK(out == "x");

  // Malformed input is refused: truncated, trailing bytes, more slots than the list has names.
  CHECK(!change::DecodeRow(bytes.substr(0, bytes.size() - 1), columns, &back));
  CHECK(!change::DecodeRow(bytes + "z", columns, &back));
  CHECK(!change::DecodeRow(bytes, {"id", "customer_id"}, &back));
}

TEST_CASE("replica rows with changing columns read back as put, also after reopen") {
  TempDir dir;
  std::string path = dir.File("state.db");
  Value first = Row({{"id", Value::Int(1)}, {"customer_id", Value::String("c1")}, {"status", Value::String("new")}});
  Value partial = Row({{"id", Value::Int(2)}, {"status", Value::String("paid")}});  // a partial image
  Value gained = Row({{"id", Value::Int(3)},
                      {"customer_id", Value::String("c1")},
                      {"status", Value::Null()},
                      {"channel", Value::String("web")}});  // a column added at the end
  Value reordered = Row({{"id", Value::Int(4)}, {"channel", Value::String("app")}, {"status", Value::String("x")}});
  std::string table;
  {
    auto db = state::StateDb::Open(path);
    REQUIRE(db.ok());
    bool fresh = false;
    auto store = state::ReplicaStore::Open(db->get(), OrdersLayout(), &fresh);
    REQUIRE(store.ok());
    auto& s = **store;
    table = s.table_name();
    REQUIRE(s.Put("1", first, {"c1"}).ok());
    REQUIRE(s.Put("2", partial, {std::nullopt}).ok());
    REQUIRE(s.Put("3", gained, {"c1"}).ok());
    REQUIRE(s.Put("4", reordered, {std::nullopt}).ok());
    CHECK(s.row_columns() == std::vector<std::string>{"id", "customer_id", "status", "channel"});
    CHECK(change::IsRow(StoredBytes(**db, table, "3")));
    // "channel" before "status" does not fit the list: that row keeps its names.
    CHECK(!change::IsRow(StoredBytes(**db, table, "4")));
    CHECK(Get(s, "4") == reordered);
  }
  auto db = state::StateDb::Open(path);
  REQUIRE(db.ok());
  bool fresh = true;
  auto store = state::ReplicaStore::Open(db->get(), OrdersLayout(), &fresh);
  REQUIRE(store.ok());
  CHECK(!fresh);
  auto& s = **store;
  CHECK(Get(s, "1") == first);
  CHECK(Get(s, "2") == partial);
  CHECK(Get(s, "3") == gained);
  CHECK(Get(s, "4") == reordered);
  std::vector<state::ReplicaRow> rows;
  REQUIRE(s.Find(0, {"c1"}, 0, &rows).ok());
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].row == first);
  CHECK(rows[1].row == gained);
  rows.clear();
  REQUIRE(s.Find(0, {"c1"}, 0, &rows, /*with_row=*/false).ok());
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].row.is_null());
  std::vector<Value> scanned;
  REQUIRE(s.Scan([&](const state::ReplicaRow& r) {
               scanned.push_back(r.row);
               return core::Status::Ok();
             }).ok());
  CHECK(scanned == std::vector<Value>{first, partial, gained, reordered});

  // Clear (a resnapshot) starts the list over: the new schema's order is compact again.
  REQUIRE(s.Clear().ok());
  CHECK(s.row_columns().empty());
  REQUIRE(s.Put("4", reordered, {std::nullopt}).ok());
  CHECK(s.row_columns() == std::vector<std::string>{"id", "channel", "status"});
  CHECK(change::IsRow(StoredBytes(**db, table, "4")));
  CHECK(Get(s, "4") == reordered);
}

TEST_CASE("a rolled-back extension of the column list is not trusted afterwards") {
  TempDir dir;
  std::string path = dir.File("state.db");
  Value narrow = Row({{"id", Value::Int(1)}});
  Value wide = Row({{"id", Value::Int(2)}, {"extra", Value::String("e")}});
  {
    auto db = state::StateDb::Open(path);
    REQUIRE(db.ok());
    bool fresh = false;
    auto store = state::ReplicaStore::Open(db->get(), OrdersLayout(), &fresh);
    REQUIRE(store.ok());
    auto& s = **store;
    REQUIRE(s.Put("1", narrow, {std::nullopt}).ok());
    REQUIRE((*db)->Begin().ok());
    REQUIRE(s.Put("2", wide, {std::nullopt}).ok());  // appends "extra" inside the transaction
    CHECK(s.row_columns().size() == 2);
    (*db)->Rollback();
    // The same row again, committed this time: the list on disk must hold "extra" too.
    REQUIRE(s.Put("2", wide, {std::nullopt}).ok());
    CHECK(s.row_columns() == std::vector<std::string>{"id", "extra"});

    // A rolled-back Clear leaves the old rows and their list.
    REQUIRE((*db)->Begin().ok());
    REQUIRE(s.Clear().ok());
    (*db)->Rollback();
    CHECK(Get(s, "2") == wide);
  }
  auto db = state::StateDb::Open(path);
  REQUIRE(db.ok());
  bool fresh = true;
  auto store = state::ReplicaStore::Open(db->get(), OrdersLayout(), &fresh);
  REQUIRE(store.ok());
  CHECK(Get(**store, "1") == narrow);
  CHECK(Get(**store, "2") == wide);
}

TEST_CASE("a replica recreated for a new layout starts a new column list") {
  TempDir dir;
  auto db = state::StateDb::Open(dir.File("state.db"));
  REQUIRE(db.ok());
  bool fresh = false;
  {
    auto store = state::ReplicaStore::Open(db->get(), OrdersLayout(), &fresh);
    REQUIRE(store.ok());
    REQUIRE((*store)->Put("1", Row({{"a", Value::Int(1)}, {"b", Value::Int(2)}}), {std::nullopt}).ok());
  }
  auto layout = OrdersLayout();
  layout.contents = "only:b";
  auto store = state::ReplicaStore::Open(db->get(), layout, &fresh);
  REQUIRE(store.ok());
  CHECK(fresh);
  CHECK((*store)->row_columns().empty());
  REQUIRE((*store)->Put("1", Row({{"b", Value::Int(2)}}), {std::nullopt}).ok());
  CHECK((*store)->row_columns() == std::vector<std::string>{"b"});
}

TEST_CASE("a replica written under the old row format (layout v1) is rebuilt") {
  TempDir dir;
  auto db = state::StateDb::Open(dir.File("state.db"));
  REQUIRE(db.ok());
  bool fresh = false;
  {
    auto store = state::ReplicaStore::Open(db->get(), OrdersLayout(), &fresh);
    REQUIRE(store.ok());
    REQUIRE((*store)->Put("1", Row({{"a", Value::Int(1)}}), {std::nullopt}).ok());
  }
  std::string signature = OrdersLayout().Signature();
  REQUIRE(signature.rfind("v2;", 0) == 0);
  auto downgrade = state::Statement::Prepare((*db)->handle(), "UPDATE replicas SET layout='v1' || substr(layout, 3)");
  REQUIRE(downgrade.ok());
  REQUIRE(downgrade->Run().ok());
  auto store = state::ReplicaStore::Open(db->get(), OrdersLayout(), &fresh);
  REQUIRE(store.ok());
  CHECK(fresh);
  Value row;
  CHECK(!*(*store)->Get("1", &row));
}
