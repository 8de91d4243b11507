// source::MakeSource and source::LoadCatalog live with the commands because only the binary links
// every source kind; the source libraries know nothing of each other.
#include <memory>

#include "source/mysql/mysql_source.h"
#include "source/mysql/sql/catalog.h"
#include "source/postgres/postgres_source.h"
#include "source/postgres/sql/catalog.h"
#include "source/source.h"

namespace weft::source {
namespace {

core::Status UnknownKind(const config::SourceConfig& config) {
  return core::InvalidArgument((config.location.file.empty() ? std::string() : config.location.ToString() + ": ") +
                               "source " + config.name + ": kind = \"" + config.kind + "\" is not one of mysql, postgresql");
}

}  // namespace

core::Result<std::unique_ptr<Source>> MakeSource(const config::SourceConfig& config, SourceOptions options,
                                                 uv_loop_t* loop) {
  if (config.kind == "mysql") return std::unique_ptr<Source>(std::make_unique<mysql::MysqlSource>(config, std::move(options), loop));
  if (config.kind == "postgresql") {
    return std::unique_ptr<Source>(std::make_unique<postgres::PostgresSource>(config, std::move(options), loop));
  }
  return UnknownKind(config);
}

core::Result<SourceCatalog> LoadCatalog(const config::SourceConfig& config) {
  if (config.kind == "mysql") return mysql::LoadCatalog(config);
  if (config.kind == "postgresql") return postgres::LoadCatalog(config);
  return UnknownKind(config);
}

}  // namespace weft::source
