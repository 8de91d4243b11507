// pgoutput v1 messages, built byte by byte as the walsender sends them, through the parser and the
// TransactionBuilder: transaction boundaries and parts, unchanged TOAST, key-only and full old
// tuples, Relation changes and TRUNCATE as schema changes, and the protocol framing.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "change/change.h"
#include "source/postgres/replication/pgoutput.h"
#include "source/postgres/replication/transaction_builder.h"

namespace weft::source::postgres {
namespace {

// Big-endian message writer.
struct Bytes {
  std::string s;
  Bytes& Tag(char c) {
    s.push_back(c);
    return *this;
  }
  Bytes& Int(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) s.push_back(static_cast<char>((v >> (i * 8)) & 0xff));
    return *this;
  }
  Bytes& Str(const std::string& t) {
    s += t;
    s.push_back('\0');
    return *this;
  }
  Bytes& Text(const std::string& t) {
    Tag('t');
    Int(t.size(), 4);
    s += t;
    return *this;
  }
};

struct Col {
  std::string name;
  Oid type;
  bool key;
};

std::string Relation(uint32_t relid, const std::string& table, const std::vector<Col>& cols, char identity = 'd') {
  Bytes b;
  b.Tag('R').Int(relid, 4).Str("public").Str(table).Tag(identity).Int(cols.size(), 2);
  for (const auto& c : cols) b.Int(c.key ? 1 : 0, 1).Str(c.name).Int(c.type, 4).Int(0xffffffff, 4);
  return b.s;
}

// A tuple of text values; "\x01" stands for unchanged TOAST, "\x02" for NULL.
Bytes& Tuple(Bytes& b, const std::vector<std::string>& values) {
  b.Int(values.size(), 2);
  for (const auto& v : values) {
    if (v == "\x01")
      b.Tag('u');
    else if (v == "\x02")
      b.Tag('n');
    else
      b.Text(v);
  }
  return b;
}

std::string Begin(Lsn final_lsn, uint32_t xid) { return Bytes().Tag('B').Int(final_lsn, 8).Int(0, 8).Int(xid, 4).s; }
std::string Commit(Lsn commit_lsn, Lsn end_lsn) {
  return Bytes().Tag('C').Int(0, 1).Int(commit_lsn, 8).Int(end_lsn, 8).Int(0, 8).s;
}
std::string Insert(uint32_t relid, const std::vector<std::string>& values) {
  Bytes b;
  b.Tag('I').Int(relid, 4).Tag('N');
  return Tuple(b, values).s;
}
std::string Update(uint32_t relid, char old_kind, const std::vector<std::string>& old_values,
                   const std::vector<std::string>& values) {
  Bytes b;
  b.Tag('U').Int(relid, 4);
  if (old_kind) Tuple(b.Tag(old_kind), old_values);
  b.Tag('N');
  return Tuple(b, values).s;
}
std::string Delete(uint32_t relid, char old_kind, const std::vector<std::string>& old_values) {
  Bytes b;
  b.Tag('D').Int(relid, 4).Tag(old_kind);
  return Tuple(b, old_values).s;
}

const std::vector<Col> kUsers = {{"id", oid::kInt4, true}, {"name", oid::kText, false}, {"bio", oid::kText, false}};

PgTables KnownUsers() {
  auto schema = std::make_shared<change::TableSchema>();
  schema->db = "shop";
  schema->table = "users";
  for (const auto& c : kUsers) schema->columns.push_back({c.name, c.type == oid::kInt4 ? "integer" : "text"});
  schema->primary_key = {0};
  PgTable t;
  t.schema = schema;
  t.relid = 16384;
  for (const auto& c : kUsers) {
    t.types.push_back(c.type);
    t.typmods.push_back(-1);
    t.decoders.push_back(TypeRegistry().Resolve(c.type));
  }
  PgTables tables;
  tables["users"] = t;
  return tables;
}

struct Harness {
  explicit Harness(size_t max_batch = 100, std::set<std::string> tables = {"users"})
      : builder(BuilderOptions{"pg", "shop", "public", std::move(tables), max_batch}, nullptr, KnownUsers()) {}
  void Feed(const std::string& bytes, Lsn wal_end = 0) {
    PgOutputMessage m;
    core::Status st = ParsePgOutput(bytes, &m);
    REQUIRE_MESSAGE(st.ok(), st.ToString());
    st = builder.Feed(m, wal_end, [this](SourceBatch&& b) {
      batches.push_back(std::move(b));
      return true;
    });
    REQUIRE_MESSAGE(st.ok(), st.ToString());
  }
  TransactionBuilder builder;
  std::vector<SourceBatch> batches;
};

TEST_CASE("a transaction is one batch whose offset is the commit's end LSN") {
  Harness h;
  h.Feed(Begin(0x100, 7));
  CHECK(h.builder.in_transaction());
  h.Feed(Relation(16384, "users", kUsers));
  h.Feed(Insert(16384, {"1", "ann", "\x02"}));
  h.Feed(Insert(16384, {"2", "bob", "hello"}));
  CHECK(h.batches.empty());
  h.Feed(Commit(0x100, 0x1a0), 0x200);
  REQUIRE(h.batches.size() == 1);
  const SourceBatch& b = h.batches[0];
  CHECK(b.kind == SourceBatch::Kind::kTransaction);
  CHECK(b.transaction_end);
  CHECK(b.offset == "pg1;lsn=0/1A0");
  CHECK(b.lag_bytes == -1);  // measured over SQL by the stream (replication/stream.h), not from the frames
  REQUIRE(b.changes.size() == 2);
  const change::Change& c = b.changes[0];
  CHECK(c.op == change::Op::kCreate);
  CHECK(c.source.connector == "postgresql");
  CHECK(c.source.txid == 7);
  CHECK(c.source.lsn == "0/100");
  CHECK(c.offset == "pg1;lsn=0/100");  // resuming there replays the transaction
  CHECK_FALSE(c.last_in_transaction);
  CHECK(b.changes[1].offset == "pg1;lsn=0/1A0");
  CHECK(b.changes[1].last_in_transaction);
  CHECK(c.after.values[0] == change::Value::Int(1));
  CHECK(c.after.values[1] == change::Value::String("ann"));
  CHECK(c.after.values[2].is_null());
  CHECK(c.after.present.empty());
  CHECK_FALSE(h.builder.in_transaction());
  CHECK(h.builder.last_end() == 0x1a0);
}

TEST_CASE("a big transaction arrives in parts; only the last has the offset") {
  Harness h(2);
  h.Feed(Begin(0x100, 8));
  h.Feed(Relation(16384, "users", kUsers));
  for (int i = 0; i < 5; ++i) h.Feed(Insert(16384, {std::to_string(i), "n", "b"}));
  h.Feed(Commit(0x100, 0x300));
  REQUIRE(h.batches.size() == 3);
  CHECK(h.batches[0].changes.size() == 2);
  CHECK_FALSE(h.batches[0].transaction_end);
  CHECK(h.batches[0].offset.empty());
  CHECK(h.batches[1].changes.size() == 2);
  CHECK_FALSE(h.batches[1].transaction_end);
  CHECK(h.batches[1].offset.empty());
  CHECK(h.batches[2].changes.size() == 1);
  CHECK(h.batches[2].transaction_end);
  CHECK(h.batches[2].offset == "pg1;lsn=0/300");
}

TEST_CASE("unchanged TOAST columns are left out of the after image; the before image is the key") {
  Harness h;
  h.Feed(Begin(0x100, 9));
  h.Feed(Relation(16384, "users", kUsers));
  h.Feed(Update(16384, 0, {}, {"1", "ann2", "\x01"}));
  h.Feed(Commit(0x100, 0x180));
  REQUIRE(h.batches.size() == 1);
  const change::Change& c = h.batches[0].changes.at(0);
  CHECK(c.op == change::Op::kUpdate);
  CHECK(c.after.Has(0));
  CHECK(c.after.Has(1));
  CHECK_FALSE(c.after.Has(2));  // the state keeps the value it holds
  CHECK(c.before.Has(0));
  CHECK_FALSE(c.before.Has(1));
  CHECK(c.before.values[0] == change::Value::Int(1));
}

TEST_CASE("a key change carries a key-only old tuple; a full one carries every column") {
  Harness h;
  h.Feed(Begin(0x100, 10));
  h.Feed(Relation(16384, "users", kUsers));
  h.Feed(Update(16384, 'K', {"1", "\x02", "\x02"}, {"5", "ann", "x"}));
  h.Feed(Delete(16384, 'O', {"5", "ann", "x"}));
  h.Feed(Delete(16384, 'K', {"6", "\x02", "\x02"}));
  h.Feed(Commit(0x100, 0x180));
  const auto& changes = h.batches.at(0).changes;
  REQUIRE(changes.size() == 3);
  CHECK(changes[0].before.values[0] == change::Value::Int(1));
  CHECK_FALSE(changes[0].before.Has(1));  // NULL in a 'K' tuple means "not carried", not NULL
  CHECK(changes[0].after.values[0] == change::Value::Int(5));
  CHECK(changes[1].op == change::Op::kDelete);
  CHECK(changes[1].before.present.empty());
  CHECK(changes[1].before.values[1] == change::Value::String("ann"));
  CHECK(changes[2].before.values[0] == change::Value::Int(6));
  CHECK_FALSE(changes[2].before.Has(2));
}

TEST_CASE("a Relation message with other columns is a schema change naming its table") {
  Harness h;
  h.Feed(Begin(0x100, 11));
  std::vector<Col> added = kUsers;
  added.push_back({"email", oid::kVarchar, false});
  h.Feed(Relation(16384, "users", added));
  h.Feed(Insert(16384, {"1", "a", "b", "a@x"}));
  h.Feed(Commit(0x100, 0x180));
  const auto& changes = h.batches.at(0).changes;
  REQUIRE(changes.size() == 2);
  CHECK(changes[0].type == change::ChangeType::kDdl);
  CHECK(changes[0].statement.rfind("ALTER TABLE \"public\".\"users\" -- columns now: ", 0) == 0);
  SchemaEffect effect = TransactionBuilder::EffectOfStatement(changes[0].statement, "public");
  CHECK(effect.tables == std::vector<std::string>{"users"});
  CHECK(changes[1].schema->columns.size() == 4);
  CHECK(changes[1].schema->primary_key == std::vector<int>{0});

  // The same shape again (a new session re-sends it) is not a change.
  Harness same;
  same.Feed(Begin(0x100, 12));
  same.Feed(Relation(16384, "users", kUsers));
  same.Feed(Commit(0x100, 0x180));
  CHECK(same.batches.at(0).changes.empty());
}

TEST_CASE("TRUNCATE is a schema change of the captured tables it names") {
  Harness h(100, {"users", "orders"});
  h.Feed(Begin(0x100, 13));
  h.Feed(Relation(16384, "users", kUsers));
  h.Feed(Relation(16390, "orders", {{"id", oid::kInt8, true}}));
  h.Feed(Relation(16400, "other", {{"id", oid::kInt8, true}}));
  h.Feed(Bytes().Tag('T').Int(3, 4).Int(0, 1).Int(16384, 4).Int(16390, 4).Int(16400, 4).s);
  h.Feed(Commit(0x100, 0x180));
  const auto& changes = h.batches.at(0).changes;
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].type == change::ChangeType::kDdl);
  CHECK(changes[0].statement == "TRUNCATE \"public\".\"users\", \"public\".\"orders\"");
  SchemaEffect effect = TransactionBuilder::EffectOfStatement(changes[0].statement, "public");
  CHECK(effect.tables == std::vector<std::string>{"users", "orders"});
  CHECK(TransactionBuilder::EffectOfStatement("TRUNCATE \"other\".\"users\"", "public").empty());
  CHECK(TransactionBuilder::EffectOfStatement("ALTER TABLE \"public\".\"we\"\"ird\" -- x", "public").tables ==
        std::vector<std::string>{"we\"ird"});
}

