// TLS on the MySQL connection, against a harness MariaDB given a certificate made with openssl. The
// weft user is created REQUIRE SSL (or REQUIRE X509), so a connection that succeeds really used TLS
// and the same config with tls.mode = "disabled" is refused.
#include <doctest/doctest.h>
#include <signal.h>

#include <string>

#include "integration/harness/mariadb_server.h"
#include "integration/harness/weft_process.h"
#include "integration/security/security_util.h"

using namespace weft::test;

namespace {

const std::string kPassword = "tls-pa55-W3ft";

// weft.toml in `dir` with source `shop` and the given [sources.shop.tls] lines.
std::string WriteTlsConfig(const std::string& dir, int port, const std::string& tls_lines,
                           const std::string& name = "weft.toml") {
  std::string path = dir + "/" + name;
  WriteFile(path, "[state]\npath = \"" + dir + "/state.db\"\n\n[sources.shop]\nkind = \"mysql\"\nhost = \"127.0.0.1\"\n"
                  "port = " + std::to_string(port) + "\nuser = \"weft\"\npassword = \"" + kPassword +
                  "\"\ndatabase = \"shop\"\nserver_id = 5412\n\n[sources.shop.tls]\n" + tls_lines);
  chmod(path.c_str(), 0600);
  return path;
}

struct Pki {
  std::string dir = MakeTempDir("weft-tls-");
  TestPki pki{dir};
  Pki() {
    REQUIRE_MESSAGE(HaveOpenssl(), "the openssl CLI is missing (tests/install-deps.sh installs it)");
    REQUIRE_MESSAGE(pki.MakeCa("ca", "weft test CA"), pki.error());
    REQUIRE_MESSAGE(pki.MakeCa("other-ca", "some other CA"), pki.error());
    REQUIRE_MESSAGE(pki.MakeLeaf("server", "ca", "127.0.0.1", "IP:127.0.0.1", false), pki.error());
    REQUIRE_MESSAGE(pki.MakeLeaf("server-elsewhere", "ca", "db.example", "DNS:db.example", false), pki.error());
    REQUIRE_MESSAGE(pki.MakeLeaf("client", "ca", "weft", "DNS:weft", true), pki.error());
  }
  ~Pki() { RemoveTree(dir); }
  MariaDBOptions ServerOptions(const std::string& cert) const {
    MariaDBOptions options;
    options.extra_config = {"ssl_ca=" + pki.Cert("ca"), "ssl_cert=" + pki.Cert(cert), "ssl_key=" + pki.Key(cert)};
    return options;
  }
};

void StartWithWeftUser(MariaDBServer& server, const MariaDBOptions& options, const std::string& require) {
  REQUIRE_MESSAGE(server.Start(options), server.error());
  server.Execute("CREATE DATABASE shop; CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(40));"
                 "INSERT INTO shop.items VALUES (1, 'one')");
  server.CreateWeftUser(kPassword);
  if (!require.empty()) server.Execute("ALTER USER 'weft'@'%' REQUIRE " + require);
}

}  // namespace

TEST_CASE("verify_ca with the server's CA connects over TLS; the wrong CA and no TLS are refused clearly") {
  Pki p;
  MariaDBServer server;
  StartWithWeftUser(server, p.ServerOptions("server"), "SSL");
  REQUIRE(server.QueryValue("SELECT @@have_ssl") == "YES");

  // `ca` relative to the config file's directory.
  std::string ok = WriteTlsConfig(p.dir, server.port(), "mode = \"verify_ca\"\nca = \"ca.pem\"\n");
  WeftResult r = RunWeft({"check", "-c", ok});
  CHECK_MESSAGE(r.exit_code == 0, r.out << r.err);
  CHECK(r.out.find("): OK") != std::string::npos);

  // The same user without TLS is refused by the server: the success above was a TLS connection.
  std::string plain = WriteTlsConfig(p.dir, server.port(), "mode = \"disabled\"\n", "plain.toml");
  r = RunWeft({"check", "-c", plain});
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.out.find("Access denied for user 'weft'") != std::string::npos, r.out);

  // A CA that did not sign the server's certificate.
  std::string wrong = WriteTlsConfig(p.dir, server.port(), "mode = \"verify_ca\"\nca = \"" + p.pki.Cert("other-ca") + "\"\n",
                                     "wrong-ca.toml");
  r = RunWeft({"check", "-c", wrong});
  CHECK(r.exit_code == 1);
  INFO(r.out << r.err);
  CHECK(r.out.find("source shop (127.0.0.1:" + std::to_string(server.port()) + "): cannot connect") != std::string::npos);
  CHECK(r.out.find("certificate") != std::string::npos);
  CHECK(r.out.find("the TLS handshake failed") != std::string::npos);
  CHECK(r.out.find("tls.ca must hold the CA that signed the server's certificate") != std::string::npos);
  CHECK(r.out.find(p.pki.Cert("other-ca")) != std::string::npos);

  // A CA file that does not exist.
  std::string missing = WriteTlsConfig(p.dir, server.port(), "mode = \"verify_ca\"\nca = \"nope.pem\"\n", "missing.toml");
  r = RunWeft({"check", "-c", missing});
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.out.find("tls.ca = \"" + p.dir + "/nope.pem\" cannot be read: No such file or directory") !=
                    std::string::npos,
                r.out << r.err);
}

