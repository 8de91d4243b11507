// MongoSink without a server: configuration checks, Canonical, ScanIdKey (the wire is tested in
// tests/integration/mongo_wire against mockupdb).
#include <doctest/doctest.h>

#include "sink/mongo/mongo_sink.h"

using weft::change::Value;
using namespace weft::sink;
using namespace weft::sink::mongo;

namespace {
weft::config::SinkConfig Config(std::string uri, std::string database = "ecommerce", std::string w = "majority") {
  weft::config::SinkConfig c;
  c.name = "docs";
  c.kind = "mongodb";
  c.uri = std::move(uri);
  c.database = std::move(database);
  c.write_concern = std::move(w);
  return c;
}
}  // namespace

TEST_CASE("Create checks the uri, database, write concern and batch size, and never shows a password") {
  auto ok = MongoSink::Create(Config("mongodb://weft:s3cret-pass@db1.example:27017,db2.example:27018/?replicaSet=rs0"));
  REQUIRE(ok.ok());
  CHECK((*ok)->hosts() == "db1.example:27017,db2.example:27018");
  CHECK((*ok)->component() == "sink.mongodb:docs");

  auto from_uri = MongoSink::Create(Config("mongodb://127.0.0.1:27017/shopdocs", ""));
  REQUIRE(from_uri.ok());
  CHECK((*from_uri)->database() == "shopdocs");

  auto bad_uri = MongoSink::Create(Config("http://weft:s3cret-pass@host"));
  REQUIRE_FALSE(bad_uri.ok());
  CHECK(bad_uri.status().code() == weft::core::Code::kInvalidArgument);
  CHECK(bad_uri.status().message().find("s3cret-pass") == std::string::npos);

  CHECK_FALSE(MongoSink::Create(Config("mongodb://127.0.0.1:27017/", "")).ok());
  CHECK(MongoSink::Create(Config("mongodb://127.0.0.1:27017/", "db", "1")).ok());
  CHECK(MongoSink::Create(Config("mongodb://127.0.0.1:27017/", "db", "0")).ok());
  auto bad_w = MongoSink::Create(Config("mongodb://127.0.0.1:27017/", "db", "all"));
  REQUIRE_FALSE(bad_w.ok());
  CHECK(bad_w.status().message().find("write_concern") != std::string::npos);
  auto c = Config("mongodb://127.0.0.1:27017/");
  c.batch_size = 0;
  CHECK_FALSE(MongoSink::Create(c).ok());
}

TEST_CASE("Write and Scan before Open are refused, not crashes") {
  auto sink = MongoSink::Create(Config("mongodb://127.0.0.1:1/"));
  REQUIRE(sink.ok());
  std::vector<WriteResult> results;
  CHECK((*sink)->Write({}, &results).code() == weft::core::Code::kFailedPrecondition);
  CHECK((*sink)->Scan("c", [](const Value&, const std::string&, const std::string&) {}).code() ==
        weft::core::Code::kFailedPrecondition);
}

TEST_CASE("Canonical is the canonical extended JSON of the converted document") {
  auto sink = MongoSink::Create(Config("mongodb://127.0.0.1:1/"));
  REQUIRE(sink.ok());
  Value doc = Value::MakeObject({{"_id", Value::String("ORD1")},
                                 {"total", Value::Decimal("199.99")},
                                 {"at", Value::DateTime("2024-11-02 10:20:00")},
                                 {"n", Value::Int(3)}});
  CHECK((*sink)->Canonical(doc) ==
        R"({ "_id" : "ORD1", "total" : { "$numberDecimal" : "199.99" }, )"
        R"("at" : { "$date" : { "$numberLong" : "1730542800000" } }, "n" : { "$numberInt" : "3" } })");
  Value bad = Value::MakeObject({{"_id", Value::String("x")}, {"s", Value::String("\xFF")}});
  CHECK((*sink)->Canonical(bad).rfind("!unconvertible: s: string is not valid UTF-8", 0) == 0);
}

TEST_CASE("ScanIdKey: the DocumentWrite rule, except temporal _ids which MongoDB keeps as text") {
  auto sink = MongoSink::Create(Config("mongodb://127.0.0.1:1/"));
  REQUIRE(sink.ok());
  CHECK((*sink)->ScanIdKey(Value::String("ORD1")) == "ORD1");
  CHECK((*sink)->ScanIdKey(Value::Int(5)) == "5");
  CHECK((*sink)->ScanIdKey(Value::UInt(UINT64_MAX)) == "18446744073709551615");
  CHECK((*sink)->ScanIdKey(Value::Bytes("ab")) == IdKeyOf(Value::Bytes("ab")));
  CHECK((*sink)->ScanIdKey(Value::Date("2024-11-10")) == "2024-11-10");
  CHECK(IdKeyOf(Value::Date("2024-11-10")) == "\"2024-11-10\"");
  Value composite = Value::MakeObject({{"d", Value::Date("2024-11-10")}, {"n", Value::Int(1)}});
  CHECK((*sink)->ScanIdKey(composite) == R"({"d":"2024-11-10","n":1})");
}
