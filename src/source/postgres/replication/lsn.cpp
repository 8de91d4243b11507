#include "source/postgres/replication/lsn.h"

#include <cstdio>

namespace weft::source::postgres {

std::string FormatLsn(Lsn lsn) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%X/%X", static_cast<unsigned>(lsn >> 32), static_cast<unsigned>(lsn & 0xffffffffu));
  return buf;
}

std::optional<Lsn> ParseLsn(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= text.size() || slash > 8 ||
      text.size() - slash - 1 > 8) {
    return std::nullopt;
  }
  auto hex = [](std::string_view s, uint64_t* out) {
    uint64_t v = 0;
    for (char c : s) {
      int d = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                                       : -1;
      if (d < 0) return false;
      v = v << 4 | static_cast<uint64_t>(d);
    }
    *out = v;
    return true;
  };
  uint64_t hi = 0, lo = 0;
  if (!hex(text.substr(0, slash), &hi) || !hex(text.substr(slash + 1), &lo)) return std::nullopt;
  return hi << 32 | lo;
}

std::string EncodeOffset(Lsn lsn) { return "pg1;lsn=" + FormatLsn(lsn); }

std::optional<Lsn> DecodeOffset(std::string_view offset) {
  constexpr std::string_view kPrefix = "pg1;lsn=";
  if (offset.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  return ParseLsn(offset.substr(kPrefix.size()));
}

}  // namespace weft::source::postgres
