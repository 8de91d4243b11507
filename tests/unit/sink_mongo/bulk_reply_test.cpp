// How one bulk command's reply becomes per-document outcomes or a whole-batch Status.
#include <doctest/doctest.h>

#include <mongoc/mongoc.h>

#include <string>
#include <vector>

#include "sink/mongo/bulk_reply.h"
#include "sink/mongo/mongo_handles.h"

using namespace weft::sink;
using namespace weft::sink::mongo;

namespace {

BsonPtr FromJson(const std::string& json) {
  bson_error_t error;
  BsonPtr doc(bson_new_from_json(reinterpret_cast<const uint8_t*>(json.data()), static_cast<ssize_t>(json.size()), &error));
  REQUIRE_MESSAGE(doc, error.message);
  return doc;
}

bson_error_t MakeError(uint32_t domain, uint32_t code, const char* message) {
  bson_error_t e;
  bson_set_error(&e, domain, code, "%s", message);
  return e;
}

}  // namespace

TEST_CASE("an executed bulk acknowledges every operation") {
  std::vector<WriteResult> r;
  BsonPtr reply = FromJson(R"({"nUpserted": 3})");
  bson_error_t none{};
  REQUIRE(ReadBulkReply(true, reply.get(), none, 3, &r).ok());
  REQUIRE(r.size() == 3);
  for (const auto& w : r) CHECK(w.outcome == Outcome::kOk);
}

TEST_CASE("writeErrors name their operation; codes decide retry or reject") {
  std::vector<WriteResult> r;
  BsonPtr reply = FromJson(R"({"writeErrors": [{"index": 1, "code": 2, "errmsg": "bad value"},
                                               {"index": 3, "code": 91, "errmsg": "shutting down"},
                                               {"index": 4, "code": 11000, "errmsg": "dup key"}]})");
  REQUIRE(ReadBulkReply(false, reply.get(), MakeError(MONGOC_ERROR_SERVER, 2, "bad value"), 5, &r).ok());
  CHECK(r[0].outcome == Outcome::kOk);
  CHECK(r[1].outcome == Outcome::kRejected);
  CHECK(r[1].message == "MongoDB error 2: bad value");
  CHECK(r[2].outcome == Outcome::kOk);
  CHECK(r[3].outcome == Outcome::kRetry);
  CHECK(r[4].outcome == Outcome::kRejected);
  CHECK(r[4].message == "MongoDB error 11000: dup key");
}

TEST_CASE("the retryable codes") {
  for (int code : {10107, 13435, 13436, 11600, 11602, 189, 91, 6, 7, 89, 9001, 262, 50, 64, 112}) {
    CAPTURE(code);
    CHECK(IsRetryableCode(code));
  }
  for (int code : {2, 17419, 10334, 11000, 52, 13, 0}) {
    CAPTURE(code);
    CHECK_FALSE(IsRetryableCode(code));
  }
}

TEST_CASE("a writeConcernError retries every operation without an error of its own") {
  std::vector<WriteResult> r;
  BsonPtr reply = FromJson(R"({"writeErrors": [{"index": 0, "code": 2, "errmsg": "bad"}],
                               "writeConcernErrors": [{"code": 100, "errmsg": "not enough data-bearing nodes"}]})");
  REQUIRE(ReadBulkReply(false, reply.get(), MakeError(MONGOC_ERROR_SERVER, 2, "bad"), 3, &r).ok());
  CHECK(r[0].outcome == Outcome::kRejected);
  CHECK(r[1].outcome == Outcome::kRetry);
  CHECK(r[2].outcome == Outcome::kRetry);
  CHECK(r[1].message.find("not enough data-bearing nodes") != std::string::npos);
}

TEST_CASE("a failed command is a whole-batch Status, never a per-document answer") {
  std::vector<WriteResult> r;
  BsonPtr empty = FromJson("{}");
  weft::core::Status network =
      ReadBulkReply(false, empty.get(), MakeError(MONGOC_ERROR_STREAM, MONGOC_ERROR_STREAM_SOCKET, "socket error"), 2, &r);
  CHECK(network.code() == weft::core::Code::kUnavailable);
  weft::core::Status selection = ReadBulkReply(
      false, empty.get(), MakeError(MONGOC_ERROR_SERVER_SELECTION, MONGOC_ERROR_SERVER_SELECTION_FAILURE, "no server"), 2, &r);
  CHECK(selection.code() == weft::core::Code::kUnavailable);
  weft::core::Status stepdown = ReadBulkReply(false, empty.get(), MakeError(MONGOC_ERROR_SERVER, 10107, "not primary"), 2, &r);
  CHECK(stepdown.code() == weft::core::Code::kUnavailable);
  CHECK(stepdown.message().find("10107") != std::string::npos);
  BsonPtr labelled = FromJson(R"({"errorLabels": ["RetryableWriteError"]})");
  CHECK(ReadBulkReply(false, labelled.get(), MakeError(MONGOC_ERROR_SERVER, 9999, "odd"), 2, &r).code() ==
        weft::core::Code::kUnavailable);
  weft::core::Status unauthorized = ReadBulkReply(false, empty.get(), MakeError(MONGOC_ERROR_SERVER, 13, "not authorized"), 2, &r);
  CHECK(unauthorized.code() == weft::core::Code::kFailedPrecondition);
  CHECK(unauthorized.message().find("not authorized") != std::string::npos);

  BsonPtr out_of_range = FromJson(R"({"writeErrors": [{"index": 7, "code": 2, "errmsg": "x"}]})");
  CHECK(ReadBulkReply(false, out_of_range.get(), MakeError(MONGOC_ERROR_SERVER, 2, "x"), 2, &r).code() ==
        weft::core::Code::kUnavailable);
}
