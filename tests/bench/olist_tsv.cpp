// Row values and the TSV files of the data set (LOAD DATA's default format: tab-separated, \N is NULL).
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "olist_model.h"
#include "olist_rows.h"

namespace weft::bench {
namespace {

constexpr int64_t kFirstPurchase = 1472947200;  // 2016-09-04, Olist's first order
constexpr int64_t kLastPurchase = 1539734400;   // 2018-10-17, its last
constexpr int64_t kDay = 86400;

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;

// Indices 0..n-1 ordered by their ids, so each file is in primary-key order (InnoDB loads sorted
// rows much faster than random ones).
std::vector<std::pair<std::string, int64_t>> SortedIds(uint64_t seed, Table table, int64_t n) {
  std::vector<std::pair<std::string, int64_t>> ids(n);
  for (int64_t i = 0; i < n; ++i) ids[i] = {Id(seed, table, i), i};
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::string OrNull(int64_t t) { return t < 0 ? std::string("\\N") : Datetime(t); }

}  // namespace

const char* PickStatus(Rng& rng) {
  static const std::pair<const char*, int> kStatuses[] = {
      {"delivered", 96478}, {"shipped", 1107},   {"canceled", 625}, {"unavailable", 609},
      {"invoiced", 314},    {"processing", 301}, {"created", 5},    {"approved", 2}};
  int64_t r = rng.Below(99441);
  for (const auto& [name, n] : kStatuses) {
    if (r < n) return name;
    r -= n;
  }
  return "delivered";
}

const char* PickCategory(Rng& rng) {
  static const char* kCategories[] = {
      "cama_mesa_banho",     "beleza_saude",         "esporte_lazer",     "moveis_decoracao",
      "informatica_acessorios", "utilidades_domesticas", "relogios_presentes", "telefonia",
      "ferramentas_jardim",  "automotivo",           "brinquedos",        "cool_stuff",
      "perfumaria",          "bebes",                "eletronicos",       "papelaria",
      "fashion_bolsas_e_acessorios", "pet_shop",     "moveis_escritorio", "consoles_games",
      "malas_acessorios",    "construcao_ferramentas_construcao", "eletrodomesticos", "instrumentos_musicais",
      "eletroportateis",     "casa_construcao",      "livros_interesse_geral", "alimentos",
      "moveis_sala",         "casa_conforto",        "bebidas",           "audio"};
  if (rng.Uniform() < 0.0185) return "";
  // Earlier categories are more common, as in Olist.
  double u = rng.Uniform();
  return kCategories[static_cast<size_t>(u * u * std::size(kCategories))];
}

double PickFreight(Rng& rng) { return std::clamp(std::exp(2.8 + 0.6 * rng.Normal()), 0.0, 409.68); }

const char* PickPaymentType(Rng& rng) {
  double u = rng.Uniform();
  return u < 0.76 ? "credit_card" : u < 0.96 ? "boleto" : u < 0.985 ? "voucher" : "debit_card";
}

OrderRow MakeOrder(const Dataset& d, int64_t order) {
  Rng rng = RowRng(d.seed, Table::kOrder, order);
  OrderRow row;
  row.status = PickStatus(rng);
  // Olist's volume grows over its two years: the square root skews purchases late.
  row.purchase = kFirstPurchase + static_cast<int64_t>(std::sqrt(rng.Uniform()) * (kLastPurchase - kFirstPurchase));
  bool approved = row.status != "created" && !(row.status == "canceled" && rng.Uniform() < 0.2);
  if (approved) row.approved = row.purchase + rng.Between(600, 2 * kDay);
  if (row.status == "shipped" || row.status == "delivered") {
    row.delivered_carrier = row.approved + rng.Between(kDay, 5 * kDay);
  }
  if (row.status == "delivered") row.delivered_customer = row.delivered_carrier + rng.Between(kDay, 20 * kDay);
  row.estimated = (row.purchase + rng.Between(10 * kDay, 40 * kDay)) / kDay * kDay;
  return row;
}

bool WriteTsv(const Dataset& d, const std::string& dir, std::string* error) {
  auto open = [&](const char* name) {
    std::string path = dir + "/" + name;
    File f(std::fopen(path.c_str(), "w"));
    if (!f) *error = path + ": " + std::strerror(errno);
    if (f) std::setvbuf(f.get(), nullptr, _IOFBF, 1 << 20);
    return f;
  };
  const Counts& c = d.counts;
  std::vector<double> order_total(c.orders, 0.0);
  {
    File f = open("ecom_orders.tsv");
    if (!f) return false;
    for (const auto& [id, o] : SortedIds(d.seed, Table::kOrder, c.orders)) {
      OrderRow r = MakeOrder(d, o);
      std::fprintf(f.get(), "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id.c_str(), Id(d.seed, Table::kCustomer, o).c_str(),
                   r.status.c_str(), Datetime(r.purchase).c_str(), OrNull(r.approved).c_str(),
                   OrNull(r.delivered_carrier).c_str(), OrNull(r.delivered_customer).c_str(),
                   Datetime(r.estimated).c_str());
    }
  }
  {
    File f = open("ecom_order_items.tsv");
    if (!f) return false;
    for (const auto& [id, o] : SortedIds(d.seed, Table::kOrder, c.orders)) {
      int64_t purchase = MakeOrder(d, o).purchase;
      for (int64_t i = d.first_item[o]; i < d.first_item[o + 1]; ++i) {
        Rng rng = RowRng(d.seed, Table::kOrder, c.orders + i);
        int32_t p = d.item_product[i];
        double price = d.product_price[p], freight = PickFreight(rng);
        order_total[o] += price + freight;
        std::fprintf(f.get(), "%s\t%lld\t%s\t%s\t%s\t%s\t%s\n", id.c_str(),
                     static_cast<long long>(i - d.first_item[o] + 1), Id(d.seed, Table::kProduct, p).c_str(),
                     Id(d.seed, Table::kSeller, d.product_seller[p]).c_str(),
                     Datetime(purchase + rng.Between(2 * kDay, 7 * kDay)).c_str(), Money(price).c_str(),
                     Money(freight).c_str());
      }
    }
  }
  {
    File f = open("ecom_order_payments.tsv");
    if (!f) return false;
    for (const auto& [id, o] : SortedIds(d.seed, Table::kOrder, c.orders)) {
      int k = d.payments_of_order[o];
      Rng rng = RowRng(d.seed, Table::kOrder, c.orders + c.items + o);
      double total = order_total[o] > 0 ? order_total[o] : 10.0 + rng.Below(20000) / 100.0;
      double left = total;
      for (int j = 1; j <= k; ++j) {
        // Olist's multi-payment orders are mostly vouchers plus one card payment.
        const char* type = k == 1 ? PickPaymentType(rng) : j == k ? "credit_card" : "voucher";
        double value = j == k ? left : std::floor(total / k * 100.0) / 100.0;
        left -= value;
        int installments = std::strcmp(type, "credit_card") == 0 ? static_cast<int>(rng.Between(1, 10)) : 1;
        std::fprintf(f.get(), "%s\t%d\t%s\t%d\t%s\n", id.c_str(), j, type, installments,
                     Money(std::max(0.0, value)).c_str());
      }
    }
  }
  {
    File f = open("ecom_customers.tsv");
    if (!f) return false;
    for (const auto& [id, o] : SortedIds(d.seed, Table::kCustomer, c.customers)) {
      Rng rng = RowRng(d.seed, Table::kCustomer, o);
      // About 3.4% of Olist's customer rows belong to a person who ordered before.
      int64_t person = rng.Uniform() < 0.966 ? o : rng.Below(o + 1);
      const Place& place = PickPlace(rng);
      std::fprintf(f.get(), "%s\t%s\t%05lld\t%s\t%s\n", id.c_str(), Id(d.seed, Table::kCustomerUnique, person).c_str(),
                   static_cast<long long>(place.zip_base + rng.Below(1000)), place.city, place.state);
    }
  }
  {
    File f = open("ecom_products.tsv");
    if (!f) return false;
    for (const auto& [id, p] : SortedIds(d.seed, Table::kProduct, c.products)) {
      Rng rng = RowRng(d.seed, Table::kProduct, p);
      const char* category = PickCategory(rng);
      long long weight = std::llround(std::clamp(std::exp(6.5 + 1.2 * rng.Normal()), 0.0, 40425.0));
      std::fprintf(f.get(), "%s\t%s\t%lld\t%lld\t%lld\t%lld\n", id.c_str(), *category ? category : "\\N", weight,
                   static_cast<long long>(rng.Between(7, 105)), static_cast<long long>(rng.Between(2, 105)),
                   static_cast<long long>(rng.Between(6, 118)));
    }
  }
  {
    File f = open("ecom_sellers.tsv");
    if (!f) return false;
    for (const auto& [id, s] : SortedIds(d.seed, Table::kSeller, c.sellers)) {
      Rng rng = RowRng(d.seed, Table::kSeller, s);
      const Place& place = PickPlace(rng);
      std::fprintf(f.get(), "%s\t%05lld\t%s\t%s\n", id.c_str(),
                   static_cast<long long>(place.zip_base + rng.Below(1000)), place.city, place.state);
    }
  }
  return true;
}

}  // namespace weft::bench
