#include "verify/expected_groups.h"

#include <algorithm>

#include "view/key_order.h"
#include "view/view_def.h"

namespace weft::verify {

using change::Value;
using change::ValueKind;
using view::AggFn;

core::Result<RowFilter> RowFilter::Make(const config::ViewConfig& v) {
  RowFilter f;
  if (v.filter.empty()) return f;
  std::vector<std::string> objects;
  for (const auto& l : v.lookups) {
    if (l.parent < 0 && l.type == "object") objects.push_back(l.path);
  }
  WEFT_ASSIGN_OR_RETURN(auto expr, view::SqlExpression::Compile(v.filter, {v.root, objects}, v.filter_location,
                                                                "view '" + v.name + "': filter"));
  f.expr_ = std::move(expr);
  return f;
}

core::Result<bool> RowFilter::Keeps(const Value& doc) {
  if (!expr_) return true;
  return expr_->Matches(doc);
}

core::Result<std::unique_ptr<ExpectedGroups>> ExpectedGroups::Make(const config::ViewConfig& v) {
  // The lookup tree only to resolve the definition's paths (which lookups are arrays).
  WEFT_ASSIGN_OR_RETURN(view::ViewSet set, view::BuildViewSet({v}));
  auto g = std::unique_ptr<ExpectedGroups>(new ExpectedGroups());
  g->def_ = *set.views[0].aggregate;
  WEFT_ASSIGN_OR_RETURN(g->filter_, RowFilter::Make(v));
  if (!v.having.empty()) {
    WEFT_ASSIGN_OR_RETURN(g->having_, view::SqlExpression::Compile(v.having, {}, v.having_location,
                                                                   "view '" + v.name + "': having"));
  }
  return g;
}

core::Status ExpectedGroups::Add(const Value& doc) {
  WEFT_ASSIGN_OR_RETURN(bool keep, filter_.Keeps(doc));
  if (!keep) return core::Status::Ok();
  std::vector<Value> keys;
  for (const auto& k : def_.keys) keys.push_back(view::KeyValue(k, doc));
  Group& g = groups_[view::OrderedKey(keys)];
  if (g.accs.empty()) {
    g.keys = keys;
    g.accs.resize(def_.aggs.size());
  }
  ++g.rows;
  std::vector<const Value*> values;
  for (size_t i = 0; i < def_.aggs.size(); ++i) {
    const auto& a = def_.aggs[i];
    if (a.fn == AggFn::kCountAll) continue;
    values.clear();
    view::CollectValues(doc, a.path, &values);
    Acc& acc = g.accs[i];
    for (const Value* v : values) {
      if (v->is_null()) continue;
      ++acc.n;
      switch (a.fn) {
        case AggFn::kSum:
        case AggFn::kAvg: {
          std::optional<view::ExactDecimal> d;
          if (v->kind() == ValueKind::kInt) d = view::ExactDecimal::FromInt(v->as_int());
          if (v->kind() == ValueKind::kUInt) d = view::ExactDecimal::Parse(std::to_string(v->as_uint()));
          if (v->kind() == ValueKind::kBool) d = view::ExactDecimal::FromInt(v->as_bool());
          if (v->kind() == ValueKind::kDecimal || v->kind() == ValueKind::kString) d = view::ExactDecimal::Parse(v->text());
          if (d) {
            WEFT_RETURN_IF_ERROR(acc.exact.Add(*d));
            ++acc.n_exact;
          } else if (v->kind() == ValueKind::kFloat || v->kind() == ValueKind::kDouble) {
            acc.approx += v->as_double();
            ++acc.n_approx;
          }
          break;
        }
        case AggFn::kMin:
          if (!acc.best || view::CompareKeyValues(*v, *acc.best) < 0) acc.best = *v;
          break;
        case AggFn::kMax:
          if (!acc.best || view::CompareKeyValues(*v, *acc.best) > 0) acc.best = *v;
          break;
        case AggFn::kCountDistinct: {
          std::string key;
          view::AppendOrderedKey(*v, &key);
          acc.distinct.insert(key);
          break;
        }
        default:
          break;
      }
    }
  }
  return core::Status::Ok();
}

core::Result<std::optional<Value>> ExpectedGroups::GroupDocument(const Group& g) {
  change::Object f;
  if (def_.keys.empty()) {
    f.emplace_back("_id", Value::String("all"));
  } else if (def_.keys.size() == 1) {
    f.emplace_back("_id", g.keys[0]);
  } else {
    change::Object id;
    for (size_t k = 0; k < def_.keys.size(); ++k) id.emplace_back(def_.keys[k].name, g.keys[k]);
    f.emplace_back("_id", Value::MakeObject(std::move(id)));
  }
  for (size_t k = 0; k < def_.keys.size(); ++k) {
    f.emplace_back(def_.keys[k].name, g.keys[k]);
    if (static_cast<int>(k) == def_.tumble_key) {
      f.emplace_back("window_start", g.keys[k]);
      auto start = view::EpochSeconds(g.keys[k]);
      f.emplace_back("window_end", start ? view::DateTimeOf(*start + def_.keys[k].tumble_seconds) : Value::Null());
    }
  }
  for (size_t i = 0; i < def_.aggs.size(); ++i) {
    const Acc& acc = g.accs[i];
    Value out;
    switch (def_.aggs[i].fn) {
      case AggFn::kCountAll:
        out = Value::Int(g.rows);
        break;
      case AggFn::kCount:
        out = Value::Int(acc.n);
        break;
      case AggFn::kCountDistinct:
        out = Value::Int(static_cast<int64_t>(acc.distinct.size()));
        break;
      case AggFn::kMin:
      case AggFn::kMax:
        if (acc.best) out = *acc.best;
        break;
      case AggFn::kSum:
      case AggFn::kAvg: {
        bool avg = def_.aggs[i].fn == AggFn::kAvg;
        int64_t n = acc.n_exact + acc.n_approx;
        if (n == 0) {
          out = avg ? Value::Null() : Value::Int(0);
        } else if (acc.n_approx > 0) {
          double total = acc.exact.ToDouble() + acc.approx;
          out = Value::Double(avg ? total / static_cast<double>(n) : total);
        } else if (avg) {
          WEFT_ASSIGN_OR_RETURN(auto q, acc.exact.DivideBy(n, acc.exact.scale() + 4));
          out = Value::Decimal(q.ToString());
        } else if (auto i64 = acc.exact.AsInt64()) {
          out = Value::Int(*i64);
        } else {
          out = Value::Decimal(acc.exact.ToString());
        }
        break;
      }
    }
    f.emplace_back(def_.aggs[i].name, std::move(out));
  }
  Value doc = Value::MakeObject(std::move(f));
  if (having_) {
    WEFT_ASSIGN_OR_RETURN(bool keep, having_->Matches(doc));
    if (!keep) return std::optional<Value>();
  }
  return std::optional<Value>(std::move(doc));
}

core::Result<std::vector<Value>> ExpectedGroups::Documents() {
  std::vector<Value> out;
  if (def_.top_n <= 0) {
    for (const auto& [gkey, g] : groups_) {
      WEFT_ASSIGN_OR_RETURN(auto doc, GroupDocument(g));
      if (doc) out.push_back(std::move(*doc));
    }
    return out;
  }
  // Top-N: groups by partition, each partition sorted by the ranking aggregate, ties by group key.
  struct Ranked {
    std::string gkey;
    Value doc;
  };
  std::map<std::string, std::pair<const Group*, std::vector<Ranked>>> parts;
  for (const auto& [gkey, g] : groups_) {
    WEFT_ASSIGN_OR_RETURN(auto doc, GroupDocument(g));
    if (!doc) continue;
    std::vector<Value> pk;
    for (int p : def_.partition) pk.push_back(g.keys[p]);
    auto& part = parts[view::OrderedKey(pk)];
    part.first = &g;
    part.second.push_back({gkey, std::move(*doc)});
  }
  const std::string& by = def_.aggs[def_.top_by].name;
  for (auto& [pkey, part] : parts) {
    auto& items = part.second;
    std::sort(items.begin(), items.end(), [&](const Ranked& a, const Ranked& b) {
      int c = view::CompareKeyValues(*a.doc.Find(by), *b.doc.Find(by));
      if (c != 0) return def_.top_descending ? c > 0 : c < 0;
      return a.gkey < b.gkey;
    });
    if (items.size() > static_cast<size_t>(def_.top_n)) items.resize(def_.top_n);
    const Group& g = *part.first;
    change::Object fields;
    std::vector<std::string> drop{"_id"};
    Value id;
    if (def_.partition.empty()) {
      id = Value::String("all");
    } else if (def_.partition.size() == 1) {
      id = g.keys[def_.partition[0]];
    } else {
      change::Object o;
      for (int p : def_.partition) o.emplace_back(def_.keys[p].name, g.keys[p]);
      id = Value::MakeObject(std::move(o));
    }
    fields.emplace_back("_id", id);
    for (int p : def_.partition) {
      fields.emplace_back(def_.keys[p].name, g.keys[p]);
      drop.push_back(def_.keys[p].name);
      if (p == def_.tumble_key) {
        fields.emplace_back("window_start", g.keys[p]);
        auto start = view::EpochSeconds(g.keys[p]);
        fields.emplace_back("window_end", start ? view::DateTimeOf(*start + def_.keys[p].tumble_seconds) : Value::Null());
        drop.push_back("window_start");
        drop.push_back("window_end");
      }
    }
    change::Array top;
    for (auto& r : items) {
      change::Object kept;
      for (auto& field : r.doc.object()) {
        if (std::find(drop.begin(), drop.end(), field.first) == drop.end()) kept.push_back(std::move(field));
      }
      top.push_back(Value::MakeObject(std::move(kept)));
    }
    fields.emplace_back("top", Value::MakeArray(std::move(top)));
    out.push_back(Value::MakeObject(std::move(fields)));
  }
  return out;
}

}  // namespace weft::verify
