#include "status/preview.h"

#include "change/value.h"
#include "change/value_codec.h"

namespace weft::status {

void PreviewBuffer::AddView(const std::string& view, Kind kind) { views_[view].kind = kind; }

std::vector<std::string> PreviewBuffer::Views() const {
  std::vector<std::string> names;
  for (const auto& [name, buffer] : views_) names.push_back(name);
  return names;
}

void PreviewBuffer::Record(const std::string& view, const std::string& id_key, const std::string* encoded_doc,
                           int64_t time_ms) {
  auto it = views_.find(view);
  if (it == views_.end()) return;
  ViewBuffer& buffer = it->second;
  auto found = buffer.by_id.find(id_key);
  if (found != buffer.by_id.end()) {
    buffer.by_order.erase(found->second.order);
    // A group that left the aggregate is no longer one of its groups; a wide view's delete is news.
    if (encoded_doc == nullptr && buffer.kind == Kind::kAggregate) {
      buffer.by_id.erase(found);
      return;
    }
  } else if (encoded_doc == nullptr && buffer.kind == Kind::kAggregate) {
    return;
  }
  Entry& entry = buffer.by_id[id_key];
  entry.order = next_order_++;
  entry.time_ms = time_ms;
  entry.deleted = encoded_doc == nullptr;
  entry.bytes = encoded_doc ? encoded_doc->size() : 0;
  if (encoded_doc && encoded_doc->size() <= kMaxDocumentBytes) {
    entry.encoded = *encoded_doc;
  } else {
    entry.encoded.clear();
  }
  buffer.by_order.emplace(entry.order, id_key);
  size_t capacity = buffer.kind == Kind::kWide ? kWideDocuments : kAggregateGroups;
  while (buffer.by_order.size() > capacity) {
    auto oldest = buffer.by_order.begin();
    buffer.by_id.erase(oldest->second);
    buffer.by_order.erase(oldest);
    if (buffer.kind == Kind::kAggregate) buffer.evicted = true;  // a wide view only keeps the newest anyway
  }
}

core::Result<std::string> PreviewBuffer::RenderJson(const std::string& view, size_t limit) const {
  auto it = views_.find(view);
  if (it == views_.end()) {
    std::string known;
    for (const auto& [name, buffer] : views_) known += (known.empty() ? "" : ", ") + name;
    return core::NotFound("no view named \"" + view + "\" (views: " + (known.empty() ? "none" : known) + ")");
  }
  const ViewBuffer& buffer = it->second;
  std::string out = "{\"view\":";
  change::AppendJsonString(view, &out);
  out += buffer.kind == Kind::kWide ? ",\"kind\":\"wide\"" : ",\"kind\":\"aggregate\"";
  out += ",\"capacity\":" + std::to_string(buffer.kind == Kind::kWide ? kWideDocuments : kAggregateGroups);
  out += std::string(",\"evicted\":") + (buffer.evicted ? "true" : "false");
  out += ",\"items\":[";
  size_t n = 0;
  for (auto order = buffer.by_order.rbegin(); order != buffer.by_order.rend() && n < limit; ++order, ++n) {
    const Entry& entry = buffer.by_id.at(order->second);
    if (n > 0) out += ',';
    out += "{\"id\":";
    change::AppendJsonString(order->second, &out);
    out += ",\"changed_ms\":" + std::to_string(entry.time_ms);
    out += std::string(",\"deleted\":") + (entry.deleted ? "true" : "false");
    if (!entry.deleted) {
      change::Value doc;
      if (entry.encoded.empty()) {
        out += ",\"too_large_bytes\":" + std::to_string(entry.bytes);
      } else if (change::DecodeValue(entry.encoded, &doc)) {
        out += ",\"doc\":";
        change::AppendJson(doc, &out);
      } else {
        return core::Internal("preview of view " + view + ": document " + order->second +
                                      " does not decode (a bug: it was encoded by this process)");
      }
    }
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace weft::status
