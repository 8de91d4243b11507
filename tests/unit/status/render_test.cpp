// Rendering of the figures: JSON (and back), Prometheus text exposition, the `weft status` lines.
#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "status/figures.h"
#include "status/prometheus.h"
#include "status/text_report.h"

using namespace weft::status;

namespace {

Report FullReport() {
  Report r;
  r.version = "0.1.0";
  r.pid = 4242;
  r.config_path = "/etc/weft/weft.toml";
  r.state_db_path = "/var/lib/weft/state.db";
  r.started_ms = 1732184400000;
  r.time_ms = 1732184460500;
  SourceFigures s;
  s.name = "shop";
  s.state = RunState::kSnapshotting;
  s.rows_total = 99441;
  s.rows_per_s = 3521.24;
  s.delay_ms = 332;
  s.offset = "v1;file=mariadb-bin.000002;pos=1234;skip=0;gtid=0-1-42";
  s.last_change_ms = 1732184460168;
  s.has_snapshot = true;
  s.snapshot_started_ms = 1732184400100;
  s.snapshot_tables = {{"ecom_customers", 99441, 99000, 0, true, 2100},
                       {"ecom_orders", 52000, 100000, 12000.04, false, 4300}};
  r.sources.push_back(s);
  SourceFigures other;
  other.name = "we\"ird\\src\nname";
  other.state = RunState::kRetrying;
  r.sources.push_back(other);
  ViewFigures v;
  v.name = "order_single_view";
  v.source = "shop";
  v.sink = "local";
  v.collection = "orderSingleView";
  v.state = RunState::kStreaming;
  v.rows_total = 99441;
  v.rows_per_s = 3521.24;
  v.documents_total = 5000;
  v.documents_deleted_total = 12;
  v.documents_per_s = 12.0;
  v.delay_ms = 332;
  v.outbox_depth = 7;
  v.dead_letters = 2;
  r.views.push_back(v);
  ViewFigures down = v;
  down.name = "customers";
  down.state = RunState::kRetrying;
  down.sink_error = "write failed: connection refused";
  r.views.push_back(down);
  return r;
}

}  // namespace

TEST_CASE("the JSON holds every figure and parses back to the same report") {
  Report r = FullReport();
  std::string text = ToJson(r, 2);
  auto j = nlohmann::json::parse(text);
  CHECK(text.find("{\n  \"weft\": {") == 0);  // the process first, then the figures
  CHECK(j["weft"]["state"] == "running");
  CHECK(j["weft"]["uptime_s"] == 60.5);
  CHECK(j["time"] == "2024-11-21T10:21:00.500Z");
  CHECK(j["sources"][0]["state"] == "snapshotting");
  CHECK(j["sources"][0]["rows_per_s"] == 3521.2);
  CHECK(j["sources"][0]["snapshot"]["tables"][1]["rows_estimate"] == 100000);
  CHECK(j["sources"][0]["snapshot"]["tables"][1]["done"] == false);
  CHECK(!j["sources"][1].contains("snapshot"));
  CHECK(j["views"][1]["sink_error"] == "write failed: connection refused");
  CHECK(j["views"][0]["outbox_depth"] == 7);

  auto back = ParseReport(text);
  REQUIRE(back.ok());
  CHECK(ToJson(*back, 2) == text);
  CHECK(back->sources[1].name == "we\"ird\\src\nname");
  CHECK(back->views[1].state == RunState::kRetrying);

  Report stopped = r;
  stopped.running = false;
  auto parsed = ParseReport(ToJson(stopped));
  REQUIRE(parsed.ok());
  CHECK(!parsed->running);
}

TEST_CASE("figures that are not weft's are refused, naming what is wrong") {
  CHECK(!ParseReport("not json").ok());
  auto missing = ParseReport(R"({"weft": {"version": "0.1.0"}})");
  REQUIRE(!missing.ok());
  CHECK(missing.status().message().find("pid") != std::string::npos);
  std::string text = ToJson(FullReport());
  std::string bad = text;
  bad.replace(bad.find("\"retrying\""), 10, "\"sleeping\"");
  auto state = ParseReport(bad);
  REQUIRE(!state.ok());
  CHECK(state.status().message().find("sleeping") != std::string::npos);
}

