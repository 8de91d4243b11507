#include "source/mysql/charset.h"

#include <cstring>

namespace weft::source::mysql {
namespace {

void AppendCodePoint(uint32_t cp, std::string* out) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;  // not a scalar value
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// MySQL's latin1 is cp1252; its 0x81, 0x8D, 0x8F, 0x90 and 0x9D map to the C1 controls of the same
// value (strings/ctype-latin1.c), everything from 0xA0 up is ISO-8859-1.
constexpr uint16_t kLatin1High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,  // 0x80
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,  // 0x88
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,  // 0x90
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,  // 0x98
};

void Latin1ToUtf8(std::string_view in, std::string* out) {
  for (unsigned char c : in) {
    if (c < 0x80) out->push_back(static_cast<char>(c));
    else if (c < 0xA0) AppendCodePoint(kLatin1High[c - 0x80], out);
    else AppendCodePoint(c, out);
  }
}

uint32_t Unit(std::string_view in, size_t i, size_t width, bool big_endian) {
  uint32_t v = 0;
  for (size_t k = 0; k < width; ++k) {
    uint32_t byte = static_cast<uint8_t>(in[i + k]);
    v |= big_endian ? byte << (8 * (width - 1 - k)) : byte << (8 * k);
  }
  return v;
}

// ucs2 (width 2, no surrogates), utf16/utf16le (width 2 with surrogate pairs), utf32 (width 4).
// A trailing partial unit or a broken surrogate pair becomes U+FFFD.
void WideToUtf8(std::string_view in, size_t width, bool big_endian, bool surrogates, std::string* out) {
  size_t i = 0;
  for (; i + width <= in.size(); i += width) {
    uint32_t cp = Unit(in, i, width, big_endian);
    if (surrogates && cp >= 0xD800 && cp <= 0xDBFF && i + 2 * width <= in.size()) {
      uint32_t low = Unit(in, i + width, width, big_endian);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        i += width;
      }
    }
    AppendCodePoint(cp, out);
  }
  if (i < in.size()) AppendCodePoint(0xFFFD, out);
}

}  // namespace

Utf8Conversion ConversionFor(uint32_t collation_id) {
  const CharsetInfo* cs = CharsetOfCollation(collation_id);
  const char* name = cs ? cs->name : "";
  if (!std::strcmp(name, "utf8mb4") || !std::strcmp(name, "utf8mb3") || !std::strcmp(name, "ascii")) {
    return Utf8Conversion::kCopy;
  }
  if (!std::strcmp(name, "latin1")) return Utf8Conversion::kLatin1;
  if (!std::strcmp(name, "ucs2")) return Utf8Conversion::kUcs2;
  if (!std::strcmp(name, "utf16")) return Utf8Conversion::kUtf16;
  if (!std::strcmp(name, "utf16le")) return Utf8Conversion::kUtf16Le;
  if (!std::strcmp(name, "utf32")) return Utf8Conversion::kUtf32;
  return Utf8Conversion::kPassThrough;
}

void AppendAsUtf8(Utf8Conversion conversion, std::string_view bytes, std::string* out) {
  switch (conversion) {
    case Utf8Conversion::kCopy: case Utf8Conversion::kPassThrough: out->append(bytes); return;
    case Utf8Conversion::kLatin1: Latin1ToUtf8(bytes, out); return;
    case Utf8Conversion::kUcs2: WideToUtf8(bytes, 2, true, false, out); return;
    case Utf8Conversion::kUtf16: WideToUtf8(bytes, 2, true, true, out); return;
    case Utf8Conversion::kUtf16Le: WideToUtf8(bytes, 2, false, true, out); return;
    case Utf8Conversion::kUtf32: WideToUtf8(bytes, 4, true, false, out); return;
  }
}

bool AppendAsUtf8(uint32_t collation_id, std::string_view bytes, std::string* out) {
  Utf8Conversion conversion = ConversionFor(collation_id);
  AppendAsUtf8(conversion, bytes, out);
  return conversion != Utf8Conversion::kPassThrough;
}

}  // namespace weft::source::mysql
