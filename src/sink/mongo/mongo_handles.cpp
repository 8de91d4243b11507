#include "sink/mongo/mongo_handles.h"

#include <cstdlib>
#include <mutex>
#include <string>

#include "core/log.h"

namespace weft::sink::mongo {
namespace {

void ForwardMongocLog(mongoc_log_level_t level, const char* domain, const char* message, void*) {
  // libmongoc's info/debug/trace lines are chatty and of no use to an operator of weft.
  core::LogLevel weft_level;
  switch (level) {
    case MONGOC_LOG_LEVEL_ERROR:
    case MONGOC_LOG_LEVEL_CRITICAL: weft_level = core::LogLevel::kError; break;
    case MONGOC_LOG_LEVEL_WARNING: weft_level = core::LogLevel::kWarn; break;
    default: return;
  }
  core::Log(weft_level, "mongoc", std::string(domain ? domain : "") + ": " + (message ? message : ""));
}

}  // namespace

void EnsureMongocInitialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    mongoc_init();
    mongoc_log_set_handler(&ForwardMongocLog, nullptr);
    std::atexit([] { mongoc_cleanup(); });
  });
}

std::string CanonicalJson(const bson_t* doc) {
  size_t length = 0;
  BsonCharPtr text(bson_as_canonical_extended_json(doc, &length));
  if (!text) return {};
  return std::string(text.get(), length);
}

}  // namespace weft::sink::mongo
