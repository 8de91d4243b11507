#pragma once
// Reading the outcome of one unordered bulk write that went to the server as ONE command (the
// sink makes sure of that: one op type per bulk and a bounded size, see mongo_sink.cpp). Because it
// is one command, the reply either lists per-operation errors (writeErrors[].index), or the whole
// command failed and nothing is known about any of its operations.
//
// Server error codes, by what weft does with them:
//   retry    10107 NotWritablePrimary, 13435 NotPrimaryNoSecondaryOk, 13436 NotPrimaryOrSecondary,
//            11600 InterruptedAtShutdown, 11602 InterruptedDueToReplStateChange, 189 PrimarySteppedDown,
//            91 ShutdownInProgress, 6 HostUnreachable, 7 HostNotFound, 89 NetworkTimeout,
//            9001 SocketException, 262 ExceededTimeLimit, 50 MaxTimeMSExpired,
//            64 WriteConcernFailed, 112 WriteConflict
//   reject   everything else, e.g. 2 BadValue, 17419 / 10334 document too large, 11000 duplicate key
//            on a unique index other than _id, 52 dollar-prefixed field name; the message is the
//            server's.
// A writeConcernError means the writes reached the primary but their durability is not confirmed:
// every operation without a write error of its own is retried (replace/delete by _id are
// idempotent), whatever the code, rather than dead-lettered.
// Pure functions, any thread.

#include <bson/bson.h>

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "sink/document_sink.h"

namespace weft::sink::mongo {

bool IsRetryableCode(int32_t code);

// Fills `per_op` (size n_ops) from the bulk's reply. `executed` is what
// mongoc_bulk_operation_execute returned (non-zero), `error` its error. A non-ok Status means the
// whole command failed (Unavailable for network trouble and retryable codes, FailedPrecondition for
// a refusal an operator must fix, e.g. missing privileges): the caller retries the whole batch.
core::Status ReadBulkReply(bool executed, const bson_t* reply, const bson_error_t& error, size_t n_ops,
                           std::vector<WriteResult>* per_op);

}  // namespace weft::sink::mongo
