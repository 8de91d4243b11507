#pragma once
// Runs the real weft binary (the one just built) as a child process, for tests that need the whole
// program: tail, run, verify, crash tests. stdout and stderr go to files in `dir`.

#include <string>
#include <vector>

namespace weft::test {

struct WeftResult {
  int exit_code = -1;  // -1: killed by a signal or timed out
  std::string out;
  std::string err;
};

// Runs weft with `args` and waits up to timeout_s; kills it (SIGKILL) after that.
WeftResult RunWeft(const std::vector<std::string>& args, int timeout_s = 60,
                   const std::vector<std::string>& env = {});

class WeftProcess {
 public:
  WeftProcess() = default;
  ~WeftProcess();
  WeftProcess(const WeftProcess&) = delete;
  WeftProcess& operator=(const WeftProcess&) = delete;

  // Starts weft in the background; stdout/stderr go to files under `dir`.
  bool Start(const std::vector<std::string>& args, const std::string& dir,
             const std::vector<std::string>& env = {});
  void Signal(int sig);
  // Waits up to timeout_ms for exit; returns the exit code, -1 on signal, -2 on timeout. After the
  // process was reaped (by Wait or running()), returns its exit code again.
  int Wait(int timeout_ms);
  bool running();
  std::string Stdout() const;
  std::string Stderr() const;
  // How many times `needle` occurs in stderr (weft's log) so far.
  int CountLog(const std::string& needle) const;
  // Waits until stderr holds `needle` at least `count` times; false on timeout or when weft exits
  // first (its log is then complete, so waiting longer cannot help).
  bool WaitForLog(const std::string& needle, int timeout_ms, int count = 1);
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  int reaped_code_ = -1;
  std::string out_path_, err_path_;
};

}  // namespace weft::test
