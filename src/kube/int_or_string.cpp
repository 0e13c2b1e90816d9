#include "serin/kube/int_or_string.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace serin::kube {
namespace {

// Go's strconv.Atoi: optional sign, decimal digits, nothing else.
std::optional<int64_t> atoi(std::string_view s) {
  bool plus = !s.empty() && s[0] == '+';
  if (plus) s.remove_prefix(1);
  if (s.empty() || s[0] == '+' || (plus && s[0] == '-')) return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// floor or ceil of percent * total / 100, exact in integers (Go computes it in float64, which
// is exact for every int32 input).
StatusOr<int> scalePercent(int64_t percent, int total, bool round_up) {
  __extension__ __int128 product = static_cast<__int128>(percent) * total;
  __extension__ __int128 q = product / 100;
  __extension__ __int128 r = product % 100;
  if (r != 0 && round_up && product > 0) ++q;
  if (r != 0 && !round_up && product < 0) --q;
  if (q > std::numeric_limits<int>::max() || q < std::numeric_limits<int>::min()) {
    return invalidError("percentage " + std::to_string(percent) + "% of " + std::to_string(total) +
                        " overflows");
  }
  return static_cast<int>(q);
}

}  // namespace

StatusOr<IntOrString> IntOrString::fromJson(const nlohmann::json& j) {
  if (j.is_string()) return IntOrString(j.get<std::string>());
  if (j.is_number_integer()) {
    bool fits =
        j.is_number_unsigned()
            ? j.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int32_t>::max())
            : j.get<int64_t>() >= std::numeric_limits<int32_t>::min() &&
                  j.get<int64_t>() <= std::numeric_limits<int32_t>::max();
    if (fits) return IntOrString(static_cast<int32_t>(j.get<int64_t>()));
  }
  return invalidError("IntOrString must be an int32 or a string, got " + j.dump());
}

nlohmann::json IntOrString::toJson() const {
  return is_int_ ? nlohmann::json(int_) : nlohmann::json(str_);
}

StatusOr<int> scaledValueFromIntOrPercent(const IntOrString& value, int total, bool round_up) {
  if (value.isInt()) return value.intValue();
  std::string_view s = value.stringValue();
  if (s.empty() || s.back() != '%') {
    return invalidError("invalid value for IntOrString: \"" + value.stringValue() +
                        "\" is not a percentage");
  }
  auto percent = atoi(s.substr(0, s.size() - 1));
  if (!percent) {
    return invalidError("invalid value for IntOrString: \"" + value.stringValue() + "\"");
  }
  return scalePercent(*percent, total, round_up);
}

StatusOr<int> argoScaledValueFromIntOrPercent(const IntOrString& value, int total, bool round_up) {
  if (value.isInt()) return value.intValue();
  std::string digits;
  for (char c : value.stringValue()) {
    if (c != '%') digits.push_back(c);
  }
  auto percent = atoi(digits);
  if (!percent) {
    return invalidError("invalid value for IntOrString: \"" + value.stringValue() + "\"");
  }
  return scalePercent(*percent, total, round_up);
}

}  // namespace serin::kube
