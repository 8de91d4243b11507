#include "source/postgres/decode/pg_types.h"

namespace weft::source::postgres {

TypeClass BuiltinClass(Oid o) {
  switch (o) {
    case oid::kBool:
      return TypeClass::kBool;
    case oid::kInt2:
    case oid::kInt4:
    case oid::kInt8:
      return TypeClass::kInt;
    case oid::kOid:
      return TypeClass::kUInt;
    case oid::kNumeric:
      return TypeClass::kNumeric;
    case oid::kFloat4:
      return TypeClass::kFloat4;
    case oid::kFloat8:
      return TypeClass::kFloat8;
    case oid::kMoney:
      return TypeClass::kMoney;
    case oid::kBytea:
      return TypeClass::kBytea;
    case oid::kDate:
      return TypeClass::kDate;
    case oid::kTime:
      return TypeClass::kTime;
    case oid::kTimestamp:
      return TypeClass::kTimestamp;
    case oid::kTimestampTz:
      return TypeClass::kTimestampTz;
    case oid::kJson:
    case oid::kJsonb:
      return TypeClass::kJson;
    default:
      return TypeClass::kString;  // text, varchar, char, name, uuid, inet, cidr, macaddr, ...
  }
}

TypeInfo TypeRegistry::Resolve(Oid o) const {
  TypeInfo info;
  info.oid = o;
  // Domains over domains are allowed; the depth bound only guards against a corrupt catalog.
  for (int depth = 0; depth < 32; ++depth) {
    auto it = rows_.find(o);
    if (it == rows_.end()) {
      info.cls = BuiltinClass(o);
      return info;
    }
    const PgTypeRow& row = it->second;
    if (info.name.empty()) info.name = row.name;
    if (row.typtype == 'd' && row.base != 0) {
      o = row.base;
      continue;
    }
    if (row.category == 'A' && row.element != 0) {
      info.cls = TypeClass::kArray;
      info.element = row.element;
      auto elem = rows_.find(row.element);
      info.delimiter = elem != rows_.end() ? elem->second.delimiter : ',';
      return info;
    }
    info.cls = row.typtype == 'e' ? TypeClass::kString : BuiltinClass(o);
    return info;
  }
  info.cls = TypeClass::kString;
  return info;
}

}  // namespace weft::source::postgres
