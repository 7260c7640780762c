#pragma once
// Crash testing. With OT_FAULT_AT=N in the environment, the Nth call of
// fault_point() in the process kills it with SIGKILL, as a power cut or an
// OOM kill would stop it between two steps. Multi-step updates (a deploy,
// a boot configuration swap) call it between their steps, so a test can
// stop them at every point in turn and check what is left. Unset, it costs
// one load and a branch.
namespace ot {

void fault_point(const char* what);

// How many fault points this process has passed (for OT_FAULT_TRACE=1).
int fault_points_passed();

}  // namespace ot