TEST_CASE("Prometheus text: HELP and TYPE once per family before its samples, every line well formed") {
  std::string text = RenderPrometheus(FullReport());
  std::istringstream in(text);
  std::string line;
  std::map<std::string, std::string> types;
  std::set<std::string> helped;
  const std::regex sample(R"(^(weft_[a-z_]+)(\{([a-z_]+="([^"\\]|\\.)*"(,[a-z_]+="([^"\\]|\\.)*")*)\})? (-?[0-9.e+]+)$)");
  int samples = 0;
  while (std::getline(in, line)) {
    CAPTURE(line);
    if (line.rfind("# HELP ", 0) == 0) {
      std::string name = line.substr(7, line.find(' ', 7) - 7);
      CHECK(helped.insert(name).second);
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      std::string name = line.substr(7, line.find(' ', 7) - 7);
      std::string type = line.substr(line.find(' ', 7) + 1);
      CHECK((type == "gauge" || type == "counter"));
      CHECK(helped.count(name) == 1);
      CHECK(types.emplace(name, type).second);
      if (type == "counter") CHECK(name.size() > 6);
      if (type == "counter") CHECK(name.substr(name.size() - 6) == "_total");
      continue;
    }
    std::smatch m;
    REQUIRE(std::regex_match(line, m, sample));
    CHECK(types.count(m[1]) == 1);  // TYPE came first
    ++samples;
  }
  CHECK(samples > 30);
  CHECK(text.back() == '\n');
}

TEST_CASE("Prometheus text: the figures, labelled by source, view, sink and table") {
  std::string text = RenderPrometheus(FullReport());
  for (const char* expected : {
           "weft_up 1\n",
           "weft_info{version=\"0.1.0\",config=\"/etc/weft/weft.toml\"} 1\n",
           "weft_rows_total{source=\"shop\"} 99441\n",
           "weft_source_state{source=\"shop\",state=\"snapshotting\"} 1\n",
           "weft_source_state{source=\"shop\",state=\"streaming\"} 0\n",
           "weft_source_delay_milliseconds{source=\"shop\"} 332\n",
           "weft_snapshot_rows{source=\"shop\",table=\"ecom_orders\"} 52000\n",
           "weft_snapshot_rows_estimate{source=\"shop\",table=\"ecom_orders\"} 100000\n",
           "weft_view_rows_total{view=\"order_single_view\",source=\"shop\"} 99441\n",
           "weft_documents_total{view=\"order_single_view\",sink=\"local\"} 5000\n",
           "weft_documents_deleted_total{view=\"order_single_view\",sink=\"local\"} 12\n",
           "weft_delay_milliseconds{view=\"order_single_view\",source=\"shop\",sink=\"local\"} 332\n",
           "weft_outbox_depth{view=\"order_single_view\",sink=\"local\"} 7\n",
           "weft_dead_letters_total{view=\"order_single_view\",sink=\"local\"} 2\n",
           "weft_view_state{view=\"customers\",state=\"retrying\"} 1\n",
           // label values escaped as the format requires
           "weft_rows_total{source=\"we\\\"ird\\\\src\\nname\"} 0\n",
       }) {
    CHECK_MESSAGE(text.find(expected) != std::string::npos, expected);
  }
  CHECK(EscapeLabelValue("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  Report stopped = FullReport();
  stopped.running = false;
  CHECK(RenderPrometheus(stopped).find("weft_up 0\n") != std::string::npos);
}

TEST_CASE("weft status lines") {
  Report r = FullReport();
  CHECK(FormatViewLine(r.views[0]) ==
        "order_single_view: streaming, qps 3521.2, total rows 99441, delay 332ms, documents 5000 (12.0/s), outbox 7, "
        "dead letters 2");
  std::string text = FormatReportText(r);
  CHECK(text.find("customers: retrying, ") != std::string::npos);
  CHECK(text.find("\n  sink local: write failed: connection refused\n") != std::string::npos);
  CHECK(text.find("  source shop: snapshotting, qps 3521.2, total rows 99441, delay 332ms, offset v1;file=") !=
        std::string::npos);
  CHECK(text.find("    snapshot ecom_customers: 99441 rows, done\n") != std::string::npos);
  CHECK(text.find("    snapshot ecom_orders: 52000/~100000 rows (52%), 12000.0 rows/s, ETA 4s\n") != std::string::npos);
  CHECK(FormatDuration(0) == "0ms");
  CHECK(FormatDuration(9999) == "9999ms");
  CHECK(FormatDuration(12500) == "12.5s");
  CHECK(FormatDuration(425000) == "7m05s");
  CHECK(FormatDuration(3 * 3600000 + 2 * 60000) == "3h02m");
  // An estimate the table has outgrown says nothing about what is left.
  CHECK(FormatTableProgress({"t", 150, 100, 10, false, 0}) == "150 rows, 10.0 rows/s");
}
