// weft verify -c FILE [--view NAME]: compares each view's documents in its sink with a fresh,
// independent join of the source tables (src/verify). Reports go to stdout, progress to stderr.
#include <cstdio>
#include <functional>
#include <map>
#include <memory>

#include "cli/args.h"
#include "cli/commands.h"
#include "config/config.h"
#include "core/log.h"
#include "sink/document_sink.h"
#include "verify/mysql_tables.h"
#include "verify/postgres_tables.h"
#include "verify/verifier.h"

namespace weft::cli {
namespace {

constexpr const char* kVerifyHelp = R"(Usage: weft verify -c FILE [--view NAME] [--examples N]

Computes every document of each view (or only NAME) straight from the source database, with its
own queries and its own join, independent of weft's state and of the incremental engine, and
compares them with the documents in the view's sink (MongoDB, SQLite or JSONL).

Prints, per view, the number of missing, extra and different documents and the first few of each,
with the paths where a differing document differs (expected vs actual). Lookup tables are held in
memory; the root table and the sink are streamed. Run it while the source is quiet: changes made
during the run can show up as differences.

Options:
  -c, --config FILE    the TOML config (see conf/weft.toml)
  --view NAME          verify only this view
  --examples N         documents listed per kind of difference (default 5)
  --log-level LEVEL    debug | info | warn | error (overrides [log] level)
  -h, --help           this help

Exit status: 0 every document equal, 1 a difference (or the source/sink could not be read),
2 bad usage or config.
)";

}  // namespace

int VerifyCommand(int argc, char** argv) {
  Args args(argc, argv, 2,
            {{"config", 'c', true}, {"view", 0, true}, {"examples", 0, true}, {"log-level", 0, true},
             {"help", 'h', false}});
  if (args.Has("help")) {
    std::fputs(kVerifyHelp, stdout);
    return 0;
  }
  if (!args.error().empty() || !args.Has("config") || !args.positional().empty()) {
    std::string why = !args.error().empty() ? args.error()
                      : !args.Has("config") ? "-c FILE is required"
                                            : "unexpected argument '" + args.positional()[0] + "'";
    std::fprintf(stderr, "weft verify: %s\n\n%s", why.c_str(), kVerifyHelp);
    return 2;
  }
  verify::VerifyOptions options;
  if (args.Has("examples")) {
    char* end = nullptr;
    long n = std::strtol(args.Get("examples").c_str(), &end, 10);
    if (args.Get("examples").empty() || *end != '\0' || n < 0 || n > 1000000) {
      std::fprintf(stderr, "weft verify: --examples needs a number from 0 to 1000000\n");
      return 2;
    }
    options.max_examples = static_cast<size_t>(n);
  }
  auto config = config::LoadConfig(args.Get("config"));
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().message().c_str());
    return 2;
  }
  core::LogLevel level;
  std::string level_name = args.Get("log-level", config->log.level);
  if (!core::ParseLogLevel(level_name, &level)) {
    std::fprintf(stderr, "weft verify: unknown log level '%s' (debug, info, warn, error)\n", level_name.c_str());
    return 2;
  }
  core::SetLogLevel(level);

  std::vector<const config::ViewConfig*> views;
  if (args.Has("view")) {
    const config::ViewConfig* v = config->FindView(args.Get("view"));
    if (!v) {
      std::string names;
      for (const auto& view : config->views) names += (names.empty() ? "" : ", ") + view.name;
      std::fprintf(stderr, "weft verify: %s has no view '%s' (views: %s)\n", args.Get("config").c_str(),
                   args.Get("view").c_str(), names.empty() ? "none" : names.c_str());
      return 2;
    }
    views.push_back(v);
  } else {
    for (const auto& v : config->views) views.push_back(&v);
  }
  if (views.empty()) {
    std::fprintf(stderr, "weft verify: %s defines no [[views]]: nothing to verify\n", args.Get("config").c_str());
    return 2;
  }

  options.progress = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  // One reader per source, of its kind; `begin` starts the consistent read of one view.
  struct SourceReader {
    std::unique_ptr<verify::SourceTables> tables;
    std::function<core::Status()> begin;
  };
  std::map<std::string, SourceReader> sources;
  std::map<std::string, std::unique_ptr<sink::DocumentSink>> sinks;
  int exit_code = 0;
  size_t differing = 0;
  for (const config::ViewConfig* view : views) {
    auto fail = [&](const core::Status& s) {
      std::fprintf(stderr, "weft verify: view '%s': %s\n", view->name.c_str(), s.ToString().c_str());
      exit_code = exit_code == 2 ? 2 : 1;
    };
    const config::SourceConfig* source_config = config->FindSource(view->source);
    const config::SinkConfig* sink_config = config->FindSink(view->sink);
    if (!source_config || !sink_config) {  // the loader already refuses this; belt and braces
      fail(core::InvalidArgument("source or sink not defined"));
      exit_code = 2;
      continue;
    }
    auto& source = sources[view->source];
    if (!source.tables) {
      core::Status opened_status;
      if (source_config->kind == "postgresql") {
        auto opened = verify::PostgresTables::Open(*source_config);
        opened_status = opened.status();
        if (opened.ok()) {
          verify::PostgresTables* pg = opened->get();
          source.begin = [pg] { return pg->BeginSnapshot(); };
          source.tables = std::move(opened).value();
        }
      } else {
        auto opened = verify::MysqlTables::Open(*source_config);
        opened_status = opened.status();
        if (opened.ok()) {
          verify::MysqlTables* my = opened->get();
          source.begin = [my] { return my->BeginSnapshot(); };
          source.tables = std::move(opened).value();
        }
      }
      if (!opened_status.ok()) {
        fail(opened_status);
        sources.erase(view->source);
        continue;
      }
    }
    auto& sink = sinks[view->sink];
    if (!sink) {
      auto made = sink::MakeSink(*sink_config);
      core::Status opened = made.ok() ? (*made)->Open() : made.status();
      if (!opened.ok()) {
        fail(opened.WithContext("sink '" + view->sink + "'"));
        sinks.erase(view->sink);
        continue;
      }
      sink = std::move(made).value();
    }
    if (core::Status s = source.begin(); !s.ok()) {
      fail(s);
      continue;
    }
    bool view_error = false;
    auto report = verify::VerifyView(*view, source.tables.get(), sink.get(), options, &view_error);
    if (!report.ok()) {
      fail(report.status());
      if (view_error) exit_code = 2;  // the view names tables/columns the source lacks: fix the config
      continue;
    }
    std::fputs(verify::FormatReport(*report).c_str(), stdout);
    std::fflush(stdout);
    if (!report->equal()) {
      ++differing;
      if (exit_code == 0) exit_code = 1;
    }
  }
  if (views.size() > 1) {
    std::printf("%zu view(s) verified, %zu with differences\n", views.size(), differing);
  }
  return exit_code;
}

}  // namespace weft::cli
