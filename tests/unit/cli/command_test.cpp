#include "serin/cli/command.h"

#include <sstream>

#include <gtest/gtest.h>

namespace serin::cli {
namespace {

Command testTree(std::string* seen) {
  Command get;
  get.name = "get";
  get.summary = "Show one rollout";
  get.usage = "serin rollouts get NAME [-n NS] [-w]";
  get.minArgs = 1;
  get.maxArgs = 1;
  get.defineFlags = [](FlagSet& f) {
    f.addString("namespace", 'n', "default", "Namespace");
    f.addBool("watch", 'w', "Watch for changes");
    f.addList("set", '\0', "Repeatable setting");
  };
  get.run = [seen](const Invocation& inv) {
    *seen = inv.flags.positionals()[0] + "@" + inv.flags.getString("namespace") +
            (inv.flags.getBool("watch") ? "+w" : "");
    for (const auto& s : inv.flags.getList("set")) *seen += "," + s;
    return kExitOk;
  };
  Command rollouts;
  rollouts.name = "rollouts";
  rollouts.summary = "Manage rollouts";
  rollouts.subcommands.push_back(get);
  Command root;
  root.name = "serin";
  root.subcommands.push_back(rollouts);
  return root;
}

struct Result {
  int code;
  std::string out;
  std::string err;
  std::string seen;
};

Result runArgs(const std::vector<std::string>& args) {
  Result r;
  std::ostringstream out, err;
  r.code = dispatch(testTree(&r.seen), args, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

TEST(CommandDispatchTest, RunsNestedSubcommandWithFlagsAfterPositionals) {
  Result r = runArgs({"rollouts", "get", "web", "-n", "prod", "--watch"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.seen, "web@prod+w");
}

TEST(CommandDispatchTest, AcceptsEqualsAndAttachedShortForms) {
  EXPECT_EQ(runArgs({"rollouts", "get", "--namespace=a", "web"}).seen, "web@a");
  EXPECT_EQ(runArgs({"rollouts", "get", "-nb", "web"}).seen, "web@b");
  EXPECT_EQ(runArgs({"rollouts", "get", "web", "--watch=false"}).seen, "web@default");
}

TEST(CommandDispatchTest, RepeatableFlagKeepsEveryValue) {
  EXPECT_EQ(runArgs({"rollouts", "get", "web", "--set", "a=1", "--set=b=2"}).seen,
            "web@default,a=1,b=2");
}

TEST(CommandDispatchTest, UnknownSubcommandIsUsageError) {
  Result r = runArgs({"rollouts", "frobnicate"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("unknown command \"frobnicate\" for \"serin rollouts\""), std::string::npos);
}

TEST(CommandDispatchTest, UnknownFlagIsUsageErrorAndNothingRuns) {
  Result r = runArgs({"rollouts", "get", "web", "--nope"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("unknown flag: --nope"), std::string::npos);
  EXPECT_TRUE(r.seen.empty());
}

TEST(CommandDispatchTest, MissingFlagValueIsUsageError) {
  Result r = runArgs({"rollouts", "get", "web", "-n"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("flag --namespace needs a value"), std::string::npos);
}

TEST(CommandDispatchTest, BadBooleanIsUsageError) {
  EXPECT_EQ(runArgs({"rollouts", "get", "web", "--watch=maybe"}).code, kExitUsage);
}

TEST(CommandDispatchTest, WrongArgumentCountIsUsageError) {
  EXPECT_EQ(runArgs({"rollouts", "get"}).code, kExitUsage);
  EXPECT_EQ(runArgs({"rollouts", "get", "a", "b"}).code, kExitUsage);
}

TEST(CommandDispatchTest, HelpPrintsUsageFlagsAndSubcommands) {
  Result group = runArgs({"rollouts", "--help"});
  EXPECT_EQ(group.code, kExitOk);
  EXPECT_NE(group.out.find("get   Show one rollout"), std::string::npos);
  Result leaf = runArgs({"rollouts", "get", "--help"});
  EXPECT_EQ(leaf.code, kExitOk);
  EXPECT_NE(leaf.out.find("serin rollouts get NAME [-n NS] [-w]"), std::string::npos);
  EXPECT_NE(leaf.out.find("-n, --namespace string"), std::string::npos);
  EXPECT_NE(leaf.out.find("(default \"default\")"), std::string::npos);
  EXPECT_TRUE(leaf.seen.empty());
}

TEST(CommandDispatchTest, GroupWithoutSubcommandIsUsageError) {
  EXPECT_EQ(runArgs({"rollouts"}).code, kExitUsage);
}

TEST(FlagSetTest, IntegerFlagRejectsNonNumbers) {
  FlagSet f;
  f.addString("replicas", 'r', "1", "Replicas");
  ASSERT_TRUE(f.parse({"--replicas", "3"}).isOk());
  EXPECT_EQ(*f.getInt("replicas"), 3);
  FlagSet g;
  g.addString("replicas", 'r', "1", "Replicas");
  ASSERT_TRUE(g.parse({"-r", "three"}).isOk());
  EXPECT_TRUE(g.getInt("replicas").status().is(StatusCode::kInvalid));
}

TEST(FlagSetTest, DoubleDashEndsFlags) {
  FlagSet f;
  f.addBool("watch", 'w', "Watch");
  ASSERT_TRUE(f.parse({"--", "-w", "x"}).isOk());
  EXPECT_FALSE(f.getBool("watch"));
  EXPECT_EQ(f.positionals(), (std::vector<std::string>{"-w", "x"}));
}

}  // namespace
}  // namespace serin::cli
