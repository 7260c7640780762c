#pragma once
// The .origin keyfile beside each deployment: where it came from
// ([origin] refspec=remote:ref) and what upgrade follows. Upstream keeps
// state that must not survive a redeploy (pinning) in [libostree-transient].
#include "base/keyfile.hpp"
#include "deploy/deployment.hpp"

#include <optional>
#include <string>

namespace ot::deploy {

// An origin following refspec, as `admin deploy REFSPEC` writes it.
KeyFile origin_for_refspec(const std::string& refspec);
// [origin] refspec, or nullopt (no origin, or another origin type).
std::optional<std::string> origin_refspec(const KeyFile& origin);

bool is_pinned(const Deployment& deployment);
// Sets or removes [libostree-transient] pinned (the group stays).
void set_pinned(KeyFile& origin, bool pinned);
// The origin without [libostree-transient]: what a new deployment inherits.
KeyFile without_transient_state(KeyFile origin);

// The origin without comments and blank lines: how upstream reads an
// --origin-file and copies an origin to pin it (GLib without
// G_KEY_FILE_KEEP_COMMENTS).
KeyFile without_comments(const KeyFile& origin);

// Reads the deployment's .origin from the sysroot; nullopt when absent.
// Throws ot::Error naming the file when it is not a valid keyfile.
std::optional<KeyFile> read_origin(int sysroot_dfd, const Deployment& deployment);
// Replaces the .origin atomically (fsynced).
void write_origin(int sysroot_dfd, const Deployment& deployment, const KeyFile& origin);

}  // namespace ot::deploy
