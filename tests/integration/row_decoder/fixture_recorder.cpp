#include "integration/row_decoder/fixture_recorder.h"

#include <mysql.h>  // before mariadb_rpl.h, which uses its types
#include <mariadb_rpl.h>

#include <cstring>
#include <memory>

#include <doctest/doctest.h>

#include "source/mysql/binlog/binlog_event.h"

namespace weft::test {
namespace {

std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

constexpr size_t kInlineLimit = 64 * 1024;  // larger events go to their own binary file

}  // namespace

void FixtureRecorder::Setup(const std::string& sql) { server_->Execute(sql); }

uint64_t FixtureRecorder::BinlogPosition() {
  auto rows = server_->Query("SHOW MASTER STATUS");
  REQUIRE(!rows.empty());
  binlog_file_ = *rows[0][0];
  return std::stoull(*rows[0][1]);
}

void FixtureRecorder::Table(const std::string& scenario, const std::string& db, const std::string& table,
                            std::map<std::string, std::pair<std::string, std::string>> select_override) {
  TableInfo t;
  t.scenario = scenario;
  t.db = db;
  auto cols = server_->Query(
      "SELECT c.COLUMN_NAME, c.COLUMN_TYPE, c.DATA_TYPE, c.IS_NULLABLE, "
      "  (SELECT COUNT(*) FROM information_schema.CHECK_CONSTRAINTS k WHERE k.CONSTRAINT_SCHEMA = c.TABLE_SCHEMA "
      "   AND k.TABLE_NAME = c.TABLE_NAME AND k.CHECK_CLAUSE = CONCAT('json_valid(`', c.COLUMN_NAME, '`)')) "
      "FROM information_schema.COLUMNS c WHERE c.TABLE_SCHEMA = " + Quote(db) + " AND c.TABLE_NAME = " +
      Quote(table) + " ORDER BY c.ORDINAL_POSITION");
  REQUIRE_MESSAGE(!cols.empty(), "no columns for " << db << "." << table);
  nlohmann::json columns = nlohmann::json::array();
  std::string select;
  for (const auto& c : cols) {
    std::string name = *c[0], dt = *c[2];
    std::string expr = "`" + name + "`", expect = "text";
    if (dt == "binary" || dt == "varbinary" || dt == "tinyblob" || dt == "blob" || dt == "mediumblob" ||
        dt == "longblob") {
      expr = "HEX(`" + name + "`)", expect = "hex";
    } else if (dt == "point" || dt == "polygon" || dt == "geometry" || dt == "linestring" || dt == "multipoint" ||
               dt == "multilinestring" || dt == "multipolygon" || dt == "geometrycollection") {
      expr = "HEX(ST_AsBinary(`" + name + "`))", expect = "hex";
    } else if (dt == "bit") {
      expr = "`" + name + "`+0";
    } else if (dt == "float") {
      expr = "`" + name + "`+0e0";
    }
    if (auto it = select_override.find(name); it != select_override.end()) {
      expr = it->second.first, expect = it->second.second;
    }
    select += (select.empty() ? "" : ", ") + expr;
    columns.push_back({{"name", name}, {"column_type", *c[1]}, {"data_type", dt}, {"nullable", *c[3] == "YES"},
                       {"json", *c[4] != "0"}, {"expect", expect}, {"select", expr}});
  }
  auto pk = server_->Query("SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = " +
                           Quote(db) + " AND TABLE_NAME = " + Quote(table) +
                           " AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION");
  nlohmann::json primary_key = nlohmann::json::array();
  for (const auto& r : pk) primary_key.push_back(*r[0]);
  t.select = "SELECT " + select + " FROM `" + db + "`.`" + table + "` ORDER BY id";
  t.description = {{"columns", columns}, {"primary_key", primary_key}};
  tables_[table] = std::move(t);
}

nlohmann::json FixtureRecorder::Snapshot(const TableInfo& t) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : server_->Query(t.select)) {
    nlohmann::json row = nlohmann::json::array();
    for (const auto& v : r) row.push_back(v ? nlohmann::json(*v) : nlohmann::json(nullptr));
    rows.push_back(row);
  }
  return rows;
}

void FixtureRecorder::Step(const std::string& table, const std::string& sql, const std::string& image,
                           const std::string& prefix) {
  REQUIRE_MESSAGE(tables_.count(table), "table " << table << " not declared");
  StepInfo s;
  s.table = table, s.sql = sql, s.image = image;
  s.from = BinlogPosition();
  server_->Execute("SET SESSION sql_mode=''; SET SESSION time_zone='+00:00'; " + prefix + sql);
  s.to = BinlogPosition();
  s.rows = Snapshot(tables_[table]);
  steps_.push_back(std::move(s));
}

