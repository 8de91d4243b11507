#include "sink/mongo/value_bson.h"

#include <charconv>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "sink/mongo/civil_time.h"
#include "sink/mongo/mongo_handles.h"

namespace weft::sink::mongo {
namespace {

using change::Value;
using change::ValueKind;

constexpr size_t kDecimal128Digits = 34;

// A field name as error messages show it. The path ends up in a log line and in the dead-letter
// table's reason, so a name that BSON refuses (a NUL byte, invalid UTF-8) must not carry those
// bytes along: a NUL would cut the message short. Control bytes become \u00XX, and in a name that
// is not valid UTF-8 every byte above 0x7f becomes \xXX.
std::string PrintableKey(std::string_view key) {
  bool utf8 = bson_utf8_validate(key.data(), key.size(), /*allow_null=*/true);
  std::string out;
  for (unsigned char c : key) {
    char buf[8];
    if (c < 0x20 || c == 0x7f) {
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else if (c > 0x7f && !utf8) {
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string JoinPath(const std::string& path, std::string_view key) {
  if (path.empty()) return PrintableKey(key);
  return path + "." + PrintableKey(key);
}

core::Status Error(const std::string& path, const std::string& what) {
  return core::InvalidArgument((path.empty() ? std::string("document") : path) + ": " + what);
}

core::Status AppendFailed(const std::string& path) {
  return Error(path, "libbson refused the value (the document exceeds BSON's size limit)");
}

// "-0012.3400" -> Decimal128, or false when it has more than 34 significant digits after dropping
// trailing zeros (the caller then stores the text).
bool ToDecimal128(std::string_view text, bson_decimal128_t* out, bool* malformed) {
  *malformed = false;
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  size_t dot = text.find('.');
  std::string_view integer = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (integer.empty() && fraction.empty()) {
    *malformed = true;
    return false;
  }
  std::string coefficient;
  coefficient.reserve(integer.size() + fraction.size());
  for (std::string_view part : {integer, fraction}) {
    for (char c : part) {
      if (c < '0' || c > '9') {
        *malformed = true;
        return false;
      }
      if (coefficient.empty() && c == '0') continue;  // leading zeros are not significant
      coefficient.push_back(c);
    }
  }
  int64_t exponent = -static_cast<int64_t>(fraction.size());
  while (coefficient.size() > kDecimal128Digits && coefficient.back() == '0') {
    coefficient.pop_back();
    ++exponent;
  }
  if (coefficient.size() > kDecimal128Digits) return false;
  if (coefficient.empty()) coefficient = "0";
  std::string normalized = (negative ? "-" : "") + coefficient + "E" + std::to_string(exponent);
  if (!bson_decimal128_from_string(normalized.c_str(), out)) {
    *malformed = true;
    return false;
  }
  return true;
}

core::Status AppendDecimalText(bson_t* out, std::string_view key, std::string_view text, const std::string& path,
                               ConversionNotes* notes) {
  bson_decimal128_t dec;
  bool malformed = false;
  if (ToDecimal128(text, &dec, &malformed)) {
    if (!bson_append_decimal128(out, key.data(), static_cast<int>(key.size()), &dec)) return AppendFailed(path);
    return core::Status::Ok();
  }
  if (malformed) return Error(path, "DECIMAL text \"" + std::string(text) + "\" is not a number");
  if (notes) ++notes->decimals_as_text;
  if (!bson_append_utf8(out, key.data(), static_cast<int>(key.size()), text.data(), static_cast<int>(text.size()))) {
    return AppendFailed(path);
  }
  return core::Status::Ok();
}

core::Status CheckKey(std::string_view key, const std::string& path) {
  if (!bson_utf8_validate(key.data(), key.size(), /*allow_null=*/false)) {
    return Error(path, "field name is not valid UTF-8 or holds a NUL byte");
  }
  return core::Status::Ok();
}

using OrderedJson = nlohmann::ordered_json;

core::Status AppendJsonNode(bson_t* out, std::string_view key, const OrderedJson& node, const std::string& path) {
  const char* k = key.data();
  int klen = static_cast<int>(key.size());
  bool ok = true;
  switch (node.type()) {
    case OrderedJson::value_t::null: ok = bson_append_null(out, k, klen); break;
    case OrderedJson::value_t::boolean: ok = bson_append_bool(out, k, klen, node.get<bool>()); break;
    case OrderedJson::value_t::number_integer: ok = bson_append_int64(out, k, klen, node.get<int64_t>()); break;
    case OrderedJson::value_t::number_unsigned: {
      uint64_t u = node.get<uint64_t>();
      if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        ok = bson_append_int64(out, k, klen, static_cast<int64_t>(u));
      } else {
        return AppendDecimalText(out, key, std::to_string(u), path, nullptr);
      }
      break;
    }
    case OrderedJson::value_t::number_float: ok = bson_append_double(out, k, klen, node.get<double>()); break;
    case OrderedJson::value_t::string: {
      const std::string& s = node.get_ref<const std::string&>();
      ok = bson_append_utf8(out, k, klen, s.data(), static_cast<int>(s.size()));
      break;
    }
    case OrderedJson::value_t::array: {
      bson_t child;
      if (!bson_append_array_begin(out, k, klen, &child)) return AppendFailed(path);
      uint32_t i = 0;
      for (const auto& item : node) {
        char buf[16];
        const char* ik;
        size_t iklen = bson_uint32_to_string(i, &ik, buf, sizeof buf);
        WEFT_RETURN_IF_ERROR(AppendJsonNode(&child, std::string_view(ik, iklen), item, path + "[" + std::to_string(i) + "]"));
        ++i;
      }
      ok = bson_append_array_end(out, &child);
      break;
    }
    case OrderedJson::value_t::object: {
      bson_t child;
      if (!bson_append_document_begin(out, k, klen, &child)) return AppendFailed(path);
      for (const auto& [name, item] : node.items()) {
        std::string child_path = JoinPath(path, name);
        WEFT_RETURN_IF_ERROR(CheckKey(name, child_path));
        WEFT_RETURN_IF_ERROR(AppendJsonNode(&child, name, item, child_path));
      }
      ok = bson_append_document_end(out, &child);
      break;
    }
    case OrderedJson::value_t::binary:
    case OrderedJson::value_t::discarded: return Error(path, "unexpected JSON node");
  }
  return ok ? core::Status::Ok() : AppendFailed(path);
}

core::Status Append(bson_t* out, std::string_view key, const Value& value, bool in_id, const std::string& path,
                    ConversionNotes* notes) {
  const char* k = key.data();
  int klen = static_cast<int>(key.size());
  bool ok = true;
  switch (value.kind()) {
    case ValueKind::kNull: ok = bson_append_null(out, k, klen); break;
    case ValueKind::kBool: ok = bson_append_bool(out, k, klen, value.as_bool()); break;
    case ValueKind::kInt: {
      int64_t i = value.as_int();
      if (i >= std::numeric_limits<int32_t>::min() && i <= std::numeric_limits<int32_t>::max()) {
        ok = bson_append_int32(out, k, klen, static_cast<int32_t>(i));
      } else {
        ok = bson_append_int64(out, k, klen, i);
      }
      break;
    }
    case ValueKind::kUInt: {
      uint64_t u = value.as_uint();
      if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        ok = bson_append_int64(out, k, klen, static_cast<int64_t>(u));
      } else {
        return AppendDecimalText(out, key, std::to_string(u), path, notes);
      }
      break;
    }
    case ValueKind::kFloat: {
      char buf[32];
      auto res = std::to_chars(buf, buf + sizeof buf, static_cast<float>(value.as_double()));
      double d = 0;
      std::from_chars(buf, res.ptr, d);
      ok = bson_append_double(out, k, klen, d);
      break;
    }
    case ValueKind::kDouble: ok = bson_append_double(out, k, klen, value.as_double()); break;
    case ValueKind::kDecimal: return AppendDecimalText(out, key, value.text(), path, notes);
    case ValueKind::kString: {
      const std::string& s = value.text();
      // NUL inside a string value is legal BSON (the length is explicit); only bad UTF-8 is not.
      if (!bson_utf8_validate(s.data(), s.size(), /*allow_null=*/true)) {
        return Error(path, "string is not valid UTF-8");
      }
      ok = bson_append_utf8(out, k, klen, s.data(), static_cast<int>(s.size()));
      break;
    }
    case ValueKind::kBytes: {
      const std::string& b = value.text();
      ok = bson_append_binary(out, k, klen, BSON_SUBTYPE_BINARY, reinterpret_cast<const uint8_t*>(b.data()),
                              static_cast<uint32_t>(b.size()));
      break;
    }
    case ValueKind::kDate:
    case ValueKind::kDateTime: {
      const std::string& t = value.text();
      if (in_id) {
        ok = bson_append_utf8(out, k, klen, t.data(), static_cast<int>(t.size()));
        break;
      }
      int64_t ms = 0;
      switch (ParseDateTime(t, &ms)) {
        case DateForm::kMillis: ok = bson_append_date_time(out, k, klen, ms); break;
        case DateForm::kZero: ok = bson_append_null(out, k, klen); break;
        case DateForm::kNotACalendarDate: ok = bson_append_utf8(out, k, klen, t.data(), static_cast<int>(t.size())); break;
        case DateForm::kMalformed: return Error(path, "date text \"" + t + "\" is not YYYY-MM-DD[ HH:MM:SS[.ffffff]]");
      }
      break;
    }
    case ValueKind::kTime: {
      const std::string& t = value.text();
      ok = bson_append_utf8(out, k, klen, t.data(), static_cast<int>(t.size()));
      break;
    }
    case ValueKind::kJson: {
      OrderedJson parsed = OrderedJson::parse(value.text(), nullptr, /*allow_exceptions=*/false);
      if (parsed.is_discarded()) return Error(path, "JSON value does not parse (or is not valid UTF-8)");
      return AppendJsonNode(out, key, parsed, path);
    }
    case ValueKind::kArray: {
      bson_t child;
      if (!bson_append_array_begin(out, k, klen, &child)) return AppendFailed(path);
      uint32_t i = 0;
      for (const Value& item : value.array()) {
        char buf[16];
        const char* ik;
        size_t iklen = bson_uint32_to_string(i, &ik, buf, sizeof buf);
        WEFT_RETURN_IF_ERROR(
            Append(&child, std::string_view(ik, iklen), item, in_id, path + "[" + std::to_string(i) + "]", notes));
        ++i;
      }
      ok = bson_append_array_end(out, &child);
      break;
    }
    case ValueKind::kObject: {
      bson_t child;
      if (!bson_append_document_begin(out, k, klen, &child)) return AppendFailed(path);
      for (const auto& [name, item] : value.object()) {
        std::string child_path = JoinPath(path, name);
        WEFT_RETURN_IF_ERROR(CheckKey(name, child_path));
        WEFT_RETURN_IF_ERROR(Append(&child, name, item, in_id, child_path, notes));
      }
      ok = bson_append_document_end(out, &child);
      break;
    }
  }
  return ok ? core::Status::Ok() : AppendFailed(path);
}

}  // namespace

core::Status AppendValue(bson_t* out, std::string_view key, const Value& value, ConversionNotes* notes) {
  return Append(out, key, value, /*in_id=*/false, PrintableKey(key), notes);
}

core::Status AppendId(const Value& id, bson_t* out) { return Append(out, "_id", id, /*in_id=*/true, "_id", nullptr); }

core::Status DocumentToBson(const Value& doc, bson_t* out, ConversionNotes* notes) {
  if (doc.kind() != ValueKind::kObject) return core::InvalidArgument("document is not an object");
  if (const Value* id = doc.Find("_id")) {
    WEFT_RETURN_IF_ERROR(Append(out, "_id", *id, /*in_id=*/true, "_id", notes));
  }
  for (const auto& [name, item] : doc.object()) {
    if (name == "_id") continue;
    WEFT_RETURN_IF_ERROR(CheckKey(name, PrintableKey(name)));
    WEFT_RETURN_IF_ERROR(Append(out, name, item, /*in_id=*/false, PrintableKey(name), notes));
  }
  return core::Status::Ok();
}

std::string DecimalPlainText(const bson_decimal128_t& dec) {
  char buf[BSON_DECIMAL128_STRING];
  bson_decimal128_to_string(&dec, buf);
  std::string_view text(buf);
  bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  if (text.empty() || text[0] < '0' || text[0] > '9') return buf;  // NaN, Infinity
  size_t e = text.find('E');
  std::string_view mantissa = text.substr(0, e);
  int64_t exponent = 0;
  if (e != std::string_view::npos) {
    std::string_view exp_text = text.substr(e + 1);
    if (!exp_text.empty() && exp_text[0] == '+') exp_text.remove_prefix(1);
    std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
  }
  std::string coefficient;
  size_t dot = mantissa.find('.');
  if (dot != std::string_view::npos) {
    exponent -= static_cast<int64_t>(mantissa.size() - dot - 1);
    coefficient = std::string(mantissa.substr(0, dot)) + std::string(mantissa.substr(dot + 1));
  } else {
    coefficient = std::string(mantissa);
  }
  size_t first = coefficient.find_first_not_of('0');
  coefficient = first == std::string::npos ? "0" : coefficient.substr(first);
  std::string plain;
  if (exponent >= 0) {
    plain = coefficient;
    if (coefficient != "0") plain.append(static_cast<size_t>(exponent), '0');
  } else {
    size_t scale = static_cast<size_t>(-exponent);
    if (coefficient.size() <= scale) coefficient.insert(0, scale + 1 - coefficient.size(), '0');
    plain = coefficient.substr(0, coefficient.size() - scale) + "." + coefficient.substr(coefficient.size() - scale);
  }
  return (negative ? "-" : "") + plain;
}

Value BsonToValue(const bson_iter_t* iter_in) {
  bson_iter_t iter = *iter_in;
  switch (bson_iter_type(&iter)) {
    case BSON_TYPE_NULL:
    case BSON_TYPE_UNDEFINED: return Value::Null();
    case BSON_TYPE_BOOL: return Value::Bool(bson_iter_bool(&iter));
    case BSON_TYPE_INT32: return Value::Int(bson_iter_int32(&iter));
    case BSON_TYPE_INT64: return Value::Int(bson_iter_int64(&iter));
    case BSON_TYPE_DOUBLE: return Value::Double(bson_iter_double(&iter));
    case BSON_TYPE_DECIMAL128: {
      bson_decimal128_t dec;
      bson_iter_decimal128(&iter, &dec);
      std::string text = DecimalPlainText(dec);
      bool numeric = !text.empty() && (text.back() >= '0' && text.back() <= '9');
      return numeric ? Value::Decimal(std::move(text)) : Value::String(std::move(text));
    }
    case BSON_TYPE_UTF8: {
      uint32_t len = 0;
      const char* s = bson_iter_utf8(&iter, &len);
      return Value::String(std::string(s, len));
    }
    case BSON_TYPE_BINARY: {
      bson_subtype_t subtype;
      uint32_t len = 0;
      const uint8_t* data = nullptr;
      bson_iter_binary(&iter, &subtype, &len, &data);
      return Value::Bytes(std::string(reinterpret_cast<const char*>(data), len));
    }
    case BSON_TYPE_DATE_TIME: return Value::DateTime(DateTimeText(bson_iter_date_time(&iter)));
    case BSON_TYPE_OID: {
      char hex[25];
      bson_oid_to_string(bson_iter_oid(&iter), hex);
      return Value::String(hex);
    }
    case BSON_TYPE_DOCUMENT:
    case BSON_TYPE_ARRAY: {
      bool is_array = bson_iter_type(&iter) == BSON_TYPE_ARRAY;
      bson_iter_t child;
      Value out = is_array ? Value::MakeArray() : Value::MakeObject();
      if (bson_iter_recurse(&iter, &child)) {
        while (bson_iter_next(&child)) {
          if (is_array) {
            out.array().push_back(BsonToValue(&child));
          } else {
            out.object().emplace_back(std::string(bson_iter_key(&child), bson_iter_key_len(&child)),
                                      BsonToValue(&child));
          }
        }
      }
      return out;
    }
    default: {
      // Types weft never writes (timestamps, regexes, ...): keep their canonical extended JSON.
      BsonPtr holder = NewBson();
      bson_append_value(holder.get(), "v", 1, bson_iter_value(&iter));
      std::string json = CanonicalJson(holder.get());  // { "v" : <value> }
      constexpr std::string_view kPrefix = "{ \"v\" : ";
      if (json.size() > kPrefix.size() + 2 && json.compare(0, kPrefix.size(), kPrefix) == 0) {
        json = json.substr(kPrefix.size(), json.size() - kPrefix.size() - 2);
      }
      return Value::Json(std::move(json));
    }
  }
}

}  // namespace weft::sink::mongo
