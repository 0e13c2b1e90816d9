#include "serin/cli/app.h"

#include <iostream>
#include <string>
#include <vector>

#include "commands.h"

namespace serin::cli {
namespace {

Command rootCommand() {
  Command root;
  root.name = "serin";
  root.summary = "Serin: progressive delivery and GitOps for Kubernetes";
  root.usage = "serin <command> [flags]";
  root.subcommands.push_back(versionCommand());
  return root;
}

void globalFlags(FlagSet& flags) {
  flags.addString("log-level", '\0', "info", "Log level: trace, debug, info, warn, error");
  flags.addString("log-format", '\0', "text", "Log format: text or json");
}

}  // namespace

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return dispatch(rootCommand(), args, std::cout, std::cerr, globalFlags);
}

}  // namespace serin::cli
