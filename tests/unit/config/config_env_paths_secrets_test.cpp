// ${VAR} expansion, relative paths, and what the loader does with passwords.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config/config.h"
#include "config/env_expand.h"
#include "core/log.h"

namespace weft::config {
namespace {

const std::string kBase =
    "[sources.shop]\n"
    "kind = \"mysql\"\n"
    "user = \"weft\"\n"
    "database = \"shop\"\n";

TEST_CASE("ExpandEnv: variables, escapes, and what counts as a reference") {
  EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "HOST") return std::string("db1");
    if (name == "EMPTY") return std::string("");
    return std::nullopt;
  };
  CHECK(ExpandEnv("${HOST}:3306", env).value == "db1:3306");
  CHECK(ExpandEnv("${HOST}:3306", env).references == 1);
  CHECK(ExpandEnv("a${EMPTY}b", env).value == "ab");
  CHECK(ExpandEnv("$${HOST}", env).value == "${HOST}");
  CHECK(ExpandEnv("$${HOST}", env).references == 0);
  // Left to right: "$" then the escape "$${": a literal "$${HOST}", nothing expanded.
  CHECK(ExpandEnv("$$${HOST}", env).value == "$${HOST}");
  CHECK(ExpandEnv("cost $5 and $HOST", env).value == "cost $5 and $HOST");
  auto missing = ExpandEnv("${NOPE}/${HOST}/${ALSO_NOPE}", env);
  CHECK_FALSE(missing.ok());
  CHECK(missing.missing == std::vector<std::string>{"NOPE", "ALSO_NOPE"});
  CHECK_FALSE(ExpandEnv("${HOST", env).syntax_error.empty());
  CHECK_FALSE(ExpandEnv("${}", env).syntax_error.empty());
  CHECK_FALSE(ExpandEnv("${9X}", env).syntax_error.empty());
}

TEST_CASE("${VAR} expands in every string of the config") {
  setenv("WEFT_TEST_DB", "shop_eu", 1);
  setenv("WEFT_TEST_TABLE", "ecom_orders", 1);
  setenv("WEFT_TEST_MONGO_PW", "m0ngo-env-pw", 1);
  std::string text =
      "[sources.shop]\n"
      "kind = \"mysql\"\n"
      "user = \"weft_${WEFT_TEST_DB}\"\n"
      "database = \"${WEFT_TEST_DB}\"\n"
      "tables = [\"${WEFT_TEST_TABLE}\", \"literal$${x}\"]\n"
      "[sinks.docs]\n"
      "kind = \"mongodb\"\n"
      "uri = \"mongodb://weft:${WEFT_TEST_MONGO_PW}@127.0.0.1/\"\n"
      "database = \"${WEFT_TEST_DB}\"\n"
      "[[views]]\n"
      "name = \"v\"\n"
      "source = \"shop\"\n"
      "root = \"${WEFT_TEST_TABLE}\"\n"
      "sink = \"docs\"\n";
  auto config = ParseConfig(text, "t.toml");
  REQUIRE_MESSAGE(config.ok(), config.status().message());
  CHECK(config->sources[0].user == "weft_shop_eu");
  CHECK(config->sources[0].database == "shop_eu");
  CHECK(config->sources[0].tables == std::vector<std::string>{"ecom_orders", "literal${x}"});
  CHECK(config->sinks[0].uri == "mongodb://weft:m0ngo-env-pw@127.0.0.1/");
  CHECK(config->sinks[0].database == "shop_eu");
  CHECK(config->views[0].root == "ecom_orders");
  unsetenv("WEFT_TEST_DB");
  unsetenv("WEFT_TEST_TABLE");
  unsetenv("WEFT_TEST_MONGO_PW");
}

