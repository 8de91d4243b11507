#pragma once
// ViewEngine: every view of the config over one StateDb. It keeps the table replicas current
// (ApplyChange), works out which root documents each change affects through the lookup tree using
// before AND after images (view/planner.cpp), and rebuilds those documents from the state
// (view/assembler.cpp: the one function snapshot and streaming both use). Rebuilt documents equal
// to the last one flushed for that _id are dropped (the hash is stored in the same transaction as the
// outbox entry, so "flushed" means "will reach the sink"); deleted roots become deletes.
// A view's `filter` drops the documents it does not make true (a row that stops matching is
// deleted). An aggregate view (view/aggregate/aggregator.h) turns each rebuilt root document into
// a contribution to its group instead, retracting the one stored for that root, and writes the
// touched groups' (or top-N partitions') documents at the end of the Flush.
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
  // change::EncodeValue(*write.doc) for an upsert (made for the hash; state::OutboxEntry takes it so
  // the outbox does not encode the document again). Empty for a delete.
  std::string encoded_doc;
};

class ViewEngine {
 public:
  // Validates the views against the config (lookup parents, relation fields) and prepares the
  // replica tables. Table/column existence against the live source is checked by the caller.
  // When a source's views need a replica the state does not hold yet (a new view, changed
  // fields/relations), Create forgets that source's offset (StateDb::ResetSource) so it snapshots
  // again: call it before reading offsets. A view whose sink or collection changed gets its
  // last-written hashes cleared, so everything is written to the new target.
  static core::Result<std::unique_ptr<ViewEngine>> Create(const config::Config& config, state::StateDb* db);
  virtual ~ViewEngine() = default;

  // The tables source `source` must capture for the views (root and lookup tables).
  virtual std::vector<std::string> TablesFor(const std::string& source) const = 0;

  // Applies one change of `source` to the replicas and records the affected roots. A change to a
  // table no view uses is ignored. Snapshot rows (op kRead) only load the replica and record
  // nothing: BuildAll builds the documents once the snapshot is loaded. DDL changes are ignored:
  // the pipeline re-reads a source whose views' tables a schema change touches
  // (pipeline/schema_change.cpp).
  virtual core::Status ApplyChange(const std::string& source, const change::Change& change) = 0;

  // Rebuilds every root recorded since the last Flush (each once), skips unchanged documents,
  // and hands each resulting write to `each` as it is made (at most one per view and _id), so a
  // caller can move them on in chunks and memory stays flat however many documents a group of
  // changes touches. A root whose row is gone becomes a delete. Call once per batch, before
  // committing; `each` must not apply changes. On error (the engine's or one `each` returned) the
  // recorded roots are kept (rebuilding a root twice is harmless); the caller rolls the
  // transaction back.
  virtual core::Status Flush(const std::function<core::Status(PendingWrite&&)>& each) = 0;
  // The same, appending the writes to *writes.
  core::Status Flush(std::vector<PendingWrite>* writes) {
    return Flush([writes](PendingWrite&& w) {
      writes->push_back(std::move(w));
      return core::Status::Ok();
    });
  }

  // Snapshot: rebuild every document of every view of `source` from the state, in root
  // primary-key order, calling `each` per write (documents unchanged since the last write are
  // skipped). Used after a snapshot loads. `each` may commit and begin transactions but must not
  // apply changes (the build scans the root replicas while it runs).
  virtual core::Status BuildAll(const std::string& source,
                                const std::function<core::Status(PendingWrite&&)>& each) = 0;

  // Saves the recorded roots in the state file inside the caller's transaction, for a transaction
  // that commits state without a Flush (state/pending_roots.h says why); the next Flush clears
  // them, and Create loads what a crash left.
  virtual core::Status SavePending() = 0;

  // Forgets the roots recorded by ApplyChange since the last Flush without rebuilding them (after a
  // snapshot load, which BuildAll covers).
  virtual void DiscardPending() = 0;
  // Roots recorded for the next Flush. They may span several committed state transactions (the
  // pipeline defers a Flush inside a big source transaction); the caller bounds them by flushing.
  virtual size_t PendingSize() const = 0;
  // Forgets which rows were walked to find the recorded roots (a memo that saves walking a row twice
  // before a Flush), keeping the roots: what a deferred Flush keeps in memory is then the roots only.
  virtual void ForgetWalks() = 0;

  // Drops the replicas and last-written hashes of `source`'s views (resnapshot).
  virtual core::Status Forget(const std::string& source) = 0;

  // Stops view `view` (its table or a column it needs left the source): from now on Flush and
  // BuildAll write nothing for it, and TablesFor leaves out the tables that only stopped views
  // read. Not persisted: the next start validates the views again. Unknown names are ignored.
  virtual void StopView(const std::string& view) = 0;
  virtual bool Stopped(const std::string& view) const = 0;
};

}  // namespace weft::view
