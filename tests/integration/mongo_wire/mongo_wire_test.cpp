// The MongoDB sink at the wire level, against mockupdb (mock_mongo.py): the exact commands libmongoc
// sends for weft's writes, the BSON types of the values, and how every kind of failure the server
// (or the network) can produce ends up: per-document outcome or whole-batch Status.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>
#include <cstdint>
#include <string>
#include <vector>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/mock_mongo.h"
#include "sink/mongo/mongo_sink.h"

using namespace weft;
using namespace weft::test;
using weft::change::Value;
using weft::sink::DocumentWrite;
using weft::sink::Outcome;
using weft::sink::WriteResult;
using weft::sink::mongo::BsonPtr;
using weft::sink::mongo::CanonicalJson;
using weft::sink::mongo::MongoSink;

namespace {

std::unique_ptr<MongoSink> OpenSink(const std::string& uri, const std::string& w = "majority", int batch_size = 1000) {
  config::SinkConfig c;
  c.name = "docs";
  c.kind = "mongodb";
  c.uri = uri;
  c.database = "ecommerce";
  c.write_concern = w;
  c.batch_size = batch_size;
  auto sink = MongoSink::Create(c);
  REQUIRE_MESSAGE(sink.ok(), sink.status().ToString());
  core::Status s = (*sink)->Open();
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return std::move(sink).value();
}

std::unique_ptr<MongoSink> Start(MockMongo& mock, const std::string& scenario, const std::string& arg = "",
                                 const std::string& w = "majority", int batch_size = 1000) {
  REQUIRE_MESSAGE(mock.Start(scenario, arg), mock.error());
  return OpenSink(mock.Uri(), w, batch_size);
}

DocumentWrite Upsert(const Value& id, std::vector<change::Field> fields, const std::string& collection = "orderSingleView") {
  Value doc = Value::MakeObject({{"_id", id}});
  for (auto& f : fields) doc.object().push_back(std::move(f));
  return DocumentWrite{collection, id, sink::IdKeyOf(id), doc, 0};
}
DocumentWrite Delete(const Value& id, const std::string& collection = "orderSingleView") {
  return DocumentWrite{collection, id, sink::IdKeyOf(id), std::nullopt, 0};
}

bson_type_t TypeAt(const bson_t* doc, const char* path) {
  bson_iter_t it;
  const bson_value_t* v = Field(doc, path, &it);
  return v ? v->value_type : BSON_TYPE_EOD;
}
std::string JsonAt(const bson_t* doc, const char* path) { return CanonicalJson(Sub(doc, path).get()); }
std::string Utf8At(const bson_t* doc, const char* path) {
  bson_iter_t it;
  const bson_value_t* v = Field(doc, path, &it);
  REQUIRE(v);
  REQUIRE(v->value_type == BSON_TYPE_UTF8);
  return std::string(v->value.v_utf8.str, v->value.v_utf8.len);
}
std::string DecimalAt(const bson_t* doc, const char* path) {
  bson_iter_t it;
  const bson_value_t* v = Field(doc, path, &it);
  REQUIRE(v);
  REQUIRE(v->value_type == BSON_TYPE_DECIMAL128);
  char buf[BSON_DECIMAL128_STRING];
  bson_decimal128_to_string(&v->value.v_decimal128, buf);
  return buf;
}
std::vector<std::string> Strings(std::initializer_list<const char*> items) { return {items.begin(), items.end()}; }

std::string Describe(const std::vector<WriteResult>& results) {
  std::string out;
  for (const auto& r : results) out += std::to_string(static_cast<int>(r.outcome)) + ":" + r.message + "; ";
  return out;
}

}  // namespace

