// Change records in Debezium's envelope: key, before/after/op/source/ts_ms, the tombstone after a
// delete, and the topic names.
#include "change/debezium_envelope.h"

#include <doctest/doctest.h>

#include <memory>

#include "core/version.h"

using namespace weft;
using weft::change::Value;
using weft::change::ChangeTopic;
using weft::change::EnvelopeMessages;

namespace {

change::Change OrderChange(change::Op op) {
  auto schema = std::make_shared<change::TableSchema>();
  schema->db = "shop";
  schema->table = "ecom_orders";
  schema->columns = {{"order_id", "varchar(32)", false, false},
                     {"status", "varchar(16)", true, false},
                     {"total", "decimal(10,2)", true, false}};
  schema->primary_key = {0};
  change::Change c;
  c.op = op;
  c.ts_ms = 1732184400000;
  c.schema = schema;
  c.source.connector = "mysql";
  c.source.name = "shop";
  c.source.db = "shop";
  c.source.table = "ecom_orders";
  c.source.gtid = "0-1-42";
  c.source.file = "mariadb-bin.000001";
  c.source.pos = 4711;
  change::RowImage before{{Value::String("ORD1"), Value::String("pending"), Value::Decimal("10.50")}, {}};
  change::RowImage after{{Value::String("ORD1"), Value::String("shipped"), Value::Decimal("10.50")}, {}};
  if (op == change::Op::kUpdate || op == change::Op::kDelete) c.before = before;
  if (op != change::Op::kDelete) c.after = after;
  return c;
}

std::string Source(const std::string& snapshot = "false") {
  return std::string(R"("source":{"version":"weft-)") + core::kVersion +
         R"(","connector":"mysql","name":"shop","ts_ms":1732184400000,"snapshot":")" + snapshot +
         R"(","db":"shop","table":"ecom_orders","gtid":"0-1-42","file":"mariadb-bin.000001","pos":4711})";
}

}  // namespace

TEST_CASE("an update carries before, after, op u and the source position, keyed by the primary key") {
  auto messages = EnvelopeMessages(OrderChange(change::Op::kUpdate), 1732184400123);
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].key == R"({"order_id":"ORD1"})");
  CHECK(messages[0].value == R"({"before":{"order_id":"ORD1","status":"pending","total":10.50},)"
                             R"("after":{"order_id":"ORD1","status":"shipped","total":10.50},)" +
                                 Source() + R"(,"op":"u","ts_ms":1732184400123})");
}

TEST_CASE("an insert has no before; a snapshot read is op r; a delete is followed by a tombstone") {
  auto insert = EnvelopeMessages(OrderChange(change::Op::kCreate), 5);
  REQUIRE(insert.size() == 1);
  CHECK(insert[0].value->find(R"({"before":null,"after":{"order_id":"ORD1")") == 0);
  CHECK(insert[0].value->find(R"("op":"c")") != std::string::npos);

  change::Change read = OrderChange(change::Op::kRead);
  read.source.snapshot = true;
  auto snapshot = EnvelopeMessages(read, 5);
  REQUIRE(snapshot.size() == 1);
  CHECK(snapshot[0].value->find(Source("true")) != std::string::npos);
  CHECK(snapshot[0].value->find(R"("op":"r")") != std::string::npos);

  auto del = EnvelopeMessages(OrderChange(change::Op::kDelete), 5);
  REQUIRE(del.size() == 2);
  CHECK(del[0].key == R"({"order_id":"ORD1"})");
  CHECK(del[0].value->find(R"({"before":{"order_id":"ORD1","status":"pending","total":10.50},"after":null,)") == 0);
  CHECK(del[0].value->find(R"("op":"d")") != std::string::npos);
  CHECK(del[1].key == del[0].key);
  CHECK_FALSE(del[1].value.has_value());
}

TEST_CASE("PostgreSQL changes name schema, lsn and txId; topics follow Debezium's naming") {
  change::Change c = OrderChange(change::Op::kCreate);
  c.source.connector = "postgresql";
  c.source.schema = "public";
  c.source.lsn = "0/16B3748";
  c.source.txid = 771;
  auto messages = EnvelopeMessages(c, 5);
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].value->find(R"("table":"ecom_orders","schema":"public","lsn":"0/16B3748","txId":771})") !=
        std::string::npos);
  CHECK(ChangeTopic("weft.", c) == "weft.shop.public.ecom_orders");
  CHECK(ChangeTopic("cdc.", OrderChange(change::Op::kCreate)) == "cdc.shop.shop.ecom_orders");

  c.type = change::ChangeType::kDdl;
  CHECK(EnvelopeMessages(c, 5).empty());
}
