// VerifyView end to end over an in-memory source and sink (fakes of the real interfaces).
#include <doctest/doctest.h>

#include <algorithm>

#include "verify/expected_builder.h"
#include "view/key_order.h"
#include "verify/verifier.h"

using namespace weft;
using change::Value;

namespace {

class FakeSource : public verify::SourceTables {
 public:
  std::map<std::string, change::TableSchema> schemas;
  std::map<std::string, std::vector<std::vector<Value>>> rows;  // full rows
  int reads = 0;

  core::Result<std::map<std::string, change::TableSchema>> Schemas(const std::vector<std::string>& tables) override {
    std::map<std::string, change::TableSchema> out;
    for (const auto& t : tables) if (schemas.count(t)) out[t] = schemas[t];
    return out;
  }
  core::Status ReadRows(const change::TableSchema& schema, const std::vector<int>& columns,
                        const RowCallback& each) override {
    ++reads;
    auto all = rows[schema.table];
    std::sort(all.begin(), all.end(), [&](const auto& a, const auto& b) {
      for (int k : schema.primary_key) {
        if (int c = view::CompareKeyValues(a[k], b[k]); c != 0) return c < 0;
      }
      return false;
    });
    for (const auto& full : all) {
      std::vector<Value> r;
      for (int c : columns) r.push_back(full[c]);
      WEFT_RETURN_IF_ERROR(each(std::move(r)));
    }
    return core::Status::Ok();
  }
};

class FakeSink : public sink::DocumentSink {
 public:
  std::map<std::string, std::string> docs;  // id_key -> text
  int scans = 0;
  std::string scan_prefix;  // stands in for a sink whose Scan id_key is not IdKeyOf (JSONL, MongoDB)
  std::string component() const override { return "sink.fake"; }
  core::Status Open() override { return core::Status::Ok(); }
  core::Status Write(const std::vector<sink::DocumentWrite>& batch, std::vector<sink::WriteResult>* results) override {
    for (const auto& w : batch) {
      if (w.doc) docs[w.id_key] = Canonical(*w.doc);
      else docs.erase(w.id_key);
      results->push_back({});
    }
    return core::Status::Ok();
  }
  std::string Canonical(const Value& doc) const override { return change::ToJson(doc); }
  std::string ScanIdKey(const Value& id) const override { return scan_prefix + sink::IdKeyOf(id); }
  core::Status Scan(const std::string& collection, const ScanCallback& each) override {
    ++scans;
    if (collection != "orders_view") return core::NotFound("no collection " + collection);
    for (const auto& [key, text] : docs) each(Value::String(key), scan_prefix + key, text);
    return core::Status::Ok();
  }
};

change::TableSchema Table(const std::string& name, std::vector<std::string> columns, std::vector<int> pk) {
  change::TableSchema s;
  s.table = name;
  for (auto& c : columns) s.columns.push_back({c, "varchar(20)", true, false});
  s.primary_key = std::move(pk);
  return s;
}

struct Fixture {
  FakeSource source;
  FakeSink sink;
  config::ViewConfig view;
  Fixture() {
    source.schemas["orders"] = Table("orders", {"order_id", "status"}, {0});
    source.schemas["items"] = Table("items", {"order_id", "n", "price"}, {0, 1});
    for (int i = 1; i <= 20; ++i) {
      char id[16];
      std::snprintf(id, sizeof id, "O%02d", i);
      source.rows["orders"].push_back({Value::String(id), Value::String("new")});
      source.rows["items"].push_back({Value::String(id), Value::Int(1), Value::Decimal("9.50")});
    }
    view.name = "orders_view";
    view.root = "orders";
    view.sink = "mem";
    config::LookupConfig items;
    items.table = "items";
    items.path = "items";
    items.type = "array";
    items.relation = {{"order_id", "order_id"}};
    view.lookups = {items};
    // The sink starts out exactly right, written from an independent spelling of the documents.
    for (int i = 1; i <= 20; ++i) {
      char id[16];
      std::snprintf(id, sizeof id, "O%02d", i);
      sink.docs[id] = std::string("{\"_id\":\"") + id + "\",\"order_id\":\"" + id + "\",\"status\":\"new\"," +
                      "\"items\":[{\"order_id\":\"" + id + "\",\"n\":1,\"price\":9.50}]}";
    }
  }
};

}  // namespace

