#include "view/aggregate/aggregate_def.h"

#include <cstdio>

#include "view/view_def.h"

namespace weft::view {
namespace {

using change::Value;
using change::ValueKind;

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

std::string Where(const config::Location& at) { return at.file.empty() ? "" : at.ToString() + ": "; }

bool Prefixes(const std::string& prefix, const std::string& path) {
  return path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 && path[prefix.size()] == '.';
}

// Checks a path against the lookups: not a lookup itself; *through_array when it passes one.
core::Status CheckPath(const ViewDef& def, const std::string& path, const std::string& what, bool* through_array) {
  *through_array = false;
  for (size_t i = 1; i < def.nodes.size(); ++i) {
    const Node& n = def.nodes[i];
    if (n.path == path) {
      return core::InvalidArgument(what + ": \"" + path + "\" is the lookup itself; name one of its columns (\"" +
                                   path + ".<column>\")");
    }
    if (n.is_array && Prefixes(n.path, path)) *through_array = true;
  }
  return core::Status::Ok();
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

}  // namespace

core::Result<AggregateDef> BuildAggregateDef(const config::ViewConfig& view, const ViewDef& def) {
  AggregateDef out;
  const std::string what = "view '" + view.name + "'";
  std::string sig;
  for (const auto& k : view.group_by) {
    bool through_array = false;
    std::string kwhat = Where(k.location) + what + ", group_by." + k.name;
    WEFT_RETURN_IF_ERROR(CheckPath(def, k.path, kwhat, &through_array));
    if (through_array) {
      return core::InvalidArgument(kwhat + ": \"" + k.path +
                                   "\" passes an array lookup, so a row would have many keys; root the view at that "
                                   "lookup's table (and look the rest up from there) to group by it");
    }
    if (k.tumble_seconds > 0) out.tumble_key = static_cast<int>(out.keys.size());
    out.keys.push_back({k.name, Split(k.path), k.tumble_seconds});
    sig += "k:" + k.name + "=" + k.path + "/" + std::to_string(k.tumble_seconds) + ";";
  }
  for (const auto& a : view.aggregates) {
    AggDef agg;
    agg.name = a.name;
    std::string awhat = Where(a.location) + what + ", aggregates." + a.name;
    if (a.path != "*") {
      bool through_array = false;
      WEFT_RETURN_IF_ERROR(CheckPath(def, a.path, awhat, &through_array));
      agg.path = Split(a.path);
    }
    if (a.function == "count") agg.fn = a.path == "*" ? AggFn::kCountAll : AggFn::kCount;
    if (a.function == "sum") agg.fn = AggFn::kSum;
    if (a.function == "avg") agg.fn = AggFn::kAvg;
    if (a.function == "min") agg.fn = AggFn::kMin;
    if (a.function == "max") agg.fn = AggFn::kMax;
    if (a.function == "count_distinct") agg.fn = AggFn::kCountDistinct;
    out.aggs.push_back(std::move(agg));
    sig += "a:" + a.name + "=" + a.function + "(" + a.path + ");";
  }
  out.having = view.having;
  out.having_at = view.having_location;
  if (view.top.n > 0) {
    out.top_n = view.top.n;
    out.top_descending = view.top.descending;
    for (size_t i = 0; i < out.aggs.size(); ++i) {
      if (out.aggs[i].name == view.top.by) out.top_by = static_cast<int>(i);
    }
    if (out.top_by < 0) {
      return core::InvalidArgument(Where(view.top.location) + what + ", top.by: \"" + view.top.by +
                                   "\" is not an aggregate of this view");
    }
    for (const auto& p : view.top.partition_by) {
      for (size_t i = 0; i < out.keys.size(); ++i) {
        if (out.keys[i].name == p) out.partition.push_back(static_cast<int>(i));
      }
    }
    sig += "top:" + std::to_string(out.top_n) + "/" + view.top.by + (out.top_descending ? "/desc" : "/asc");
    for (int p : out.partition) sig += "/" + out.keys[p].name;
    sig += ";";
  }
  sig += "having:" + view.having + ";filter:" + view.filter + ";";
  out.signature = sig;
  return out;
}

void CollectValues(const Value& doc, const std::vector<std::string>& path, std::vector<const Value*>* out) {
  // Depth-first over the path; an array at any step fans out over its elements.
  struct Walker {
    const std::vector<std::string>& path;
    std::vector<const Value*>* out;
    void Walk(const Value& v, size_t step) {
      if (v.kind() == ValueKind::kArray) {
        for (const auto& item : v.array()) Walk(item, step);
        return;
      }
      if (step == path.size()) {
        out->push_back(&v);
        return;
      }
      if (v.kind() != ValueKind::kObject) return;
      if (const Value* next = v.Find(path[step])) Walk(*next, step + 1);
    }
  };
  Walker{path, out}.Walk(doc, 0);
}

std::optional<int64_t> EpochSeconds(const Value& v) {
  if (v.kind() != ValueKind::kDate && v.kind() != ValueKind::kDateTime) return std::nullopt;
  long long y = 0;
  unsigned mo = 0, d = 0, h = 0, mi = 0, s = 0;
  int n = std::sscanf(v.text().c_str(), "%lld-%u-%u %u:%u:%u", &y, &mo, &d, &h, &mi, &s);
  if (n < 3 || mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;  // zero dates: no bucket
  if (n < 6) h = mi = s = 0;
  return DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

Value DateTimeOf(int64_t seconds) {
  int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  int64_t rest = seconds - days * 86400;
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, &y, &m, &d);
  char text[40];
  std::snprintf(text, sizeof text, "%04lld-%02u-%02u %02d:%02d:%02d", static_cast<long long>(y), m, d,
                static_cast<int>(rest / 3600), static_cast<int>(rest % 3600 / 60), static_cast<int>(rest % 60));
  return Value::DateTime(text);
}

Value KeyValue(const GroupKeyDef& key, const Value& doc) {
  std::vector<const Value*> values;
  CollectValues(doc, key.path, &values);
  if (values.empty()) return Value::Null();
  if (key.tumble_seconds <= 0) return *values.front();
  auto secs = EpochSeconds(*values.front());
  if (!secs) return Value::Null();
  int64_t n = key.tumble_seconds;
  int64_t start = *secs >= 0 ? *secs / n * n : -((-*secs + n - 1) / n) * n;
  return DateTimeOf(start);
}

}  // namespace weft::view
