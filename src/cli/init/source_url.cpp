#include "cli/init/source_url.h"

#include <cctype>

namespace weft::cli::init {
namespace {

constexpr const char* kShape =
    " (expected mysql://user[:password]@host[:port]/database or "
    "postgresql://user[:password]@host[:port]/database[?schema=NAME])";

core::Status Bad(const std::string& what) { return core::InvalidArgument("--source: " + what + kShape); }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Percent-decoding; false on a truncated or non-hex escape.
bool Decode(const std::string& in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int hi = HexDigit(in[i + 1]), lo = HexDigit(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

}  // namespace

core::Result<config::SourceConfig> ParseSourceUrl(const std::string& url) {
  config::SourceConfig source;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return Bad("not a URL");
  const std::string scheme = url.substr(0, scheme_end);
  if (scheme == "mysql" || scheme == "mariadb") {
    source.kind = "mysql";
    source.port = 3306;
  } else if (scheme == "postgresql" || scheme == "postgres") {
    source.kind = "postgresql";
    source.port = 5432;
  } else {
    return Bad("unknown scheme '" + scheme + "'");
  }
  std::string rest = url.substr(scheme_end + 3);
  std::string query;
  if (size_t q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  size_t slash = rest.find('/');
  if (slash == std::string::npos || slash + 1 >= rest.size()) return Bad("the database is missing");
  std::string authority = rest.substr(0, slash);
  if (!Decode(rest.substr(slash + 1), &source.database) || source.database.find('/') != std::string::npos) {
    return Bad("the database name is not valid");
  }
  // The last '@' ends the credentials: an unencoded '@' in a password still parses.
  size_t at = authority.rfind('@');
  if (at == std::string::npos) return Bad("the user is missing (user@host)");
  std::string credentials = authority.substr(0, at);
  std::string host_port = authority.substr(at + 1);
  size_t colon = credentials.find(':');
  if (!Decode(credentials.substr(0, colon), &source.user) || source.user.empty())
    return Bad("the user is missing or not valid");
  if (colon != std::string::npos && !Decode(credentials.substr(colon + 1), &source.password)) {
    return Bad("the password has a bad %-escape");
  }
  if (host_port.empty()) return Bad("the host is missing");
  if (host_port.front() == '[') {  // [::1]:3306
    size_t close = host_port.find(']');
    if (close == std::string::npos) return Bad("an IPv6 host needs its closing ']'");
    source.host = host_port.substr(1, close - 1);
    host_port = host_port.substr(close + 1);
    if (!host_port.empty() && host_port.front() != ':') return Bad("unexpected text after the host");
    host_port = host_port.empty() ? "" : host_port.substr(1);
  } else if (size_t pc = host_port.rfind(':'); pc != std::string::npos) {
    source.host = host_port.substr(0, pc);
    host_port = host_port.substr(pc + 1);
  } else {
    source.host = host_port;
    host_port.clear();
  }
  if (source.host.empty()) return Bad("the host is missing");
  if (!host_port.empty()) {
    int port = 0;
    for (char c : host_port) {
      if (!std::isdigit(static_cast<unsigned char>(c)) || port > 65535) return Bad("the port is not a number");
      port = port * 10 + (c - '0');
    }
    if (port < 1 || port > 65535) return Bad("the port must be 1..65535");
    source.port = port;
  }
  if (!query.empty()) {
    if (source.kind != "postgresql" || query.rfind("schema=", 0) != 0 || query.find('&') != std::string::npos ||
        !Decode(query.substr(7), &source.schema) || source.schema.empty()) {
      return Bad("the only query parameter is ?schema=NAME, for PostgreSQL");
    }
  }
  return source;
}

}  // namespace weft::cli::init
