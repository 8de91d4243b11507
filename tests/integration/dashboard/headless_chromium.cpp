#include "integration/dashboard/headless_chromium.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "change/value.h"

namespace weft::test {

using nlohmann::json;

std::string FindChromium() {
  if (const char* env = std::getenv("WEFT_CHROMIUM"); env && *env) return access(env, X_OK) == 0 ? env : "";
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    std::stringstream in(dirs);
    std::string dir;
    while (std::getline(in, dir, ':')) {
      std::string candidate = dir + "/" + name;
      if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return "";
}

HeadlessChromium::~HeadlessChromium() {
  if (to_browser_ >= 0) close(to_browser_);
  if (from_browser_ >= 0) close(from_browser_);
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

bool HeadlessChromium::Start(const std::string& binary, const std::string& dir) {
  dir_ = dir;
  signal(SIGPIPE, SIG_IGN);  // a browser that died must fail a write, not end the test
  int in[2], out[2];         // in: test -> browser fd 3; out: browser fd 4 -> test
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
    error_ = "pipe failed";
    return false;
  }
  std::vector<std::string> args = {binary,
                                   "--headless",
                                   "--no-sandbox",  // tests run as root in CI containers
                                   "--disable-gpu",
                                   "--disable-dev-shm-usage",
                                   "--no-first-run",
                                   "--no-default-browser-check",
                                   "--disable-extensions",
                                   "--remote-debugging-pipe",
                                   "--user-data-dir=" + dir + "/chromium-profile",
                                   "about:blank"};
  pid_ = fork();
  if (pid_ == 0) {
    // Out of the way of 3 and 4 first, so the dup2s below cannot clobber each other.
    int read_end = fcntl(in[0], F_DUPFD, 10), write_end = fcntl(out[1], F_DUPFD, 10);
    dup2(read_end, 3);
    dup2(write_end, 4);
    int log = open((dir + "/chromium.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(log, 1);
    dup2(log, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  to_browser_ = in[1];
  from_browser_ = out[0];
  if (pid_ < 0) {
    error_ = "fork failed";
    return false;
  }
  json version = Call("Browser.getVersion", json::object(), "", 30000);
  return !version.is_null();
}

json HeadlessChromium::Call(const std::string& method, const json& params, const std::string& session, int timeout_ms) {
  int id = next_id_++;
  json message = {{"id", id}, {"method", method}, {"params", params}};
  if (!session.empty()) message["sessionId"] = session;
  std::string bytes = message.dump();
  bytes.push_back('\0');
  for (size_t sent = 0; sent < bytes.size();) {
    ssize_t n = write(to_browser_, bytes.data() + sent, bytes.size() - sent);
    if (n <= 0) {
      error_ = "the browser stopped reading (it exited?): " + method;
      return nullptr;
    }
    sent += static_cast<size_t>(n);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    size_t end;
    while ((end = pending_.find('\0')) != std::string::npos) {
      std::string text = pending_.substr(0, end);
      pending_.erase(0, end + 1);
      json answer = json::parse(text, nullptr, false);
      if (answer.is_discarded() || !answer.contains("id") || answer["id"] != id) continue;  // events
      if (answer.contains("error")) {
        error_ = method + ": " + answer["error"].dump();
        return nullptr;
      }
      return answer.value("result", json::object());
    }
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (left <= 0) {
      error_ = method + ": no answer within " + std::to_string(timeout_ms) + " ms";
      return nullptr;
    }
    pollfd p{from_browser_, POLLIN, 0};
    if (poll(&p, 1, left) <= 0) continue;
    char buf[65536];
    ssize_t n = read(from_browser_, buf, sizeof buf);
    if (n <= 0) {
      error_ = method + ": the browser closed its pipe (it exited; see " + dir_ + "/chromium.log)";
      return nullptr;
    }
    pending_.append(buf, static_cast<size_t>(n));
  }
}

std::string HeadlessChromium::Open(const std::string& url, int width, int height) {
  json target = Call("Target.createTarget", {{"url", "about:blank"}});
  if (target.is_null()) return "";
  json attached = Call("Target.attachToTarget", {{"targetId", target["targetId"]}, {"flatten", true}});
  if (attached.is_null()) return "";
  std::string session = attached["sessionId"];
  if (Call("Emulation.setDeviceMetricsOverride",
           {{"width", width}, {"height", height}, {"deviceScaleFactor", 1}, {"mobile", width < 600}}, session)
          .is_null() ||
      Call("Page.enable", json::object(), session).is_null() ||
      Call("Page.navigate", {{"url", url}}, session).is_null()) {
    return "";
  }
  return session;
}

json HeadlessChromium::Evaluate(const std::string& session, const std::string& expression) {
  json r =
      Call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}}, session);
  if (r.is_null() || r.contains("exceptionDetails")) return nullptr;
  return r["result"].value("value", json());
}

bool HeadlessChromium::WaitFor(const std::string& session, const std::string& expression, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    json v = Evaluate(session, "Boolean(" + expression + ")");
    if (v.is_boolean() && v.get<bool>()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

bool HeadlessChromium::Screenshot(const std::string& session, const std::string& path) {
  json shot = Call("Page.captureScreenshot", {{"format", "png"}, {"captureBeyondViewport", true}}, session);
  std::string png;
  if (shot.is_null() || !change::Base64Decode(shot.value("data", ""), &png)) return false;
  std::ofstream(path, std::ios::binary) << png;
  return true;
}

std::string HeadlessChromium::Log() const {
  std::ifstream in(dir_ + "/chromium.log");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace weft::test
