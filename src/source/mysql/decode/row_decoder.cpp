#include "source/mysql/decode/row_decoder.h"

#include <zlib.h>

#include "source/mysql/binlog/binlog_event.h"
#include "source/mysql/binlog/byte_reader.h"
#include "source/mysql/decode/column_types.h"
#include "source/mysql/decode/column_value.h"
#include "source/mysql/decode/json_diff.h"

namespace weft::source::mysql {
namespace {

struct RowsHeader {
  RowsEventTraits traits;
  uint64_t table_id = 0;
  uint16_t flags = 0;
};

core::Status Unsupported(uint8_t event_type) {
  if (event_type == event::kTransactionPayload) {
    return core::InvalidArgument(
        "TRANSACTION_PAYLOAD_EVENT is not a rows event: its inner events are (transaction_payload.h)");
  }
  return core::InvalidArgument(EventTypeName(event_type) + " is not a rows event");
}

constexpr uint64_t kPartialJsonUpdates = 1;  // value_options bit of PARTIAL_UPDATE_ROWS after-images

// What a PARTIAL_UPDATE_ROWS row carries besides its images: the before-image's binary JSON per
// column (to apply diffs to) and, for the after-image, which JSON columns hold a diff.
struct PartialJson {
  const std::vector<int>* json_index = nullptr;  // per column: its index among the JSON columns, or -1
  std::vector<std::string_view> before_raw;      // per column: binary JSON of the before-image
  std::vector<bool> before_has;                  // per column: before_raw is set
  std::string_view diff_bits;                    // after-image: bit k = JSON column k holds a diff
};

core::Result<RowsHeader> ReadHeader(uint8_t event_type, ByteReader* r) {
  RowsHeader h;
  h.traits = RowsEventTraitsOf(event_type);
  if (h.traits.kind == RowsKind::kNone) return Unsupported(event_type);
  uint64_t flags = 0;
  if (!r->LE(6, &h.table_id) || !r->LE(2, &flags)) {
    return core::Corruption(EventTypeName(event_type) + ": post-header is cut short");
  }
  h.flags = static_cast<uint16_t>(flags);
  if (h.traits.v2) {
    uint64_t extra = 0;
    if (!r->LE(2, &extra) || extra < 2 || !r->Skip(extra - 2)) {
      return core::Corruption(EventTypeName(event_type) + ": extra-data header is cut short");
    }
  }
  return h;
}

// MariaDB's binlog_buf_compress format: 0x80 | n (bits 4-6: algorithm, 0 = zlib), an n-byte
// big-endian uncompressed length, then a zlib stream.
core::Status Uncompress(std::string_view in, std::string* out) {
  ByteReader r(in);
  uint8_t head = 0;
  uint64_t len = 0;
  if (!r.U8(&head) || (head & 0x80) == 0 || ((head >> 4) & 7) != 0) {
    return core::Corruption("compressed rows: unknown compression header");
  }
  size_t lenlen = head & 7;
  if (lenlen < 1 || lenlen > 4 || !r.BE(lenlen, &len)) return core::Corruption("compressed rows: length cut short");
  // zlib cannot expand beyond ~1032:1; a larger claim is corrupt (and must not drive an allocation).
  if (len > (r.remaining() + 64) * 1032) return core::Corruption("compressed rows: impossible uncompressed length");
  out->resize(len);
  uLongf got = static_cast<uLongf>(len);
  int rc = uncompress(reinterpret_cast<Bytef*>(out->data()), &got, reinterpret_cast<const Bytef*>(r.rest().data()),
                      static_cast<uLong>(r.remaining()));
  if (rc != Z_OK || got != len) {
    return core::Corruption("compressed rows: zlib error " + std::to_string(rc) + " (" + std::to_string(got) + " of " +
                            std::to_string(len) + " bytes)");
  }
  return core::Status::Ok();
}

size_t PopCount(std::string_view bitmap, size_t bits) {
  size_t n = 0;
  for (size_t i = 0; i < bits; ++i) n += BitmapBit(bitmap, i);
  return n;
}

class ImageDecoder {
 public:
  ImageDecoder(const TableMap& map, const std::vector<ColumnCodec>& codecs, const change::TableSchema& schema)
      : map_(map), codecs_(codecs), schema_(schema) {}

