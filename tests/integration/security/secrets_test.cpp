// Passwords never reach stdout or stderr (log lines, error messages), with a wrong password and a
// right one, at log level debug, for every command that connects; a config holding a literal
// password that others can read draws the warning; the status listener binds to loopback by default.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>

#include <string>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/seed_fixture.h"
#include "integration/harness/weft_process.h"
#include "integration/security/security_util.h"

using namespace weft::test;

namespace {

// Distinctive enough that a hit can only be a leak.
const std::string kRight = "Right-pa55-W3ft-7f1c";
const std::string kWrong = "Wr0ng-pa55-W3ft-9b2e";
const std::string kMongoPassword = "M0ngo-pa55-W3ft-4d8a";

// Source `shop` as user weft with `password`, table shop.items into a SQLite sink, and a second view
// into a MongoDB sink whose URI holds a password and points at a port nobody listens on (so its
// connection errors are logged too). The status endpoint listens on a free loopback port.
std::string WriteConfig(const std::string& dir, int port, const std::string& password, int mongo_port,
                        int status_port) {
  std::string path = dir + "/weft.toml";
  WriteFile(path, "[state]\npath = \"" + dir + "/state.db\"\n\n"
                  "[sources.shop]\nkind = \"mysql\"\nhost = \"127.0.0.1\"\nport = " + std::to_string(port) +
                  "\nuser = \"weft\"\npassword = \"" + password + "\"\ndatabase = \"shop\"\nserver_id = 5411\n\n"
                  "[sinks.local]\nkind = \"sqlite\"\npath = \"" + dir + "/docs.db\"\n\n"
                  "[sinks.docs]\nkind = \"mongodb\"\nuri = \"mongodb://weft:" + kMongoPassword + "@127.0.0.1:" +
                  std::to_string(mongo_port) + "/?serverSelectionTimeoutMS=300&connectTimeoutMS=300\"\n"
                  "database = \"ecommerce\"\n\n"
                  "[[views]]\nname = \"items\"\nsource = \"shop\"\nroot = \"items\"\nsink = \"local\"\n\n"
                  "[[views]]\nname = \"items_mongo\"\nsource = \"shop\"\nroot = \"items\"\nsink = \"docs\"\n\n"
                  "[status]\nlisten = \"127.0.0.1:" + std::to_string(status_port) + "\"\n\n"
                  "[log]\nlevel = \"debug\"\n");
  chmod(path.c_str(), 0600);
  return path;
}

void CheckNoSecret(const std::string& what, const std::string& out, const std::string& err) {
  for (const std::string& secret : {kRight, kWrong, kMongoPassword}) {
    INFO(what << " stdout:\n" << out << "\nstderr:\n" << err);
    CHECK(out.find(secret) == std::string::npos);
    CHECK(err.find(secret) == std::string::npos);
  }
}

struct Server {
  MariaDBServer db;
  std::string dir;
  Server() {
    REQUIRE_MESSAGE(db.Start(), db.error());
    db.Execute("CREATE DATABASE shop; CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(40));"
               "INSERT INTO shop.items VALUES (1, 'one')");
    db.CreateWeftUser(kRight);
    dir = MakeTempDir("weft-secrets-");
  }
  ~Server() { RemoveTree(dir); }
};

}  // namespace

TEST_CASE("a wrong password: check, tail, run and verify fail with the server's refusal and never print it") {
  Server s;
  std::string config = WriteConfig(s.dir, s.db.port(), kWrong, FreePort(), FreePort());

  WeftResult check = RunWeft({"check", "-c", config});
  CHECK(check.exit_code == 1);
  CHECK_MESSAGE(check.out.find("Access denied for user 'weft'") != std::string::npos, check.out);
  CheckNoSecret("check", check.out, check.err);

  WeftResult tail = RunWeft({"tail", "-c", config, "--source", "shop", "--from", "snapshot", "--log-level", "debug"}, 30);
  CHECK(tail.exit_code == 1);
  CHECK_MESSAGE(tail.err.find("Access denied for user 'weft'") != std::string::npos, tail.err);
  CheckNoSecret("tail", tail.out, tail.err);

  // run: whether it gives up or keeps retrying, what it prints must not hold the password.
  WeftProcess run;
  REQUIRE(run.Start({"run", "-c", config, "--log-level", "debug"}, s.dir));
  bool refused = WaitUntil([&] { return run.Stderr().find("Access denied for user 'weft'") != std::string::npos; }, 20000);
  CHECK_MESSAGE(refused, run.Stderr());
  if (run.running()) {
    run.Signal(SIGTERM);
    run.Wait(15000);
  }
  CheckNoSecret("run", run.Stdout(), run.Stderr());

  WeftResult verify = RunWeft({"verify", "-c", config, "--view", "items", "--log-level", "debug"}, 30);
  CHECK(verify.exit_code != 0);
  CHECK_MESSAGE((verify.out + verify.err).find("Access denied for user 'weft'") != std::string::npos,
                verify.out << verify.err);
  CheckNoSecret("verify", verify.out, verify.err);
}

