#include "core/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <vector>

namespace weft::core {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::mutex g_mutex;  // guards g_secrets and serialises writes so lines never interleave
std::vector<std::string> g_secrets;
std::string g_footer;  // guarded by g_mutex

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info ";
    case LogLevel::kWarn: return "warn ";
    case LogLevel::kError: return "error";
    case LogLevel::kOff: return "off  ";
  }
  return "?    ";
}

std::string RedactLocked(std::string text) {
  for (const auto& secret : g_secrets) {
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

// Erases the footer: the cursor is at the end of its last line; leaves it at the start of the first.
void EraseFooterLocked() {
  if (g_footer.empty()) return;
  std::string erase = "\r\033[K";
  for (char c : g_footer) {
    if (c == '\n') erase += "\033[A\r\033[K";
  }
  std::fputs(erase.c_str(), stderr);
}

}  // namespace

void SetFooter(std::string text) {
  std::lock_guard lock(g_mutex);
  EraseFooterLocked();
  g_footer = RedactLocked(std::move(text));
  std::fputs(g_footer.c_str(), stderr);
  std::fflush(stderr);
}

bool ParseLogLevel(std::string_view name, LogLevel* out) {
  if (name == "debug") *out = LogLevel::kDebug;
  else if (name == "info") *out = LogLevel::kInfo;
  else if (name == "warn" || name == "warning") *out = LogLevel::kWarn;
  else if (name == "error") *out = LogLevel::kError;
  else if (name == "off") *out = LogLevel::kOff;
  else return false;
  return true;
}

void SetLogLevel(LogLevel level) { g_level.store(static_cast<int>(level)); }
LogLevel GetLogLevel() { return static_cast<LogLevel>(g_level.load()); }
bool LogEnabled(LogLevel level) { return static_cast<int>(level) >= g_level.load(); }

void RegisterSecret(const std::string& secret) {
  if (secret.size() < 3) return;
  std::lock_guard lock(g_mutex);
  for (const auto& s : g_secrets) if (s == secret) return;
  g_secrets.push_back(secret);
}

std::string RedactSecrets(std::string text) {
  std::lock_guard lock(g_mutex);
  return RedactLocked(std::move(text));
}

void Log(LogLevel level, std::string_view component, std::string_view message) {
  if (!LogEnabled(level) || level == LogLevel::kOff) return;
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  std::lock_guard lock(g_mutex);
  std::string line = RedactLocked(std::string(message));
  EraseFooterLocked();
  std::fprintf(stderr, "%s %s %.*s  %s\n", stamp, LevelName(level), static_cast<int>(component.size()),
               component.data(), line.c_str());
  std::fputs(g_footer.c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace weft::core
