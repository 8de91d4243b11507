#include "change/debezium_envelope.h"

#include "core/version.h"

namespace weft::change {
namespace {

Value SourceBlock(const Change& c) {
  const SourceInfo& s = c.source;
  Object fields = {{"version", Value::String(std::string("weft-") + core::kVersion)},
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

Value Image(const Change& c, const RowImage& image) {
  return image.empty() ? Value::Null() : RowObject(*c.schema, image);
}

}  // namespace

std::string ChangeTopic(const std::string& prefix, const Change& change) {
  const SourceInfo& s = change.source;
  const std::string& space = s.connector == "postgresql" ? s.schema : s.db;
  return prefix + s.name + "." + space + "." + s.table;
}

std::vector<EnvelopeValues> EnvelopeMessageValues(const Change& change, int64_t now_ms) {
  if (change.type != ChangeType::kDml || !change.schema) return {};
  Value key = KeyObject(*change.schema, change.KeyImage());
  const bool has_before = change.op == Op::kUpdate || change.op == Op::kDelete;
  const bool has_after = change.op != Op::kDelete;
  Value value = Value::MakeObject({{"before", has_before ? Image(change, change.before) : Value::Null()},
                                   {"after", has_after ? Image(change, change.after) : Value::Null()},
                                   {"source", SourceBlock(change)},
                                   {"op", Value::String(std::string(1, static_cast<char>(change.op)))},
                                   {"ts_ms", Value::Int(now_ms)}});
  std::vector<EnvelopeValues> out;
  out.push_back({key, std::move(value)});
  if (change.op == Op::kDelete) out.push_back({std::move(key), std::nullopt});
  return out;
}

std::vector<EnvelopeMessage> EnvelopeMessages(const Change& change, int64_t now_ms) {
  std::vector<EnvelopeMessage> out;
  for (const auto& m : EnvelopeMessageValues(change, now_ms)) {
    out.push_back({ToJson(m.key), m.value ? std::optional<std::string>(ToJson(*m.value)) : std::nullopt});
  }
  return out;
}

}  // namespace weft::change
