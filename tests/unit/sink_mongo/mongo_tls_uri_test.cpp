// MongoDB TLS is configured through the sink's URI (tls=true, tlsCAFile, tlsCertificateKeyFile, ...):
// Create accepts those URIs, rejects contradictory TLS options with the URI parser's reason, and
// neither an error nor the hosts string shows the password. No server needed.
#include <doctest/doctest.h>

#include <string>

#include "sink/mongo/mongo_sink.h"

using namespace weft::sink::mongo;

namespace {

const std::string kPassword = "tls-s3cret-pass";

weft::config::SinkConfig Config(std::string uri) {
  weft::config::SinkConfig c;
  c.name = "docs";
  c.kind = "mongodb";
  c.uri = std::move(uri);
  c.database = "ecommerce";
  return c;
}

}  // namespace

// Files that exist on every Debian system stand in for the CA and client certificate files.
const std::string kCa = "/etc/ssl/certs/ca-certificates.crt";
const std::string kClient = WEFT_SOURCE_DIR "/conf/weft.toml";

TEST_CASE("Create accepts a URI with TLS options") {
  for (const std::string& options :
       {std::string("tls=true"), "tls=true&tlsCAFile=" + kCa,
        "ssl=true&tlsCAFile=" + kCa + "&tlsCertificateKeyFile=" + kClient + "&tlsCertificateKeyFilePassword=" + kPassword,
        std::string("tls=true&tlsAllowInvalidHostnames=true&authSource=admin&replicaSet=rs0")}) {
    std::string uri = "mongodb://weft:" + kPassword + "@db1.example:27017,db2.example:27017/?" + options;
    auto sink = MongoSink::Create(Config(uri));
    REQUIRE_MESSAGE(sink.ok(), options << ": " << sink.status().message());
    CHECK((*sink)->hosts() == "db1.example:27017,db2.example:27017");
    CHECK((*sink)->hosts().find(kPassword) == std::string::npos);
  }
}

TEST_CASE("contradictory or malformed TLS options are refused, without the password") {
  for (const std::string& options :
       {std::string("tls=true&ssl=false"), std::string("tls=maybe"),
        std::string("tls=true&tlsInsecure=true&tlsAllowInvalidCertificates=true")}) {
    std::string uri = "mongodb://weft:" + kPassword + "@db1.example:27017/?" + options;
    auto sink = MongoSink::Create(Config(uri));
    REQUIRE_MESSAGE(!sink.ok(), options);
    CHECK(sink.status().code() == weft::core::Code::kInvalidArgument);
    CHECK(sink.status().message().find("does not parse") != std::string::npos);
    CHECK(sink.status().message().find(kPassword) == std::string::npos);
  }
}

TEST_CASE("a TLS file in the URI that cannot be read is named by Create") {
  auto ca = MongoSink::Create(Config("mongodb://weft:" + kPassword + "@db1.example/?tls=true&tlsCAFile=/nonexistent/ca.pem"));
  REQUIRE_FALSE(ca.ok());
  CHECK(ca.status().code() == weft::core::Code::kInvalidArgument);
  CHECK(ca.status().message().find("tlsCAFile=/nonexistent/ca.pem in the uri cannot be read: No such file or directory") !=
        std::string::npos);
  CHECK(ca.status().message().find(kPassword) == std::string::npos);
  auto key = MongoSink::Create(Config("mongodb://db1.example/?tls=true&tlsCertificateKeyFile=/nonexistent/client.pem"));
  REQUIRE_FALSE(key.ok());
  CHECK(key.status().message().find("tlsCertificateKeyFile=/nonexistent/client.pem in the uri cannot be read") !=
        std::string::npos);
}

TEST_CASE("Open with TLS against nothing fails as unavailable, naming the hosts but not the password") {
  auto sink = MongoSink::Create(Config("mongodb://weft:" + kPassword +
                                       "@127.0.0.1:1/?tls=true&tlsCAFile=" + kCa +
                                       "&serverSelectionTimeoutMS=200&connectTimeoutMS=200"));
  REQUIRE(sink.ok());
  weft::core::Status st = (*sink)->Open();
  REQUIRE_FALSE(st.ok());
  CHECK(st.code() == weft::core::Code::kUnavailable);
  CHECK(st.message().find("127.0.0.1:1") != std::string::npos);
  CHECK(st.message().find(kPassword) == std::string::npos);
}
