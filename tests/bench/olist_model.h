#pragma once
// The Olist-shaped data set of the benchmarks, as a deterministic function of (scale, seed).
//
// At scale 1 the six tables of tests/data/seeds/schema.sql hold exactly Olist's row counts: 99,441
// orders and customers (one customer row per order, as in Olist), 112,650 order items, 103,886
// payments, 32,951 products and 3,095 sellers. Other scales multiply every count. Fan-out follows
// Olist's histograms (most orders have one item and one payment; a few have up to 20 items), and
// products are drawn Zipf-like, so a few hot products (and the sellers of hot products) are referenced
// by thousands of items. Ids are 32 lowercase hex digits like Olist's, derived from (seed, table,
// index), so the change generator can name any row without reading the database.
//
// Only the structure (fan-out, which product each item has) is kept in memory; the other column
// values of a row come from a per-row random stream (RowRng), so they cost nothing to keep.

#include <cstdint>
#include <string>
#include <vector>

namespace weft::bench {

// xoshiro256** seeded through splitmix64: fast, and identical on every platform (std:: distributions
// are not, which would break "deterministic for a seed").
class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t Next();
  double Uniform();                        // [0, 1)
  int64_t Below(int64_t n);                // [0, n), n > 0
  int64_t Between(int64_t lo, int64_t hi);  // [lo, hi]
  double Normal();                         // standard normal (Box-Muller)

 private:
  uint64_t s_[4];
};

uint64_t Mix(uint64_t x);  // splitmix64 finaliser

enum class Table : uint64_t { kOrder = 1, kCustomer, kCustomerUnique, kProduct, kSeller, kNewOrder, kNewCustomer };

// The 32-hex-digit id of row `index` of `table`.
std::string Id(uint64_t seed, Table table, int64_t index);
// A random stream for one row's column values.
Rng RowRng(uint64_t seed, Table table, int64_t index);

struct Counts {
  int64_t orders = 0, customers = 0, items = 0, payments = 0, products = 0, sellers = 0;
};
Counts CountsFor(double scale);

struct Dataset {
  double scale = 1;
  uint64_t seed = 1;
  Counts counts;
  std::vector<uint8_t> items_of_order;     // per order index: number of items (0..20)
  std::vector<uint8_t> payments_of_order;  // per order index: number of payments (0..29)
  std::vector<int64_t> first_item;         // per order index: index of its first item; size orders+1
  std::vector<int32_t> item_product;       // per item index: product index
  std::vector<int32_t> product_seller;     // per product index: seller index (one seller per product)
  std::vector<int32_t> product_by_rank;    // hottest product first
  std::vector<int64_t> items_of_product;   // per product index: how many items reference it
  std::vector<int64_t> items_of_seller;    // per seller index
  std::vector<double> product_price;       // per product index: its list price
};

// Builds the structure. Memory: about 40 bytes per item and per product, a few per order.
Dataset BuildDataset(double scale, uint64_t seed);

// Writes ecom_<table>.tsv for the six tables into `dir` (which must exist), each sorted by primary
// key, in LOAD DATA's default format (tab-separated, \N for NULL). Returns false on an I/O error,
// with the reason in *error.
bool WriteTsv(const Dataset& data, const std::string& dir, std::string* error);

// Column values shared by the TSV writer and the change generator.
std::string Datetime(int64_t unix_seconds);  // "2017-10-02 10:56:33"
std::string Money(double value);             // "129.90"
struct Place {
  const char* city;
  const char* state;
  int zip_base;
};
const Place& PickPlace(Rng& rng);

}  // namespace weft::bench
