// BinlogCrc32: the binlog checksum (CRC-32/ISO-HDLC, the polynomial zlib's crc32 uses).
//
// Every event a reader receives is checksummed, and the events are small (the Olist catch-up
// binlog averages 180 bytes): zlib's crc32 was 18% of the reading thread's time in a profile of
// tests/bench/olist_read, about 0.5 GB/s. On x86-64 CPUs with PCLMULQDQ the 16-byte-aligned bulk of
// each event is folded with carry-less multiplications instead (Gopal, Ozturk et al., "Fast CRC
// Computation for Generic Polynomials Using PCLMULQDQ Instruction", Intel 2009, with the constants
// of its bit-reflected form), four 128-bit lanes at a time from 64 bytes on, and a byte table
// finishes the last 0-15 bytes (and inputs under 16). Elsewhere zlib does it all. The unit tests
// compare these paths with zlib at every length up to 700 bytes.
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <string_view>

#include "source/mysql/binlog/binlog_event.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define WEFT_CRC32_CLMUL 1
#include <immintrin.h>
#endif

namespace weft::source::mysql {
namespace {

uint32_t ZlibCrc32(uint32_t crc, std::string_view bytes) {
  // zlib takes uInt lengths: feed large inputs in chunks.
  while (!bytes.empty()) {
    size_t n = bytes.size() > (1u << 30) ? (1u << 30) : bytes.size();
    crc = static_cast<uint32_t>(crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(n)));
    bytes.remove_prefix(n);
  }
  return crc;
}

#ifdef WEFT_CRC32_CLMUL

constexpr size_t kFoldMinimum = 16;  // one 16-byte lane; four from 64 bytes on

// Byte-at-a-time table for the last 0-15 bytes and inputs under 16 (zlib's call costs more there).
struct ByteTable {
  uint32_t v[256];
  constexpr ByteTable() : v() {
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      v[n] = c;
    }
  }
};
constexpr ByteTable kByteTable;

// The CRC register (not inverted) advanced over `bytes` one byte at a time.
uint32_t TableCrc32(uint32_t state, std::string_view bytes) {
  for (char c : bytes) state = kByteTable.v[(state ^ static_cast<uint8_t>(c)) & 0xff] ^ (state >> 8);
  return state;
}

// One lane step: `lane` (128 bits of polynomial) multiplied forward by x^(distance) mod P, with the
// two 64-bit halves' constants in `k`, xor-ed into `data`.
__attribute__((target("pclmul,sse4.1"))) inline __m128i Fold(__m128i lane, __m128i k, __m128i data) {
  __m128i low = _mm_clmulepi64_si128(lane, k, 0x00);
  __m128i high = _mm_clmulepi64_si128(lane, k, 0x11);
  return _mm_xor_si128(_mm_xor_si128(low, high), data);
}

// The CRC register (pre- and post-inverted by the caller, as zlib's internal state) over `len`
// bytes at `p`; len >= 16 and a multiple of 16.
__attribute__((target("pclmul,sse4.1"))) uint32_t ClmulCrc32(uint32_t state, const unsigned char* p, size_t len) {
  // x^(4*128+64), x^(4*128) mod P (reflected, shifted by one): folds a lane 64 bytes forward.
  const __m128i k1k2 = _mm_set_epi64x(0x01c6e41596, 0x0154442bd4);
  // x^(128+64), x^128 mod P: folds a lane 16 bytes forward.
  const __m128i k3k4 = _mm_set_epi64x(0x00ccaa009e, 0x01751997d0);
  // x^64 mod P: 96 -> 64 bits.
  const __m128i k5 = _mm_set_epi64x(0, 0x0163cd6124);
  // Barrett reduction: P (low half) and mu = floor(x^64 / P) (high half), reflected.
  const __m128i poly_mu = _mm_set_epi64x(0x01f7011641, 0x01db710641);
  const __m128i low32 = _mm_setr_epi32(~0, 0, ~0, 0);

  auto load = [](const unsigned char* at) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at)); };
  __m128i x1 = _mm_xor_si128(load(p), _mm_cvtsi32_si128(static_cast<int>(state)));
  if (len >= 64) {
    __m128i x2 = load(p + 16), x3 = load(p + 32), x4 = load(p + 48);
    p += 64;
    len -= 64;
    while (len >= 64) {
      x1 = Fold(x1, k1k2, load(p));
      x2 = Fold(x2, k1k2, load(p + 16));
      x3 = Fold(x3, k1k2, load(p + 32));
      x4 = Fold(x4, k1k2, load(p + 48));
      p += 64;
      len -= 64;
    }
    // Four lanes into one.
    x1 = Fold(x1, k3k4, x2);
    x1 = Fold(x1, k3k4, x3);
    x1 = Fold(x1, k3k4, x4);
  } else {
    p += 16;
    len -= 16;
  }
  // The remaining 16-byte blocks.
  while (len >= 16) {
    x1 = Fold(x1, k3k4, load(p));
    p += 16;
    len -= 16;
  }
  // 128 -> 64 bits.
  __m128i t = _mm_clmulepi64_si128(x1, k3k4, 0x10);
  x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), t);
  // 96 -> 64 bits.
  t = _mm_srli_si128(x1, 4);
  x1 = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x1, low32), k5, 0x00), t);
  // Barrett reduction to the 32-bit remainder.
  t = _mm_clmulepi64_si128(_mm_and_si128(x1, low32), poly_mu, 0x10);
  t = _mm_clmulepi64_si128(_mm_and_si128(t, low32), poly_mu, 0x00);
  x1 = _mm_xor_si128(x1, t);
  return static_cast<uint32_t>(_mm_extract_epi32(x1, 1));
}

bool HasClmul() {
  static const bool has = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
  return has;
}

#endif  // WEFT_CRC32_CLMUL

}  // namespace

uint32_t BinlogCrc32(std::string_view bytes) {
#ifdef WEFT_CRC32_CLMUL
  if (bytes.size() >= kFoldMinimum && HasClmul()) {
    size_t bulk = bytes.size() & ~size_t{15};
    uint32_t state = ClmulCrc32(~0u, reinterpret_cast<const unsigned char*>(bytes.data()), bulk);
    return ~TableCrc32(state, bytes.substr(bulk));
  }
  if (bytes.size() < kFoldMinimum) return ~TableCrc32(~0u, bytes);
#endif
  return ZlibCrc32(0, bytes);
}

uint32_t BinlogCrc32Portable(std::string_view bytes) { return ZlibCrc32(0, bytes); }

}  // namespace weft::source::mysql
