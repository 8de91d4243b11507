// Problems quote what the file holds; hostile text must not break the one-line-per-problem format
// or reach the terminal as raw control characters (found by tests/fuzz/config_fuzz).
#include <doctest/doctest.h>

#include <string>

#include "config/config.h"

namespace weft::config {
namespace {

std::string Message(const std::string& text) {
  auto config = ParseConfig(text, "t.toml");
  REQUIRE_MESSAGE(!config.ok(), "expected the config to be rejected:\n" << text);
  return config.status().message();
}

const std::string kBase = "[sources.shop]\nkind = \"mysql\"\nuser = \"weft\"\ndatabase = \"shop\"\n";

TEST_CASE("a key holding control characters is quoted escaped, on one line") {
  std::string message = Message(kBase + "\"a\\u001bb\\nc\" = 1\n");
  CHECK(message.find('\n') == std::string::npos);
  CHECK(message.find('\x1b') == std::string::npos);
  CHECK(message.rfind("t.toml:5:1: unknown key 'a\\x1bb\\nc' in [sources.shop]", 0) == 0);
}

TEST_CASE("toml++'s syntax error that quotes a newline stays on one line") {
  // toml++ describes this as "expected 'true', saw 't<newline>'".
  std::string message = Message("a = t\n");
  CHECK(message.find('\n') == std::string::npos);
  CHECK(message.rfind("t.toml:1:", 0) == 0);
  CHECK(message.find("\\n") != std::string::npos);
}

}  // namespace
}  // namespace weft::config
