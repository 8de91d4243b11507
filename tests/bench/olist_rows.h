#pragma once
// The column values of the data set's rows, each a pure function of (dataset, row index), shared by
// the TSV writer (olist_tsv.cpp) and the change generator (olist_changes.cpp).

#include <cstdint>
#include <string>

#include "olist_model.h"

namespace weft::bench {

struct OrderRow {
  std::string status;
  int64_t purchase = 0;
  int64_t approved = -1;           // -1: NULL
  int64_t delivered_carrier = -1;  // -1: NULL
  int64_t delivered_customer = -1; // -1: NULL
  int64_t estimated = 0;
};
OrderRow MakeOrder(const Dataset& d, int64_t order);

// Olist's order statuses and their shares.
const char* PickStatus(Rng& rng);
// A product category name (or "" for NULL, as in 1.85% of Olist's products).
const char* PickCategory(Rng& rng);
double PickFreight(Rng& rng);
// A payment type as Olist's single-payment orders have them.
const char* PickPaymentType(Rng& rng);

}  // namespace weft::bench