TEST_CASE("the right password at log level debug: check, tail, run and verify work and never print it") {
  Server s;
  std::string config = WriteConfig(s.dir, s.db.port(), kRight, FreePort(), FreePort());

  WeftResult check = RunWeft({"check", "-c", config});
  CHECK_MESSAGE(check.exit_code == 0, check.out << check.err);
  CheckNoSecret("check", check.out, check.err);

  WeftProcess tail;
  REQUIRE(tail.Start({"tail", "-c", config, "--source", "shop", "--from", "snapshot", "--log-level", "debug"}, s.dir));
  CHECK_MESSAGE(WaitUntil([&] { return tail.Stdout().find("\"name\":\"one\"") != std::string::npos; }, 30000),
                tail.Stderr());
  s.db.Execute("INSERT INTO shop.items VALUES (2, 'two')");
  CHECK_MESSAGE(WaitUntil([&] { return tail.Stdout().find("\"name\":\"two\"") != std::string::npos; }, 30000),
                tail.Stderr());
  tail.Signal(SIGTERM);
  CHECK(tail.Wait(15000) == 0);
  CheckNoSecret("tail", tail.Stdout(), tail.Stderr());

  // run writes the SQLite view and keeps failing to reach the MongoDB sink, whose URI holds the
  // other password: both the source's and the sink's log lines are checked.
  WeftProcess run;
  REQUIRE(run.Start({"run", "-c", config, "--log-level", "debug"}, s.dir));
  s.db.Execute("INSERT INTO shop.items VALUES (3, 'three')");
  CHECK_MESSAGE(WaitUntil([&] { return run.Stderr().find("sink.mongodb") != std::string::npos; }, 30000), run.Stderr());
  CHECK_MESSAGE(WaitUntil([&] { return ReadSqliteDocs(s.dir + "/docs.db", "items").count("3") == 1; }, 30000),
                run.Stderr());
  run.Signal(SIGTERM);
  run.Wait(15000);
  CheckNoSecret("run", run.Stdout(), run.Stderr());

  WeftResult verify = RunWeft({"verify", "-c", config, "--view", "items", "--log-level", "debug"}, 60);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err);
  CheckNoSecret("verify", verify.out, verify.err);
}

TEST_CASE("a literal password in a file others can read draws the warning from weft check; 0600 or ${VAR} do not") {
  Server s;
  std::string config = WriteConfig(s.dir, s.db.port(), kRight, FreePort(), FreePort());
  const std::string warning = config + " holds a password in clear (sources.shop.password at " + config + ":";

  chmod(config.c_str(), 0644);
  WeftResult open = RunWeft({"check", "-c", config});
  CHECK_MESSAGE(open.exit_code == 0, open.out << open.err);
  CHECK_MESSAGE(open.err.find(warning) != std::string::npos, open.err);
  CHECK(open.err.find("readable by group/others (mode 0644)") != std::string::npos);
  CHECK(open.err.find("chmod 600 " + config) != std::string::npos);
  CheckNoSecret("check 0644", open.out, open.err);

  chmod(config.c_str(), 0640);  // group-readable is readable by others too
  WeftResult group = RunWeft({"check", "-c", config});
  CHECK_MESSAGE(group.err.find("(mode 0640)") != std::string::npos, group.err);

  chmod(config.c_str(), 0600);
  WeftResult closed = RunWeft({"check", "-c", config});
  CHECK_MESSAGE(closed.exit_code == 0, closed.out << closed.err);
  CHECK(closed.err.find("holds a password in clear") == std::string::npos);

  // The same file with ${VAR} in place of the source password: nothing in clear for that key.
  std::string text = ReadFile(config);
  text.replace(text.find("password = \"" + kRight + "\""), 12 + kRight.size() + 1, "password = \"${WEFT_TEST_PW}\"");
  WriteFile(config, text);
  chmod(config.c_str(), 0644);
  WeftResult env = RunWeft({"check", "-c", config}, 60, {"WEFT_TEST_PW=" + kRight});
  CHECK_MESSAGE(env.exit_code == 0, env.out << env.err);
  CHECK(env.err.find("sources.shop.password") == std::string::npos);
  // The mongodb URI still holds its password in clear: that one is named.
  CHECK_MESSAGE(env.err.find("sinks.docs.uri") != std::string::npos, env.err);
  CheckNoSecret("check ${VAR}", env.out, env.err);
}

TEST_CASE("the status listener binds to loopback by default, and weft opens no other listening socket") {
  Server s;
  std::string config = WriteConfig(s.dir, s.db.port(), kRight, FreePort(), FreePort());
  // Drop the [status] table: the default applies.
  std::string text = ReadFile(config);
  size_t at = text.find("[status]");
  text.erase(at, text.find("[log]") - at);
  WriteFile(config, text);

  WeftProcess run;
  REQUIRE(run.Start({"run", "-c", config}, s.dir));
  // Either it listens on the default 127.0.0.1:8089 or (another process has that port) it says so.
  bool started = WaitUntil([&] {
    const std::string err = run.Stderr();
    return err.find("http://127.0.0.1:8089") != std::string::npos || err.find("running without the status endpoint") != std::string::npos;
  }, 30000);
  REQUIRE_MESSAGE(started, run.Stderr());
  std::vector<Listener> listeners = ListeningSockets(run.pid());
  bool serving = run.Stderr().find("serving GET /status and GET /metrics on http://127.0.0.1:8089") != std::string::npos;
  if (serving) {
    REQUIRE(listeners.size() == 1);
    CHECK(listeners[0].port == 8089);
  } else {
    MESSAGE("port 8089 was busy: checked that weft opened no other listener");
    CHECK(listeners.empty());
  }
  for (const auto& l : listeners) CHECK_MESSAGE(l.IsLoopback(), "listener on " << l.address_hex << ":" << l.port);
  run.Signal(SIGTERM);
  CHECK(run.Wait(15000) == 0);
}
