#pragma once
// PostgreSQL column types as weft decodes them. Values reach weft in the server's text output
// (pgoutput sends text columns; the snapshot and `weft verify` SELECT in text mode), so one decoder
// (decode/text_value.h) serves both paths and they cannot disagree. What decides the decoding is
// the type's base: a domain decodes as the type it is over, an array as a list of its element type.
//
// TypeRegistry is loaded from pg_type once per connection (LoadTypes in sql/catalog.h) and is then
// immutable: any thread may read it.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace weft::source::postgres {

using Oid = uint32_t;

// Built-in type OIDs (pg_type.dat; fixed across versions).
namespace oid {
inline constexpr Oid kBool = 16, kBytea = 17, kChar = 18, kName = 19, kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25,
                     kOid = 26, kJson = 114, kXml = 142, kCidr = 650, kFloat4 = 700, kFloat8 = 701, kMacaddr8 = 774,
                     kMoney = 790, kMacaddr = 829, kInet = 869, kBpchar = 1042, kVarchar = 1043, kDate = 1082,
                     kTime = 1083, kTimestamp = 1114, kTimestampTz = 1184, kInterval = 1186, kTimeTz = 1266,
                     kBit = 1560, kVarbit = 1562, kNumeric = 1700, kUuid = 2950, kJsonb = 3802;
}  // namespace oid

// How a text value of a type becomes a change::Value (decode/text_value.h has the full table).
enum class TypeClass : uint8_t {
  kBool,
  kInt,
  kUInt,
  kNumeric,
  kFloat4,
  kFloat8,
  kMoney,
  kString,
  kBytea,
  kDate,
  kTime,
  kTimestamp,
  kTimestampTz,
  kJson,
  kArray,
};

struct TypeInfo {
  Oid oid = 0;
  std::string name;  // pg_type.typname, e.g. "int4", "_text", "mood"
  TypeClass cls = TypeClass::kString;
  Oid element = 0;       // kArray: the element type
  char delimiter = ',';  // kArray: the element type's typdelim (',' for all but box)
};

// One row of pg_type, as LoadTypes reads it.
struct PgTypeRow {
  Oid oid = 0;
  std::string name;
  char typtype = 'b';   // b base, d domain, e enum, c composite, r range, m multirange, p pseudo
  char category = 'U';  // typcategory: 'A' for arrays
  Oid element = 0;      // typelem
  Oid base = 0;         // typbasetype (domains)
  char delimiter = ',';
};

class TypeRegistry {
 public:
  // Adds a pg_type row; Resolve follows domains and arrays through the rows added.
  void Add(const PgTypeRow& row) { rows_[row.oid] = row; }
  // The decoding of `oid`: built-ins by OID, a domain as its base, an enum as text, an array of
  // any of these as kArray; anything else (composite, range, unknown OID) as text.
  TypeInfo Resolve(Oid oid) const;
  bool empty() const { return rows_.empty(); }

 private:
  std::map<Oid, PgTypeRow> rows_;
};

using TypeRegistryPtr = std::shared_ptr<const TypeRegistry>;

// The class of a built-in (non-array, non-domain) type OID; kString for the rest.
TypeClass BuiltinClass(Oid oid);

}  // namespace weft::source::postgres
