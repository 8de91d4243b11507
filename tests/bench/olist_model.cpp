// The structure of the Olist-shaped data set: counts, fan-out, and which product each item has.
#include "olist_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <numbers>
#include <utility>

namespace weft::bench {
namespace {

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// Olist's histograms (orders per number of items; orders per number of payments). The items
// histogram is Olist's own with its one 21-item order counted at 20 (the data set's cap here);
// each adds up to the scale-1 totals, and the scaled ones are corrected to the scaled totals.
constexpr std::pair<int, int64_t> kItemsHistogram[] = {
    {0, 775}, {1, 88863}, {2, 7516}, {3, 1322}, {4, 505}, {5, 204}, {6, 198}, {7, 22}, {8, 8},
    {9, 3},   {10, 8},    {11, 4},   {12, 5},   {13, 1},  {14, 2},  {15, 2},  {20, 3}};
constexpr std::pair<int, int64_t> kPaymentsHistogram[] = {
    {0, 1},  {1, 96479}, {2, 2382}, {3, 301}, {4, 108}, {5, 52}, {6, 36}, {7, 28}, {8, 11}, {9, 9}, {10, 5},
    {11, 8}, {12, 8},    {13, 3},   {14, 2},  {15, 2},  {19, 2}, {21, 1}, {22, 1}, {26, 1}, {29, 1}};

// Per-parent child counts following `histogram`, shuffled, adding up to exactly `children`: the
// histogram is scaled to `parents`, then single-child parents gain or multi-child parents lose one
// child at a time until the total matches.
template <size_t N>
std::vector<uint8_t> FanOut(const std::pair<int, int64_t> (&histogram)[N], int64_t parents, int64_t children,
                            int cap, Rng& rng) {
  int64_t histogram_total = 0;
  for (const auto& [k, n] : histogram) histogram_total += n;
  std::vector<uint8_t> counts;
  counts.reserve(parents);
  for (const auto& [k, n] : histogram) {
    if (k == 0) continue;
    int64_t scaled = static_cast<int64_t>(std::llround(static_cast<double>(n) * parents / histogram_total));
    for (int64_t i = 0; i < scaled && static_cast<int64_t>(counts.size()) < parents; ++i) counts.push_back(k);
  }
  counts.resize(parents, 0);
  int64_t total = 0;
  for (uint8_t c : counts) total += c;
  if (parents == 0) return counts;
  int64_t guard = 0;
  while (total != children && guard++ < 100 * (parents + children)) {
    int64_t i = rng.Below(parents);
    if (total < children && counts[i] < cap && (counts[i] == 1 || guard > 20 * parents)) {
      ++counts[i];
      ++total;
    } else if (total > children && counts[i] >= (guard > 20 * parents ? 1 : 2)) {
      --counts[i];
      --total;
    }
  }
  for (int64_t i = parents - 1; i > 0; --i) std::swap(counts[i], counts[rng.Below(i + 1)]);
  return counts;
}

// Inverse-CDF sampler of a Zipf law over ranks 0..n-1 with exponent s.
class Zipf {
 public:
  Zipf(int64_t n, double s) : cdf_(n) {
    double sum = 0;
    for (int64_t k = 0; k < n; ++k) cdf_[k] = sum += std::pow(static_cast<double>(k + 1), -s);
    for (double& c : cdf_) c /= sum;
  }
  int64_t Sample(Rng& rng) const {
    auto it = std::upper_bound(cdf_.begin(), cdf_.end(), rng.Uniform());
    return std::min<int64_t>(it - cdf_.begin(), static_cast<int64_t>(cdf_.size()) - 1);
  }

