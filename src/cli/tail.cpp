// weft tail -c FILE --source NAME --from snapshot|now|OFFSET: the source's change records as JSON
// lines on stdout until SIGINT/SIGTERM. Logs go to stderr.
// weft tail --binlog-file FILE [FILE ...]: the same records read from binlog files, no config.
#include <signal.h>
#include <uv.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "change/change.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "config/config.h"
#include "core/log.h"
#include "loop/uv_handles.h"
#include "source/mysql/binlog/binlog_file.h"
#include "source/source.h"

namespace weft::cli {
namespace {

constexpr const char* kTailHelp = R"(Usage: weft tail -c FILE --source NAME --from snapshot|now|OFFSET [--log-level LEVEL]
       weft tail --binlog-file FILE [FILE ...]

Prints the change records of one source (MySQL/MariaDB or PostgreSQL), one JSON object per line
on stdout, until interrupted:
  {"op":"u","ts":1732184400000,"type":"dml","offset":"v1;file=...;pos=...;skip=0;gtid=0-1-42",
   "source":{...},"key":{...},"before":{...},"after":{...},"patch":{"$set":{...},"$unset":{}}}
(a PostgreSQL record's source carries "connector":"postgresql", "lsn" and "txid"; its offset is
"pg1;lsn=...").
Schema changes print as {"op":"ddl","type":"ddl",...,"statement":"ALTER TABLE ..."}.

Options:
  -c, --config FILE    the TOML config (see conf/weft.toml)
  --source NAME        a [sources.NAME] of the config
  --from WHERE         snapshot: every existing row as op "r" (a consistent snapshot, no global
                                 lock), then the changes from exactly that point
                       now:      changes from the current end of the binlog (PostgreSQL: of the
                                 WAL, through a temporary slot)
                       OFFSET:   an "offset" printed earlier: continues right after that record
  --log-level LEVEL    debug | info | warn | error (overrides [log] level)
  --binlog-file FILE   read binlog files instead of a server (no config): MySQL 5.7/8.x/9.x or
                       MariaDB 10.x files as the server wrote them (or `mysqlbinlog --raw` copied
                       them), in the order given. CRC32 checked; compressed transactions
                       (TRANSACTION_PAYLOAD), partial JSON updates and GTIDs decoded. Every table of
                       every database; every statement other than BEGIN/COMMIT prints as a DDL
                       record. Columns are named from the binlog's column-name metadata
                       (binlog_row_metadata=FULL), else "@1", "@2"...; ENUM/SET without their
                       strings print as index / bitmask. An error names the file and the event
                       position ("binlog.000001 at 1234: ...") and ends the command.
  -h, --help           this help

Logs (progress, reconnects) go to stderr. The server is checked first (like `weft check`) and a
misconfigured one is refused with the fix. SIGINT/SIGTERM stop after flushing stdout.
Exit status: 0 stopped by a signal (--binlog-file: every file read), 1 the source failed (the error
is printed), 2 bad usage or config.
)";

// --binlog-file: no loop, no thread; each transaction's records are written as it commits.
int TailFiles(const std::vector<std::string>& files) {
  std::string out;
  bool write_failed = false;
  auto emit = [&](source::SourceBatch&& batch) {
    out.clear();
    for (const change::Change& c : batch.changes) {
      change::AppendChangeJson(c, &out);
      out.push_back('\n');
    }
    if (out.empty()) return true;
    if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size()) {
      write_failed = true;
      return false;
    }
    return true;
  };
  for (const std::string& path : files) {
    source::mysql::BinlogFileStats stats;
    core::Status st = source::mysql::ReadBinlogFile(path, "binlog-file", emit, &stats);
    if (write_failed) {
      std::fprintf(stderr, "weft tail: cannot write to stdout; stopping\n");
      return 1;
    }
    if (!st.ok()) {
      std::fflush(stdout);
      std::fprintf(stderr, "weft tail: %s\n", st.message().c_str());
      return st.code() == core::Code::kInvalidArgument ? 2 : 1;
    }
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace

int TailCommand(int argc, char** argv) {
  Args args(argc, argv, 2,
            {{"config", 'c', true}, {"source", 0, true}, {"from", 0, true}, {"log-level", 0, true},
             {"binlog-file", 0, true}, {"help", 'h', false}});
  if (args.Has("help")) {
    std::fputs(kTailHelp, stdout);
    return 0;
  }
  if (args.error().empty() && args.Has("binlog-file")) {
    if (args.Has("config") || args.Has("source") || args.Has("from")) {
      std::fprintf(stderr, "weft tail: --binlog-file reads files, not a source: drop -c/--source/--from\n\n%s",
                   kTailHelp);
      return 2;
    }
    std::vector<std::string> files{args.Get("binlog-file")};
    files.insert(files.end(), args.positional().begin(), args.positional().end());
    return TailFiles(files);
  }
  std::string usage_error = args.error();
  if (usage_error.empty() && !args.Has("config")) usage_error = "-c FILE is required";
  if (usage_error.empty() && !args.Has("source")) usage_error = "--source NAME is required";
  if (usage_error.empty() && !args.Has("from")) usage_error = "--from snapshot|now|OFFSET is required";
  if (usage_error.empty() && !args.positional().empty()) usage_error = "unexpected argument '" + args.positional()[0] + "'";
  if (!usage_error.empty()) {
    std::fprintf(stderr, "weft tail: %s\n\n%s", usage_error.c_str(), kTailHelp);
    return 2;
  }
  auto config = config::LoadConfig(args.Get("config"));
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().message().c_str());
    return 2;
  }
  core::LogLevel level;
  std::string level_name = args.Get("log-level", config->log.level);
  if (!core::ParseLogLevel(level_name, &level)) {
    std::fprintf(stderr, "weft tail: unknown log level '%s' (debug, info, warn, error)\n", level_name.c_str());
    return 2;
  }
  core::SetLogLevel(level);
  const config::SourceConfig* source_config = config->FindSource(args.Get("source"));
  if (!source_config) {
    std::string names;
    for (const auto& s : config->sources) names += (names.empty() ? "" : ", ") + s.name;
    std::fprintf(stderr, "weft tail: %s has no [sources.%s] (sources: %s)\n", args.Get("config").c_str(),
                 args.Get("source").c_str(), names.empty() ? "none" : names.c_str());
    return 2;
  }
  core::RegisterSecret(source_config->password);

