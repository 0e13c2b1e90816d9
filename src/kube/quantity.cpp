#include "serin/kube/quantity.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>

namespace serin::kube {
namespace {

using Int128 = QuantityInt128;

constexpr Int128 kNanosPerUnit = 1'000'000'000;
constexpr Int128 kMaxNanos = Int128{std::numeric_limits<int64_t>::max()} * kNanosPerUnit;
constexpr int64_t kMaxNanosDigits = 28;  // kMaxNanos ~ 9.2e27

struct Suffix {
  int base = 10;  // 10 or 2
  int64_t exponent = 0;
  Quantity::Format format = Quantity::Format::kDecimalSI;
};

struct SuffixEntry {
  std::string_view text;
  int base;
  int exponent;
};

constexpr std::array<SuffixEntry, 16> kSuffixes = {{
    {"n", 10, -9},
    {"u", 10, -6},
    {"m", 10, -3},
    {"", 10, 0},
    {"k", 10, 3},
    {"M", 10, 6},
    {"G", 10, 9},
    {"T", 10, 12},
    {"P", 10, 15},
    {"E", 10, 18},
    {"Ki", 2, 10},
    {"Mi", 2, 20},
    {"Gi", 2, 30},
    {"Ti", 2, 40},
    {"Pi", 2, 50},
    {"Ei", 2, 60},
}};

std::optional<Suffix> interpretSuffix(std::string_view text) {
  for (const auto& entry : kSuffixes) {
    if (entry.text == text) {
      return Suffix{entry.base, entry.exponent,
                    entry.base == 2 ? Quantity::Format::kBinarySI : Quantity::Format::kDecimalSI};
    }
  }
  if (text.size() < 2 || (text[0] != 'e' && text[0] != 'E')) return std::nullopt;
  std::string_view digits = text.substr(1);
  bool negative = digits[0] == '-';
  if (digits[0] == '-' || digits[0] == '+') digits.remove_prefix(1);
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  int64_t exponent = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    exponent = exponent * 10 + (c - '0');
  }
  return Suffix{10, negative ? -exponent : exponent, Quantity::Format::kDecimalExponent};
}

// The pieces of "<sign><num>.<denom><suffix>", as Kubernetes' scanner splits them.
struct Parts {
  bool negative = false;
  std::string_view num;    // leading zeros stripped; "0" when none are left
  std::string_view denom;  // fraction digits
  std::string_view suffix;
};

bool isDigit(char c) { return c >= '0' && c <= '9'; }

std::optional<Parts> splitQuantity(std::string_view s) {
  Parts parts;
  size_t pos = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    parts.negative = s[0] == '-';
    ++pos;
  }
  while (pos < s.size() && s[pos] == '0') ++pos;
  if (pos == s.size()) {
    parts.num = "0";
    return parts;
  }
  size_t start = pos;
  while (pos < s.size() && isDigit(s[pos])) ++pos;
  parts.num = pos == start ? std::string_view("0") : s.substr(start, pos - start);
  if (pos < s.size() && s[pos] == '.') {
    start = ++pos;
    while (pos < s.size() && isDigit(s[pos])) ++pos;
    parts.denom = s.substr(start, pos - start);
  }
  size_t suffix_start = pos;
  while (pos < s.size() &&
         std::string_view("eEinumkKMGTP").find(s[pos]) != std::string_view::npos) {
    ++pos;
  }
  if (pos < s.size() && (s[pos] == '-' || s[pos] == '+')) ++pos;
  while (pos < s.size() && isDigit(s[pos])) ++pos;
  if (pos != s.size()) return std::nullopt;
  parts.suffix = s.substr(suffix_start);
  return parts;
}

// Decimal digit string times 2^power (power <= 60), by schoolbook doubling.
std::string timesPowerOfTwo(std::string digits, int64_t power) {
  for (int64_t i = 0; i < power; ++i) {
    int carry = 0;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
      int d = (*it - '0') * 2 + carry;
      *it = static_cast<char>('0' + d % 10);
      carry = d / 10;
    }
    if (carry > 0) digits.insert(digits.begin(), static_cast<char>('0' + carry));
  }
  return digits;
}

// |digits| * 10^exp10 in nanounits, rounded away from zero and capped at kMaxNanos.
Int128 scaleToNanos(std::string digits, int64_t exp10) {
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  if (digits.empty()) return 0;
  bool round_up = false;
  if (exp10 < 0) {
    auto drop = static_cast<size_t>(std::min<int64_t>(-exp10, static_cast<int64_t>(digits.size())));
    std::string_view fraction(digits.data() + digits.size() - drop, drop);
    round_up = fraction.find_first_not_of('0') != std::string_view::npos;
    digits.resize(digits.size() - drop);
    exp10 = 0;
  }
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  if (!digits.empty() && static_cast<int64_t>(digits.size()) + exp10 > kMaxNanosDigits) {
    return kMaxNanos;
  }
  Int128 nanos = 0;
  for (char c : digits) nanos = nanos * 10 + (c - '0');
  for (int64_t i = 0; i < exp10 && nanos != 0; ++i) nanos *= 10;
  if (round_up) ++nanos;
  return std::min(nanos, kMaxNanos);
}