  // `pj`: PARTIAL_UPDATE_ROWS only; with `capture` the JSON columns' bytes are remembered
  // (before-image), without it the diff-carrying JSON columns are applied (after-image).
  core::Status Decode(ByteReader* r, std::string_view present_bits, size_t present_count, size_t row,
                      change::RowImage* image, PartialJson* pj = nullptr, bool capture = false) {
    size_t n = codecs_.size();
    std::string_view nulls;
    if (!r->Bytes((present_count + 7) / 8, &nulls)) return Where(row, "NULL bitmap", core::Corruption("cut short"));
    image->values.resize(n);
    bool partial = present_count != n;
    if (partial) image->present.assign(n, false);
    size_t j = 0;  // index among present columns: the NULL bitmap counts only those
    for (size_t i = 0; i < n; ++i) {
      if (!BitmapBit(present_bits, i)) continue;
      if (partial) image->present[i] = true;
      if (BitmapBit(nulls, j++)) continue;  // values[i] stays Null
      if (pj && codecs_[i].type == type::kJson) {
        core::Status s = capture ? CaptureJson(i, r, pj, image) : ApplyJson(i, r, pj, image);
        if (!s.ok()) return Where(row, "column " + schema_.columns[i].name, s);
        continue;
      }
      core::Status s = DecodeColumnValue(codecs_[i], r, &image->values[i]);
      if (!s.ok()) return Where(row, "column " + schema_.columns[i].name, s);
    }
    return core::Status::Ok();
  }

 private:
  core::Status CaptureJson(size_t i, ByteReader* r, PartialJson* partial, change::RowImage* image) {
    std::string_view rest = r->rest();
    WEFT_RETURN_IF_ERROR(DecodeColumnValue(codecs_[i], r, &image->values[i]));
    const size_t used = rest.size() - r->rest().size(), prefix = codecs_[i].meta;
    partial->before_raw[i] = rest.substr(prefix, used - prefix);
    partial->before_has[i] = true;
    return core::Status::Ok();
  }

  // A JSON column of a PARTIAL_UPDATE_ROWS after-image: the whole document, or (its diff bit set) a
  // diff applied to the before-image's document. Without that document (a MINIMAL before-image)
  // the new document is unknown: the column is left out of the image, as a column the image does
  // not carry.
  core::Status ApplyJson(size_t i, ByteReader* r, PartialJson* partial, change::RowImage* image) {
    const int k = (*partial->json_index)[i];
    const bool diff = k >= 0 && static_cast<size_t>(k) / 8 < partial->diff_bits.size() &&
                      BitmapBit(partial->diff_bits, static_cast<size_t>(k));
    if (!diff) return DecodeColumnValue(codecs_[i], r, &image->values[i]);
    uint64_t len = 0;
    std::string_view bytes;
    if (codecs_[i].meta < 1 || codecs_[i].meta > 4 || !r->LE(codecs_[i].meta, &len) || !r->Bytes(len, &bytes)) {
      return core::Corruption("JSON diff is cut short");
    }
    WEFT_ASSIGN_OR_RETURN(std::vector<JsonDiff> diffs, ParseJsonDiffs(bytes));
    if (!partial->before_has[i]) {
      if (image->present.empty()) image->present.assign(codecs_.size(), true);
      image->present[i] = false;
      image->values[i] = change::Value::Null();
      return core::Status::Ok();
    }
    JsonNode doc;
    WEFT_RETURN_IF_ERROR(MysqlJsonToNode(partial->before_raw[i], &doc));
    WEFT_RETURN_IF_ERROR(ApplyJsonDiffs(diffs, &doc));
    std::string text;
    AppendJsonNode(doc, &text);
    image->values[i] = change::Value::Json(std::move(text));
    return core::Status::Ok();
  }

