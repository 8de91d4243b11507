#pragma once
// Every SQL statement of the state module, in one place: the fixed schema as constants, the
// per-replica statements as builders (their table names come from the replica catalog).
//
// Replica tables (one per source table a view uses), WITHOUT ROWID so rows live in primary-key order:
//   pk  BLOB PRIMARY KEY  the row's primary key in view/key_order's order-preserving encoding, so
//                         "ORDER BY pk" is primary-key order and the key of a row is canonical
//   row BLOB              the row {column: value} for the columns the views need: change::EncodeRow
//                         against the replica's column list (replica_columns), or change::EncodeValue
//                         of the object when its columns do not fit that list (ReplicaStore::Put)
//   k0..kN BLOB           the canonical join-key text of each relation column (NULL for SQL NULL),
//                         indexed per relation (composite relations get a composite index)

#include <string>
#include <vector>

namespace weft::state::sql {

inline constexpr int kSchemaVersion = 1;

inline constexpr char kPragmas[] =
    // The busy timeout first: switching a new file to WAL takes an exclusive lock, and a reader
    // that opened the file a moment earlier (`weft status`, a monitoring script) must make this
    // wait, not fail the start with "database is locked".
    "PRAGMA busy_timeout=5000;"
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "PRAGMA foreign_keys=OFF;"
    // A bounded page cache (8 MiB), so memory stays flat however large the replicas grow. Snapshot
    // loads append in key order and build indexes in one sorted pass (ReplicaStore::BeginBulkLoad),
    // and a build probes children in root-key order, so a bigger cache bought no measurable speed
    // (32 MiB: same CPU time at scales 1 and 4, 22-28 MB more peak RSS); the OS page cache serves
    // the rest.
    "PRAGMA cache_size=-8192;"
    // SQLite's checkpoint every 4 MiB of WAL, except while a snapshot bulk-loads replicas
    // (StateDb::SetBulkWrites). The WAL file is cut back to 64 MiB after a checkpoint resets it.
    "PRAGMA wal_autocheckpoint=1000;"
    "PRAGMA journal_size_limit=67108864;"
    // Sorts (CREATE INDEX after a bulk load) spill to temporary files beyond the cache instead of
    // holding every key of a large replica in memory.
    "PRAGMA temp_store=FILE;";

inline constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS meta(
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS offsets(
  source TEXT PRIMARY KEY,
  resume_offset TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sink TEXT NOT NULL,
  view TEXT NOT NULL,
  collection TEXT NOT NULL,
  id BLOB NOT NULL,
  id_key TEXT NOT NULL,
  doc BLOB);
CREATE INDEX IF NOT EXISTS outbox_by_sink ON outbox(sink, seq);
CREATE TABLE IF NOT EXISTS dead_letters(
  id INTEGER PRIMARY KEY,
  view TEXT NOT NULL,
  id_key TEXT NOT NULL,
  reason TEXT NOT NULL,
  time_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS dead_letters_by_view ON dead_letters(view);
CREATE TABLE IF NOT EXISTS doc_hashes(
  view TEXT NOT NULL,
  id_key TEXT NOT NULL,
  h1 INTEGER NOT NULL,
  h2 INTEGER NOT NULL,
  PRIMARY KEY(view, id_key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshot_ids(
  view TEXT NOT NULL,
  id_key BLOB NOT NULL,
  PRIMARY KEY(view, id_key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending_roots(
  view TEXT NOT NULL,
  pk BLOB NOT NULL,
  id BLOB,
  PRIMARY KEY(view, pk)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS replicas(
  source TEXT NOT NULL,
  tbl TEXT NOT NULL,
  name TEXT NOT NULL UNIQUE,
  layout TEXT NOT NULL,
  pk_columns BLOB,
  PRIMARY KEY(source, tbl));
CREATE TABLE IF NOT EXISTS replica_columns(
  name TEXT PRIMARY KEY,
  columns BLOB NOT NULL);
)sql";

inline constexpr char kBegin[] = "BEGIN IMMEDIATE";
inline constexpr char kCommit[] = "COMMIT";
inline constexpr char kRollback[] = "ROLLBACK";

inline constexpr char kGetMeta[] = "SELECT value FROM meta WHERE key=?1";
inline constexpr char kSetMeta[] =
    "INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value=excluded.value";

inline constexpr char kGetOffset[] = "SELECT resume_offset FROM offsets WHERE source=?1";
inline constexpr char kSetOffset[] =
    "INSERT INTO offsets(source, resume_offset) VALUES(?1, ?2) "
    "ON CONFLICT(source) DO UPDATE SET resume_offset=excluded.resume_offset";
inline constexpr char kDeleteOffset[] = "DELETE FROM offsets WHERE source=?1";

inline constexpr char kAppendOutbox[] =
    "INSERT INTO outbox(sink, view, collection, id, id_key, doc) VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
inline constexpr char kScanOutbox[] =
    "SELECT seq, sink, view, collection, id, id_key, doc FROM outbox WHERE sink=?1 AND seq>?2 ORDER BY seq";
inline constexpr char kRemoveOutbox[] = "DELETE FROM outbox WHERE seq BETWEEN ?1 AND ?2";
inline constexpr char kOutboxDepth[] = "SELECT count(*) FROM outbox";
inline constexpr char kOutboxDepthByView[] = "SELECT view, count(*) FROM outbox GROUP BY view";

inline constexpr char kAddDeadLetter[] =
    "INSERT INTO dead_letters(view, id_key, reason, time_ms) VALUES(?1, ?2, ?3, ?4)";
inline constexpr char kDeadLetterCount[] = "SELECT count(*) FROM dead_letters WHERE view=?1";
inline constexpr char kLatestDeadLetters[] =
    "SELECT id_key, reason, time_ms FROM dead_letters WHERE view=?1 ORDER BY id DESC LIMIT ?2";

inline constexpr char kGetDocHash[] = "SELECT h1, h2 FROM doc_hashes WHERE view=?1 AND id_key=?2";
inline constexpr char kSetDocHash[] =
    "INSERT INTO doc_hashes(view, id_key, h1, h2) VALUES(?1, ?2, ?3, ?4) "
    "ON CONFLICT(view, id_key) DO UPDATE SET h1=excluded.h1, h2=excluded.h2";
inline constexpr char kReplaceDocHash[] =
    "INSERT INTO doc_hashes(view, id_key, h1, h2) VALUES(?1, ?2, ?3, ?4) "
    "ON CONFLICT(view, id_key) DO UPDATE SET h1=excluded.h1, h2=excluded.h2 WHERE h1<>excluded.h1 OR h2<>excluded.h2";
inline constexpr char kClearDocHash[] = "DELETE FROM doc_hashes WHERE view=?1 AND id_key=?2";
inline constexpr char kClearDocHashes[] = "DELETE FROM doc_hashes WHERE view=?1";
inline constexpr char kHasDocHashes[] = "SELECT 1 FROM doc_hashes WHERE view=?1 LIMIT 1";

// Ids (DocumentSink::ScanIdKey) a view's snapshot produced, until its reconciliation (state/snapshot_ids.h).
inline constexpr char kAddSnapshotId[] = "INSERT OR IGNORE INTO snapshot_ids(view, id_key) VALUES(?1, ?2)";
inline constexpr char kHasSnapshotId[] = "SELECT 1 FROM snapshot_ids WHERE view=?1 AND id_key=?2";
inline constexpr char kClearSnapshotIds[] = "DELETE FROM snapshot_ids WHERE view=?1";
// Roots whose documents are still to be built, committed with state they were recorded from
// (state/pending_roots.h).
inline constexpr char kSavePendingRoot[] = "INSERT OR REPLACE INTO pending_roots(view, pk, id) VALUES(?1, ?2, ?3)";
inline constexpr char kScanPendingRoots[] = "SELECT view, pk, id FROM pending_roots";
inline constexpr char kClearPendingRoots[] = "DELETE FROM pending_roots";

inline constexpr char kGetReplica[] = "SELECT name, layout, pk_columns FROM replicas WHERE source=?1 AND tbl=?2";
inline constexpr char kPutReplica[] =
    "INSERT INTO replicas(source, tbl, name, layout, pk_columns) VALUES(?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT(source, tbl) DO UPDATE SET name=excluded.name, layout=excluded.layout, "
    "pk_columns=excluded.pk_columns";
inline constexpr char kSetReplicaPk[] = "UPDATE replicas SET pk_columns=?3 WHERE source=?1 AND tbl=?2";
inline constexpr char kReplicasOfSource[] = "SELECT name FROM replicas WHERE source=?1";
// The column names a replica's rows are encoded against (ReplicaStore, change::EncodeRow), by replica
// table name. A table of its own rather than a column of `replicas`, so state files made before it
// need no migration.
inline constexpr char kGetReplicaColumns[] = "SELECT columns FROM replica_columns WHERE name=?1";
inline constexpr char kSetReplicaColumns[] =
    "INSERT INTO replica_columns(name, columns) VALUES(?1, ?2) ON CONFLICT(name) DO UPDATE SET columns=excluded.columns";
inline constexpr char kClearReplicaColumns[] = "DELETE FROM replica_columns WHERE name=?1";

// Builders for one replica table `name` with `keys` join-key columns k0..k(keys-1). `name` comes from
// ReplicaTableName() (letters, digits and '_'), so quoting it is enough.
std::string CreateReplica(const std::string& name, size_t keys);
std::string CreateReplicaIndex(const std::string& name, size_t index, const std::vector<int>& key_columns);
std::string DropReplicaIndex(const std::string& name, size_t index);
std::string DropReplica(const std::string& name);
std::string ClearReplica(const std::string& name);
std::string PutReplicaRow(const std::string& name, size_t keys);
std::string GetReplicaRow(const std::string& name);
std::string DeleteReplicaRow(const std::string& name);
// SELECT pk, row, k0..kN ... WHERE the index's columns equal ?1..?M, in pk order.
std::string FindReplicaRows(const std::string& name, size_t keys, const std::vector<int>& key_columns);
// SELECT pk, row, k0..kN of every row, in pk order.
std::string ScanReplica(const std::string& name, size_t keys);

}  // namespace weft::state::sql

// Aggregate views (state/aggregate_store.h), all keyed by view name:
//   agg_contrib  what each root row last contributed (encoded keys and inputs), by root pk
//   agg_groups   per group (gkey = view/key_order encoding of its key values): encoded state
//   agg_values   MIN/MAX multisets and COUNT DISTINCT reference counts: (agg, gkey, value) -> n
//   agg_rank     top-N: each ranked group's sort key within its partition
namespace weft::state::sql {

inline constexpr char kAggregateSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS agg_contrib(
  view TEXT NOT NULL,
  pk BLOB NOT NULL,
  c BLOB NOT NULL,
  PRIMARY KEY(view, pk)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS agg_groups(
  view TEXT NOT NULL,
  gkey BLOB NOT NULL,
  state BLOB NOT NULL,
  PRIMARY KEY(view, gkey)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS agg_values(
  view TEXT NOT NULL,
  agg INTEGER NOT NULL,
  gkey BLOB NOT NULL,
  v BLOB NOT NULL,
  val BLOB NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY(view, agg, gkey, v)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS agg_rank(
  view TEXT NOT NULL,
  part BLOB NOT NULL,
  gkey BLOB NOT NULL,
  s BLOB NOT NULL,
  PRIMARY KEY(view, part, gkey)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS agg_rank_order ON agg_rank(view, part, s, gkey);
)sql";

inline constexpr char kGetContrib[] = "SELECT c FROM agg_contrib WHERE view=?1 AND pk=?2";
inline constexpr char kPutContrib[] =
    "INSERT INTO agg_contrib(view, pk, c) VALUES(?1, ?2, ?3) ON CONFLICT(view, pk) DO UPDATE SET c=excluded.c";
inline constexpr char kEraseContrib[] = "DELETE FROM agg_contrib WHERE view=?1 AND pk=?2";
inline constexpr char kGetGroup[] = "SELECT state FROM agg_groups WHERE view=?1 AND gkey=?2";
inline constexpr char kPutGroup[] =
    "INSERT INTO agg_groups(view, gkey, state) VALUES(?1, ?2, ?3) "
    "ON CONFLICT(view, gkey) DO UPDATE SET state=excluded.state";
inline constexpr char kEraseGroup[] = "DELETE FROM agg_groups WHERE view=?1 AND gkey=?2";
inline constexpr char kScanGroups[] = "SELECT gkey, state FROM agg_groups WHERE view=?1 ORDER BY gkey";
inline constexpr char kGetValueCount[] = "SELECT n FROM agg_values WHERE view=?1 AND agg=?2 AND gkey=?3 AND v=?4";
inline constexpr char kPutValueCount[] =
    "INSERT INTO agg_values(view, agg, gkey, v, val, n) VALUES(?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT(view, agg, gkey, v) DO UPDATE SET n=excluded.n";
inline constexpr char kEraseValue[] = "DELETE FROM agg_values WHERE view=?1 AND agg=?2 AND gkey=?3 AND v=?4";
inline constexpr char kMinValue[] =
    "SELECT val FROM agg_values WHERE view=?1 AND agg=?2 AND gkey=?3 ORDER BY v LIMIT 1";
inline constexpr char kMaxValue[] =
    "SELECT val FROM agg_values WHERE view=?1 AND agg=?2 AND gkey=?3 ORDER BY v DESC LIMIT 1";
inline constexpr char kGetRank[] = "SELECT s FROM agg_rank WHERE view=?1 AND part=?2 AND gkey=?3";
inline constexpr char kPutRank[] =
    "INSERT INTO agg_rank(view, part, gkey, s) VALUES(?1, ?2, ?3, ?4) "
    "ON CONFLICT(view, part, gkey) DO UPDATE SET s=excluded.s";
inline constexpr char kEraseRank[] = "DELETE FROM agg_rank WHERE view=?1 AND part=?2 AND gkey=?3";
inline constexpr char kTopRanks[] =
    "SELECT gkey FROM agg_rank WHERE view=?1 AND part=?2 ORDER BY s, gkey LIMIT ?3";
inline constexpr char kScanPartitions[] = "SELECT DISTINCT part FROM agg_rank WHERE view=?1 ORDER BY part";
inline constexpr char kClearContribs[] = "DELETE FROM agg_contrib WHERE view=?1";
inline constexpr char kClearGroups[] = "DELETE FROM agg_groups WHERE view=?1";
inline constexpr char kClearValues[] = "DELETE FROM agg_values WHERE view=?1";
inline constexpr char kClearRanks[] = "DELETE FROM agg_rank WHERE view=?1";

}  // namespace weft::state::sql
