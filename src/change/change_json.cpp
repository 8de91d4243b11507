#include "change/change.h"

namespace weft::change {

Value KeyObject(const TableSchema& schema, const RowImage& image) {
  Object fields;
  if (schema.primary_key.empty()) {
    return RowObject(schema, image);
  }
  for (int column : schema.primary_key) {
    if (!image.Has(static_cast<size_t>(column))) continue;
    fields.emplace_back(schema.columns[column].name, image.values[column]);
  }
  return Value::MakeObject(std::move(fields));
}

Value RowObject(const TableSchema& schema, const RowImage& image) {
  Object fields;
  fields.reserve(image.values.size());
  for (size_t i = 0; i < image.values.size() && i < schema.columns.size(); ++i) {
    if (!image.Has(i)) continue;
    fields.emplace_back(schema.columns[i].name, image.values[i]);
  }
  return Value::MakeObject(std::move(fields));
}

namespace {

void AppendKey(std::string_view key, std::string* out) {
  AppendJsonString(key, out);
  out->push_back(':');
}

// $set holds the columns whose value differs between the images (all of `after` when there is no
// before image); $unset stays empty for MySQL, whose rows never lose a column.
void AppendPatch(const Change& c, std::string* out) {
  const TableSchema& schema = *c.schema;
  out->append("{\"$set\":{");
  bool first = true;
  for (size_t i = 0; i < c.after.values.size() && i < schema.columns.size(); ++i) {
    if (!c.after.Has(i)) continue;
    if (c.before.Has(i) && i < c.before.values.size() && c.before.values[i] == c.after.values[i]) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendKey(schema.columns[i].name, out);
    AppendJson(c.after.values[i], out);
  }
  out->append("},\"$unset\":{}}");
}

// A JSON column holding the JSON value null and one holding SQL NULL both render as `null` inside
// before/after: the columns holding the JSON null are listed, so a consumer can tell them apart.
bool HasJsonNull(const TableSchema& schema, const RowImage& image) {
  for (size_t i = 0; i < image.values.size() && i < schema.columns.size(); ++i) {
    const Value& v = image.values[i];
    if (image.Has(i) && v.kind() == ValueKind::kJson && v.text() == "null") return true;
  }
  return false;
}

void AppendJsonNullColumns(const TableSchema& schema, const RowImage& image, std::string* out) {
  out->push_back('[');
  bool first = true;
  for (size_t i = 0; i < image.values.size() && i < schema.columns.size(); ++i) {
    const Value& v = image.values[i];
    if (!image.Has(i) || v.kind() != ValueKind::kJson || v.text() != "null") continue;
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(schema.columns[i].name, out);
  }
  out->push_back(']');
}

}  // namespace

void AppendChangeJson(const Change& c, std::string* out) {
  // A schema change has an op of its own, so a consumer filtering on op never takes it for a row
  // change (its in-memory op is irrelevant).
  if (c.type == ChangeType::kDdl) {
    out->append("{\"op\":\"ddl");
  } else {
    out->append("{\"op\":\"");
    out->push_back(static_cast<char>(c.op));
  }
  out->append("\",\"ts\":");
  out->append(std::to_string(c.ts_ms));
  out->append(",\"type\":");
  out->append(c.type == ChangeType::kDml ? "\"dml\"" : "\"ddl\"");
  out->append(",\"offset\":");
  AppendJsonString(c.offset, out);
  out->append(",\"source\":{\"connector\":");
  AppendJsonString(c.source.connector, out);
  out->append(",\"name\":");
  AppendJsonString(c.source.name, out);
  out->append(",\"db\":");
  AppendJsonString(c.source.db, out);
  out->append(",\"table\":");
  AppendJsonString(c.source.table, out);
  out->append(",\"snapshot\":");
  out->append(c.source.snapshot ? "true" : "false");
  if (!c.source.gtid.empty()) {
    out->append(",\"gtid\":");
    AppendJsonString(c.source.gtid, out);
  }
  if (!c.source.file.empty()) {
    out->append(",\"file\":");
    AppendJsonString(c.source.file, out);
    out->append(",\"pos\":");
    out->append(std::to_string(c.source.pos));
  }
  if (!c.source.lsn.empty()) {
    out->append(",\"schema\":");
    AppendJsonString(c.source.schema, out);
    out->append(",\"lsn\":");
    AppendJsonString(c.source.lsn, out);
    out->append(",\"txid\":");
    out->append(std::to_string(c.source.txid));
  }
  out->push_back('}');
  if (c.type == ChangeType::kDdl) {
    out->append(",\"statement\":");
    AppendJsonString(c.statement, out);
    out->push_back('}');
    return;
  }
  const TableSchema& schema = *c.schema;
  out->append(",\"key\":");
  AppendJson(KeyObject(schema, c.KeyImage()), out);
  if (c.op == Op::kUpdate || c.op == Op::kDelete) {
    out->append(",\"before\":");
    AppendJson(RowObject(schema, c.before), out);
  }
  if (c.op != Op::kDelete) {
    out->append(",\"after\":");
    AppendJson(RowObject(schema, c.after), out);
  }
  if (c.op == Op::kUpdate) {
    out->append(",\"patch\":");
    AppendPatch(c, out);
  }
  const bool before_null = (c.op == Op::kUpdate || c.op == Op::kDelete) && HasJsonNull(schema, c.before);
  const bool after_null = c.op != Op::kDelete && HasJsonNull(schema, c.after);
  if (before_null || after_null) {
    out->append(",\"json_null\":{");
    if (before_null) {
      out->append("\"before\":");
      AppendJsonNullColumns(schema, c.before, out);
    }
    if (after_null) {
      if (before_null) out->push_back(',');
      out->append("\"after\":");
      AppendJsonNullColumns(schema, c.after, out);
    }
    out->push_back('}');
  }
  out->push_back('}');
}

std::string ChangeToJson(const Change& change) {
  std::string out;
  AppendChangeJson(change, &out);
  return out;
}

}  // namespace weft::change
