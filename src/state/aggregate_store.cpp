#include "state/aggregate_store.h"

#include "state/sqlite_util.h"
#include "state/state_sql.h"

namespace weft::state {

core::Result<AggregateStore> AggregateStore::Open(StateDb* db) {
  char* error = nullptr;
  int rc = sqlite3_exec(db->handle(), sql::kAggregateSchema, nullptr, nullptr, &error);
  if (error) sqlite3_free(error);
  if (rc != SQLITE_OK) return SqliteError(db->handle(), rc, "creating the aggregate tables");
  return AggregateStore(db);
}

namespace {

// ?1 is the view (text); the rest are blobs.
void BindAll(Statement* st, const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (i == 0) {
      st->BindText(1, args[0]);
    } else {
      st->BindBlob(static_cast<int>(i + 1), args[i]);
    }
  }
}

}  // namespace

core::Result<std::optional<std::string>> AggregateStore::GetBlob(const char* sql, const std::vector<std::string>& keys) {
  WEFT_ASSIGN_OR_RETURN(Statement * st, db_->Cached(sql));
  ResetOnExit reset(st);
  BindAll(st, keys);
  WEFT_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(st->Blob(0)));
}

core::Status AggregateStore::Run(const char* sql, const std::vector<std::string>& args) {
  WEFT_ASSIGN_OR_RETURN(Statement * st, db_->Cached(sql));
  BindAll(st, args);
  return st->Run();
}

core::Result<std::optional<std::string>> AggregateStore::GetContribution(const std::string& view, const std::string& pk) {
  return GetBlob(sql::kGetContrib, {view, pk});
}
core::Status AggregateStore::PutContribution(const std::string& view, const std::string& pk, const std::string& c) {
  return Run(sql::kPutContrib, {view, pk, c});
}
core::Status AggregateStore::EraseContribution(const std::string& view, const std::string& pk) {
  return Run(sql::kEraseContrib, {view, pk});
}

core::Result<std::optional<std::string>> AggregateStore::GetGroup(const std::string& view, const std::string& gkey) {
  return GetBlob(sql::kGetGroup, {view, gkey});
}
core::Status AggregateStore::PutGroup(const std::string& view, const std::string& gkey, const std::string& state) {
  return Run(sql::kPutGroup, {view, gkey, state});
}
core::Status AggregateStore::EraseGroup(const std::string& view, const std::string& gkey) {
  return Run(sql::kEraseGroup, {view, gkey});
}

core::Status AggregateStore::ScanGroups(
    const std::string& view, const std::function<core::Status(const std::string&, const std::string&)>& each) {
  // A statement of its own (not the cached one): `each` may read groups while this scan runs.
  WEFT_ASSIGN_OR_RETURN(Statement st, Statement::Prepare(db_->handle(), sql::kScanGroups));
  st.BindText(1, view);
  while (true) {
    WEFT_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return core::Status::Ok();
    WEFT_RETURN_IF_ERROR(each(std::string(st.Blob(0)), std::string(st.Blob(1))));
  }
}

core::Result<int64_t> AggregateStore::AddValue(const std::string& view, int agg, const std::string& gkey,
                                               const std::string& v, const std::string& val, int64_t delta) {
  int64_t before = 0;
  {
    WEFT_ASSIGN_OR_RETURN(Statement * st, db_->Cached(sql::kGetValueCount));
    ResetOnExit reset(st);
    st->BindText(1, view);
    st->BindInt(2, agg);
    st->BindBlob(3, gkey);
    st->BindBlob(4, v);
    WEFT_ASSIGN_OR_RETURN(bool row, st->Step());
    if (row) before = st->Int(0);
  }
  int64_t after = before + delta;
  if (after < 0) {
    return core::Corruption("aggregate state of view " + view + " retracts a value it never added (count " +
                            std::to_string(before) + ", retracting " + std::to_string(-delta) + ")");
  }
  if (after == 0) {
    WEFT_ASSIGN_OR_RETURN(Statement * st, db_->Cached(sql::kEraseValue));
    st->BindText(1, view);
    st->BindInt(2, agg);
    st->BindBlob(3, gkey);
    st->BindBlob(4, v);
    WEFT_RETURN_IF_ERROR(st->Run());
    return before;
  }
  WEFT_ASSIGN_OR_RETURN(Statement * st, db_->Cached(sql::kPutValueCount));
  st->BindText(1, view);
  st->BindInt(2, agg);
  st->BindBlob(3, gkey);
  st->BindBlob(4, v);
  st->BindBlob(5, val);
  st->BindInt(6, after);
  WEFT_RETURN_IF_ERROR(st->Run());
  return before;
}

core::Result<std::optional<std::string>> AggregateStore::MinMax(const std::string& view, int agg,
                                                                const std::string& gkey, bool largest) {
  WEFT_ASSIGN_OR_RETURN(Statement * st, db_->Cached(largest ? sql::kMaxValue : sql::kMinValue));
  ResetOnExit reset(st);
  st->BindText(1, view);
  st->BindInt(2, agg);
  st->BindBlob(3, gkey);
  WEFT_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(st->Blob(0)));
}

core::Result<std::optional<std::string>> AggregateStore::GetRank(const std::string& view, const std::string& part,
                                                                 const std::string& gkey) {
  return GetBlob(sql::kGetRank, {view, part, gkey});
}
core::Status AggregateStore::PutRank(const std::string& view, const std::string& part, const std::string& gkey,
                                     const std::string& s) {
  return Run(sql::kPutRank, {view, part, gkey, s});
}
core::Status AggregateStore::EraseRank(const std::string& view, const std::string& part, const std::string& gkey) {
  return Run(sql::kEraseRank, {view, part, gkey});
}

core::Result<std::vector<std::string>> AggregateStore::TopRanks(const std::string& view, const std::string& part,
                                                                int64_t n) {
  WEFT_ASSIGN_OR_RETURN(Statement * st, db_->Cached(sql::kTopRanks));
  ResetOnExit reset(st);
  st->BindText(1, view);
  st->BindBlob(2, part);
  st->BindInt(3, n);
  std::vector<std::string> out;
  while (true) {
    WEFT_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return out;
    out.emplace_back(st->Blob(0));
  }
}

core::Result<std::vector<std::string>> AggregateStore::Partitions(const std::string& view) {
  WEFT_ASSIGN_OR_RETURN(Statement * st, db_->Cached(sql::kScanPartitions));
  ResetOnExit reset(st);
  st->BindText(1, view);
  std::vector<std::string> out;
  while (true) {
    WEFT_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return out;
    out.emplace_back(st->Blob(0));
  }
}

core::Status AggregateStore::ClearView(const std::string& view) {
  for (const char* q : {sql::kClearContribs, sql::kClearGroups, sql::kClearValues, sql::kClearRanks}) {
    WEFT_RETURN_IF_ERROR(Run(q, {view}));
  }
  return core::Status::Ok();
}

}  // namespace weft::state