TEST_CASE("replaceOne with upsert and deleteOne by _id, unordered, w:majority, in the documented BSON types") {
  MockMongo mock;
  auto sink = Start(mock, "ok");
  DocumentWrite order = Upsert(
      Value::String("ORD789654"),
      {{"small", Value::Int(5)}, {"big", Value::Int(int64_t{1} << 40)}, {"ubig", Value::UInt(UINT64_MAX)},
       {"total", Value::Decimal("199.90")}, {"day", Value::Date("2024-11-10")},
       {"at", Value::DateTime("2024-11-02 10:20:00.123456")}, {"zero", Value::Date("0000-00-00")},
       {"dur", Value::Time("-838:59:59.000000")}, {"photo", Value::Bytes(std::string("\x89PNG\0", 5))},
       {"attrs", Value::Json(R"({"color": "red", "sizes": [38, 39.5]})")}, {"ratio", Value::Double(0.25)},
       {"ok", Value::Bool(true)}, {"none", Value::Null()},
       {"customer_info", Value::MakeObject({{"customer_id", Value::String("CUST1")}})},
       {"order_items", Value::MakeArray({Value::MakeObject({{"qty", Value::Int(2)}})})}});
  DocumentWrite second = Upsert(Value::Int(42), {{"v", Value::String("x")}});
  std::vector<WriteResult> results;
  core::Status s = sink->Write({order, Delete(Value::String("ORD000001")), second}, &results);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  REQUIRE(results.size() == 3);
  for (const auto& r : results) CHECK(r.outcome == Outcome::kOk);

  auto updates = mock.Commands("update");
  REQUIRE(updates.size() == 1);
  const bson_t* u = updates[0].get();
  CHECK(Keys(u) == Strings({"update", "ordered", "$db", "lsid", "txnNumber", "writeConcern", "updates"}));
  CHECK(Utf8At(u, "update") == "orderSingleView");
  CHECK(Utf8At(u, "$db") == "ecommerce");
  CHECK(TypeAt(u, "ordered") == BSON_TYPE_BOOL);
  CHECK(JsonAt(u, "writeConcern") == R"({ "w" : "majority" })");
  CHECK(JsonAt(u, "updates.0") != JsonAt(u, "updates.1"));
  CHECK(Keys(Sub(u, "updates.0").get()) == Strings({"q", "u", "upsert", "multi"}));
  CHECK(JsonAt(u, "updates.0.q") == R"({ "_id" : "ORD789654" })");
  CHECK(JsonAt(u, "updates.1.q") == R"({ "_id" : { "$numberInt" : "42" } })");
  bson_iter_t it;
  CHECK(Field(u, "ordered", &it)->value.v_bool == false);
  CHECK(Field(u, "updates.0.upsert", &it)->value.v_bool == true);
  CHECK(Field(u, "updates.0.multi", &it)->value.v_bool == false);
  CHECK(TypeAt(u, "updates.2") == BSON_TYPE_EOD);

  // The whole replacement, value for value and type for type, is what Canonical() promises.
  CHECK(JsonAt(u, "updates.0.u") == sink->Canonical(*order.doc));
  CHECK(JsonAt(u, "updates.1.u") == sink->Canonical(*second.doc));
  // And the types, spelled out.
  CHECK(TypeAt(u, "updates.0.u.small") == BSON_TYPE_INT32);
  CHECK(TypeAt(u, "updates.0.u.big") == BSON_TYPE_INT64);
  CHECK(DecimalAt(u, "updates.0.u.ubig") == "18446744073709551615");
  CHECK(DecimalAt(u, "updates.0.u.total") == "199.90");
  CHECK(TypeAt(u, "updates.0.u.day") == BSON_TYPE_DATE_TIME);
  CHECK(Field(u, "updates.0.u.day", &it)->value.v_datetime == 1731196800000);
  CHECK(Field(u, "updates.0.u.at", &it)->value.v_datetime == 1730542800123);
  CHECK(TypeAt(u, "updates.0.u.zero") == BSON_TYPE_NULL);
  CHECK(Utf8At(u, "updates.0.u.dur") == "-838:59:59.000000");
  CHECK(TypeAt(u, "updates.0.u.photo") == BSON_TYPE_BINARY);
  CHECK(Field(u, "updates.0.u.photo", &it)->value.v_binary.subtype == BSON_SUBTYPE_BINARY);
  CHECK(Field(u, "updates.0.u.photo", &it)->value.v_binary.data_len == 5);
  CHECK(TypeAt(u, "updates.0.u.attrs") == BSON_TYPE_DOCUMENT);
  CHECK(TypeAt(u, "updates.0.u.attrs.sizes.0") == BSON_TYPE_INT64);
  CHECK(TypeAt(u, "updates.0.u.attrs.sizes.1") == BSON_TYPE_DOUBLE);
  CHECK(TypeAt(u, "updates.0.u.ratio") == BSON_TYPE_DOUBLE);
  CHECK(TypeAt(u, "updates.0.u.customer_info") == BSON_TYPE_DOCUMENT);
  CHECK(TypeAt(u, "updates.0.u.order_items.0.qty") == BSON_TYPE_INT32);
  CHECK(Keys(Sub(u, "updates.0.u").get()).front() == "_id");

  auto deletes = mock.Commands("delete");
  REQUIRE(deletes.size() == 1);
  const bson_t* d = deletes[0].get();
  CHECK(Keys(d) == Strings({"delete", "ordered", "$db", "lsid", "txnNumber", "writeConcern", "deletes"}));
  CHECK(Utf8At(d, "delete") == "orderSingleView");
  CHECK(Field(d, "ordered", &it)->value.v_bool == false);
  CHECK(JsonAt(d, "writeConcern") == R"({ "w" : "majority" })");
  CHECK(JsonAt(d, "deletes") == R"({ "0" : { "q" : { "_id" : "ORD000001" }, "limit" : { "$numberInt" : "1" } } })");
}

