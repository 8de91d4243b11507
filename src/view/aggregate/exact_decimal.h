#pragma once
// ExactDecimal: a signed decimal number held exactly as a 128-bit integer and a scale (digits after
// the point), for SUM/AVG over DECIMAL/NUMERIC and integer columns: adding and retracting the same
// values returns exactly to where it was, so money never drifts however many updates pass. Up to
// 38 significant digits; past that the operations report kFailedPrecondition. Pure; any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace weft::view {

class ExactDecimal {
 public:
  ExactDecimal() = default;
  // "-123.4500", "7", "+0.5"; nullopt when the text is not a plain decimal (no exponents).
  static std::optional<ExactDecimal> Parse(std::string_view text);
  static ExactDecimal FromInt(int64_t v) { return ExactDecimal(v, 0); }

  // *this += / -= other; the result keeps the larger scale.
  core::Status Add(const ExactDecimal& other);
  core::Status Subtract(const ExactDecimal& other);
  // this / n rounded half away from zero to `scale` digits (AVG). n > 0.
  core::Result<ExactDecimal> DivideBy(int64_t n, int scale) const;

  int scale() const { return scale_; }
  bool is_zero() const { return mantissa_ == 0; }
  // The integer value when the scale is 0 and it fits in int64.
  std::optional<int64_t> AsInt64() const;
  double ToDouble() const;
  // Exactly `scale()` digits after the point ("12.50", "-3", "0.000").
  std::string ToString() const;

 private:
  ExactDecimal(__int128 mantissa, int scale) : mantissa_(mantissa), scale_(scale) {}
  core::Status Rescale(int scale);  // only upwards

  __int128 mantissa_ = 0;
  int scale_ = 0;
};

}  // namespace weft::view
