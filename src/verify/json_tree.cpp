#include "verify/json_tree.h"

#include <cstdint>
#include <string>

namespace weft::verify {
namespace {

using change::Value;

constexpr int kMaxDepth = 200;  // documents nest a few levels; this only stops runaway input

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  core::Result<Value> ParseAll() {
    Value v;
    if (!ParseValue(&v, 0)) return Error();
    SkipSpace();
    if (i_ != s_.size()) {
      error_ = "trailing characters";
      return Error();
    }
    return v;
  }

 private:
  core::Status Error() const {
    return core::Corruption("document text is not valid JSON at byte " + std::to_string(i_) + ": " + error_);
  }

  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) ++i_;
  }

  bool Fail(const char* why) {
    if (error_.empty()) error_ = why;
    return false;
  }

  bool Literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return Fail("unknown literal");
    i_ += word.size();
    return true;
  }

  bool ParseValue(Value* out, int depth) {
    if (depth > kMaxDepth) return Fail("nested too deeply");
    SkipSpace();
    if (i_ >= s_.size()) return Fail("unexpected end");
    char c = s_[i_];
    if (c == '{') return ParseObject(out, depth);
    if (c == '[') return ParseArray(out, depth);
    if (c == '"') {
      std::string text;
      if (!ParseString(&text)) return false;
      *out = Value::String(std::move(text));
      return true;
    }
    if (c == 't') { *out = Value::Bool(true); return Literal("true"); }
    if (c == 'f') { *out = Value::Bool(false); return Literal("false"); }
    if (c == 'n') { *out = Value::Null(); return Literal("null"); }
    return ParseNumber(out);
  }

  bool ParseNumber(Value* out) {
    size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    auto digits = [&] {
      size_t from = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      return i_ > from;
    };
    if (!digits()) return Fail("expected a value");
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (!digits()) return Fail("bad number");
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (!digits()) return Fail("bad number");
    }
    *out = Value::Decimal(std::string(s_.substr(start, i_ - start)));
    return true;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool Hex4(uint32_t* out) {
    if (i_ + 4 > s_.size()) return Fail("short \\u escape");
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      char h = s_[i_++];
      v <<= 4;
      if (h >= '0' && h <= '9') v |= h - '0';
      else if (h >= 'a' && h <= 'f') v |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F') v |= h - 'A' + 10;
      else return Fail("bad \\u escape");
    }
    *out = v;
    return true;
  }

  bool ParseString(std::string* out) {
    ++i_;  // opening quote
    while (true) {
      if (i_ >= s_.size()) return Fail("unterminated string");
      char c = s_[i_++];
      if (c == '"') return true;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (i_ >= s_.size()) return Fail("unterminated string");
      char e = s_[i_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF && s_.substr(i_, 2) == "\\u") {
            size_t save = i_;
            i_ += 2;
            uint32_t low;
            if (Hex4(&low) && low >= 0xDC00 && low <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else {
              i_ = save;
              error_.clear();
            }
          }
          AppendUtf8(cp, out);
          break;
        }
        default: return Fail("bad escape");
      }
    }
  }

  bool ParseArray(Value* out, int depth) {
    ++i_;
    *out = Value::MakeArray();
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == ']') { ++i_; return true; }
    while (true) {
      Value item;
      if (!ParseValue(&item, depth + 1)) return false;
      out->array().push_back(std::move(item));
      SkipSpace();
      if (i_ >= s_.size()) return Fail("unterminated array");
      char c = s_[i_++];
      if (c == ']') return true;
      if (c != ',') return Fail("expected ',' or ']'");
    }
  }

  bool ParseObject(Value* out, int depth) {
    ++i_;
    *out = Value::MakeObject();
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == '}') { ++i_; return true; }
    while (true) {
      SkipSpace();
      if (i_ >= s_.size() || s_[i_] != '"') return Fail("expected a field name");
      std::string name;
      if (!ParseString(&name)) return false;
      SkipSpace();
      if (i_ >= s_.size() || s_[i_] != ':') return Fail("expected ':'");
      ++i_;
      Value item;
      if (!ParseValue(&item, depth + 1)) return false;
      // emplace_back, not Set: a duplicate name is kept so the diff can show it.
      out->object().emplace_back(std::move(name), std::move(item));
      SkipSpace();
      if (i_ >= s_.size()) return Fail("unterminated object");
      char c = s_[i_++];
      if (c == '}') return true;
      if (c != ',') return Fail("expected ',' or '}'");
    }
  }

  std::string_view s_;
  size_t i_ = 0;
  std::string error_;
};

}  // namespace

core::Result<change::Value> ParseJsonTree(std::string_view text) { return Parser(text).ParseAll(); }

}  // namespace weft::verify
