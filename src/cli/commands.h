#pragma once
// The command-line entry points, one file per command. Each returns the process exit status:
// 0 success, 1 a failure the command reports (verify found differences, check found a problem),
// 2 bad usage or bad config.

namespace weft::cli {

int Main(int argc, char** argv);

int RunCommand(int argc, char** argv);     // weft run -c FILE [--oneshot]
int TailCommand(int argc, char** argv);    // weft tail -c FILE --source NAME --from ...
int VerifyCommand(int argc, char** argv);  // weft verify -c FILE [--view NAME]
int StatusCommand(int argc, char** argv);  // weft status -c FILE [--json]
int CheckCommand(int argc, char** argv);   // weft check -c FILE
int InitCommand(int argc, char** argv);    // weft init --source URL | -c FILE [-o FILE]

}  // namespace weft::cli
