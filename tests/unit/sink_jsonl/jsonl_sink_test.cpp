// The JSONL sink: the exact lines, replay by Scan, a torn last line, stdout.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sink/jsonl/jsonl_sink.h"

using weft::change::Value;
using namespace weft::sink;
using weft::sink::jsonl::JsonlSink;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/weft-sink-jsonl-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::unique_ptr<JsonlSink> OpenSink(const std::string& path, bool fsync = false) {
  weft::config::SinkConfig c;
  c.name = "debug";
  c.kind = "jsonl";
  c.path = path;
  auto sink = JsonlSink::Create(c, {fsync});
  REQUIRE(sink.ok());
  weft::core::Status s = (*sink)->Open();
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return std::move(sink).value();
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

DocumentWrite Upsert(const std::string& collection, const Value& id, std::vector<weft::change::Field> fields) {
  Value doc = Value::MakeObject({{"_id", id}});
  for (auto& f : fields) doc.object().push_back(std::move(f));
  return DocumentWrite{collection, id, IdKeyOf(id), doc, 0};
}
DocumentWrite Delete(const std::string& collection, const Value& id) {
  return DocumentWrite{collection, id, IdKeyOf(id), std::nullopt, 0};
}

struct Row {
  Value id;
  std::string key, canonical;
};
std::vector<Row> ScanAll(DocumentSink& sink, const std::string& collection) {
  std::vector<Row> rows;
  weft::core::Status s = sink.Scan(collection, [&](const Value& id, const std::string& key, const std::string& c) {
    rows.push_back({id, key, c});
  });
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return rows;
}

}  // namespace

TEST_CASE("one line per write and per delete, in weft's JSON rendering") {
  TempDir dir;
  std::string path = dir.path + "/out.jsonl";
  auto sink = OpenSink(path);
  CHECK(sink->component() == "sink.jsonl:debug");
  std::vector<WriteResult> results;
  REQUIRE(sink->Write({Upsert("orderSingleView", Value::String("ORD1"),
                              {{"total", Value::Decimal("199.99")}, {"at", Value::Date("2024-11-10")}}),
                       Delete("orderSingleView", Value::Int(5))},
                      &results).ok());
  REQUIRE(results.size() == 2);
  CHECK(results[0].outcome == Outcome::kOk);
  CHECK(Slurp(path) ==
        "{\"op\":\"upsert\",\"collection\":\"orderSingleView\",\"_id\":\"ORD1\","
        "\"doc\":{\"_id\":\"ORD1\",\"total\":199.99,\"at\":\"2024-11-10\"}}\n"
        "{\"op\":\"delete\",\"collection\":\"orderSingleView\",\"_id\":5}\n");
}

TEST_CASE("Scan replays the file: the last write per id wins, deletes remove, other collections ignored") {
  TempDir dir;
  std::string path = dir.path + "/out.jsonl";
  auto sink = OpenSink(path);
  std::vector<WriteResult> results;
  REQUIRE(sink->Write({Upsert("c", Value::Int(1), {{"v", Value::Int(1)}}), Upsert("c", Value::Int(2), {}),
                       Upsert("other", Value::Int(1), {})},
                      &results).ok());
  REQUIRE(sink->Write({Upsert("c", Value::Int(1), {{"v", Value::Int(2)}}), Delete("c", Value::Int(2))}, &results).ok());
  REQUIRE(sink->Write({Upsert("c", Value::Int(3), {})}, &results).ok());
  auto rows = ScanAll(*sink, "c");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].key == "1");
  CHECK(rows[0].id == Value::Int(1));
  CHECK(rows[0].canonical == R"({"_id":1,"v":2})");
  CHECK(rows[1].key == "3");
  CHECK(ScanAll(*sink, "other").size() == 1);
  CHECK(ScanAll(*sink, "nothing").empty());
}

