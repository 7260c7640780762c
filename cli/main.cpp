// The `ostree` executable. Builtins register themselves (see command.hpp);
// everything else lives in the framework.
#include "cli/invocation.hpp"

int main(int argc, char** argv) { return ot::cli::run_main(argc, argv); }
