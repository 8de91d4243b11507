#include "source/mysql/sql/catalog.h"

namespace weft::source::mysql {

core::Result<SourceCatalog> LoadCatalog(Connection& conn, const std::string& database) {
  SourceCatalog catalog;
  catalog.database = database;
  // Base tables only: an SQL view has no rows in the binlog, so it cannot feed a view.
  WEFT_ASSIGN_OR_RETURN(auto rows, conn.Query("SELECT c.TABLE_NAME, c.COLUMN_NAME FROM information_schema.COLUMNS c "
                                              "JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND "
                                              "t.TABLE_NAME = c.TABLE_NAME WHERE t.TABLE_TYPE = 'BASE TABLE' AND "
                                              "c.TABLE_SCHEMA = " + conn.Quote(database) +
                                              " ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION"));
  for (const auto& row : rows) {
    if (row.size() >= 2 && row[0] && row[1]) catalog.tables[*row[0]].push_back(*row[1]);
  }
  return catalog;
}

core::Result<SourceCatalog> LoadCatalog(const config::SourceConfig& config) {
  WEFT_ASSIGN_OR_RETURN(auto conn, Connection::Open(config));
  return LoadCatalog(conn, config.database);
}

}  // namespace weft::source::mysql
