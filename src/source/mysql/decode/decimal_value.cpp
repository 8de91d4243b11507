// NEWDECIMAL (MySQL 5.0+ "precision math") binary format: the integer and fraction parts are
// each stored as groups of 9 decimal digits in 4 big-endian bytes, with a shorter group for the
// leftover digits (the integer part's leftover comes first, the fraction's last). The whole value
// has its top bit flipped (1 = non-negative) and, when negative, every byte inverted, so that the
// bytes sort like the numbers. Decoded digit by digit: never through a double.
#include "source/mysql/decode/column_value.h"

namespace weft::source::mysql {
namespace {

constexpr int kDigitsPerGroup = 9;
constexpr int kBytesForDigits[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
constexpr uint32_t kPow10[10] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};

// Writes `value` as exactly `digits` decimal digits (zero-padded) at `at`; returns the end.
char* PutDigits(uint32_t value, int digits, char* at) {
  for (int i = digits - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return at + digits;
}

}  // namespace

bool DecodeDecimal(int precision, int scale, ByteReader* r, std::string* out) {
  if (precision < 1 || precision > 65 || scale < 0 || scale > precision) return false;
  int intg = precision - scale;
  int intg0 = intg / kDigitsPerGroup, intg0x = intg % kDigitsPerGroup;
  int frac0 = scale / kDigitsPerGroup, frac0x = scale % kDigitsPerGroup;
  size_t size = intg0 * 4 + kBytesForDigits[intg0x] + frac0 * 4 + kBytesForDigits[frac0x];
  std::string_view raw;
  if (!r->Bytes(size, &raw)) return false;
  if (intg0 == 0 && frac0 == 0) {
    // Fewer than 9 digits each side (DECIMAL(10,2) prices and the like): one partial group each,
    // read as integers, no digit buffer scans.
    const size_t int_bytes = kBytesForDigits[intg0x], frac_bytes = kBytesForDigits[frac0x];
    const uint32_t flip = (static_cast<uint8_t>(raw[0]) & 0x80) ? 0 : 0xFFFFFFFFu;  // negative: inverted
    auto read = [&](size_t from, size_t n) {
      uint32_t v = 0;
      for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(raw[from + i]);
      uint32_t mask = n == 4 ? 0xFFFFFFFFu : (uint32_t{1} << (8 * n)) - 1;
      return (v ^ flip) & mask;
    };
    uint32_t int_value = int_bytes ? read(0, int_bytes) : 0, frac_value = frac_bytes ? read(int_bytes, frac_bytes) : 0;
    if (int_bytes) int_value &= ~(uint32_t{0x80} << (8 * (int_bytes - 1)));  // the sign bit
    else if (frac_bytes) frac_value &= ~(uint32_t{0x80} << (8 * (frac_bytes - 1)));
    if (int_value >= kPow10[intg0x] || frac_value >= kPow10[frac0x]) return false;
    // The integer part is written backwards to just before `point`, the fraction from there on.
    char text[24];
    char* const point = text + 10;
    char* first = point;
    uint32_t v = int_value;
    do {
      *--first = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    if (flip && (int_value != 0 || frac_value != 0)) *--first = '-';  // never a negative zero
    char* end = point;
    if (scale > 0) {
      *end++ = '.';
      end = PutDigits(frac_value, frac0x, end);
    }
    out->append(first, end - first);
    return true;
  }
  unsigned char buf[40] = {};  // 65 digits need at most 30 bytes
  for (size_t i = 0; i < size; ++i) buf[i] = static_cast<unsigned char>(raw[i]);
  bool negative = (buf[0] & 0x80) == 0;
  buf[0] ^= 0x80;
  if (negative) {
    for (size_t i = 0; i < size; ++i) buf[i] = static_cast<unsigned char>(~buf[i]);
  }
  size_t pos = 0;
  auto group = [&](int bytes, int digits, uint32_t* value) {
    uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | buf[pos++];
    *value = v;
    return v < kPow10[digits];
  };

  // The text is built in one buffer and appended once: "-", the integer digits (leading zeros
  // dropped below), ".", the fraction digits. 65 digits, a sign, a "0" and a point fit in 72 bytes.
  char text[72];
  char* const int_begin = text + 2;  // room for "-0" before the digits
  char* at = int_begin;
  uint32_t v = 0;
  if (intg0x) {
    if (!group(kBytesForDigits[intg0x], intg0x, &v)) return false;
    at = PutDigits(v, intg0x, at);
  }
  for (int i = 0; i < intg0; ++i) {
    if (!group(4, kDigitsPerGroup, &v)) return false;
    at = PutDigits(v, kDigitsPerGroup, at);
  }
  char* const int_end = at;
  char* first = int_begin;
  while (first < int_end && *first == '0') ++first;
  bool zero = first == int_end;
  if (first == int_end) *--first = '0';  // only zeros (or no integer digits at all): "0"
  if (scale > 0) {
    *at++ = '.';
    char* const frac_begin = at;
    for (int i = 0; i < frac0; ++i) {
      if (!group(4, kDigitsPerGroup, &v)) return false;
      at = PutDigits(v, kDigitsPerGroup, at);
    }
    if (frac0x) {
      if (!group(kBytesForDigits[frac0x], frac0x, &v)) return false;
      at = PutDigits(v, frac0x, at);
    }
    for (const char* d = frac_begin; d < at && zero; ++d) zero = *d == '0';
  }
  // A negative zero cannot be stored by the server; if the bytes say so anyway, print "0" as
  // SELECT would for a zero.
  if (negative && !zero) *--first = '-';
  out->append(first, at - first);
  return true;
}

}  // namespace weft::source::mysql
