#pragma once
// PostgresTables: SourceTables over one PostgreSQL connection (source/postgres/sql/pg_connection.h).
// Each view is read inside one REPEATABLE READ, READ ONLY transaction (BeginSnapshot), so its
// lookup tables and its root table come from the same moment. Rows stream through a cursor and
// their text values map to change::Value with the decoder the source uses for the snapshot and
// the stream (source/postgres/decode/text_value.h), in the same session settings.
//
// One thread. Needs only SELECT on the tables (and pg_catalog, which every role can read).

#include <memory>

#include "config/config.h"
#include "source/postgres/sql/catalog.h"
#include "source/postgres/sql/pg_connection.h"
#include "verify/source_tables.h"

namespace weft::verify {

class PostgresTables : public SourceTables {
 public:
  // Connects (Unavailable / FailedPrecondition per PgConnection::Open).
  static core::Result<std::unique_ptr<PostgresTables>> Open(const config::SourceConfig& config);

  // Ends any open snapshot and starts a new one; call before reading one view.
  core::Status BeginSnapshot();

  core::Result<std::map<std::string, change::TableSchema>> Schemas(const std::vector<std::string>& tables) override;
  core::Status ReadRows(const change::TableSchema& schema, const std::vector<int>& columns,
                        const RowCallback& each) override;

 private:
  PostgresTables(config::SourceConfig config, source::postgres::PgConnection conn)
      : config_(std::move(config)), conn_(std::move(conn)) {}
  config::SourceConfig config_;
  source::postgres::PgConnection conn_;
  source::postgres::TypeRegistryPtr types_;
  source::postgres::PgTables tables_;  // what Schemas read, for the decoders
  bool in_snapshot_ = false;
};

}  // namespace weft::verify
