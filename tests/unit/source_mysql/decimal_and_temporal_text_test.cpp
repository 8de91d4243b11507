// The edges of DECIMAL and temporal text that the one-buffer formatting (decimal_value.cpp,
// temporal_value.cpp) must keep: no integer digits, only zeros, a negative zero, many groups;
// hours of three digits, the zero timestamp, fractions of every width. Bytes built by hand from the
// documented layouts (NEWDECIMAL: groups of 9 digits in 4 big-endian bytes, sign bit flipped, every
// byte inverted when negative).
#include <doctest/doctest.h>

#include <string>

#include "source/mysql/decode/column_value.h"

namespace sm = weft::source::mysql;

namespace {

std::string Bytes(std::initializer_list<int> v) {
  std::string s;
  for (int b : v) s.push_back(static_cast<char>(b));
  return s;
}

std::string Negated(std::string bytes) {
  for (char& c : bytes) c = static_cast<char>(~c);
  return bytes;
}

// Decodes and also checks that the text is appended (what was in `out` stays) and every byte read.
std::string Decimal(int precision, int scale, const std::string& bytes) {
  std::string out = "prefix:";
  sm::ByteReader r(bytes);
  REQUIRE(sm::DecodeDecimal(precision, scale, &r, &out));
  CHECK(r.empty());
  REQUIRE(out.rfind("prefix:", 0) == 0);
  return out.substr(7);
}

template <typename Fn>
std::string Temporal(Fn fn, const std::string& bytes) {
  std::string out = "<";
  sm::ByteReader r(bytes);
  REQUIRE(fn(&r, &out));
  CHECK(r.empty());
  return out;
}

}  // namespace

TEST_CASE("DECIMAL text: fraction only, zeros, negative zero, many groups") {
  // DECIMAL(2,2): no integer digits; one byte for two fraction digits.
  CHECK(Decimal(2, 2, Bytes({0x80 | 50})) == "0.50");
  CHECK(Decimal(2, 2, Negated(Bytes({0x80 | 50}))) == "-0.50");
  // DECIMAL(4,2): one byte each side.
  CHECK(Decimal(4, 2, Bytes({0x80, 0x05})) == "0.05");
  CHECK(Decimal(4, 2, Negated(Bytes({0x80, 0x05}))) == "-0.05");
  CHECK(Decimal(4, 2, Negated(Bytes({0x80, 0x00}))) == "0.00");  // a negative zero prints as zero
  CHECK(Decimal(4, 2, Bytes({0x80 | 12, 0x22})) == "12.34");
  // DECIMAL(5,0): three bytes, no point.
  CHECK(Decimal(5, 0, Bytes({0x80, 0x00, 0x00})) == "0");
  CHECK(Decimal(5, 0, Negated(Bytes({0x80, 0x00, 0x07}))) == "-7");
  CHECK(Decimal(5, 0, Negated(Bytes({0x80, 0x00, 0x00}))) == "0");
  // DECIMAL(10,2) as the Olist prices: 123.45.
  CHECK(Decimal(10, 2, Bytes({0x80, 0x00, 0x00, 0x7B, 0x2D})) == "123.45");
  // DECIMAL(19,0): a leading digit then two full groups, 1|234567890|123456789.
  CHECK(Decimal(19, 0, Bytes({0x81, 0x0D, 0xFB, 0x38, 0xD2, 0x07, 0x5B, 0xCD, 0x15})) == "1234567890123456789");
  // DECIMAL(20,10): a leading integer digit, a full group with leading zeros, then 10 fraction
  // digits (a full group and one digit): 42.0000000015.
  CHECK(Decimal(20, 10, Bytes({0x80, 0x00, 0x00, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x01, 0x05})) == "42.0000000015");
  CHECK(Decimal(20, 10, Negated(Bytes({0x80, 0x00, 0x00, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x01, 0x05}))) ==
        "-42.0000000015");
  // DECIMAL(65,30), the widest: 8 leading integer digits in 4 bytes, three full groups each side,
  // 3 trailing fraction digits in 2 bytes; all nines.
  std::string widest = Bytes({0x80 | 0x05, 0xF5, 0xE0, 0xFF});  // 99999999
  for (int i = 0; i < 6; ++i) widest += Bytes({0x3B, 0x9A, 0xC9, 0xFF});  // 999999999
  widest += Bytes({0x03, 0xE7});  // 999
  CHECK(Decimal(65, 30, widest) == std::string(35, '9') + "." + std::string(30, '9'));
  CHECK(Decimal(65, 30, Negated(widest)) == "-" + std::string(35, '9') + "." + std::string(30, '9'));
}

