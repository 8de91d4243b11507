#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "change/value.h"
#include "state/state_db.h"

using namespace weft;
using change::Value;

namespace {

// A fresh directory per test case, removed at the end.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char pattern[] = "/tmp/weft_state_test_XXXXXX";
    path = mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string File(const std::string& name) const { return (path / name).string(); }
};

state::OutboxEntry Entry(const std::string& sink, const std::string& view, Value id, std::optional<Value> doc) {
  state::OutboxEntry e;
  e.sink = sink;
  e.view = view;
  e.write.collection = "orderSingleView";
  e.write.id = std::move(id);
  e.write.id_key = e.write.id.kind() == change::ValueKind::kString ? e.write.id.text() : change::ToJson(e.write.id);
  e.write.doc = std::move(doc);
  return e;
}

Value RichDoc() {
  return Value::MakeObject({
      {"_id", Value::String("ORD1")},
      {"i", Value::Int(-5)},
      {"u", Value::UInt(18446744073709551615ull)},
      {"f", Value::Float(0.5f)},
      {"d", Value::Double(0.1)},
      {"dec", Value::Decimal("199.99")},
      {"bytes", Value::Bytes(std::string("\0\xff", 2))},
      {"date", Value::Date("2024-11-10")},
      {"dt", Value::DateTime("2024-11-02 10:20:00")},
      {"t", Value::Time("-838:59:59")},
      {"j", Value::Json("{\"a\":1}")},
      {"b", Value::Bool(true)},
      {"n", Value::Null()},
      {"arr", Value::MakeArray({Value::Int(1), Value::MakeObject({{"x", Value::String("y")}})})},
  });
}

}  // namespace

TEST_CASE("outbox entries round-trip exactly, per sink, in seq order, and are removed by seq") {
  TempDir dir;
  auto db = state::StateDb::Open(dir.File("sub/dir/state.db"));
  REQUIRE(db.ok());
  std::vector<state::OutboxEntry> entries;
  entries.push_back(Entry("docs", "v1", Value::String("ORD1"), RichDoc()));
  entries.push_back(Entry("local", "v1", Value::Int(7), Value::MakeObject({{"_id", Value::Int(7)}})));
  entries.push_back(Entry("docs", "v2",
                          Value::MakeObject({{"order_id", Value::String("A")}, {"n", Value::Int(2)}}),
                          std::nullopt));
  REQUIRE((*db)->AppendOutbox(&entries).ok());
  CHECK(entries[0].seq > 0);
  CHECK(entries[1].seq > entries[0].seq);
  CHECK(entries[2].seq > entries[1].seq);
  CHECK(entries[2].write.seq == entries[2].seq);
  CHECK(*(*db)->OutboxDepth() == 3);

  auto docs = (*db)->ReadOutbox("docs", 0, 10);
  REQUIRE(docs.ok());
  REQUIRE(docs->size() == 2);
  CHECK((*docs)[0].seq == entries[0].seq);
  CHECK((*docs)[0].view == "v1");
  CHECK((*docs)[0].sink == "docs");
  CHECK((*docs)[0].write.collection == "orderSingleView");
  CHECK((*docs)[0].write.id == Value::String("ORD1"));
  CHECK((*docs)[0].write.id_key == "ORD1");
  REQUIRE((*docs)[0].write.doc.has_value());
  CHECK(*(*docs)[0].write.doc == RichDoc());  // kinds preserved, not just the JSON
  CHECK((*docs)[1].write.id == entries[2].write.id);
  CHECK((*docs)[1].write.id_key == "{\"order_id\":\"A\",\"n\":2}");
  CHECK(!(*docs)[1].write.doc.has_value());
  CHECK((*docs)[1].write.seq == entries[2].seq);

  auto after_first = (*db)->ReadOutbox("docs", entries[0].seq, 10);
  REQUIRE(after_first->size() == 1);
  CHECK((*after_first)[0].seq == entries[2].seq);
  CHECK((*db)->ReadOutbox("docs", 0, 1)->size() == 1);

  REQUIRE((*db)->RemoveOutbox({entries[0].seq, entries[2].seq}).ok());
  CHECK((*db)->ReadOutbox("docs", 0, 10)->empty());
  CHECK((*db)->ReadOutbox("local", 0, 10)->size() == 1);
  CHECK(*(*db)->OutboxDepth() == 1);
}

