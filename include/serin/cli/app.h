// The `serin` command line: dispatches subcommands (version, cluster, controller, rollouts ...).
#pragma once

namespace serin::cli {

// Runs the command line; returns the process exit code (0 ok, 1 failure, 2 usage error).
int run(int argc, char** argv);

}  // namespace serin::cli
