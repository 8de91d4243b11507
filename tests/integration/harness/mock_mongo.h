#pragma once
// Runs tests/integration/mongo_wire/mock_mongo.py (Debian's python3-mockupdb, under /usr/bin/python3)
// as a child process with a scenario, and reads back the commands it recorded. Control() changes
// its behaviour while it runs (outages, rejected documents). Stopped (stdin closed, then SIGKILL if
// it lingers) and its temp dir removed in the destructor.

#include <string>
#include <vector>

#include "sink/mongo/mongo_handles.h"

namespace weft::test {

class MockMongo {
 public:
  MockMongo() = default;
  ~MockMongo();
  MockMongo(const MockMongo&) = delete;
  MockMongo& operator=(const MockMongo&) = delete;

  // Starts the mock; false with error() set when it does not come up within 20 s.
  bool Start(const std::string& scenario, const std::string& arg = "");
  int port() const { return port_; }
  const std::string& error() const { return error_; }
  // mongodb://127.0.0.1:PORT/?directConnection=true with short timeouts (2 s) so that failures are
  // quick; `extra` ("&socketTimeoutMS=500") is appended.
  std::string Uri(const std::string& extra = "") const;
  // Sends one control line ("down hangup", "down error", "down silent", "up", "reject ID CODE",
  // "accept ID"; see mock_mongo.py) and waits until the mock has it in effect. False on failure.
  bool Control(const std::string& line);

  // Every recorded command whose name (first key) is `name`, in arrival order.
  std::vector<sink::mongo::BsonPtr> Commands(const std::string& name) const;
  // The mock's stderr, for failure messages.
  std::string Log() const;

 private:
  int pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int port_ = 0;
  std::string dir_;
  std::string error_;
};

// Field access for asserting on recorded commands.
const bson_value_t* Field(const bson_t* doc, const char* dotted_path, bson_iter_t* storage);
std::vector<std::string> Keys(const bson_t* doc);
// The embedded document or array at `dotted_path`, as its own bson_t (empty when absent).
sink::mongo::BsonPtr Sub(const bson_t* doc, const char* dotted_path);

}  // namespace weft::test
