// OutboxFeed: committed documents reach the writer from memory, and the outbox is read back
// whenever memory may not hold everything pending; either way a batch holds each pending entry
// exactly once, the latest version per id, oldest first.
#include "pipeline/outbox_feed.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "change/value_codec.h"
#include "sink/document_sink.h"

using namespace weft;
using change::Value;
using pipeline::OutboxBatch;
using pipeline::OutboxFeed;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char pattern[] = "/tmp/weft_feed_test_XXXXXX";
    path = mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string File(const std::string& name) const { return (path / name).string(); }
};

Value Doc(const std::string& id, int version) {
  return Value::MakeObject({{"_id", Value::String(id)}, {"v", Value::Int(version)}});
}

state::OutboxEntry Upsert(const std::string& sink, const std::string& id, int version) {
  state::OutboxEntry e;
  e.sink = sink;
  e.view = "v";
  e.write.collection = "c";
  e.write.id = Value::String(id);
  e.write.id_key = id;
  e.write.doc = Doc(id, version);
  e.encoded_doc = change::EncodeValue(*e.write.doc);
  return e;
}

// Appends in one transaction and stages them, as the pipeline does; `commit` false rolls back.
std::vector<int64_t> Append(state::StateDb* db, OutboxFeed* feed, std::vector<state::OutboxEntry> entries,
                            bool commit = true) {
  REQUIRE(db->Begin().ok());
  REQUIRE(db->AppendOutbox(&entries).ok());
  std::vector<int64_t> seqs;
  for (const auto& e : entries) seqs.push_back(e.seq);
  feed->Stage(std::move(entries));
  if (commit) {
    REQUIRE(db->Commit().ok());
    feed->Publish();
  } else {
    db->Rollback();
    feed->Discard();
  }
  return seqs;
}

std::shared_ptr<OutboxBatch> Next(OutboxFeed* feed, const std::string& sink) {
  auto batch = feed->Next(sink);
  REQUIRE(batch.ok());
  OutboxFeed::DecodeDocs(batch->get());
  REQUIRE((*batch)->status.ok());
  return *batch;
}

// What the batch writes, as "id:version" per entry.
std::vector<std::string> Written(const OutboxBatch& batch) {
  std::vector<std::string> out;
  for (const auto& e : batch.entries) {
    REQUIRE(e.write.doc);
    out.push_back(e.write.id_key + ":" + std::to_string(e.write.doc->Find("v")->as_int()));
  }
  return out;
}

// Acknowledges the whole batch, as OnWriteDone does.
void Ack(state::StateDb* db, const OutboxBatch& batch) {
  std::vector<int64_t> done;
  for (const auto& seqs : batch.seqs) done.insert(done.end(), seqs.begin(), seqs.end());
  REQUIRE(db->RemoveOutbox(done).ok());
}

}  // namespace

TEST_CASE("entries left by an earlier run are read back first, then committed ones come from memory") {
  TempDir dir;
  auto db = state::StateDb::Open(dir.File("state.db"));
  REQUIRE(db.ok());
  {
    std::vector<state::OutboxEntry> old = {Upsert("s", "a", 1), Upsert("s", "b", 1), Upsert("s", "a", 2)};
    REQUIRE((*db)->AppendOutbox(&old).ok());
  }
  OutboxFeed feed(db->get());
  feed.AddSink("s", 10);
  auto first = Next(&feed, "s");
  CHECK(Written(*first) == std::vector<std::string>{"a:2", "b:1"});  // latest version per id
  CHECK(first->seqs[0].size() == 2);                                 // a's two entries go together
  Ack(db->get(), *first);

  auto seqs = Append(db->get(), &feed, {Upsert("s", "c", 1), Upsert("s", "c", 2), Upsert("s", "d", 1)});
  // Taken out of the outbox behind the feed's back: only memory can still deliver them.
  REQUIRE((*db)->RemoveOutbox(seqs).ok());
  auto c_and_d = Next(&feed, "s");
  CHECK(Written(*c_and_d) == std::vector<std::string>{"c:2", "d:1"});
  CHECK(c_and_d->seqs[0] == std::vector<int64_t>{seqs[0], seqs[1]});
  CHECK(Next(&feed, "s")->entries.empty());
  CHECK(*(*db)->OutboxDepth() == 0);
}

