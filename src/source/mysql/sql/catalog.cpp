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
  // Tables with a unique index (the primary key is one) whose every column is NOT NULL.
  WEFT_ASSIGN_OR_RETURN(auto keyed, conn.Query("SELECT DISTINCT k.TABLE_NAME FROM (SELECT s.TABLE_NAME, s.INDEX_NAME "
                                               "FROM information_schema.STATISTICS s JOIN information_schema.COLUMNS c "
                                               "ON c.TABLE_SCHEMA = s.TABLE_SCHEMA AND c.TABLE_NAME = s.TABLE_NAME AND "
                                               "c.COLUMN_NAME = s.COLUMN_NAME WHERE s.TABLE_SCHEMA = " +
                                               conn.Quote(database) +
                                               " AND s.NON_UNIQUE = 0 GROUP BY s.TABLE_NAME, s.INDEX_NAME "
                                               "HAVING SUM(c.IS_NULLABLE = 'YES') = 0) k"));
  for (const auto& [table, columns] : catalog.tables) catalog.keyless.insert(table);
  for (const auto& row : keyed) {
    if (!row.empty() && row[0]) catalog.keyless.erase(*row[0]);
  }
  return catalog;
}

core::Result<SourceCatalog> LoadCatalog(const config::SourceConfig& config) {
  WEFT_ASSIGN_OR_RETURN(auto conn, Connection::Open(config));
  return LoadCatalog(conn, config.database);
}

}  // namespace weft::source::mysql
