#pragma once
// A source's change records on their way to the sinks that publish them (a kafka sink's
// `change_sources`), in Debezium's envelope (change/debezium_envelope.h).
//
// They travel through the outbox like documents, so they get the same guarantee: appended in the
// group's one state transaction together with the source offset (pipeline/group_apply.cpp), removed
// only once the sink acknowledged them, sent again after a crash or a broker outage. Each message is
// one outbox entry of the pseudo-view "changes:<source>": the entry's _id is the row's primary key
// object (the message key), its document the envelope (the message value), none for the tombstone
// after a delete, and its collection the Debezium topic <source>.<database|schema>.<table> (the
// sink puts its topic_prefix before it). Unlike documents, these entries never replace one another
// (OutboxFeed keeps every one, in seq order), and no reconciliation, verify or document hash ever
// looks at a pseudo-view: they are not views.
//
// Loop thread (pure functions).

#include <cstdint>
#include <string>
#include <vector>

#include "change/change.h"
#include "view/view_engine.h"

namespace weft::pipeline {

// "changes:shop": the outbox's view column for source shop's change records.
std::string ChangeRecordsView(const std::string& source);
bool IsChangeRecordsView(const std::string& view);

// Adds to `out` the outbox writes of one change for each sink in `sinks`: one for an insert, an
// update or a snapshot row (op "r"), two for a delete (the envelope, then the tombstone), none for
// a DDL change. `now_ms` is the envelope's ts_ms.
void AddChangeRecords(const std::vector<std::string>& sinks, const std::string& source, const change::Change& change,
                      int64_t now_ms, std::vector<view::PendingWrite>* out);

}  // namespace weft::pipeline
