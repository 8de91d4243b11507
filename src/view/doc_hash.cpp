#include "view/doc_hash.h"

#include <cstring>

#include "change/value_codec.h"

namespace weft::view {
namespace {

uint64_t Fnv1a64(std::string_view bytes) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// MurmurHash64A (Austin Appleby, public domain), little-endian word reads.
uint64_t Murmur64(std::string_view bytes, uint64_t seed) {
  const uint64_t m = 0xc6a4a7935bd1e995ull;
  const int r = 47;
  uint64_t h = seed ^ (bytes.size() * m);
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t k;
    std::memcpy(&k, bytes.data() + i, 8);
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  size_t rest = bytes.size() - i;
  if (rest) {
    uint64_t tail = 0;
    for (size_t j = 0; j < rest; ++j) tail |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i + j])) << (8 * j);
    h ^= tail;
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

}  // namespace

state::DocHash HashBytes(std::string_view bytes) { return {Fnv1a64(bytes), Murmur64(bytes, 0x9E3779B97F4A7C15ull)}; }

state::DocHash HashDocument(const change::Value& doc) {
  std::string bytes;
  change::EncodeValue(doc, &bytes);
  return HashBytes(bytes);
}

}  // namespace weft::view
