#include "pipeline/change_records.h"

#include "change/debezium_envelope.h"

namespace weft::pipeline {
namespace {

constexpr char kPrefix[] = "changes:";

}  // namespace

std::string ChangeRecordsView(const std::string& source) { return kPrefix + source; }

bool IsChangeRecordsView(const std::string& view) { return view.rfind(kPrefix, 0) == 0; }

void AddChangeRecords(const std::vector<std::string>& sinks, const std::string& source, const change::Change& change,
                      int64_t now_ms, std::vector<view::PendingWrite>* out) {
  if (sinks.empty()) return;
  std::vector<change::EnvelopeValues> messages = change::EnvelopeMessageValues(change, now_ms);
  if (messages.empty()) return;
  const std::string topic = change::ChangeTopic("", change);
  const std::string view = ChangeRecordsView(source);
  for (const auto& sink : sinks) {
    for (const auto& m : messages) {
      view::PendingWrite w;
      w.view = view;
      w.sink = sink;
      w.write.collection = topic;
      w.write.id = m.key;
      // Names the row in logs and dead letters; never used to coalesce (OutboxFeed keeps every
      // change record).
      w.write.id_key = change::ToJson(m.key);
      w.write.doc = m.value;
      out->push_back(std::move(w));
    }
  }
}

}  // namespace weft::pipeline
