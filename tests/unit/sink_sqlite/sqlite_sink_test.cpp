// The embedded document store: writes, overwrites, deletes, Scan, WAL readers, a locked file.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "sink/sqlite/sqlite_sink.h"

using weft::change::Value;
using namespace weft::sink;
using weft::sink::sqlite::SqliteSink;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/weft-sink-sqlite-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::unique_ptr<SqliteSink> OpenSink(const std::string& path, int busy_ms = 2000) {
  weft::config::SinkConfig c;
  c.name = "local";
  c.kind = "sqlite";
  c.path = path;
  auto sink = SqliteSink::Create(c, {busy_ms});
  REQUIRE(sink.ok());
  weft::core::Status s = (*sink)->Open();
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return std::move(sink).value();
}

Value Doc(const Value& id, std::vector<weft::change::Field> fields) {
  Value doc = Value::MakeObject({{"_id", id}});
  for (auto& f : fields) doc.object().push_back(std::move(f));
  return doc;
}

DocumentWrite Upsert(const std::string& collection, const Value& id, const Value& doc) {
  return DocumentWrite{collection, id, IdKeyOf(id), doc, 0};
}
DocumentWrite Delete(const std::string& collection, const Value& id) {
  return DocumentWrite{collection, id, IdKeyOf(id), std::nullopt, 0};
}

struct Row {
  Value id;
  std::string key, canonical;
};

std::vector<Row> ScanAll(DocumentSink& sink, const std::string& collection) {
  std::vector<Row> rows;
  weft::core::Status s = sink.Scan(collection, [&](const Value& id, const std::string& key, const std::string& c) {
    rows.push_back({id, key, c});
  });
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return rows;
}

weft::core::Status WriteAll(DocumentSink& sink, const std::vector<DocumentWrite>& batch,
                            std::vector<WriteResult>* results) {
  return sink.Write(batch, results);
}

// A second connection, as another process would hold it.
struct OtherConnection {
  sqlite3* db = nullptr;
  explicit OtherConnection(const std::string& path) { REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK); }
  ~OtherConnection() { sqlite3_close(db); }
  int Exec(const std::string& sql) { return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr); }
  std::string Value1(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0)) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }
};

}  // namespace

TEST_CASE("documents land in a table named as the collection, as weft's JSON, and scan back") {
  TempDir dir;
  std::string path = dir.path + "/docs.db";
  auto sink = OpenSink(path);
  CHECK(sink->component() == "sink.sqlite:local");
  Value a = Doc(Value::String("ORD2"), {{"total", Value::Decimal("199.90")}, {"at", Value::DateTime("2024-11-02 10:20:00")}});
  Value b = Doc(Value::String("ORD1"), {{"items", Value::MakeArray({Value::Int(1)})}, {"blob", Value::Bytes("hi")}});
  std::vector<WriteResult> results;
  REQUIRE(WriteAll(*sink, {Upsert("orderSingleView", Value::String("ORD2"), a), Upsert("orderSingleView", Value::String("ORD1"), b)},
                   &results).ok());
  REQUIRE(results.size() == 2);
  CHECK(results[0].outcome == Outcome::kOk);
  CHECK(results[1].outcome == Outcome::kOk);

  OtherConnection other(path);
  CHECK(other.Value1("PRAGMA journal_mode") == "wal");
  CHECK(other.Value1("SELECT doc FROM orderSingleView WHERE id = 'ORD2'") ==
        R"({"_id":"ORD2","total":199.90,"at":"2024-11-02 10:20:00"})");

  auto rows = ScanAll(*sink, "orderSingleView");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].key == "ORD1");  // id order
  CHECK(rows[0].id == Value::String("ORD1"));
  CHECK(rows[0].canonical == sink->Canonical(b));
  CHECK(rows[1].canonical == sink->Canonical(a));
  CHECK(sink->Canonical(a) == weft::change::ToJson(a));
}

TEST_CASE("overwrite and delete; a collection never written scans empty") {
  TempDir dir;
  auto sink = OpenSink(dir.path + "/docs.db");
  Value id = Value::Int(7);
  std::vector<WriteResult> results;
  REQUIRE(sink->Write({Upsert("c", id, Doc(id, {{"v", Value::Int(1)}})), Upsert("c", Value::Int(8), Doc(Value::Int(8), {}))},
                      &results).ok());
  REQUIRE(sink->Write({Upsert("c", id, Doc(id, {{"v", Value::Int(2)}}))}, &results).ok());
  auto rows = ScanAll(*sink, "c");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].key == "7");
  CHECK(rows[0].id == Value::Int(7));
  CHECK(rows[0].canonical == R"({"_id":7,"v":2})");

  REQUIRE(sink->Write({Delete("c", id), Delete("c", Value::Int(99))}, &results).ok());
  CHECK(results[1].outcome == Outcome::kOk);  // deleting what is not there is done, too
  rows = ScanAll(*sink, "c");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].key == "8");
  CHECK(ScanAll(*sink, "never_written").empty());
}

