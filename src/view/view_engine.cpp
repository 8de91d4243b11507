#include "view/view_engine.h"

#include <algorithm>
#include <set>

#include "change/value_codec.h"
#include "core/log.h"
#include "state/aggregate_store.h"
#include "state/pending_roots.h"
#include "view/aggregate/aggregator.h"
#include "view/aggregate/sql_expr.h"
#include "view/assembler.h"
#include "view/doc_hash.h"
#include "view/key_order.h"
#include "view/planner.h"
#include "view/rows.h"
#include "view/view_def.h"

namespace weft::view {
namespace {

using change::Value;

class Engine final : public ViewEngine {
 public:
  Engine(ViewSet set, state::StateDb* db) : set_(std::move(set)), db_(db) {}

  core::Status Init() {
    std::set<std::string> stale_sources;
    std::vector<state::ReplicaStore*> raw;
    for (const auto& table : set_.tables) {
      bool fresh = false;
      WEFT_ASSIGN_OR_RETURN(auto store, state::ReplicaStore::Open(db_, table.layout, &fresh));
      if (fresh) stale_sources.insert(table.layout.source);
      raw.push_back(store.get());
      stores_.push_back(std::move(store));
    }
    // A replica that is new or was rebuilt for a changed layout is empty: the source's stored
    // offset would resume streaming over missing rows, so forget it and let the source snapshot.
    for (const auto& source : stale_sources) {
      WEFT_ASSIGN_OR_RETURN(auto offset, db_->GetOffset(source));
      if (!offset) continue;
      log_.Warn("the views of source " + source + " need table data the state does not hold yet (views changed); " +
                "forgetting its offset so it snapshots again");
      WEFT_RETURN_IF_ERROR(db_->ResetSource(source));
    }
    // The last-written hashes describe what one sink collection holds; a view pointed elsewhere
    // must write everything again.
    for (const auto& view : set_.views) {
      std::string key = "view_target:" + view.name;
      std::string target = view.sink + "\n" + view.collection;
      WEFT_ASSIGN_OR_RETURN(auto stored, db_->GetMeta(key));
      if (stored && *stored == target) continue;
      WEFT_RETURN_IF_ERROR(db_->ClearDocHashes(view.name));
      WEFT_RETURN_IF_ERROR(db_->SetMeta(key, target));
    }
    WEFT_RETURN_IF_ERROR(InitFiltersAndAggregates());
    WEFT_RETURN_IF_ERROR(LoadSavedPending());
    planner_ = std::make_unique<Planner>(&set_, raw);
    assembler_ = std::make_unique<Assembler>(&set_, raw);
    return core::Status::Ok();
  }

  std::vector<std::string> TablesFor(const std::string& source) const override {
    std::vector<std::string> tables;
    for (const auto& t : set_.tables) {
      if (t.layout.source != source) continue;
      bool read = std::any_of(t.uses.begin(), t.uses.end(), [&](const TableDef::Use& u) { return !stopped_.count(u.view); });
      if (read) tables.push_back(t.layout.table);
    }
    return tables;
  }

  core::Status ApplyChange(const std::string& source, const change::Change& change) override {
    // The pipeline handles schema changes (it re-reads the source when a view's table changed).
    if (change.type == change::ChangeType::kDdl) return core::Status::Ok();
    int t = set_.FindTable(source, change.source.table);
    if (t < 0) return core::Status::Ok();
    if (!change.schema) return core::Internal("change of " + source + "." + change.source.table + " has no schema");
    // Snapshot rows fill replicas without their indexes; a row change plans through them.
    if (change.op != change::Op::kRead) WEFT_RETURN_IF_ERROR(EnsureIndexes());
    WEFT_RETURN_IF_ERROR(Apply(t, change).WithContext("applying a change of " + source + "." + change.source.table));
    return core::Status::Ok();
  }

