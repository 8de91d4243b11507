#include "change/value_codec.h"

#include <cstring>

namespace weft::change {
namespace {

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutFixed64(uint64_t v, std::string* out) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  out->append(buf, 8);
}

class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  bool Byte(uint8_t* v) {
    if (pos_ >= b_.size()) return false;
    *v = static_cast<uint8_t>(b_[pos_++]);
    return true;
  }
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t byte;
      if (!Byte(&byte)) return false;
      *v |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;
  }
  bool Fixed64(uint64_t* v) {
    if (b_.size() - pos_ < 8) return false;
    *v = 0;
    for (int i = 0; i < 8; ++i) *v |= static_cast<uint64_t>(static_cast<uint8_t>(b_[pos_ + i])) << (8 * i);
    pos_ += 8;
    return true;
  }
  bool Bytes(std::string* s) {
    std::string_view v;
    if (!View(&v)) return false;
    s->assign(v.data(), v.size());
    return true;
  }
  // A length-prefixed byte string, without copying it.
  bool View(std::string_view* v) {
    uint64_t n;
    if (!Varint(&n) || n > b_.size() - pos_) return false;
    *v = b_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  size_t pos() const { return pos_; }
  size_t remaining() const { return b_.size() - pos_; }

 private:
  std::string_view b_;
  size_t pos_ = 0;
};

// Decodes into *out in place: containers are sized from their count (bounded by the bytes left,
// so a hostile count cannot allocate more than the input) and their items decoded where they
// live, which spares a temporary and a move per node (the outbox and replica rows are decoded for
// every document built).
bool Decode(Reader& r, Value* out, int depth) {
  if (depth > 200) return false;  // hostile nesting
  uint8_t kind_byte;
  if (!r.Byte(&kind_byte) || kind_byte > static_cast<uint8_t>(ValueKind::kObject)) return false;
  auto kind = static_cast<ValueKind>(kind_byte);
  uint64_t u;
  std::string_view text;
  switch (kind) {
    case ValueKind::kNull: *out = Value::Null(); return true;
    case ValueKind::kBool: {
      uint8_t b;
      if (!r.Byte(&b)) return false;
      *out = Value::Bool(b != 0);
      return true;
    }
    case ValueKind::kInt:
      if (!r.Fixed64(&u)) return false;
      *out = Value::Int(static_cast<int64_t>(u));
      return true;
    case ValueKind::kUInt:
      if (!r.Fixed64(&u)) return false;
      *out = Value::UInt(u);
      return true;
    case ValueKind::kFloat:
    case ValueKind::kDouble: {
      if (!r.Fixed64(&u)) return false;
      double d;
      std::memcpy(&d, &u, sizeof d);
      *out = kind == ValueKind::kFloat ? Value::Float(static_cast<float>(d)) : Value::Double(d);
      return true;
    }
    case ValueKind::kDecimal: if (!r.View(&text)) return false; *out = Value::Decimal(std::string(text)); return true;
    case ValueKind::kString: if (!r.View(&text)) return false; *out = Value::String(std::string(text)); return true;
    case ValueKind::kBytes: if (!r.View(&text)) return false; *out = Value::Bytes(std::string(text)); return true;
    case ValueKind::kDate: if (!r.View(&text)) return false; *out = Value::Date(std::string(text)); return true;
    case ValueKind::kDateTime: if (!r.View(&text)) return false; *out = Value::DateTime(std::string(text)); return true;
    case ValueKind::kTime: if (!r.View(&text)) return false; *out = Value::Time(std::string(text)); return true;
    case ValueKind::kJson: if (!r.View(&text)) return false; *out = Value::Json(std::string(text)); return true;
    case ValueKind::kArray: {
      uint64_t n;
      if (!r.Varint(&n) || n > r.remaining()) return false;  // every item takes at least one byte
      *out = Value::MakeArray();
      Array& items = out->array();
      items.resize(n);
      for (auto& item : items) {
        if (!Decode(r, &item, depth + 1)) return false;
      }
      return true;
    }
    case ValueKind::kObject: {
      uint64_t n;
      if (!r.Varint(&n) || n > r.remaining() / 2) return false;  // a field takes at least two bytes
      *out = Value::MakeObject();
      Object& fields = out->object();
      // resize(n) would value-initialise the pairs, which clang 14 with libstdc++ 12 refuses
      // (pair<string, Value> is declared while Value is incomplete); copies of an empty field
      // compile with both compilers (the fuzz targets are built with clang).
      fields.resize(n, Field(std::string(), Value()));
      for (auto& [name, item] : fields) {
        if (!r.Bytes(&name) || !Decode(r, &item, depth + 1)) return false;
      }
      return true;
    }
  }
  return false;
}