TEST_CASE("Canonical equals what Scan reads back, for every kind, even a JSON column with line breaks") {
  TempDir dir;
  std::string path = dir.path + "/out.jsonl";
  auto sink = OpenSink(path);
  DocumentWrite w = Upsert("c", Value::String("k"),
                           {{"dec", Value::Decimal("-0.0100")}, {"dbl", Value::Double(1.5)}, {"f", Value::Float(0.1f)},
                            {"big", Value::UInt(UINT64_MAX)}, {"bytes", Value::Bytes(std::string("\0\xFF", 2))},
                            {"dt", Value::DateTime("2024-11-02 10:20:00.123456")}, {"t", Value::Time("-01:00:00")},
                            {"json", Value::Json("{\n  \"a\": [1, 2.50],\r\n  \"b\": \"x\\ny\"\n}")},
                            {"s", Value::String("tab\tquote\" \xF0\x9F\x98\x80")}, {"n", Value::Null()}});
  std::vector<WriteResult> results;
  REQUIRE(sink->Write({w}, &results).ok());
  std::string file = Slurp(path);
  CHECK(file.find('\n') == file.size() - 1);  // still one line
  auto rows = ScanAll(*sink, "c");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].canonical == sink->Canonical(*w.doc));
  CHECK(rows[0].canonical.find(R"("json":{"a":[1,2.50],"b":"x\ny"})") != std::string::npos);
  CHECK(rows[0].canonical.find(R"("dec":-0.0100)") != std::string::npos);
}

TEST_CASE("binary and temporal scalar ids read back as strings; ScanIdKey says which key Scan reports") {
  TempDir dir;
  auto sink = OpenSink(dir.path + "/out.jsonl");
  Value bin = Value::Bytes("\x01\x02");
  Value day = Value::Date("2024-11-10");
  std::vector<WriteResult> results;
  REQUIRE(sink->Write({Upsert("c", bin, {}), Upsert("c", day, {})}, &results).ok());
  auto rows = ScanAll(*sink, "c");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].key == sink->ScanIdKey(day));
  CHECK(rows[1].key == sink->ScanIdKey(bin));
  CHECK(sink->ScanIdKey(day) == "2024-11-10");
  // Deleting by the scanned id removes the document.
  REQUIRE(sink->Write({Delete("c", rows[1].id)}, &results).ok());
  CHECK(ScanAll(*sink, "c").size() == 1);
}

TEST_CASE("a line cut short by a crash: the next write starts a fresh line and Scan skips the stump") {
  TempDir dir;
  std::string path = dir.path + "/out.jsonl";
  {
    auto sink = OpenSink(path);
    std::vector<WriteResult> results;
    REQUIRE(sink->Write({Upsert("c", Value::Int(1), {})}, &results).ok());
  }
  {
    std::ofstream torn(path, std::ios::app | std::ios::binary);
    torn << R"({"op":"upsert","collection":"c","_id":2,"doc":{"_id":2,"v")";
  }
  auto sink = OpenSink(path);  // reopen appends, never truncates
  std::vector<WriteResult> results;
  REQUIRE(sink->Write({Upsert("c", Value::Int(3), {})}, &results).ok());
  std::string file = Slurp(path);
  CHECK(file.find("\"v\"\n{\"op\":\"upsert\",\"collection\":\"c\",\"_id\":3") != std::string::npos);
  auto rows = ScanAll(*sink, "c");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].key == "1");
  CHECK(rows[1].key == "3");
}

TEST_CASE("stdout cannot be scanned; a file not written yet scans empty; fsync works") {
  auto out = OpenSink("-");
  weft::core::Status s = out->Scan("c", [](const Value&, const std::string&, const std::string&) {});
  CHECK(s.code() == weft::core::Code::kFailedPrecondition);
  CHECK(s.message().find("stdout") != std::string::npos);

  TempDir dir;
  weft::config::SinkConfig c;
  c.name = "debug";
  c.kind = "jsonl";
  c.path = dir.path + "/later.jsonl";
  auto unopened = JsonlSink::Create(c);
  REQUIRE(unopened.ok());
  CHECK(ScanAll(**unopened, "c").empty());

  auto synced = OpenSink(dir.path + "/synced.jsonl", /*fsync=*/true);
  std::vector<WriteResult> results;
  REQUIRE(synced->Write({Upsert("c", Value::Int(1), {})}, &results).ok());
  CHECK(ScanAll(*synced, "c").size() == 1);

  c.path = dir.path + "/missing-dir/x.jsonl";
  auto bad = JsonlSink::Create(c);
  REQUIRE(bad.ok());
  CHECK((*bad)->Open().code() == weft::core::Code::kFailedPrecondition);
  c.path = "";
  CHECK_FALSE(JsonlSink::Create(c).ok());
}
