#include "deploy/origin.hpp"

#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "base/sys.hpp"

namespace ot::deploy {

namespace {
constexpr std::string_view kTransient = "libostree-transient";
}

KeyFile origin_for_refspec(const std::string& refspec) {
  KeyFile origin;
  origin.set("origin", "refspec", refspec);
  return origin;
}

std::optional<std::string> origin_refspec(const KeyFile& origin) {
  return origin.get("origin", "refspec");
}

bool is_pinned(const Deployment& deployment) {
  if (!deployment.has_origin)
    return false;
  try {
    return deployment.origin.get_bool(kTransient, "pinned").value_or(false);
  } catch (const Error&) {
    return false;
  }
}

void set_pinned(KeyFile& origin, bool pinned) {
  // Unpinning leaves the group, even empty, as upstream does.
  if (pinned)
    origin.set(kTransient, "pinned", "true");
  else
    origin.remove_key(kTransient, "pinned");
}

KeyFile without_transient_state(KeyFile origin) {
  origin.remove_group(kTransient);
  return origin;
}

KeyFile without_comments(const KeyFile& origin) {
  KeyFile out;
  for (const std::string& group : origin.groups()) {
    const auto keys = origin.keys(group);
    if (keys.empty()) {  // an empty group stays
      out.set(group, "k", "");
      out.remove_key(group, "k");
    }
    for (const std::string& key : keys)
      if (auto value = origin.get(group, key))
        out.set(group, key, *value);
  }
  return out;
}

std::optional<KeyFile> read_origin(int sysroot_dfd, const Deployment& deployment) {
  const std::string path = deployment.origin_relpath();
  auto text = sys::read_file_at_opt(sysroot_dfd, path);
  if (!text)
    return std::nullopt;
  try {
    return KeyFile::parse(*text);
  } catch (const Error& e) {
    throw e.with_context("/" + path);
  }
}

void write_origin(int sysroot_dfd, const Deployment& deployment, const KeyFile& origin) {
  with_context("writing /" + deployment.origin_relpath(),
               [&] { write_file_atomic(sysroot_dfd, deployment.origin_relpath(), origin.serialize()); });
}

}  // namespace ot::deploy
