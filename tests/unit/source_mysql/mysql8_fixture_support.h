#pragma once
// Shared by the MySQL 8/9 recorded-binlog tests (tests/data/mysql8, see its SOURCES.md): reads a
// fixture binlog through weft's own file reader + TransactionAssembler (what `weft tail
// --binlog-file` prints) and compares every row image, value by value and in order, with the
// fixture's `.expected.json` reference decode (its value conventions are written in each file).

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "change/change.h"
#include "source/mysql/binlog/binlog_event.h"
#include "source/mysql/binlog/binlog_file.h"

namespace weft::test::mysql8 {

namespace sm = weft::source::mysql;
using Json = nlohmann::json;

inline const std::string kDir = std::string(WEFT_SOURCE_DIR) + "/tests/data/mysql8";

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string Hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

inline std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

inline Json LoadExpected(const std::string& path) {
  std::string text = ReadAll(path);
  REQUIRE_MESSAGE(!text.empty(), path << " is missing");
  return Json::parse(text);
}

struct Decoded {
  std::vector<change::Change> changes;  // every record, DDL included, in order
  std::vector<std::string> batch_offsets;
  sm::BinlogFileStats stats;
};

inline Decoded ReadFixture(const std::string& path) {
  Decoded d;
  core::Status st = sm::ReadBinlogFile(path, "fixture", [&](source::SourceBatch&& b) {
    if (!b.offset.empty()) d.batch_offsets.push_back(b.offset);
    for (auto& c : b.changes) d.changes.push_back(std::move(c));
    return true;
  }, &d.stats);
  REQUIRE_MESSAGE(st.ok(), path << ": " << st.ToString());
  return d;
}

// The DML records only.
inline std::vector<const change::Change*> Rows(const Decoded& d) {
  std::vector<const change::Change*> out;
  for (const auto& c : d.changes) {
    if (c.type == change::ChangeType::kDml) out.push_back(&c);
  }
  return out;
}

struct ExpectedRow {
  change::Op op;
  std::string table;  // "db.table"
  Json before, after;  // objects (null when the image is absent)
};

// Every row of every rows event of `reference_decode`, in order (payload inner events included).
inline std::vector<ExpectedRow> ExpectedRows(const Json& reference) {
  std::vector<ExpectedRow> out;
  for (const auto& e : reference) {
    const std::string type = e["type"];
    change::Op op;
    if (type == "WRITE_ROWS_V2" || type == "WRITE_ROWS_V1") op = change::Op::kCreate;
    else if (type == "UPDATE_ROWS_V2" || type == "UPDATE_ROWS_V1" || type == "PARTIAL_UPDATE_ROWS") op = change::Op::kUpdate;
    else if (type == "DELETE_ROWS_V2" || type == "DELETE_ROWS_V1") op = change::Op::kDelete;
    else continue;
    for (const auto& r : e["rows"]) {
      out.push_back({op, e["table"], r.value("before", Json()), r.value("after", Json())});
    }
  }
  return out;
}

inline std::string Joined(const Json& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s.get<std::string>();
  return out;
}

// One value against the reference convention (see value_conventions in the fixtures).
inline void CheckValue(const std::string& where, const change::Value& got, const Json& want) {
  using change::ValueKind;
  const std::string seen = change::ValueKindName(got.kind()) + std::string(" ") + change::ToJson(got).substr(0, 200);
  if (want.is_null()) {
    CHECK_MESSAGE(got.is_null(), where << ": want SQL NULL, got " << seen);
  } else if (want.is_number_integer()) {
    if (got.kind() == ValueKind::kInt) CHECK_MESSAGE(got.as_int() == want.get<int64_t>(), where << ": got " << seen << " want " << want);
    else if (got.kind() == ValueKind::kUInt) CHECK_MESSAGE(got.as_uint() == want.get<uint64_t>(), where << ": got " << seen << " want " << want);
    else FAIL_CHECK(where << ": want integer " << want << ", got " << seen);
  } else if (want.is_string()) {
    bool text_kind = got.kind() == ValueKind::kString || got.kind() == ValueKind::kDate ||
                     got.kind() == ValueKind::kDateTime || got.kind() == ValueKind::kTime;
    CHECK_MESSAGE(text_kind, where << ": want text, got " << seen);
    if (text_kind) CHECK_MESSAGE(got.text() == want.get<std::string>(), where << ": got " << seen << " want " << want);
  } else if (want.contains("decimal")) {
    REQUIRE_MESSAGE(got.kind() == ValueKind::kDecimal, where << ": got " << seen);
    CHECK_MESSAGE(got.text() == want["decimal"].get<std::string>(), where << ": got " << seen << " want " << want);
  } else if (want.contains("json")) {
    REQUIRE_MESSAGE(got.kind() == ValueKind::kJson, where << ": got " << seen);
    CHECK_MESSAGE(got.text() == want["json"].get<std::string>(), where << ": got " << got.text() << " want " << want["json"]);
  } else if (want.contains("enum")) {
    REQUIRE_MESSAGE(got.kind() == ValueKind::kString, where << ": got " << seen);
    CHECK_MESSAGE(got.text() == want["enum"].get<std::string>(), where << ": got " << seen << " want " << want);
  } else if (want.contains("enum_index")) {  // no ENUM strings in the binlog: the index
    REQUIRE_MESSAGE(got.kind() == ValueKind::kUInt, where << ": got " << seen);
    CHECK_MESSAGE(got.as_uint() == want["enum_index"].get<uint64_t>(), where << ": got " << seen << " want " << want);
  } else if (want.contains("set")) {
    REQUIRE_MESSAGE(got.kind() == ValueKind::kString, where << ": got " << seen);
    CHECK_MESSAGE(got.text() == Joined(want["set"]), where << ": got " << seen << " want " << want);
  } else if (want.contains("set_bits")) {
    REQUIRE_MESSAGE(got.kind() == ValueKind::kUInt, where << ": got " << seen);
    CHECK_MESSAGE(got.as_uint() == want["set_bits"].get<uint64_t>(), where << ": got " << seen << " want " << want);
  } else if (want.contains("bit")) {
    REQUIRE_MESSAGE(got.kind() == ValueKind::kUInt, where << ": got " << seen);
    CHECK_MESSAGE(got.as_uint() == want["bit"].get<uint64_t>(), where << ": got " << seen << " want " << want);
  } else if (want.contains("hex")) {
    REQUIRE_MESSAGE(got.kind() == ValueKind::kBytes, where << ": got " << seen);
    CHECK_MESSAGE(Hex(got.text()) == want["hex"].get<std::string>(), where << ": got " << Hex(got.text()) << " want " << want);
  } else if (want.contains("utc")) {  // TIMESTAMP2: weft renders it in UTC
    REQUIRE_MESSAGE(got.kind() == ValueKind::kDateTime, where << ": got " << seen);
    CHECK_MESSAGE(got.text() == want["utc"].get<std::string>(), where << ": got " << seen << " want " << want);
  } else if (want.contains("vector_f32")) {
    REQUIRE_MESSAGE(got.kind() == ValueKind::kArray, where << ": got " << seen);
    REQUIRE(got.array().size() == want["vector_f32"].size());
    for (size_t i = 0; i < got.array().size(); ++i) {
      CHECK_MESSAGE(got.array()[i].as_double() == want["vector_f32"][i].get<double>(), where << "[" << i << "]");
    }
  } else {
    FAIL_CHECK(where << ": the test does not know the convention of " << want);
  }
}

// An image against the reference: the same present columns (by name), every value equal. A
// reference {"json_diff": ...} value is a partial JSON update whose before-image lacks the
// document (MINIMAL): weft leaves that column out of the image.
inline size_t CheckImage(const std::string& where, const change::Change& c, const change::RowImage& image,
                         const Json& want) {
  REQUIRE(c.schema);
  size_t compared = 0, expected_present = 0;
  for (const auto& [name, value] : want.items()) {
    int i = c.schema->ColumnIndex(name);
    REQUIRE_MESSAGE(i >= 0, where << ": weft has no column " << name);
    if (value.is_object() && value.contains("json_diff")) {
      CHECK_MESSAGE(!image.Has(static_cast<size_t>(i)), where << " " << name << ": a diff without its document");
      continue;
    }
    ++expected_present;
    REQUIRE_MESSAGE(image.Has(static_cast<size_t>(i)), where << ": column " << name << " is not in weft's image");
    CheckValue(where + " " + name, image.values[static_cast<size_t>(i)], value);
    ++compared;
  }
  size_t present = 0;
  for (size_t i = 0; i < image.values.size(); ++i) present += image.Has(i) ? 1 : 0;
  CHECK_MESSAGE(present == expected_present, where << ": weft's image has " << present << " columns, the reference "
                                                   << expected_present);
  return compared;
}

// Every record's rows against the reference rows, in order. Returns the values compared.
inline size_t CheckAllRows(const std::string& name, const Decoded& d, const std::vector<ExpectedRow>& want) {
  auto rows = Rows(d);
  REQUIRE_MESSAGE(rows.size() == want.size(), name << ": weft decoded " << rows.size() << " rows, the reference " << want.size());
  size_t compared = 0;
  for (size_t k = 0; k < rows.size(); ++k) {
    const change::Change& c = *rows[k];
    const std::string where = name + " row " + std::to_string(k + 1);
    CHECK_MESSAGE(c.op == want[k].op, where << ": op " << static_cast<char>(c.op));
    CHECK_MESSAGE(c.source.db + "." + c.source.table == want[k].table, where);
    if (c.op != change::Op::kCreate) compared += CheckImage(where + " before", c, c.before, want[k].before);
    if (c.op != change::Op::kDelete) compared += CheckImage(where + " after", c, c.after, want[k].after);
  }
  return compared;
}

inline size_t CheckFixture(const std::string& stem) {
  Json expected = LoadExpected(kDir + "/binlogs/" + stem + ".expected.json");
  Decoded d = ReadFixture(kDir + "/binlogs/" + stem + ".binlog");
  return CheckAllRows(stem, d, ExpectedRows(expected["reference_decode"]));
}

}  // namespace weft::test::mysql8
