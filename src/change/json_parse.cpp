#include "change/json_parse.h"

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace weft::change {
namespace {

// A SAX handler, not the DOM: the DOM would turn "199.99" into a double and sort object keys, while
// the SAX events give the number's original text and the fields in order.
class ValueBuilder : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool null() override { return Add(Value::Null()); }
  bool boolean(bool b) override { return Add(Value::Bool(b)); }
  bool number_integer(number_integer_t i) override { return Add(Value::Int(i)); }
  bool number_unsigned(number_unsigned_t u) override {
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return Add(Value::Int(static_cast<int64_t>(u)));
    return Add(Value::UInt(u));
  }
  bool number_float(number_float_t, const string_t& text) override { return Add(Value::Decimal(text)); }
  bool string(string_t& s) override { return Add(Value::String(std::move(s))); }
  bool binary(binary_t&) override { return false; }  // never produced by the text parser

  bool start_object(std::size_t) override {
    if (!DepthOk()) return false;
    stack_.push_back(Frame{Value::MakeObject(), {}});
    return true;
  }
  bool key(string_t& k) override {
    stack_.back().key = std::move(k);
    return true;
  }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override {
    if (!DepthOk()) return false;
    stack_.push_back(Frame{Value::MakeArray(), {}});
    return true;
  }
  bool end_array() override { return Close(); }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override {
    error_ = "JSON does not parse at byte " + std::to_string(position) + ": " + ex.what();
    return false;
  }

  Value TakeResult() { return std::move(result_); }
  const std::string& error() const { return error_; }

 private:
  struct Frame {
    Value container;
    std::string key;  // the pending key of an object frame
  };

  // A value goes at depth stack_.size(). Without the bound, a "[[[[..." line 30,000 deep in a JSONL
  // sink file overflowed the stack of whoever rendered or destroyed the result (found fuzzing).
  bool DepthOk() {
    if (stack_.size() <= static_cast<size_t>(kMaxJsonDepth)) return true;
    error_ = "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
    return false;
  }

  bool Add(Value v) {
    if (!DepthOk()) return false;
    if (stack_.empty()) {
      result_ = std::move(v);
      return true;
    }
    Frame& top = stack_.back();
    if (top.container.kind() == ValueKind::kArray) {
      top.container.array().push_back(std::move(v));
    } else {
      // Object::emplace_back, not Set: a duplicate key keeps both, as the text had them.
      top.container.object().emplace_back(std::move(top.key), std::move(v));
    }
    return true;
  }

  bool Close() {
    Value done = std::move(stack_.back().container);
    stack_.pop_back();
    return Add(std::move(done));
  }

  std::vector<Frame> stack_;
  Value result_;
  std::string error_;
};

}  // namespace

core::Result<Value> ParseJsonValue(std::string_view text) {
  ValueBuilder builder;
  bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &builder, nlohmann::json::input_format_t::json,
                                      /*strict=*/true);
  if (!ok) {
    return core::Corruption(builder.error().empty() ? std::string("JSON does not parse") : builder.error());
  }
  return builder.TakeResult();
}

}  // namespace weft::change