TEST_CASE("RemoveOutbox removes exactly the listed seqs, in runs or not, in any order") {
  TempDir dir;
  auto db = state::StateDb::Open(dir.File("state.db"));
  REQUIRE(db.ok());
  std::vector<state::OutboxEntry> entries;
  for (int i = 0; i < 12; ++i) entries.push_back(Entry("docs", "v1", Value::Int(i), std::nullopt));
  REQUIRE((*db)->AppendOutbox(&entries).ok());
  // Unsorted, with a duplicate: runs 0-3 and 7-9, single 5; 4, 6, 10 and 11 stay.
  std::vector<int64_t> removed{entries[9].seq, entries[1].seq, entries[0].seq, entries[5].seq, entries[3].seq,
                               entries[2].seq, entries[8].seq, entries[7].seq, entries[1].seq};
  REQUIRE((*db)->RemoveOutbox(removed).ok());
  auto left = (*db)->ReadOutbox("docs", 0, 100);
  REQUIRE(left.ok());
  REQUIRE(left->size() == 4);
  CHECK((*left)[0].seq == entries[4].seq);
  CHECK((*left)[1].seq == entries[6].seq);
  CHECK((*left)[2].seq == entries[10].seq);
  CHECK((*left)[3].seq == entries[11].seq);
  CHECK(*(*db)->OutboxDepth() == 4);
}

TEST_CASE("offsets, meta, dead letters and doc hashes persist across reopen") {
  TempDir dir;
  std::string path = dir.File("state.db");
  int64_t kept_seq = 0;
  {
    auto db = state::StateDb::Open(path);
    REQUIRE(db.ok());
    CHECK(!(*(*db)->GetOffset("shop")).has_value());
    REQUIRE((*db)->SetOffset("shop", "gtid:0-1-5").ok());
    REQUIRE((*db)->SetOffset("shop", "gtid:0-1-9").ok());
    REQUIRE((*db)->SetOffset("other", "x").ok());
    REQUIRE((*db)->SetMeta("k", "v").ok());
    REQUIRE((*db)->AddDeadLetter({"v1", "ORD1", "too large", 123}).ok());
    REQUIRE((*db)->AddDeadLetter({"v1", "ORD2", "bad key", 124}).ok());
    REQUIRE((*db)->SetDocHash("v1", "ORD1", {1, 0xFFFFFFFFFFFFFFFFull}).ok());
    std::vector<state::OutboxEntry> entries{Entry("docs", "v1", Value::String("A"), std::nullopt)};
    REQUIRE((*db)->AppendOutbox(&entries).ok());
    kept_seq = entries[0].seq;
  }
  auto db = state::StateDb::Open(path);
  REQUIRE(db.ok());
  CHECK(**(*db)->GetOffset("shop") == "gtid:0-1-9");
  CHECK(**(*db)->GetOffset("other") == "x");
  CHECK(**(*db)->GetMeta("k") == "v");
  CHECK(!(*(*db)->GetMeta("missing")).has_value());
  CHECK(*(*db)->DeadLetterCount("v1") == 2);
  CHECK(*(*db)->DeadLetterCount("v2") == 0);
  auto hash = (*db)->GetDocHash("v1", "ORD1");
  REQUIRE(hash.ok());
  REQUIRE(hash->has_value());
  CHECK((*hash)->h1 == 1);
  CHECK((*hash)->h2 == 0xFFFFFFFFFFFFFFFFull);
  REQUIRE((*db)->ClearDocHash("v1", "ORD1").ok());
  CHECK(!(*(*db)->GetDocHash("v1", "ORD1")).has_value());
  auto outbox = (*db)->ReadOutbox("docs", 0, 10);
  REQUIRE(outbox->size() == 1);
  CHECK((*outbox)[0].seq == kept_seq);
  // seq stays monotonic across reopen even after the newest entry was removed (AUTOINCREMENT).
  REQUIRE((*db)->RemoveOutbox({kept_seq}).ok());
  std::vector<state::OutboxEntry> more{Entry("docs", "v1", Value::String("B"), std::nullopt)};
  REQUIRE((*db)->AppendOutbox(&more).ok());
  CHECK(more[0].seq > kept_seq);

  REQUIRE((*db)->ResetSource("shop").ok());
  CHECK(!(*(*db)->GetOffset("shop")).has_value());
  CHECK(**(*db)->GetOffset("other") == "x");
}