  core::Status Where(size_t row, const std::string& what, const core::Status& s) const {
    return core::Status(s.code(), map_.db + "." + map_.table + " row " + std::to_string(row + 1) + " " + what + ": " +
                                      s.message());
  }
  const TableMap& map_;
  const std::vector<ColumnCodec>& codecs_;
  const change::TableSchema& schema_;
};

}  // namespace

core::Result<uint64_t> RowsEventTableId(uint8_t event_type, std::string_view body) {
  ByteReader r(body);
  WEFT_ASSIGN_OR_RETURN(RowsHeader h, ReadHeader(event_type, &r));
  return h.table_id;
}

std::vector<ColumnCodec> MakeColumnCodecs(const TableMap& map, const change::TableSchema& schema) {
  std::vector<ColumnCodec> codecs;
  codecs.reserve(map.column_count());
  for (size_t i = 0; i < map.column_count(); ++i) codecs.push_back(MakeColumnCodec(map, schema, i));
  return codecs;
}

core::Status DecodeRowsEvent(uint8_t event_type, std::string_view body, const TableMap& map,
                             const change::TableSchema& schema, std::vector<DecodedRow>* rows) {
  return DecodeRowsEvent(event_type, body, map, schema, MakeColumnCodecs(map, schema), rows);
}

core::Status DecodeRowsEvent(uint8_t event_type, std::string_view body, const TableMap& map,
                             const change::TableSchema& schema, const std::vector<ColumnCodec>& codecs,
                             std::vector<DecodedRow>* rows) {
  ByteReader r(body);
  WEFT_ASSIGN_OR_RETURN(RowsHeader h, ReadHeader(event_type, &r));
  // Only error messages name the event: built when one is returned, not for every event.
  auto name = [&] { return EventTypeName(event_type) + " on " + map.db + "." + map.table; };
  if (h.table_id != map.table_id) {
    return core::InvalidArgument(name() + ": event is for table id " + std::to_string(h.table_id) +
                                 ", the map given is for " + std::to_string(map.table_id));
  }
  size_t n = map.column_count();
  if (schema.columns.size() != n) {
    return core::InvalidArgument(name() + ": schema has " + std::to_string(schema.columns.size()) +
                                 " columns, the table map " + std::to_string(n));
  }
  uint64_t width = 0;
  if (!r.PackedInt(&width)) return core::Corruption(name() + ": column count is cut short");
  if (width != n) {
    return core::Corruption(name() + ": event has " + std::to_string(width) + " columns, its table map " +
                            std::to_string(n));
  }
  std::string_view before_bits, after_bits;
  if (!r.Bytes((n + 7) / 8, &before_bits)) return core::Corruption(name() + ": column bitmap is cut short");
  after_bits = before_bits;
  if (h.traits.kind == RowsKind::kUpdate && !r.Bytes((n + 7) / 8, &after_bits)) {
    return core::Corruption(name() + ": after-image column bitmap is cut short");
  }
  std::string uncompressed;
  std::string_view data = r.rest();
  if (h.traits.compressed) {
    core::Status s = Uncompress(data, &uncompressed);
    if (!s.ok()) return s.WithContext(name());
    data = uncompressed;
  }

  if (codecs.size() != n) return core::InvalidArgument(name() + ": column codecs made for another table map");
  ImageDecoder images(map, codecs, schema);
  size_t before_count = PopCount(before_bits, n), after_count = PopCount(after_bits, n);
  std::vector<int> json_index;
  size_t json_columns = 0;
  PartialJson partial;
  if (h.traits.partial_json) {
    json_index.assign(n, -1);
    for (size_t i = 0; i < n; ++i) {
      if (codecs[i].type == type::kJson) json_index[i] = static_cast<int>(json_columns++);
    }
    partial.json_index = &json_index;
  }

  ByteReader rows_reader(data);
  auto decode_row = [&](size_t row, DecodedRow& decoded) -> core::Status {
    switch (h.traits.kind) {
      case RowsKind::kWrite:
        WEFT_RETURN_IF_ERROR(images.Decode(&rows_reader, before_bits, before_count, row, &decoded.after));
        break;
      case RowsKind::kDelete:
        WEFT_RETURN_IF_ERROR(images.Decode(&rows_reader, before_bits, before_count, row, &decoded.before));
        break;
      case RowsKind::kUpdate:
        if (!h.traits.partial_json) {
          WEFT_RETURN_IF_ERROR(images.Decode(&rows_reader, before_bits, before_count, row, &decoded.before));
          WEFT_RETURN_IF_ERROR(images.Decode(&rows_reader, after_bits, after_count, row, &decoded.after));
          break;
        }
        {
          // PARTIAL_UPDATE_ROWS: before-image, value_options (packed int), with PARTIAL_JSON a bitmap
          // of one bit per JSON column of the table, then the after-image.
          partial.before_raw.assign(n, {});
          partial.before_has.assign(n, false);
          partial.diff_bits = {};
          WEFT_RETURN_IF_ERROR(images.Decode(&rows_reader, before_bits, before_count, row, &decoded.before, &partial, true));
          uint64_t value_options = 0;
          if (!rows_reader.PackedInt(&value_options)) {
            return core::Corruption(name() + ": row " + std::to_string(row + 1) + " value_options is cut short");
          }
          if ((value_options & kPartialJsonUpdates) && !rows_reader.Bytes((json_columns + 7) / 8, &partial.diff_bits)) {
            return core::Corruption(name() + ": row " + std::to_string(row + 1) + " partial-JSON bitmap is cut short");
          }
          WEFT_RETURN_IF_ERROR(images.Decode(&rows_reader, after_bits, after_count, row, &decoded.after, &partial, false));
        }
        break;
      case RowsKind::kNone:
        break;
    }
    return core::Status::Ok();
  };
  for (size_t row = 0; !rows_reader.empty(); ++row) {
    size_t start = rows_reader.position();
    // Decoded in place in the caller's vector: no row built aside and moved in.
    core::Status s = decode_row(row, rows->emplace_back());
    // An image of no columns reads no bytes: without this check trailing bytes would loop forever.
    if (s.ok() && rows_reader.position() == start) {
      s = core::Corruption(name() + ": row " + std::to_string(row + 1) + " is empty");
    }
    if (!s.ok()) {
      rows->pop_back();
      return s;
    }
  }
  return core::Status::Ok();
}

}  // namespace weft::source::mysql
