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
