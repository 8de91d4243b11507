#include "source/mysql/binlog/position.h"

#include <charconv>
#include <vector>

#include "source/mysql/binlog/mysql_gtid.h"

namespace weft::source::mysql {
namespace {

// Values are percent-escaped where they could break the token's own syntax.
void AppendEscaped(std::string_view value, std::string* out) {
  static const char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : value) {
    if (c == ';' || c == '=' || c == '%' || c < 0x20) {
      out->push_back('%');
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
}

bool Unescape(std::string_view value, std::string* out) {
  out->clear();
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') {
      out->push_back(value[i]);
      continue;
    }
    if (i + 2 >= value.size()) return false;  // '%' needs two hex digits after it
    unsigned v = 0;
    auto r = std::from_chars(value.data() + i + 1, value.data() + i + 3, v, 16);
    if (r.ec != std::errc() || r.ptr != value.data() + i + 3) return false;
    out->push_back(static_cast<char>(v));
    i += 2;
  }
  return true;
}

template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  if (text.empty()) return false;
  auto r = std::from_chars(text.data(), text.data() + text.size(), *out);
  return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

}  // namespace

std::string Position::Encode() const {
  std::string out = "v1;file=";
  AppendEscaped(file, &out);
  out += ";pos=" + std::to_string(pos) + ";skip=" + std::to_string(skip);
  if (has_gtid) {
    out += ";gtid=";
    AppendEscaped(gtid, &out);
  }
  if (has_mysql_gtids) {
    out += ";gtids=";
    AppendEscaped(mysql_gtids, &out);
  }
  return out;
}

core::Result<Position> Position::Parse(std::string_view token) {
  auto bad = [&](const std::string& why) {
    return core::InvalidArgument("offset '" + std::string(token) + "' is not a weft MySQL offset (" + why +
                                 "); use an \"offset\" value printed by weft tail");
  };
  std::vector<std::string_view> fields = Split(token, ';');
  if (fields.empty() || fields[0] != "v1") return bad("it must start with v1;");
  Position p;
  bool has_file = false, has_pos = false;
  for (size_t i = 1; i < fields.size(); ++i) {
    std::string_view f = fields[i];
    size_t eq = f.find('=');
    if (eq == std::string_view::npos) return bad("field '" + std::string(f) + "' has no '='");
    std::string_view key = f.substr(0, eq), value = f.substr(eq + 1);
    if (key == "file") {
      if (!Unescape(value, &p.file)) return bad("bad escape in file");
      has_file = true;
    } else if (key == "pos") {
      if (!ParseNumber(value, &p.pos)) return bad("pos is not a number");
      has_pos = true;
    } else if (key == "skip") {
      if (!ParseNumber(value, &p.skip)) return bad("skip is not a number");
    } else if (key == "gtid") {
      if (!Unescape(value, &p.gtid)) return bad("bad escape in gtid");
      if (auto state = GtidState::Parse(p.gtid); !state.ok()) return bad(state.status().message());
      p.has_gtid = true;
    } else if (key == "gtids") {
      if (!Unescape(value, &p.mysql_gtids)) return bad("bad escape in gtids");
      if (auto set = MysqlGtidSet::Parse(p.mysql_gtids); !set.ok()) return bad(set.status().message());
      p.has_mysql_gtids = true;
    } else {
      return bad("unknown field '" + std::string(key) + "'");
    }
  }
  if (!p.has_gtid && !p.has_mysql_gtids && (!has_file || !has_pos || p.file.empty())) {
    return bad("it needs file and pos, or gtid");
  }
  return p;
}

std::string Gtid::ToString() const {
  return std::to_string(domain) + "-" + std::to_string(server_id) + "-" + std::to_string(sequence);
}

core::Result<GtidState> GtidState::Parse(std::string_view text) {
  GtidState state;
  if (text.empty()) return state;
  for (std::string_view item : Split(text, ',')) {
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    std::vector<std::string_view> parts = Split(item, '-');
    Gtid g;
    if (parts.size() != 3 || !ParseNumber(parts[0], &g.domain) || !ParseNumber(parts[1], &g.server_id) ||
        !ParseNumber(parts[2], &g.sequence)) {
      return core::InvalidArgument("'" + std::string(item) + "' is not a MariaDB GTID (domain-server-sequence)");
    }
    state.domains_[g.domain] = g;
  }
  return state;
}

std::string GtidState::ToString() const {
  std::string out;
  for (const auto& [domain, gtid] : domains_) {
    if (!out.empty()) out.push_back(',');
    out += gtid.ToString();
  }
  return out;
}

}  // namespace weft::source::mysql