TEST_CASE("ids of every shape keep their id_key; odd collection names are quoted") {
  TempDir dir;
  auto sink = OpenSink(dir.path + "/docs.db");
  Value composite = Value::MakeObject({{"order_id", Value::String("O1")}, {"item", Value::Int(2)}});
  Value binary = Value::Bytes(std::string("\x01\xFF", 2));
  std::string collection = "we\"ird name";
  std::vector<WriteResult> results;
  REQUIRE(sink->Write({Upsert(collection, composite, Doc(composite, {})), Upsert(collection, binary, Doc(binary, {}))},
                      &results).ok());
  auto rows = ScanAll(*sink, collection);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].key == IdKeyOf(binary));  // "\"Af8=\"" sorts before "{"
  CHECK(rows[1].key == R"({"order_id":"O1","item":2})");
  CHECK(rows[1].id == composite);
  CHECK(sink->ScanIdKey(binary) == rows[0].key);
}

TEST_CASE("a file locked by another writer: Unavailable, nothing applied, and the retry succeeds") {
  TempDir dir;
  std::string path = dir.path + "/docs.db";
  auto sink = OpenSink(path, /*busy_ms=*/100);
  std::vector<WriteResult> results;
  REQUIRE(sink->Write({Upsert("c", Value::Int(1), Doc(Value::Int(1), {{"v", Value::Int(1)}}))}, &results).ok());

  OtherConnection other(path);
  REQUIRE(other.Exec("BEGIN EXCLUSIVE") == SQLITE_OK);
  std::vector<DocumentWrite> batch = {Upsert("c", Value::Int(1), Doc(Value::Int(1), {{"v", Value::Int(2)}})),
                                      Upsert("c", Value::Int(2), Doc(Value::Int(2), {})), Delete("c", Value::Int(3))};
  weft::core::Status locked = sink->Write(batch, &results);
  CHECK(locked.code() == weft::core::Code::kUnavailable);
  CHECK(locked.message().find("docs.db") != std::string::npos);
  REQUIRE(other.Exec("COMMIT") == SQLITE_OK);

  auto rows = ScanAll(*sink, "c");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].canonical == R"({"_id":1,"v":1})");  // the locked batch left no trace

  REQUIRE(sink->Write(batch, &results).ok());
  rows = ScanAll(*sink, "c");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].canonical == R"({"_id":1,"v":2})");
}

TEST_CASE("a locked file on the first write of a collection (CREATE TABLE rolled back) recovers") {
  TempDir dir;
  std::string path = dir.path + "/docs.db";
  auto sink = OpenSink(path, 100);
  OtherConnection other(path);
  REQUIRE(other.Exec("BEGIN EXCLUSIVE") == SQLITE_OK);
  std::vector<WriteResult> results;
  CHECK(sink->Write({Upsert("fresh", Value::Int(1), Doc(Value::Int(1), {}))}, &results).code() ==
        weft::core::Code::kUnavailable);
  REQUIRE(other.Exec("COMMIT") == SQLITE_OK);
  REQUIRE(sink->Write({Upsert("fresh", Value::Int(1), Doc(Value::Int(1), {}))}, &results).ok());
  CHECK(ScanAll(*sink, "fresh").size() == 1);
}

TEST_CASE("WAL: a reader in the middle of a read transaction does not block the writer") {
  TempDir dir;
  std::string path = dir.path + "/docs.db";
  auto sink = OpenSink(path, 100);
  std::vector<WriteResult> results;
  REQUIRE(sink->Write({Upsert("c", Value::Int(1), Doc(Value::Int(1), {{"v", Value::Int(1)}}))}, &results).ok());
  OtherConnection reader(path);
  REQUIRE(reader.Exec("BEGIN") == SQLITE_OK);
  CHECK(reader.Value1("SELECT doc FROM c") == R"({"_id":1,"v":1})");
  REQUIRE(sink->Write({Upsert("c", Value::Int(1), Doc(Value::Int(1), {{"v", Value::Int(2)}}))}, &results).ok());
  CHECK(reader.Value1("SELECT doc FROM c") == R"({"_id":1,"v":1})");  // its snapshot
  REQUIRE(reader.Exec("COMMIT") == SQLITE_OK);
  CHECK(reader.Value1("SELECT doc FROM c") == R"({"_id":1,"v":2})");
}

TEST_CASE("reopening the file keeps every document") {
  TempDir dir;
  std::string path = dir.path + "/docs.db";
  {
    auto sink = OpenSink(path);
    std::vector<WriteResult> results;
    REQUIRE(sink->Write({Upsert("c", Value::String("k"), Doc(Value::String("k"), {{"x", Value::Bool(true)}}))}, &results).ok());
  }
  auto again = OpenSink(path);
  auto rows = ScanAll(*again, "c");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].canonical == R"({"_id":"k","x":true})");
  REQUIRE(again->Open().ok());  // Open twice is a reopen
  CHECK(ScanAll(*again, "c").size() == 1);
}

TEST_CASE("configuration and open errors say what to fix") {
  weft::config::SinkConfig c;
  c.name = "local";
  c.kind = "sqlite";
  auto no_path = SqliteSink::Create(c);
  REQUIRE_FALSE(no_path.ok());
  CHECK(no_path.status().message().find("needs path") != std::string::npos);

  c.path = "/nonexistent-dir-for-weft/docs.db";
  auto sink = SqliteSink::Create(c);
  REQUIRE(sink.ok());
  weft::core::Status s = (*sink)->Open();
  CHECK(s.code() == weft::core::Code::kFailedPrecondition);
  CHECK(s.message().find("/nonexistent-dir-for-weft/docs.db") != std::string::npos);
  std::vector<WriteResult> results;
  CHECK((*sink)->Write({}, &results).code() == weft::core::Code::kFailedPrecondition);
}