  using ViewEngine::Flush;
  core::Status Flush(const std::function<core::Status(PendingWrite&&)>& each) override {
    if (!pending_.empty()) WEFT_RETURN_IF_ERROR(EnsureIndexes());
    Assembler::MemoScope memo(assembler_.get());  // the replicas hold still until Flush returns
    for (auto& a : aggregators_) {
      if (a) a->Discard();  // left by a failed Flush whose transaction was rolled back
    }
    for (const auto& [key, id] : pending_) {
      if (stopped_.count(key.view)) continue;
      WEFT_ASSIGN_OR_RETURN(auto doc, assembler_->DocumentByKey(key.view, key.pk));
      WEFT_ASSIGN_OR_RETURN(bool kept, Kept(key.view, doc));
      if (aggregators_[key.view]) {
        WEFT_RETURN_IF_ERROR(aggregators_[key.view]->Update(key.pk, kept ? &*doc : nullptr));
        continue;
      }
      if (doc && !kept) {
        // The row stopped matching the filter (or never did): its document leaves the view.
        Value doc_id = doc->object().front().second;
        WEFT_ASSIGN_OR_RETURN(auto last, db_->GetDocHash(set_.views[key.view].name, IdKey(doc_id)));
        if (last) {
          WEFT_ASSIGN_OR_RETURN(auto write, Delete(key.view, doc_id));
          WEFT_RETURN_IF_ERROR(each(std::move(write)));
        }
        continue;
      }
      if (doc) {
        WEFT_ASSIGN_OR_RETURN(auto write, Upsert(key.view, std::move(*doc)));
        if (write) WEFT_RETURN_IF_ERROR(each(std::move(*write)));
      } else if (id) {
        WEFT_ASSIGN_OR_RETURN(auto write, Delete(key.view, *id));
        WEFT_RETURN_IF_ERROR(each(std::move(write)));
      }
      // Neither: the root was only ever seen through a lookup and is gone. A root row can only
      // disappear through a change of its own table, which records the _id, so this means the
      // root never existed in this batch and there is nothing to delete.
    }
    for (size_t v = 0; v < aggregators_.size(); ++v) {
      if (!aggregators_[v] || stopped_.count(static_cast<int>(v))) continue;
      WEFT_RETURN_IF_ERROR(aggregators_[v]->Emit(GroupWriter(static_cast<int>(v), true, each)));
    }
    if (db_holds_pending_) WEFT_RETURN_IF_ERROR(state::ClearPendingRoots(*db_));  // built, in this transaction
    pending_.clear();  // only on success: after an error the caller rolls back and re-applies
    walked_.clear();
    saved_.clear();
    db_holds_pending_ = false;
    return core::Status::Ok();
  }

  core::Status SavePending() override {
    for (const auto& [key, id] : pending_) {
      if (saved_.count(key)) continue;
      state::PendingRoot root{set_.views[key.view].name, key.pk, std::nullopt};
      if (id) root.id = change::EncodeValue(*id);
      WEFT_RETURN_IF_ERROR(state::SavePendingRoot(*db_, root));
      saved_.insert(key);
    }
    db_holds_pending_ = db_holds_pending_ || !pending_.empty();
    return core::Status::Ok();
  }

  core::Status BuildAll(const std::string& source,
                        const std::function<core::Status(PendingWrite&&)>& each) override {
    WEFT_RETURN_IF_ERROR(EnsureIndexes());  // before the scan below: DDL with no statement running
    Assembler::MemoScope memo(assembler_.get());  // `each` applies no change (see the header)
    for (size_t v = 0; v < set_.views.size(); ++v) {
      if (set_.views[v].source != source || stopped_.count(static_cast<int>(v))) continue;
      int table = set_.views[v].nodes[0].table;
      // The first build of a view has no hashes to compare with: skip one index probe per document.
      WEFT_ASSIGN_OR_RETURN(bool compare, db_->HasDocHashes(set_.views[v].name));
      WEFT_RETURN_IF_ERROR(stores_[table]->Scan([&](const state::ReplicaRow& r) -> core::Status {
        WEFT_ASSIGN_OR_RETURN(Value doc, assembler_->Document(static_cast<int>(v), r.row));
        std::optional<Value> built(std::move(doc));
        WEFT_ASSIGN_OR_RETURN(bool kept, Kept(static_cast<int>(v), built));
        if (aggregators_[v]) return aggregators_[v]->Update(r.pk, kept ? &*built : nullptr);
        if (!kept) return core::Status::Ok();
        WEFT_ASSIGN_OR_RETURN(auto write, Upsert(static_cast<int>(v), std::move(*built), compare));
        if (write) return each(std::move(*write));
        return core::Status::Ok();
      }));
      if (aggregators_[v]) WEFT_RETURN_IF_ERROR(aggregators_[v]->EmitAll(GroupWriter(static_cast<int>(v), compare, each)));
    }
    return core::Status::Ok();
  }

  size_t PendingSize() const override { return pending_.size(); }
  void ForgetWalks() override { walked_.clear(); }

  void DiscardPending() override {
    for (auto& a : aggregators_) {
      if (a) a->Discard();
    }
    pending_.clear();
    walked_.clear();
    saved_.clear();  // the state file may still hold some: the next Flush clears them
  }

