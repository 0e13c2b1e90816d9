// Go-style durations: the text form Kubernetes and Argo Rollouts use for every interval.
//
// Manifests carry durations as Go's time.Duration strings ("30s", "1h30m", "1.5h"), and status
// fields and messages print them the way Go's Duration.String() does ("1h30m0s", "500ms"). Serin
// must read and write exactly the same text so that users, dashboards and `kubectl argo rollouts`
// see what they would see with Argo.
//
// Contracts: pure functions, thread-safe, never throw. Errors are Invalid and quote the input.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "serin/util/status.h"

namespace serin::util {

// Parses Go's time.ParseDuration syntax: an optional sign, then one or more
// "<decimal><unit>" terms with units ns, us, µs (U+00B5 or U+03BC), ms, s, m, h. Decimals may
// have a fraction ("1.5h", ".5s"); "0" alone needs no unit. Overflow of +-292 years is Invalid.
StatusOr<std::chrono::nanoseconds> parseDuration(std::string_view text);

// Like parseDuration, but a bare integer ("30", "-5") counts seconds: Argo Rollouts accepts that
// in pause durations and analysis intervals.
StatusOr<std::chrono::nanoseconds> parseDurationOrSeconds(std::string_view text);

// Prints as Go's Duration.String(): "1h30m0s", "2m0s", "1.5s", "500ms", "1µs", "0s", "-3s".
std::string formatDuration(std::chrono::nanoseconds d);

}  // namespace serin::util
