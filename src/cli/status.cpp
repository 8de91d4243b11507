// weft status -c FILE [--json]: what the weft running with this config is doing, asked over its
// HTTP endpoint; when none runs, the last figures it saved in the state DB.
#include <cstdio>
#include <filesystem>
#include <string>

#include "cli/args.h"
#include "cli/commands.h"
#include "config/config.h"
#include "state/state_db.h"
#include "status/figures.h"
#include "status/http_client.h"
#include "status/http_server.h"
#include "status/text_report.h"

namespace weft::cli {
namespace {

constexpr int kNotRunning = 3;
constexpr int kTimeoutMs = 3000;

constexpr const char* kStatusHelp = R"(Usage: weft status -c FILE [--json]

Shows what the weft running with this config is doing, one line per view:
  order_single_view: streaming, qps 3521.2, total rows 99441, delay 332ms, documents 97 (1.2/s), outbox 0, dead letters 0
then a line per source (and, during a snapshot, one per table). It asks the running weft over
HTTP (GET /status on [status] listen, default 127.0.0.1:8089). When no weft runs for this config
(nothing listens there, or listen = "off") it says so and shows the last figures weft saved in
the state DB (every 5 s while it runs, and when it stops).

  state         starting | snapshotting | streaming | retrying (the source reconnects, or the
                sink refuses writes) | stopped
  qps           row changes per second into the view, over the last 10 s
  total rows    row changes applied since weft started (snapshot reads included)
  delay         how far the documents lag the source: 0 when idle and caught up
  documents     document writes the sink acknowledged since weft started (per second)
  outbox        document writes committed but not yet acknowledged by the sink
  dead letters  documents the sink rejected (kept in the state DB)

Options:
  -c, --config FILE    the TOML config (see conf/weft.toml)
  --json               print the JSON of GET /status instead (the saved figures when weft is not
                       running; the "not running" note then goes to stderr)
  -h, --help           this help

Exit status: 0 weft is running (the figures are its own), 3 no weft is running for this config
(the saved figures, if any, were shown), 2 bad usage or config.
)";

std::string AbsolutePath(const std::string& path) {
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  return ec ? path : absolute.lexically_normal().string();
}

bool SameFile(const std::string& a, const std::string& b) {
  std::error_code ec;
  bool same = std::filesystem::equivalent(a, b, ec);
  return ec ? a == b : same;
}

// Prints the figures saved in the state DB after `why_not` (the reason no running weft answered).
int ShowSaved(const std::string& config_path, const config::Config& config, const std::string& why_not, bool json) {
  std::string head = "weft is not running for " + config_path + " (" + why_not + ")";
  auto saved = state::StateDb::ReadMetaReadOnly(config.state.path, status::kFiguresMetaKey);
  std::FILE* note = json ? stderr : stdout;
  if (!saved.ok() || !saved->has_value()) {
    std::string detail = !saved.ok() ? saved.status().message() : "no figures saved in " + config.state.path + " yet";
    std::fprintf(note, "%s; %s\n", head.c_str(), detail.c_str());
    return kNotRunning;
  }
  auto report = status::ParseReport(**saved);
  if (!report.ok()) {
    std::fprintf(note, "%s; the figures saved in %s cannot be read: %s\n", head.c_str(), config.state.path.c_str(),
                 report.status().message().c_str());
    return kNotRunning;
  }
  std::fprintf(note, "%s; last figures from the state DB at %s (%s):\n", head.c_str(),
               status::FormatTimeMs(report->time_ms).c_str(),
               report->running ? "saved while weft ran: it did not stop cleanly, or runs without its endpoint"
                               : "saved when weft stopped");
  std::fputs(json ? (status::ToJson(*report, 2) + "\n").c_str() : status::FormatReportText(*report).c_str(), stdout);
  return kNotRunning;
}

}  // namespace

int StatusCommand(int argc, char** argv) {
  Args args(argc, argv, 2, {{"config", 'c', true}, {"json", 0, false}, {"help", 'h', false}});
  if (args.Has("help")) {
    std::fputs(kStatusHelp, stdout);
    return 0;
  }
  std::string usage_error = args.error();
  if (usage_error.empty() && !args.Has("config")) usage_error = "-c FILE is required";
  if (usage_error.empty() && !args.positional().empty()) usage_error = "unexpected argument '" + args.positional()[0] + "'";
  if (!usage_error.empty()) {
    std::fprintf(stderr, "weft status: %s\n\n%s", usage_error.c_str(), kStatusHelp);
    return 2;
  }
  const std::string config_path = args.Get("config");
  auto config = config::LoadConfig(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().message().c_str());
    return 2;
  }
  const bool json = args.Has("json");
  const config::StatusConfig& listen = config->status;
  if (!listen.enabled) return ShowSaved(config_path, *config, "[status] listen = \"off\": a running weft cannot be asked", json);

  const std::string host = status::ConnectHostFor(listen.host);
  const std::string where = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(listen.port);
  auto response = status::HttpGet(host, listen.port, "/status", kTimeoutMs);
  if (!response.ok()) {
    bool refused = response.status().message().find("Connection refused") != std::string::npos;
    return ShowSaved(config_path, *config,
                     refused ? "nothing listens on " + where : "no answer from " + where + ": " + response.status().message(),
                     json);
  }
  auto report = response->status == 200 ? status::ParseReport(response->body)
                                         : core::Result<status::Report>(core::InvalidArgument(
                                               "HTTP " + std::to_string(response->status)));
  if (!report.ok()) {
    return ShowSaved(config_path, *config, where + " answers, but not as weft (" + report.status().message() + ")", json);
  }
  // Another weft (another config) may hold the port: its figures are not this config's.
  if (!SameFile(report->config_path, AbsolutePath(config_path))) {
    return ShowSaved(config_path, *config,
                     where + " is the endpoint of another weft (pid " + std::to_string(report->pid) + ", config " +
                         report->config_path + ")",
                     json);
  }
  std::fputs(json ? response->body.c_str() : status::FormatReportText(*report).c_str(), stdout);
  return 0;
}

}  // namespace weft::cli
