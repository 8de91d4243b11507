#include "source/mysql/binlog/transaction_assembler.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

#include "source/mysql/decode/row_decoder.h"

namespace weft::source::mysql {
namespace {

constexpr uint8_t kGtidStandalone = 0x01;  // MariaDB FL_STANDALONE: the group is one statement
constexpr uint16_t kQueryPostHeaderLength = 13;
constexpr auto kIdleBatchInterval = std::chrono::seconds(1);

uint64_t ReadLe(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

bool StartsWithWord(std::string_view text, std::string_view word) {
  if (text.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(text[i])) != word[i]) return false;
  }
  return text.size() == word.size() || !std::isalnum(static_cast<unsigned char>(text[word.size()]));
}

std::string_view TrimSql(std::string_view s) {
  while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.front())) || s.front() == '\0')) s.remove_prefix(1);
  while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.back())) || s.back() == ';' || s.back() == '\0')) {
    s.remove_suffix(1);
  }
  return s;
}

// Does `statement` name `db` as a qualifier (db.t or `db`.t)? DDL run from another default
// database still concerns the captured one.
bool MentionsDatabase(std::string_view statement, const std::string& db) {
  if (db.empty()) return false;
  for (const std::string& needle : {"`" + db + "`.", db + "."}) {
    size_t at = statement.find(needle);
    while (at != std::string_view::npos) {
      bool boundary = at == 0 || !(std::isalnum(static_cast<unsigned char>(statement[at - 1])) ||
                                   statement[at - 1] == '_' || statement[at - 1] == '$');
      if (boundary || needle[0] == '`') return true;
      at = statement.find(needle, at + 1);
    }
  }
  return false;
}

}  // namespace

std::string DdlTableName(std::string_view s) {
  auto skip_space = [&] {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  };
  auto eat = [&](std::string_view word) {
    skip_space();
    if (!StartsWithWord(s, word)) return false;
    s.remove_prefix(word.size());
    return true;
  };
  const bool truncate = eat("TRUNCATE");
  if (!truncate && !(eat("ALTER") || eat("CREATE") || eat("DROP") || eat("RENAME"))) return "";
  eat("OR REPLACE");
  eat("TEMPORARY");
  eat("ONLINE");
  eat("IGNORE");
  if (!eat("TABLE") && !truncate) return "";
  if (eat("IF")) {
    eat("NOT");
    eat("EXISTS");
  }
  skip_space();
  std::string name;
  while (!s.empty()) {
    if (s.front() == '`') {
      size_t end = 1;
      name.clear();
      while (end < s.size() && !(s[end] == '`' && (end + 1 >= s.size() || s[end + 1] != '`'))) {
        if (s[end] == '`') ++end;  // a doubled backtick inside the name
        name.push_back(s[end++]);
      }
      s.remove_prefix(std::min(end + 1, s.size()));
    } else {
      size_t end = 0;
      while (end < s.size() && (std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '_' || s[end] == '$')) ++end;
      if (end == 0) break;
      name = std::string(s.substr(0, end));
      s.remove_prefix(end);
    }
    if (s.empty() || s.front() != '.') break;
    s.remove_prefix(1);  // db.table: keep the part after the dot
  }
  return name;
}

TransactionAssembler::TransactionAssembler(std::string source_name, TableFilter filter, const Position& start,
                                           JsonColumns json_columns, OnDdl on_ddl, Emit emit)
    : source_name_(std::move(source_name)),
      filter_(std::move(filter)),
      json_columns_(std::move(json_columns)),
      on_ddl_(std::move(on_ddl)),
      emit_(std::move(emit)),
      file_(start.file),
      pos_(start.pos),
      gtid_mode_(start.has_gtid),
      committed_(start),
      pending_skip_(start.skip),
      last_emit_(std::chrono::steady_clock::now()) {
  if (start.has_gtid) {
    if (auto state = GtidState::Parse(start.gtid); state.ok()) state_ = *state;
  }
  if (start.has_mysql_gtids) {
    if (auto set = MysqlGtidSet::Parse(start.mysql_gtids); set.ok()) {
      mysql_set_ = std::move(*set);
      mysql_set_known_ = true;
    }
  }
}

