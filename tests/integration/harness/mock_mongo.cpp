#include "integration/harness/mock_mongo.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <sstream>
#include <thread>

#include "integration/harness/mariadb_server.h"

namespace weft::test {

MockMongo::~MockMongo() {
  if (stdin_fd_ >= 0) close(stdin_fd_);
  if (stdout_fd_ >= 0) close(stdout_fd_);
  if (pid_ > 0) {
    // Closing stdin asks the mock to stop; give it a moment, then make sure.
    int status = 0;
    for (int i = 0; i < 50; ++i) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
  }
  if (!dir_.empty() && !getenv("WEFT_TEST_KEEP")) RemoveTree(dir_);
}

bool MockMongo::Start(const std::string& scenario, const std::string& arg) {
  dir_ = MakeTempDir("weft-mock-mongo");
  std::string script = std::string(WEFT_SOURCE_DIR) + "/tests/integration/mongo_wire/mock_mongo.py";
  std::string record = dir_ + "/commands.jsonl";
  std::string err_path = dir_ + "/stderr.log";
  int in_pipe[2], out_pipe[2];
  if (pipe(in_pipe) != 0 || pipe(out_pipe) != 0) {
    error_ = "pipe failed";
    return false;
  }
  pid_ = fork();
  if (pid_ == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    FILE* err = fopen(err_path.c_str(), "w");
    if (err) dup2(fileno(err), 2);
    close(in_pipe[1]);
    close(out_pipe[0]);
    std::vector<const char*> argv = {"/usr/bin/python3", script.c_str(), scenario.c_str(), record.c_str()};
    if (!arg.empty()) argv.push_back(arg.c_str());
    argv.push_back(nullptr);
    execv(argv[0], const_cast<char* const*>(argv.data()));
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  // Our ends must not leak into later children (weft): its copy would keep the mock's stdin open.
  fcntl(in_pipe[1], F_SETFD, FD_CLOEXEC);
  fcntl(out_pipe[0], F_SETFD, FD_CLOEXEC);
  stdin_fd_ = in_pipe[1];
  // Read "PORT <n>\n".
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{out_pipe[0], POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    char buf[64];
    ssize_t n = read(out_pipe[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  stdout_fd_ = out_pipe[0];  // kept for the acknowledgements of Control()
  if (sscanf(line.c_str(), "PORT %d", &port_) != 1) {
    error_ = "mock_mongo.py (/usr/bin/python3 with python3-mockupdb) did not start; its stderr:\n" + Log();
    return false;
  }
  return true;
}

std::string MockMongo::Uri(const std::string& extra) const {
  return "mongodb://127.0.0.1:" + std::to_string(port_) +
         "/?directConnection=true&serverSelectionTimeoutMS=2000&connectTimeoutMS=2000&socketTimeoutMS=2000" + extra;
}

bool MockMongo::Control(const std::string& line) {
  if (stdin_fd_ < 0 || stdout_fd_ < 0) return false;
  std::string text = line + "\n";
  if (write(stdin_fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) return false;
  // The mock answers "OK\n" once the change is in effect.
  std::string reply;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (reply.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    char buf[16];
    ssize_t n = read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) return false;
    reply.append(buf, static_cast<size_t>(n));
  }
  return reply == "OK\n";
}

std::vector<sink::mongo::BsonPtr> MockMongo::Commands(const std::string& name) const {
  std::vector<sink::mongo::BsonPtr> out;
  std::istringstream lines(ReadFile(dir_ + "/commands.jsonl"));
  std::string line;
  while (std::getline(lines, line)) {
    bson_error_t error;
    sink::mongo::BsonPtr doc(
        bson_new_from_json(reinterpret_cast<const uint8_t*>(line.data()), static_cast<ssize_t>(line.size()), &error));
    if (!doc) continue;
    bson_iter_t it;
    if (bson_iter_init(&it, doc.get()) && bson_iter_next(&it) && name == bson_iter_key(&it)) {
      out.push_back(std::move(doc));
    }
  }
  return out;
}

std::string MockMongo::Log() const { return dir_.empty() ? "" : ReadFile(dir_ + "/stderr.log"); }

const bson_value_t* Field(const bson_t* doc, const char* dotted_path, bson_iter_t* storage) {
  bson_iter_t root;
  if (!bson_iter_init(&root, doc) || !bson_iter_find_descendant(&root, dotted_path, storage)) return nullptr;
  return bson_iter_value(storage);
}

std::vector<std::string> Keys(const bson_t* doc) {
  std::vector<std::string> keys;
  bson_iter_t it;
  if (bson_iter_init(&it, doc)) {
    while (bson_iter_next(&it)) keys.emplace_back(bson_iter_key(&it));
  }
  return keys;
}

sink::mongo::BsonPtr Sub(const bson_t* doc, const char* dotted_path) {
  bson_iter_t it;
  const bson_value_t* v = Field(doc, dotted_path, &it);
  if (!v || (v->value_type != BSON_TYPE_DOCUMENT && v->value_type != BSON_TYPE_ARRAY)) return sink::mongo::NewBson();
  return sink::mongo::BsonPtr(bson_new_from_data(v->value.v_doc.data, v->value.v_doc.data_len));
}

}  // namespace weft::test
