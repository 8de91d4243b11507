#include "sink/kafka/debezium_envelope.h"

#include "core/version.h"

namespace weft::sink::kafka {
namespace {

using change::Value;

Value SourceBlock(const change::Change& c) {
  const change::SourceInfo& s = c.source;
  change::Object fields = {{"version", Value::String(std::string("weft-") + core::kVersion)},
                           {"connector", Value::String(s.connector)},
                           {"name", Value::String(s.name)},
                           {"ts_ms", Value::Int(c.ts_ms)},
                           {"snapshot", Value::String(s.snapshot ? "true" : "false")},
                           {"db", Value::String(s.db)},
                           {"table", Value::String(s.table)}};
  if (s.connector == "postgresql") {
    fields.push_back({"schema", Value::String(s.schema)});
    fields.push_back({"lsn", s.lsn.empty() ? Value::Null() : Value::String(s.lsn)});
    fields.push_back({"txId", s.txid == 0 ? Value::Null() : Value::UInt(s.txid)});
  } else {
    fields.push_back({"gtid", s.gtid.empty() ? Value::Null() : Value::String(s.gtid)});
    fields.push_back({"file", Value::String(s.file)});
    fields.push_back({"pos", Value::UInt(s.pos)});
  }
  return Value::MakeObject(std::move(fields));
}

Value Image(const change::Change& c, const change::RowImage& image) {
  return image.empty() ? Value::Null() : change::RowObject(*c.schema, image);
}

}  // namespace

std::string ChangeTopic(const std::string& prefix, const change::Change& change) {
  const change::SourceInfo& s = change.source;
  const std::string& space = s.connector == "postgresql" ? s.schema : s.db;
  return prefix + s.name + "." + space + "." + s.table;
}

std::vector<EnvelopeMessage> EnvelopeMessages(const change::Change& change, int64_t now_ms) {
  if (change.type != change::ChangeType::kDml || !change.schema) return {};
  std::string key = change::ToJson(change::KeyObject(*change.schema, change.KeyImage()));
  const bool has_before = change.op == change::Op::kUpdate || change.op == change::Op::kDelete;
  const bool has_after = change.op != change::Op::kDelete;
  Value value = Value::MakeObject({{"before", has_before ? Image(change, change.before) : Value::Null()},
                                   {"after", has_after ? Image(change, change.after) : Value::Null()},
                                   {"source", SourceBlock(change)},
                                   {"op", Value::String(std::string(1, static_cast<char>(change.op)))},
                                   {"ts_ms", Value::Int(now_ms)}});
  std::vector<EnvelopeMessage> out;
  out.push_back({key, change::ToJson(value)});
  if (change.op == change::Op::kDelete) out.push_back({key, std::nullopt});
  return out;
}

}  // namespace weft::sink::kafka
