#pragma once
// Logging: one line per event on stderr (journald picks it up), each line naming its component:
//   2026-11-21T10:00:00.123Z info  source.mysql:shop  connected to 127.0.0.1:3306 ...
// Thread-safe. Secrets registered with RegisterSecret() are replaced by "***" in every line, a last
// line of defence: code should never format a password in the first place.

#include <string>
#include <string_view>

namespace weft::core {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

// "debug" | "info" | "warn" | "error" | "off"; false when the name is unknown.
bool ParseLogLevel(std::string_view name, LogLevel* out);
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
bool LogEnabled(LogLevel level);

// Never logged verbatim (empty strings and strings under 3 characters are ignored).
void RegisterSecret(const std::string& secret);
std::string RedactSecrets(std::string text);

void Log(LogLevel level, std::string_view component, std::string_view message);

// A footer kept below the log lines on stderr: `text` (one or more lines, no trailing newline) is
// drawn at once, erased before each log line and redrawn after it, so live progress bars and log
// lines never garble each other. Empty text removes it. Only for a terminal: the caller checks
// isatty(STDERR_FILENO) (the escapes are ANSI "cursor up" and "erase line").
void SetFooter(std::string text);

// A named logger: Logger log("sink.mongodb:docs"); log.Info("connected");
class Logger {
 public:
  explicit Logger(std::string component) : component_(std::move(component)) {}
  void Debug(std::string_view m) const { if (LogEnabled(LogLevel::kDebug)) Log(LogLevel::kDebug, component_, m); }
  void Info(std::string_view m) const { Log(LogLevel::kInfo, component_, m); }
  void Warn(std::string_view m) const { Log(LogLevel::kWarn, component_, m); }
  void Error(std::string_view m) const { Log(LogLevel::kError, component_, m); }
  const std::string& component() const { return component_; }

 private:
  std::string component_;
};

}  // namespace weft::core
