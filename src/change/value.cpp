#include "change/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace weft::change {

const char* ValueKindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNull: return "null";
    case ValueKind::kBool: return "bool";
    case ValueKind::kInt: return "int";
    case ValueKind::kUInt: return "uint";
    case ValueKind::kFloat: return "float";
    case ValueKind::kDouble: return "double";
    case ValueKind::kDecimal: return "decimal";
    case ValueKind::kString: return "string";
    case ValueKind::kBytes: return "bytes";
    case ValueKind::kDate: return "date";
    case ValueKind::kDateTime: return "datetime";
    case ValueKind::kTime: return "time";
    case ValueKind::kJson: return "json";
    case ValueKind::kArray: return "array";
    case ValueKind::kObject: return "object";
  }
  return "?";
}

const Value* Value::Find(std::string_view name) const {
  if (kind_ != ValueKind::kObject) return nullptr;
  for (const auto& [k, v] : std::get<Object>(v_)) if (k == name) return &v;
  return nullptr;
}

Value* Value::Find(std::string_view name) {
  if (kind_ != ValueKind::kObject) return nullptr;
  for (auto& [k, v] : std::get<Object>(v_)) if (k == name) return &v;
  return nullptr;
}

void Value::Set(std::string name, Value value) {
  if (kind_ != ValueKind::kObject) *this = MakeObject();
  if (Value* existing = Find(name)) {
    *existing = std::move(value);
    return;
  }
  std::get<Object>(v_).emplace_back(std::move(name), std::move(value));
}

bool Value::Erase(std::string_view name) {
  if (kind_ != ValueKind::kObject) return false;
  auto& fields = std::get<Object>(v_);
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    if (it->first == name) {
      fields.erase(it);
      return true;
    }
  }
  return false;
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) return false;
  return a.v_ == b.v_;
}

namespace {

// Decodes one UTF-8 sequence at text[i]; returns its length, or 0 when it is not valid UTF-8
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(i);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) if ((byte(i + k) & 0xC0) != 0x80) return 0;
  if (n == 2 && c < 0xC2) return 0;
  if (n == 3) {
    uint32_t cp = ((c & 0x0F) << 12) | ((byte(i + 1) & 0x3F) << 6) | (byte(i + 2) & 0x3F);
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  }
  if (n == 4) {
    uint32_t cp = ((c & 0x07) << 18) | ((byte(i + 1) & 0x3F) << 12) | ((byte(i + 2) & 0x3F) << 6) |
                  (byte(i + 3) & 0x3F);
    if (cp < 0x10000 || cp > 0x10FFFF) return 0;
  }
  return n;
}

template <typename T>
void AppendNumber(T number, std::string* out) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, number);
  out->append(buf, res.ptr);
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    // Printable ASCII other than '"' and '\\' is copied as a run: most text is nothing else, and
    // one append per run beats one push_back per character.
    size_t run = i;
    while (run < text.size()) {
      unsigned char b = static_cast<unsigned char>(text[run]);
      if (b < 0x20 || b >= 0x80 || b == '"' || b == '\\') break;
      ++run;
    }
    if (run > i) {
      out->append(text.data() + i, run - i);
      i = run;
      if (i == text.size()) break;
    }
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      size_t n = Utf8SequenceLength(text, i);
      if (n == 0) {
        out->append("\xEF\xBF\xBD");  // U+FFFD for a byte that is not UTF-8
        ++i;
      } else {
        out->append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out->append(buf);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

void AppendJson(const Value& value, std::string* out) {
  switch (value.kind()) {
    case ValueKind::kNull: out->append("null"); return;
    case ValueKind::kBool: out->append(value.as_bool() ? "true" : "false"); return;
    case ValueKind::kInt: AppendNumber(value.as_int(), out); return;
    case ValueKind::kUInt: AppendNumber(value.as_uint(), out); return;
    // FLOAT columns print the shortest decimal that round-trips as a float, which is what the
    // server prints for them; through double they would gain noise digits (0.1f -> 0.10000000149).
    // NaN and infinity have no JSON form (to_chars would write "nan"); MySQL and MariaDB refuse to
    // store them, so they only come from damaged binlog bytes: null, as JSON.stringify does
    // (found by tests/fuzz/row_decoder_fuzz).
    case ValueKind::kFloat:
      if (!std::isfinite(value.as_double())) out->append("null");
      else AppendNumber(static_cast<float>(value.as_double()), out);
      return;
    case ValueKind::kDouble:
      if (!std::isfinite(value.as_double())) out->append("null");
      else AppendNumber(value.as_double(), out);
      return;
    case ValueKind::kDecimal: out->append(value.text()); return;
    case ValueKind::kJson: out->append(value.text()); return;
    case ValueKind::kBytes: AppendJsonString(Base64Encode(value.text()), out); return;
    case ValueKind::kString:
    case ValueKind::kDate:
    case ValueKind::kDateTime:
    case ValueKind::kTime: AppendJsonString(value.text(), out); return;
    case ValueKind::kArray: {
      out->push_back('[');
      bool first = true;
      for (const auto& item : value.array()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJson(item, out);
      }
      out->push_back(']');
      return;
    }
    case ValueKind::kObject: {
      out->push_back('{');
      bool first = true;
      for (const auto& [name, item] : value.object()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(name, out);
        out->push_back(':');
        AppendJson(item, out);
      }
      out->push_back('}');
      return;
    }
  }
}

std::string ToJson(const Value& value) {
  std::string out;
  AppendJson(value, &out);
  return out;
}

namespace {
constexpr char kBase64Chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = (b(i) << 16) | (b(i + 1) << 8) | b(i + 2);
    out.push_back(kBase64Chars[(n >> 18) & 63]);
    out.push_back(kBase64Chars[(n >> 12) & 63]);
    out.push_back(kBase64Chars[(n >> 6) & 63]);
    out.push_back(kBase64Chars[n & 63]);
  }
  if (size_t rest = bytes.size() - i; rest > 0) {
    uint32_t n = b(i) << 16;
    if (rest == 2) n |= b(i + 1) << 8;
    out.push_back(kBase64Chars[(n >> 18) & 63]);
    out.push_back(kBase64Chars[(n >> 12) & 63]);
    out.push_back(rest == 2 ? kBase64Chars[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

bool Base64Decode(std::string_view text, std::string* out) {
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (char ch : text) {
    if (ch == '=') { ++pad; continue; }
    if (pad) return false;
    int v;
    if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
    else if (ch >= 'a' && ch <= 'z') v = ch - 'a' + 26;
    else if (ch >= '0' && ch <= '9') v = ch - '0' + 52;
    else if (ch == '+') v = 62;
    else if (ch == '/') v = 63;
    else return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return pad <= 2 && (text.size() % 4 == 0);
}

}  // namespace weft::change
