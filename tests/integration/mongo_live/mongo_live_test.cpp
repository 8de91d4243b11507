// The MongoDB sink against a real server. Runs when WEFT_TEST_MONGODB_URI is set (for example
// mongodb://127.0.0.1:27017/?directConnection=true), otherwise says loudly that it was skipped.
// Each run writes to its own collection (weft_live_<pid>_<ms> in database weft_test) and drops it.
#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "sink/mongo/mongo_sink.h"

using namespace weft;
using weft::change::Value;
using weft::sink::DocumentWrite;
using weft::sink::Outcome;
using weft::sink::WriteResult;
using weft::sink::mongo::MongoSink;

namespace {

const char* LiveUri() {
  const char* uri = std::getenv("WEFT_TEST_MONGODB_URI");
  return uri && *uri ? uri : nullptr;
}

std::string UniqueCollection() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  return "weft_live_" + std::to_string(getpid()) + "_" + std::to_string(ms.count());
}

// An open sink plus a collection that is dropped at the end, whatever the test's outcome.
struct Live {
  std::unique_ptr<MongoSink> sink;
  std::string collection = UniqueCollection();

  Live() {
    config::SinkConfig c;
    c.name = "live";
    c.kind = "mongodb";
    c.uri = LiveUri();
    c.database = "weft_test";
    auto created = MongoSink::Create(c);
    REQUIRE_MESSAGE(created.ok(), created.status().ToString());
    sink = std::move(created).value();
    core::Status s = sink->Open();
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }
  ~Live() {
    sink::mongo::EnsureMongocInitialized();
    bson_error_t error;
    sink::mongo::UriPtr uri(mongoc_uri_new_with_error(LiveUri(), &error));
    if (!uri) return;
    sink::mongo::ClientPtr client(mongoc_client_new_from_uri(uri.get()));
    sink::mongo::CollectionPtr coll(mongoc_client_get_collection(client.get(), "weft_test", collection.c_str()));
    mongoc_collection_drop_with_opts(coll.get(), nullptr, &error);
  }

  DocumentWrite Upsert(const Value& id, std::vector<change::Field> fields) const {
    Value doc = Value::MakeObject({{"_id", id}});
    for (auto& f : fields) doc.object().push_back(std::move(f));
    return DocumentWrite{collection, id, sink::IdKeyOf(id), doc, 0};
  }
  DocumentWrite Delete(const Value& id) const { return DocumentWrite{collection, id, sink::IdKeyOf(id), std::nullopt, 0}; }

  struct Row {
    Value id;
    std::string key, canonical;
  };
  std::vector<Row> Scan() {
    std::vector<Row> rows;
    core::Status s = sink->Scan(collection, [&](const Value& id, const std::string& key, const std::string& c) {
      rows.push_back({id, key, c});
    });
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    return rows;
  }
};

const Live::Row* Find(const std::vector<Live::Row>& rows, const std::string& key) {
  for (const auto& r : rows) if (r.key == key) return &r;
  return nullptr;
}

}  // namespace

TEST_CASE("live MongoDB suite: runs only with WEFT_TEST_MONGODB_URI") {
  if (!LiveUri()) {
    MESSAGE("SKIPPED: set WEFT_TEST_MONGODB_URI to run the live MongoDB suite");
  } else {
    Live live;
    MESSAGE("running the live MongoDB suite against " << live.sink->hosts());
  }
}

TEST_CASE("live: every kind of value is stored, read back by Scan, and equals Canonical()" *
          doctest::skip(LiveUri() == nullptr)) {
  Live live;
  std::vector<DocumentWrite> writes = {
      live.Upsert(Value::String("ORD1"),
                  {{"small", Value::Int(-5)}, {"big", Value::Int(INT64_MIN)}, {"ubig", Value::UInt(UINT64_MAX)},
                   {"total", Value::Decimal("199.90")}, {"long", Value::Decimal("1234567890123456789012345678901234567.5")},
                   {"day", Value::Date("1969-07-20")}, {"at", Value::DateTime("2024-11-02 10:20:00.123456")},
                   {"zero", Value::DateTime("0000-00-00 00:00:00")}, {"dur", Value::Time("-838:59:59.000000")},
                   {"f", Value::Float(0.1f)}, {"d", Value::Double(-2.5e-300)}, {"bytes", Value::Bytes(std::string("\0\x01\xFF", 3))},
                   {"json", Value::Json(R"({"a": [1, 2.5, "x", null, {"b": false}], "c": 18446744073709551615})")},
                   {"text", Value::String("naïve \xF0\x9F\x98\x80")}, {"flag", Value::Bool(false)}, {"nothing", Value::Null()},
                   {"items", Value::MakeArray({Value::MakeObject({{"qty", Value::Int(2)}})})}}),
      live.Upsert(Value::Int(42), {{"v", Value::Int(1)}}),
      live.Upsert(Value::MakeObject({{"day", Value::Date("2024-11-10")}, {"at", Value::DateTime("2024-11-10 00:00:00.000001")}}),
                  {{"v", Value::Int(2)}}),
      live.Upsert(Value::MakeObject({{"day", Value::Date("2024-11-10")}, {"at", Value::DateTime("2024-11-10 00:00:00.000002")}}),
                  {{"v", Value::Int(3)}})};
  std::vector<WriteResult> results;
  core::Status s = live.sink->Write(writes, &results);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  for (const auto& r : results) CHECK_MESSAGE(r.outcome == Outcome::kOk, r.message);

  auto rows = live.Scan();
  REQUIRE(rows.size() == writes.size());  // the two microsecond-apart keys stay two documents
  for (const auto& w : writes) {
    const Live::Row* row = Find(rows, live.sink->ScanIdKey(w.id));
    REQUIRE_MESSAGE(row, live.sink->ScanIdKey(w.id));
    CHECK(row->canonical == live.sink->Canonical(*w.doc));
  }

  // Overwrite and delete, then read back again.
  REQUIRE(live.sink->Write({live.Upsert(Value::Int(42), {{"v", Value::Int(9)}}), live.Delete(Value::String("ORD1"))}, &results).ok());
  rows = live.Scan();
  CHECK(rows.size() == writes.size() - 1);
  CHECK_FALSE(Find(rows, "ORD1"));
  const Live::Row* updated = Find(rows, "42");
  REQUIRE(updated);
  CHECK(updated->canonical == R"({ "_id" : { "$numberInt" : "42" }, "v" : { "$numberInt" : "9" } })");
}

TEST_CASE("live: the server's own refusal rejects that document only" * doctest::skip(LiveUri() == nullptr)) {
  Live live;
  std::vector<WriteResult> results;
  core::Status s = live.sink->Write({live.Upsert(Value::String("dollar"), {{"$bad", Value::Int(1)}}),
                                     live.Upsert(Value::String("utf8"), {{"s", Value::String("\xC3")}}),
                                     live.Upsert(Value::String("fine"), {})},
                                    &results);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(results[0].outcome == Outcome::kRejected);
  CHECK(results[0].message.find("MongoDB error") == 0);
  CHECK(results[1].outcome == Outcome::kRejected);
  CHECK(results[2].outcome == Outcome::kOk);
  auto rows = live.Scan();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].key == "fine");
}
