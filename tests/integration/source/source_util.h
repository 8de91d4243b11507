#pragma once
// Helpers for the source integration tests: a config file for a harness server, `weft tail` output
// as parsed records, waiting for output with a deadline (a hung test fails, it does not hang).

#include <signal.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/weft_process.h"

namespace weft::test {

inline std::string WriteSourceConfig(const std::string& dir, int port, const std::string& database,
                                     const std::string& user = "root", const std::string& password = "",
                                     const std::string& extra_source_lines = "") {
  std::string path = dir + "/weft.toml";
  WriteFile(path, "[state]\npath = \"" + dir + "/state.db\"\n\n[sources.shop]\nkind = \"mysql\"\nhost = \"127.0.0.1\"\n" +
                      "port = " + std::to_string(port) + "\nuser = \"" + user + "\"\npassword = \"" + password +
                      "\"\ndatabase = \"" + database + "\"\nserver_id = 5401\n" + extra_source_lines);
  return path;
}

// The complete lines of `text` (a trailing partial line is left out: it is still being written).
inline std::vector<std::string> CompleteLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (true) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) break;
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

// Parses a record line. Non-integer numbers become {"$raw": "<the exact text>"} so that DECIMAL
// digits and float renderings can be compared exactly (a double would round them).
inline nlohmann::json ParseRecord(const std::string& line) {
  struct RawNumbers : nlohmann::detail::json_sax_dom_parser<nlohmann::json> {
    using Base = nlohmann::detail::json_sax_dom_parser<nlohmann::json>;
    explicit RawNumbers(nlohmann::json& j) : Base(j, false) {}
    bool number_float(double, const std::string& s) {
      std::string key = "$raw", text = s;  // key() and string() copy from their (non-const) arguments
      Base::start_object(1);
      Base::key(key);
      Base::string(text);
      return Base::end_object();
    }
  };
  nlohmann::json out;
  RawNumbers sax(out);
  bool ok = nlohmann::json::sax_parse(line, &sax);
  if (!ok) FAIL("not a JSON line: " << line);
  return out;
}

// Waits until `process` has printed at least `n` complete lines (or exits, or the deadline).
inline std::vector<std::string> WaitForLines(WeftProcess& process, size_t n, int timeout_ms = 30000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::vector<std::string> lines;
  while (true) {
    lines = CompleteLines(process.Stdout());
    if (lines.size() >= n || !process.running() || std::chrono::steady_clock::now() > deadline) return lines;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

inline bool WaitForStderr(WeftProcess& process, const std::string& needle, int timeout_ms = 30000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (process.Stderr().find(needle) != std::string::npos) return true;
    if (!process.running()) return process.Stderr().find(needle) != std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// SIGTERM, then the exit code (0 expected: tail flushes and exits cleanly).
inline int StopTail(WeftProcess& process) {
  process.Signal(SIGTERM);
  return process.Wait(15000);
}

}  // namespace weft::test
