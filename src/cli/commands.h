// The subcommands of `serin`, one factory per file in src/cli/. Private to the cli module.
#pragma once

#include "serin/cli/command.h"

namespace serin::cli {

Command versionCommand();
Command manifestCommand();

}  // namespace serin::cli
