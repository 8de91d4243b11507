// libFuzzer target for the config loader: config::ParseConfig over arbitrary text, toml++'s parser
// included (it is compiled into this target header-only, so it carries the coverage
// instrumentation too). Built only with -DWEFT_FUZZ=ON and clang (tests/fuzz/CMakeLists.txt).
//
// Properties checked beyond "no crash, no sanitizer report":
//   - a failure is kInvalidArgument and every line of its message is "file:line:col: message" for
//     the file name given (the loader's contract: each problem located);
//   - a success satisfies the loader's documented guarantees: at least one source, every lookup's
//     parent index points to an earlier lookup, and the status endpoint is either off or split into
//     a host and a port in 1..65535.
// Seed corpus: conf/weft.toml and tests/fuzz/seeds/config/*.toml (run-fuzzers.sh gathers them);
// tests/fuzz/toml.dict gives the mutator TOML syntax and weft's key names.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config/config.h"
#include "core/log.h"

namespace {

constexpr const char* kPath = "/fuzz/weft.toml";

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "config_fuzz: %s\n%s\n", what, detail.c_str());
  std::abort();
}

void CheckErrorLines(const std::string& message) {
  const std::string prefix = std::string(kPath) + ":";
  size_t start = 0;
  if (message.empty()) Fail("an empty error message", message);
  while (start <= message.size()) {
    size_t nl = message.find('\n', start);
    std::string line = message.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (line.compare(0, prefix.size(), prefix) != 0) {
      Fail("an error line without file:line:col", message);
    }
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
}

// toml++ 3.3 (Debian 12's libtomlplusplus-dev) reaches TOML_UNREACHABLE (__builtin_unreachable) in
// is_non_ascii_horizontal_whitespace() for the code points U+00A1..U+0499 and U+FB36..U+FEFE
// wherever it tests for whitespace: outside strings and comments, and after a line-ending backslash
// in a """ string (upstream marzer/tomlplusplus#190 and #295, fixed by PR #305 after 3.4). That is
// undefined behaviour in the library, not in weft; weft links Debian's GCC-built shared library,
// where such a file gets the ordinary "expected keys, tables, whitespace or comments, saw '§'"
// error (checked by hand). The fuzzer compiles toml++ in with UBSan, so it would stop at the first
// such input and find nothing else: those inputs are skipped. The test below mirrors the library's
// lookup: the code points for which it reaches the unreachable default of its switch.
bool TomlppUnreachable(uint32_t c) {
  if (c < 0xA0 || c > 0xFEFF) return false;
  uint64_t child = (static_cast<uint64_t>(c) - 0xA0) / 0x3FA;
  if ((1ull << child) & 0x7FFFFFFFFFFFF75Eull) return false;
  if (c == 0xA0 || c == 0x3000 || c == 0xFEFF) return false;
  return child != 5 && child != 7;
}

bool HasTomlppUnreachableCodePoint(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    if ((byte(i) & 0xE0) == 0xC0 && i + 1 < text.size()) {
      if (TomlppUnreachable(((byte(i) & 0x1Fu) << 6) | (byte(i + 1) & 0x3Fu))) return true;
    } else if ((byte(i) & 0xF0) == 0xE0 && i + 2 < text.size()) {
      if (TomlppUnreachable(((byte(i) & 0x0Fu) << 12) | ((byte(i + 1) & 0x3Fu) << 6) | (byte(i + 2) & 0x3Fu))) return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The loader logs warnings; thousands of runs a second would only flood the terminal.
  weft::core::SetLogLevel(weft::core::LogLevel::kOff);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (HasTomlppUnreachableCodePoint(text)) return 0;
  auto config = weft::config::ParseConfig(text, kPath);
  if (!config.ok()) {
    if (config.status().code() != weft::core::Code::kInvalidArgument) {
      Fail("ParseConfig failed with a code other than InvalidArgument", config.status().ToString());
    }
    CheckErrorLines(config.status().message());
    return 0;
  }
  if (config->sources.empty()) Fail("a config without sources was accepted", text);
  for (const auto& view : config->views) {
    for (size_t i = 0; i < view.lookups.size(); ++i) {
      int parent = view.lookups[i].parent;
      if (parent < -1 || parent >= static_cast<int>(i)) Fail("a lookup's parent is not an earlier lookup", text);
    }
  }
  if (config->status.enabled && (config->status.port < 1 || config->status.port > 65535 || config->status.host.empty())) {
    Fail("an enabled status endpoint without a valid host:port", text);
  }
  return 0;
}