// The user is REQUIRE SSL, so the snapshot reader's and the binlog stream's connections (each opened
// separately) can only succeed over TLS.
TEST_CASE("tail over TLS: the snapshot and the binlog stream both connect with the TLS settings") {
  Pki p;
  MariaDBServer server;
  StartWithWeftUser(server, p.ServerOptions("server"), "SSL");
  std::string config = WriteTlsConfig(p.dir, server.port(), "mode = \"verify_ca\"\nca = \"ca.pem\"\n");
  WeftProcess tail;
  REQUIRE(tail.Start({"tail", "-c", config, "--source", "shop", "--from", "snapshot"}, p.dir));
  CHECK_MESSAGE(WaitUntil([&] { return tail.Stdout().find("\"name\":\"one\"") != std::string::npos; }, 30000), tail.Stderr());
  server.Execute("INSERT INTO shop.items VALUES (2, 'two')");
  CHECK_MESSAGE(WaitUntil([&] { return tail.Stdout().find("\"name\":\"two\"") != std::string::npos; }, 30000), tail.Stderr());
  tail.Signal(SIGTERM);
  CHECK(tail.Wait(15000) == 0);
}

TEST_CASE("verify_identity checks the host name; a client certificate satisfies REQUIRE X509") {
  Pki p;
  {
    MariaDBServer server;
    StartWithWeftUser(server, p.ServerOptions("server"), "X509");
    std::string identity = WriteTlsConfig(p.dir, server.port(), "mode = \"verify_identity\"\nca = \"ca.pem\"\n"
                                                                "cert = \"client.pem\"\nkey = \"client-key.pem\"\n");
    WeftResult r = RunWeft({"check", "-c", identity});
    CHECK_MESSAGE(r.exit_code == 0, r.out << r.err);

    // Without the client certificate the server refuses the user (REQUIRE X509).
    std::string no_cert = WriteTlsConfig(p.dir, server.port(), "mode = \"verify_ca\"\nca = \"ca.pem\"\n", "nocert.toml");
    r = RunWeft({"check", "-c", no_cert});
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(r.out.find("Access denied for user 'weft'") != std::string::npos, r.out);
  }
  {
    // A certificate from the right CA but for another host: verify_ca accepts it, verify_identity not.
    MariaDBServer server;
    StartWithWeftUser(server, p.ServerOptions("server-elsewhere"), "SSL");
    std::string ca_only = WriteTlsConfig(p.dir, server.port(), "mode = \"verify_ca\"\nca = \"ca.pem\"\n", "ca-only.toml");
    WeftResult r = RunWeft({"check", "-c", ca_only});
    CHECK_MESSAGE(r.exit_code == 0, r.out << r.err);
    std::string identity = WriteTlsConfig(p.dir, server.port(), "mode = \"verify_identity\"\nca = \"ca.pem\"\n", "identity.toml");
    r = RunWeft({"check", "-c", identity});
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(r.out.find("cannot connect") != std::string::npos, r.out << r.err);
    CHECK_MESSAGE(r.out.find("must name the host 127.0.0.1 in its subjectAltName") != std::string::npos, r.out);
  }
}

TEST_CASE("required / verify_ca against a server without TLS fail with the fix; preferred falls back") {
  Pki p;
  MariaDBServer server;
  StartWithWeftUser(server, MariaDBOptions{}, "");
  REQUIRE(server.QueryValue("SELECT @@have_ssl") != "YES");
  for (const std::string& tls : {std::string("mode = \"required\"\n"), std::string("mode = \"verify_ca\"\nca = \"ca.pem\"\n")}) {
    std::string config = WriteTlsConfig(p.dir, server.port(), tls);
    WeftResult r = RunWeft({"check", "-c", config});
    INFO(tls << r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("cannot connect") != std::string::npos);
    CHECK(r.out.find("the server does not offer TLS") != std::string::npos);
    CHECK(r.out.find("ssl_cert/ssl_key") != std::string::npos);
    WeftResult tail = RunWeft({"tail", "-c", config, "--source", "shop", "--from", "now"}, 30);
    CHECK(tail.exit_code == 1);
    CHECK(tail.err.find("the server does not offer TLS") != std::string::npos);
  }
  std::string preferred = WriteTlsConfig(p.dir, server.port(), "mode = \"preferred\"\n");
  WeftResult r = RunWeft({"check", "-c", preferred});
  CHECK_MESSAGE(r.exit_code == 0, r.out << r.err);
}
