#include "integration/harness/weft_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "integration/harness/mariadb_server.h"

namespace weft::test {

WeftProcess::~WeftProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

bool WeftProcess::Start(const std::vector<std::string>& args, const std::string& dir,
                        const std::vector<std::string>& env) {
  static int counter = 0;
  ++counter;
  out_path_ = dir + "/weft-" + std::to_string(getpid()) + "-" + std::to_string(counter) + ".out";
  err_path_ = dir + "/weft-" + std::to_string(getpid()) + "-" + std::to_string(counter) + ".err";
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    int out = open(out_path_.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    int err = open(err_path_.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(out, 1);
    dup2(err, 2);
    for (const auto& kv : env) putenv(const_cast<char*>(kv.c_str()));
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(WEFT_BINARY));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(WEFT_BINARY, argv.data());
    _exit(127);
  }
  pid_ = pid;
  return true;
}

void WeftProcess::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

int WeftProcess::Wait(int timeout_ms) {
  if (pid_ <= 0) return reaped_code_;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      reaped_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      return reaped_code_;
    }
    if (std::chrono::steady_clock::now() > deadline) return -2;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool WeftProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    reaped_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;  // for a later Wait()
    return false;
  }
  return true;
}

std::string WeftProcess::Stdout() const { return ReadFile(out_path_); }
std::string WeftProcess::Stderr() const { return ReadFile(err_path_); }

int WeftProcess::CountLog(const std::string& needle) const {
  std::string log = Stderr();
  int n = 0;
  for (size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + needle.size())) ++n;
  return n;
}

bool WeftProcess::WaitForLog(const std::string& needle, int timeout_ms, int count) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    if (CountLog(needle) >= count) return true;
    if (!running()) return CountLog(needle) >= count;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

WeftResult RunWeft(const std::vector<std::string>& args, int timeout_s, const std::vector<std::string>& env) {
  std::string dir = MakeTempDir("weft-run-");
  WeftResult result;
  {
    WeftProcess p;
    if (!p.Start(args, dir, env)) return result;
    int code = p.Wait(timeout_s * 1000);
    if (code == -2) {
      p.Signal(SIGKILL);
      p.Wait(5000);
      code = -1;
    }
    result.exit_code = code;
    result.out = p.Stdout();
    result.err = p.Stderr();
  }
  RemoveTree(dir);
  return result;
}

}  // namespace weft::test
