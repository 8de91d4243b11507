#pragma once
// What the resilience tests read from a weft state file (dir + "/state.db") while weft runs.
#include <string>

#include "integration/harness/weft_process.h"

namespace weft::test {

// Writes committed to the outbox and not yet acknowledged by a sink.
long long OutboxDepth(const std::string& dir);
// The committed resume offset of source `source`; empty when none is stored.
std::string StoredOffset(const std::string& dir, const std::string& source = "shop");
// Starts `weft run -c config` in `dir` and waits (REQUIRE) until its snapshot is committed and
// reconciled with the sink.
void StartAndSnapshot(WeftProcess& weft, const std::string& config, const std::string& dir);

}  // namespace weft::test
