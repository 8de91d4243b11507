#pragma once
// The catch-up workload: a SQL script of N mixed row changes against a freshly loaded data set,
// in multi-row transactions, ending with one marker update that a watcher polls for.

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "olist_model.h"

namespace weft::bench {

struct ChangeOptions {
  int64_t count = 100000;   // row changes, the marker included
  int txn_rows = 10;        // average rows per transaction (sizes are uniform in 1..2*txn_rows-1)
  uint64_t seed = 7;        // the workload's own seed (the data set has its own)
  std::string marker = "bench-marker";  // order_status of the last change (at most 20 characters)
};

struct ChangeSummary {
  int64_t changes = 0;
  int64_t transactions = 0;
  std::map<std::string, int64_t> by_kind;  // "order update" -> rows
  // Order documents the changes touch before any coalescing (a hot product's update touches every
  // order holding one of its items); an upper bound of the work a change-by-change engine would do.
  int64_t touched_documents = 0;
  std::string marker_order;  // order_id whose order_status becomes the marker, last
};

// Writes the script to `out`. The data set must be the one loaded into the database.
ChangeSummary WriteChanges(const Dataset& data, const ChangeOptions& options, FILE* out);

}  // namespace weft::bench
