// BinlogCrc32's folded (carry-less multiplication) and table paths against zlib's crc32: every length
// from 0 to 700 at several misalignments, a large buffer, a single flipped bit, and known values.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>

#include "source/mysql/binlog/binlog_event.h"

namespace sm = weft::source::mysql;

namespace {

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(gen() & 0xff);
  return out;
}

}  // namespace

TEST_CASE("binlog CRC32: known values") {
  CHECK(sm::BinlogCrc32("") == 0u);
  CHECK(sm::BinlogCrc32("123456789") == 0xCBF43926u);
  // 16 bytes and more take the folded path where the CPU has it (four lanes from 64), less the table.
  CHECK(sm::BinlogCrc32(std::string(64, '\0')) == 0x758D6336u);
  CHECK(sm::BinlogCrc32(std::string(100, 'a')) == 0xAF707A64u);
  CHECK(sm::BinlogCrc32("The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog.") ==
        sm::BinlogCrc32Portable("The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog."));
}

TEST_CASE("binlog CRC32: the folded path equals zlib at every length and alignment") {
  const std::string data = RandomBytes(800, 12);
  for (size_t offset = 0; offset < 16; offset += 5) {
    for (size_t len = 0; len <= 700; ++len) {
      std::string_view piece = std::string_view(data).substr(offset, len);
      INFO("offset " << offset << " length " << len);
      REQUIRE(sm::BinlogCrc32(piece) == sm::BinlogCrc32Portable(piece));
    }
  }
  const std::string big = RandomBytes((1 << 20) + 13, 99);
  CHECK(sm::BinlogCrc32(big) == sm::BinlogCrc32Portable(big));
  // All-ones input (every lane saturated) and a single flipped bit anywhere change the value.
  const std::string ones(333, '\xff');
  CHECK(sm::BinlogCrc32(ones) == sm::BinlogCrc32Portable(ones));
  const uint32_t whole = sm::BinlogCrc32(std::string_view(data).substr(0, 300));
  for (size_t bit = 0; bit < 300 * 8; bit += 37) {
    std::string flipped = data.substr(0, 300);
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    CHECK(sm::BinlogCrc32(flipped) != whole);
    CHECK(sm::BinlogCrc32(flipped) == sm::BinlogCrc32Portable(flipped));
  }
}
