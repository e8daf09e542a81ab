#pragma once

namespace personae {

/// Parses the command line and runs one subcommand. Returns the process exit status.
int run_cli(int argc, char** argv);

}  // namespace personae
