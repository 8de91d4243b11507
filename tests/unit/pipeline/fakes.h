#pragma once
// Fakes that implement the real interfaces (source::Source, sink::DocumentSink), in LevelDB's
// spirit, so the pipeline runs on a real libuv loop over a real StateDb with no server:
//   FakeDatabase  the "server": tables (the differential tests' Model), a log of committed
//                 transactions, and what the sources made from it did (starts, pauses);
//   FakeSource    delivers a consistent snapshot (rows at Start, offset = the log length then)
//                 and then every logged transaction after its start, one batch per loop tick,
//                 in parts of at most FakeDatabase::part changes;
//   FakeSinkStore documents in memory, shared with the writer thread under a mutex; writes can be
//                 made to fail.
// Offsets are "tx=N": after the first N transactions of the log.

#include <uv.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../view/model.h"
#include "pipeline/pipeline.h"
#include "sink/document_sink.h"
#include "source/source.h"

namespace weft::test {

struct FakeDatabase {
  Model model;
  std::vector<std::vector<change::Change>> log;  // committed transactions, in commit order
  size_t part = 0;                               // most changes per batch; 0: whole transactions
  // What happened: every Start's mode and offset, pause calls, the tables EffectOf reports for DDL.
  std::vector<source::StartFrom> starts;
  int pauses = 0;
  std::vector<std::string> ddl_tables;

  // Applies `n` random changes to the model and logs them as one transaction.
  void Commit(Rng& rng, int n) {
    std::vector<change::Change> tx;
    for (int i = 0; i < n; ++i) tx.push_back(model.RandomChange(rng));
    log.push_back(std::move(tx));
  }
};

class FakeSource final : public source::Source {
 public:
  FakeSource(FakeDatabase* db, uv_loop_t* loop) : db_(db), loop_(loop) {}
  ~FakeSource() override {
    if (timer_) {
      timer_->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(timer_), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    }
  }

  core::Status Start(const source::StartFrom& from, BatchHandler on_batch, StoppedHandler on_stopped) override {
    db_->starts.push_back(from);
    on_batch_ = std::move(on_batch);
    on_stopped_ = std::move(on_stopped);
    if (from.mode == source::StartFrom::Mode::kSnapshot) {
      for (const auto& [name, table] : db_->model.tables) {
        source::SourceBatch rows;
        rows.kind = source::SourceBatch::Kind::kSnapshotRows;
        rows.table = name;
        for (const auto& [pk, row] : table.rows) rows.changes.push_back(Read(table.schema, row));
        queue_.push_back(std::move(rows));
      }
      next_tx_ = db_->log.size();
      source::SourceBatch done;
      done.kind = source::SourceBatch::Kind::kSnapshotDone;
      done.offset = "tx=" + std::to_string(next_tx_);
      queue_.push_back(std::move(done));
    } else if (from.mode == source::StartFrom::Mode::kOffset) {
      next_tx_ = std::stoul(from.offset.substr(3));
    } else {
      next_tx_ = db_->log.size();
    }
    timer_ = new uv_timer_t;
    uv_timer_init(loop_, timer_);
    timer_->data = this;
    uv_timer_start(timer_, [](uv_timer_t* t) { if (t->data) static_cast<FakeSource*>(t->data)->Tick(); }, 1, 1);
    return core::Status::Ok();
  }
  void Pause() override {
    ++db_->pauses;
    paused_ = true;
  }
  void Resume() override { paused_ = false; }
  void Stop() override { stopping_ = true; }
  source::SchemaEffect EffectOf(const change::Change& ddl) const override {
    source::SchemaEffect effect;
    effect.tables = {ddl.source.table};
    return effect;
  }

 private:
  void Tick() {
    if (stopping_) {
      if (!stopped_ && on_stopped_) {
        stopped_ = true;
        on_stopped_(core::Aborted("stopped"));
      }
      return;
    }
    if (paused_) return;
    if (queue_.empty() && next_tx_ < db_->log.size()) {
      ++next_tx_;
      Split(db_->log[next_tx_ - 1], next_tx_);
    }
    if (queue_.empty()) return;
    source::SourceBatch batch = std::move(queue_.front());
    queue_.erase(queue_.begin());
    on_batch_(std::move(batch));
  }
  // One logged transaction as batches of at most db_->part changes; the last carries the offset.
  void Split(const std::vector<change::Change>& tx, size_t after) {
    size_t step = db_->part == 0 ? tx.size() : db_->part;
    size_t at = 0;
    do {
      source::SourceBatch b;
      b.kind = source::SourceBatch::Kind::kTransaction;
      for (size_t i = at; i < std::min(tx.size(), at + step); ++i) b.changes.push_back(tx[i]);
      at += step;
      b.transaction_end = at >= tx.size();
      if (b.transaction_end) b.offset = "tx=" + std::to_string(after);
      queue_.push_back(std::move(b));
    } while (at < tx.size());
  }

