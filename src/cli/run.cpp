// weft run -c FILE [--oneshot]: the pipeline on the libuv loop until SIGINT/SIGTERM (or, with
// --oneshot, until the snapshot is written and reconciled).
#include <malloc.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "cli/args.h"
#include "cli/commands.h"
#include "config/config.h"
#include "core/log.h"
#include "core/version.h"
#include "pipeline/pipeline.h"
#include "status/endpoints.h"
#include "status/http_server.h"

namespace weft::cli {
namespace {

constexpr const char* kRunHelp = R"(Usage: weft run -c FILE [--oneshot] [--log-level LEVEL]

Builds every view of the config and keeps it current.

The first run takes a consistent snapshot of the tables the views use (no global lock), builds
every document and writes it, then streams the binlog from the snapshot's position. Later runs
resume from the offset committed in the state DB. Document writes go through an on-disk outbox, so
a crash or a sink outage loses nothing.

Options:
  -c, --config FILE    the TOML config (see conf/weft.toml)
  --oneshot            snapshot, write every document, delete the sink's documents the snapshot
                       did not produce, print a summary and exit 0
  --log-level LEVEL    debug | info | warn | error (overrides [log] level)
  -h, --help           this help

SIGINT/SIGTERM stop gracefully: the batch in flight finishes, the outbox flushes (up to 8 s), the
offset commits, exit 0.

While it runs, weft serves its figures over HTTP on [status] listen (default 127.0.0.1:8089;
"off" disables it): GET /status (JSON) and GET /metrics (Prometheus); `weft status` reads them. A
port already in use is logged as a warning and weft runs without the endpoint. On a terminal, a
snapshot shows a live progress bar per table; otherwise it logs a progress line every 5 s.

Before anything is read or written, the views are checked against each source database: a root
or lookup table, or a column named by a relation, `fields` or `exclude`, that the source lacks is a
config error (every one is listed, with file:line:col and what does exist), exit 2.

A schema change on a table a view reads (ALTER/RENAME/DROP/CREATE/TRUNCATE TABLE) makes weft read
that source again from a fresh consistent snapshot, so documents follow added, dropped, renamed and
retyped columns. A view naming a table or column that is gone stops with an error naming it (its
documents stay as they were); the other views go on.

Exit status: 0 done, 1 a fatal error (logged), 2 bad usage or config (including views that do not
match the source's tables).
)";

std::string AbsolutePath(const std::string& path) {
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  return ec ? path : absolute.lexically_normal().string();
}

// SIGINT/SIGTERM go to a plain handler rather than a uv_signal_t: a uv_signal callback runs only
// when the loop thread is free, which may be seconds away while it builds a big snapshot's
// documents. Pipeline::RequestStopFromSignal is async-signal-safe and reaches that work at once.
std::atomic<pipeline::Pipeline*> g_stop_target{nullptr};

void OnStopSignal(int signum) {
  if (pipeline::Pipeline* target = g_stop_target.load()) target->RequestStopFromSignal(signum);
}

// SIGINT/SIGTERM are blocked from the start of `weft run` until the handler is in place: one that
// comes while weft loads its config and sets up (a service manager or a test stopping it at once)
// then waits, and is handled the graceful way as soon as the handler is there, instead of ending
// weft by the default action.
void SetStopSignalsBlocked(bool blocked) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(blocked ? SIG_BLOCK : SIG_UNBLOCK, &signals, nullptr);
}

void SetStopSignalHandler(void (*handler)(int)) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// glibc's malloc gives each thread that allocates its own arena (up to 8 per core), and a chunk
// freed by another thread goes back to the arena it came from: the reader thread's batches, freed by
// the loop thread, stay in the reader's arena, where the loop's own allocations cannot reuse them.
// Two arenas for weft's 3-4 threads took 5-7 MB off the peak RSS of a catch-up and of a snapshot
// (Olist scale 0.25 and 1) at the same CPU time; one arena took more off a big transaction but cost
// the catch-up CPU time (lock contention). MALLOC_ARENA_MAX in the environment still decides.
void BoundMallocArenas() {
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
}

std::string ListenAddress(const config::StatusConfig& status) {
  return (status.host.find(':') != std::string::npos ? "[" + status.host + "]" : status.host) + ":" +
         std::to_string(status.port);
}

// The real sources and sinks, every kind weft links (cli/source_factory.cpp, cli/sink_factory.cpp).
pipeline::PipelineFactories DefaultFactories() {
  pipeline::PipelineFactories f;
  f.make_source = source::MakeSource;
  f.load_catalog = [](const config::SourceConfig& c) { return source::LoadCatalog(c); };
  f.make_sink = sink::MakeSink;
  return f;
}

}  // namespace

