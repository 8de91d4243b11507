#include "source/mysql/decode/row_decoder.h"

#include <zlib.h>

#include "source/mysql/binlog/binlog_event.h"
#include "source/mysql/binlog/byte_reader.h"
#include "source/mysql/decode/column_value.h"

namespace weft::source::mysql {
namespace {

struct RowsHeader {
  RowsEventTraits traits;
  uint64_t table_id = 0;
  uint16_t flags = 0;
};

core::Status Unsupported(uint8_t event_type) {
  if (event_type == event::kPartialUpdateRows) {
    return core::FailedPrecondition(
        "PARTIAL_UPDATE_ROWS_EVENT (MySQL binlog_row_value_options=PARTIAL_JSON) is not decoded by weft: "
        "set binlog_row_value_options='' on the source (SET GLOBAL binlog_row_value_options='')");
  }
  if (event_type == event::kTransactionPayload) {
    return core::FailedPrecondition(
        "TRANSACTION_PAYLOAD_EVENT (MySQL binlog_transaction_compression=ON) must be unpacked before "
        "its rows events are decoded; weft does not yet: SET GLOBAL binlog_transaction_compression=OFF");
  }
  return core::InvalidArgument(EventTypeName(event_type) + " is not a rows event");
}

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

  core::Status Decode(ByteReader* r, std::string_view present_bits, size_t present_count, size_t row,
                      change::RowImage* image) {
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
      core::Status s = DecodeColumnValue(codecs_[i], r, &image->values[i]);
      if (!s.ok()) return Where(row, "column " + schema_.columns[i].name, s);
    }
    return core::Status::Ok();
  }

 private:
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

  ByteReader rows_reader(data);
  for (size_t row = 0; !rows_reader.empty(); ++row) {
    size_t start = rows_reader.position();
    DecodedRow decoded;
    switch (h.traits.kind) {
      case RowsKind::kWrite:
        WEFT_RETURN_IF_ERROR(images.Decode(&rows_reader, before_bits, before_count, row, &decoded.after));
        break;
      case RowsKind::kDelete:
        WEFT_RETURN_IF_ERROR(images.Decode(&rows_reader, before_bits, before_count, row, &decoded.before));
        break;
      case RowsKind::kUpdate:
        WEFT_RETURN_IF_ERROR(images.Decode(&rows_reader, before_bits, before_count, row, &decoded.before));
        WEFT_RETURN_IF_ERROR(images.Decode(&rows_reader, after_bits, after_count, row, &decoded.after));
        break;
      case RowsKind::kNone:
        break;
    }
    // An image of no columns reads no bytes: without this check trailing bytes would loop forever.
    if (rows_reader.position() == start) return core::Corruption(name() + ": row " + std::to_string(row + 1) + " is empty");
    rows->push_back(std::move(decoded));
  }
  return core::Status::Ok();
}

}  // namespace weft::source::mysql
