#include "view/aggregate/exact_decimal.h"

#include <algorithm>

namespace weft::view {
namespace {

constexpr int kMaxDigits = 38;

core::Status Overflow() {
  return core::FailedPrecondition("an aggregate's exact decimal sum passed 38 digits");
}

}  // namespace

std::optional<ExactDecimal> ExactDecimal::Parse(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  __int128 m = 0;
  int scale = 0, digits = 0;
  bool point = false, any = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    any = true;
    if (m != 0 || c != '0') ++digits;
    if (digits > kMaxDigits) return std::nullopt;
    m = m * 10 + (c - '0');
    if (point) ++scale;
  }
  if (!any) return std::nullopt;
  return ExactDecimal(negative ? -m : m, scale);
}

core::Status ExactDecimal::Rescale(int scale) {
  while (scale_ < scale) {
    if (__builtin_mul_overflow(mantissa_, static_cast<__int128>(10), &mantissa_)) return Overflow();
    ++scale_;
  }
  return core::Status::Ok();
}

core::Status ExactDecimal::Add(const ExactDecimal& other) {
  ExactDecimal o = other;
  int scale = std::max(scale_, o.scale_);
  WEFT_RETURN_IF_ERROR(Rescale(scale));
  WEFT_RETURN_IF_ERROR(o.Rescale(scale));
  if (__builtin_add_overflow(mantissa_, o.mantissa_, &mantissa_)) return Overflow();
  return core::Status::Ok();
}

core::Status ExactDecimal::Subtract(const ExactDecimal& other) {
  ExactDecimal negated(-other.mantissa_, other.scale_);
  return Add(negated);
}

core::Result<ExactDecimal> ExactDecimal::DivideBy(int64_t n, int scale) const {
  if (n <= 0) return core::InvalidArgument("division of an aggregate by a count <= 0");
  __int128 m = mantissa_;
  int s = scale_;
  while (s > scale + 1) {
    m /= 10;
    --s;
  }
  while (s < scale + 1) {
    if (__builtin_mul_overflow(m, static_cast<__int128>(10), &m)) return Overflow();
    ++s;
  }
  // Truncated toward zero with one extra digit, which then rounds half away from zero: the
  // digits past it only ever move the exact quotient further from zero.
  __int128 q = m / n;
  __int128 last = q % 10;
  q /= 10;
  if (last >= 5) ++q;
  if (last <= -5) --q;
  return ExactDecimal(q, scale);
}

std::optional<int64_t> ExactDecimal::AsInt64() const {
  if (scale_ != 0) return std::nullopt;
  if (mantissa_ > INT64_MAX || mantissa_ < INT64_MIN) return std::nullopt;
  return static_cast<int64_t>(mantissa_);
}

double ExactDecimal::ToDouble() const {
  double v = static_cast<double>(mantissa_);
  for (int i = 0; i < scale_; ++i) v /= 10;
  return v;
}

std::string ExactDecimal::ToString() const {
  bool negative = mantissa_ < 0;
  unsigned __int128 u = negative ? static_cast<unsigned __int128>(-(mantissa_ + 1)) + 1
                                 : static_cast<unsigned __int128>(mantissa_);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u != 0);
  while (static_cast<int>(digits.size()) <= scale_) digits.push_back('0');
  std::reverse(digits.begin(), digits.end());
  if (scale_ > 0) digits.insert(digits.end() - scale_, '.');
  if (negative) digits.insert(digits.begin(), '-');
  return digits;
}

}  // namespace weft::view
