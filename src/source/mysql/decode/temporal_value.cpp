// Temporal column formats. The "2" formats (MySQL 5.6.4+, MariaDB's default since 10.1) are
// big-endian packed integers with the sign bit flipped, followed by 0-3 fraction bytes
// (fsp 1-2: hundredths in 1 byte, 3-4: 1/10000 s in 2 bytes, 5-6: microseconds in 3 bytes).
// Output is the text SELECT prints: exactly `fsp` fraction digits, TIMESTAMP in UTC, TIME signed
// with at least two hour digits.
#include <algorithm>

#include "source/mysql/decode/column_value.h"

namespace weft::source::mysql {
namespace {

// Each value is formatted into a stack buffer and appended once: character-wise push_back was the
// largest single cost of decoding an Olist rows event (its dates and datetimes), and a few appends
// per value were still a tenth of it.
constexpr size_t kTextMax = 40;  // "-1023:59:59.999999", "9999-12-31 23:59:59.999999"

char* Put2(unsigned v, char* at) {
  at[0] = static_cast<char>('0' + (v / 10) % 10);
  at[1] = static_cast<char>('0' + v % 10);
  return at + 2;
}

// "YYYY-MM-DD" (the year's last four digits, as the callers bound it).
char* PutDate(unsigned year, unsigned month, unsigned day, char* at) {
  at = Put2((year / 100) % 100, at);
  at = Put2(year % 100, at);
  *at++ = '-';
  at = Put2(month, at);
  *at++ = '-';
  return Put2(day, at);
}

// "hh:mm:ss", the hours in as many digits as they take beyond two (TIME reaches 838).
char* PutClock(unsigned hour, unsigned minute, unsigned second, char* at) {
  if (hour >= 100) {
    char digits[10];
    int n = 0;
    for (; hour > 0; hour /= 10) digits[n++] = static_cast<char>('0' + hour % 10);
    while (n > 0) *at++ = digits[--n];
  } else {
    at = Put2(hour, at);
  }
  *at++ = ':';
  at = Put2(minute, at);
  *at++ = ':';
  return Put2(second, at);
}

// ".ffffff" cut to `fsp` digits (nothing when fsp is 0).
char* PutFraction(uint32_t micros, int fsp, char* at) {
  if (fsp <= 0) return at;
  char digits[6];
  for (int i = 5; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + micros % 10);
    micros /= 10;
  }
  *at++ = '.';
  int n = fsp > 6 ? 6 : fsp;
  for (int i = 0; i < n; ++i) *at++ = digits[i];
  return at;
}

// The fraction bytes after a DATETIME2/TIMESTAMP2 (unsigned) as microseconds.
bool ReadUnsignedFraction(int fsp, ByteReader* r, uint32_t* micros) {
  uint64_t v = 0;
  switch (fsp) {
    case 0: *micros = 0; return true;
    case 1: case 2: if (!r->BE(1, &v)) return false; *micros = static_cast<uint32_t>(v * 10000); break;
    case 3: case 4: if (!r->BE(2, &v)) return false; *micros = static_cast<uint32_t>(v * 100); break;
    case 5: case 6: if (!r->BE(3, &v)) return false; *micros = static_cast<uint32_t>(v); break;
    default: return false;
  }
  return *micros < 1000000;
}

// Days since 1970-01-01 -> civil date (Howard Hinnant's algorithm; exact for every int64 day).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t year = static_cast<int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = year + (*m <= 2);
}

// Seconds since the epoch -> "YYYY-MM-DD hh:mm:ss" in UTC.
char* PutUtcDateTime(int64_t seconds, char* at) {
  int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  int64_t rem = seconds - days * 86400;
  int64_t year = 0;
  unsigned month = 0, day = 0;
  CivilFromDays(days, &year, &month, &day);
  at = PutDate(static_cast<unsigned>(year), month, day, at);
  *at++ = ' ';
  return PutClock(static_cast<unsigned>(rem / 3600), static_cast<unsigned>(rem / 60 % 60),
                  static_cast<unsigned>(rem % 60), at);
}

}  // namespace

void AppendFraction(uint32_t micros, int fsp, std::string* out) {
  char buf[kTextMax];
  out->append(buf, PutFraction(micros, fsp, buf) - buf);
}

void AppendUtcDateTime(int64_t seconds, std::string* out) {
  char buf[kTextMax];
  out->append(buf, PutUtcDateTime(seconds, buf) - buf);
}

bool DecodeDate(ByteReader* r, std::string* out) {
  uint64_t v = 0;
  if (!r->LE(3, &v)) return false;
  char buf[kTextMax];
  char* end = PutDate(static_cast<unsigned>(v >> 9), static_cast<unsigned>((v >> 5) & 15), static_cast<unsigned>(v & 31), buf);
  out->append(buf, end - buf);
  return true;
}

