#pragma once
// MysqlTables: SourceTables over one MySQL/MariaDB connection (source/mysql/connection.h). Each
// view is read inside one `START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY` (BeginSnapshot),
// so its lookup tables and its root table come from the same moment. Rows are streamed with
// mysql_use_result (the client never buffers a whole table) and their text-protocol values mapped
// to change::Value the way the snapshot reader maps them (see value mapping in mysql_tables.cpp).
//
// One thread. Needs only SELECT on the source database (and information_schema, which every user
// can read for the tables it may select).

#include <memory>

#include "config/config.h"
#include "source/mysql/sql/connection.h"
#include "verify/source_tables.h"

namespace weft::verify {

class MysqlTables : public SourceTables {
 public:
  // Connects (Unavailable / FailedPrecondition per Connection::Open).
  static core::Result<std::unique_ptr<MysqlTables>> Open(const config::SourceConfig& config);

  // Ends any open snapshot and starts a new one; call before reading one view.
  core::Status BeginSnapshot();

  core::Result<std::map<std::string, change::TableSchema>> Schemas(const std::vector<std::string>& tables) override;
  core::Status ReadRows(const change::TableSchema& schema, const std::vector<int>& columns,
                        const RowCallback& each) override;

 private:
  MysqlTables(config::SourceConfig config, source::mysql::Connection conn)
      : config_(std::move(config)), conn_(std::move(conn)) {}
  config::SourceConfig config_;
  source::mysql::Connection conn_;
  bool in_snapshot_ = false;
};

}  // namespace weft::verify
