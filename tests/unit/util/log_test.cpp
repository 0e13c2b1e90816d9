#include "serin/util/log.h"

#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>

namespace serin::util {
namespace {

class LogTest : public testing::Test {
 protected:
  void SetUp() override {
    setLogSinkForTesting(std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
  }
  void TearDown() override {
    setLogSinkForTesting(nullptr);
    ASSERT_TRUE(setupLogging(LogOptions{}).isOk());
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  std::ostringstream out_;
};

TEST_F(LogTest, TextLinesCarryUtcMillisecondsLevelModuleAndMessage) {
  ASSERT_TRUE(setupLogging(LogOptions{"text", "info", ""}).isOk());
  logger("kube")->info("watch restarted after {}s", 5);
  auto got = lines();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(std::regex_match(
      got[0],
      std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info  kube  watch restarted after 5s)")))
      << got[0];
}

TEST_F(LogTest, TextPadsShortNamesAndKeepsLongOnesWhole) {
  ASSERT_TRUE(setupLogging(LogOptions{"text", "debug", ""}).isOk());
  logger("runtime")->warn("slow");
  logger("x")->error("bad");
  auto got = lines();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_NE(got[0].find("Z warn  runtime slow"), std::string::npos) << got[0];
  EXPECT_NE(got[1].find("Z error x     bad"), std::string::npos) << got[1];
}

TEST_F(LogTest, JsonLinesAreOneObjectEachWithEscapedMessage) {
  ASSERT_TRUE(setupLogging(LogOptions{"json", "info", ""}).isOk());
  std::string tricky = "quote \" backslash \\ newline \n tab \t bell \x07 caf\xC3\xA9 bad \xFF end";
  logger("rollout")->info("{}", tricky);
  logger("rollout")->error("second");
  auto got = lines();
  ASSERT_EQ(got.size(), 2u);
  auto first = nlohmann::json::parse(got[0]);
  EXPECT_EQ(first["level"], "info");
  EXPECT_EQ(first["logger"], "rollout");
  EXPECT_EQ(first["msg"],
            "quote \" backslash \\ newline \n tab \t bell \x07 caf\xC3\xA9 bad "
            "\xEF\xBF\xBD end");
  EXPECT_TRUE(std::regex_match(first["ts"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  EXPECT_EQ(first.size(), 4u);
  EXPECT_EQ(nlohmann::json::parse(got[1])["level"], "error");
}

TEST_F(LogTest, LevelFiltersRecordsBelowIt) {
  ASSERT_TRUE(setupLogging(LogOptions{"text", "warn", ""}).isOk());
  logger("kube")->info("hidden");
  logger("kube")->debug("hidden");
  logger("kube")->warn("shown");
  auto got = lines();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NE(got[0].find("shown"), std::string::npos);
}

TEST_F(LogTest, ModuleLevelsOverrideTheDefaultPerModule) {
  ASSERT_TRUE(setupLogging(LogOptions{"text", "info", " kube = debug , runtime=error"}).isOk());
  logger("kube")->debug("kube-debug");
  logger("runtime")->warn("runtime-warn");
  logger("rollout")->debug("rollout-debug");
  logger("rollout")->info("rollout-info");
  auto text = out_.str();
  EXPECT_NE(text.find("kube-debug"), std::string::npos);
  EXPECT_EQ(text.find("runtime-warn"), std::string::npos);
  EXPECT_EQ(text.find("rollout-debug"), std::string::npos);
  EXPECT_NE(text.find("rollout-info"), std::string::npos);
}

TEST_F(LogTest, SetupReconfiguresLoggersCreatedBeforeIt) {
  auto early = logger("early");
  ASSERT_TRUE(setupLogging(LogOptions{"json", "error", ""}).isOk());
  early->warn("dropped");
  early->error("kept");
  auto got = lines();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(got[0])["msg"], "kept");
}

TEST_F(LogTest, ReturnsTheSameLoggerForAModuleFromEveryThread) {
  auto main_logger = logger("shared");
  std::vector<std::shared_ptr<spdlog::logger>> seen(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&seen, i] { seen[i] = logger("shared"); });
  }
  for (auto& t : threads) t.join();
  for (const auto& l : seen) EXPECT_EQ(l, main_logger);
  EXPECT_NE(logger("other"), main_logger);
}

struct BadOptions {
  LogOptions options;
  std::string named;
};

class SetupLoggingRejects : public testing::TestWithParam<BadOptions> {};

TEST_P(SetupLoggingRejects, AsInvalidNamingTheBadValue) {
  auto status = setupLogging(GetParam().options);
  ASSERT_FALSE(status.isOk());
  EXPECT_TRUE(status.is(StatusCode::kInvalid));
  EXPECT_NE(status.message().find(GetParam().named), std::string::npos) << status;
}

INSTANTIATE_TEST_SUITE_P(Table, SetupLoggingRejects,
                         testing::Values(BadOptions{{"xml", "info", ""}, "xml"},
                                         BadOptions{{"text", "verbose", ""}, "verbose"},
                                         BadOptions{{"text", "INFO", ""}, "INFO"},
                                         BadOptions{{"text", "info", "kube=loud"}, "loud"},
                                         BadOptions{{"text", "info", "kube"}, "kube"},
                                         BadOptions{{"text", "info", "=debug"}, "=debug"}));

TEST_F(LogTest, RejectedOptionsKeepThePreviousConfiguration) {
  ASSERT_TRUE(setupLogging(LogOptions{"json", "info", ""}).isOk());
  ASSERT_FALSE(setupLogging(LogOptions{"text", "nope", ""}).isOk());
  logger("kube")->info("still json");
  auto got = lines();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(got[0])["msg"], "still json");
}

}  // namespace
}  // namespace serin::util