uint64_t TransactionAssembler::EventStart(const Event& event) const {
  if (in_payload_) return payload_start_;
  const auto& h = event.header;
  return h.log_pos != 0 && h.log_pos >= h.event_size ? h.log_pos - h.event_size : pos_;
}

bool TransactionAssembler::EmitBatch(SourceBatch&& batch) {
  last_emit_ = std::chrono::steady_clock::now();
  idle_dirty_ = false;
  return emit_(std::move(batch));
}

core::Status TransactionAssembler::OnEvent(const Event& event) {
  ++events_;
  const EventHeader& h = event.header;
  const std::string_view body = event.body;
  core::Status st;
  switch (h.type) {
    case event::kRotate:
      if (body.size() < 8) return core::Corruption("source " + source_name_ + ": ROTATE event too short");
      file_ = std::string(body.substr(8));
      pos_ = ReadLe(body.data(), 8);
      return core::Status::Ok();
    case event::kMariadbGtid: {
      if (body.size() < 13) return core::Corruption("source " + source_name_ + ": GTID event too short");
      Gtid gtid{static_cast<uint32_t>(ReadLe(body.data() + 8, 4)), h.server_id, ReadLe(body.data(), 8)};
      BeginTransaction(event, true, gtid, gtid.ToString(), (static_cast<uint8_t>(body[12]) & kGtidStandalone) != 0);
      break;
    }
    case event::kFormatDescription:
      // binlog_version(2) server_version(50): MariaDB and MySQL encode some table-map metadata
      // differently (column_types.h ServerFlavor).
      if (body.size() >= 52) {
        flavor_ = body.substr(2, 50).find("MariaDB") != std::string_view::npos ? ServerFlavor::kMariaDB
                                                                                : ServerFlavor::kMySQL;
      }
      break;
    case event::kMysqlGtid:
    case event::kGtidTagged: {
      auto gtid = ParseMysqlGtidEvent(h.type, body);
      if (!gtid.ok()) return gtid.status().WithContext("source " + source_name_ + " at " + file_ + ":" + std::to_string(EventStart(event)));
      mysql_set_known_ = true;  // GTIDs in use: offsets carry the set from here on
      // Standalone until a BEGIN says otherwise: MySQL logs DDL as GTID + QUERY, with no COMMIT.
      BeginTransaction(event, false, Gtid{}, gtid->ToString(), true);
      tx_mysql_gtid_ = *gtid;
      tx_has_mysql_gtid_ = true;
      break;
    }
    case event::kMysqlAnonymousGtid:
      BeginTransaction(event, false, Gtid{}, "", true);
      break;
    case event::kMysqlPreviousGtids:
      // The set before this binlog file: where the executed set starts when the start position did
      // not carry one (reading from a file's beginning).
      // (An empty set with anonymous transactions is gtid_mode=OFF: offsets then carry no set.)
      if (!mysql_set_known_) {
        auto set = MysqlGtidSet::FromPreviousGtidsEvent(body);
        if (!set.ok()) return set.status().WithContext("source " + source_name_ + " at " + file_ + ":" + std::to_string(EventStart(event)));
        mysql_set_ = std::move(*set);
        mysql_set_known_ = !mysql_set_.empty();
        WithMysqlGtids(&committed_);
      }
      break;
    case event::kQuery:
      st = OnQuery(event);
      break;
    case event::kTableMap:
      st = OnTableMap(event);
      break;
    case event::kXid:
    case event::kXaPrepare:  // MySQL XA: the prepared transaction's events are complete here
      st = Commit(event);
      break;
    case event::kHeartbeat:
      if (!in_tx_) st = OnHeartbeat();
      break;
    case event::kTransactionPayload:
      st = OnPayload(event);
      break;
    case event::kQueryCompressed:
      return core::FailedPrecondition("source " + source_name_ +
                                      ": the server compresses binlog events (log_bin_compress = ON), which weft "
                                      "reads only for row events: run SET GLOBAL log_bin_compress = OFF;");
    default: {
      RowsKind kind = RowsEventTraitsOf(h.type).kind;
      if (kind != RowsKind::kNone) st = OnRows(event, kind);
      break;  // GTID_LIST, BINLOG_CHECKPOINT, FORMAT_DESCRIPTION, STOP, INTVAR, ...: nothing to do
    }
  }
  if (h.log_pos != 0) pos_ = h.log_pos;
  return st;
}

