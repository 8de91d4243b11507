#include "source/postgres/sql/slot.h"

namespace weft::source::postgres {

core::Result<std::optional<SlotInfo>> ReadSlot(PgConnection& conn, const std::string& slot) {
  WEFT_ASSIGN_OR_RETURN(PgResult r, conn.Exec("SELECT confirmed_flush_lsn, restart_lsn, active, active_pid, wal_status "
                                              "FROM pg_catalog.pg_replication_slots WHERE slot_name = " +
                                              conn.QuoteLiteral(slot)));
  if (r.rows() == 0) return std::optional<SlotInfo>();
  SlotInfo info;
  if (!r.IsNull(0, 0)) info.confirmed_flush = ParseLsn(r.Get(0, 0)).value_or(0);
  if (!r.IsNull(0, 1)) info.restart_lsn = ParseLsn(r.Get(0, 1)).value_or(0);
  info.active = r.Get(0, 2) == "t";
  if (!r.IsNull(0, 3)) info.active_pid = std::stoi(std::string(r.Get(0, 3)));
  info.wal_status = r.IsNull(0, 4) ? "" : std::string(r.Get(0, 4));
  return std::optional<SlotInfo>(info);
}

core::Result<CreatedSlot> CreateSlot(PgConnection& repl, const std::string& user, const std::string& slot,
                                     bool temporary, bool export_snapshot) {
  std::string sql = "CREATE_REPLICATION_SLOT " + repl.QuoteIdent(slot) + (temporary ? " TEMPORARY" : "") +
                    " LOGICAL pgoutput " + (export_snapshot ? "EXPORT_SNAPSHOT" : "NOEXPORT_SNAPSHOT");
  auto r = repl.Exec(sql);
  if (!r.ok()) {
    if (r.status().code() == core::Code::kFailedPrecondition) {
      return core::FailedPrecondition(r.status().message() + "; give the role the REPLICATION attribute: ALTER ROLE " +
                                      repl.QuoteIdent(user) + " REPLICATION;");
    }
    return r.status();
  }
  if (r->rows() != 1 || r->columns() < 3) return core::Internal("CREATE_REPLICATION_SLOT returned no row");
  CreatedSlot created;
  auto lsn = ParseLsn(r->Get(0, 1));
  if (!lsn)
    return core::Internal("CREATE_REPLICATION_SLOT returned consistent point '" + std::string(r->Get(0, 1)) + "'");
  created.consistent_point = *lsn;
  if (!r->IsNull(0, 2)) created.snapshot_name = std::string(r->Get(0, 2));
  return created;
}

core::Status DropSlot(PgConnection& repl, const std::string& slot) {
  core::Status st = repl.Execute("DROP_REPLICATION_SLOT " + repl.QuoteIdent(slot) + " WAIT");
  if (st.code() == core::Code::kNotFound) return core::Status::Ok();
  return st;
}

}  // namespace weft::source::postgres