  FakeDatabase* db_;
  uv_loop_t* loop_;
  uv_timer_t* timer_ = nullptr;
  BatchHandler on_batch_;
  StoppedHandler on_stopped_;
  std::vector<source::SourceBatch> queue_;
  size_t next_tx_ = 0;
  bool paused_ = false, stopping_ = false, stopped_ = false;
};

struct FakeSinkStore {
  std::mutex mu;
  std::map<std::string, std::map<std::string, std::pair<Value, std::string>>> collections;  // id_key -> (id, json)
  std::atomic<int> fail_writes{0};  // the next N Write calls fail (Unavailable)
  std::atomic<int> writes{0};

  std::map<std::string, std::string> Collection(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu);
    std::map<std::string, std::string> out;
    for (const auto& [key, doc] : collections[name]) out[key] = doc.second;
    return out;
  }
  void Put(const std::string& collection, const Value& id, const std::string& json) {
    std::lock_guard<std::mutex> lock(mu);
    collections[collection][sink::IdKeyOf(id)] = {id, json};
  }
};

class FakeSink final : public sink::DocumentSink {
 public:
  explicit FakeSink(std::shared_ptr<FakeSinkStore> store) : store_(std::move(store)) {}
  std::string component() const override { return "sink.fake:docs"; }
  core::Status Open() override { return core::Status::Ok(); }
  core::Status Write(const std::vector<sink::DocumentWrite>& batch, std::vector<sink::WriteResult>* results) override {
    ++store_->writes;
    if (store_->fail_writes.load() > 0) {
      --store_->fail_writes;
      return core::Unavailable("the fake sink is down");
    }
    std::lock_guard<std::mutex> lock(store_->mu);
    for (const auto& w : batch) {
      auto& coll = store_->collections[w.collection];
      if (w.doc) {
        coll[w.id_key] = {w.id, change::ToJson(*w.doc)};
      } else {
        coll.erase(w.id_key);
      }
      results->push_back({});
    }
    return core::Status::Ok();
  }
  std::string Canonical(const change::Value& doc) const override { return change::ToJson(doc); }
  core::Status Scan(const std::string& collection, const ScanCallback& each) override {
    std::vector<std::pair<Value, std::string>> docs;
    {
      std::lock_guard<std::mutex> lock(store_->mu);
      for (const auto& [key, doc] : store_->collections[collection]) docs.push_back(doc);
    }
    for (const auto& [id, json] : docs) each(id, sink::IdKeyOf(id), json);
    return core::Status::Ok();
  }

 private:
  std::shared_ptr<FakeSinkStore> store_;
};

// Factories that make the fakes, for pipeline::Pipeline.
inline pipeline::PipelineFactories FakeFactories(FakeDatabase* db, std::shared_ptr<FakeSinkStore> store) {
  pipeline::PipelineFactories f;
  f.make_source = [db](const config::SourceConfig&, source::SourceOptions,
                       uv_loop_t* loop) -> core::Result<std::unique_ptr<source::Source>> {
    return std::unique_ptr<source::Source>(std::make_unique<FakeSource>(db, loop));
  };
  f.load_catalog = [db](const config::SourceConfig&) -> core::Result<source::SourceCatalog> {
    source::SourceCatalog catalog;
    for (const auto& [name, table] : db->model.tables) {
      for (const auto& c : table.schema->columns) catalog.tables[name].push_back(c.name);
    }
    return catalog;
  };
  f.make_sink = [store](const config::SinkConfig&) -> core::Result<std::unique_ptr<sink::DocumentSink>> {
    return std::unique_ptr<sink::DocumentSink>(std::make_unique<FakeSink>(store));
  };
  return f;
}

}  // namespace weft::test