TEST_CASE("an exact sink verifies equal") {
  Fixture f;
  auto report = verify::VerifyView(f.view, &f.source, &f.sink);
  REQUIRE_MESSAGE(report.ok(), report.status().ToString());
  CHECK(report->equal());
  CHECK(f.source.reads == 2);  // each table read once
  CHECK(report->expected == 20);
  CHECK(report->stored == 20);
  CHECK(f.sink.scans == 1);  // no second scan when nothing differs
  CHECK(verify::FormatReport(*report) == "view orders_view -> mem/orders_view: 20 expected, 20 stored: equal\n");
}

TEST_CASE("ids are matched through the sink's ScanIdKey") {
  Fixture f;
  f.sink.scan_prefix = "s:";
  auto report = verify::VerifyView(f.view, &f.source, &f.sink);
  REQUIRE(report.ok());
  CHECK(report->equal());
}

TEST_CASE("missing, extra and different documents are counted and shown") {
  Fixture f;
  f.sink.docs.erase("O03");
  f.sink.docs.erase("O07");
  f.sink.docs["O99"] = R"({"_id":"O99"})";
  f.source.rows["items"].push_back({Value::String("O05"), Value::Int(2), Value::Decimal("1.00")});
  f.source.rows["orders"][11][1] = Value::String("shipped");  // O12
  auto report = verify::VerifyView(f.view, &f.source, &f.sink);
  REQUIRE(report.ok());
  CHECK(report->missing == 2);
  CHECK(report->extra == 1);
  CHECK(report->different == 2);
  CHECK(report->missing_ids == std::vector<std::string>{"O03", "O07"});
  CHECK(report->extra_ids == std::vector<std::string>{"O99"});
  std::string text = verify::FormatReport(*report);
  CHECK(text.find("2 missing, 1 extra, 2 different") != std::string::npos);
  CHECK(text.find("  differs  O05\n      items[1]: expected {\"order_id\":\"O05\",\"n\":2,\"price\":1.00}, actual (absent)\n") !=
        std::string::npos);
  CHECK(text.find("  differs  O12\n      status: expected \"shipped\", actual \"new\"\n") != std::string::npos);
}

TEST_CASE("examples are capped while counts stay complete") {
  Fixture f;
  f.sink.docs.clear();
  verify::VerifyOptions options;
  options.max_examples = 3;
  auto report = verify::VerifyView(f.view, &f.source, &f.sink, options);
  REQUIRE(report.ok());
  CHECK(report->missing == 20);
  CHECK(report->missing_ids.size() == 3);
  CHECK(verify::FormatReport(*report).find("missing  ... and 17 more") != std::string::npos);
}

TEST_CASE("a view naming a table the source lacks is an error, not a difference") {
  Fixture f;
  f.view.lookups[0].table = "nope";
  bool view_error = false;
  auto report = verify::VerifyView(f.view, &f.source, &f.sink, {}, &view_error);
  REQUIRE_FALSE(report.ok());
  CHECK(view_error);
  CHECK(report.status().message().find("table 'nope' does not exist") != std::string::npos);
}

TEST_CASE("progress lines come only for views that run long") {
  Fixture f;
  std::vector<std::string> lines;
  verify::VerifyOptions options;
  options.progress = [&](const std::string& l) { lines.push_back(l); };
  REQUIRE(verify::VerifyView(f.view, &f.source, &f.sink, options).ok());
  CHECK(lines.empty());
  options.progress_after_ms = 0;
  REQUIRE(verify::VerifyView(f.view, &f.source, &f.sink, options).ok());
  REQUIRE_FALSE(lines.empty());
  CHECK(lines.back() == "verify orders_view: 20 documents compared");
}