 private:
  std::vector<double> cdf_;
};

// Exponent 0.8: at scale 1 the hottest product is in about 3,000 items and the hottest seller (whose
// products are drawn with the same law) in about 5,000.
constexpr double kZipfExponent = 0.8;

}  // namespace

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Rng::Rng(uint64_t seed) {
  uint64_t x = seed;
  for (uint64_t& s : s_) s = Mix(x++);
}

uint64_t Rng::Next() {
  uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

double Rng::Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
int64_t Rng::Below(int64_t n) { return static_cast<int64_t>(Next() % static_cast<uint64_t>(n)); }
int64_t Rng::Between(int64_t lo, int64_t hi) { return lo + Below(hi - lo + 1); }
double Rng::Normal() {
  double u = 1.0 - Uniform();
  return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * Uniform());
}

std::string Id(uint64_t seed, Table table, int64_t index) {
  uint64_t base = Mix(seed * 0x100000001b3ULL ^ static_cast<uint64_t>(table) << 56) ^ static_cast<uint64_t>(index);
  char out[33];
  std::snprintf(out, sizeof out, "%016llx%016llx", static_cast<unsigned long long>(Mix(base)),
                static_cast<unsigned long long>(Mix(base ^ 0x5851f42d4c957f2dULL)));
  return out;
}

Rng RowRng(uint64_t seed, Table table, int64_t index) {
  return Rng(Mix(Mix(seed) ^ (static_cast<uint64_t>(table) << 48) ^ static_cast<uint64_t>(index)));
}

Counts CountsFor(double scale) {
  auto n = [scale](double base) { return std::max<int64_t>(1, std::llround(base * scale)); };
  return Counts{n(99441), n(99441), n(112650), n(103886), n(32951), n(3095)};
}

Dataset BuildDataset(double scale, uint64_t seed) {
  Dataset d;
  d.scale = scale;
  d.seed = seed;
  d.counts = CountsFor(scale);
  const Counts& c = d.counts;
  Rng rng(Mix(seed ^ 0x6f6c697374ULL));
  d.items_of_order = FanOut(kItemsHistogram, c.orders, c.items, 20, rng);
  d.payments_of_order = FanOut(kPaymentsHistogram, c.orders, c.payments, 29, rng);
  d.first_item.resize(c.orders + 1);
  for (int64_t o = 0; o < c.orders; ++o) d.first_item[o + 1] = d.first_item[o] + d.items_of_order[o];

  // Ranks are assigned to random products (and sellers), so the hot ones are not the first ids.
  d.product_by_rank.resize(c.products);
  for (int64_t p = 0; p < c.products; ++p) d.product_by_rank[p] = static_cast<int32_t>(p);
  for (int64_t i = c.products - 1; i > 0; --i) std::swap(d.product_by_rank[i], d.product_by_rank[rng.Below(i + 1)]);
  std::vector<int32_t> seller_by_rank(c.sellers);
  for (int64_t s = 0; s < c.sellers; ++s) seller_by_rank[s] = static_cast<int32_t>(s);
  for (int64_t i = c.sellers - 1; i > 0; --i) std::swap(seller_by_rank[i], seller_by_rank[rng.Below(i + 1)]);

  Zipf product_law(c.products, kZipfExponent);
  Zipf seller_law(c.sellers, kZipfExponent);
  d.product_seller.resize(c.products);
  d.product_price.resize(c.products);
  for (int64_t p = 0; p < c.products; ++p) {
    d.product_seller[p] = seller_by_rank[seller_law.Sample(rng)];
    // Olist's prices: median about 75, from 0.85 to 6,735.
    d.product_price[p] = std::clamp(std::exp(4.3 + 1.0 * rng.Normal()), 0.85, 6735.0);
  }
  d.item_product.resize(c.items);
  for (int64_t o = 0; o < c.orders; ++o) {
    for (int64_t i = d.first_item[o]; i < d.first_item[o + 1]; ++i) {
      // Half of the extra items of an order repeat the previous item's product (Olist lists two units
      // of one product as two items).
      bool repeat = i > d.first_item[o] && rng.Uniform() < 0.5;
      d.item_product[i] = repeat ? d.item_product[i - 1] : d.product_by_rank[product_law.Sample(rng)];
    }
  }
  d.items_of_product.assign(c.products, 0);
  d.items_of_seller.assign(c.sellers, 0);
  for (int32_t p : d.item_product) {
    ++d.items_of_product[p];
    ++d.items_of_seller[d.product_seller[p]];
  }
  return d;
}

std::string Datetime(int64_t t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm_utc;
  gmtime_r(&tt, &tm_utc);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%d %H:%M:%S", &tm_utc);
  return out;
}

std::string Money(double value) {
  char out[32];
  std::snprintf(out, sizeof out, "%.2f", value);
  return out;
}

const Place& PickPlace(Rng& rng) {
  // Olist's customers and sellers are concentrated in the south-east; weights are rough shares.
  static const Place kPlaces[] = {
      {"sao paulo", "SP", 1000},     {"rio de janeiro", "RJ", 20000}, {"belo horizonte", "MG", 30000},
      {"brasilia", "DF", 70000},     {"curitiba", "PR", 80000},       {"campinas", "SP", 13000},
      {"porto alegre", "RS", 90000}, {"salvador", "BA", 40000},       {"guarulhos", "SP", 7000},
      {"sao bernardo do campo", "SP", 9600}, {"niteroi", "RJ", 24000}, {"santo andre", "SP", 9000},
      {"osasco", "SP", 6000},        {"santos", "SP", 11000},         {"goiania", "GO", 74000},
      {"sao jose dos campos", "SP", 12200}, {"fortaleza", "CE", 60000}, {"sorocaba", "SP", 18000},
      {"recife", "PE", 50000},       {"florianopolis", "SC", 88000},  {"jundiai", "SP", 13200},
      {"ribeirao preto", "SP", 14000}, {"belem", "PA", 66000},        {"manaus", "AM", 69000}};
  static const int kWeights[] = {160, 70, 28, 21, 15, 15, 14, 13, 12, 10, 9, 8,
                                 8,   7,  7,  7,  7,  7,  6,  6,  5,  5,  5, 4};
  int total = 0;
  for (int w : kWeights) total += w;
  int64_t r = rng.Below(total);
  for (size_t i = 0; i < std::size(kPlaces); ++i) {
    if (r < kWeights[i]) return kPlaces[i];
    r -= kWeights[i];
  }
  return kPlaces[0];
}

}  // namespace weft::bench
