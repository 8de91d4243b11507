#include "sink/kafka/kafka_handles.h"

#include <syslog.h>

#include "core/log.h"

namespace weft::sink::kafka {
namespace {

// Called on librdkafka's threads; core::Logger is thread-safe and redacts registered secrets.
// Warnings and errors (a broker that refuses connections, an authentication failure) reach the
// operator; the rest of librdkafka's chatter only at log level debug.
void OnLog(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  core::Logger log("rdkafka");
  std::string line = std::string(rd_kafka_name(rk)) + " " + facility + ": " + message;
  if (level <= LOG_WARNING) {
    log.Warn(line);
  } else {
    log.Debug(line);
  }
}

}  // namespace

Settings ConnectionSettings(const config::SinkConfig& config) {
  Settings s = {{"bootstrap.servers", config.brokers},
                {"client.id", config.client_id},
                {"security.protocol", config.security_protocol}};
  if (!config.sasl_mechanism.empty()) s.emplace_back("sasl.mechanism", config.sasl_mechanism);
  if (!config.sasl_username.empty()) s.emplace_back("sasl.username", config.sasl_username);
  if (!config.sasl_password.empty()) s.emplace_back("sasl.password", config.sasl_password);
  if (!config.ssl_ca.empty()) s.emplace_back("ssl.ca.location", config.ssl_ca);
  // A broker closing an idle connection is normal; librdkafka would log each one as an error.
  s.emplace_back("log.connection.close", "false");
  return s;
}

Settings ProducerSettings(const config::SinkConfig& config) {
  Settings s = ConnectionSettings(config);
  // Idempotence keeps librdkafka's own retries from duplicating or reordering messages within a
  // partition, so a key's last message is its latest version; it implies acks=all.
  s.emplace_back("enable.idempotence", "true");
  s.emplace_back("acks", "all");
  s.emplace_back("queue.buffering.max.messages", std::to_string(config.queue_max_messages));
  s.emplace_back("queue.buffering.max.kbytes", std::to_string(config.queue_max_kbytes));
  s.emplace_back("message.timeout.ms", std::to_string(config.delivery_timeout_ms));
  // A batch is flushed right after it is produced: a short linger still groups its messages.
  s.emplace_back("linger.ms", "5");
  // After an outage the engine's next attempt should find the brokers again soon, not after
  // librdkafka's default 10 s reconnect back-off (the engine backs off itself).
  s.emplace_back("reconnect.backoff.max.ms", "1000");
  return s;
}

core::Result<ConfPtr> MakeConf(const Settings& settings) {
  ConfPtr conf(rd_kafka_conf_new());
  char error[512];
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
      bool secret = name == "sasl.password";
      return core::InvalidArgument("librdkafka refuses " + name + (secret ? "" : " = \"" + value + "\"") + ": " +
                                   (secret ? "invalid value" : error));
    }
  }
  rd_kafka_conf_set_log_cb(conf.get(), &OnLog);
  return conf;
}

core::Result<HandlePtr> MakeHandle(rd_kafka_type_t type, ConfPtr conf) {
  char error[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), error, sizeof error);
  if (rk == nullptr) return core::InvalidArgument(std::string("librdkafka cannot create a client: ") + error);
  (void)conf.release();  // rd_kafka_new owns it now
  return HandlePtr(rk);
}

}  // namespace weft::sink::kafka
