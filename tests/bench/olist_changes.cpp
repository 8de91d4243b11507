// The catch-up workload. It tracks how many items and payments each order has, so every generated
// statement changes exactly one existing row (or inserts one new row): N statements are N row changes.
#include "olist_changes.h"

#include <algorithm>
#include <vector>

#include "olist_rows.h"

namespace weft::bench {
namespace {

// Event kinds and their weights (shares of events; a new order is four row changes: customer,
// order, item, payment). Products change rarely, but some of those changes hit the hottest
// products, whose update touches thousands of order documents.
enum Kind { kOrderUpdate, kOrderInsert, kItemUpdate, kItemInsert, kItemDelete, kPaymentUpdate, kPaymentInsert,
            kCustomerUpdate, kProductUpdate, kHotProductUpdate, kSellerUpdate, kKinds };
constexpr const char* kKindNames[kKinds] = {
    "order update",   "new order (customer+order+item+payment)", "item update",      "item insert",
    "item delete",    "payment update", "payment insert",        "customer update",  "product update",
    "hot product update (top 10)",      "seller update"};
constexpr int kWeights[kKinds] = {240, 40, 200, 40, 20, 150, 30, 140, 19, 1, 5};

class Script {
 public:
  Script(const Dataset& d, const ChangeOptions& o, FILE* out) : d_(d), o_(o), out_(out), rng_(Mix(o.seed ^ d.seed)) {
    items_.assign(d.items_of_order.begin(), d.items_of_order.end());
    payments_.assign(d.payments_of_order.begin(), d.payments_of_order.end());
  }

  ChangeSummary Run() {
    std::fputs("SET autocommit=1;\n", out_);
    int64_t budget = o_.count - 1;  // the marker is the last change
    while (summary_.changes < budget) {
      int64_t rows = std::min<int64_t>(rng_.Between(1, 2 * o_.txn_rows - 1), budget - summary_.changes);
      std::fputs("BEGIN;\n", out_);
      int64_t end = summary_.changes + rows;
      while (summary_.changes < end) Event(end - summary_.changes);
      std::fputs("COMMIT;\n", out_);
      ++summary_.transactions;
    }
    summary_.marker_order = Id(d_.seed, Table::kOrder, 0);
    std::fprintf(out_, "UPDATE ecom_orders SET order_status='%s' WHERE order_id='%s';\n", o_.marker.c_str(),
                 summary_.marker_order.c_str());
    Count("marker (order update)", 1, 1);
    ++summary_.transactions;
    return summary_;
  }

 private:
  Kind PickKind(int64_t room) {
    int total = 0;
    for (int w : kWeights) total += w;
    for (;;) {
      int64_t r = rng_.Below(total);
      int k = 0;
      while (r >= kWeights[k]) r -= kWeights[k++];
      if (k != kOrderInsert || room >= 4) return static_cast<Kind>(k);
    }
  }

  void Count(const std::string& kind, int64_t rows, int64_t touched) {
    summary_.by_kind[kind] += rows;
    summary_.changes += rows;
    summary_.touched_documents += touched;
  }

  // An existing order, with at least one item (or payment) when `need` says so.
  int64_t PickOrder(const std::vector<uint8_t>& need) {
    for (;;) {
      int64_t o = rng_.Below(d_.counts.orders);
      if (need[o] > 0) return o;
    }
  }

  std::string Order(int64_t o) const { return Id(d_.seed, Table::kOrder, o); }
  std::string Product(int64_t p) const { return Id(d_.seed, Table::kProduct, p); }
  std::string Seller(int64_t s) const { return Id(d_.seed, Table::kSeller, s); }
  int64_t TimeNear() { return 1539734400 + rng_.Below(86400 * 30); }

  void InsertItem(const std::string& order, int item_no) {
    int32_t p = d_.product_by_rank[static_cast<size_t>(rng_.Uniform() * rng_.Uniform() * d_.counts.products)];
    std::fprintf(out_, "INSERT INTO ecom_order_items VALUES ('%s',%d,'%s','%s','%s',%s,%s);\n", order.c_str(),
                 item_no, Product(p).c_str(), Seller(d_.product_seller[p]).c_str(), Datetime(TimeNear()).c_str(),
                 Money(d_.product_price[p]).c_str(), Money(PickFreight(rng_)).c_str());
  }

