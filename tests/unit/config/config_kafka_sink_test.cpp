// The keys of a kind = "kafka" sink: defaults, every key read, and mistakes at their place.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "config/config.h"
#include "core/log.h"

namespace weft::config {
namespace {

// Lines 1-4: a valid source; a test's sink starts at line 5.
const std::string kBase =
    "[sources.shop]\n"
    "kind = \"mysql\"\n"
    "user = \"weft\"\n"
    "database = \"shop\"\n";

}  // namespace

TEST_CASE("a kafka sink with only brokers gets the documented defaults") {
  auto config = ParseConfig(kBase + "[sinks.bus]\nkind = \"kafka\"\nbrokers = \"k1:9092,k2:9092\"\n", "t.toml");
  REQUIRE_MESSAGE(config.ok(), config.status().message());
  const SinkConfig& s = config->sinks.at(0);
  CHECK(s.kind == "kafka");
  CHECK(s.brokers == "k1:9092,k2:9092");
  CHECK(s.topic_prefix == "weft.");
  CHECK(s.client_id == "weft");
  CHECK(s.security_protocol == "plaintext");
  CHECK(s.sasl_mechanism.empty());
  CHECK(s.queue_max_messages == 100000);
  CHECK(s.queue_max_kbytes == 65536);
  CHECK(s.delivery_timeout_ms == 30000);
  CHECK(s.batch_size == 1000);
}

TEST_CASE("every kafka key is read; the SASL password from the environment is a secret") {
  setenv("WEFT_TEST_KAFKA_PW", "Kafka-pw-5150", 1);
  auto config = ParseConfig(kBase +
                                "[sinks.bus]\nkind = \"kafka\"\nbrokers = \"k1:9093\"\ntopic_prefix = \"shop.\"\n"
                                "client_id = \"weft-edge-1\"\nsecurity_protocol = \"sasl_ssl\"\n"
                                "sasl_mechanism = \"SCRAM-SHA-512\"\nsasl_username = \"weft\"\n"
                                "sasl_password = \"${WEFT_TEST_KAFKA_PW}\"\nssl_ca = \"ca.pem\"\n"
                                "queue_max_messages = 5000\nqueue_max_kbytes = 1024\ndelivery_timeout_ms = 60000\n"
                                "batch_size = 200\n",
                            "/etc/weft/t.toml");
  unsetenv("WEFT_TEST_KAFKA_PW");
  REQUIRE_MESSAGE(config.ok(), config.status().message());
  const SinkConfig& s = config->sinks.at(0);
  CHECK(s.topic_prefix == "shop.");
  CHECK(s.client_id == "weft-edge-1");
  CHECK(s.security_protocol == "sasl_ssl");
  CHECK(s.sasl_mechanism == "SCRAM-SHA-512");
  CHECK(s.sasl_username == "weft");
  CHECK(s.sasl_password == "Kafka-pw-5150");
  CHECK(s.ssl_ca == "/etc/weft/ca.pem");
  CHECK(s.queue_max_messages == 5000);
  CHECK(s.queue_max_kbytes == 1024);
  CHECK(s.delivery_timeout_ms == 60000);
  CHECK(s.batch_size == 200);
  CHECK(core::RedactSecrets("auth with Kafka-pw-5150 failed") == "auth with *** failed");
}

TEST_CASE("kafka sink mistakes are reported at their place with the fix") {
  auto problems = [](const std::string& sink) {
    auto config = ParseConfig(kBase + "[sinks.bus]\nkind = \"kafka\"\n" + sink, "t.toml");
    REQUIRE(!config.ok());
    return config.status().message();
  };
  CHECK(problems("") == "t.toml:5:1: [sinks.bus] is missing the required key 'brokers'");
  CHECK(problems("brokers = \"kafka://k1:9092\"\n") ==
        "t.toml:7:11: sinks.bus.brokers: expected \"host:port\" or \"host1:port,host2:port\" (no scheme, no spaces)");
  CHECK(problems("brokers = \"k:1\"\ntopic_prefix = \"a b\"\n")
            .find("t.toml:8:16: sinks.bus.topic_prefix: \"a b\" may only hold") == 0);
  CHECK(problems("brokers = \"k:1\"\nsecurity_protocol = \"sasl_plaintext\"\nsasl_username = \"u\"\n") ==
        "t.toml:8:21: sinks.bus: security_protocol = \"sasl_plaintext\" needs sasl_mechanism, sasl_username and "
        "sasl_password (write the password as ${ENV_VAR})");
  CHECK(problems("brokers = \"k:1\"\nsasl_username = \"u\"\n") ==
        "t.toml:8:17: sinks.bus: sasl_* keys need security_protocol = \"sasl_plaintext\" or \"sasl_ssl\"");
  CHECK(problems("brokers = \"k:1\"\nqueue_max_messages = 0\n").find("t.toml:8:22: sinks.bus.queue_max_messages") == 0);
  CHECK(problems("brokers = \"k:1\"\npath = \"x\"\n").find("unknown key 'path' in [sinks.bus] (kind kafka)") !=
        std::string::npos);
}

TEST_CASE("change_sources: the sources whose change records the sink publishes, each checked at its place") {
  // Lines 5-7 the sink, 8 its change_sources, 9-12 a second source, 13-17 a view of shop.
  auto parse = [](const std::string& list) {
    return ParseConfig(kBase + "[sinks.bus]\nkind = \"kafka\"\nbrokers = \"k:1\"\nchange_sources = " + list +
                           "\n[sources.stock]\nkind = \"mysql\"\nuser = \"weft\"\ndatabase = \"stock\"\n"
                           "[[views]]\nname = \"v\"\nsource = \"shop\"\nroot = \"ecom_orders\"\nsink = \"bus\"\n",
                       "t.toml");
  };
  auto ok = parse("[\"shop\"]");
  REQUIRE_MESSAGE(ok.ok(), ok.status().ToString());
  CHECK(ok->FindSink("bus")->change_sources == std::vector<std::string>{"shop"});
  auto none = ParseConfig(kBase + "[sinks.bus]\nkind = \"kafka\"\nbrokers = \"k:1\"\n", "t.toml");
  REQUIRE(none.ok());
  CHECK(none->FindSink("bus")->change_sources.empty());

  auto problem = [&](const std::string& list) {
    auto config = parse(list);
    REQUIRE(!config.ok());
    return config.status().message();
  };
  CHECK(problem("[\"shpo\"]") ==
        "t.toml:8:19: sinks.bus.change_sources: source \"shpo\" is not defined (no [sources.shpo]; defined: shop, "
        "stock); did you mean \"shop\"?");
  CHECK(problem("[\"shop\", \"shop\"]") == "t.toml:8:27: sinks.bus.change_sources: \"shop\" is listed twice");
  CHECK(problem("[\"stock\"]").find("t.toml:8:19: sinks.bus.change_sources: source \"stock\" feeds no view") == 0);
  CHECK(problem("\"shop\"").find("t.toml:8:18: sinks.bus.change_sources") == 0);  // not a list
  // Only a kafka sink publishes change records.
  auto jsonl = ParseConfig(kBase + "[sinks.out]\nkind = \"jsonl\"\npath = \"-\"\nchange_sources = [\"shop\"]\n", "t.toml");
  REQUIRE(!jsonl.ok());
  CHECK(jsonl.status().message().find("unknown key 'change_sources' in [sinks.out] (kind jsonl)") != std::string::npos);
}

}  // namespace weft::config
