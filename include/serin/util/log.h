// Logging: one spdlog logger per module, configured once from flags, text or JSON lines.
//
// Operators read Serin's logs either in a terminal (text) or through a log pipeline (JSON, one
// object per line). Each module ("kube", "runtime", "rollout", ...) gets its own named logger so
// its level can be raised on its own ("--log-module-levels=kube=debug") without drowning the
// rest. Every record goes to stderr, timestamped in UTC with milliseconds:
//
//   text: 2026-11-24T01:02:03.123Z info  kube  message
//   json: {"ts":"2026-11-24T01:02:03.123Z","level":"info","logger":"kube","msg":"message"}
//
// Levels are trace, debug, info, warn, error, critical and off.
//
// Thread-safety: logger() and the returned loggers may be used from any thread. setupLogging()
// reconfigures existing loggers too; call it at start-up (and tests call it between cases),
// not while other threads are logging. setLogSinkForTesting() has the same restriction.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

#include "serin/util/status.h"

namespace spdlog::sinks {
class sink;
}  // namespace spdlog::sinks

namespace serin::util {

struct LogOptions {
  std::string format = "text";  // "text" or "json"
  std::string level = "info";   // default level of every module
  std::string moduleLevels;     // "kube=debug,runtime=warn": per-module overrides
};

// Validates and applies the options to existing and future loggers. Invalid (naming the bad
// format, level or module entry) leaves the previous configuration in place.
Status setupLogging(const LogOptions& options);

// The logger of `module`: the same instance on every call. Before setupLogging() it uses the
// defaults of LogOptions.
std::shared_ptr<spdlog::logger> logger(std::string_view module);

// Routes every logger to `sink` instead of stderr (the sink gets Serin's formatter); nullptr
// restores stderr. For tests that assert on log output.
void setLogSinkForTesting(std::shared_ptr<spdlog::sinks::sink> sink);

}  // namespace serin::util