TEST_CASE("changes of tables weft does not capture are skipped; the offset still moves") {
  Harness h;
  h.Feed(Begin(0x100, 14));
  h.Feed(Relation(16500, "audit", {{"id", oid::kInt4, true}}));
  h.Feed(Insert(16500, {"1"}));
  h.Feed(Commit(0x100, 0x1f0));
  REQUIRE(h.batches.size() == 1);
  CHECK(h.batches[0].changes.empty());
  CHECK(h.batches[0].offset == "pg1;lsn=0/1F0");
}

TEST_CASE("malformed messages are Corruption, never a crash") {
  PgOutputMessage m;
  std::string insert = Insert(16384, {"1", "ann", "bio"});
  for (size_t n = 1; n < insert.size(); ++n) {
    CHECK(ParsePgOutput(insert.substr(0, n), &m).code() == core::Code::kCorruption);
  }
  CHECK(ParsePgOutput("", &m).code() == core::Code::kCorruption);
  CHECK(ParsePgOutput(Bytes().Tag('I').Int(1, 4).Tag('X').s, &m).code() == core::Code::kCorruption);
  // A row of a relation never described is an error too.
  Harness h;
  h.Feed(Begin(0x100, 1));
  PgOutputMessage row;
  REQUIRE(ParsePgOutput(Insert(999, {"1"}), &row).ok());
  CHECK(h.builder.Feed(row, 0, [](SourceBatch&&) { return true; }).code() == core::Code::kCorruption);
  // A row with a column count its relation does not have.
  h.Feed(Relation(16384, "users", kUsers));
  REQUIRE(ParsePgOutput(Insert(16384, {"1"}), &row).ok());
  CHECK(h.builder.Feed(row, 0, [](SourceBatch&&) { return true; }).code() == core::Code::kCorruption);
}

