// A source's change records in the outbox: the entries AddChangeRecords makes (pseudo-view, topic,
// key, envelope, tombstone), and OutboxFeed keeping every one of them in order, never coalesced,
// and never letting a later change of a key be acknowledged while an earlier one is sent again.
#include "pipeline/change_records.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <set>
#include <string>

#include "change/value_codec.h"
#include "pipeline/outbox_feed.h"
#include "sink/document_sink.h"

using namespace weft;
using change::Value;
using pipeline::OutboxFeed;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char pattern[] = "/tmp/weft_changes_test_XXXXXX";
    path = mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string File(const std::string& name) const { return (path / name).string(); }
};

change::Change OrderDelete() {
  auto schema = std::make_shared<change::TableSchema>();
  schema->db = "shop";
  schema->table = "ecom_orders";
  schema->columns = {{"order_id", "varchar(32)", false, false}, {"status", "varchar(16)", true, false}};
  schema->primary_key = {0};
  change::Change c;
  c.op = change::Op::kDelete;
  c.ts_ms = 1732184400000;
  c.schema = schema;
  c.source.connector = "mysql";
  c.source.name = "shop";
  c.source.db = "shop";
  c.source.table = "ecom_orders";
  c.before = {{Value::String("ORD1"), Value::String("shipped")}, {}};
  return c;
}

// A change record entry of key `key`, version `v` (the envelope stands in as {"v": v}).
state::OutboxEntry Record(const std::string& key, int v) {
  state::OutboxEntry e;
  e.sink = "bus";
  e.view = pipeline::ChangeRecordsView("shop");
  e.write.collection = "shop.shop.t";
  e.write.id = Value::String(key);
  e.write.id_key = key;
  e.write.doc = Value::MakeObject({{"v", Value::Int(v)}});
  return e;
}

state::OutboxEntry Document(const std::string& id, int v) {
  state::OutboxEntry e = Record(id, v);
  e.view = "orders";
  e.write.collection = "orders";
  return e;
}

// Answers kRetry for the writes named in `retry` ("key:v"); records every bulk write.
class ScriptedSink : public sink::DocumentSink {
 public:
  std::set<std::string> retry;
  std::vector<std::vector<std::string>> calls;
  std::string component() const override { return "sink.test:scripted"; }
  core::Status Open() override { return core::Status::Ok(); }
  core::Status Write(const std::vector<sink::DocumentWrite>& batch, std::vector<sink::WriteResult>* results) override {
    calls.emplace_back();
    results->clear();
    for (const auto& w : batch) {
      std::string label = w.id_key + ":" + std::to_string(w.doc->Find("v")->as_int());
      calls.back().push_back(label);
      results->push_back(retry.count(label) ? sink::WriteResult{sink::Outcome::kRetry, "down"} : sink::WriteResult{});
    }
    return core::Status::Ok();
  }
  std::string Canonical(const Value& doc) const override { return change::ToJson(doc); }
  core::Status Scan(const std::string&, const ScanCallback&) override { return core::Status::Ok(); }
};

}  // namespace

TEST_CASE("a delete becomes the envelope and then the tombstone, for every sink that publishes the source") {
  std::vector<view::PendingWrite> out;
  pipeline::AddChangeRecords({"bus", "archive"}, "shop", OrderDelete(), 1732184401000, &out);
  REQUIRE(out.size() == 4);
  CHECK(out[0].sink == "bus");
  CHECK(out[2].sink == "archive");
  for (const auto& w : out) {
    CHECK(w.view == "changes:shop");
    CHECK(pipeline::IsChangeRecordsView(w.view));
    CHECK(w.write.collection == "shop.shop.ecom_orders");
    CHECK(change::ToJson(w.write.id) == "{\"order_id\":\"ORD1\"}");
  }
  REQUIRE(out[0].write.doc);
  CHECK(out[0].write.doc->Find("op")->text() == "d");
  CHECK(change::ToJson(*out[0].write.doc->Find("before")) == "{\"order_id\":\"ORD1\",\"status\":\"shipped\"}");
  CHECK(!out[1].write.doc);  // the tombstone
  CHECK(!pipeline::IsChangeRecordsView("orders"));

  change::Change ddl;
  ddl.type = change::ChangeType::kDdl;
  out.clear();
  pipeline::AddChangeRecords({"bus"}, "shop", ddl, 0, &out);
  CHECK(out.empty());
}

TEST_CASE("change records are never coalesced, unlike a document's versions, and keep their order") {
  TempDir dir;
  auto db = state::StateDb::Open(dir.File("state.db"));
  REQUIRE(db.ok());
  std::vector<state::OutboxEntry> entries = {Record("k", 1), Document("d", 1), Record("k", 2), Document("d", 2),
                                             Record("k", 3)};
  REQUIRE((*db)->AppendOutbox(&entries).ok());
  OutboxFeed feed(db->get());
  feed.AddSink("bus", 10);
  auto batch = feed.Next("bus");
  REQUIRE(batch.ok());
  OutboxFeed::DecodeDocs(batch->get());
  std::vector<std::string> labels;
  for (const auto& e : (*batch)->entries)
    labels.push_back(e.view + "/" + e.write.id_key + ":" + std::to_string(e.write.doc->Find("v")->as_int()));
  CHECK(labels == std::vector<std::string>{"changes:shop/k:1", "orders/d:2", "changes:shop/k:2", "changes:shop/k:3"});
  CHECK((*batch)->seqs[1].size() == 2);  // the document's entry covers both versions
}

TEST_CASE("once a change record of a key is to be sent again, the later ones of that key are not acknowledged") {
  TempDir dir;
  auto db = state::StateDb::Open(dir.File("state.db"));
  REQUIRE(db.ok());
  std::vector<state::OutboxEntry> entries = {Record("k", 1), Record("k", 2), Record("j", 1),
                                             Record("k", 3), Record("j", 2), Document("k", 9)};
  REQUIRE((*db)->AppendOutbox(&entries).ok());
  OutboxFeed feed(db->get());
  feed.AddSink("bus", 3);  // bulk writes of 3: [k:1 k:2 j:1] [k:3 j:2 k:9]
  auto batch = feed.Next("bus");
  REQUIRE(batch.ok());
  ScriptedSink sink;
  sink.retry = {"k:1"};
  OutboxFeed::Write(sink, batch->get());
  REQUIRE((*batch)->status.ok());
  // k:3 is not sent at all; the document k:9 of a view is not a change record and goes as usual.
  CHECK(sink.calls == std::vector<std::vector<std::string>>{{"k:1", "k:2", "j:1"}, {"j:2", "k:9"}});
  std::vector<sink::Outcome> outcomes;
  for (const auto& r : (*batch)->results) outcomes.push_back(r.outcome);
  using sink::Outcome;
  CHECK(outcomes == std::vector<Outcome>{Outcome::kRetry, Outcome::kRetry, Outcome::kOk, Outcome::kRetry, Outcome::kOk,
                                         Outcome::kOk});
}
