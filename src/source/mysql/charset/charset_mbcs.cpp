// Multi-byte character sets: MariaDB's own decoding rules (strings/ctype-*.c: which bytes lead a
// character, how long it is, what the server does with a sequence it cannot map) with the mapping
// of each well-formed character taken from glibc iconv and corrected by the overrides charset_gen.py
// found by comparing iconv with the server for every 1-, 2- and (ujis/eucjpms) 0x8F-led 3-byte input.
//
// Why tables instead of calling iconv per value: the server's handling of bad input ('?' per
// unmappable character or per stray byte, resynchronising after one byte) is not iconv's, a few
// characters differ, and an iconv_t is not safe to share between threads. A table is built once per
// set, on first use, and is read-only afterwards.
#include <iconv.h>

#include <array>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "core/log.h"
#include "source/mysql/charset/charset_tables.h"

namespace weft::source::mysql {
namespace {

struct Range {
  uint8_t first, last;
};

struct Spec {
  const char* charset;
  const char* iconv_name;  // the glibc base the overrides correct
  std::array<Range, 3> lead, trail;  // {0, 0} ends the list early
  bool kana;  // sjis/cp932: 0xA1-0xDF are single-byte half-width katakana
  bool euc3;  // ujis/eucjpms: 0x8E + A1-DF katakana, 0x8F + 2 bytes JIS X 0212
  bool pua;   // ujis: user-defined rows 0xF5-0xFE map to the Private Use Area
};

// Indexed by MultiByteSet.
const Spec kSpecs[kMultiByteSetCount] = {
    {"big5", "BIG5", {{{0xA1, 0xF9}}}, {{{0x40, 0x7E}, {0xA1, 0xFE}}}, false, false, false},
    {"cp932", "CP932", {{{0x81, 0x9F}, {0xE0, 0xFC}}}, {{{0x40, 0x7E}, {0x80, 0xFC}}}, true, false, false},
    {"eucjpms", "EUC-JP-MS", {{{0xA1, 0xFE}}}, {{{0xA1, 0xFE}}}, false, true, false},
    {"euckr", "CP949", {{{0x81, 0xFE}}}, {{{0x41, 0x5A}, {0x61, 0x7A}, {0x81, 0xFE}}}, false, false, false},
    {"gb2312", "EUC-CN", {{{0xA1, 0xF7}}}, {{{0xA1, 0xFE}}}, false, false, false},
    {"gbk", "GBK", {{{0x81, 0xFE}}}, {{{0x40, 0x7E}, {0x80, 0xFE}}}, false, false, false},
    {"sjis", "SHIFT_JIS", {{{0x81, 0x9F}, {0xE0, 0xFC}}}, {{{0x40, 0x7E}, {0x80, 0xFC}}}, true, false, false},
    {"ujis", "EUC-JP", {{{0xA1, 0xFE}}}, {{{0xA1, 0xFE}}}, false, true, true},
};

bool In(const std::array<Range, 3>& ranges, uint8_t b) {
  for (const Range& r : ranges) {
    if (r.first == 0) break;
    if (b >= r.first && b <= r.last) return true;
  }
  return false;
}

// Move-only owner of an iconv descriptor (to UTF-32LE).
class Iconv {
 public:
  explicit Iconv(const char* from) : cd_(iconv_open("UTF-32LE", from)) {}
  ~Iconv() {
    if (ok()) iconv_close(cd_);
  }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;
  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }

  // The one code point iconv makes of `bytes`, or 0 when it makes none or several.
  uint32_t One(const char* bytes, size_t n) {
    iconv(cd_, nullptr, nullptr, nullptr, nullptr);  // a clean shift state per character
    char in[4], out[8];
    std::memcpy(in, bytes, n);
    char* ip = in;
    char* op = out;
    size_t il = n, ol = sizeof out;
    if (iconv(cd_, &ip, &il, &op, &ol) == static_cast<size_t>(-1) || il != 0 || ol != 4) return 0;
    return static_cast<uint8_t>(out[0]) | static_cast<uint8_t>(out[1]) << 8 | static_cast<uint8_t>(out[2]) << 16 |
           static_cast<uint32_t>(static_cast<uint8_t>(out[3])) << 24;
  }

