#pragma once
// Roots whose documents are still to be built, kept with the state they were recorded from. A
// group that commits state without building the documents it affects (it ends inside a source
// transaction, or waits for busy sinks: pipeline/group_apply.cpp) commits no offset either, so a
// crash replays its changes; but replayed over the committed state, a change finds its row already
// as it made it and records no root (view_engine.cpp skips changes that change nothing). The
// roots are therefore saved in the same transaction, loaded again at start, and cleared by the
// transaction that builds them.
#include <functional>
#include <optional>
#include <string>

#include "core/status.h"
#include "state/state_db.h"

namespace weft::state {

struct PendingRoot {
  std::string view;                // view name
  std::string pk;                  // the root row's key (view/key_order.h)
  std::optional<std::string> id;   // change::EncodeValue of the _id, when known
};

core::Status SavePendingRoot(StateDb& db, const PendingRoot& root);  // inside the caller's transaction
core::Status ScanPendingRoots(StateDb& db, const std::function<core::Status(PendingRoot&&)>& each);
core::Status ClearPendingRoots(StateDb& db);

}  // namespace weft::state
