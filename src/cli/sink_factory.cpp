// sink::MakeSink lives with the commands because only the binary links every sink kind; the sink
// libraries know nothing of each other.
#include <memory>

#include "sink/document_sink.h"
#include "sink/jsonl/jsonl_sink.h"
#include "sink/kafka/kafka_sink.h"
#include "sink/mongo/mongo_sink.h"
#include "sink/sqlite/sqlite_sink.h"

namespace weft::sink {

core::Result<std::unique_ptr<DocumentSink>> MakeSink(const config::SinkConfig& config) {
  auto up = [](auto result) -> core::Result<std::unique_ptr<DocumentSink>> {
    if (!result.ok()) return result.status();
    return std::unique_ptr<DocumentSink>(std::move(result).value());
  };
  if (config.kind == "mongodb") return up(mongo::MongoSink::Create(config));
  if (config.kind == "sqlite") return up(sqlite::SqliteSink::Create(config));
  if (config.kind == "jsonl") return up(jsonl::JsonlSink::Create(config));
  if (config.kind == "kafka") return up(kafka::KafkaSink::Create(config));
  return core::InvalidArgument((config.location.file.empty() ? std::string() : config.location.ToString() + ": ") +
                               "sink " + config.name + ": kind = \"" + config.kind +
                               "\" is not one of mongodb, sqlite, jsonl, kafka");
}

}  // namespace weft::sink
