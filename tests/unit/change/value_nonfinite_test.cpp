// NaN and infinity cannot be written in JSON; a FLOAT/DOUBLE holding one (only damaged binlog bytes
// produce it) must still render a line that parses (found by tests/fuzz/row_decoder_fuzz).
#include <doctest/doctest.h>

#include <limits>

#include "change/json_parse.h"
#include "change/value.h"

namespace weft::change {

TEST_CASE("non-finite FLOAT and DOUBLE render as null, finite ones as numbers") {
  const double kInf = std::numeric_limits<double>::infinity();
  const double kNaN = std::numeric_limits<double>::quiet_NaN();
  for (double d : {kNaN, -kNaN, kInf, -kInf}) {
    CHECK(ToJson(Value::Double(d)) == "null");
    CHECK(ToJson(Value::Float(static_cast<float>(d))) == "null");
  }
  Value row = Value::MakeObject({{"a", Value::Double(kNaN)}, {"b", Value::Float(1.5f)}});
  CHECK(ToJson(row) == R"({"a":null,"b":1.5})");
  CHECK(ParseJsonValue(ToJson(row)).ok());
  CHECK(ToJson(Value::Double(-0.0)) == "-0");
  CHECK(ToJson(Value::Double(1e308)) == "1e+308");
}

}  // namespace weft::change
