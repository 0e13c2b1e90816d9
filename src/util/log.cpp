#include "serin/util/log.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace serin::util {
namespace {

struct LevelName {
  std::string_view name;
  spdlog::level::level_enum level;
};

constexpr std::array<LevelName, 7> kLevels = {{
    {"trace", spdlog::level::trace},
    {"debug", spdlog::level::debug},
    {"info", spdlog::level::info},
    {"warn", spdlog::level::warn},
    {"error", spdlog::level::err},
    {"critical", spdlog::level::critical},
    {"off", spdlog::level::off},
}};

std::optional<spdlog::level::level_enum> parseLevel(std::string_view name) {
  for (const auto& entry : kLevels) {
    if (entry.name == name) return entry.level;
  }
  return std::nullopt;
}

std::string_view levelName(spdlog::level::level_enum level) {
  for (const auto& entry : kLevels) {
    if (entry.level == level) return entry.name;
  }
  return "unknown";
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void append(spdlog::memory_buf_t& dest, std::string_view s) {
  dest.append(s.data(), s.data() + s.size());
}

// "2026-11-24T01:02:03.123Z"
void appendTimestamp(spdlog::memory_buf_t& dest, spdlog::log_clock::time_point t) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd(day);
  hh_mm_ss hms(floor<milliseconds>(t) - day);
  char buf[40];
  int n = std::snprintf(
      buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
      static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
      static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
  dest.append(buf, buf + n);
}

void appendPadded(spdlog::memory_buf_t& dest, std::string_view s, size_t width) {
  append(dest, s);
  for (size_t i = s.size(); i < width; ++i) dest.push_back(' ');
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is malformed.
size_t utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return len;
}

// JSON string body: quotes, backslashes and control characters escaped; malformed UTF-8
// becomes U+FFFD so that every line stays valid JSON.
void appendJsonEscaped(spdlog::memory_buf_t& dest, std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    switch (c) {
      case '"':
        append(dest, "\\\"");
        break;
      case '\\':
        append(dest, "\\\\");
        break;
      case '\n':
        append(dest, "\\n");
        break;
      case '\r':
        append(dest, "\\r");
        break;
      case '\t':
        append(dest, "\\t");
        break;
      case '\b':
        append(dest, "\\b");
        break;
      case '\f':
        append(dest, "\\f");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          int n = std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
          dest.append(buf, buf + n);
        } else if (size_t len = utf8SequenceLength(s, i); len == 0) {
          append(dest, "\\ufffd");
        } else {
          append(dest, s.substr(i, len));
          i += len;
          continue;
        }
    }
    ++i;
  }
}

class TextFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    appendTimestamp(dest, msg.time);
    dest.push_back(' ');
    appendPadded(dest, levelName(msg.level), 5);
    dest.push_back(' ');
    appendPadded(dest, std::string_view(msg.logger_name.data(), msg.logger_name.size()), 5);
    dest.push_back(' ');
    append(dest, std::string_view(msg.payload.data(), msg.payload.size()));
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<TextFormatter>();
  }
};

class JsonFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    append(dest, "{\"ts\":\"");
    appendTimestamp(dest, msg.time);
    append(dest, "\",\"level\":\"");
    append(dest, levelName(msg.level));
    append(dest, "\",\"logger\":\"");
    appendJsonEscaped(dest, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
    append(dest, "\",\"msg\":\"");
    appendJsonEscaped(dest, std::string_view(msg.payload.data(), msg.payload.size()));
    append(dest, "\"}\n");
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

struct Config {
  bool json = false;
  spdlog::level::level_enum level = spdlog::level::info;
  std::map<std::string, spdlog::level::level_enum, std::less<>> module_levels;
};

// Process-wide logging state; loggers share one sink so the formatter lives on the sink.
class Registry {
 public:
  static Registry& instance() {
    static auto* registry = new Registry();  // never destroyed: loggers outlive statics
    return *registry;
  }

  void configure(Config config) {
    std::lock_guard lock(mu_);
    config_ = std::move(config);
    applyFormatter();
    for (auto& [name, log] : loggers_) log->set_level(levelFor(name));
  }

  void setSink(std::shared_ptr<spdlog::sinks::sink> sink) {
    std::lock_guard lock(mu_);
    sink_ = sink ? std::move(sink) : defaultSink();
    applyFormatter();
    for (auto& [name, log] : loggers_) log->sinks() = {sink_};
  }

  std::shared_ptr<spdlog::logger> get(std::string_view module) {
    std::lock_guard lock(mu_);
    if (auto it = loggers_.find(module); it != loggers_.end()) return it->second;
    auto log = std::make_shared<spdlog::logger>(std::string(module), sink_);
    log->set_level(levelFor(module));
    loggers_.emplace(std::string(module), log);
    return log;
  }

 private:
  Registry() : sink_(defaultSink()) { applyFormatter(); }

  static std::shared_ptr<spdlog::sinks::sink> defaultSink() {
    return std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }

  void applyFormatter() {
    if (config_.json) {
      sink_->set_formatter(std::make_unique<JsonFormatter>());
    } else {
      sink_->set_formatter(std::make_unique<TextFormatter>());
    }
  }

  spdlog::level::level_enum levelFor(std::string_view module) const {
    auto it = config_.module_levels.find(module);
    return it == config_.module_levels.end() ? config_.level : it->second;
  }

  std::mutex mu_;
  Config config_;
  std::shared_ptr<spdlog::sinks::sink> sink_;
  std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> loggers_;
};

StatusOr<Config> parseOptions(const LogOptions& options) {
  Config config;
  if (options.format == "json") {
    config.json = true;
  } else if (options.format != "text") {
    return invalidError("unknown log format \"" + options.format + "\" (want text or json)");
  }
  auto level = parseLevel(options.level);
  if (!level) return invalidError("unknown log level \"" + options.level + "\"");
  config.level = *level;
  std::string_view rest = options.moduleLevels;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view entry = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (entry.empty()) continue;
    size_t eq = entry.find('=');
    std::string_view module = trim(entry.substr(0, eq));
    if (eq == std::string_view::npos || module.empty()) {
      return invalidError("bad module log level \"" + std::string(entry) +
                          "\" (want module=level)");
    }
    std::string_view name = trim(entry.substr(eq + 1));
    auto module_level = parseLevel(name);
    if (!module_level) {
      return invalidError("unknown log level \"" + std::string(name) + "\" for module \"" +
                          std::string(module) + "\"");
    }
    config.module_levels[std::string(module)] = *module_level;
  }
  return config;
}

}  // namespace

Status setupLogging(const LogOptions& options) {
  ASSIGN_OR_RETURN(Config config, parseOptions(options));
  Registry::instance().configure(std::move(config));
  return Status::ok();
}

std::shared_ptr<spdlog::logger> logger(std::string_view module) {
  return Registry::instance().get(module);
}

void setLogSinkForTesting(std::shared_ptr<spdlog::sinks::sink> sink) {
  Registry::instance().setSink(std::move(sink));
}

}  // namespace serin::util
