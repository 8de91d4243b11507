// Conversion of every non-UTF-8 character set MariaDB 10.11 stores (charset.h) to UTF-8, against
// what the server itself returns. The digests below were computed from a live MariaDB 10.11.19:
// for each input, in order, the bytes of SELECT CONVERT(CAST(UNHEX(input) AS CHAR CHARACTER SET cs)
// USING utf8mb4), each followed by 0xFF, hashed with 64-bit FNV-1a. Inputs: every single byte
// 0x00-0xFF for the single-byte sets; for the multi-byte sets also every 2-byte input 0x8000-0xFFFF,
// and for ujis/eucjpms every 3-byte input 0x8F0000-0x8FFFFF (so the '?' the server prints for an
// unmapped character, a stray byte and a character cut off by the end are all covered). The
// server-side dump is independent of the tables in charset_sbcs.cpp: those are its source, but a
// changed or mis-indexed table entry, a wrong iconv base or a broken decoding rule changes a digest.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "source/mysql/charset/charset.h"

namespace sm = weft::source::mysql;

namespace {

struct Digest {
  const char* charset;
  uint64_t fnv;
  int count;  // single-byte sets: bytes the server cannot map ('?'); multi-byte sets: inputs
};

const Digest kSingleByte[] = {
    {"armscii8", 0x9F89BEB3F093891FULL, 0},  {"ascii", 0x8CF64744DD33E525ULL, 128},
    {"cp1250", 0x958659AEFA718976ULL, 5},    {"cp1251", 0xB66EFAA460D69704ULL, 1},
    {"cp1256", 0x9CA442D263BC0688ULL, 8},    {"cp1257", 0xAB1E56ABD6F6423FULL, 12},
    {"cp850", 0x92A0E2D3BE4FEEC9ULL, 0},     {"cp852", 0xC11F25C1FA272E9EULL, 0},
    {"cp866", 0x027E6D7609329606ULL, 0},     {"dec8", 0x3914F44D71A155DFULL, 14},
    {"geostd8", 0x99463667846E6074ULL, 41},  {"greek", 0x1816AEEB16B54FFAULL, 6},
    {"hebrew", 0x64D7ED73B17FD4CCULL, 36},   {"hp8", 0xCC41E46DE15CA8AAULL, 1},
    {"keybcs2", 0x324A8E6858A0394DULL, 0},   {"koi8r", 0x56330AB161014AD7ULL, 0},
    {"koi8u", 0xC0E0ECCB7EC898ACULL, 0},     {"latin1", 0xA069860FEA2DB348ULL, 0},
    {"latin2", 0x7D8A5AC75B874478ULL, 0},    {"latin5", 0xF2ABCE8A56EFD5ECULL, 0},
    {"latin7", 0x27B0320BF745D98FULL, 0},    {"macce", 0x17B8348F533950D7ULL, 0},
    {"macroman", 0x6E96B6B052628A33ULL, 0},  {"swe7", 0x9A7E3A83BBDD52F7ULL, 129},
    {"tis620", 0xE758080C353BAC46ULL, 0},
};

const Digest kMultiByte[] = {
    {"big5", 0x5CA3CC2C0EAA52AAULL, 33024},   {"cp932", 0x621182A2FEE45D78ULL, 33024},
    {"eucjpms", 0x5F33EF1211B562CAULL, 98560}, {"euckr", 0xF8CD64B202B7E929ULL, 33024},
    {"gb2312", 0x3979B32621E51D95ULL, 33024},  {"gbk", 0x3E172A5F65DC46EBULL, 33024},
    {"sjis", 0x20A07CE16E3E8E98ULL, 33024},    {"ujis", 0x98C704549C08787DULL, 98560},
};

struct Fnv {
  uint64_t h = 0xcbf29ce484222325ULL;
  void Add(const std::string& s) {
    for (unsigned char c : s + '\xFF') h = (h ^ c) * 0x100000001b3ULL;
  }
};

std::string Convert(const char* charset, const std::string& bytes) {
  sm::Utf8Conversion conversion = sm::ConversionForCharset(charset);
  REQUIRE_MESSAGE(conversion != sm::Utf8Conversion::kPassThrough, charset);
  std::string out;
  sm::AppendAsUtf8(conversion, bytes, &out);
  return out;
}

std::string Be(uint32_t v, int width) {
  std::string s;
  for (int i = width - 1; i >= 0; --i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}

}  // namespace

TEST_CASE("single-byte sets: every byte converts as the server converts it, unmapped bytes to '?'") {
  for (const Digest& d : kSingleByte) {
    Fnv fnv;
    int unmapped = 0;
    for (int b = 0; b < 256; ++b) {
      std::string out = Convert(d.charset, Be(b, 1));
      if (out == "?" && b != '?') ++unmapped;
      fnv.Add(out);
    }
    INFO(d.charset);
    CHECK(fnv.h == d.fnv);
    CHECK(unmapped == d.count);
  }
  // Readable spot checks (server answers).
  CHECK(Convert("cp1251", "\xCF\xF0\xE8\xE2\xE5\xF2") == "Привет");
  CHECK(Convert("koi8r", "\xF0\xD2\xC9\xD7\xC5\xD4") == "Привет");
  CHECK(Convert("cp866", "\x8F\xE0\xA8\xA2\xA5\xE2") == "Привет");
  CHECK(Convert("latin2", "\xA1\xB1 \xBF") == "Ąą ż");
  CHECK(Convert("greek", "\xC1\xE1") == "Αα");
  CHECK(Convert("hebrew", "\xE0\xFA") == "את");
  CHECK(Convert("tis620", "\xA1") == "ก");
  CHECK(Convert("latin1", "\x80\x81\xE9") == "€\xC2\x81é");  // MariaDB's latin1: cp1252 with 0x81 a C1 control
  CHECK(Convert("swe7", "\x40\x5B\x7E\x7F\x80") == "ÉÄü??");     // letters in ASCII positions; 0x7F+ unmapped
  CHECK(Convert("ascii", "a\x80z") == "a?z");
  CHECK(Convert("cp1251", "\x98") == "?");
  CHECK(Convert("greek", "\xAE\xD2") == "??");
}

TEST_CASE("multi-byte sets: every 1- and 2-byte input (and 0x8F-led 3-byte one) converts as the server does") {
  for (const Digest& d : kMultiByte) {
    Fnv fnv;
    int inputs = 0;
    bool euc3 = std::string(d.charset) == "ujis" || std::string(d.charset) == "eucjpms";
    for (uint32_t v = 0; v < 256; ++v, ++inputs) fnv.Add(Convert(d.charset, Be(v, 1)));
    for (uint32_t v = 0x8000; v <= 0xFFFF; ++v, ++inputs) fnv.Add(Convert(d.charset, Be(v, 2)));
    for (uint32_t v = 0x8F0000; euc3 && v <= 0x8FFFFF; ++v, ++inputs) fnv.Add(Convert(d.charset, Be(v, 3)));
    INFO(d.charset);
    CHECK(inputs == d.count);
    CHECK(fnv.h == d.fnv);
  }
  CHECK(Convert("gbk", "\xC4\xE3\xBA\xC3") == "你好");
  CHECK(Convert("gb2312", "\xC4\xE3\xBA\xC3") == "你好");
  CHECK(Convert("big5", "\xA7\x41\xA6\x6E") == "你好");
  CHECK(Convert("euckr", "\xC7\xD1\xB1\xDB") == "한글");
  CHECK(Convert("euckr", "\x81\x41") == "갂");  // the extended (cp949) area MariaDB's euckr includes
  CHECK(Convert("sjis", "\x82\xA0\xB1\x5C\x7E") == "あｱ\\~");  // ASCII stays ASCII (iconv: ¥ and ‾)
  CHECK(Convert("sjis", "\x81\x5F") == "\\");
  CHECK(Convert("cp932", "\x81\x5F\x87\x40") == "＼①");
  CHECK(Convert("ujis", "\xA4\xA2\x8E\xB1\x8F\xB0\xA1") == "あｱ丂");
  CHECK(Convert("ujis", "\x8F\xA2\xB7") == "~");
  CHECK(Convert("ujis", "\xF5\xA1") == "\xEE\x80\x80");  // user-defined row -> U+E000
  CHECK(Convert("eucjpms", "\xAD\xA1") == "①");
  // What the server cannot map: a well-formed unmapped character is one '?'; a byte that starts no
  // character, or a character cut off by the end, is one '?' and decoding resumes at the next byte.
  CHECK(Convert("gbk", "\xA1\x40") == "?");
  CHECK(Convert("gbk", "a\x81") == "a?");
  CHECK(Convert("gbk", "\x80\x41") == "?A");
  CHECK(Convert("gbk", "\xC4\x20") == "? ");
  CHECK(Convert("big5", "\xA3\xC0x") == "?x");
  CHECK(Convert("sjis", "\x81\xAD") == "?");
  CHECK(Convert("euckr", "\xA2\xE8") == "?");
  CHECK(Convert("ujis", "\x8F\xA1\xA1") == "?");
  CHECK(Convert("ujis", "\x8F\xA1") == "??");
  CHECK(Convert("ujis", "\x8F\xA1\x41") == "??A");
}

TEST_CASE("collation ids resolve to their character set's conversion") {
  CHECK(sm::ConversionFor(45) == sm::Utf8Conversion::kCopy);     // utf8mb4_general_ci
  CHECK(sm::ConversionFor(33) == sm::Utf8Conversion::kCopy);     // utf8mb3_general_ci
  CHECK(sm::ConversionFor(63) == sm::Utf8Conversion::kPassThrough);  // binary
  CHECK(sm::ConversionFor(9999) == sm::Utf8Conversion::kPassThrough);
  CHECK(sm::ConversionFor(248) == sm::Utf8Conversion::kPassThrough);  // MySQL 8's gb18030: not converted
  struct {
    uint32_t id;
    const char* charset;
  } const ids[] = {{51, "cp1251"}, {7, "koi8r"}, {22, "koi8u"}, {37, "keybcs2"}, {28, "gbk"}, {1, "big5"},
                   {95, "cp932"}, {13, "sjis"}, {19, "euckr"}, {12, "ujis"}, {97, "eucjpms"}, {24, "gb2312"},
                   {10, "swe7"}, {92, "geostd8"}, {32, "armscii8"}, {8, "latin1"}, {11, "ascii"}};
  for (const auto& c : ids) {
    INFO(c.id << " " << c.charset);
    CHECK(sm::ConversionFor(c.id) == sm::ConversionForCharset(c.charset));
    CHECK(sm::ConversionFor(c.id) != sm::Utf8Conversion::kPassThrough);
  }
  // ENUM/SET strings and per-collation conversion go through the same path.
  std::string out;
  CHECK(sm::AppendAsUtf8(51, "\xCF", &out));
  CHECK(out == "П");
  out.clear();
  CHECK_FALSE(sm::AppendAsUtf8(63, "\xCF", &out));
  CHECK(out == "\xCF");
}
