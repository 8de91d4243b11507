#include "source/mysql/binlog/transaction_payload.h"

#include <zstd.h>

#include <memory>

#include "source/mysql/binlog/byte_reader.h"

namespace weft::source::mysql {
namespace {

enum : uint64_t { kFieldEnd = 0, kPayloadSize = 1, kCompressionType = 2, kUncompressedSize = 3 };
enum : uint64_t { kZstd = 0, kNone = 255 };

core::Status Bad(const std::string& what) { return core::Corruption("TRANSACTION_PAYLOAD_EVENT: " + what); }

struct DctxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

}  // namespace

core::Status InflateTransactionPayload(std::string_view body, std::string* out) {
  ByteReader r(body);
  uint64_t compression = kZstd, payload_size = UINT64_MAX, uncompressed = UINT64_MAX;
  while (true) {
    uint64_t type = 0;
    if (!r.PackedInt(&type)) return Bad("header is cut short");
    if (type == kFieldEnd) break;
    uint64_t len = 0;
    std::string_view value;
    if (!r.PackedInt(&len) || !r.Bytes(len, &value)) return Bad("header field " + std::to_string(type) + " is cut short");
    ByteReader v(value);
    uint64_t number = 0;
    const bool is_number = v.PackedInt(&number) && v.empty();
    if (type == kPayloadSize || type == kCompressionType || type == kUncompressedSize) {
      if (!is_number) return Bad("header field " + std::to_string(type) + " is not a packed integer");
      if (type == kPayloadSize) payload_size = number;
      if (type == kCompressionType) compression = number;
      if (type == kUncompressedSize) uncompressed = number;
    }  // other fields: a newer server's, skipped by their length
  }
  std::string_view data = r.rest();
  if (payload_size != UINT64_MAX) {
    if (payload_size > data.size()) {
      return Bad("header says " + std::to_string(payload_size) + " payload bytes, the event has " +
                 std::to_string(data.size()));
    }
    data = data.substr(0, payload_size);
  }
  if (compression == kNone) {
    out->assign(data);
    return core::Status::Ok();
  }
  if (compression != kZstd) {
    return Bad("compression type " + std::to_string(compression) + " is not one weft knows (ZSTD = 0, NONE = 255)");
  }
  if (uncompressed == UINT64_MAX) return Bad("header has no uncompressed size");
  if (uncompressed > kMaxInflatedPayload) {
    return Bad("claims " + std::to_string(uncompressed) + " uncompressed bytes, more than weft inflates (" +
               std::to_string(kMaxInflatedPayload) + ")");
  }
  // zstd cannot expand beyond its maximum ratio (about 32 KiB of output per input byte of a block):
  // a larger claim is corrupt, and must not drive the allocation.
  if (uncompressed > (data.size() + 64) * (uint64_t{128} << 10)) return Bad("impossible uncompressed size");
  out->resize(uncompressed);
  std::unique_ptr<ZSTD_DCtx, DctxFree> dctx(ZSTD_createDCtx());
  if (!dctx) return core::Internal("TRANSACTION_PAYLOAD_EVENT: cannot allocate a zstd context");
  // Streaming: the payload may hold several frames (large transactions).
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  ZSTD_outBuffer dst{out->data(), out->size(), 0};
  size_t rc = 1;
  while (in.pos < in.size || rc != 0) {
    const size_t in_before = in.pos, out_before = dst.pos;
    rc = ZSTD_decompressStream(dctx.get(), &dst, &in);
    if (ZSTD_isError(rc)) return Bad(std::string("zstd: ") + ZSTD_getErrorName(rc));
    if (in.pos == in_before && dst.pos == out_before) {
      if (dst.pos == dst.size) return Bad("inflates to more than its header's " + std::to_string(uncompressed) + " bytes");
      return Bad("compressed data is cut short");
    }
  }
  if (dst.pos != dst.size) {
    return Bad("inflates to " + std::to_string(dst.pos) + " bytes, its header says " + std::to_string(uncompressed));
  }
  return core::Status::Ok();
}

core::Status ForEachPayloadEvent(std::string_view inflated, const std::function<core::Status(const Event&)>& fn) {
  size_t at = 0;
  while (at < inflated.size()) {
    const size_t left = inflated.size() - at;
    if (left < kCommonHeaderLength) {
      return Bad("inner event at payload offset " + std::to_string(at) + " is cut short (" + std::to_string(left) + " bytes)");
    }
    ByteReader size_reader(inflated.substr(at + 9, 4));
    uint64_t size = 0;
    size_reader.LE(4, &size);
    if (size < kCommonHeaderLength || size > left) {
      return Bad("inner event at payload offset " + std::to_string(at) + " claims " + std::to_string(size) +
                 " bytes of the " + std::to_string(left) + " left");
    }
    auto ev = SplitEvent(inflated.substr(at, size), false);
    if (!ev.ok()) return ev.status().WithContext("TRANSACTION_PAYLOAD_EVENT inner event at offset " + std::to_string(at));
    WEFT_RETURN_IF_ERROR(fn(*ev));
    at += size;
  }
  return core::Status::Ok();
}

}  // namespace weft::source::mysql