  void StopView(const std::string& view) override {
    for (size_t v = 0; v < set_.views.size(); ++v) {
      if (set_.views[v].name == view) stopped_.insert(static_cast<int>(v));
    }
  }

  bool Stopped(const std::string& view) const override {
    for (int v : stopped_) {
      if (set_.views[v].name == view) return true;
    }
    return false;
  }

  core::Status Forget(const std::string& source) override {
    for (auto& store : stores_) {
      if (store->layout().source == source) WEFT_RETURN_IF_ERROR(store->Clear());
    }
    for (size_t v = 0; v < set_.views.size(); ++v) {
      if (set_.views[v].source != source) continue;
      WEFT_RETURN_IF_ERROR(db_->ClearDocHashes(set_.views[v].name));
      if (aggregators_[v]) WEFT_RETURN_IF_ERROR(aggregators_[v]->Clear());
      for (auto it = pending_.begin(); it != pending_.end();) {
        it = it->first.view == static_cast<int>(v) ? pending_.erase(it) : std::next(it);
      }
      walked_.clear();  // some of the roots its walks marked are gone from pending_
    }
    return core::Status::Ok();
  }

 private:
  // Compiles each view's filter and having, and opens the aggregate state. A view whose filter or
  // aggregate definition differs from the one its state was built with (or that is new) makes its
  // source snapshot again, as a changed replica layout does: the stored contributions and the
  // sink's documents follow the old definition.
  core::Status InitFiltersAndAggregates() {
    WEFT_ASSIGN_OR_RETURN(state::AggregateStore store, state::AggregateStore::Open(db_));
    agg_store_ = std::make_unique<state::AggregateStore>(std::move(store));
    filters_.resize(set_.views.size());
    havings_.resize(set_.views.size());
    aggregators_.resize(set_.views.size());
    for (size_t v = 0; v < set_.views.size(); ++v) {
      const ViewDef& def = set_.views[v];
      if (!def.filter.empty()) {
        WEFT_ASSIGN_OR_RETURN(filters_[v], SqlExpression::Compile(def.filter, {def.root_table, def.object_lookups},
                                                                  def.filter_at, "view '" + def.name + "': filter"));
      }
      std::string signature = def.filter.empty() ? "" : "filter:" + def.filter;
      if (def.aggregate) {
        signature = "aggregate:" + def.aggregate->signature;
        if (!def.aggregate->having.empty()) {
          WEFT_ASSIGN_OR_RETURN(havings_[v], SqlExpression::Compile(def.aggregate->having, {}, def.aggregate->having_at,
                                                                    "view '" + def.name + "': having"));
        }
        aggregators_[v] = std::make_unique<Aggregator>(def.name, def.aggregate.get(), agg_store_.get(), havings_[v].get());
      }
      std::string key = "view_definition:" + def.name;
      WEFT_ASSIGN_OR_RETURN(auto stored, db_->GetMeta(key));
      if (stored.value_or("") == signature) continue;
      if (aggregators_[v]) WEFT_RETURN_IF_ERROR(aggregators_[v]->Clear());
      WEFT_ASSIGN_OR_RETURN(auto offset, db_->GetOffset(def.source));
      if (offset) {
        log_.Warn("view " + def.name + " changed its filter or aggregates; source " + def.source +
                  " snapshots again to rebuild it");
        WEFT_RETURN_IF_ERROR(db_->ResetSource(def.source));
      }
      WEFT_RETURN_IF_ERROR(db_->SetMeta(key, signature));
    }
    return core::Status::Ok();
  }

  // Whether `doc` is in view `view` after its filter (false when there is no document).
  core::Result<bool> Kept(int view, const std::optional<Value>& doc) {
    if (!doc) return false;
    if (!filters_[view]) return true;
    return filters_[view]->Matches(*doc);
  }

  // An aggregator's output as the engine's writes: upserts skip unchanged documents by hash.
  Aggregator::Each GroupWriter(int view, bool compare, const std::function<core::Status(PendingWrite&&)>& each) {
    return [this, view, compare, &each](Value id, std::optional<Value> doc) -> core::Status {
      if (doc) {
        WEFT_ASSIGN_OR_RETURN(auto write, Upsert(view, std::move(*doc), compare));
        if (write) return each(std::move(*write));
        return core::Status::Ok();
      }
      WEFT_ASSIGN_OR_RETURN(auto write, Delete(view, id));
      return each(std::move(write));
    };
  }

  core::Result<std::optional<Value>> Load(int table, const std::string& pk) {
    Value row;
    WEFT_ASSIGN_OR_RETURN(bool found, stores_[table]->Get(pk, &row));
    if (!found) return std::optional<Value>();
    return std::optional<Value>(std::move(row));
  }

