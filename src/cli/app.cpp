#include "serin/cli/app.h"

#include <cstdio>
#include <string_view>

#include "serin/version.h"

namespace serin::cli {

int run(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == "version") {
    std::printf("serin %s (commit %s)\n", kVersion, kGitCommit);
    return 0;
  }
  std::fprintf(stderr, "usage: serin <command>\n");
  return 2;
}

}  // namespace serin::cli