void TransactionAssembler::BeginTransaction(const Event& event, bool has_gtid, const Gtid& gtid,
                                            const std::string& gtid_text, bool standalone) {
  // A transaction never nests: a new start after an unterminated one (a server crash mid-write)
  // drops the partial one, as a replica would.
  in_tx_ = true;
  tx_standalone_ = standalone;
  tx_has_gtid_ = has_gtid;
  tx_gtid_ = gtid;
  tx_gtid_text_ = gtid_text;
  tx_start_ = Position{file_, EventStart(event), 0, gtid_mode_, gtid_mode_ ? state_.ToString() : "", false, ""};
  WithMysqlGtids(&tx_start_);
  tx_has_mysql_gtid_ = false;
  tx_index_ = 0;
  tx_skip_ = pending_skip_;
  tx_changes_.clear();
  tx_indexes_.clear();
  // Resumed inside a transaction (skip > 0): its earlier changes went out as parts before.
  tx_parted_ = tx_skip_ > 0;
}

core::Status TransactionAssembler::OnQuery(const Event& event) {
  std::string_view body = event.body;
  if (body.size() < kQueryPostHeaderLength) return core::Corruption("source " + source_name_ + ": QUERY event too short");
  size_t db_len = static_cast<uint8_t>(body[8]);
  size_t status_len = ReadLe(body.data() + 11, 2);
  size_t db_at = kQueryPostHeaderLength + status_len;
  if (db_at + db_len + 1 > body.size()) return core::Corruption("source " + source_name_ + ": QUERY event truncated");
  std::string db(body.substr(db_at, db_len));
  std::string_view statement = TrimSql(body.substr(db_at + db_len + 1));

  if (StartsWithWord(statement, "BEGIN") || StartsWithWord(statement, "XA START") ||
      StartsWithWord(statement, "XA END") || StartsWithWord(statement, "SAVEPOINT") ||
      StartsWithWord(statement, "ROLLBACK TO")) {
    if (!in_tx_) BeginTransaction(event, false, Gtid{}, "", false);
    else tx_standalone_ = false;  // after a MySQL GTID event: a transaction, not a DDL statement
    return core::Status::Ok();
  }
  if (StartsWithWord(statement, "COMMIT") || StartsWithWord(statement, "ROLLBACK") ||
      StartsWithWord(statement, "XA PREPARE") || StartsWithWord(statement, "XA COMMIT") ||
      StartsWithWord(statement, "XA ROLLBACK")) {
    return in_tx_ ? Commit(event) : core::Status::Ok();
  }
  // Any other statement in a ROW binlog is DDL (or an administrative statement like GRANT).
  if (!in_tx_) BeginTransaction(event, false, Gtid{}, "", true);
  if (filter_.all() || db == filter_.database() || MentionsDatabase(statement, filter_.database())) {
    if (change::Change* c = NextChange()) {
      c->type = change::ChangeType::kDdl;
      c->op = change::Op::kUpdate;
      c->source.name = source_name_;
      c->source.db = db.empty() ? filter_.database() : db;
      c->source.table = DdlTableName(statement);
      c->source.gtid = tx_gtid_text_;
      c->source.file = file_;
      c->source.pos = EventStart(event);
      c->statement = std::string(statement);
    }
    // Cached table maps carry JSON flags from before the statement; drop them with the cache.
    maps_.clear();
    if (on_ddl_) on_ddl_();
  }
  return tx_standalone_ ? Commit(event) : core::Status::Ok();
}

