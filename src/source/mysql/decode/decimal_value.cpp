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

// Appends `value` as exactly `digits` decimal digits (zero-padded).
void AppendDigits(uint32_t value, int digits, std::string* out) {
  char buf[9];
  for (int i = digits - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out->append(buf, digits);
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

  std::string int_digits, frac_digits;
  uint32_t v = 0;
  if (intg0x) {
    if (!group(kBytesForDigits[intg0x], intg0x, &v)) return false;
    AppendDigits(v, intg0x, &int_digits);
  }
  for (int i = 0; i < intg0; ++i) {
    if (!group(4, kDigitsPerGroup, &v)) return false;
    AppendDigits(v, kDigitsPerGroup, &int_digits);
  }
  for (int i = 0; i < frac0; ++i) {
    if (!group(4, kDigitsPerGroup, &v)) return false;
    AppendDigits(v, kDigitsPerGroup, &frac_digits);
  }
  if (frac0x) {
    if (!group(kBytesForDigits[frac0x], frac0x, &v)) return false;
    AppendDigits(v, frac0x, &frac_digits);
  }

  size_t first = int_digits.find_first_not_of('0');
  std::string_view int_part = first == std::string::npos ? std::string_view("0")
                                                        : std::string_view(int_digits).substr(first);
  // A negative zero cannot be stored by the server; if the bytes say so anyway, print "0" as
  // SELECT would for a zero.
  bool zero = first == std::string::npos && frac_digits.find_first_not_of('0') == std::string::npos;
  if (negative && !zero) out->push_back('-');
  out->append(int_part);
  if (scale > 0) {
    out->push_back('.');
    out->append(frac_digits);
  }
  return true;
}

}  // namespace weft::source::mysql
