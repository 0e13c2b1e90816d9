#include "serin/util/time.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>

namespace serin::util {
namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// Writes "YYYY-MM-DDTHH:MM:SS" of the whole second containing t (UTC).
std::string formatSeconds(Clock::TimePoint t) {
  auto day = floor<days>(t);
  std::chrono::year_month_day ymd(day);
  std::chrono::hh_mm_ss hms(floor<seconds>(t) - day);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::optional<int> digits(std::string_view text, size_t pos, size_t count) {
  if (pos + count > text.size()) return std::nullopt;
  int v = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

bool charAt(std::string_view text, size_t pos, char a, char b = '\0') {
  return pos < text.size() && (text[pos] == a || (b != '\0' && text[pos] == b));
}

}  // namespace

std::string formatRfc3339(Clock::TimePoint t) { return formatSeconds(t) + "Z"; }

std::string formatRfc3339Micro(Clock::TimePoint t) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t - floor<seconds>(t));
  char frac[32];
  std::snprintf(frac, sizeof(frac), ".%06lld", static_cast<long long>(micros.count()));
  return formatSeconds(t) + frac + "Z";
}

StatusOr<Clock::TimePoint> parseRfc3339(std::string_view text) {
  auto invalid = [&] {
    return invalidError("invalid RFC 3339 time \"" + std::string(text) + "\"");
  };
  auto year = digits(text, 0, 4);
  auto month = digits(text, 5, 2);
  auto day = digits(text, 8, 2);
  auto hour = digits(text, 11, 2);
  auto minute = digits(text, 14, 2);
  auto second = digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || !charAt(text, 4, '-') ||
      !charAt(text, 7, '-') || !charAt(text, 10, 'T', 't') || !charAt(text, 13, ':') ||
      !charAt(text, 16, ':')) {
    return invalid();
  }
  std::chrono::year_month_day ymd{std::chrono::year(*year),
                                  std::chrono::month(static_cast<unsigned>(*month)),
                                  std::chrono::day(static_cast<unsigned>(*day))};
  if (!ymd.ok() || *hour > 23 || *minute > 59 || *second > 59) return invalid();
  size_t pos = 19;
  int64_t frac_nanos = 0;
  if (charAt(text, pos, '.')) {
    ++pos;
    int64_t scale = 100'000'000;
    size_t start = pos;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
      frac_nanos += (text[pos] - '0') * scale;
      scale /= 10;
    }
    if (pos == start) return invalid();
  }
  seconds offset{0};
  if (charAt(text, pos, 'Z', 'z')) {
    ++pos;
  } else if (charAt(text, pos, '+', '-')) {
    auto off_hour = digits(text, pos + 1, 2);
    auto off_minute = digits(text, pos + 4, 2);
    if (!off_hour || !off_minute || !charAt(text, pos + 3, ':') || *off_hour > 23 ||
        *off_minute > 59) {
      return invalid();
    }
    offset = std::chrono::hours(*off_hour) + std::chrono::minutes(*off_minute);
    if (text[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return invalid();
  }
  if (pos != text.size()) return invalid();
  auto local = std::chrono::sys_days(ymd) + std::chrono::hours(*hour) +
               std::chrono::minutes(*minute) + seconds(*second);
  auto utc = local - offset;
  return Clock::TimePoint(std::chrono::duration_cast<Clock::TimePoint::duration>(
      utc.time_since_epoch() + nanoseconds(frac_nanos)));
}

}  // namespace serin::util
