#include "serin/util/duration.h"

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

namespace serin::util {
namespace {

constexpr uint64_t kMaxMagnitude = uint64_t{1} << 63;  // |INT64_MIN|

Status invalidDuration(std::string_view text) {
  return invalidError("invalid duration \"" + std::string(text) + "\"");
}

std::optional<uint64_t> unitNanos(std::string_view unit) {
  static constexpr std::array<std::pair<std::string_view, uint64_t>, 8> kUnits = {{
      {"ns", 1},
      {"us", 1'000},
      {"\xC2\xB5s", 1'000},  // U+00B5 micro sign
      {"\xCE\xBCs", 1'000},  // U+03BC Greek mu
      {"ms", 1'000'000},
      {"s", 1'000'000'000},
      {"m", 60'000'000'000},
      {"h", 3'600'000'000'000},
  }};
  for (const auto& [name, nanos] : kUnits) {
    if (name == unit) return nanos;
  }
  return std::nullopt;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// One "<int>[.<frac>]<unit>" term; advances `rest`. nullopt when malformed or overflowing.
struct Term {
  uint64_t nanos = 0;
  bool unknown_unit = false;
  std::string unit;
};

std::optional<Term> parseTerm(std::string_view& rest) {
  if (rest.empty() || !(rest[0] == '.' || isDigit(rest[0]))) return std::nullopt;
  uint64_t whole = 0;
  size_t i = 0;
  for (; i < rest.size() && isDigit(rest[i]); ++i) {
    if (whole > (kMaxMagnitude - 1) / 10) return std::nullopt;  // Go: "bad [0-9]*"
    whole = whole * 10 + static_cast<uint64_t>(rest[i] - '0');
  }
  bool has_whole = i > 0;
  uint64_t frac = 0;
  double scale = 1;
  bool has_frac = false;
  if (i < rest.size() && rest[i] == '.') {
    ++i;
    bool overflow = false;
    for (; i < rest.size() && isDigit(rest[i]); ++i) {
      has_frac = true;
      // Digits beyond int64 precision are ignored, as Go does.
      if (overflow || frac > (kMaxMagnitude - 1) / 10) {
        overflow = true;
        continue;
      }
      frac = frac * 10 + static_cast<uint64_t>(rest[i] - '0');
      scale *= 10;
    }
  }
  if (!has_whole && !has_frac) return std::nullopt;
  size_t unit_start = i;
  while (i < rest.size() && rest[i] != '.' && !isDigit(rest[i])) ++i;
  Term term;
  term.unit = std::string(rest.substr(unit_start, i - unit_start));
  rest.remove_prefix(i);
  if (term.unit.empty()) return term;  // caller reports the missing unit
  auto unit = unitNanos(term.unit);
  if (!unit) {
    term.unknown_unit = true;
    return term;
  }
  if (whole > kMaxMagnitude / *unit) return std::nullopt;
  uint64_t v = whole * *unit;
  if (frac > 0) {
    // A double keeps fractions of an hour nanosecond-exact (<= 3.6e12 ns).
    v += static_cast<uint64_t>(static_cast<double>(frac) * (static_cast<double>(*unit) / scale));
    if (v > kMaxMagnitude) return std::nullopt;
  }
  term.nanos = v;
  return term;
}

}  // namespace

StatusOr<std::chrono::nanoseconds> parseDuration(std::string_view text) {
  std::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest[0] == '-' || rest[0] == '+')) {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  if (rest == "0") return std::chrono::nanoseconds(0);
  if (rest.empty()) return invalidDuration(text);
  uint64_t total = 0;
  while (!rest.empty()) {
    auto term = parseTerm(rest);
    if (!term) return invalidDuration(text);
    if (term->unit.empty()) {
      return invalidError("missing unit in duration \"" + std::string(text) + "\"");
    }
    if (term->unknown_unit) {
      return invalidError("unknown unit \"" + term->unit + "\" in duration \"" + std::string(text) +
                          "\"");
    }
    total += term->nanos;
    if (total > kMaxMagnitude) return invalidDuration(text);
  }
  if (negative) {
    // -2^63 is representable; its magnitude is not as a positive int64.
    return std::chrono::nanoseconds(total == kMaxMagnitude ? std::numeric_limits<int64_t>::min()
                                                           : -static_cast<int64_t>(total));
  }
  if (total > kMaxMagnitude - 1) return invalidDuration(text);
  return std::chrono::nanoseconds(static_cast<int64_t>(total));
}

StatusOr<std::chrono::nanoseconds> parseDurationOrSeconds(std::string_view text) {
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  bool all_digits = !digits.empty();
  for (char c : digits) all_digits = all_digits && isDigit(c);
  if (!all_digits) return parseDuration(text);
  constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / 1'000'000'000;
  int64_t seconds = 0;
  for (char c : digits) {
    seconds = seconds * 10 + (c - '0');
    if (seconds > kMaxSeconds) return invalidDuration(text);
  }
  return std::chrono::nanoseconds((negative ? -seconds : seconds) * 1'000'000'000);
}

namespace {

// Appends v / 10^prec's fraction (".125"), dropping trailing zeros and the point when zero.
// Returns v / 10^prec.
uint64_t appendFraction(std::string& reversed, uint64_t v, int prec) {
  bool printed = false;
  for (int i = 0; i < prec; ++i) {
    auto digit = static_cast<char>('0' + v % 10);
    printed = printed || digit != '0';
    if (printed) reversed.push_back(digit);
    v /= 10;
  }
  if (printed) reversed.push_back('.');
  return v;
}

void appendInt(std::string& reversed, uint64_t v) {
  do {
    reversed.push_back(static_cast<char>('0' + v % 10));
    v /= 10;
  } while (v > 0);
}

}  // namespace

std::string formatDuration(std::chrono::nanoseconds d) {
  int64_t count = d.count();
  if (count == 0) return "0s";
  bool negative = count < 0;
  uint64_t u = negative ? uint64_t{0} - static_cast<uint64_t>(count) : static_cast<uint64_t>(count);
  std::string reversed;  // built back to front, like Go's buffer
  reversed.push_back('s');
  if (u < 1'000'000'000) {
    int prec = 0;
    if (u < 1'000) {
      reversed.push_back('n');
    } else if (u < 1'000'000) {
      prec = 3;
      reversed.append("\xB5\xC2");  // "µ" reversed byte order
    } else {
      prec = 6;
      reversed.push_back('m');
    }
    u = appendFraction(reversed, u, prec);
    appendInt(reversed, u);
  } else {
    u = appendFraction(reversed, u, 9);
    appendInt(reversed, u % 60);
    u /= 60;
    if (u > 0) {
      reversed.push_back('m');
      appendInt(reversed, u % 60);
      u /= 60;
      if (u > 0) {
        reversed.push_back('h');
        appendInt(reversed, u);
      }
    }
  }
  if (negative) reversed.push_back('-');
  return {reversed.rbegin(), reversed.rend()};
}

}  // namespace serin::util