TEST_CASE("framing: XLogData, keepalive, and the standby status update layout") {
  CopyDataFrame f;
  std::string w = Bytes().Tag('w').Int(0x10, 8).Int(0x20, 8).Int(5, 8).s + Begin(0x100, 1);
  REQUIRE(ParseCopyData(w, &f).ok());
  CHECK(f.kind == CopyDataFrame::Kind::kXLogData);
  CHECK(f.wal_start == 0x10);
  CHECK(f.wal_end == 0x20);
  CHECK(f.payload == Begin(0x100, 1));
  REQUIRE(ParseCopyData(Bytes().Tag('k').Int(0x1234, 8).Int(9, 8).Int(1, 1).s, &f).ok());
  CHECK(f.kind == CopyDataFrame::Kind::kKeepalive);
  CHECK(f.wal_end == 0x1234);
  CHECK(f.reply_requested);
  CHECK(ParseCopyData(Bytes().Tag('k').Int(1, 8).s, &f).code() == core::Code::kCorruption);

  std::string r = StandbyStatus(0x0102030405060708ULL, 0x10, 0x11, 0x99, false);
  REQUIRE(r.size() == 34);
  CHECK(r[0] == 'r');
  CHECK(r.substr(1, 8) == std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  CHECK(r.substr(9, 8) == std::string("\0\0\0\0\0\0\0\x10", 8));
  CHECK(r.substr(17, 8) == std::string("\0\0\0\0\0\0\0\x11", 8));
  CHECK(r.substr(25, 8) == std::string("\0\0\0\0\0\0\0\x99", 8));
  CHECK(r[33] == 0);
}

TEST_CASE("LSNs and offsets") {
  CHECK(FormatLsn(0x16B374D848ULL) == "16/B374D848");
  CHECK(ParseLsn("16/B374D848") == 0x16B374D848ULL);
  CHECK(ParseLsn("0/0") == 0u);
  CHECK_FALSE(ParseLsn("16B374D848").has_value());
  CHECK_FALSE(ParseLsn("x/1").has_value());
  CHECK_FALSE(ParseLsn("/1").has_value());
  CHECK(EncodeOffset(0x1A0) == "pg1;lsn=0/1A0");
  CHECK(DecodeOffset("pg1;lsn=0/1A0") == 0x1A0u);
  CHECK_FALSE(DecodeOffset("v1;file=x;pos=4").has_value());
  CHECK(PgTimeToUnixMs(0) == 946684800000LL);
}

}  // namespace
}  // namespace weft::source::postgres
