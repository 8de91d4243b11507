// weft init's output is a config the project's own loader accepts, with the proposed views, and
// comments that say which relations are guesses and what each lookup costs. The password is never
// in it.
#include "cli/init/toml_writer.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <map>
#include <string>

#include "cli/init/proposal.h"
#include "cli/init/relation_guess.h"
#include "cli/init/source_url.h"
#include "config/config.h"
#include "init_test_graphs.h"

namespace weft::cli::init {
namespace {

TomlOptions SeedOptions() {
  TomlOptions o;
  o.source.name = "shop";
  o.source.kind = "mysql";
  o.source.host = "db.example";
  o.source.port = 3307;
  o.source.user = "weft";
  o.source.database = "shop";
  o.has_password = true;
  o.server_checked = true;
  o.server_problems = {"binlog_format is MIXED, weft needs ROW: run SET GLOBAL binlog_format = 'ROW';"};
  return o;
}

}  // namespace

TEST_CASE("the seeds' proposal parses back as the seeds' order view") {
  source::SchemaGraph g = testing::SeedGraph();
  AddGuessedRelations(&g);
  const std::string text = WriteConfigToml(g, Propose(g), SeedOptions());
  setenv("WEFT_SOURCE_PASSWORD", "not-in-the-file", 1);
  auto config = config::ParseConfig(text, "/tmp/weft-init-test.toml");
  REQUIRE_MESSAGE(config.ok(), std::string(config.status().message() + "\n" + text));
  REQUIRE(config->sources.size() == 1);
  const config::SourceConfig& s = config->sources[0];
  CHECK(s.name == "shop");
  CHECK(s.host == "db.example");
  CHECK(s.port == 3307);
  CHECK(s.password == "not-in-the-file");  // through ${WEFT_SOURCE_PASSWORD}
  REQUIRE(config->sinks.size() == 1);
  CHECK(config->sinks[0].kind == "sqlite");
  CHECK(config->sinks[0].path == "/tmp/docs.db");
  CHECK(config->state.path == "/tmp/state.db");
  REQUIRE(config->views.size() == 1);
  const config::ViewConfig& v = config->views[0];
  CHECK(v.root == "ecom_orders");
  CHECK(v.source == "shop");
  CHECK(v.sink == "local");
  REQUIRE(v.lookups.size() == 5);
  std::map<std::string, const config::LookupConfig*> by_path;
  for (const auto& l : v.lookups) by_path[l.path] = &l;
  REQUIRE(by_path.count("customer"));
  CHECK(by_path["customer"]->type == "object");
  CHECK(by_path["customer"]->table == "ecom_customers");
  REQUIRE(by_path.count("order_items"));
  CHECK(by_path["order_items"]->type == "array");
  REQUIRE(by_path.count("order_payments"));
  CHECK(by_path["order_payments"]->type == "array");
  REQUIRE(by_path.count("order_items.product"));
  CHECK(by_path["order_items.product"]->type == "object");
  CHECK(by_path["order_items.product"]->relation ==
        std::vector<std::pair<std::string, std::string>>{{"order_items.product_id", "product_id"}});
  CHECK(v.lookups[by_path["order_items.product"]->parent].path == "order_items");
  REQUIRE(by_path.count("order_items.seller"));

  // The comments a user reads.
  CHECK(text.find("not-in-the-file") == std::string::npos);
  CHECK(text.find("password = \"${WEFT_SOURCE_PASSWORD}\"") != std::string::npos);
  CHECK(text.find("GUESSED from column names (no foreign key declared): ecom_orders(customer_id) -> "
                  "ecom_customers(customer_id)") != std::string::npos);
  CHECK(text.find("# fan-out: ~1.5 rows per ecom_orders row (ecom_order_items ~4500 rows, ecom_orders ~3000)") !=
        std::string::npos);
  CHECK(text.find("a change to one ecom_products row rewrites ~150 ecom_order_items rows' embeddings") !=
        std::string::npos);
  CHECK(text.find("fan-out: unknown, no table statistics yet") != std::string::npos);  // ecom_sellers
  CHECK(text.find("binlog_format = ROW, binlog_row_image = FULL") != std::string::npos);
  CHECK(text.find("#   ! binlog_format is MIXED, weft needs ROW") != std::string::npos);
}

TEST_CASE("a PostgreSQL source with a declared key, a jsonl sink and no password") {
  source::SchemaGraph g = testing::SeedGraph();
  source::SchemaRelation fk;
  fk.constraint = "ecom_orders_customer_id_fkey";
  fk.child = "ecom_orders";
  fk.child_columns = {"customer_id"};
  fk.parent = "ecom_customers";
  fk.parent_columns = {"customer_id"};
  g.relations.push_back(fk);
  AddGuessedRelations(&g);
  TomlOptions o;
  auto url = ParseSourceUrl("postgresql://weft@127.0.0.1:5433/shop?schema=sales");
  REQUIRE(url.ok());
  o.source = *url;
  o.source.name = "shop";
  o.sink_kind = "jsonl";
  o.source.tables = {"ecom_orders", "ecom_customers"};
  const std::string text = WriteConfigToml(g, Propose(g), o);
  unsetenv("WEFT_SOURCE_PASSWORD");  // no password line: the config must not need the variable
  auto config = config::ParseConfig(text, "/tmp/weft-init-test.toml");
  REQUIRE_MESSAGE(config.ok(), std::string(config.status().message() + "\n" + text));
  CHECK(config->sources[0].kind == "postgresql");
  CHECK(config->sources[0].schema == "sales");
  CHECK(config->sources[0].port == 5433);
  CHECK(config->sources[0].password.empty());
  CHECK(config->sources[0].tables == std::vector<std::string>{"ecom_orders", "ecom_customers"});
  CHECK(config->sinks[0].kind == "jsonl");
  CHECK(text.find("foreign key ecom_orders_customer_id_fkey: ecom_orders(customer_id)") != std::string::npos);
  CHECK(text.find("wal_level = logical") != std::string::npos);
  REQUIRE(config->views.size() == 1);
  CHECK(config->views[0].lookups.size() == 5);
}

TEST_CASE("TOML strings escape quotes, backslashes and control characters") {
  CHECK(TomlString("a\"b\\c\n") == "\"a\\\"b\\\\c\\u000a\"");
}

TEST_CASE("source URLs") {
  auto m = ParseSourceUrl("mysql://weft:p%40ss@db1:3307/shop");
  REQUIRE(m.ok());
  CHECK(m->kind == "mysql");
  CHECK(m->user == "weft");
  CHECK(m->password == "p@ss");
  CHECK(m->host == "db1");
  CHECK(m->port == 3307);
  CHECK(m->database == "shop");
  auto d = ParseSourceUrl("mariadb://root@localhost/app");
  REQUIRE(d.ok());
  CHECK(d->port == 3306);
  CHECK(d->password.empty());
  auto p = ParseSourceUrl("postgres://weft:s3cret@[::1]/shop");
  REQUIRE(p.ok());
  CHECK(p->kind == "postgresql");
  CHECK(p->host == "::1");
  CHECK(p->port == 5432);
  CHECK(p->schema == "public");
  for (const char* bad :
       {"shop", "http://u@h/db", "mysql://u:hunter2@h", "mysql://h/db", "mysql://u:hunter2@h:99999/db",
        "mysql://u:hunter2@h:x/db", "mysql://u:hunter2@h/db?schema=x", "mysql://u:%zz@h/db"}) {
    auto r = ParseSourceUrl(bad);
    CHECK_MESSAGE(!r.ok(), bad);
    if (!r.ok()) {
      CHECK(r.status().message().find("hunter2") == std::string::npos);
      CHECK(r.status().message().find("expected mysql://") != std::string::npos);
    }
  }
}

}  // namespace weft::cli::init
