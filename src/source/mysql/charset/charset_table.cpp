#include "source/mysql/charset/charset.h"

#include <algorithm>
#include <iterator>

namespace weft::source::mysql {
namespace {

enum CharsetIndex : uint8_t {
  kArmscii8,
  kAscii,
  kBig5,
  kBinary,
  kCp1250,
  kCp1251,
  kCp1256,
  kCp1257,
  kCp850,
  kCp852,
  kCp866,
  kCp932,
  kDec8,
  kEucjpms,
  kEuckr,
  kGb18030,
  kGb2312,
  kGbk,
  kGeostd8,
  kGreek,
  kHebrew,
  kHp8,
  kKeybcs2,
  kKoi8r,
  kKoi8u,
  kLatin1,
  kLatin2,
  kLatin5,
  kLatin7,
  kMacce,
  kMacroman,
  kSjis,
  kSwe7,
  kTis620,
  kUcs2,
  kUjis,
  kUtf16,
  kUtf16le,
  kUtf32,
  kUtf8mb3,
  kUtf8mb4
};

const CharsetInfo kCharsets[] = {
    {"armscii8", 1},
    {"ascii", 1},
    {"big5", 2},
    {"binary", 1},
    {"cp1250", 1},
    {"cp1251", 1},
    {"cp1256", 1},
    {"cp1257", 1},
    {"cp850", 1},
    {"cp852", 1},
    {"cp866", 1},
    {"cp932", 2},
    {"dec8", 1},
    {"eucjpms", 3},
    {"euckr", 2},
    {"gb18030", 4},
    {"gb2312", 2},
    {"gbk", 2},
    {"geostd8", 1},
    {"greek", 1},
    {"hebrew", 1},
    {"hp8", 1},
    {"keybcs2", 1},
    {"koi8r", 1},
    {"koi8u", 1},
    {"latin1", 1},
    {"latin2", 1},
    {"latin5", 1},
    {"latin7", 1},
    {"macce", 1},
    {"macroman", 1},
    {"sjis", 2},
    {"swe7", 1},
    {"tis620", 1},
    {"ucs2", 2},
    {"ujis", 3},
    {"utf16", 4},
    {"utf16le", 4},
    {"utf32", 4},
    {"utf8mb3", 3},
    {"utf8mb4", 4},
};

struct CollationRange {
  uint16_t first, last;
  CharsetIndex charset;
};

// Collation id -> character set, as ranges of consecutive ids. Generated from MariaDB 10.11's
// information_schema.COLLATION_CHARACTER_SET_APPLICABILITY (ids up to 3271, the UCA-14.0
// collations included), plus the ids MySQL 8 uses that MariaDB does not: 76 (utf8mb3_tolower_ci),
// 248-250 (gb18030) and 255-323 (the utf8mb4 *_0900_* collations). Sorted by `first`.
const CollationRange kCollations[] = {
    {1, 1, kBig5}, {2, 2, kLatin2}, {3, 3, kDec8}, {4, 4, kCp850},
    {5, 5, kLatin1}, {6, 6, kHp8}, {7, 7, kKoi8r}, {8, 8, kLatin1},
    {9, 9, kLatin2}, {10, 10, kSwe7}, {11, 11, kAscii}, {12, 12, kUjis},
    {13, 13, kSjis}, {14, 14, kCp1251}, {15, 15, kLatin1}, {16, 16, kHebrew},
    {18, 18, kTis620}, {19, 19, kEuckr}, {20, 20, kLatin7}, {21, 21, kLatin2},
    {22, 22, kKoi8u}, {23, 23, kCp1251}, {24, 24, kGb2312}, {25, 25, kGreek},
    {26, 26, kCp1250}, {27, 27, kLatin2}, {28, 28, kGbk}, {29, 29, kCp1257},
    {30, 30, kLatin5}, {31, 31, kLatin1}, {32, 32, kArmscii8}, {33, 33, kUtf8mb3},
    {34, 34, kCp1250}, {35, 35, kUcs2}, {36, 36, kCp866}, {37, 37, kKeybcs2},
    {38, 38, kMacce}, {39, 39, kMacroman}, {40, 40, kCp852}, {41, 42, kLatin7},
    {43, 43, kMacce}, {44, 44, kCp1250}, {45, 46, kUtf8mb4}, {47, 49, kLatin1},
    {50, 52, kCp1251}, {53, 53, kMacroman}, {54, 55, kUtf16}, {56, 56, kUtf16le},
    {57, 57, kCp1256}, {58, 59, kCp1257}, {60, 61, kUtf32}, {62, 62, kUtf16le},
    {63, 63, kBinary}, {64, 64, kArmscii8}, {65, 65, kAscii}, {66, 66, kCp1250},
    {67, 67, kCp1256}, {68, 68, kCp866}, {69, 69, kDec8}, {70, 70, kGreek},
    {71, 71, kHebrew}, {72, 72, kHp8}, {73, 73, kKeybcs2}, {74, 74, kKoi8r},
    {75, 75, kKoi8u}, {76, 76, kUtf8mb3}, {77, 77, kLatin2}, {78, 78, kLatin5},
    {79, 79, kLatin7}, {80, 80, kCp850}, {81, 81, kCp852}, {82, 82, kSwe7},
    {83, 83, kUtf8mb3}, {84, 84, kBig5}, {85, 85, kEuckr}, {86, 86, kGb2312},
    {87, 87, kGbk}, {88, 88, kSjis}, {89, 89, kTis620}, {90, 90, kUcs2},
    {91, 91, kUjis}, {92, 93, kGeostd8}, {94, 94, kLatin1}, {95, 96, kCp932},
    {97, 98, kEucjpms}, {99, 99, kCp1250}, {101, 124, kUtf16}, {128, 151, kUcs2},
    {159, 159, kUcs2}, {160, 183, kUtf32}, {192, 215, kUtf8mb3}, {223, 223, kUtf8mb3},
    {224, 247, kUtf8mb4}, {248, 250, kGb18030}, {255, 323, kUtf8mb4}, {576, 578, kUtf8mb3},
    {608, 610, kUtf8mb4}, {640, 642, kUcs2}, {672, 674, kUtf16}, {736, 738, kUtf32},
    {1025, 1025, kBig5}, {1027, 1027, kDec8}, {1028, 1028, kCp850}, {1030, 1030, kHp8},
    {1031, 1031, kKoi8r}, {1032, 1032, kLatin1}, {1033, 1033, kLatin2}, {1034, 1034, kSwe7},
    {1035, 1035, kAscii}, {1036, 1036, kUjis}, {1037, 1037, kSjis}, {1040, 1040, kHebrew},
    {1042, 1042, kTis620}, {1043, 1043, kEuckr}, {1046, 1046, kKoi8u}, {1048, 1048, kGb2312},
    {1049, 1049, kGreek}, {1050, 1050, kCp1250}, {1052, 1052, kGbk}, {1054, 1054, kLatin5},
    {1056, 1056, kArmscii8}, {1057, 1057, kUtf8mb3}, {1059, 1059, kUcs2}, {1060, 1060, kCp866},
    {1061, 1061, kKeybcs2}, {1062, 1062, kMacce}, {1063, 1063, kMacroman}, {1064, 1064, kCp852},
    {1065, 1065, kLatin7}, {1067, 1067, kMacce}, {1069, 1070, kUtf8mb4}, {1071, 1071, kLatin1},
    {1074, 1075, kCp1251}, {1077, 1077, kMacroman}, {1078, 1079, kUtf16}, {1080, 1080, kUtf16le},
    {1081, 1081, kCp1256}, {1082, 1083, kCp1257}, {1084, 1085, kUtf32}, {1086, 1086, kUtf16le},
    {1088, 1088, kArmscii8}, {1089, 1089, kAscii}, {1090, 1090, kCp1250}, {1091, 1091, kCp1256},
    {1092, 1092, kCp866}, {1093, 1093, kDec8}, {1094, 1094, kGreek}, {1095, 1095, kHebrew},
    {1096, 1096, kHp8}, {1097, 1097, kKeybcs2}, {1098, 1098, kKoi8r}, {1099, 1099, kKoi8u},
    {1101, 1101, kLatin2}, {1102, 1102, kLatin5}, {1103, 1103, kLatin7}, {1104, 1104, kCp850},
    {1105, 1105, kCp852}, {1106, 1106, kSwe7}, {1107, 1107, kUtf8mb3}, {1108, 1108, kBig5},
    {1109, 1109, kEuckr}, {1110, 1110, kGb2312}, {1111, 1111, kGbk}, {1112, 1112, kSjis},
    {1113, 1113, kTis620}, {1114, 1114, kUcs2}, {1115, 1115, kUjis}, {1116, 1117, kGeostd8},
    {1119, 1120, kCp932}, {1121, 1122, kEucjpms}, {1125, 1125, kUtf16}, {1147, 1147, kUtf16},
    {1152, 1152, kUcs2}, {1174, 1174, kUcs2}, {1184, 1184, kUtf32}, {1206, 1206, kUtf32},
    {1216, 1216, kUtf8mb3}, {1238, 1238, kUtf8mb3}, {1248, 1248, kUtf8mb4}, {1270, 1270, kUtf8mb4},
    {2048, 2215, kUtf8mb3}, {2232, 2247, kUtf8mb3}, {2304, 2471, kUtf8mb4}, {2488, 2503, kUtf8mb4},
    {2560, 2727, kUcs2}, {2744, 2759, kUcs2}, {2816, 2983, kUtf16}, {3000, 3015, kUtf16},
    {3072, 3239, kUtf32}, {3256, 3271, kUtf32},
};

}  // namespace

const CharsetInfo* CharsetOfCollation(uint32_t collation_id) {
  auto it = std::upper_bound(std::begin(kCollations), std::end(kCollations), collation_id,
                             [](uint32_t id, const CollationRange& r) { return id < r.first; });
  if (it == std::begin(kCollations)) return nullptr;
  --it;
  if (collation_id > it->last) return nullptr;
  return &kCharsets[it->charset];
}

}  // namespace weft::source::mysql