  void Event(int64_t room) {
    static const char* kStatuses[] = {"approved", "invoiced", "processing", "shipped", "delivered", "canceled"};
    Kind kind = PickKind(room);
    switch (kind) {
      case kOrderUpdate: {
        int64_t o = rng_.Below(d_.counts.orders);
        std::fprintf(out_, "UPDATE ecom_orders SET order_status='%s', order_approved_at='%s' WHERE order_id='%s';\n",
                     kStatuses[rng_.Below(6)], Datetime(TimeNear()).c_str(), Order(o).c_str());
        Count(kKindNames[kOrderUpdate], 1, 1);
        break;
      }
      case kOrderInsert: {
        // New ids depend on the workload's seed too, so two workloads can run one after the other.
        int64_t n = static_cast<int64_t>(o_.seed % 1000000) * 100000000 + new_orders_++;
        std::string order = Id(d_.seed, Table::kNewOrder, n), customer = Id(d_.seed, Table::kNewCustomer, n);
        const Place& place = PickPlace(rng_);
        std::fprintf(out_, "INSERT INTO ecom_customers VALUES ('%s','%s','%05lld','%s','%s');\n", customer.c_str(),
                     customer.c_str(), static_cast<long long>(place.zip_base + rng_.Below(1000)), place.city,
                     place.state);
        int64_t t = TimeNear();
        std::fprintf(out_, "INSERT INTO ecom_orders VALUES ('%s','%s','created','%s',NULL,NULL,NULL,'%s');\n",
                     order.c_str(), customer.c_str(), Datetime(t).c_str(), Datetime(t + 20 * 86400).c_str());
        InsertItem(order, 1);
        std::fprintf(out_, "INSERT INTO ecom_order_payments VALUES ('%s',1,'%s',%lld,%s);\n", order.c_str(),
                     PickPaymentType(rng_), static_cast<long long>(rng_.Between(1, 6)),
                     Money(10 + rng_.Below(50000) / 100.0).c_str());
        Count(kKindNames[kOrderInsert], 4, 1);
        break;
      }
      case kItemUpdate: {
        int64_t o = PickOrder(items_);
        std::fprintf(out_, "UPDATE ecom_order_items SET price=%s, freight_value=%s WHERE order_id='%s' AND order_item_id=%lld;\n",
                     Money(1 + rng_.Below(50000) / 100.0).c_str(), Money(PickFreight(rng_)).c_str(), Order(o).c_str(),
                     static_cast<long long>(rng_.Between(1, items_[o])));
        Count(kKindNames[kItemUpdate], 1, 1);
        break;
      }
      case kItemInsert: {
        int64_t o = rng_.Below(d_.counts.orders);
        if (items_[o] >= 250) return;
        InsertItem(Order(o), ++items_[o]);
        Count(kKindNames[kItemInsert], 1, 1);
        break;
      }
      case kItemDelete: {
        int64_t o = PickOrder(items_);
        std::fprintf(out_, "DELETE FROM ecom_order_items WHERE order_id='%s' AND order_item_id=%d;\n",
                     Order(o).c_str(), items_[o]--);
        Count(kKindNames[kItemDelete], 1, 1);
        break;
      }
      case kPaymentUpdate: {
        int64_t o = PickOrder(payments_);
        std::fprintf(out_, "UPDATE ecom_order_payments SET payment_value=%s, payment_installments=%lld WHERE order_id='%s' AND payment_sequential=%lld;\n",
                     Money(1 + rng_.Below(50000) / 100.0).c_str(), static_cast<long long>(rng_.Between(1, 10)),
                     Order(o).c_str(), static_cast<long long>(rng_.Between(1, payments_[o])));
        Count(kKindNames[kPaymentUpdate], 1, 1);
        break;
      }
      case kPaymentInsert: {
        int64_t o = rng_.Below(d_.counts.orders);
        if (payments_[o] >= 250) return;
        std::fprintf(out_, "INSERT INTO ecom_order_payments VALUES ('%s',%d,'voucher',1,%s);\n", Order(o).c_str(),
                     ++payments_[o], Money(1 + rng_.Below(10000) / 100.0).c_str());
        Count(kKindNames[kPaymentInsert], 1, 1);
        break;
      }
      case kCustomerUpdate: {
        int64_t c = rng_.Below(d_.counts.customers);
        const Place& place = PickPlace(rng_);
        std::fprintf(out_, "UPDATE ecom_customers SET customer_zip_code_prefix='%05lld', customer_city='%s', customer_state='%s' WHERE customer_id='%s';\n",
                     static_cast<long long>(place.zip_base + rng_.Below(1000)), place.city, place.state,
                     Id(d_.seed, Table::kCustomer, c).c_str());
        Count(kKindNames[kCustomerUpdate], 1, 1);  // one order per customer row, as in Olist
        break;
      }
      case kProductUpdate:
      case kHotProductUpdate: {
        bool hot = kind == kHotProductUpdate;
        int64_t p = hot ? d_.product_by_rank[rng_.Below(std::min<int64_t>(10, d_.counts.products))]
                        : rng_.Below(d_.counts.products);
        std::fprintf(out_, "UPDATE ecom_products SET product_weight_g=%lld WHERE product_id='%s';\n",
                     static_cast<long long>(rng_.Between(50, 30000)), Product(p).c_str());
        Count(kKindNames[kind], 1, d_.items_of_product[p]);
        break;
      }
      case kSellerUpdate: {
        int64_t s = rng_.Below(d_.counts.sellers);
        const Place& place = PickPlace(rng_);
        std::fprintf(out_, "UPDATE ecom_sellers SET seller_city='%s', seller_state='%s' WHERE seller_id='%s';\n",
                     place.city, place.state, Seller(s).c_str());
        Count(kKindNames[kSellerUpdate], 1, d_.items_of_seller[s]);
        break;
      }
      case kKinds:
        break;
    }
  }

  const Dataset& d_;
  const ChangeOptions& o_;
  FILE* out_;
  Rng rng_;
  std::vector<uint8_t> items_, payments_;
  int64_t new_orders_ = 0;
  ChangeSummary summary_;
};

}  // namespace

ChangeSummary WriteChanges(const Dataset& data, const ChangeOptions& options, FILE* out) {
  return Script(data, options, out).Run();
}

}  // namespace weft::bench
