#include "source/mysql/charset/charset.h"

#include <cstring>

#include "source/mysql/charset/charset_tables.h"

namespace weft::source::mysql {

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

namespace {

// A single-byte set: runs of ASCII are appended as they are (swe7 has letters there).
void SingleByteToUtf8(size_t table, std::string_view in, std::string* out) {
  const SingleByteTable& t = kSingleByteTables[table];
  bool swe7 = std::strcmp(t.charset, "swe7") == 0;
  size_t i = 0, n = in.size();
  out->reserve(out->size() + n);
  while (i < n) {
    size_t ascii = i;
    if (!swe7) {
      while (ascii < n && static_cast<unsigned char>(in[ascii]) < 0x80) ++ascii;
      out->append(in.data() + i, ascii - i);
      if (ascii == n) return;
    }
    auto c = static_cast<unsigned char>(in[ascii]);
    uint32_t cp = c >= 0x80 ? t.high[c - 0x80] : c;
    if (swe7 && c < 0x80) {
      for (size_t k = 0; k < kSwe7LowCount; ++k) {
        if (kSwe7Low[k][0] == c) cp = kSwe7Low[k][1];
      }
    }
    AppendCodePoint(cp, out);
    i = ascii + 1;
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

Utf8Conversion ConversionForCharset(const char* name) {
  if (!std::strcmp(name, "utf8mb4") || !std::strcmp(name, "utf8mb3")) return Utf8Conversion::kCopy;
  if (!std::strcmp(name, "ucs2")) return Utf8Conversion::kUcs2;
  if (!std::strcmp(name, "utf16")) return Utf8Conversion::kUtf16;
  if (!std::strcmp(name, "utf16le")) return Utf8Conversion::kUtf16Le;
  if (!std::strcmp(name, "utf32")) return Utf8Conversion::kUtf32;
  for (size_t i = 0; i < kSingleByteTableCount; ++i) {
    if (!std::strcmp(name, kSingleByteTables[i].charset)) {
      return static_cast<Utf8Conversion>(static_cast<size_t>(Utf8Conversion::kSingleByte) + i);
    }
  }
  MultiByteSet set;
  if (MultiByteSetFor(name, &set) && PrepareMultiByteSet(set)) {
    return static_cast<Utf8Conversion>(static_cast<size_t>(Utf8Conversion::kMultiByte) + static_cast<size_t>(set));
  }
  return Utf8Conversion::kPassThrough;
}

Utf8Conversion ConversionFor(uint32_t collation_id) {
  const CharsetInfo* cs = CharsetOfCollation(collation_id);
  return cs ? ConversionForCharset(cs->name) : Utf8Conversion::kPassThrough;
}

void AppendAsUtf8(Utf8Conversion conversion, std::string_view bytes, std::string* out) {
  auto v = static_cast<size_t>(conversion);
  switch (conversion) {
    case Utf8Conversion::kCopy: case Utf8Conversion::kPassThrough: out->append(bytes); return;
    case Utf8Conversion::kUcs2: WideToUtf8(bytes, 2, true, false, out); return;
    case Utf8Conversion::kUtf16: WideToUtf8(bytes, 2, true, true, out); return;
    case Utf8Conversion::kUtf16Le: WideToUtf8(bytes, 2, false, true, out); return;
    case Utf8Conversion::kUtf32: WideToUtf8(bytes, 4, true, false, out); return;
    default: break;
  }
  if (v >= static_cast<size_t>(Utf8Conversion::kSingleByte)) {
    SingleByteToUtf8(v - static_cast<size_t>(Utf8Conversion::kSingleByte), bytes, out);
  } else {
    MultiByteToUtf8(static_cast<MultiByteSet>(v - static_cast<size_t>(Utf8Conversion::kMultiByte)), bytes, out);
  }
}

bool AppendAsUtf8(uint32_t collation_id, std::string_view bytes, std::string* out) {
  Utf8Conversion conversion = ConversionFor(collation_id);
  AppendAsUtf8(conversion, bytes, out);
  return conversion != Utf8Conversion::kPassThrough;
}

}  // namespace weft::source::mysql
