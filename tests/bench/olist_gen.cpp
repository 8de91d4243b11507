// olist_gen: the benchmarks' data generator.
//   olist_gen tsv --scale S [--seed N] --out DIR
//       writes ecom_<table>.tsv for the six tables of tests/data/seeds/schema.sql (LOAD DATA format)
//   olist_gen changes --scale S [--seed N] [--change-seed M] --count N [--txn-rows R] [--marker TEXT]
//                     --out FILE
//       writes the catch-up workload (N row changes, the last one setting one order's order_status to
//       TEXT) as SQL for the data set of that scale and seed; prints its summary as JSON on stdout
//   olist_gen info --scale S [--seed N]
//       prints the data set's row counts and its hottest products and sellers as JSON
// Same arguments, same bytes: everything derives from the seeds (default seed 1).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "olist_changes.h"
#include "olist_model.h"

namespace {

using weft::bench::Dataset;

int Usage(const char* why) {
  std::fprintf(stderr,
               "olist_gen: %s\nusage: olist_gen tsv|changes|info --scale S [--seed N] [--out PATH] "
               "[--count N] [--txn-rows R] [--change-seed M] [--marker TEXT]\n",
               why);
  return 2;
}

void PrintInfo(const Dataset& d) {
  const auto& c = d.counts;
  std::vector<int64_t> sellers(d.items_of_seller.begin(), d.items_of_seller.end());
  std::sort(sellers.rbegin(), sellers.rend());
  int64_t max_items = 0;
  for (uint8_t n : d.items_of_order) max_items = std::max<int64_t>(max_items, n);
  std::printf("{\"scale\": %g, \"seed\": %llu, \"orders\": %lld, \"customers\": %lld, \"items\": %lld, "
              "\"payments\": %lld, \"products\": %lld, \"sellers\": %lld, \"max_items_per_order\": %lld, "
              "\"hottest_products_items\": [",
              d.scale, static_cast<unsigned long long>(d.seed), (long long)c.orders, (long long)c.customers,
              (long long)c.items, (long long)c.payments, (long long)c.products, (long long)c.sellers,
              (long long)max_items);
  for (int i = 0; i < 5 && i < c.products; ++i) {
    std::printf("%s%lld", i ? ", " : "", (long long)d.items_of_product[d.product_by_rank[i]]);
  }
  std::printf("], \"hottest_sellers_items\": [");
  for (size_t i = 0; i < 5 && i < sellers.size(); ++i) std::printf("%s%lld", i ? ", " : "", (long long)sellers[i]);
  std::printf("]}\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage("missing command");
  std::string command = argv[1];
  std::map<std::string, std::string> opt;
  for (int i = 2; i < argc; i += 2) {
    if (std::strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc) return Usage((std::string("bad argument ") + argv[i]).c_str());
    opt[argv[i] + 2] = argv[i + 1];
  }
  for (const auto& [key, value] : opt) {
    static const char* kKnown[] = {"scale", "seed", "out", "count", "txn-rows", "change-seed", "marker"};
    if (std::none_of(std::begin(kKnown), std::end(kKnown), [&](const char* k) { return key == k; })) {
      return Usage(("unknown option --" + key).c_str());
    }
  }
  if (!opt.count("scale")) return Usage("--scale is required");
  double scale = std::atof(opt["scale"].c_str());
  if (scale <= 0) return Usage("--scale must be positive");
  uint64_t seed = opt.count("seed") ? std::strtoull(opt["seed"].c_str(), nullptr, 10) : 1;
  Dataset data = weft::bench::BuildDataset(scale, seed);

  if (command == "info") {
    PrintInfo(data);
    return 0;
  }
  if (!opt.count("out")) return Usage("--out is required");
  if (command == "tsv") {
    std::string error;
    if (!weft::bench::WriteTsv(data, opt["out"], &error)) {
      std::fprintf(stderr, "olist_gen: %s\n", error.c_str());
      return 1;
    }
    return 0;
  }
  if (command == "changes") {
    weft::bench::ChangeOptions options;
    if (opt.count("count")) options.count = std::atoll(opt["count"].c_str());
    if (opt.count("txn-rows")) options.txn_rows = std::max(1, std::atoi(opt["txn-rows"].c_str()));
    if (opt.count("change-seed")) options.seed = std::strtoull(opt["change-seed"].c_str(), nullptr, 10);
    if (opt.count("marker")) options.marker = opt["marker"];
    if (options.count < 1) return Usage("--count must be at least 1");
    if (options.marker.size() > 20 || options.marker.find_first_of("'\\") != std::string::npos) {
      return Usage("--marker must be at most 20 characters, without quotes or backslashes");
    }
    FILE* out = std::fopen(opt["out"].c_str(), "w");
    if (!out) {
      std::fprintf(stderr, "olist_gen: %s: %s\n", opt["out"].c_str(), std::strerror(errno));
      return 1;
    }
    std::setvbuf(out, nullptr, _IOFBF, 1 << 20);
    auto summary = weft::bench::WriteChanges(data, options, out);
    if (std::fclose(out) != 0) {
      std::fprintf(stderr, "olist_gen: writing %s failed\n", opt["out"].c_str());
      return 1;
    }
    std::printf("{\"changes\": %lld, \"transactions\": %lld, \"touched_documents\": %lld, \"marker_order\": \"%s\", "
                "\"marker\": \"%s\", \"by_kind\": {",
                (long long)summary.changes, (long long)summary.transactions, (long long)summary.touched_documents,
                summary.marker_order.c_str(), options.marker.c_str());
    const char* sep = "";
    for (const auto& [kind, rows] : summary.by_kind) {
      std::printf("%s\"%s\": %lld", sep, kind.c_str(), (long long)rows);
      sep = ", ";
    }
    std::printf("}}\n");
    return 0;
  }
  return Usage(("unknown command " + command).c_str());
}
