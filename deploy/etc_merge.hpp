#pragma once
// The /etc of a new deployment: the new defaults (its usr/etc) with the
// administrator's changes to the previous deployment's /etc carried over.
// Like upstream, this is a merge of changes, not of file contents: a file
// the administrator changed is kept whole, whatever the new defaults did to
// it; files left alone follow the new defaults.
#include "deploy/etc_diff.hpp"
#include "deploy/tree_copy.hpp"

#include <string>

namespace ot::deploy {

// Creates new_deployment/etc: a copy of new_deployment/usr/etc with
// diff_etc(old_deployment_dfd) applied (removed paths deleted, modified and
// added ones copied from the old etc with their metadata). Built as etc.tmp,
// synced and renamed into place: on any error nothing named etc is left.
// Throws ot::Error "During /etc merge: ..." (e.g. when a changed file's path
// is a directory in the new defaults). Returns the changes applied, sorted.
EtcChanges merge_etc(int old_deployment_dfd, int new_deployment_dfd);
// The same, adding to stats how file content was copied.
EtcChanges merge_etc(int old_deployment_dfd, int new_deployment_dfd, CopyStats& stats);

// Before either builds etc, the tree is checked as upstream does: an empty
// etc/ beside usr/etc is dropped, a populated etc/ without usr/etc is moved
// to usr/etc (old trees), and a tree with both populated is refused.

// No previous deployment: new_deployment/etc = copy of new_deployment/usr/etc,
// built and landed the same way. Does nothing for a tree without usr/etc.
void copy_etc_defaults(int new_deployment_dfd);
void copy_etc_defaults(int new_deployment_dfd, CopyStats& stats);

// "Copying /etc changes: N modified, N removed, N added", upstream's message.
std::string etc_changes_message(const EtcChanges& changes);

}  // namespace ot::deploy
