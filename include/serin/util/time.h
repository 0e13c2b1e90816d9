// RFC 3339 timestamps as Kubernetes writes them.
//
// Kubernetes serialises metav1.Time with second precision in UTC ("2026-11-24T01:02:03Z") and
// metav1.MicroTime with exactly six fractional digits ("2026-11-24T01:02:03.123456Z"). Status
// fields Serin writes (pauseStartTime, conditions' lastTransitionTime, leases) must use these
// forms byte for byte, and everything it reads may carry any RFC 3339 offset or fraction.
//
// Contracts: pure functions, thread-safe, never throw. Formatting truncates (never rounds) to the
// printed precision, as Go does.
#pragma once

#include <string>
#include <string_view>

#include "serin/util/clock.h"
#include "serin/util/status.h"

namespace serin::util {

// "2026-11-24T01:02:03Z": metav1.Time.
std::string formatRfc3339(Clock::TimePoint t);

// "2026-11-24T01:02:03.123456Z": metav1.MicroTime.
std::string formatRfc3339Micro(Clock::TimePoint t);

// "2026-11-24T01:02:03Z"; "2026-11-24T01:02:03.5+02:00"; lower-case 't'/'z' are accepted
// (RFC 3339 allows them). Up to 9 fractional digits are kept; more are truncated. Out-of-range
// fields (month 13, Feb 30, hour 24, second 60) and anything else are Invalid naming the text.
StatusOr<Clock::TimePoint> parseRfc3339(std::string_view text);

}  // namespace serin::util
