#pragma once
// ByteReader: a bounds-checked cursor over binlog bytes. Every read checks the remaining length
// first and returns false (leaving the cursor where it was) instead of reading past the end, so a
// decoder built on it cannot read out of bounds whatever the input. Decoders turn `false` into a
// kCorruption Status that names what they were reading.
//
// Binlog integers are little-endian except inside some column formats (DECIMAL, DATETIME2, TIME2,
// TIMESTAMP2, BIT), which are big-endian; both are here.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace weft::source::mysql {

class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}

  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool empty() const { return pos_ >= data_.size(); }
  std::string_view rest() const { return data_.substr(pos_); }

  bool Skip(size_t n) {
    if (n > remaining()) return false;
    pos_ += n;
    return true;
  }
  bool Bytes(size_t n, std::string_view* out) {
    if (n > remaining()) return false;
    *out = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool U8(uint8_t* out) {
    if (remaining() < 1) return false;
    *out = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }
  // Little-endian unsigned integer of `n` bytes (n <= 8).
  bool LE(size_t n, uint64_t* out) {
    if (n > 8 || n > remaining()) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
    pos_ += n;
    *out = v;
    return true;
  }
  // Big-endian unsigned integer of `n` bytes (n <= 8).
  bool BE(size_t n, uint64_t* out) {
    if (n > 8 || n > remaining()) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
    pos_ += n;
    *out = v;
    return true;
  }
  // The protocol's length-encoded integer: < 0xfb is the value itself; 0xfc, 0xfd, 0xfe prefix a
  // 2-, 3- or 8-byte value. 0xfb (NULL in result sets) and 0xff are invalid here.
  bool PackedInt(uint64_t* out) {
    size_t start = pos_;
    uint8_t first = 0;
    if (!U8(&first)) return false;
    bool ok = true;
    if (first < 0xfb) *out = first;
    else if (first == 0xfc) ok = LE(2, out);
    else if (first == 0xfd) ok = LE(3, out);
    else if (first == 0xfe) ok = LE(8, out);
    else ok = false;
    if (!ok) pos_ = start;
    return ok;
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// Bit `i` of a little-endian-ordered bitmap (bit 0 is the low bit of byte 0), as binlog bitmaps are.
inline bool BitmapBit(std::string_view bitmap, size_t i) {
  return (static_cast<uint8_t>(bitmap[i / 8]) >> (i % 8)) & 1;
}

}  // namespace weft::source::mysql