TEST_CASE("temporal text: widths, signs and the zero timestamp") {
  auto datetime2 = [](int fsp) { return [fsp](sm::ByteReader* r, std::string* o) { return sm::DecodeDateTime2(fsp, r, o); }; };
  auto time2 = [](int fsp) { return [fsp](sm::ByteReader* r, std::string* o) { return sm::DecodeTime2(fsp, r, o); }; };
  auto timestamp2 = [](int fsp) { return [fsp](sm::ByteReader* r, std::string* o) { return sm::DecodeTimestamp2(fsp, r, o); }; };
  // DATETIME2 2024-11-02 10:20:30: ym = 2024*13+11, ymd = ym<<5|2, hms = 10<<12|20<<6|30, plus 2^39.
  const uint64_t ym = 2024 * 13 + 11, packed = (((ym << 5 | 2) << 17) | (10 << 12 | 20 << 6 | 30)) + 0x8000000000ull;
  std::string dt;
  for (int i = 4; i >= 0; --i) dt.push_back(static_cast<char>((packed >> (8 * i)) & 0xff));
  CHECK(Temporal(datetime2(0), dt) == "<2024-11-02 10:20:30");
  CHECK(Temporal(datetime2(2), dt + Bytes({12})) == "<2024-11-02 10:20:30.12");
  CHECK(Temporal(datetime2(3), dt + Bytes({0x04, 0xD2})) == "<2024-11-02 10:20:30.123");  // 1234 / 10^4 s
  CHECK(Temporal(datetime2(6), dt + Bytes({0x01, 0xE2, 0x40})) == "<2024-11-02 10:20:30.123456");
  // TIME2(0) -838:59:59 and 838:59:59: three-digit hours, the sign in front.
  const int64_t hms = 838 << 12 | 59 << 6 | 59;
  auto time_bytes = [](int64_t v) {
    uint64_t u = static_cast<uint64_t>(v + 0x800000);
    return Bytes({static_cast<int>((u >> 16) & 0xff), static_cast<int>((u >> 8) & 0xff), static_cast<int>(u & 0xff)});
  };
  CHECK(Temporal(time2(0), time_bytes(hms)) == "<838:59:59");
  CHECK(Temporal(time2(0), time_bytes(-hms)) == "<-838:59:59");
  CHECK(Temporal(time2(0), time_bytes(1 << 12 | 2 << 6 | 3)) == "<01:02:03");
  // TIMESTAMP2: 0 is the zero timestamp, with its fraction digits; 1700000000 is 2023-11-14 22:13:20 UTC.
  CHECK(Temporal(timestamp2(0), Bytes({0, 0, 0, 0})) == "<0000-00-00 00:00:00");
  CHECK(Temporal(timestamp2(1), Bytes({0, 0, 0, 0, 0})) == "<0000-00-00 00:00:00.0");
  CHECK(Temporal(timestamp2(0), Bytes({0x65, 0x53, 0xF1, 0x00})) == "<2023-11-14 22:13:20");
  std::string out;
  sm::AppendUtcDateTime(-1, &out);
  CHECK(out == "1969-12-31 23:59:59");
  out.clear();
  sm::AppendFraction(5, 6, &out);
  sm::AppendFraction(5, 0, &out);
  CHECK(out == ".000005");
}
