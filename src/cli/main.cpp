#include <cstdio>
#include <cstring>
#include <string>

#include "cli/commands.h"
#include "core/version.h"

namespace weft::cli {
namespace {

constexpr const char* kUsage = R"(weft — wide documents and aggregates from MySQL, MariaDB and PostgreSQL change streams,
in one small binary

Usage: weft <command> [options]

Commands:
  run     -c FILE [--oneshot]          snapshot every view, then stream changes into the sinks
  tail    -c FILE --source NAME --from snapshot|now|OFFSET
                                       print the source's change records, one JSON line each
  tail    --binlog-file FILE [FILE ...]  the same records read from MySQL/MariaDB binlog files
  verify  -c FILE [--view NAME]        compare the sink's documents with a fresh join of the source
  status  -c FILE [--json]             show what a running weft is doing (or its last figures)
  check   -c FILE                      validate the config, connect, check the server settings
  init    --source URL | -c FILE [-o FILE]
                                       propose a config with wide views from the database's keys

Options for every command:
  -h, --help       help for the command
  --version        print the version

Run 'weft <command> --help' for the command's options.
)";

}  // namespace

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string command = argv[1];
  if (command == "--version" || command == "version") {
    std::printf("weft %s\n", core::kVersion);
    return 0;
  }
  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command == "run") return RunCommand(argc, argv);
  if (command == "tail") return TailCommand(argc, argv);
  if (command == "verify") return VerifyCommand(argc, argv);
  if (command == "status") return StatusCommand(argc, argv);
  if (command == "check") return CheckCommand(argc, argv);
  if (command == "init") return InitCommand(argc, argv);
  std::fprintf(stderr, "weft: unknown command '%s'\n\n%s", command.c_str(), kUsage);
  return 2;
}

}  // namespace weft::cli
