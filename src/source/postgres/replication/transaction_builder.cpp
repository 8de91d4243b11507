#include "source/postgres/replication/transaction_builder.h"

#include <algorithm>
#include <memory>

#include "source/postgres/decode/text_value.h"

namespace weft::source::postgres {
namespace {

std::string QuoteIdent(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string QualifiedName(const std::string& schema, const std::string& table) {
  return QuoteIdent(schema) + "." + QuoteIdent(table);
}

// Same columns, same types and modifiers, same order: anything else is a schema change.
bool SameShape(const PgTable& known, const RelationMessage& rel) {
  if (!known.schema || known.schema->columns.size() != rel.columns.size()) return false;
  for (size_t i = 0; i < rel.columns.size(); ++i) {
    if (known.schema->columns[i].name != rel.columns[i].name || known.types[i] != rel.columns[i].type ||
        known.typmods[i] != rel.columns[i].typmod) {
      return false;
    }
  }
  return true;
}

}  // namespace

TransactionBuilder::TransactionBuilder(BuilderOptions options, TypeRegistryPtr types, PgTables known)
    : options_(std::move(options)), types_(std::move(types)), known_(std::move(known)) {
  if (!types_) types_ = std::make_shared<TypeRegistry>();
}

change::Change TransactionBuilder::NewChange(const Relation& rel) const {
  change::Change c;
  c.ts_ms = commit_ms_;
  // Inside a transaction a change's resume point is the transaction's start (it is replayed whole);
  // the transaction's last change gets the commit's end LSN once the Commit arrives.
  c.offset = EncodeOffset(final_lsn_);
  c.source.connector = "postgresql";
  c.source.name = options_.source_name;
  c.source.db = options_.database;
  c.source.schema = rel.nspname;
  c.source.table = rel.relname;
  c.source.lsn = FormatLsn(final_lsn_);
  c.source.txid = xid_;
  c.last_in_transaction = false;
  return c;
}

core::Status TransactionBuilder::Push(change::Change&& c, const Emit& emit) {
  if (pending_.size() >= options_.max_batch_changes) {
    SourceBatch part;
    part.kind = SourceBatch::Kind::kTransaction;
    part.changes = std::move(pending_);
    part.transaction_end = false;
    pending_.clear();
    if (!emit(std::move(part))) return core::Aborted("stopped");
  }
  pending_.push_back(std::move(c));
  return core::Status::Ok();
}

core::Status TransactionBuilder::OnRelation(const RelationMessage& rel) {
  Relation& r = relations_[rel.relid];
  r.nspname = rel.nspname;
  r.relname = rel.relname;
  r.captured = rel.nspname == options_.schema && (options_.tables.empty() || options_.tables.count(rel.relname));
  if (!r.captured) return core::Status::Ok();
  auto known = known_.find(rel.relname);
  if (known != known_.end() && SameShape(known->second, rel)) {
    r.table = known->second;
    return core::Status::Ok();
  }
  // A new shape: describe it from the message. The primary key keeps the columns the known shape had
  // where they still exist; otherwise it is the replica identity's key columns.
  auto schema = std::make_shared<change::TableSchema>();
  schema->db = options_.database;
  schema->table = rel.relname;
  PgTable t;
  t.relid = rel.relid;
  t.replica_identity = rel.replica_identity;
  std::string shape;
  for (const auto& col : rel.columns) {
    change::ColumnSchema c;
    c.name = col.name;
    TypeInfo decoder = types_->Resolve(col.type);
    c.type = decoder.name.empty() ? "oid " + std::to_string(col.type) : decoder.name;
    c.is_json = decoder.cls == TypeClass::kJson;
    shape += (shape.empty() ? "" : ", ") + col.name + " " + c.type;
    schema->columns.push_back(std::move(c));
    t.types.push_back(col.type);
    t.typmods.push_back(col.typmod);
    t.decoders.push_back(std::move(decoder));
  }
  if (known != known_.end() && known->second.schema) {
    for (int k : known->second.schema->primary_key) {
      int index = schema->ColumnIndex(known->second.schema->columns[k].name);
      if (index < 0) {
        schema->primary_key.clear();
        break;
      }
      schema->primary_key.push_back(index);
    }
  }
  if (schema->primary_key.empty() && rel.replica_identity != 'f') {
    for (size_t i = 0; i < rel.columns.size(); ++i) {
      if (rel.columns[i].key) schema->primary_key.push_back(static_cast<int>(i));
    }
  }
  t.schema = schema;
  bool had_shape = known != known_.end();
  known_[rel.relname] = t;
  r.table = t;
  if (!had_shape) return core::Status::Ok();  // a table weft had no shape for: nothing to compare
  change::Change ddl;
  ddl.type = change::ChangeType::kDdl;
  ddl.ts_ms = commit_ms_;
  ddl.offset = EncodeOffset(final_lsn_);
  ddl.source.connector = "postgresql";
  ddl.source.name = options_.source_name;
  ddl.source.db = options_.database;
  ddl.source.schema = rel.nspname;
  ddl.source.table = rel.relname;
  ddl.source.lsn = FormatLsn(final_lsn_);
  ddl.source.txid = xid_;
  ddl.last_in_transaction = false;
  ddl.statement = "ALTER TABLE " + QualifiedName(rel.nspname, rel.relname) + " -- columns now: " + shape;
  pending_.push_back(std::move(ddl));
  return core::Status::Ok();
}

core::Status TransactionBuilder::Image(const Relation& rel, const std::vector<TupleColumn>& tuple, bool key_only,
                                       change::RowImage* out) const {
  const PgTable& t = rel.table;
  if (tuple.size() != t.decoders.size()) {
    return core::Corruption("pgoutput row of " + rel.nspname + "." + rel.relname + " has " +
                            std::to_string(tuple.size()) + " columns, its relation " +
                            std::to_string(t.decoders.size()));
  }
  out->values.clear();
  out->present.clear();
  out->values.reserve(tuple.size());
  bool partial = false;
  std::vector<bool> present(tuple.size(), true);
  std::vector<bool> is_key(tuple.size(), false);
  // Without a primary key the identity is the whole row (REPLICA IDENTITY FULL): nothing to narrow.
  if (key_only && t.schema->primary_key.empty()) key_only = false;
  if (key_only) {
    for (int k : t.schema->primary_key) is_key[static_cast<size_t>(k)] = true;
  }
  for (size_t i = 0; i < tuple.size(); ++i) {
    const TupleColumn& c = tuple[i];
    if (c.kind == 'u' || (key_only && !is_key[i])) {
      // Unchanged TOAST, or not part of a key-only image: not carried, the stored row fills it in.
      out->values.emplace_back();
      present[i] = false;
      partial = true;
    } else if (c.kind == 'n') {
      out->values.emplace_back();
    } else {
      out->values.push_back(TextToValue(*types_, t.decoders[i], c.data.data(), c.data.size()));
    }
  }
  if (partial) out->present = std::move(present);
  return core::Status::Ok();
}

core::Status TransactionBuilder::OnRow(const PgOutputMessage& m, const Emit& emit) {
  auto it = relations_.find(m.relid);
  if (it == relations_.end()) {
    return core::Corruption("pgoutput change of relation " + std::to_string(m.relid) + " before its Relation message");
  }
  const Relation& rel = it->second;
  if (!rel.captured) return core::Status::Ok();
  change::Change c = NewChange(rel);
  c.schema = rel.table.schema;
  using K = PgOutputMessage::Kind;
  if (m.kind == K::kInsert) {
    c.op = change::Op::kCreate;
    WEFT_RETURN_IF_ERROR(Image(rel, m.new_tuple, false, &c.after));
  } else if (m.kind == K::kUpdate) {
    c.op = change::Op::kUpdate;
    WEFT_RETURN_IF_ERROR(Image(rel, m.new_tuple, false, &c.after));
    if (m.old_kind != 0) {
      WEFT_RETURN_IF_ERROR(Image(rel, m.old_tuple, m.old_kind == 'K', &c.before));
    } else {
      // No old tuple: the key did not change, so the new tuple's key columns identify the row.
      WEFT_RETURN_IF_ERROR(Image(rel, m.new_tuple, true, &c.before));
    }
  } else {
    c.op = change::Op::kDelete;
    WEFT_RETURN_IF_ERROR(Image(rel, m.old_tuple, m.old_kind == 'K', &c.before));
  }
  return Push(std::move(c), emit);
}

core::Status TransactionBuilder::Feed(const PgOutputMessage& m, Lsn wal_end, const Emit& emit) {
  using K = PgOutputMessage::Kind;
  switch (m.kind) {
    case K::kBegin:
      in_transaction_ = true;
      final_lsn_ = m.final_lsn;
      commit_ms_ = PgTimeToUnixMs(m.commit_time);
      xid_ = m.xid;
      pending_.clear();
      return core::Status::Ok();
    case K::kCommit: {
      SourceBatch batch;
      batch.kind = SourceBatch::Kind::kTransaction;
      batch.changes = std::move(pending_);
      pending_.clear();
      batch.offset = EncodeOffset(m.end_lsn);
      if (!batch.changes.empty()) {
        batch.changes.back().offset = batch.offset;
        batch.changes.back().last_in_transaction = true;
      }
      in_transaction_ = false;
      last_end_ = m.end_lsn;
      if (!emit(std::move(batch))) return core::Aborted("stopped");
      return core::Status::Ok();
    }
    case K::kRelation:
      return OnRelation(m.relation);
    case K::kInsert:
    case K::kUpdate:
    case K::kDelete:
      return OnRow(m, emit);
    case K::kTruncate: {
      std::string names;
      std::string first;
      for (uint32_t relid : m.truncate_relids) {
        auto it = relations_.find(relid);
        if (it == relations_.end() || !it->second.captured) continue;
        names += (names.empty() ? "" : ", ") + QualifiedName(it->second.nspname, it->second.relname);
        if (first.empty()) first = it->second.relname;
      }
      if (names.empty()) return core::Status::Ok();
      Relation label;
      label.nspname = options_.schema;
      label.relname = first;
      change::Change ddl = NewChange(label);
      ddl.type = change::ChangeType::kDdl;
      ddl.statement = "TRUNCATE " + names;
      return Push(std::move(ddl), emit);
    }
    case K::kOther:
      return core::Status::Ok();
  }
  return core::Status::Ok();
}

SchemaEffect TransactionBuilder::EffectOfStatement(const std::string& statement, const std::string& schema) {
  // The statements above name tables as "schema"."table" (quotes doubled inside), separated by ", "
  // and ended by the end of text or " --".
  SchemaEffect effect;
  size_t i = statement.find('"');
  while (i != std::string::npos && i < statement.size()) {
    std::string parts[2];
    for (int p = 0; p < 2; ++p) {
      if (i >= statement.size() || statement[i] != '"') return effect;
      ++i;
      while (i < statement.size()) {
        if (statement[i] == '"') {
          if (i + 1 < statement.size() && statement[i + 1] == '"') {
            parts[p].push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        parts[p].push_back(statement[i++]);
      }
      if (p == 0) {
        if (i >= statement.size() || statement[i] != '.') return effect;
        ++i;
      }
    }
    if (parts[0] == schema && std::find(effect.tables.begin(), effect.tables.end(), parts[1]) == effect.tables.end()) {
      effect.tables.push_back(parts[1]);
    }
    if (statement.compare(i, 2, ", ") != 0) break;
    i += 2;
  }
  return effect;
}

}  // namespace weft::source::postgres
