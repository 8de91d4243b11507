#pragma once
// ViewEngine: every view of the config over one StateDb. It keeps the table replicas current
// (ApplyChange), works out which root documents each change affects through the lookup tree using
// before AND after images (view/planner.cpp), and rebuilds those documents from the state
// (view/assembler.cpp: the one function snapshot and streaming both use). Rebuilt documents equal
// to the last one flushed for that _id are dropped (the hash is stored in the same transaction as the
// outbox entry, so "flushed" means "will reach the sink"); deleted roots become deletes.
//
// Loop thread only. Every call that writes must run inside StateDb::Begin/Commit.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "change/change.h"
#include "config/config.h"
#include "core/status.h"
#include "sink/document_sink.h"
#include "state/state_db.h"

namespace weft::view {

struct PendingWrite {
  std::string view;
  std::string sink;          // sink name of the view
  sink::DocumentWrite write; // seq unset
};

class ViewEngine {
 public:
  // Validates the views against the config (lookup parents, relation fields) and prepares the
  // replica tables. Table/column existence against the live source is checked by the caller.
  static core::Result<std::unique_ptr<ViewEngine>> Create(const config::Config& config, state::StateDb* db);
  virtual ~ViewEngine() = default;

  // The tables source `source` must capture for the views (root and lookup tables).
  virtual std::vector<std::string> TablesFor(const std::string& source) const = 0;

  // Applies one change of `source` to the replicas and records the affected roots. DDL changes
  // update the replicas' column sets. A change to a table no view uses is ignored.
  virtual core::Status ApplyChange(const std::string& source, const change::Change& change) = 0;

  // Rebuilds every root recorded since the last Flush (each once), skips unchanged documents,
  // and appends the resulting writes. Call once per batch, before committing.
  virtual core::Status Flush(std::vector<PendingWrite>* writes) = 0;

  // Snapshot: rebuild every document of every view of `source` from the state, calling `each`
  // per write (documents unchanged since the last write are skipped). Used after a snapshot loads.
  virtual core::Status BuildAll(const std::string& source,
                                const std::function<core::Status(PendingWrite&&)>& each) = 0;

  // Forgets the roots recorded by ApplyChange since the last Flush without rebuilding them (after a
  // snapshot load, which BuildAll covers).
  virtual void DiscardPending() = 0;

  // Drops the replicas and last-written hashes of `source`'s views (resnapshot).
  virtual core::Status Forget(const std::string& source) = 0;
};

}  // namespace weft::view
