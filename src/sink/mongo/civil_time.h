#pragma once
// MySQL's DATE/DATETIME text <-> milliseconds since the epoch (UTC, proleptic Gregorian calendar),
// for BSON dates. Pure functions, any thread.

#include <cstdint>
#include <string>
#include <string_view>

namespace weft::sink::mongo {

enum class DateForm {
  kMillis,            // a calendar date/time: *ms is set
  kZero,              // "0000-00-00" / "0000-00-00 00:00:00[.0...]", MySQL's zero date
  kNotACalendarDate,  // month or day 0, or a day the month does not have (ALLOW_INVALID_DATES)
  kMalformed,         // not YYYY-MM-DD[ HH:MM:SS[.f{1,6}]]
};

// Fractions beyond milliseconds are truncated, never rounded (".9999" -> 999 ms), also before 1970.
DateForm ParseDateTime(std::string_view text, int64_t* ms);

// "YYYY-MM-DD HH:MM:SS.mmm" in UTC.
std::string DateTimeText(int64_t ms);

}  // namespace weft::sink::mongo
