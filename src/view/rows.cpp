#include "view/rows.h"

#include <algorithm>

#include "view/key_order.h"

namespace weft::view {

using change::Value;

std::vector<std::string> PkColumnsOf(const change::TableSchema& schema) {
  std::vector<std::string> names;
  if (schema.primary_key.empty()) {
    for (const auto& c : schema.columns) names.push_back(c.name);
  } else {
    for (int i : schema.primary_key) names.push_back(schema.columns[i].name);
  }
  return names;
}

Value StoredRow(const TableDef& table, const change::TableSchema& schema, const change::RowImage& image,
                const std::vector<std::string>& pk_columns, const Value* base) {
  change::Object fields;
  fields.reserve(schema.columns.size());
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    const std::string& name = schema.columns[i].name;
    if (!table.Stores(name) && std::find(pk_columns.begin(), pk_columns.end(), name) == pk_columns.end()) continue;
    if (i < image.values.size() && image.Has(i)) {
      fields.emplace_back(name, image.values[i]);
    } else if (base) {
      if (const Value* old = base->Find(name)) fields.emplace_back(name, *old);
    }
  }
  return Value::MakeObject(std::move(fields));
}

std::vector<std::optional<std::string>> KeyTexts(const TableDef& table, const Value& row) {
  std::vector<std::optional<std::string>> keys;
  keys.reserve(table.layout.key_columns.size());
  for (const auto& column : table.layout.key_columns) {
    const Value* v = row.Find(column);
    keys.push_back(v ? JoinKey(*v) : std::nullopt);
  }
  return keys;
}

std::string PkOf(const Value& row, const std::vector<std::string>& pk_columns) {
  std::string pk;
  static const Value kNull;
  for (const auto& column : pk_columns) {
    const Value* v = row.Find(column);
    AppendOrderedKey(v ? *v : kNull, &pk);
  }
  return pk;
}

Value IdOf(const Value& row, const std::vector<std::string>& pk_columns) {
  if (pk_columns.size() == 1) {
    const Value* v = row.Find(pk_columns[0]);
    return v ? *v : Value::Null();
  }
  change::Object fields;
  for (const auto& column : pk_columns) {
    const Value* v = row.Find(column);
    fields.emplace_back(column, v ? *v : Value::Null());
  }
  return Value::MakeObject(std::move(fields));
}

}  // namespace weft::view
