#include "view/aggregate/aggregator.h"

#include "change/value_codec.h"
#include "view/aggregate/exact_decimal.h"
#include "view/key_order.h"

namespace weft::view {
namespace {

using change::Value;
using change::ValueKind;

// Indexes into a group state array: [keys, rows, agg0, agg1, ...].
constexpr size_t kKeys = 0, kRows = 1, kFirstAgg = 2;

// Per-aggregate state of sum/avg: [exact count, exact sum text, double count, double sum].
Value EmptyState(AggFn fn) {
  switch (fn) {
    case AggFn::kCountAll:
      return Value::Null();
    case AggFn::kSum:
    case AggFn::kAvg:
      return Value::MakeArray({Value::Int(0), Value::Decimal("0"), Value::Int(0), Value::Double(0)});
    default:
      return Value::Int(0);
  }
}

// A numeric input as an exact decimal, or a double (FLOAT/DOUBLE); false when not a number.
bool Numeric(const Value& v, std::optional<ExactDecimal>* exact, double* approx) {
  switch (v.kind()) {
    case ValueKind::kInt:
      *exact = ExactDecimal::FromInt(v.as_int());
      return true;
    case ValueKind::kUInt:
      *exact = ExactDecimal::Parse(std::to_string(v.as_uint()));
      return exact->has_value();
    case ValueKind::kBool:
      *exact = ExactDecimal::FromInt(v.as_bool() ? 1 : 0);
      return true;
    case ValueKind::kDecimal:
    case ValueKind::kString:
      *exact = ExactDecimal::Parse(v.text());
      return exact->has_value();
    case ValueKind::kFloat:
    case ValueKind::kDouble:
      *approx = v.as_double();
      return true;
    default:
      return false;
  }
}

core::Status AddToSum(int sign, const Value& input, Value* state) {
  std::optional<ExactDecimal> exact;
  double approx = 0;
  if (!Numeric(input, &exact, &approx)) return core::Status::Ok();  // not a number: not summed
  change::Array& s = state->array();
  if (exact) {
    auto sum = ExactDecimal::Parse(s[1].text());
    if (!sum) return core::Corruption("an aggregate sum in the state is not a decimal: " + s[1].text());
    WEFT_RETURN_IF_ERROR(sign > 0 ? sum->Add(*exact) : sum->Subtract(*exact));
    s[0] = Value::Int(s[0].as_int() + sign);
    s[1] = Value::Decimal(sum->ToString());
  } else {
    s[2] = Value::Int(s[2].as_int() + sign);
    s[3] = Value::Double(s[2].as_int() == 0 ? 0.0 : s[3].as_double() + sign * approx);
  }
  return core::Status::Ok();
}

// SUM: 0 over no values (a group with rows but nothing to add, like a country without orders);
// an integer while exact with no fraction digits, else exact decimal; double once FLOAT/DOUBLE
// inputs are present. AVG: NULL over no values; exact decimal with 4 more fraction digits (as
// MariaDB gives it), double for FLOAT/DOUBLE inputs.
core::Result<Value> SumValue(const Value& state, bool average) {
  const change::Array& s = state.array();
  int64_t n_exact = s[0].as_int(), n_double = s[2].as_int();
  auto sum = ExactDecimal::Parse(s[1].text());
  if (!sum) return core::Corruption("an aggregate sum in the state is not a decimal");
  if (n_exact + n_double == 0) return average ? Value::Null() : Value::Int(0);
  if (n_double > 0) {
    double total = sum->ToDouble() + s[3].as_double();
    return Value::Double(average ? total / static_cast<double>(n_exact + n_double) : total);
  }
  if (average) {
    WEFT_ASSIGN_OR_RETURN(ExactDecimal avg, sum->DivideBy(n_exact, sum->scale() + 4));
    return Value::Decimal(avg.ToString());
  }
  if (auto i = sum->AsInt64()) return Value::Int(*i);
  return Value::Decimal(sum->ToString());
}

// Inverting every byte of a prefix-free encoding reverses its memcmp order.
std::string Descending(std::string key) {
  for (auto& c : key) c = static_cast<char>(~static_cast<unsigned char>(c));
  return key;
}

}  // namespace

Value Contribution(const AggregateDef& def, const Value& doc) {
  change::Array keys;
  keys.reserve(def.keys.size());
  for (const auto& k : def.keys) keys.push_back(KeyValue(k, doc));
  change::Array out;
  out.reserve(1 + def.aggs.size());
  out.push_back(Value::MakeArray(std::move(keys)));
  std::vector<const Value*> values;
  for (const auto& a : def.aggs) {
    change::Array inputs;
    if (a.fn != AggFn::kCountAll) {
      values.clear();
      CollectValues(doc, a.path, &values);
      for (const Value* v : values) {
        if (!v->is_null()) inputs.push_back(*v);
      }
    }
    out.push_back(Value::MakeArray(std::move(inputs)));
  }
  return Value::MakeArray(std::move(out));
}

core::Status Aggregator::Update(const std::string& pk, const Value* doc) {
  std::optional<std::string> encoded;
  Value contribution;
  if (doc) {
    contribution = Contribution(*def_, *doc);
    encoded = change::EncodeValue(contribution);
  }
  WEFT_ASSIGN_OR_RETURN(auto old, store_->GetContribution(view_, pk));
  if (old == encoded) return core::Status::Ok();  // nothing it reads changed
  if (old) {
    Value before;
    if (!change::DecodeValue(*old, &before) || before.kind() != ValueKind::kArray ||
        before.array().size() != 1 + def_->aggs.size()) {
      return core::Corruption("view " + view_ + " holds an undecodable contribution");
    }
    WEFT_RETURN_IF_ERROR(Apply(-1, before));
  }
  if (encoded) {
    WEFT_RETURN_IF_ERROR(Apply(+1, contribution));
    return store_->PutContribution(view_, pk, *encoded);
  }
  return store_->EraseContribution(view_, pk);
}

core::Result<Aggregator::Group*> Aggregator::LoadGroup(const std::string& gkey, const Value& keys) {
  if (auto it = groups_.find(gkey); it != groups_.end()) return &it->second;
  if (groups_.size() >= kCachedGroups) WEFT_RETURN_IF_ERROR(WriteBack());
  Group g;
  WEFT_ASSIGN_OR_RETURN(auto stored, store_->GetGroup(view_, gkey));
  if (stored) {
    if (!change::DecodeValue(*stored, &g.state) || g.state.kind() != ValueKind::kArray ||
        g.state.array().size() != kFirstAgg + def_->aggs.size()) {
      return core::Corruption("view " + view_ + " holds an undecodable group state");
    }
  } else {
    change::Array s{keys, Value::Int(0)};
    for (const auto& a : def_->aggs) s.push_back(EmptyState(a.fn));
    g.state = Value::MakeArray(std::move(s));
  }
  return &groups_.emplace(gkey, std::move(g)).first->second;
}

core::Status Aggregator::Apply(int sign, const Value& contribution) {
  const change::Array& c = contribution.array();
  const Value& keys = c[0];
  std::string gkey = OrderedKey(keys.array());
  WEFT_ASSIGN_OR_RETURN(Group * g, LoadGroup(gkey, keys));
  touched_.try_emplace(gkey, keys);
  change::Array& s = g->state.array();
  int64_t rows = s[kRows].as_int() + sign;
  if (rows < 0) return core::Corruption("view " + view_ + ": a group's row count went below zero");
  s[kRows] = Value::Int(rows);
  for (size_t i = 0; i < def_->aggs.size(); ++i) {
    const AggDef& a = def_->aggs[i];
    const change::Array& inputs = c[1 + i].array();
    Value& st = s[kFirstAgg + i];
    switch (a.fn) {
      case AggFn::kCountAll:
        break;
      case AggFn::kCount:
        st = Value::Int(st.as_int() + sign * static_cast<int64_t>(inputs.size()));
        break;
      case AggFn::kSum:
      case AggFn::kAvg:
        for (const auto& v : inputs) WEFT_RETURN_IF_ERROR(AddToSum(sign, v, &st));
        break;
      case AggFn::kMin:
      case AggFn::kMax:
      case AggFn::kCountDistinct:
        for (const auto& v : inputs) {
          std::string vkey;
          AppendOrderedKey(v, &vkey);
          WEFT_ASSIGN_OR_RETURN(int64_t before,
                                store_->AddValue(view_, static_cast<int>(i), gkey, vkey, change::EncodeValue(v), sign));
          if (a.fn != AggFn::kCountDistinct) {
            st = Value::Int(st.as_int() + sign);
          } else if (sign > 0 && before == 0) {
            st = Value::Int(st.as_int() + 1);
          } else if (sign < 0 && before == 1) {
            st = Value::Int(st.as_int() - 1);
          }
        }
        break;
    }
  }
  return core::Status::Ok();
}

core::Result<std::optional<Value>> Aggregator::GroupDocument(const std::string& gkey, const Value& state) {
  const change::Array& s = state.array();
  if (s[kRows].as_int() <= 0) return std::optional<Value>();
  const change::Array& keys = s[kKeys].array();
  change::Object fields;
  fields.emplace_back("_id", GroupId(keys));
  for (size_t k = 0; k < def_->keys.size(); ++k) {
    fields.emplace_back(def_->keys[k].name, keys[k]);
    if (static_cast<int>(k) == def_->tumble_key) {
      fields.emplace_back("window_start", keys[k]);
      auto start = EpochSeconds(keys[k]);
      fields.emplace_back("window_end", start ? DateTimeOf(*start + def_->keys[k].tumble_seconds) : Value::Null());
    }
  }
  for (size_t i = 0; i < def_->aggs.size(); ++i) {
    const AggDef& a = def_->aggs[i];
    const Value& st = s[kFirstAgg + i];
    Value out;
    switch (a.fn) {
      case AggFn::kCountAll:
        out = s[kRows];
        break;
      case AggFn::kCount:
      case AggFn::kCountDistinct:
        out = st;
        break;
      case AggFn::kSum:
      case AggFn::kAvg: {
        WEFT_ASSIGN_OR_RETURN(out, SumValue(st, a.fn == AggFn::kAvg));
        break;
      }
      case AggFn::kMin:
      case AggFn::kMax: {
        if (st.as_int() == 0) break;
        WEFT_ASSIGN_OR_RETURN(auto val, store_->MinMax(view_, static_cast<int>(i), gkey, a.fn == AggFn::kMax));
        if (val && !change::DecodeValue(*val, &out)) return core::Corruption("view " + view_ + ": undecodable min/max");
        break;
      }
    }
    fields.emplace_back(a.name, std::move(out));
  }
  Value doc = Value::MakeObject(std::move(fields));
  if (having_) {
    WEFT_ASSIGN_OR_RETURN(bool keep, having_->Matches(doc));
    if (!keep) return std::optional<Value>();
  }
  return std::optional<Value>(std::move(doc));
}

Value Aggregator::GroupId(const change::Array& keys) const {
  if (def_->keys.empty()) return Value::String("all");
  if (def_->keys.size() == 1) return keys[0];
  change::Object parts;
  for (size_t k = 0; k < def_->keys.size(); ++k) parts.emplace_back(def_->keys[k].name, keys[k]);
  return Value::MakeObject(std::move(parts));
}

core::Result<Value> Aggregator::PartitionId(const Value& keys, change::Object* fields) const {
  fields->clear();
  for (int p : def_->partition) {
    fields->emplace_back(def_->keys[p].name, keys.array()[p]);
    if (p == def_->tumble_key) {
      fields->emplace_back("window_start", keys.array()[p]);
      auto start = EpochSeconds(keys.array()[p]);
      fields->emplace_back("window_end", start ? DateTimeOf(*start + def_->keys[p].tumble_seconds) : Value::Null());
    }
  }
  if (def_->partition.empty()) return Value::String("all");
  if (def_->partition.size() == 1) return keys.array()[def_->partition[0]];
  change::Object parts;
  for (int p : def_->partition) parts.emplace_back(def_->keys[p].name, keys.array()[p]);
  return Value::MakeObject(std::move(parts));
}

// Writes the cached group states back (a group without rows is erased with its values) and, for
// top-N, re-ranks each touched group within its partition.
core::Status Aggregator::WriteBack() {
  for (auto& [gkey, g] : groups_) {
    const change::Array& s = g.state.array();
    if (s[kRows].as_int() == 0) {
      WEFT_RETURN_IF_ERROR(store_->EraseGroup(view_, gkey));
    } else {
      WEFT_RETURN_IF_ERROR(store_->PutGroup(view_, gkey, change::EncodeValue(g.state)));
    }
    if (def_->top_n <= 0) continue;
    std::vector<Value> part_keys;
    for (int p : def_->partition) part_keys.push_back(s[kKeys].array()[p]);
    std::string part = OrderedKey(part_keys);
    WEFT_ASSIGN_OR_RETURN(auto doc, GroupDocument(gkey, g.state));
    if (doc) {
      std::string rank;
      AppendOrderedKey(*doc->Find(def_->aggs[def_->top_by].name), &rank);
      WEFT_RETURN_IF_ERROR(store_->PutRank(view_, part, gkey, def_->top_descending ? Descending(rank) : rank));
    } else {
      WEFT_RETURN_IF_ERROR(store_->EraseRank(view_, part, gkey));
    }
    if (!partitions_.count(part)) {
      change::Object fields;
      WEFT_ASSIGN_OR_RETURN(Value id, PartitionId(s[kKeys], &fields));
      partitions_.emplace(part, std::make_pair(std::move(id), std::move(fields)));
    }
  }
  groups_.clear();
  return core::Status::Ok();
}

core::Status Aggregator::EmitPartition(const std::string& part, const Value& id, const change::Object& fields,
                                       const Each& each) {
  WEFT_ASSIGN_OR_RETURN(auto top, store_->TopRanks(view_, part, def_->top_n));
  change::Array items;
  for (const auto& gkey : top) {
    WEFT_ASSIGN_OR_RETURN(auto stored, store_->GetGroup(view_, gkey));
    Value state;
    if (!stored || !change::DecodeValue(*stored, &state)) return core::Corruption("view " + view_ + ": ranked group missing");
    WEFT_ASSIGN_OR_RETURN(auto doc, GroupDocument(gkey, state));
    if (!doc) continue;
    // The group's _id and partition keys are the partition document's own: each item keeps the rest.
    change::Object& f = doc->object();
    f.erase(f.begin());
    for (const auto& [name, value] : fields) {
      for (auto it = f.begin(); it != f.end(); ++it) {
        if (it->first == name) {
          f.erase(it);
          break;
        }
      }
    }
    items.push_back(std::move(*doc));
  }
  if (items.empty()) return each(id, std::nullopt);
  change::Object out{{"_id", id}};
  out.insert(out.end(), fields.begin(), fields.end());
  out.emplace_back("top", Value::MakeArray(std::move(items)));
  return each(id, Value::MakeObject(std::move(out)));
}

core::Status Aggregator::Emit(const Each& each) {
  WEFT_RETURN_IF_ERROR(WriteBack());
  auto touched = std::move(touched_);
  auto partitions = std::move(partitions_);
  touched_.clear();
  partitions_.clear();
  if (def_->top_n > 0) {
    for (const auto& [part, p] : partitions) WEFT_RETURN_IF_ERROR(EmitPartition(part, p.first, p.second, each));
    return core::Status::Ok();
  }
  for (const auto& [gkey, keys] : touched) {
    WEFT_ASSIGN_OR_RETURN(auto stored, store_->GetGroup(view_, gkey));
    std::optional<Value> doc;
    Value state;
    if (stored) {
      if (!change::DecodeValue(*stored, &state)) return core::Corruption("view " + view_ + ": undecodable group");
      WEFT_ASSIGN_OR_RETURN(doc, GroupDocument(gkey, state));
    }
    if (doc) {
      Value id = doc->object().front().second;
      WEFT_RETURN_IF_ERROR(each(std::move(id), std::move(doc)));
      continue;
    }
    // Gone, or failing `having`: deleted by the _id of the key its contributions carried.
    WEFT_RETURN_IF_ERROR(each(GroupId(keys.array()), std::nullopt));
  }
  return core::Status::Ok();
}

core::Status Aggregator::EmitAll(const Each& each) {
  WEFT_RETURN_IF_ERROR(WriteBack());
  touched_.clear();
  partitions_.clear();
  if (def_->top_n > 0) {
    WEFT_ASSIGN_OR_RETURN(auto parts, store_->Partitions(view_));
    for (const auto& part : parts) {
      WEFT_ASSIGN_OR_RETURN(auto top, store_->TopRanks(view_, part, 1));
      if (top.empty()) continue;
      WEFT_ASSIGN_OR_RETURN(auto stored, store_->GetGroup(view_, top[0]));
      Value state;
      if (!stored || !change::DecodeValue(*stored, &state)) return core::Corruption("view " + view_ + ": ranked group missing");
      change::Object fields;
      WEFT_ASSIGN_OR_RETURN(Value id, PartitionId(state.array()[kKeys], &fields));
      WEFT_RETURN_IF_ERROR(EmitPartition(part, id, fields, each));
    }
    return core::Status::Ok();
  }
  return store_->ScanGroups(view_, [&](const std::string& gkey, const std::string& bytes) -> core::Status {
    Value state;
    if (!change::DecodeValue(bytes, &state)) return core::Corruption("view " + view_ + ": undecodable group");
    WEFT_ASSIGN_OR_RETURN(auto doc, GroupDocument(gkey, state));
    if (!doc) return core::Status::Ok();
    Value id = doc->object().front().second;
    return each(std::move(id), std::move(doc));
  });
}

void Aggregator::Discard() {
  groups_.clear();
  touched_.clear();
  partitions_.clear();
}

core::Status Aggregator::Clear() {
  Discard();
  return store_->ClearView(view_);
}

}  // namespace weft::view