constexpr uint8_t kAbsentSlot = 0x41;

uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t UnZigZag(uint64_t u) { return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1)); }

}  // namespace

void EncodeValue(const Value& value, std::string* out) {
  out->push_back(static_cast<char>(value.kind()));
  switch (value.kind()) {
    case ValueKind::kNull: return;
    case ValueKind::kBool: out->push_back(value.as_bool() ? 1 : 0); return;
    case ValueKind::kInt: PutFixed64(static_cast<uint64_t>(value.as_int()), out); return;
    case ValueKind::kUInt: PutFixed64(value.as_uint(), out); return;
    case ValueKind::kFloat:
    case ValueKind::kDouble: {
      double d = value.as_double();
      uint64_t u;
      std::memcpy(&u, &d, sizeof u);
      PutFixed64(u, out);
      return;
    }
    case ValueKind::kDecimal:
    case ValueKind::kString:
    case ValueKind::kBytes:
    case ValueKind::kDate:
    case ValueKind::kDateTime:
    case ValueKind::kTime:
    case ValueKind::kJson:
      PutVarint(value.text().size(), out);
      out->append(value.text());
      return;
    case ValueKind::kArray:
      PutVarint(value.array().size(), out);
      for (const auto& item : value.array()) EncodeValue(item, out);
      return;
    case ValueKind::kObject:
      PutVarint(value.object().size(), out);
      for (const auto& [name, item] : value.object()) {
        PutVarint(name.size(), out);
        out->append(name);
        EncodeValue(item, out);
      }
      return;
  }
}

std::string EncodeValue(const Value& value) {
  std::string out;
  EncodeValue(value, &out);
  return out;
}

bool DecodeValue(std::string_view bytes, Value* out, size_t* consumed) {
  Reader r(bytes);
  if (!Decode(r, out, 0)) return false;
  if (consumed) *consumed = r.pos();
  return true;
}

bool EncodeRow(const Value& object, const std::vector<std::string>& columns, std::string* out) {
  if (object.kind() != ValueKind::kObject) return false;
  const Object& fields = object.object();
  // Where each field goes; checked before anything is written so a refusal leaves *out alone.
  size_t slot = 0;
  for (const auto& field : fields) {
    while (slot < columns.size() && columns[slot] != field.first) ++slot;
    if (slot == columns.size()) return false;
    ++slot;
  }
  out->push_back(kRowTag);
  PutVarint(slot, out);  // one past the last field's position
  size_t next = 0;  // the next column without a slot written
  for (const auto& [name, value] : fields) {
    for (; columns[next] != name; ++next) out->push_back(static_cast<char>(kAbsentSlot));
    ++next;
    if (value.kind() == ValueKind::kInt) {
      out->push_back(static_cast<char>(ValueKind::kInt));
      PutVarint(ZigZag(value.as_int()), out);
    } else if (value.kind() == ValueKind::kUInt) {
      out->push_back(static_cast<char>(ValueKind::kUInt));
      PutVarint(value.as_uint(), out);
    } else {
      EncodeValue(value, out);
    }
  }
  return true;
}

bool DecodeRow(std::string_view bytes, const std::vector<std::string>& columns, Value* out) {
  Reader r(bytes);
  uint8_t tag;
  uint64_t n;
  if (!r.Byte(&tag) || tag != static_cast<uint8_t>(kRowTag) || !r.Varint(&n) || n > columns.size() ||
      n > r.remaining()) {
    return false;
  }
  *out = Value::MakeObject();
  Object& fields = out->object();
  fields.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (r.remaining() == 0) return false;
    uint8_t kind = static_cast<uint8_t>(bytes[r.pos()]);
    if (kind == kAbsentSlot) {
      r.Byte(&kind);
      continue;
    }
    fields.emplace_back(columns[i], Value());
    Value& value = fields.back().second;
    if (kind == static_cast<uint8_t>(ValueKind::kInt) || kind == static_cast<uint8_t>(ValueKind::kUInt)) {
      uint64_t u;
      r.Byte(&kind);
      if (!r.Varint(&u)) return false;
      value = kind == static_cast<uint8_t>(ValueKind::kInt) ? Value::Int(UnZigZag(u)) : Value::UInt(u);
    } else if (!Decode(r, &value, 1)) {
      return false;
    }
  }
  return r.remaining() == 0;
}

}  // namespace weft::change
