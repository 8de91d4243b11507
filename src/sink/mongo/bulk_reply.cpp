#include "sink/mongo/bulk_reply.h"

#include <mongoc/mongoc.h>

#include <cstring>
#include <string>

namespace weft::sink::mongo {
namespace {

struct ServerError {
  int64_t index = -1;
  int32_t code = 0;
  std::string message;
};

// Reads [{index, code, errmsg}, ...] under `field` of `reply`.
std::vector<ServerError> ReadErrorArray(const bson_t* reply, const char* field) {
  std::vector<ServerError> out;
  bson_iter_t iter, array;
  if (!bson_iter_init_find(&iter, reply, field) || !BSON_ITER_HOLDS_ARRAY(&iter) || !bson_iter_recurse(&iter, &array)) {
    return out;
  }
  while (bson_iter_next(&array)) {
    bson_iter_t fields;
    if (!BSON_ITER_HOLDS_DOCUMENT(&array) || !bson_iter_recurse(&array, &fields)) continue;
    ServerError e;
    while (bson_iter_next(&fields)) {
      const char* key = bson_iter_key(&fields);
      if (strcmp(key, "index") == 0 && BSON_ITER_HOLDS_NUMBER(&fields)) {
        e.index = bson_iter_as_int64(&fields);
      } else if (strcmp(key, "code") == 0 && BSON_ITER_HOLDS_NUMBER(&fields)) {
        e.code = static_cast<int32_t>(bson_iter_as_int64(&fields));
      } else if (strcmp(key, "errmsg") == 0 && BSON_ITER_HOLDS_UTF8(&fields)) {
        e.message = bson_iter_utf8(&fields, nullptr);
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

bool HasLabel(const bson_t* reply, const char* label) {
  bson_iter_t iter, labels;
  if (!bson_iter_init_find(&iter, reply, "errorLabels") || !BSON_ITER_HOLDS_ARRAY(&iter) ||
      !bson_iter_recurse(&iter, &labels)) {
    return false;
  }
  while (bson_iter_next(&labels)) {
    if (BSON_ITER_HOLDS_UTF8(&labels) && strcmp(bson_iter_utf8(&labels, nullptr), label) == 0) return true;
  }
  return false;
}

std::string Describe(int32_t code, const std::string& message) {
  return "MongoDB error " + std::to_string(code) + ": " + message;
}

}  // namespace

bool IsRetryableCode(int32_t code) {
  switch (code) {
    case 10107: case 13435: case 13436: case 11600: case 11602: case 189: case 91:
    case 6: case 7: case 89: case 9001: case 262: case 50: case 64: case 112:
      return true;
    default:
      return false;
  }
}

core::Status ReadBulkReply(bool executed, const bson_t* reply, const bson_error_t& error, size_t n_ops,
                           std::vector<WriteResult>* per_op) {
  per_op->assign(n_ops, WriteResult{});
  if (executed) return core::Status::Ok();

  std::vector<ServerError> write_errors = ReadErrorArray(reply, "writeErrors");
  std::vector<ServerError> concern_errors = ReadErrorArray(reply, "writeConcernErrors");
  if (!write_errors.empty() || !concern_errors.empty()) {
    std::vector<bool> has_error(n_ops, false);
    for (const ServerError& e : write_errors) {
      if (e.index < 0 || static_cast<size_t>(e.index) >= n_ops) {
        return core::Unavailable("MongoDB reported a write error for operation " + std::to_string(e.index) +
                                 " of a bulk of " + std::to_string(n_ops) + " (" + Describe(e.code, e.message) +
                                 "); retrying the whole batch");
      }
      WriteResult& r = (*per_op)[static_cast<size_t>(e.index)];
      r.outcome = IsRetryableCode(e.code) ? Outcome::kRetry : Outcome::kRejected;
      r.message = Describe(e.code, e.message);
      has_error[static_cast<size_t>(e.index)] = true;
    }
    if (!concern_errors.empty()) {
      const ServerError& wce = concern_errors.front();
      std::string message = "write concern not satisfied (" + Describe(wce.code, wce.message) +
                            "): the write reached the primary, its durability is unconfirmed";
      for (size_t i = 0; i < n_ops; ++i) {
        if (!has_error[i]) (*per_op)[i] = WriteResult{Outcome::kRetry, message};
      }
    }
    return core::Status::Ok();
  }

  // The whole command failed: nothing is known about its operations.
  std::string what = error.message;
  switch (error.domain) {
    case MONGOC_ERROR_STREAM:
    case MONGOC_ERROR_SERVER_SELECTION:
    case MONGOC_ERROR_PROTOCOL:
      return core::Unavailable("MongoDB unreachable or the connection dropped: " + what);
    default:
      break;
  }
  if (error.domain == MONGOC_ERROR_CLIENT && error.code == MONGOC_ERROR_CLIENT_AUTHENTICATE) {
    return core::FailedPrecondition("MongoDB authentication failed: " + what +
                                    "; check the user and password in the sink's uri");
  }
  int32_t code = static_cast<int32_t>(error.code);
  if (IsRetryableCode(code) || HasLabel(reply, "RetryableWriteError")) {
    return core::Unavailable("MongoDB refused the bulk write for now (" + Describe(code, what) + ")");
  }
  return core::FailedPrecondition("MongoDB refused the whole bulk write (" + Describe(code, what) +
                                  "); weft retries it until the cause is fixed (privileges, collection "
                                  "validation rules, server limits)");
}

}  // namespace weft::sink::mongo
