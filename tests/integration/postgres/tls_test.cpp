// TLS to PostgreSQL: [sources.NAME.tls] modes map to libpq's sslmode. With a server that accepts
// only TLS connections (pg_hba hostssl), "disabled" is refused, "required" connects, "verify_ca"
// checks the server certificate against `ca`, and "verify_identity" also checks its name.
#include <doctest/doctest.h>

#include <signal.h>

#include <cstdlib>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/weft_process.h"
#include "integration/postgres/pg_fixture.h"

using namespace weft::test;

TEST_CASE("postgresql TLS: disabled refused by a TLS-only server; required, verify_ca, verify_identity connect") {
  std::string certs = MakeTempDir("weft-pg-certs-");
  REQUIRE(std::system(("cd " + certs + " && openssl req -new -x509 -days 2 -nodes -subj /CN=127.0.0.1 "
                       "-addext subjectAltName=IP:127.0.0.1 -keyout server.key -out server.crt >/dev/null 2>&1 && "
                       "openssl req -new -x509 -days 2 -nodes -subj /CN=other -keyout other.key -out other.crt "
                       ">/dev/null 2>&1 && chown postgres server.key server.crt && chmod 600 server.key && chmod 755 " + certs)
                          .c_str()) == 0);
  PostgresServer server;
  REQUIRE_MESSAGE(server.Start({"ssl = on", "ssl_cert_file = '" + certs + "/server.crt'",
                                "ssl_key_file = '" + certs + "/server.key'"}),
                  server.error());
  server.CreateShop();
  CreatePgSeedSchema(server, true);
  WriteFile(server.dir() + "/data/pg_hba.conf",
            "local all all trust\n"
            "hostssl all all 127.0.0.1/32 trust\nhostssl replication all 127.0.0.1/32 trust\n"
            "hostnossl all all 127.0.0.1/32 reject\nhostnossl replication all 127.0.0.1/32 reject\n");
  server.Execute("SELECT pg_reload_conf()", "postgres");

  std::string dir = MakeTempDir("weft-pg-tls-");
  auto check = [&](const std::string& tls) {
    std::string config = WritePgSeedConfig(dir, server, "", "");
    // The [sources.shop.tls] table goes right after the source's keys.
    std::string text = ReadFile(config);
    size_t sinks = text.find("[sinks.local]");
    text.insert(sinks, "[sources.shop.tls]\n" + tls + "\n");
    WriteFile(config, text);
    return RunWeft({"check", "-c", config});
  };
  WeftResult disabled = check("mode = \"disabled\"");
  CHECK(disabled.exit_code == 1);
  CHECK_MESSAGE(disabled.out.find("cannot connect") != std::string::npos, disabled.out);
  CHECK(disabled.out.find("no encryption") != std::string::npos);
  WeftResult required = check("mode = \"required\"");
  CHECK_MESSAGE(required.exit_code == 0, required.out << required.err);
  WeftResult verify_ca = check("mode = \"verify_ca\"\nca = \"" + certs + "/server.crt\"");
  CHECK_MESSAGE(verify_ca.exit_code == 0, verify_ca.out << verify_ca.err);
  WeftResult identity = check("mode = \"verify_identity\"\nca = \"" + certs + "/server.crt\"");
  CHECK_MESSAGE(identity.exit_code == 0, identity.out << identity.err);
  WeftResult wrong_ca = check("mode = \"verify_ca\"\nca = \"" + certs + "/other.crt\"");
  CHECK(wrong_ca.exit_code == 1);
  CHECK_MESSAGE(wrong_ca.out.find("certificate verify failed") != std::string::npos, wrong_ca.out);

  // And the stream itself over TLS: a snapshot and a streamed change.
  std::string config = WritePgSeedConfig(dir, server);
  std::string text = ReadFile(config);
  text.insert(text.find("[sinks.local]"), "[sources.shop.tls]\nmode = \"required\"\n");
  WriteFile(config, text);
  WeftProcess weft;
  REQUIRE(weft.Start({"run", "-c", config}, dir));
  REQUIRE_MESSAGE(weft.WaitForLog("streaming slot", 20000), weft.Stderr());
  server.Execute("UPDATE ecom_orders SET order_status = 'tls' WHERE order_id = 'ORD000001'");
  WeftResult verify = VerifyEventually(config, 30);
  CHECK_MESSAGE(verify.exit_code == 0, verify.out << verify.err << weft.Stderr());
  CHECK(server.QueryValue("SELECT bool_and(s.ssl) FROM pg_stat_ssl s JOIN pg_stat_activity a ON a.pid = s.pid "
                          "WHERE a.application_name = 'weft'",
                          "postgres") == "t");
  weft.Signal(SIGTERM);
  CHECK(weft.Wait(10000) == 0);
  RemoveTree(dir);
  RemoveTree(certs);
}
