#pragma once
// Helpers for the security integration tests: configs with a password, a wait for a condition, the
// listening TCP sockets a process owns (from /proc), and a throwaway PKI made with the openssl CLI.

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/weft_process.h"

namespace weft::test {

// Polls `done` every 50 ms until it holds or timeout_ms passes.
inline bool WaitUntil(const std::function<bool()>& done, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// A listening TCP socket: local address as /proc/net/tcp{,6} spells it (hex) and its port.
struct Listener {
  std::string address_hex;  // "0100007F" is 127.0.0.1; v6: 32 hex digits
  int port = 0;
  bool v6 = false;
  bool IsLoopback() const {
    if (!v6) return address_hex.size() == 8 && address_hex.substr(6, 2) == "7F";  // 127.x.x.x, little-endian
    return address_hex == "00000000000000000000000001000000" ||                   // ::1
           (address_hex.substr(0, 24) == "0000000000000000FFFF0000" && address_hex.substr(30, 2) == "7F");
  }
};

// Every TCP socket in LISTEN state that process `pid` holds open.
inline std::vector<Listener> ListeningSockets(int pid) {
  std::set<std::string> inodes;
  std::string fd_dir = "/proc/" + std::to_string(pid) + "/fd";
  if (DIR* d = opendir(fd_dir.c_str())) {
    while (dirent* e = readdir(d)) {
      char target[256];
      ssize_t n = readlink((fd_dir + "/" + e->d_name).c_str(), target, sizeof target - 1);
      if (n <= 0) continue;
      std::string t(target, static_cast<size_t>(n));
      if (t.rfind("socket:[", 0) == 0) inodes.insert(t.substr(8, t.size() - 9));
    }
    closedir(d);
  }
  std::vector<Listener> out;
  for (bool v6 : {false, true}) {
    std::ifstream in("/proc/" + std::to_string(pid) + (v6 ? "/net/tcp6" : "/net/tcp"));
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string sl, local, remote, state, queues, timer, retr, uid, timeout, inode;
      fields >> sl >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >> inode;
      if (state != "0A" || !inodes.count(inode)) continue;  // 0A: LISTEN
      size_t colon = local.find(':');
      Listener l;
      l.address_hex = local.substr(0, colon);
      l.port = static_cast<int>(std::stoul(local.substr(colon + 1), nullptr, 16));
      l.v6 = v6;
      out.push_back(l);
    }
  }
  return out;
}

inline int RunShellCommand(const std::string& command) { return std::system(command.c_str()); }

// A CA and certificates it signs, made with the openssl CLI in `dir`. File names: <name>.pem and
// <name>-key.pem.
class TestPki {
 public:
  explicit TestPki(std::string dir) : dir_(std::move(dir)) {}

  // A self-signed CA.
  bool MakeCa(const std::string& name, const std::string& common_name) {
    return Run("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=" + common_name + "'" +
               " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign" +
               " -keyout " + Key(name) + " -out " + Cert(name));
  }

  // A leaf certificate signed by CA `ca`, with `san` as its subjectAltName ("IP:127.0.0.1").
  bool MakeLeaf(const std::string& name, const std::string& ca, const std::string& common_name,
                const std::string& san, bool client) {
    std::string ext = dir_ + "/" + name + ".ext";
    WriteFile(ext, "basicConstraints=CA:FALSE\nsubjectAltName=" + san + "\nextendedKeyUsage=" +
                       (client ? "clientAuth" : "serverAuth") + "\n");
    return Run("openssl req -newkey rsa:2048 -nodes -subj '/CN=" + common_name + "' -keyout " + Key(name) +
               " -out " + dir_ + "/" + name + ".csr") &&
           Run("openssl x509 -req -days 2 -in " + dir_ + "/" + name + ".csr -CA " + Cert(ca) + " -CAkey " + Key(ca) +
               " -CAcreateserial -extfile " + ext + " -out " + Cert(name));
  }

  std::string Cert(const std::string& name) const { return dir_ + "/" + name + ".pem"; }
  std::string Key(const std::string& name) const { return dir_ + "/" + name + "-key.pem"; }
  const std::string& error() const { return error_; }

 private:
  bool Run(const std::string& command) {
    std::string log = dir_ + "/openssl.log";
    if (RunShellCommand(command + " >" + log + " 2>&1") == 0) return true;
    error_ = command + "\n" + ReadFile(log);
    return false;
  }
  std::string dir_;
  std::string error_;
};

inline bool HaveOpenssl() { return RunShellCommand("openssl version >/dev/null 2>&1") == 0; }

}  // namespace weft::test