core::Status TransactionAssembler::OnTableMap(const Event& event) {
  if (event.body.size() < 6) return core::Corruption("source " + source_name_ + ": TABLE_MAP event too short");
  uint64_t id = ReadLe(event.body.data(), 6);
  auto it = maps_.find(id);
  // MariaDB logs the table map again in every transaction; an identical one needs no new decode.
  if (it != maps_.end() && it->second.body == event.body) return core::Status::Ok();
  auto decoded = DecodeTableMap(event.body, flavor_);
  if (!decoded.ok()) return decoded.status().WithContext("source " + source_name_);
  CachedMap cached;
  cached.body = std::string(event.body);
  cached.map = std::move(*decoded);
  if (filter_.Captures(cached.map.db, cached.map.table)) {
    WEFT_ASSIGN_OR_RETURN(auto json, json_columns_(cached.map.table));
    cached.schema = SchemaFromTableMap(cached.map, json);
  }
  CachedMap& stored = maps_[id] = std::move(cached);  // a node of the map: it does not move again
  if (stored.schema) stored.codecs = MakeColumnCodecs(stored.map, *stored.schema);
  return core::Status::Ok();
}

core::Status TransactionAssembler::OnRows(const Event& event, RowsKind kind) {
  WEFT_ASSIGN_OR_RETURN(uint64_t id, RowsEventTableId(event.header.type, event.body));
  if (id == kDummyTableId) return core::Status::Ok();
  auto it = maps_.find(id);
  if (it == maps_.end()) {
    return core::Corruption("source " + source_name_ + ": rows event for table id " + std::to_string(id) +
                            " without a TABLE_MAP before it (" + file_ + ":" + std::to_string(EventStart(event)) + ")");
  }
  const CachedMap& cached = it->second;
  if (!cached.schema) return core::Status::Ok();  // a table weft does not capture
  if (!in_tx_) BeginTransaction(event, false, Gtid{}, "", false);
  rows_scratch_.clear();
  core::Status st = DecodeRowsEvent(event.header.type, event.body, cached.map, *cached.schema, cached.codecs, &rows_scratch_);
  if (!st.ok()) {
    return st.WithContext("source " + source_name_ + " at " + file_ + ":" + std::to_string(EventStart(event)));
  }
  const change::Op op = kind == RowsKind::kWrite    ? change::Op::kCreate
                        : kind == RowsKind::kUpdate ? change::Op::kUpdate
                                                    : change::Op::kDelete;
  const uint64_t event_pos = EventStart(event);
  size_t needed = tx_changes_.size() + rows_scratch_.size();
  if (max_part_changes_ > 0) needed = std::min(needed, max_part_changes_);
  if (tx_changes_.capacity() < needed) {
    tx_changes_.reserve(std::max(needed, 2 * tx_changes_.capacity()));
    tx_indexes_.reserve(tx_changes_.capacity());
  }
  for (DecodedRow& row : rows_scratch_) {
    change::Change* c = NextChange();  // built in place: a Change is too big to move around per row
    if (!c) continue;
    c->op = op;
    c->source.name = source_name_;
    c->source.db = cached.map.db;
    c->source.table = cached.map.table;
    c->source.gtid = tx_gtid_text_;
    c->source.file = file_;
    c->source.pos = event_pos;
    c->schema = cached.schema;
    c->before = std::move(row.before);
    c->after = std::move(row.after);
    if (max_part_changes_ > 0 && tx_changes_.size() >= max_part_changes_) WEFT_RETURN_IF_ERROR(EmitPart(event));
  }
  return core::Status::Ok();
}

core::Status TransactionAssembler::EmitPart(const Event& event) {
  if (tx_changes_.empty()) return core::Status::Ok();
  StampChanges(int64_t{event.header.timestamp} * 1000, false, "");
  // A reconnect from here on resumes after this part: its changes are not delivered twice.
  committed_ = tx_start_;
  committed_.skip = tx_indexes_.back();
  SourceBatch batch;
  batch.kind = SourceBatch::Kind::kTransaction;
  batch.transaction_end = false;
  batch.changes = std::move(tx_changes_);
  tx_changes_ = {};
  tx_changes_.reserve(max_part_changes_);
  tx_indexes_.clear();
  tx_parted_ = true;
  if (!EmitBatch(std::move(batch))) return core::Aborted("stopped");
  return core::Status::Ok();
}

