#include <ctime>

#include <nlohmann/json.hpp>

#include "status/figures.h"

namespace weft::status {

// ordered_json keeps the fields in the order written here: "weft" first, names before figures.
using json = nlohmann::ordered_json;

const char* RunStateName(RunState state) {
  switch (state) {
    case RunState::kStarting: return "starting";
    case RunState::kSnapshotting: return "snapshotting";
    case RunState::kStreaming: return "streaming";
    case RunState::kRetrying: return "retrying";
    case RunState::kStopped: return "stopped";
  }
  return "stopped";
}

std::optional<RunState> ParseRunState(std::string_view name) {
  for (RunState s : kAllRunStates) {
    if (name == RunStateName(s)) return s;
  }
  return std::nullopt;
}

std::string FormatTimeMs(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return text;
}

namespace {

// Rates are rounded to 0.1 so the JSON stays readable; the counters are exact.
double Round1(double v) { return static_cast<double>(static_cast<int64_t>(v * 10 + (v >= 0 ? 0.5 : -0.5))) / 10; }

json SourceJson(const SourceFigures& s) {
  json j = {{"name", s.name},
            {"state", RunStateName(s.state)},
            {"rows_total", s.rows_total},
            {"rows_per_s", Round1(s.rows_per_s)},
            {"delay_ms", s.delay_ms},
            {"offset", s.offset},
            {"last_change_ms", s.last_change_ms},
            {"caught_up", s.caught_up}};
  if (s.lag_bytes >= 0) j["lag_bytes"] = s.lag_bytes;
  if (s.has_snapshot) {
    json tables = json::array();
    for (const auto& t : s.snapshot_tables) {
      tables.push_back({{"table", t.table},
                        {"rows_done", t.rows_done},
                        {"rows_estimate", t.rows_estimate},
                        {"rows_per_s", Round1(t.rows_per_s)},
                        {"done", t.done},
                        {"elapsed_ms", t.elapsed_ms}});
    }
    j["snapshot"] = {{"started_at", FormatTimeMs(s.snapshot_started_ms)},
                     {"started_ms", s.snapshot_started_ms},
                     {"done", s.snapshot_done},
                     {"tables", std::move(tables)}};
  }
  return j;
}

json ViewJson(const ViewFigures& v) {
  json letters = json::array();
  for (const auto& d : v.latest_dead_letters) {
    letters.push_back({{"id", d.id}, {"reason", d.reason}, {"time", FormatTimeMs(d.time_ms)}, {"time_ms", d.time_ms}});
  }
  return {{"name", v.name},
          {"source", v.source},
          {"sink", v.sink},
          {"collection", v.collection},
          {"state", RunStateName(v.state)},
          {"rows_total", v.rows_total},
          {"rows_per_s", Round1(v.rows_per_s)},
          {"documents_total", v.documents_total},
          {"documents_deleted_total", v.documents_deleted_total},
          {"documents_per_s", Round1(v.documents_per_s)},
          {"delay_ms", v.delay_ms},
          {"outbox_depth", v.outbox_depth},
          {"dead_letters", v.dead_letters},
          {"latest_dead_letters", std::move(letters)},
          {"sink_error", v.sink_error},
          {"error", v.error}};
}

// Readers throw nlohmann exceptions on a missing or mistyped field; ParseReport turns them into a
// Status naming the field.
template <typename T>
T Get(const json& j, const char* key) {
  return j.at(key).get<T>();
}

RunState GetState(const json& j) {
  auto state = ParseRunState(Get<std::string>(j, "state"));
  if (!state) throw std::invalid_argument("unknown state '" + Get<std::string>(j, "state") + "'");
  return *state;
}

}  // namespace

std::string ToJson(const Report& r, int indent) {
  json sources = json::array(), views = json::array();
  for (const auto& s : r.sources) sources.push_back(SourceJson(s));
  for (const auto& v : r.views) views.push_back(ViewJson(v));
  json j = {{"weft",
             {{"version", r.version},
              {"pid", r.pid},
              {"config", r.config_path},
              {"state_db", r.state_db_path},
              {"started_at", FormatTimeMs(r.started_ms)},
              {"started_ms", r.started_ms},
              {"uptime_s", Round1(static_cast<double>(r.time_ms - r.started_ms) / 1000.0)},
              {"state", r.running ? "running" : "stopped"}}},
            {"time", FormatTimeMs(r.time_ms)},
            {"time_ms", r.time_ms},
            {"sources", std::move(sources)},
            {"views", std::move(views)}};
  // Invalid UTF-8 (an odd table name) is replaced rather than thrown: /status must always answer.
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

core::Result<Report> ParseReport(std::string_view text) {
  try {
    json j = json::parse(text);
    Report r;
    const json& w = j.at("weft");
    r.version = Get<std::string>(w, "version");
    r.pid = Get<int64_t>(w, "pid");
    r.config_path = Get<std::string>(w, "config");
    r.state_db_path = Get<std::string>(w, "state_db");
    r.started_ms = Get<int64_t>(w, "started_ms");
    r.running = Get<std::string>(w, "state") == "running";
    r.time_ms = Get<int64_t>(j, "time_ms");
    for (const json& s : j.at("sources")) {
      SourceFigures f;
      f.name = Get<std::string>(s, "name");
      f.state = GetState(s);
      f.rows_total = Get<uint64_t>(s, "rows_total");
      f.rows_per_s = Get<double>(s, "rows_per_s");
      f.delay_ms = Get<int64_t>(s, "delay_ms");
      f.offset = Get<std::string>(s, "offset");
      f.last_change_ms = Get<int64_t>(s, "last_change_ms");
      f.caught_up = Get<bool>(s, "caught_up");
      f.lag_bytes = s.contains("lag_bytes") ? Get<int64_t>(s, "lag_bytes") : -1;
      if (s.contains("snapshot")) {
        const json& snap = s.at("snapshot");
        f.has_snapshot = true;
        f.snapshot_started_ms = Get<int64_t>(snap, "started_ms");
        f.snapshot_done = Get<bool>(snap, "done");
        for (const json& t : snap.at("tables")) {
          f.snapshot_tables.push_back({Get<std::string>(t, "table"), Get<uint64_t>(t, "rows_done"),
                                       Get<uint64_t>(t, "rows_estimate"), Get<double>(t, "rows_per_s"),
                                       Get<bool>(t, "done"), Get<int64_t>(t, "elapsed_ms")});
        }
      }
      r.sources.push_back(std::move(f));
    }
    for (const json& v : j.at("views")) {
      ViewFigures f;
      f.name = Get<std::string>(v, "name");
      f.source = Get<std::string>(v, "source");
      f.sink = Get<std::string>(v, "sink");
      f.collection = Get<std::string>(v, "collection");
      f.state = GetState(v);
      f.rows_total = Get<uint64_t>(v, "rows_total");
      f.rows_per_s = Get<double>(v, "rows_per_s");
      f.documents_total = Get<uint64_t>(v, "documents_total");
      f.documents_deleted_total = Get<uint64_t>(v, "documents_deleted_total");
      f.documents_per_s = Get<double>(v, "documents_per_s");
      f.delay_ms = Get<int64_t>(v, "delay_ms");
      f.outbox_depth = Get<int64_t>(v, "outbox_depth");
      f.dead_letters = Get<uint64_t>(v, "dead_letters");
      f.sink_error = Get<std::string>(v, "sink_error");
      if (v.contains("latest_dead_letters")) {  // absent in figures saved before it existed
        for (const json& d : v.at("latest_dead_letters")) {
          f.latest_dead_letters.push_back(
              {Get<std::string>(d, "id"), Get<std::string>(d, "reason"), Get<int64_t>(d, "time_ms")});
        }
      }
      f.error = v.value("error", std::string());  // absent in figures saved before it existed
      r.views.push_back(std::move(f));
    }
    return r;
  } catch (const std::exception& e) {
    return core::InvalidArgument(std::string("not weft status figures: ") + e.what());
  }
}

}  // namespace weft::status