// Kubernetes keeps (and later prints) the text as written when its fast parser already finds
// it canonical; this mirrors that test so toString() matches byte for byte.
bool kubernetesEchoesText(const Parts& parts, const Suffix& suffix) {
  std::string shifted = std::string(parts.num) + std::string(parts.denom);
  auto digits = static_cast<int64_t>(shifted.size());
  if (suffix.format == Quantity::Format::kBinarySI) {
    if (!parts.denom.empty()) return false;
    int64_t precision = 15 - digits - (suffix.exponent * 3 / 10) - 1;
    if (precision < 0) return false;
    int64_t value = std::stoll(shifted);
    if (value > (std::numeric_limits<int64_t>::max() >> suffix.exponent)) return false;
    return suffix.exponent % 10 == 0 && (value & 0x07) != 0;
  }
  if (18 - digits < 0) return false;
  int64_t scale = suffix.exponent - static_cast<int64_t>(parts.denom.size());
  if (scale < -9) return false;
  bool ends_000 = shifted.size() >= 3 && shifted.compare(shifted.size() - 3, 3, "000") == 0;
  return scale % 3 == 0 && !ends_000 && shifted[0] != '0';
}

std::string int128ToString(Int128 v) {
  if (v == 0) return "0";
  bool negative = v < 0;
  std::string out;
  while (v != 0) {
    auto digit = static_cast<int>(v % 10);
    out.push_back(static_cast<char>('0' + (negative ? -digit : digit)));
    v /= 10;
  }
  if (negative) out.push_back('-');
  std::reverse(out.begin(), out.end());
  return out;
}

// nanos / divisor rounded away from zero, saturated to int64.
int64_t divideAwayFromZero(Int128 nanos, Int128 divisor) {
  Int128 q = nanos / divisor;
  if (nanos % divisor != 0) q += nanos < 0 ? -1 : 1;
  q = std::clamp<Int128>(q, std::numeric_limits<int64_t>::min(),
                         std::numeric_limits<int64_t>::max());
  return static_cast<int64_t>(q);
}

std::string_view decimalSuffix(int exponent) {
  for (const auto& entry : kSuffixes) {
    if (entry.base == 10 && entry.exponent == exponent) return entry.text;
  }
  return "?";  // unreachable: the cap keeps exponents within n..E
}

std::string formatDecimal(Int128 nanos, Quantity::Format format) {
  Int128 mantissa = nanos;
  int exponent = -9;
  while ((mantissa >= 10 || mantissa <= -10) && mantissa % 10 == 0) {
    mantissa /= 10;
    ++exponent;
  }
  switch (exponent % 3) {
    case 1:
    case -2:
      mantissa *= 10;
      exponent -= 1;
      break;
    case 2:
    case -1:
      mantissa *= 100;
      exponent -= 2;
      break;
    default:
      break;
  }
  std::string out = int128ToString(mantissa);
  if (format == Quantity::Format::kDecimalExponent) {
    if (exponent != 0) out += "e" + std::to_string(exponent);
    return out;
  }
  out += decimalSuffix(exponent);
  return out;
}

std::string formatBinary(Int128 units) {
  static constexpr std::array<std::string_view, 7> kBinary = {"",   "Ki", "Mi", "Gi",
                                                              "Ti", "Pi", "Ei"};
  size_t power = 0;
  while ((units >= 1024 || units <= -1024) && units % 1024 == 0 && power + 1 < kBinary.size()) {
    units /= 1024;
    ++power;
  }
  return int128ToString(units) + std::string(kBinary[power]);
}

}  // namespace

StatusOr<Quantity> Quantity::parse(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    return invalidError("invalid quantity \"" + std::string(text) + "\": " + std::string(why));
  };
  if (text.empty()) return invalid("empty");
  if (text == "0") {
    Quantity zero;
    zero.original_ = "0";
    return zero;
  }
  auto parts = splitQuantity(text);
  if (!parts) return invalid("must match <sign><digits>.<digits><suffix>");
  auto suffix = interpretSuffix(parts->suffix);
  if (!suffix) return invalid("unknown suffix \"" + std::string(parts->suffix) + "\"");
  std::string digits = std::string(parts->num) + std::string(parts->denom);
  auto denom_len = static_cast<int64_t>(parts->denom.size());
  Int128 nanos;
  if (suffix->base == 2) {
    nanos = scaleToNanos(timesPowerOfTwo(digits, suffix->exponent), 9 - denom_len);
  } else {
    // Exponents this far out only ever saturate or round to 1n; clamping avoids overflow.
    int64_t exp10 = std::clamp<int64_t>(suffix->exponent, -1'000'000, 1'000'000) + 9 - denom_len;
    nanos = scaleToNanos(digits, exp10);
  }
  Format format = suffix->format;
  if (format == Format::kBinarySI && nanos > 0 && nanos < kNanosPerUnit)
    format = Format::kDecimalSI;
  Quantity q(parts->negative ? -nanos : nanos, format);
  if (kubernetesEchoesText(*parts, *suffix)) q.original_ = std::string(text);
  return q;
}

Quantity Quantity::fromMilli(int64_t milli, Format format) {
  return Quantity(Int128{milli} * 1'000'000, format);
}

Quantity Quantity::fromValue(int64_t value, Format format) {
  return Quantity(Int128{value} * kNanosPerUnit, format);
}

int64_t Quantity::milliValue() const { return divideAwayFromZero(nanos_, 1'000'000); }

int64_t Quantity::value() const { return divideAwayFromZero(nanos_, kNanosPerUnit); }

std::string Quantity::toString() const {
  if (!original_.empty()) return original_;
  if (nanos_ == 0) return "0";
  Format format = format_;
  if (format == Format::kBinarySI) {
    bool small = nanos_ > -1024 * kNanosPerUnit && nanos_ < 1024 * kNanosPerUnit;
    if (small || nanos_ % kNanosPerUnit != 0) format = Format::kDecimalSI;
  }
  if (format == Format::kBinarySI) return formatBinary(nanos_ / kNanosPerUnit);
  return formatDecimal(nanos_, format);
}

}  // namespace serin::kube