 private:
  iconv_t cd_;
};

// Code point 0 = no mapping. All of MariaDB's multi-byte sets map into the BMP.
struct Table {
  std::vector<uint16_t> two = std::vector<uint16_t>(128 * 256);  // [(lead - 0x80) << 8 | trail]
  std::vector<bool> well_formed = std::vector<bool>(128 * 256);  // same index: '?' eats both bytes
  std::vector<uint16_t> three;  // euc3: [(b2 - 0xA1) * 94 + (b3 - 0xA1)], both 0xA1-0xFE
};

void ApplyRuns(const CodeRun* runs, size_t n, bool three, Table* t) {
  for (size_t i = 0; i < n; ++i) {
    for (uint32_t k = 0; k < runs[i].count; ++k) {
      uint32_t code = runs[i].first + k;
      uint16_t cp = runs[i].code_point ? static_cast<uint16_t>(runs[i].code_point + k) : 0;
      if (three) t->three[((code >> 8) - 0xA1) * 94 + ((code & 0xFF) - 0xA1)] = cp;
      else t->two[code - 0x8000] = cp;
    }
  }
}

std::unique_ptr<Table> Build(const Spec& s) {
  Iconv conv(s.iconv_name);
  if (!conv.ok()) {
    core::Log(core::LogLevel::kError, "source.mysql",
              std::string("iconv has no ") + s.iconv_name + ": " + s.charset +
                  " columns are passed on as raw bytes (their rows go to the dead-letter table as invalid UTF-8)");
    return nullptr;
  }
  auto t = std::make_unique<Table>();
  for (unsigned lead = 0x80; lead <= 0xFF; ++lead) {
    for (unsigned trail = 0; trail <= 0xFF; ++trail) {
      bool wf = s.euc3 && lead == 0x8E ? trail >= 0xA1 && trail <= 0xDF
                                        : In(s.lead, static_cast<uint8_t>(lead)) && In(s.trail, static_cast<uint8_t>(trail));
      if (!wf) continue;
      size_t i = (lead - 0x80) << 8 | trail;
      t->well_formed[i] = true;
      char bytes[2] = {static_cast<char>(lead), static_cast<char>(trail)};
      t->two[i] = static_cast<uint16_t>(conv.One(bytes, 2));
      if (s.pua && lead >= 0xF5) t->two[i] = static_cast<uint16_t>(0xE000 + (lead - 0xF5) * 94 + (trail - 0xA1));
    }
  }
  if (s.euc3) {
    t->three.resize(94 * 94);
    for (unsigned b2 = 0xA1; b2 <= 0xFE; ++b2) {
      for (unsigned b3 = 0xA1; b3 <= 0xFE; ++b3) {
        char bytes[3] = {'\x8F', static_cast<char>(b2), static_cast<char>(b3)};
        uint16_t cp = static_cast<uint16_t>(conv.One(bytes, 3));
        if (s.pua && b2 >= 0xF5) cp = static_cast<uint16_t>(0xE3AC + (b2 - 0xF5) * 94 + (b3 - 0xA1));
        t->three[(b2 - 0xA1) * 94 + (b3 - 0xA1)] = cp;
      }
    }
  }
  for (size_t i = 0; i < kMultiByteOverridesCount; ++i) {
    const MultiByteOverrides& o = kMultiByteOverrides[i];
    if (std::strcmp(o.charset, s.charset) != 0) continue;
    ApplyRuns(o.runs2, o.runs2_count, false, t.get());
    ApplyRuns(o.runs3, o.runs3_count, true, t.get());
  }
  return t;
}

std::once_flag g_once[kMultiByteSetCount];
std::unique_ptr<Table> g_tables[kMultiByteSetCount];  // written only under g_once

}  // namespace

bool MultiByteSetFor(const char* charset, MultiByteSet* out) {
  for (size_t i = 0; i < kMultiByteSetCount; ++i) {
    if (std::strcmp(kSpecs[i].charset, charset) == 0) {
      *out = static_cast<MultiByteSet>(i);
      return true;
    }
  }
  return false;
}

bool PrepareMultiByteSet(MultiByteSet set) {
  size_t i = static_cast<size_t>(set);
  std::call_once(g_once[i], [i] { g_tables[i] = Build(kSpecs[i]); });
  return g_tables[i] != nullptr;
}

// As my_convert_fix: a character the server cannot map is one '?' for its whole length; a byte
// that starts no well-formed character (or a character cut off by the end) is one '?', and
// decoding resumes at the next byte.
void MultiByteToUtf8(MultiByteSet set, std::string_view in, std::string* out) {
  const Spec& s = kSpecs[static_cast<size_t>(set)];
  const Table& t = *g_tables[static_cast<size_t>(set)];
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
  size_t n = in.size(), i = 0;
  out->reserve(out->size() + n + n / 2);
  while (i < n) {
    uint8_t b = p[i];
    if (b < 0x80) {
      out->push_back(static_cast<char>(b));
      ++i;
    } else if (s.kana && b >= 0xA1 && b <= 0xDF) {
      AppendCodePoint(0xFEC0 + b, out);  // U+FF61..U+FF9F
      ++i;
    } else if (s.euc3 && b == 0x8F) {
      uint16_t cp = 0;
      bool wf = false;
      if (i + 3 <= n) {
        uint8_t b2 = p[i + 1], b3 = p[i + 2];
        wf = b2 >= 0xA1 && b2 <= 0xFE && b3 >= 0xA1 && b3 <= 0xFE;
        if (wf) cp = t.three[(b2 - 0xA1) * 94 + (b3 - 0xA1)];
      }
      AppendCodePoint(cp ? cp : '?', out);
      i += wf ? 3 : 1;
    } else {
      uint16_t cp = 0;
      bool wf = false;
      if (i + 2 <= n) {
        size_t k = static_cast<size_t>(b - 0x80) << 8 | p[i + 1];
        cp = t.two[k];
        wf = t.well_formed[k];
      }
      AppendCodePoint(cp ? cp : '?', out);
      i += wf ? 2 : 1;
    }
  }
}

}  // namespace weft::source::mysql