  // Builds the indexes that snapshot loads dropped (ReplicaStore::BeginBulkLoad), in one sorted pass
  // per index, before anything probes them.
  core::Status EnsureIndexes() {
    if (!bulk_loading_) return core::Status::Ok();
    for (auto& store : stores_) WEFT_RETURN_IF_ERROR(store->EnsureIndexes());
    bulk_loading_ = false;
    return core::Status::Ok();
  }

  core::Status Put(int table, const std::string& pk, const Value& row) {
    return stores_[table]->Put(pk, row, KeyTexts(set_.tables[table], row));
  }

  core::Status Mark(int table, const Value& row, const std::string& pk) {
    return planner_->MarkRow(table, row, pk, &pending_, &walked_);
  }

  // The old row is marked before the replica changes and the new one after, so the walk up sees
  // the lookup tree each image belonged to (this matters when a table joins itself).
  core::Status Apply(int t, const change::Change& change) {
    const TableDef& def = set_.tables[t];
    const change::TableSchema& schema = *change.schema;
    std::vector<std::string> pk_columns = PkColumnsOf(schema);
    if (schema.primary_key.empty() && !warned_no_key_.count(t)) {
      // Without a key, equal rows are one row to the replica: a wide view shows one document for
      // them and an aggregate counts them once.
      for (const auto& use : def.uses) {
        if (use.node != 0) continue;
        warned_no_key_.insert(t);
        log_.Warn("table " + change.source.table + " is the root of view " + set_.views[use.view].name +
                  " but has no primary key: identical rows count as one; add a PRIMARY KEY (or a NOT NULL UNIQUE "
                  "key promoted to it) to the table");
        break;
      }
    }
    WEFT_RETURN_IF_ERROR(stores_[t]->SetPkColumns(pk_columns));
    switch (change.op) {
      case change::Op::kRead:  // snapshot rows only load the replica: BuildAll builds the documents
      case change::Op::kCreate: {
        Value row = StoredRow(def, schema, change.after, pk_columns, nullptr);
        std::string pk = PkOf(row, pk_columns);
        if (change.op == change::Op::kRead && !stores_[t]->bulk_loading()) {
          WEFT_RETURN_IF_ERROR(stores_[t]->BeginBulkLoad());
          bulk_loading_ = true;
        }
        if (change.op == change::Op::kCreate) {
          WEFT_ASSIGN_OR_RETURN(auto replaced, Load(t, pk));
          if (replaced && *replaced == row) return core::Status::Ok();  // a replayed insert
          if (replaced) WEFT_RETURN_IF_ERROR(Mark(t, *replaced, pk));
        }
        WEFT_RETURN_IF_ERROR(Put(t, pk, row));
        if (change.op == change::Op::kCreate) WEFT_RETURN_IF_ERROR(Mark(t, row, pk));
        return core::Status::Ok();
      }
      case change::Op::kUpdate: {
        // A partial before image (binlog_row_image=MINIMAL) still carries the key; the stored row
        // is the authoritative old version.
        Value before = StoredRow(def, schema, change.before, pk_columns, nullptr);
        std::string old_pk = PkOf(before, pk_columns);
        WEFT_ASSIGN_OR_RETURN(auto stored, Load(t, old_pk));
        const Value& old_row = stored ? *stored : before;
        Value row = StoredRow(def, schema, change.after, pk_columns, &old_row);
        std::string pk = PkOf(row, pk_columns);
        // Only columns no view stores changed: no document can change.
        if (stored && pk == old_pk && *stored == row) return core::Status::Ok();
        WEFT_RETURN_IF_ERROR(Mark(t, old_row, old_pk));
        if (pk != old_pk) {
          WEFT_RETURN_IF_ERROR(stores_[t]->Erase(old_pk));
          WEFT_ASSIGN_OR_RETURN(auto replaced, Load(t, pk));
          if (replaced) WEFT_RETURN_IF_ERROR(Mark(t, *replaced, pk));
        }
        WEFT_RETURN_IF_ERROR(Put(t, pk, row));
        return Mark(t, row, pk);
      }
      case change::Op::kDelete: {
        Value before = StoredRow(def, schema, change.before, pk_columns, nullptr);
        std::string pk = PkOf(before, pk_columns);
        WEFT_ASSIGN_OR_RETURN(auto stored, Load(t, pk));
        WEFT_RETURN_IF_ERROR(Mark(t, stored ? *stored : before, pk));
        return stores_[t]->Erase(pk);
      }
    }
    return core::Internal("unknown change op");
  }

