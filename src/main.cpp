#include "serin/cli/app.h"

int main(int argc, char** argv) { return serin::cli::run(argc, argv); }