void TransactionAssembler::StampChanges(int64_t ts_ms, bool last, const std::string& end_offset) {
  // Inside offsets differ only in skip: encode the rest once.
  Position inside = tx_start_;
  inside.skip = 0;
  const std::string encoded = inside.Encode();
  const size_t skip_at = encoded.find(";skip=") + 6;
  const std::string prefix = encoded.substr(0, skip_at);
  const size_t suffix_at = encoded.find(';', skip_at);  // ";gtid=..." (absent for MySQL)
  const std::string suffix = suffix_at == std::string::npos ? "" : encoded.substr(suffix_at);
  const size_t n = tx_changes_.size();
  for (size_t i = 0; i < n; ++i) {
    change::Change& c = tx_changes_[i];
    c.ts_ms = ts_ms;
    c.last_in_transaction = last && i + 1 == n;
    if (c.last_in_transaction) {
      c.offset = end_offset;
    } else {
      char digits[24];
      auto end = std::to_chars(digits, digits + sizeof digits, tx_indexes_[i]).ptr;
      c.offset.reserve(prefix.size() + (end - digits) + suffix.size());
      c.offset.append(prefix).append(digits, end).append(suffix);
    }
    if (c.type == change::ChangeType::kDml) ++row_changes_;
  }
}

change::Change* TransactionAssembler::NextChange() {
  ++tx_index_;
  if (tx_index_ <= tx_skip_) return nullptr;  // delivered before the resume
  tx_indexes_.push_back(tx_index_);
  return &tx_changes_.emplace_back();
}

core::Status TransactionAssembler::Commit(const Event& event) {
  if (!in_tx_) return core::Status::Ok();
  in_tx_ = false;
  const uint64_t end = event.header.log_pos != 0 ? event.header.log_pos : in_payload_ ? payload_end_ : pos_;
  if (tx_has_gtid_ && gtid_mode_) state_.Update(tx_gtid_);
  if (tx_has_mysql_gtid_ && mysql_set_known_) mysql_set_.Add(tx_mysql_gtid_);
  committed_ = Position{file_, end, 0, gtid_mode_, gtid_mode_ ? state_.ToString() : "", false, ""};
  WithMysqlGtids(&committed_);
  pending_skip_ = 0;
  // The end of a transaction delivered in parts is delivered even when no change is left for it.
  if (tx_changes_.empty() && !tx_parted_) {
    idle_dirty_ = true;
    if (std::chrono::steady_clock::now() - last_emit_ >= kIdleBatchInterval) return FlushIdle();
    return core::Status::Ok();
  }
  SourceBatch batch;
  batch.kind = SourceBatch::Kind::kTransaction;
  batch.offset = committed_.Encode();
  StampChanges(int64_t{event.header.timestamp} * 1000, true, batch.offset);
  batch.changes = std::move(tx_changes_);
  tx_changes_ = {};
  tx_indexes_.clear();
  if (!EmitBatch(std::move(batch))) return core::Aborted("stopped");
  return core::Status::Ok();
}

// The server sends a heartbeat only when it has had nothing to send for a heartbeat period: the
// consumer has everything up to the binlog's end (the pending offset, if any, rides along).
core::Status TransactionAssembler::OnHeartbeat() {
  SourceBatch batch;
  batch.kind = SourceBatch::Kind::kTransaction;
  batch.signal = SourceBatch::Signal::kCaughtUp;
  if (idle_dirty_) batch.offset = committed_.Encode();
  if (!EmitBatch(std::move(batch))) return core::Aborted("stopped");
  return core::Status::Ok();
}

core::Status TransactionAssembler::FlushIdle() {
  if (!idle_dirty_) return core::Status::Ok();
  SourceBatch batch;
  batch.kind = SourceBatch::Kind::kTransaction;
  batch.offset = committed_.Encode();
  if (!EmitBatch(std::move(batch))) return core::Aborted("stopped");
  return core::Status::Ok();
}

}  // namespace weft::source::mysql
