#include "source/mysql/decode/json_diff.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "change/json_parse.h"
#include "source/mysql/binlog/byte_reader.h"

namespace weft::source::mysql {
namespace {

struct Leg {
  bool member = true;
  std::string key;  // member
  uint64_t index = 0;  // array
};

core::Status Bad(const std::string& what) { return core::Corruption("partial JSON update: " + what); }

core::Result<std::vector<Leg>> ParsePath(std::string_view path) {
  std::vector<Leg> legs;
  size_t i = 0;
  auto bad = [&](const char* why) { return Bad("path '" + std::string(path) + "' " + why); };
  while (i < path.size() && std::isspace(static_cast<unsigned char>(path[i]))) ++i;
  if (i >= path.size() || path[i] != '$') return bad("does not start with $");
  ++i;
  while (i < path.size()) {
    char c = path[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '.') {
      ++i;
      Leg leg;
      if (i < path.size() && path[i] == '"') {
        // A JSON string literal: find its end (an unescaped quote) and let the JSON parser unescape it.
        size_t end = i + 1;
        while (end < path.size() && path[end] != '"') end += path[end] == '\\' ? 2 : 1;
        if (end >= path.size()) return bad("has an unterminated quoted key");
        auto key = change::ParseJsonValue(path.substr(i, end + 1 - i));
        if (!key.ok() || key->kind() != change::ValueKind::kString) return bad("has a quoted key that does not parse");
        leg.key = key->text();
        i = end + 1;
      } else {
        size_t end = i;
        while (end < path.size() && path[end] != '.' && path[end] != '[' &&
               !std::isspace(static_cast<unsigned char>(path[end]))) {
          ++end;
        }
        if (end == i) return bad("has an empty key");
        leg.key = std::string(path.substr(i, end - i));
        i = end;
      }
      legs.push_back(std::move(leg));
    } else if (c == '[') {
      size_t end = path.find(']', i);
      if (end == std::string_view::npos) return bad("has an unterminated [");
      std::string_view digits = path.substr(i + 1, end - i - 1);
      while (!digits.empty() && digits.front() == ' ') digits.remove_prefix(1);
      while (!digits.empty() && digits.back() == ' ') digits.remove_suffix(1);
      Leg leg;
      leg.member = false;
      auto r = std::from_chars(digits.data(), digits.data() + digits.size(), leg.index);
      if (digits.empty() || r.ec != std::errc() || r.ptr != digits.data() + digits.size()) {
        return bad("has an array index that is not a number");
      }
      legs.push_back(leg);
      i = end + 1;
    } else {
      return bad("does not parse");
    }
  }
  return legs;
}

// MySQL keeps object keys sorted by length, then by bytes.
bool KeyLess(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

JsonNode* Child(JsonNode* node, const Leg& leg) {
  if (leg.member) {
    if (node->kind != JsonNode::Kind::kObject) return nullptr;
    for (auto& m : node->members) {
      if (m.key == leg.key) return &m.value;
    }
    return nullptr;
  }
  if (node->kind != JsonNode::Kind::kArray || leg.index >= node->elements.size()) return nullptr;
  return &node->elements[leg.index];
}

core::Status Apply(const JsonDiff& diff, JsonNode* doc) {
  WEFT_ASSIGN_OR_RETURN(std::vector<Leg> legs, ParsePath(diff.path));
  JsonNode value;
  if (diff.op != JsonDiffOp::kRemove) WEFT_RETURN_IF_ERROR(MysqlJsonToNode(diff.value, &value));
  if (legs.empty()) {  // the whole document
    if (diff.op != JsonDiffOp::kReplace) return Bad("cannot insert or remove '$' itself");
    *doc = std::move(value);
    return core::Status::Ok();
  }
  JsonNode* parent = doc;
  for (size_t i = 0; i + 1 < legs.size(); ++i) {
    parent = Child(parent, legs[i]);
    if (!parent) return Bad("path '" + diff.path + "' is not in the before-image");
  }
  const Leg& last = legs.back();
  JsonNode* target = Child(parent, last);
  switch (diff.op) {
    case JsonDiffOp::kReplace:
      if (!target) return Bad("REPLACE of '" + diff.path + "', which the before-image lacks");
      *target = std::move(value);
      return core::Status::Ok();
    case JsonDiffOp::kRemove:
      if (!target) return Bad("REMOVE of '" + diff.path + "', which the before-image lacks");
      if (last.member) {
        auto& m = parent->members;
        m.erase(std::find_if(m.begin(), m.end(), [&](const JsonMember& kv) { return kv.key == last.key; }));
      } else {
        parent->elements.erase(parent->elements.begin() + static_cast<ptrdiff_t>(last.index));
      }
      return core::Status::Ok();
    case JsonDiffOp::kInsert:
      if (target && last.member) {  // an existing member: the insert sets it (arrays shift instead)
        *target = std::move(value);
        return core::Status::Ok();
      }
      if (last.member) {
        if (parent->kind != JsonNode::Kind::kObject) return Bad("INSERT of '" + diff.path + "' into a non-object");
        auto& m = parent->members;
        auto at = std::lower_bound(m.begin(), m.end(), last.key,
                                   [](const JsonMember& kv, const std::string& key) { return KeyLess(kv.key, key); });
        m.insert(at, JsonMember{last.key, std::move(value)});
      } else {
        if (parent->kind != JsonNode::Kind::kArray) return Bad("INSERT of '" + diff.path + "' into a non-array");
        size_t at = std::min<uint64_t>(last.index, parent->elements.size());
        parent->elements.insert(parent->elements.begin() + static_cast<ptrdiff_t>(at), std::move(value));
      }
      return core::Status::Ok();
  }
  return Bad("unknown operation");
}

}  // namespace

core::Result<std::vector<JsonDiff>> ParseJsonDiffs(std::string_view bytes) {
  std::vector<JsonDiff> diffs;
  ByteReader r(bytes);
  while (!r.empty()) {
    uint8_t op = 0;
    uint64_t len = 0;
    std::string_view path, value;
    if (!r.U8(&op) || op > 2) return Bad("unknown diff operation " + std::to_string(op));
    if (!r.PackedInt(&len) || !r.Bytes(len, &path)) return Bad("diff path is cut short");
    JsonDiff d;
    d.op = static_cast<JsonDiffOp>(op);
    d.path = std::string(path);
    if (d.op != JsonDiffOp::kRemove) {
      if (!r.PackedInt(&len) || !r.Bytes(len, &value) || value.empty()) return Bad("diff value is cut short");
      d.value = std::string(value);
    }
    diffs.push_back(std::move(d));
  }
  return diffs;
}

core::Status ApplyJsonDiffs(const std::vector<JsonDiff>& diffs, JsonNode* doc) {
  for (const JsonDiff& d : diffs) WEFT_RETURN_IF_ERROR(Apply(d, doc));
  return core::Status::Ok();
}

}  // namespace weft::source::mysql
