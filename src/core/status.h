#pragma once
// Status and Result<T>: every expected failure in weft is a value, never an exception.
// A Status carries a code and a message written for the operator: it names the thing (file:line:col,
// table, column, offset) and, where there is one, the fix.

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace weft::core {

enum class Code {
  kOk = 0,
  kInvalidArgument,   // bad input from the user (config, flags, offsets)
  kNotFound,          // a table, column, view, file that does not exist
  kUnavailable,       // a server is unreachable or dropped the connection: retry with back-off
  kFailedPrecondition,// a server setting or grant weft needs is missing: the message names the fix
  kDataLoss,          // a position weft needs is gone (purged binlog)
  kCorruption,        // bytes that do not parse (binlog event, state file)
  kAborted,           // stopped on request (SIGINT/SIGTERM)
  kInternal,          // a bug in weft
};

const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "unavailable: connection refused ..." — for logs and the CLI.
  std::string ToString() const;
  // Prefix context: Status(kNotFound, "x").WithContext("view order_single_view") -> "view ...: x".
  Status WithContext(const std::string& context) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {Code::kFailedPrecondition, std::move(m)}; }
inline Status DataLoss(std::string m) { return {Code::kDataLoss, std::move(m)}; }
inline Status Corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
inline Status Aborted(std::string m) { return {Code::kAborted, std::move(m)}; }
inline Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

// Result<T> holds either a T or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) { assert(!status_.ok()); }  // NOLINT

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace weft::core

// Early return on failure: WEFT_RETURN_IF_ERROR(DoThing());
#define WEFT_RETURN_IF_ERROR(expr)                      \
  do {                                                  \
    ::weft::core::Status weft_status_ = (expr);         \
    if (!weft_status_.ok()) return weft_status_;        \
  } while (0)

#define WEFT_CONCAT_INNER(a, b) a##b
#define WEFT_CONCAT(a, b) WEFT_CONCAT_INNER(a, b)
// WEFT_ASSIGN_OR_RETURN(auto conn, Connect(...));
#define WEFT_ASSIGN_OR_RETURN(lhs, expr)                                  \
  auto WEFT_CONCAT(weft_result_, __LINE__) = (expr);                      \
  if (!WEFT_CONCAT(weft_result_, __LINE__).ok())                          \
    return WEFT_CONCAT(weft_result_, __LINE__).status();                  \
  lhs = std::move(WEFT_CONCAT(weft_result_, __LINE__)).value()