TEST_CASE("a rolled-back transaction's entries are never sent") {
  TempDir dir;
  auto db = state::StateDb::Open(dir.File("state.db"));
  REQUIRE(db.ok());
  OutboxFeed feed(db->get());
  feed.AddSink("s", 10);
  CHECK(Next(&feed, "s")->entries.empty());  // reads the (empty) outbox: memory is complete now
  Append(db->get(), &feed, {Upsert("s", "x", 1)}, /*commit=*/false);
  CHECK(Next(&feed, "s")->entries.empty());
  // Staged but neither published nor discarded (a path that forgot): the next transaction's
  // Discard drops it before anything else is staged.
  std::vector<state::OutboxEntry> stray = {Upsert("s", "ghost", 1)};
  stray[0].seq = 999;
  feed.Stage(std::move(stray));
  feed.Discard();
  Append(db->get(), &feed, {Upsert("s", "y", 1)});
  CHECK(Written(*Next(&feed, "s")) == std::vector<std::string>{"y:1"});
}

TEST_CASE("a failed write is read back from the outbox, with what was committed meanwhile") {
  TempDir dir;
  auto db = state::StateDb::Open(dir.File("state.db"));
  REQUIRE(db.ok());
  OutboxFeed feed(db->get());
  feed.AddSink("s", 1);  // a job then holds kBatchesPerJob ids
  const size_t job = OutboxFeed::kBatchesPerJob;
  CHECK(Next(&feed, "s")->entries.empty());
  std::vector<state::OutboxEntry> first;
  std::vector<std::string> first_job;
  for (size_t i = 0; i <= job; ++i) {
    first.push_back(Upsert("s", "k" + std::to_string(i), 1));
    if (i < job) first_job.push_back("k" + std::to_string(i) + ":1");
  }
  Append(db->get(), &feed, std::move(first));
  auto sent = Next(&feed, "s");
  CHECK(Written(*sent) == first_job);
  CHECK(sent->chunk == 1);
  Append(db->get(), &feed, {Upsert("s", "k0", 2)});  // committed while the job is in flight
  feed.Invalidate("s");                              // the write failed: nothing was acknowledged
  auto again = Next(&feed, "s");
  // In outbox order: the job is full at the last key, so k0's newer version waits for the next job
  // (a later entry only joins an id already in the job while the job is being filled).
  CHECK(Written(*again) == first_job);
  Ack(db->get(), *again);
  auto rest = Next(&feed, "s");
  CHECK(Written(*rest) == std::vector<std::string>{"k" + std::to_string(job) + ":1", "k0:2"});
  Ack(db->get(), *rest);
  CHECK(Next(&feed, "s")->entries.empty());
}

namespace {

// Records each bulk write's ids; fails the call numbered `fail_call` (0-based), if any.
class RecordingSink : public sink::DocumentSink {
 public:
  std::vector<std::vector<std::string>> calls;
  int fail_call = -1;
  std::string component() const override { return "sink.test:rec"; }
  core::Status Open() override { return core::Status::Ok(); }
  core::Status Write(const std::vector<sink::DocumentWrite>& batch, std::vector<sink::WriteResult>* results) override {
    std::vector<std::string> ids;
    for (const auto& w : batch) ids.push_back(w.id_key + (w.doc ? ":" + std::to_string(w.doc->Find("v")->as_int()) : ""));
    calls.push_back(ids);
    if (static_cast<int>(calls.size()) - 1 == fail_call) return core::Unavailable("down");
    results->assign(batch.size(), sink::WriteResult{});
    return core::Status::Ok();
  }
  std::string Canonical(const Value& doc) const override { return change::ToJson(doc); }
  core::Status Scan(const std::string&, const ScanCallback&) override { return core::Status::Ok(); }
};

}  // namespace

