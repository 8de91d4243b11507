#include "sink/mongo/civil_time.h"

#include <cstdio>

namespace weft::sink::mongo {
namespace {

// Howard Hinnant's days_from_civil: days since 1970-01-01 in the proleptic Gregorian calendar.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

bool Digits(std::string_view s, size_t pos, size_t n, int64_t* out) {
  if (pos + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

// "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS[.f{1,6}]" -> ms since the epoch, fraction truncated to ms.
DateForm ParseDateTime(std::string_view text, int64_t* ms) {
  int64_t y, mo, d, h = 0, mi = 0, s = 0, frac_ms = 0;
  if (!Digits(text, 0, 4, &y) || text.size() < 10 || text[4] != '-' || !Digits(text, 5, 2, &mo) || text[7] != '-' ||
      !Digits(text, 8, 2, &d)) {
    return DateForm::kMalformed;
  }
  if (text.size() > 10) {
    if (text.size() < 19 || text[10] != ' ' || !Digits(text, 11, 2, &h) || text[13] != ':' ||
        !Digits(text, 14, 2, &mi) || text[16] != ':' || !Digits(text, 17, 2, &s)) {
      return DateForm::kMalformed;
    }
    if (text.size() > 19) {
      size_t n = text.size() - 20;
      int64_t frac;
      if (text[19] != '.' || n < 1 || n > 6 || !Digits(text, 20, n, &frac)) return DateForm::kMalformed;
      // Keep the first three fraction digits: truncation, never rounding into the next second.
      for (size_t i = n; i < 3; ++i) frac *= 10;
      for (size_t i = 3; i < n; ++i) frac /= 10;
      frac_ms = frac;
    }
  }
  if (y == 0 && mo == 0 && d == 0 && h == 0 && mi == 0 && s == 0 && frac_ms == 0) return DateForm::kZero;
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, static_cast<unsigned>(mo))) return DateForm::kNotACalendarDate;
  if (h > 23 || mi > 59 || s > 59) return DateForm::kMalformed;
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  *ms = ((days * 24 + h) * 60 + mi) * 60000 + s * 1000 + frac_ms;
  return DateForm::kMillis;
}


std::string DateTimeText(int64_t ms) {
  int64_t days = ms / 86400000;
  int64_t rem = ms % 86400000;
  if (rem < 0) {
    rem += 86400000;
    --days;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld:%02lld.%03lld", static_cast<long long>(y), m, d,
                static_cast<long long>(rem / 3600000), static_cast<long long>(rem / 60000 % 60),
                static_cast<long long>(rem / 1000 % 60), static_cast<long long>(rem % 1000));
  return buf;
}

}  // namespace weft::sink::mongo
