// The keys of a `kind = "kafka"` sink (see conf/weft.toml). Kept apart from sections.cpp because
// the Kafka sink has more keys than every other kind together.
#include "config/sections.h"
#include "config/toml_reader.h"

namespace weft::config {

void ParseKafkaSinkKeys(TableReader& r, ParseContext& ctx, SinkConfig* s) {
  const std::string& scope = r.scope();
  if (r.String("brokers", &s->brokers, Need::kRequired)) {
    // librdkafka would accept "kafka://host" and then fail every connection; say it here instead.
    if (s->brokers.find("://") != std::string::npos || s->brokers.find_first_of(" \t") != std::string::npos) {
      ctx.diag.Add(r.WhereValue("brokers"),
                   scope + ".brokers: expected \"host:port\" or \"host1:port,host2:port\" (no scheme, no spaces)");
    }
  }
  r.String("topic_prefix", &s->topic_prefix);
  // Kafka topic names: up to 249 of [A-Za-z0-9._-]; the view's collection name is appended.
  if (s->topic_prefix.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
      std::string::npos) {
    ctx.diag.Add(r.WhereValue("topic_prefix"),
                 scope + ".topic_prefix: \"" + s->topic_prefix +
                     "\" may only hold letters, digits, '.', '_' and '-' (Kafka topic names)");
  }
  r.String("client_id", &s->client_id);
  if (s->client_id.empty()) ctx.diag.Add(r.WhereValue("client_id"), scope + ".client_id: must not be empty");
  r.Enum("security_protocol", &s->security_protocol, {"plaintext", "ssl", "sasl_plaintext", "sasl_ssl"});
  const bool sasl = s->security_protocol.rfind("sasl_", 0) == 0;
  const bool tls = s->security_protocol == "ssl" || s->security_protocol == "sasl_ssl";
  bool has_mechanism = r.Enum("sasl_mechanism", &s->sasl_mechanism, {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"});
  bool has_user = r.String("sasl_username", &s->sasl_username);
  bool literal = false;
  bool has_password = r.String("sasl_password", &s->sasl_password, Need::kOptional, &literal);
  if (has_password && literal && !s->sasl_password.empty()) {
    ctx.literal_secrets.push_back({r.WhereValue("sasl_password"), scope + ".sasl_password"});
  }
  if (sasl && (!has_mechanism || !has_user || !has_password)) {
    ctx.diag.Add(r.WhereValue("security_protocol"),
                 scope + ": security_protocol = \"" + s->security_protocol +
                     "\" needs sasl_mechanism, sasl_username and sasl_password (write the password as ${ENV_VAR})");
  } else if (!sasl && (has_mechanism || has_user || has_password)) {
    ctx.diag.Add(r.WhereValue(has_mechanism ? "sasl_mechanism"
                              : has_user    ? "sasl_username"
                                            : "sasl_password"),
                 scope + ": sasl_* keys need security_protocol = \"sasl_plaintext\" or \"sasl_ssl\"");
  }
  if (r.String("ssl_ca", &s->ssl_ca)) {
    s->ssl_ca = ResolvePath(ctx.config_dir, s->ssl_ca);
    if (!tls) {
      ctx.diag.Add(r.WhereValue("ssl_ca"), scope + ".ssl_ca: needs security_protocol = \"ssl\" or \"sasl_ssl\"");
    }
  }
  // librdkafka's own bounds for queue.buffering.max.messages / .kbytes and message.timeout.ms.
  r.Int("queue_max_messages", &s->queue_max_messages, 1, 2147483647);
  r.Int("queue_max_kbytes", &s->queue_max_kbytes, 1, 2147483647);
  r.Int("delivery_timeout_ms", &s->delivery_timeout_ms, 100, 2147483647);
  int64_t number = 0;
  if (r.Int("batch_size", &number, 1, 100000)) s->batch_size = static_cast<int>(number);
  if (r.StringList("change_sources", &s->change_sources)) {
    const toml::array* list = r.Node("change_sources")->as_array();
    for (size_t i = 0; i < s->change_sources.size(); ++i) {
      s->change_source_locations.push_back(list != nullptr && i < list->size()
                                               ? LocationOf(ctx.diag, (*list)[i].source())
                                               : r.WhereValue("change_sources"));
    }
  }
}

void CheckChangeSources(const Config& config, Diagnostics& diag) {
  std::vector<std::string> defined;
  for (const auto& source : config.sources) defined.push_back(source.name);
  for (const auto& sink : config.sinks) {
    const std::string scope = "sinks." + sink.name + ".change_sources";
    for (size_t i = 0; i < sink.change_sources.size(); ++i) {
      const std::string& name = sink.change_sources[i];
      const Location& where = sink.change_source_locations[i];
      bool repeated = false;
      for (size_t j = 0; j < i; ++j) repeated = repeated || sink.change_sources[j] == name;
      if (repeated) {
        diag.Add(where, scope + ": \"" + name + "\" is listed twice");
      } else if (!config.FindSource(name)) {
        std::string message = scope + ": source \"" + name + "\" is not defined (no [sources." + name +
                              "]; defined: " + (defined.empty() ? std::string("none") : JoinNames(defined)) + ")";
        if (std::string guess = ClosestMatch(name, defined); !guess.empty()) {
          message += "; did you mean \"" + guess + "\"?";
        }
        diag.Add(where, message);
      } else {
        bool read = false;
        for (const auto& view : config.views) read = read || view.source == name;
        if (!read) {
          diag.Add(where, scope + ": source \"" + name +
                              "\" feeds no view, so weft reads none of its tables: add a [[views]] with source = \"" +
                              name + "\" (its change records cover the tables the source's views use)");
        }
      }
    }
  }
}

}  // namespace weft::config