  PendingWrite MakeWrite(int view, Value id, std::optional<Value> doc) {
    const ViewDef& def = set_.views[view];
    PendingWrite w;
    w.view = def.name;
    w.sink = def.sink;
    w.write.collection = def.collection;
    w.write.id_key = IdKey(id);
    w.write.id = std::move(id);
    w.write.doc = std::move(doc);
    return w;
  }

  // nullopt when the document equals the last one written for its _id.
  // `compare` = false: the caller knows no hash is stored for this view yet.
  core::Result<std::optional<PendingWrite>> Upsert(int view, Value doc, bool compare = true) {
    const std::string& name = set_.views[view].name;
    Value id = doc.object().front().second;  // Assembler puts _id first
    std::string id_key = IdKey(id);
    // Encoded once: the hash is taken over these bytes, and the outbox stores them.
    std::string encoded = change::EncodeValue(doc);
    state::DocHash hash = HashBytes(encoded);
    if (compare) {
      WEFT_ASSIGN_OR_RETURN(bool changed, db_->ReplaceDocHash(name, id_key, hash));
      if (!changed) return std::optional<PendingWrite>();
    } else {
      WEFT_RETURN_IF_ERROR(db_->SetDocHash(name, id_key, hash));
    }
    PendingWrite write = MakeWrite(view, std::move(id), std::move(doc));
    write.encoded_doc = std::move(encoded);
    return std::optional<PendingWrite>(std::move(write));
  }

  // Deletes are idempotent in every sink, so one is sent even when no write is on record (the
  // sink may hold the document from before the hashes were cleared).
  core::Result<PendingWrite> Delete(int view, const Value& id) {
    WEFT_RETURN_IF_ERROR(db_->ClearDocHash(set_.views[view].name, IdKey(id)));
    return MakeWrite(view, id, std::nullopt);
  }

  ViewSet set_;
  state::StateDb* db_;
  std::vector<std::unique_ptr<state::ReplicaStore>> stores_;
  std::unique_ptr<Planner> planner_;
  std::unique_ptr<Assembler> assembler_;
  std::unique_ptr<state::AggregateStore> agg_store_;
  std::vector<std::unique_ptr<SqlExpression>> filters_;   // per view; null without a filter
  std::vector<std::unique_ptr<SqlExpression>> havings_;   // per view; null without `having`
  std::vector<std::unique_ptr<Aggregator>> aggregators_;  // per view; null for a wide view
  core::Status LoadSavedPending();
  AffectedRoots pending_;
  // Of pending_, the roots saved in the state file (SavePending), and whether it may hold any.
  std::set<RootKey> saved_;
  bool db_holds_pending_ = false;
  // The planner's walks since the last Flush (Planner::MarkRow): cleared whenever pending_ is.
  Planner::Walked walked_;
  bool bulk_loading_ = false;  // some store's indexes are dropped for a snapshot load
  std::set<int> stopped_;  // indexes into set_.views
  std::set<int> warned_no_key_;  // root tables without a primary key, warned about once
  core::Logger log_{"view"};
};

}  // namespace

// The roots a group committed without building them (state/pending_roots.h): they are built by the
// first Flush, together with what the replay of the changes after the offset records.
core::Status Engine::LoadSavedPending() {
  return state::ScanPendingRoots(*db_, [&](state::PendingRoot&& root) -> core::Status {
    db_holds_pending_ = true;
    for (size_t v = 0; v < set_.views.size(); ++v) {
      if (set_.views[v].name != root.view) continue;
      std::optional<Value> id;
      if (root.id) {
        Value decoded;
        if (!change::DecodeValue(*root.id, &decoded)) {
          return core::Corruption("state file " + db_->path() + " holds an undecodable pending root of view " + root.view);
        }
        id = std::move(decoded);
      }
      RootKey key{static_cast<int>(v), std::move(root.pk)};
      saved_.insert(key);
      pending_.emplace(std::move(key), std::move(id));
    }
    return core::Status::Ok();  // a view no longer configured: nothing to build
  });
}

core::Result<std::unique_ptr<ViewEngine>> ViewEngine::Create(const config::Config& config, state::StateDb* db) {
  WEFT_ASSIGN_OR_RETURN(ViewSet set, BuildViewSet(config.views));
  auto engine = std::make_unique<Engine>(std::move(set), db);
  WEFT_RETURN_IF_ERROR(engine->Init());
  return std::unique_ptr<ViewEngine>(std::move(engine));
}

}  // namespace weft::view