TEST_CASE("write_concern = \"1\" sends w:1; \"0\" sends unacknowledged writes") {
  {
    MockMongo mock;
    auto sink = Start(mock, "ok", "", "1");
    std::vector<WriteResult> results;
    REQUIRE(sink->Write({Upsert(Value::Int(1), {})}, &results).ok());
    auto updates = mock.Commands("update");
    REQUIRE(updates.size() == 1);
    CHECK(JsonAt(updates[0].get(), "writeConcern") == R"({ "w" : { "$numberInt" : "1" } })");
  }
  {
    MockMongo mock;
    auto sink = Start(mock, "ok", "", "0");
    std::vector<WriteResult> results;
    REQUIRE(sink->Write({Upsert(Value::Int(1), {}), Delete(Value::Int(2))}, &results).ok());
    CHECK(results[0].outcome == Outcome::kOk);
    // Unacknowledged writes are fire-and-forget: wait for the mock to have recorded them.
    for (int i = 0; i < 50 && mock.Commands("delete").empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto updates = mock.Commands("update");
    REQUIRE(updates.size() == 1);
    CHECK(JsonAt(updates[0].get(), "writeConcern") == R"({ "w" : { "$numberInt" : "0" } })");
    CHECK(mock.Commands("delete").size() == 1);
  }
}

TEST_CASE("Scan reads back what was written, as Canonical() renders it, and deletes by the scanned _id") {
  MockMongo mock;
  auto sink = Start(mock, "ok");
  Value composite = Value::MakeObject({{"day", Value::Date("2024-11-10")}, {"shop", Value::Int(3)}});
  std::vector<DocumentWrite> writes = {
      Upsert(Value::String("A"), {{"total", Value::Decimal("10.50")}, {"at", Value::DateTime("2024-01-01 00:00:00")}}),
      Upsert(Value::UInt(UINT64_MAX), {{"blob", Value::Bytes("xyz")}, {"j", Value::Json("[1,{\"k\":null}]")}}),
      Upsert(composite, {{"huge", Value::Decimal("123456789012345678901234567890123456.5")}})};
  std::vector<WriteResult> results;
  REQUIRE(sink->Write(writes, &results).ok());
  CHECK(sink->decimals_as_text() == 1);

  struct Row {
    Value id;
    std::string key, canonical;
  };
  std::vector<Row> rows;
  auto scan = [&] {
    rows.clear();
    core::Status s = sink->Scan("orderSingleView", [&](const Value& id, const std::string& key, const std::string& c) {
      rows.push_back({id, key, c});
    });
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  };
  scan();
  REQUIRE(rows.size() == 3);
  for (size_t i = 0; i < writes.size(); ++i) {
    CAPTURE(i);
    CHECK(rows[i].canonical == sink->Canonical(*writes[i].doc));
    CHECK(rows[i].key == sink->ScanIdKey(writes[i].id));
  }
  CHECK(rows[2].key == R"({"day":"2024-11-10","shop":3})");

  REQUIRE(sink->Write({Delete(rows[1].id), Delete(rows[2].id)}, &results).ok());
  scan();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].key == "A");
}

