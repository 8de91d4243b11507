#pragma once
// Debian's chromium, headless, driven over the DevTools protocol through --remote-debugging-pipe:
// the browser reads NUL-terminated JSON commands on its fd 3 and writes answers and events on fd 4,
// so the test needs no WebSocket client, no Node and no npm package. Each page opened is attached
// with a flat session id, so Runtime.evaluate and Page.captureScreenshot address it directly.

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>

namespace weft::test {

// The browser to use: $WEFT_CHROMIUM, else chromium / chromium-browser / google-chrome on PATH; ""
// when there is none.
std::string FindChromium();

class HeadlessChromium {
 public:
  HeadlessChromium() = default;
  ~HeadlessChromium();  // kills the browser and reaps it
  HeadlessChromium(const HeadlessChromium&) = delete;
  HeadlessChromium& operator=(const HeadlessChromium&) = delete;

  // Starts `binary` with a fresh profile under `dir` (its log goes to dir/chromium.log). False with
  // error() when it cannot start or does not answer.
  bool Start(const std::string& binary, const std::string& dir);
  // One command; its "result" object. An error answer, a timeout or a browser that died make
  // error() non-empty and return null.
  nlohmann::json Call(const std::string& method, const nlohmann::json& params, const std::string& session = "",
                      int timeout_ms = 20000);
  // Opens `url` in a new tab of width x height CSS pixels; returns the tab's session id ("" on error).
  std::string Open(const std::string& url, int width, int height);
  // Evaluates `expression` in the page (promises awaited); its value, or null on an exception.
  nlohmann::json Evaluate(const std::string& session, const std::string& expression);
  // Polls `expression` every 100 ms until it is true; false after timeout_ms.
  bool WaitFor(const std::string& session, const std::string& expression, int timeout_ms);
  // Writes a PNG of the page (the whole scrollable page) to `path`; false on error.
  bool Screenshot(const std::string& session, const std::string& path);

  const std::string& error() const { return error_; }
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  int to_browser_ = -1;
  int from_browser_ = -1;
  int next_id_ = 1;
  std::string pending_;  // bytes read after the last complete message
  std::string dir_;
  std::string error_;
};

}  // namespace weft::test
