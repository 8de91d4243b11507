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

TEST_CASE("Create accepts a URI with TLS options") {
  for (const std::string& options :
       {std::string("tls=true"), std::string("tls=true&tlsCAFile=/etc/weft/mongo-ca.pem"),
        std::string("ssl=true&tlsCAFile=/etc/weft/mongo-ca.pem&tlsCertificateKeyFile=/etc/weft/client.pem"
                    "&tlsCertificateKeyFilePassword=" + kPassword),
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

TEST_CASE("Open with TLS against nothing fails as unavailable, naming the hosts but not the password") {
  auto sink = MongoSink::Create(Config("mongodb://weft:" + kPassword +
                                       "@127.0.0.1:1/?tls=true&tlsCAFile=/nonexistent/ca.pem"
                                       "&serverSelectionTimeoutMS=200&connectTimeoutMS=200"));
  REQUIRE(sink.ok());
  weft::core::Status st = (*sink)->Open();
  REQUIRE_FALSE(st.ok());
  CHECK(st.code() == weft::core::Code::kUnavailable);
  CHECK(st.message().find("127.0.0.1:1") != std::string::npos);
  CHECK(st.message().find(kPassword) == std::string::npos);
}