int RunCommand(int argc, char** argv) {
  Args args(argc, argv, 2,
            {{"config", 'c', true}, {"oneshot", 0, false}, {"log-level", 0, true}, {"help", 'h', false}});
  if (args.Has("help")) {
    std::fputs(kRunHelp, stdout);
    return 0;
  }
  if (!args.error().empty() || !args.Has("config")) {
    std::fprintf(stderr, "weft run: %s\n\n%s", args.error().empty() ? "-c FILE is required" : args.error().c_str(),
                 kRunHelp);
    return 2;
  }
  SetStopSignalsBlocked(true);
  BoundMallocArenas();  // before any thread starts
  auto config = config::LoadConfig(args.Get("config"));
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().message().c_str());
    return 2;
  }
  core::LogLevel level;
  std::string level_name = args.Get("log-level", config->log.level);
  if (!core::ParseLogLevel(level_name, &level)) {
    std::fprintf(stderr, "weft run: unknown log level '%s' (debug, info, warn, error)\n", level_name.c_str());
    return 2;
  }
  core::SetLogLevel(level);
  if (config->views.empty()) {
    std::fprintf(stderr, "weft run: %s defines no [[views]]: nothing to run\n", args.Get("config").c_str());
    return 2;
  }

  core::Logger log("weft");
  uv_loop_t loop;
  uv_loop_init(&loop);
  int exit_code = 0;
  pipeline::PipelineOptions options;
  options.oneshot = args.Has("oneshot");
  options.progress_bars = isatty(STDERR_FILENO) == 1;
  const config::StatusConfig status_config = config->status;
  const std::string config_path = AbsolutePath(args.Get("config"));
  const std::string state_path = AbsolutePath(config->state.path);
  log.Info(std::string("weft ") + core::kVersion + (options.oneshot ? " run --oneshot" : " run") +
           " starting (config " + config_path + ", state " + state_path + ", pid " + std::to_string(getpid()) + ")");
  auto pipeline = std::make_unique<pipeline::Pipeline>(std::move(config).value(), options, DefaultFactories(), &loop);
  pipeline->registry().SetProcess(core::kVersion, static_cast<int64_t>(getpid()), config_path, state_path);

  // The status endpoint shares the loop: its handler reads the pipeline's figures on this thread.
  core::Logger status_log("status");
  std::unique_ptr<status::HttpServer> server;
  if (status_config.enabled) {
    status::StatusRoutes routes;
    routes.report = [&pipeline] { return pipeline->registry().Snapshot(); };
    routes.preview = [&pipeline](const std::string& view, size_t limit) {
      return pipeline->previews().RenderJson(view, limit);
    };
    routes.preview_allowed = status::PreviewAllowed(status_config.preview, status_config.host, &routes.preview_refusal);
    server = std::make_unique<status::HttpServer>(&loop, [routes](const status::HttpRequest& request) {
      return status::RouteStatusRequest(request, routes);
    });
    core::Status listening = server->Listen(status_config.host, status_config.port);
    if (listening.ok()) {
      status_log.Info("serving GET /status and GET /metrics on http://" + ListenAddress(status_config));
      status_log.Info("dashboard on http://" + ListenAddress(status_config) + "/ (view previews " +
                      (routes.preview_allowed ? "on" : "off: " + routes.preview_refusal) + ")");
    } else {
      status_log.Warn(listening.message() + ": running without the status endpoint (`weft status` cannot reach "
                      "this weft); free the port or set [status] listen to another address, or \"off\"");
      server.reset();
    }
  } else {
    status_log.Info("status endpoint off ([status] listen = \"off\")");
  }

  g_stop_target = pipeline.get();
  SetStopSignalHandler(&OnStopSignal);
  SetStopSignalsBlocked(false);  // a signal that came during the setup is handled here

  // Once the run is over a late signal is ignored: the pipeline is about to go away.
  auto close_signals = [&] {
    SetStopSignalHandler(SIG_IGN);
    g_stop_target = nullptr;
    if (server) server->Close();
  };
  core::Status started = pipeline->Start([&](const core::Status& status) {
    exit_code = status.ok() ? 0 : 1;
    close_signals();
    uv_stop(&loop);  // the pipeline's own handles are closed by its destructor below
  });
  if (!started.ok()) {
    log.Error(started.ToString());
    exit_code = started.code() == core::Code::kInvalidArgument || started.code() == core::Code::kNotFound ? 2 : 1;
    close_signals();
  } else {
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  server.reset();
  pipeline.reset();  // stops threads and closes the pipeline's handles
  uv_run(&loop, UV_RUN_DEFAULT);  // let close callbacks run
  uv_loop_close(&loop);
  log.Info(exit_code == 0 ? "weft run stopped" : "weft run stopped with an error");
  return exit_code;
}

}  // namespace weft::cli
