#include "source/postgres/replication/stream.h"

#include <algorithm>
#include <chrono>

#include "source/postgres/replication/pgoutput.h"

namespace weft::source::postgres {
namespace {

using Clock = std::chrono::steady_clock;

SourceBatch Signal(SourceBatch::Signal signal) {
  SourceBatch b;
  b.kind = SourceBatch::Kind::kTransaction;
  b.signal = signal;
  return b;
}

}  // namespace

core::Status RunStream(PgConnection& repl, const StreamStart& start, TransactionBuilder& builder,
                       StreamFeedback& feedback, const std::function<bool(SourceBatch&&)>& emit, Lsn* delivered) {
  const std::string sql = "START_REPLICATION SLOT " + repl.QuoteIdent(start.slot) + " LOGICAL " +
                          FormatLsn(start.start) + " (proto_version '1', publication_names " +
                          repl.QuoteLiteral(repl.QuoteIdent(start.publication)) + ")";
  WEFT_ASSIGN_OR_RETURN(PgResult copy, repl.Exec(sql, true));
  if (!emit(Signal(SourceBatch::Signal::kConnected))) return core::Aborted("stopped");

  PGconn* conn = repl.get();
  Lsn received = std::max(start.start, *delivered);
  Lsn sent_flush = 0;
  Lsn heartbeat = 0;  // a keepalive's WAL end not yet delivered as an offset
  bool caught_up_said = false;
  Clock::time_point last_status = Clock::now() - std::chrono::hours(1);
  Clock::time_point last_heartbeat = Clock::now() - std::chrono::hours(1);
  bool reply_now = false;
  Clock::time_point last_lag = Clock::now() - std::chrono::hours(1);

  auto send_status = [&](bool force) -> core::Status {
    Lsn flushed = std::max(feedback.committed.load(), start.confirmed_floor);
    Clock::time_point now = Clock::now();
    if (!force && flushed <= sent_flush && now - last_status < std::chrono::seconds(10)) return core::Status::Ok();
    // At most ten a second while the committed position moves (each group commit moves it).
    if (!force && now - last_status < std::chrono::milliseconds(100)) return core::Status::Ok();
    std::string msg = StandbyStatus(std::max(received, flushed), flushed, flushed, PgNow(), false);
    if (PQputCopyData(conn, msg.data(), static_cast<int>(msg.size())) != 1 || PQflush(conn) != 0) {
      return repl.Error("sending a standby status update", nullptr);
    }
    sent_flush = flushed;
    last_status = now;
    return core::Status::Ok();
  };

  while (true) {
    char* buf = nullptr;
    int n = PQgetCopyData(conn, &buf, 1);
    if (n > 0) {
      std::string_view data(buf, static_cast<size_t>(n));
      CopyDataFrame frame;
      core::Status st = ParseCopyData(data, &frame);
      if (st.ok() && frame.kind == CopyDataFrame::Kind::kXLogData) {
        received = std::max(received, frame.wal_start);
        PgOutputMessage message;
        st = ParsePgOutput(frame.payload, &message);
        if (st.ok()) st = builder.Feed(message, frame.wal_end, emit);
        if (st.ok() && message.kind == PgOutputMessage::Kind::kCommit) {
          *delivered = std::max(*delivered, builder.last_end());
          caught_up_said = false;
        }
      } else if (st.ok() && frame.kind == CopyDataFrame::Kind::kKeepalive) {
        if (!builder.in_transaction() && frame.wal_end > *delivered) heartbeat = std::max(heartbeat, frame.wal_end);
        if (!builder.in_transaction() && !caught_up_said) {
          caught_up_said = true;
          if (!emit(Signal(SourceBatch::Signal::kCaughtUp))) st = core::Aborted("stopped");
        }
        reply_now = reply_now || frame.reply_requested;
      }
      PQfreemem(buf);
      WEFT_RETURN_IF_ERROR(st);
      if (reply_now) {
        WEFT_RETURN_IF_ERROR(send_status(true));
        reply_now = false;
      }
      continue;
    }
    if (n == -2) return repl.Error("reading the replication stream", nullptr);
    if (n == -1) {
      PgResult end(PQgetResult(conn));
      core::Status st = repl.Error("the server ended the replication stream", end.get());
      return st.code() == core::Code::kInternal ? core::Unavailable(st.message()) : st;
    }
    // Nothing buffered: housekeeping, then wait for the socket (or a Wake from Committed / Stop).
    if (heartbeat > *delivered && !builder.in_transaction() &&
        Clock::now() - last_heartbeat >= std::chrono::seconds(1)) {
      SourceBatch beat;
      beat.kind = SourceBatch::Kind::kTransaction;
      beat.offset = EncodeOffset(heartbeat);
      beat.lag_bytes = 0;
      if (!emit(std::move(beat))) return core::Aborted("stopped");
      *delivered = heartbeat;
      last_heartbeat = Clock::now();
    }
    WEFT_RETURN_IF_ERROR(send_status(false));
    if (start.server_wal_end && Clock::now() - last_lag >= std::chrono::seconds(5)) {
      // The replication protocol does not say where the server's WAL ends (its frames carry the
      // decoding position): ask over SQL, at most every 5 s.
      last_lag = Clock::now();
      if (std::optional<Lsn> end = start.server_wal_end()) {
        SourceBatch lag;
        lag.kind = SourceBatch::Kind::kTransaction;
        lag.lag_bytes = *end > *delivered ? static_cast<int64_t>(*end - *delivered) : 0;
        if (!emit(std::move(lag))) return core::Aborted("stopped");
      }
    }
    WEFT_ASSIGN_OR_RETURN(bool readable, repl.WaitReadable(heartbeat > *delivered ? 200 : 1000));
    if (readable && !PQconsumeInput(conn)) return repl.Error("reading the replication stream", nullptr);
  }
}

}  // namespace weft::source::postgres