TEST_CASE("a job is written in bulk writes of batch_size, decoded chunk by chunk; a failure ends it") {
  TempDir dir;
  auto db = state::StateDb::Open(dir.File("state.db"));
  REQUIRE(db.ok());
  {
    std::vector<state::OutboxEntry> old;  // read back from the outbox: encoded until written
    for (int i = 0; i < 5; ++i) old.push_back(Upsert("s", "k" + std::to_string(i), i));
    REQUIRE((*db)->AppendOutbox(&old).ok());
  }
  OutboxFeed feed(db->get());
  feed.AddSink("s", 2);
  auto batch = feed.Next("s");
  REQUIRE(batch.ok());
  REQUIRE((*batch)->entries.size() == 5);
  RecordingSink sink;
  OutboxFeed::Write(sink, batch->get());
  REQUIRE((*batch)->status.ok());
  CHECK(sink.calls == std::vector<std::vector<std::string>>{{"k0:0", "k1:1"}, {"k2:2", "k3:3"}, {"k4:4"}});
  CHECK((*batch)->results.size() == 5);
  for (const auto& e : (*batch)->entries) {
    CHECK(e.encoded_doc.empty());
    CHECK(e.write.doc);  // still an upsert for the counts, its document freed
  }

  auto again = feed.Next("s");  // not acknowledged: the same job again
  REQUIRE(again.ok());
  RecordingSink failing;
  failing.fail_call = 1;
  OutboxFeed::Write(failing, again->get());
  CHECK((*again)->status.code() == core::Code::kUnavailable);
  CHECK(failing.calls.size() == 2);  // nothing after the failing bulk write
}

TEST_CASE("past its bound the memory queue gives way to the outbox; sinks are kept apart") {
  TempDir dir;
  auto db = state::StateDb::Open(dir.File("state.db"));
  REQUIRE(db.ok());
  OutboxFeed feed(db->get());
  feed.AddSink("s", 2);
  feed.AddSink("t", 2);
  CHECK(Next(&feed, "s")->entries.empty());
  CHECK(Next(&feed, "t")->entries.empty());
  std::vector<state::OutboxEntry> many;
  const int n = static_cast<int>(2 * OutboxFeed::kMemoryBatches) + 3;
  for (int i = 0; i < n; ++i) many.push_back(Upsert("s", "k" + std::to_string(100 + i), 1));
  many.push_back(Upsert("t", "only_t", 1));
  Append(db->get(), &feed, std::move(many));
  std::vector<std::string> all;
  while (true) {
    auto batch = Next(&feed, "s");
    if (batch->entries.empty()) break;
    for (const auto& e : batch->entries) CHECK(e.write.doc->Find("_id")->text() == e.write.id_key);
    for (const auto& w : Written(*batch)) all.push_back(w);
    Ack(db->get(), *batch);
  }
  REQUIRE(all.size() == static_cast<size_t>(n));  // each exactly once, in order
  for (int i = 0; i < n; ++i) CHECK(all[i] == "k" + std::to_string(100 + i) + ":1");
  CHECK(Written(*Next(&feed, "t")) == std::vector<std::string>{"only_t:1"});
}

TEST_CASE("entries appended without Stage are found once the sink is invalidated, or when memory is empty") {
  TempDir dir;
  auto db = state::StateDb::Open(dir.File("state.db"));
  REQUIRE(db.ok());
  OutboxFeed feed(db->get());
  feed.AddSink("s", 10);
  CHECK(Next(&feed, "s")->entries.empty());
  std::vector<state::OutboxEntry> deletes(1);
  deletes[0].sink = "s";
  deletes[0].view = "v";
  deletes[0].write.collection = "c";
  deletes[0].write.id = Value::String("gone");
  deletes[0].write.id_key = "gone";
  REQUIRE((*db)->AppendOutbox(&deletes).ok());  // like the reconciliation's deletes
  auto batch = Next(&feed, "s");  // memory is empty: the outbox is checked
  REQUIRE(batch->entries.size() == 1);
  CHECK_FALSE(batch->entries[0].write.doc);  // a delete stays a delete
  CHECK(batch->entries[0].write.id_key == "gone");
}

TEST_CASE("a damaged document in the outbox marks the batch corrupt instead of sending it") {
  TempDir dir;
  auto db = state::StateDb::Open(dir.File("state.db"));
  REQUIRE(db.ok());
  std::vector<state::OutboxEntry> bad = {Upsert("s", "a", 1)};
  bad[0].encoded_doc = std::string("\x0e\x05", 2);  // an object of 5 fields, then nothing
  REQUIRE((*db)->AppendOutbox(&bad).ok());
  OutboxFeed feed(db->get());
  feed.AddSink("s", 10);
  auto batch = feed.Next("s");
  REQUIRE(batch.ok());
  OutboxFeed::DecodeDocs(batch->get());
  CHECK((*batch)->corrupt);
  CHECK((*batch)->status.code() == core::Code::kCorruption);
}
