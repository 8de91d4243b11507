// The TransactionAssembler's MySQL 8 parts (transaction_assembler.h): GTID sets in offsets and
// TRANSACTION_PAYLOAD events, kept apart from the transaction bookkeeping they feed.
#include "source/mysql/binlog/transaction_assembler.h"
#include "source/mysql/binlog/transaction_payload.h"

namespace weft::source::mysql {

void TransactionAssembler::WithMysqlGtids(Position* p) const {
  p->has_mysql_gtids = mysql_set_known_;
  p->mysql_gtids = mysql_set_known_ ? mysql_set_.ToString() : "";
}

// The events inside a TRANSACTION_PAYLOAD go through OnEvent as if they were top-level; their
// positions are the payload's (they have none of their own), so a restart never lands inside it.
core::Status TransactionAssembler::OnPayload(const Event& event) {
  WEFT_RETURN_IF_ERROR(InflateTransactionPayload(event.body, &payload_scratch_)
                           .WithContext("source " + source_name_ + " at " + file_ + ":" + std::to_string(EventStart(event))));
  payload_start_ = EventStart(event);
  payload_end_ = event.header.log_pos != 0 ? event.header.log_pos : pos_;
  in_payload_ = true;
  std::string inflated = std::move(payload_scratch_);  // the inner events point into it
  core::Status st = ForEachPayloadEvent(inflated, [this](const Event& inner) {
    if (inner.header.type == event::kTransactionPayload) return core::Corruption("TRANSACTION_PAYLOAD inside a payload");
    return OnEvent(inner);
  });
  in_payload_ = false;
  payload_scratch_ = std::move(inflated);  // its buffer serves the next payload
  return st;
}

}  // namespace weft::source::mysql
