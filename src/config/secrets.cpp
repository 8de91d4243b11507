#include "config/secrets.h"

#include <sys/stat.h>

#include <cstdio>

#include "core/log.h"

namespace weft::config {

std::string UriPassword(std::string_view uri) {
  size_t scheme = uri.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = uri.substr(scheme + 3);
  // The authority ends at the first '/' or '?'; a password may itself hold '@' only percent-encoded,
  // but be lenient and take the last '@' before the path as the end of the userinfo.
  std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return "";
  std::string_view userinfo = authority.substr(0, at);
  size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) return "";
  return std::string(userinfo.substr(colon + 1));
}

std::string PercentDecode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int hi = hex(text[i + 1]);
      int lo = hex(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

void RegisterConfigSecrets(const Config& config) {
  for (const auto& source : config.sources) core::RegisterSecret(source.password);
  for (const auto& sink : config.sinks) {
    std::string password = UriPassword(sink.uri);
    core::RegisterSecret(password);
    core::RegisterSecret(PercentDecode(password));
    core::RegisterSecret(sink.sasl_password);
  }
}

std::string FileModeWarning(const std::string& path, const std::vector<LiteralSecret>& literal) {
  if (literal.empty()) return "";
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "";
  if ((st.st_mode & (S_IRGRP | S_IROTH)) == 0) return "";
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  std::string where;
  for (const auto& secret : literal) {
    if (!where.empty()) where += ", ";
    where += secret.what + " at " + secret.where.ToString();
  }
  return path + " holds a password in clear (" + where + ") and is readable by group/others (mode " +
         mode + "); restrict it with 'chmod 600 " + path +
         "', or put the password in an environment variable and write ${VAR} in its place";
}

}  // namespace weft::config