TEST_CASE("a dropped connection is retried once by libmongoc as the same retryable write") {
  MockMongo mock;
  auto sink = Start(mock, "close_n", "1");
  std::vector<WriteResult> results;
  core::Status s = sink->Write({Upsert(Value::Int(1), {}), Upsert(Value::Int(2), {})}, &results);
  REQUIRE_MESSAGE(s.ok(), s.ToString() << "\n" << mock.Log());
  CHECK(results[0].outcome == Outcome::kOk);
  CHECK(results[1].outcome == Outcome::kOk);
  auto updates = mock.Commands("update");
  REQUIRE(updates.size() == 2);
  CHECK(JsonAt(updates[0].get(), "lsid") == JsonAt(updates[1].get(), "lsid"));
  bson_iter_t a, b;
  CHECK(Field(updates[0].get(), "txnNumber", &a)->value.v_int64 == Field(updates[1].get(), "txnNumber", &b)->value.v_int64);
  CHECK(JsonAt(updates[0].get(), "updates") == JsonAt(updates[1].get(), "updates"));
}

TEST_CASE("a connection dropped again on the retry: Unavailable for the batch, and the engine's retry succeeds") {
  MockMongo mock;
  auto sink = Start(mock, "close_n", "2");
  std::vector<DocumentWrite> batch = {Upsert(Value::Int(1), {}), Delete(Value::Int(2))};
  std::vector<WriteResult> results;
  core::Status s = sink->Write(batch, &results);
  CHECK(s.code() == core::Code::kUnavailable);
  CHECK(s.message().find("127.0.0.1:" + std::to_string(mock.port())) != std::string::npos);
  s = sink->Write(batch, &results);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(results[0].outcome == Outcome::kOk);
  CHECK(results[1].outcome == Outcome::kOk);
  CHECK(mock.Commands("update").size() == 3);
  CHECK(mock.Commands("delete").size() == 1);
}

TEST_CASE("NotWritablePrimary is retried by libmongoc; when it persists the batch is Unavailable") {
  {
    MockMongo mock;
    auto sink = Start(mock, "not_primary_n", "1");
    std::vector<WriteResult> results;
    core::Status s = sink->Write({Upsert(Value::Int(1), {})}, &results);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    CHECK(results[0].outcome == Outcome::kOk);
    CHECK(mock.Commands("update").size() == 2);
  }
  {
    MockMongo mock;
    auto sink = Start(mock, "not_primary_n", "2");
    std::vector<WriteResult> results;
    core::Status s = sink->Write({Upsert(Value::Int(1), {})}, &results);
    CHECK(s.code() == core::Code::kUnavailable);
    CHECK(s.message().find("10107") != std::string::npos);
    REQUIRE(sink->Write({Upsert(Value::Int(1), {})}, &results).ok());
    CHECK(results[0].outcome == Outcome::kOk);
  }
}

TEST_CASE("a write error is reported for its own document, never swallowed, and never spills onto others") {
  MockMongo mock;
  // The update command carries A, C, D (the delete goes separately): its index 1 is C.
  auto sink = Start(mock, "write_errors", "update:1:2,delete:0:91");
  std::vector<WriteResult> results;
  core::Status s = sink->Write({Upsert(Value::String("A"), {}), Delete(Value::String("B")), Upsert(Value::String("C"), {}),
                                Upsert(Value::String("D"), {})},
                               &results);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  INFO(Describe(results));
  CHECK(results[0].outcome == Outcome::kOk);
  CHECK(results[1].outcome == Outcome::kRetry);  // 91 ShutdownInProgress
  CHECK(results[1].message == "MongoDB error 91: scripted error 91");
  CHECK(results[2].outcome == Outcome::kRejected);  // 2 BadValue
  CHECK(results[2].message == "MongoDB error 2: scripted error 2");
  CHECK(results[3].outcome == Outcome::kOk);
  auto updates = mock.Commands("update");
  REQUIRE(updates.size() == 1);
  CHECK(JsonAt(updates[0].get(), "updates.1.q") == R"({ "_id" : "C" })");
}

TEST_CASE("unknown server codes reject the document with the server's message") {
  MockMongo mock;
  auto sink = Start(mock, "write_errors", "update:0:11000");
  std::vector<WriteResult> results;
  REQUIRE(sink->Write({Upsert(Value::String("A"), {}), Upsert(Value::String("B"), {})}, &results).ok());
  CHECK(results[0].outcome == Outcome::kRejected);
  CHECK(results[0].message == "MongoDB error 11000: scripted error 11000");
  CHECK(results[1].outcome == Outcome::kOk);
}