TEST_CASE("relative paths resolve against the config file's directory") {
  std::string text = kBase +
                     "[state]\npath = \"state/weft.db\"\n"
                     "[sinks.local]\nkind = \"sqlite\"\npath = \"../out/docs.db\"\n"
                     "[sinks.log]\nkind = \"jsonl\"\npath = \"changes.jsonl\"\n"
                     "[sinks.stdout]\nkind = \"jsonl\"\npath = \"-\"\n"
                     "[sinks.abs]\nkind = \"sqlite\"\npath = \"/srv/docs.db\"\n";
  auto config = ParseConfig(text, "/etc/weft/weft.toml");
  REQUIRE_MESSAGE(config.ok(), config.status().message());
  CHECK(config->state.path == "/etc/weft/state/weft.db");
  CHECK(config->FindSink("local")->path == "/etc/out/docs.db");
  CHECK(config->FindSink("log")->path == "/etc/weft/changes.jsonl");
  CHECK(config->FindSink("stdout")->path == "-");
  CHECK(config->FindSink("abs")->path == "/srv/docs.db");

  // A relative config path resolves against the working directory at load time.
  auto relative = ParseConfig(kBase + "[state]\npath = \"s.db\"\n", "conf/weft.toml");
  REQUIRE(relative.ok());
  CHECK(relative->state.path ==
        (std::filesystem::current_path() / "conf" / "s.db").lexically_normal().string());
  // The default is absolute and stays as it is.
  auto defaults = ParseConfig(kBase, "conf/weft.toml");
  REQUIRE(defaults.ok());
  CHECK(defaults->state.path == "/var/lib/weft/state.db");
}

TEST_CASE("passwords are registered as secrets, including the one in a MongoDB URI") {
  std::string text = kBase + "password = \"Src-pw-4711\"\n" +
                     "[sinks.docs]\nkind = \"mongodb\"\n"
                     "uri = \"mongodb://weft:Mongo%40pw-0815@127.0.0.1:27017/?authSource=admin\"\n"
                     "database = \"d\"\n";
  CHECK(core::RedactSecrets("Src-pw-4711") == "Src-pw-4711");  // not yet registered
  auto config = ParseConfig(text, "t.toml");
  REQUIRE_MESSAGE(config.ok(), config.status().message());
  CHECK(core::RedactSecrets("login with Src-pw-4711 failed") == "login with *** failed");
  CHECK(core::RedactSecrets("uri weft:Mongo%40pw-0815@") == "uri weft:***@");
  CHECK(core::RedactSecrets("decoded Mongo@pw-0815") == "decoded ***");
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("weft-config-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string Write(const std::string& name, const std::string& text, mode_t mode) const {
    std::string file = (path / name).string();
    std::ofstream(file) << text;
    ::chmod(file.c_str(), mode);
    return file;
  }
};

TEST_CASE("a literal password in a file others can read draws a warning, not a failure") {
  TempDir dir;
  std::string literal = kBase + "password = \"Literal-pw-99\"\n";
  std::string readable = dir.Write("readable.toml", literal, 0644);
  auto config = LoadConfig(readable);
  REQUIRE_MESSAGE(config.ok(), config.status().message());
  REQUIRE(config->warnings.size() == 1);
  const std::string& warning = config->warnings[0];
  CHECK(warning.find(readable) != std::string::npos);
  CHECK(warning.find("sources.shop.password at " + readable + ":5:12") != std::string::npos);
  CHECK(warning.find("mode 0644") != std::string::npos);
  CHECK(warning.find("chmod 600") != std::string::npos);
  CHECK(warning.find("Literal-pw-99") == std::string::npos);

  auto private_file = LoadConfig(dir.Write("private.toml", literal, 0600));
  REQUIRE(private_file.ok());
  CHECK(private_file->warnings.empty());

  // A password from the environment is not in the file: nothing to warn about.
  setenv("WEFT_TEST_PW", "from-env-pw", 1);
  auto from_env = LoadConfig(dir.Write("env.toml", kBase + "password = \"${WEFT_TEST_PW}\"\n", 0644));
  unsetenv("WEFT_TEST_PW");
  REQUIRE(from_env.ok());
  CHECK(from_env->warnings.empty());

  // A MongoDB URI with a password in clear counts too; one from ${VAR} does not.
  auto uri = LoadConfig(dir.Write("uri.toml",
                                  kBase + "[sinks.docs]\nkind = \"mongodb\"\n"
                                          "uri = \"mongodb://weft:Uri-pw-77@h/\"\ndatabase = \"d\"\n",
                                  0640));
  REQUIRE(uri.ok());
  REQUIRE(uri->warnings.size() == 1);
  CHECK(uri->warnings[0].find("sinks.docs.uri at") != std::string::npos);
  CHECK(uri->warnings[0].find("Uri-pw-77") == std::string::npos);
}

}  // namespace
}  // namespace weft::config
