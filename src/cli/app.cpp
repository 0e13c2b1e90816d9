#include "serin/cli/app.h"

#include <iostream>
#include <string>
#include <vector>

#include "serin/util/log.h"

#include "commands.h"

namespace serin::cli {
namespace {

Command rootCommand() {
  Command root;
  root.name = "serin";
  root.summary = "Serin: progressive delivery and GitOps for Kubernetes";
  root.usage = "serin <command> [flags]";
  root.subcommands.push_back(versionCommand());
  root.subcommands.push_back(manifestCommand());
  return root;
}

void globalFlags(FlagSet& flags) {
  flags.addString("log-level", '\0', "info", "Log level: trace, debug, info, warn, error");
  flags.addString("log-format", '\0', "text", "Log format: text or json");
  flags.addString("log-module-levels", '\0', "", "Per-module levels, e.g. kube=debug,runtime=warn");
}

// Applies the global flags before any command runs; a bad value is a usage error.
int configureLogging(const FlagSet& flags, std::ostream& err) {
  util::LogOptions options;
  options.format = flags.getString("log-format");
  options.level = flags.getString("log-level");
  options.moduleLevels = flags.getString("log-module-levels");
  if (Status s = util::setupLogging(options); !s.isOk()) {
    err << "Error: " << s.message() << "\n";
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return dispatch(rootCommand(), args, std::cout, std::cerr, globalFlags, configureLogging);
}

}  // namespace serin::cli
