#include <ostream>

#include <nlohmann/json.hpp>

#include "serin/version.h"

#include "commands.h"

namespace serin::cli {

Command versionCommand() {
  Command cmd;
  cmd.name = "version";
  cmd.summary = "Print the version of serin";
  cmd.usage = "serin version [-o json]";
  cmd.defineFlags = [](FlagSet& f) { f.addString("output", 'o', "", "Output format: json"); };
  cmd.run = [](const Invocation& inv) {
    std::string format = inv.flags.getString("output");
    if (format == "json") {
      nlohmann::json j = {{"version", kVersion}, {"gitCommit", kGitCommit}};
      inv.out << j.dump(2) << "\n";
      return kExitOk;
    }
    if (!format.empty()) {
      inv.err << "Error: unknown output format \"" << format << "\" (want json)\n";
      return kExitUsage;
    }
    inv.out << "serin " << kVersion << " (commit " << kGitCommit << ")\n";
    return kExitOk;
  };
  return cmd;
}

}  // namespace serin::cli