bool DecodeDateTime2(int fsp, ByteReader* r, std::string* out) {
  uint64_t packed = 0;
  uint32_t micros = 0;
  if (!r->BE(5, &packed)) return false;
  int64_t intpart = static_cast<int64_t>(packed) - 0x8000000000LL;
  if (intpart < 0 || !ReadUnsignedFraction(fsp, r, &micros)) return false;
  uint64_t ymd = static_cast<uint64_t>(intpart) >> 17, hms = static_cast<uint64_t>(intpart) & 0x1FFFF;
  uint64_t ym = ymd >> 5;
  if (ym / 13 > 9999) return false;
  char buf[kTextMax];
  char* at = PutDate(static_cast<unsigned>(ym / 13), static_cast<unsigned>(ym % 13), static_cast<unsigned>(ymd & 31), buf);
  *at++ = ' ';
  at = PutClock(static_cast<unsigned>(hms >> 12), static_cast<unsigned>((hms >> 6) & 63), static_cast<unsigned>(hms & 63),
                at);
  at = PutFraction(micros, fsp, at);
  out->append(buf, at - buf);
  return true;
}

bool DecodeTimestamp2(int fsp, ByteReader* r, std::string* out) {
  uint64_t seconds = 0;
  uint32_t micros = 0;
  if (!r->BE(4, &seconds) || !ReadUnsignedFraction(fsp, r, &micros)) return false;
  static constexpr char kZero[] = "0000-00-00 00:00:00";  // the zero timestamp
  char buf[kTextMax];
  char* at = buf;
  if (seconds == 0) at = std::copy(kZero, kZero + sizeof kZero - 1, at);
  else at = PutUtcDateTime(static_cast<int64_t>(seconds), at);
  at = PutFraction(micros, fsp, at);
  out->append(buf, at - buf);
  return true;
}

bool DecodeTime2(int fsp, ByteReader* r, std::string* out) {
  // Rebuilds MySQL's "packed time" (int part << 24 | microseconds, negated for negative values).
  constexpr int64_t kIntOffset = 0x800000, kShift = int64_t{1} << 24;
  uint64_t v = 0;
  int64_t packed = 0;
  switch (fsp) {
    case 0: {
      if (!r->BE(3, &v)) return false;
      packed = (static_cast<int64_t>(v) - kIntOffset) * kShift;
      break;
    }
    case 1: case 2: case 3: case 4: {
      uint64_t frac = 0;
      size_t frac_bytes = fsp <= 2 ? 1 : 2;
      if (!r->BE(3, &v) || !r->BE(frac_bytes, &frac)) return false;
      int64_t intpart = static_cast<int64_t>(v) - kIntOffset;
      int64_t f = static_cast<int64_t>(frac);
      // Negative values store the fraction "reversed" (for sorting): borrow one second back.
      if (intpart < 0 && f != 0) {
        intpart += 1;
        f -= frac_bytes == 1 ? 0x100 : 0x10000;
      }
      packed = intpart * kShift + f * (frac_bytes == 1 ? 10000 : 100);
      break;
    }
    case 5: case 6: {
      if (!r->BE(6, &v)) return false;
      packed = static_cast<int64_t>(v) - 0x800000000000LL;
      break;
    }
    default: return false;
  }
  bool negative = packed < 0;
  uint64_t mag = negative ? static_cast<uint64_t>(-packed) : static_cast<uint64_t>(packed);
  uint64_t hms = mag >> 24, micros = mag & 0xFFFFFF;
  if (micros >= 1000000) return false;
  char buf[kTextMax];
  char* at = buf;
  if (negative) *at++ = '-';
  at = PutClock(static_cast<unsigned>((hms >> 12) & 0x3FF), static_cast<unsigned>((hms >> 6) & 63),
                static_cast<unsigned>(hms & 63), at);
  at = PutFraction(static_cast<uint32_t>(micros), fsp, at);
  out->append(buf, at - buf);
  return true;
}

bool DecodeOldDateTime(ByteReader* r, std::string* out) {
  uint64_t v = 0;
  if (!r->LE(8, &v)) return false;
  uint64_t date = v / 1000000, time = v % 1000000;
  if (date / 10000 > 9999) return false;
  char buf[kTextMax];
  char* at = PutDate(static_cast<unsigned>(date / 10000), static_cast<unsigned>(date / 100 % 100),
                     static_cast<unsigned>(date % 100), buf);
  *at++ = ' ';
  at = PutClock(static_cast<unsigned>(time / 10000), static_cast<unsigned>(time / 100 % 100),
                static_cast<unsigned>(time % 100), at);
  out->append(buf, at - buf);
  return true;
}

bool DecodeOldTimestamp(ByteReader* r, std::string* out) {
  uint64_t seconds = 0;
  if (!r->LE(4, &seconds)) return false;
  if (seconds == 0) out->append("0000-00-00 00:00:00");
  else AppendUtcDateTime(static_cast<int64_t>(seconds), out);
  return true;
}

bool DecodeOldTime(ByteReader* r, std::string* out) {
  uint64_t v = 0;
  if (!r->LE(3, &v)) return false;
  int32_t hhmmss = static_cast<int32_t>(v << 8) >> 8;  // sign-extend 24 bits
  char buf[kTextMax];
  char* at = buf;
  if (hhmmss < 0) *at++ = '-';
  uint32_t mag = static_cast<uint32_t>(hhmmss < 0 ? -hhmmss : hhmmss);
  at = PutClock(mag / 10000, mag / 100 % 100, mag % 100, at);
  out->append(buf, at - buf);
  return true;
}

}  // namespace weft::source::mysql