bool FixtureRecorder::Write(const std::string& dir, std::string* error) {
  struct MysqlCloser { void operator()(MYSQL* m) const { mysql_close(m); } };
  std::unique_ptr<MYSQL, MysqlCloser> m(mysql_init(nullptr));
  if (!mysql_real_connect(m.get(), "127.0.0.1", "root", "", nullptr, server_->port(), nullptr, 0)) {
    *error = mysql_error(m.get());
    return false;
  }
  // Ask for events exactly as stored: CRC32 trailers included, MariaDB event types (GTID etc.).
  if (mysql_query(m.get(), "SET @master_binlog_checksum = @@global.binlog_checksum") ||
      mysql_query(m.get(), "SET @mariadb_slave_capability = 4")) {
    *error = mysql_error(m.get());
    return false;
  }
  MARIADB_RPL* rpl = mariadb_rpl_init(m.get());
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_FILENAME, binlog_file_.c_str(), binlog_file_.size());
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_START, static_cast<unsigned long>(4));
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_SERVER_ID, static_cast<uint32_t>(7001));
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_FLAGS, static_cast<unsigned int>(MARIADB_RPL_BINLOG_DUMP_NON_BLOCK));
  if (mariadb_rpl_open(rpl)) {
    *error = std::string("mariadb_rpl_open: ") + mysql_error(m.get());
    mariadb_rpl_close(rpl);
    return false;
  }
  std::map<std::string, nlohmann::json> docs;
  std::map<std::string, int> files;
  std::string fde_hex;
  std::vector<nlohmann::json> step_events(steps_.size(), nlohmann::json::array());
  MARIADB_RPL_EVENT* ev = nullptr;
  while ((ev = mariadb_rpl_fetch(rpl, ev)) != nullptr) {
    std::string_view raw(reinterpret_cast<const char*>(ev->raw_data), ev->raw_data_size);
    if (raw.size() == ev->event_length + 1) raw.remove_prefix(1);  // the network OK byte
    auto header = source::mysql::ParseEventHeader(raw);
    if (!header.ok()) {
      *error = header.status().ToString();
      break;
    }
    if (header->type == source::mysql::event::kFormatDescription) fde_hex = Hex(raw);
    if (header->type != source::mysql::event::kTableMap &&
        source::mysql::RowsEventTraitsOf(header->type).kind == source::mysql::RowsKind::kNone) {
      continue;
    }
    for (size_t i = 0; i < steps_.size(); ++i) {
      if (header->log_pos > steps_[i].from && header->log_pos <= steps_[i].to) {
        const std::string& scenario = tables_[steps_[i].table].scenario;
        if (raw.size() > kInlineLimit) {
          std::string file = scenario + "-" + std::to_string(++files[scenario]) + ".event";
          WriteFile(dir + "/" + file, std::string(raw));
          step_events[i].push_back({{"file", file}, {"type", header->type}});
        } else {
          step_events[i].push_back({{"hex", Hex(raw)}, {"type", header->type}});
        }
        break;
      }
    }
  }
  mariadb_free_rpl_event(ev);
  mariadb_rpl_close(rpl);
  if (!error->empty()) return false;
  if (fde_hex.empty()) {
    *error = "no FORMAT_DESCRIPTION_EVENT read";
    return false;
  }
  std::string version = server_->QueryValue("SELECT VERSION()");
  for (size_t i = 0; i < steps_.size(); ++i) {
    const TableInfo& t = tables_[steps_[i].table];
    nlohmann::json& doc = docs[t.scenario];
    if (doc.is_null()) {
      doc = {{"server_version", version}, {"format_description", fde_hex}, {"tables", nlohmann::json::object()},
             {"steps", nlohmann::json::array()}};
    }
    doc["tables"][steps_[i].table] = t.description;
    doc["steps"].push_back({{"table", steps_[i].table}, {"sql", steps_[i].sql}, {"image", steps_[i].image},
                            {"events", step_events[i]}, {"rows", steps_[i].rows}});
  }
  for (const auto& [scenario, doc] : docs) WriteFile(dir + "/" + scenario + ".json", doc.dump(1) + "\n");
  return true;
}

}  // namespace weft::test