  source::StartFrom from;
  const std::string where = args.Get("from");
  if (where == "snapshot") from.mode = source::StartFrom::Mode::kSnapshot;
  else if (where == "now") from.mode = source::StartFrom::Mode::kNow;
  else {
    from.mode = source::StartFrom::Mode::kOffset;
    from.offset = where;
  }

  uv_loop_t loop;
  uv_loop_init(&loop);
  core::Logger log("tail");
  int exit_code = 0;
  bool stopping = false;
  loop::SignalHandle signals;
  auto made = source::MakeSource(*source_config, source::SourceOptions{}, &loop);
  if (!made.ok()) {
    std::fprintf(stderr, "weft tail: %s\n", made.status().message().c_str());
    uv_loop_close(&loop);
    return 2;
  }
  std::unique_ptr<source::Source> source = std::move(made).value();
  std::string out;
  auto on_batch = [&](source::SourceBatch&& batch) {
    if (batch.kind == source::SourceBatch::Kind::kSnapshotDone) {
      log.Info("snapshot done; streaming changes from offset " + batch.offset);
      return;
    }
    out.clear();
    for (const change::Change& c : batch.changes) {
      change::AppendChangeJson(c, &out);
      out.push_back('\n');
    }
    if (out.empty()) return;
    // One write and flush per batch: a reader of the pipe sees whole transactions, promptly.
    if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0) {
      log.Error("cannot write to stdout; stopping");
      exit_code = 1;
      source->Stop();
    }
  };
  auto on_stopped = [&](const core::Status& why) {
    if (!why.ok() && why.code() != core::Code::kAborted) {
      std::fprintf(stderr, "weft tail: %s\n", why.message().c_str());
      exit_code = 1;
    } else if (!stopping && exit_code == 0) {
      exit_code = 1;  // ended without being asked to: the reader gave up
    }
    signals.Close();
    uv_stop(&loop);
  };
  core::Status st = source->Start(from, on_batch, on_stopped);
  if (!st.ok()) {
    std::fprintf(stderr, "weft tail: %s\n", st.message().c_str());
    source.reset();
    uv_run(&loop, UV_RUN_NOWAIT);
    uv_loop_close(&loop);
    return st.code() == core::Code::kInvalidArgument ? 2 : 1;
  }
  st = signals.Start(&loop, {SIGINT, SIGTERM}, [&](int signum) {
    log.Info(std::string("received ") + (signum == SIGINT ? "SIGINT" : "SIGTERM") + "; stopping");
    stopping = true;
    source->Stop();
  });
  if (!st.ok()) {
    std::fprintf(stderr, "weft tail: %s\n", st.message().c_str());
    return 1;
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  std::fflush(stdout);
  source.reset();  // joins the reader thread
  signals.Close();
  uv_run(&loop, UV_RUN_NOWAIT);  // let the close callbacks free the handles
  uv_loop_close(&loop);
  return exit_code;
}

}  // namespace weft::cli
