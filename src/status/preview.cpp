#include "status/preview.h"

#include <set>

#include "change/value.h"
#include "change/value_codec.h"

namespace weft::status {

void PreviewBuffer::AddView(const std::string& view, Kind kind) { views_[view].kind = kind; }

std::vector<std::string> PreviewBuffer::Views() const {
  std::vector<std::string> names;
  for (const auto& [name, buffer] : views_) names.push_back(name);
  return names;
}

void PreviewBuffer::Fill(Entry* entry, const std::string* encoded_doc, uint64_t order, int64_t time_ms) {
  entry->order = order;
  entry->time_ms = time_ms;
  entry->deleted = encoded_doc == nullptr;
  entry->bytes = encoded_doc ? encoded_doc->size() : 0;
  if (encoded_doc && encoded_doc->size() <= kMaxDocumentBytes) {
    entry->encoded.assign(*encoded_doc);  // reuses the slot's capacity
  } else {
    entry->encoded.clear();
  }
}

void PreviewBuffer::Record(const std::string& view, const std::string& id_key, const std::string* encoded_doc,
                           int64_t time_ms) {
  auto it = views_.find(view);
  if (it == views_.end()) return;
  ViewBuffer& buffer = it->second;
  uint64_t order = next_order_++;
  if (buffer.kind == Kind::kWide) {
    if (buffer.ring.size() < kWideDocuments) {
      buffer.ring.emplace_back();
      buffer.next = buffer.ring.size() - 1;
    }
    Slot& slot = buffer.ring[buffer.next];
    slot.id.assign(id_key);
    Fill(&slot.entry, encoded_doc, order, time_ms);
    buffer.next = (buffer.next + 1) % kWideDocuments;
    return;
  }
  auto found = buffer.by_id.find(id_key);
  if (found != buffer.by_id.end()) {
    buffer.by_order.erase(found->second.order);
    if (encoded_doc == nullptr) {  // the group left the aggregate
      buffer.by_id.erase(found);
      return;
    }
  } else if (encoded_doc == nullptr) {
    return;
  }
  Fill(&buffer.by_id[id_key], encoded_doc, order, time_ms);
  buffer.by_order.emplace(order, id_key);
  while (buffer.by_order.size() > kAggregateGroups) {
    auto oldest = buffer.by_order.begin();
    buffer.by_id.erase(oldest->second);
    buffer.by_order.erase(oldest);
    buffer.evicted = true;
  }
}

bool PreviewBuffer::AppendItem(const std::string& view, const std::string& id, const Entry& entry, std::string* out) {
  *out += "{\"id\":";
  change::AppendJsonString(id, out);
  *out += ",\"changed_ms\":" + std::to_string(entry.time_ms);
  *out += std::string(",\"deleted\":") + (entry.deleted ? "true" : "false");
  if (!entry.deleted) {
    change::Value doc;
    if (entry.encoded.empty()) {
      *out += ",\"too_large_bytes\":" + std::to_string(entry.bytes);
    } else if (change::DecodeValue(entry.encoded, &doc)) {
      *out += ",\"doc\":";
      change::AppendJson(doc, out);
    } else {
      return false;
    }
  }
  *out += '}';
  return true;
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
  auto add = [&](const std::string& id, const Entry& entry) -> core::Status {
    if (n++ > 0) out += ',';
    if (AppendItem(view, id, entry, &out)) return core::Status::Ok();
    return core::Internal("preview of view " + view + ": document " + id +
                          " does not decode (a bug: this process encoded it)");
  };
  if (buffer.kind == Kind::kWide) {
    std::set<std::string> shown;  // newest first: a document written again shows its newest version
    for (size_t i = 0; i < buffer.ring.size() && n < limit; ++i) {
      const Slot& slot = buffer.ring[(buffer.next + buffer.ring.size() - 1 - i) % buffer.ring.size()];
      if (!shown.insert(slot.id).second) continue;
      WEFT_RETURN_IF_ERROR(add(slot.id, slot.entry));
    }
  } else {
    for (auto order = buffer.by_order.rbegin(); order != buffer.by_order.rend() && n < limit; ++order) {
      WEFT_RETURN_IF_ERROR(add(order->second, buffer.by_id.at(order->second)));
    }
  }
  out += "]}";
  return out;
}

}  // namespace weft::status