TEST_CASE("ReplaceDocHash stores a new or different hash and reports an equal one, per view") {
  TempDir dir;
  auto db = state::StateDb::Open(dir.File("state.db"));
  REQUIRE(db.ok());
  state::StateDb& s = **db;
  CHECK(*s.ReplaceDocHash("v1", "ORD1", {1, 2}));         // new
  CHECK_FALSE(*s.ReplaceDocHash("v1", "ORD1", {1, 2}));   // equal: nothing to write
  CHECK(*s.ReplaceDocHash("v1", "ORD1", {1, 3}));         // h2 differs
  CHECK(*s.ReplaceDocHash("v1", "ORD1", {9, 3}));         // h1 differs
  CHECK(**s.GetDocHash("v1", "ORD1") == state::DocHash{9, 3});
  CHECK(*s.ReplaceDocHash("v2", "ORD1", {9, 3}));         // another view's hash is its own
  REQUIRE(s.ClearDocHash("v1", "ORD1").ok());
  CHECK(*s.ReplaceDocHash("v1", "ORD1", {9, 3}));         // cleared: written again
}

TEST_CASE("a rolled-back batch leaves nothing behind") {
  TempDir dir;
  auto db = state::StateDb::Open(dir.File("state.db"));
  REQUIRE(db.ok());
  REQUIRE((*db)->Begin().ok());
  CHECK((*db)->InTransaction());
  REQUIRE((*db)->SetOffset("shop", "a").ok());
  std::vector<state::OutboxEntry> entries{Entry("docs", "v1", Value::String("A"), std::nullopt)};
  REQUIRE((*db)->AppendOutbox(&entries).ok());
  (*db)->Rollback();
  CHECK(!(*db)->InTransaction());
  CHECK(!(*(*db)->GetOffset("shop")).has_value());
  CHECK(*(*db)->OutboxDepth() == 0);

  REQUIRE((*db)->Begin().ok());
  REQUIRE((*db)->SetOffset("shop", "b").ok());
  REQUIRE((*db)->Commit().ok());
  CHECK(**(*db)->GetOffset("shop") == "b");
}

TEST_CASE("a file that is not a state database is reported, not overwritten") {
  TempDir dir;
  std::string path = dir.File("state.db");
  {
    FILE* f = fopen(path.c_str(), "w");
    REQUIRE(f);
    fputs("this is not sqlite, just some text that is long enough to look like a header..........", f);
    fclose(f);
  }
  auto db = state::StateDb::Open(path);
  REQUIRE(!db.ok());
  CHECK(db.status().code() == core::Code::kCorruption);
}

TEST_CASE("outbox depth per view, and a meta value read through a read-only open") {
  TempDir dir;
  std::string path = dir.File("state.db");
  CHECK(state::StateDb::ReadMetaReadOnly(path, "k").status().code() == core::Code::kNotFound);
  CHECK(!std::filesystem::exists(path));  // the read-only reader never creates the file
  {
    auto db = state::StateDb::Open(path);
    REQUIRE(db.ok());
    std::vector<state::OutboxEntry> entries = {Entry("s", "a", Value::String("1"), Value::Int(1)),
                                               Entry("s", "b", Value::String("2"), std::nullopt),
                                               Entry("t", "a", Value::String("3"), Value::Int(3))};
    REQUIRE((*db)->AppendOutbox(&entries).ok());
    auto depths = (*db)->OutboxDepthByView();
    REQUIRE(depths.ok());
    CHECK(*depths == std::map<std::string, int64_t>{{"a", 2}, {"b", 1}});
    REQUIRE((*db)->SetMeta("status.figures", "{\"x\":1}").ok());
    // Read while the writer still has the file open (WAL).
    auto value = state::StateDb::ReadMetaReadOnly(path, "status.figures");
    REQUIRE(value.ok());
    CHECK(**value == "{\"x\":1}");
  }
  auto missing = state::StateDb::ReadMetaReadOnly(path, "nope");
  REQUIRE(missing.ok());
  CHECK(!missing->has_value());
}

TEST_CASE("opening waits for a reader that holds the new file for a moment, instead of failing") {
  TempDir dir;
  std::string path = dir.File("state.db");
  // A file still in rollback-journal mode (weft's first open switches it to WAL), read by another
  // connection: its shared lock blocks the switch until it ends.
  auto reader = state::SqliteDb::Open(path);
  REQUIRE(reader.ok());
  REQUIRE(reader->Exec("CREATE TABLE t(x); INSERT INTO t VALUES(1)").ok());
  REQUIRE(reader->Exec("BEGIN; SELECT count(*) FROM t").ok());
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    (void)reader->Exec("COMMIT");
  });
  auto db = state::StateDb::Open(path);
  release.join();
  CHECK_MESSAGE(db.ok(), db.status().ToString());
}
