// Commands not built yet. Each moves to its own file (run.cpp, tail.cpp, ...) when it is built;
// delete its stub here then.
#include <cstdio>

#include "cli/commands.h"

namespace weft::cli {
int StatusCommand(int, char**) { std::fputs("weft status: not built yet\n", stderr); return 2; }
}  // namespace weft::cli
