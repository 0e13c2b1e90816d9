// A small command-line framework for `serin`: subcommand trees, GNU-style flags and help.
//
// Every subcommand declares its flags; parsing is strict, because a typo in a flag of a
// controller must fail loudly rather than run with a default: an unknown flag, a missing value
// or a bad number is a usage error (exit code 2, message on stderr, no partial work).
//
// Accepted forms: `--name value`, `--name=value`, `-n value`, `-nvalue` for short flags,
// `--flag` / `--flag=false` for booleans, `--` ending flags. Flags may follow positionals, as
// kubectl allows (`serin rollouts get web -n prod`).
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "serin/util/status.h"

namespace serin::cli {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

class FlagSet {
 public:
  // Declarations. `shorthand` is '\0' for none. Declaring a name twice is a programming error.
  void addString(std::string name, char shorthand, std::string defaultValue, std::string help);
  void addBool(std::string name, char shorthand, std::string help);
  // Repeatable flag: every occurrence is kept (`--set a=1 --set b=2`).
  void addList(std::string name, char shorthand, std::string help);

  // Parses `args` (without the program and subcommand names). Invalid names the flag.
  Status parse(const std::vector<std::string>& args);

  std::string getString(std::string_view name) const;
  bool getBool(std::string_view name) const;
  std::vector<std::string> getList(std::string_view name) const;
  // Integer value of a string flag; Invalid naming the flag when it is not a number.
  StatusOr<long long> getInt(std::string_view name) const;
  // Whether the user gave the flag explicitly (as opposed to its default).
  bool wasSet(std::string_view name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

  // "  -n, --namespace string   Namespace (default "default")" lines, sorted by name.
  std::string usage() const;

 private:
  enum class Kind { kString, kBool, kList };
  struct Flag {
    std::string name;
    char shorthand = '\0';
    Kind kind = Kind::kString;
    std::string defaultValue;
    std::string help;
    std::vector<std::string> values;  // as given; empty when not set
  };

  Flag* find(std::string_view name);
  Flag* findShort(char shorthand);
  const Flag& lookup(std::string_view name) const;
  Status assign(Flag& flag, std::optional<std::string> inline_value,
                const std::vector<std::string>& args, std::size_t& i);

  std::map<std::string, Flag, std::less<>> flags_;
  std::vector<std::string> positionals_;
};

struct Command;

// What a running command sees: its parsed flags and the streams to write to (injectable so
// tests capture output).
struct Invocation {
  const FlagSet& flags;
  std::ostream& out;
  std::ostream& err;
  const Command& command;
};

struct Command {
  std::string name;
  std::string summary;      // one line for the parent's command list
  std::string usage;        // "serin rollouts get NAME [-n NS] [-w]"
  std::string description;  // optional longer help
  std::function<void(FlagSet&)> defineFlags;
  // Returns the exit code. Absent for pure command groups.
  std::function<int(const Invocation&)> run;
  std::vector<Command> subcommands;
  // Minimum/maximum number of positionals (max -1 = unlimited); checked before run.
  int minArgs = 0;
  int maxArgs = 0;
};

// Flags every command accepts (--log-level, --log-format); defined by the root.
using GlobalFlagsHook = std::function<void(FlagSet&)>;

// Finds the subcommand named by args, parses its flags (plus the globals), prints help for
// `--help`/`-h`/`help`, and runs it. Returns the exit code; usage errors print to `err` and
// return kExitUsage.
int dispatch(const Command& root, const std::vector<std::string>& args, std::ostream& out,
             std::ostream& err, const GlobalFlagsHook& globals = {},
             const std::function<int(const FlagSet&, std::ostream&)>& beforeRun = {});

// The help text of a command (usage, description, subcommands, flags).
std::string helpText(const Command& command, const std::string& path, const FlagSet& flags);

}  // namespace serin::cli