TEST_CASE("a writeConcernError retries every document of the bulk") {
  MockMongo mock;
  auto sink = Start(mock, "write_concern_error", "64");
  std::vector<WriteResult> results;
  REQUIRE(sink->Write({Upsert(Value::Int(1), {}), Upsert(Value::Int(2), {})}, &results).ok());
  for (const auto& r : results) {
    CHECK(r.outcome == Outcome::kRetry);
    CHECK(r.message.find("waiting for replication timed out") != std::string::npos);
  }
}

TEST_CASE("a server that never answers: Unavailable within the socket timeout, not a hang") {
  MockMongo mock;
  REQUIRE_MESSAGE(mock.Start("hang"), mock.error());
  auto sink = OpenSink(mock.Uri("&socketTimeoutMS=1000"));
  std::vector<WriteResult> results;
  auto start = std::chrono::steady_clock::now();
  core::Status s = sink->Write({Upsert(Value::Int(1), {})}, &results);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(s.code() == core::Code::kUnavailable);
  CHECK(seconds < 15.0);  // socketTimeoutMS=1000, one retry, server selection 2 s
  CHECK(mock.Commands("update").size() >= 1);
  MESSAGE("a silent server turned into Unavailable after " << seconds << " s");
}

TEST_CASE("invalid UTF-8 and documents over 16 MiB are rejected before sending; the rest of the batch goes") {
  MockMongo mock;
  auto sink = Start(mock, "ok");
  std::vector<WriteResult> results;
  REQUIRE(sink->Write({Upsert(Value::String("bad"), {{"name", Value::String("caf\xE9")}}),
                       Upsert(Value::String("huge"), {{"blob", Value::Bytes(std::string(16 * 1024 * 1024, 'x'))}}),
                       Upsert(Value::String("good"), {})},
                      &results)
              .ok());
  CHECK(results[0].outcome == Outcome::kRejected);
  CHECK(results[0].message == "name: string is not valid UTF-8");
  CHECK(results[1].outcome == Outcome::kRejected);
  CHECK(results[1].message.find("over MongoDB's 16 MiB") != std::string::npos);
  CHECK(results[2].outcome == Outcome::kOk);
  auto updates = mock.Commands("update");
  REQUIRE(updates.size() == 1);
  CHECK(JsonAt(updates[0].get(), "updates") ==
        R"({ "0" : { "q" : { "_id" : "good" }, "u" : { "_id" : "good" }, "upsert" : true, "multi" : false } })");
}

TEST_CASE("batch_size bounds each bulk; collections get their own commands") {
  MockMongo mock;
  auto sink = Start(mock, "ok", "", "majority", 2);
  std::vector<DocumentWrite> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(Upsert(Value::Int(i), {}));
  batch.push_back(Upsert(Value::Int(9), {}, "other"));
  std::vector<WriteResult> results;
  REQUIRE(sink->Write(batch, &results).ok());
  auto updates = mock.Commands("update");
  REQUIRE(updates.size() == 4);
  std::vector<size_t> sizes;
  for (auto& u : updates) sizes.push_back(Keys(Sub(u.get(), "updates").get()).size());
  CHECK(sizes == std::vector<size_t>{2, 2, 1, 1});
  CHECK(Utf8At(updates[3].get(), "update") == "other");
}

TEST_CASE("an unreachable server: Open is Unavailable and names the host, never the password") {
  int port = FreePort();
  config::SinkConfig c;
  c.name = "docs";
  c.kind = "mongodb";
  c.uri = "mongodb://weft:hunter2-secret@127.0.0.1:" + std::to_string(port) +
          "/?serverSelectionTimeoutMS=500&connectTimeoutMS=500";
  c.database = "ecommerce";
  auto sink = MongoSink::Create(c);
  REQUIRE(sink.ok());
  core::Status s = (*sink)->Open();
  CHECK(s.code() == core::Code::kUnavailable);
  CHECK(s.message().find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
  CHECK(s.message().find("hunter2-secret") == std::string::npos);
}
