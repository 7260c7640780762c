#include "deploy/staged.hpp"

#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "base/sys.hpp"
#include "store/gvariant.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace ot::deploy {

namespace gv = store::gv;

namespace {

gv::Value entry(std::string key, gv::Value value) { return gv::dict_entry(gv::str(std::move(key)), gv::variant(std::move(value))); }

gv::Value serialize(const Deployment& d) {
  return gv::array("{sv}", {entry("name", gv::str(d.dirname())), entry("osname", gv::str(d.stateroot)),
                            entry("bootcsum", gv::str(d.bootcsum))});
}

const gv::Value* lookup(const gv::Value& dict, std::string_view key) {
  for (const gv::Value& e : dict.children())
    if (e[0].str() == key)
      return &e[1][0];
  return nullptr;
}

std::string require_string(const gv::Value& dict, std::string_view key) {
  const gv::Value* v = lookup(dict, key);
  if (!v || v->type != "s")
    throw Error("Missing key: " + std::string(key));
  return v->str();
}

Deployment deserialize(const gv::Value& dict) {
  if (dict.type != "a{sv}")
    throw Error("expected a{sv}, found " + dict.type);
  const std::string name = require_string(dict, "name");
  const auto parsed = parse_deploy_dirname(name);
  if (!parsed)
    throw Error("Invalid deployment name '" + name + "'");
  Deployment d;
  d.csum = parsed->csum;
  d.deployserial = parsed->deployserial;
  d.stateroot = require_string(dict, "osname");
  d.bootcsum = require_string(dict, "bootcsum");
  return d;
}

}  // namespace

void write_staged_state(const StagedState& state) {
  gv::Children entries{entry("target", serialize(state.target))};
  if (state.merge)
    entries.push_back(entry("merge-deployment", serialize(*state.merge)));
  if (state.kargs) {
    gv::Children args;
    for (const auto& k : *state.kargs)
      args.push_back(gv::str(k));
    entries.push_back(entry("kargs", gv::array("s", std::move(args))));
  }
  sys::mkdirs_at(AT_FDCWD, "/run/ostree", 0755);
  write_file_atomic(AT_FDCWD, kStagedStatePath, gv::encode(gv::array("{sv}", std::move(entries))));
}

std::optional<StagedState> read_staged_state() {
  auto data = sys::read_file_at_opt(AT_FDCWD, kStagedStatePath);
  if (!data)
    return std::nullopt;
  return with_context(kStagedStatePath, [&] {
    const gv::Value dict = gv::decode("a{sv}", *data);
    StagedState state;
    const gv::Value* target = lookup(dict, "target");
    if (!target)
      throw Error("Missing key: target");
    state.target = deserialize(*target);
    state.target.staged = true;
    if (const gv::Value* merge = lookup(dict, "merge-deployment"))
      state.merge = deserialize(*merge);
    if (const gv::Value* kargs = lookup(dict, "kargs"); kargs && kargs->type == "as") {
      state.kargs.emplace();
      for (const gv::Value& k : kargs->children())
        state.kargs->push_back(k.str());
    }
    return state;
  });
}

void remove_staged_state() {
  if (::unlink(kStagedStatePath) < 0 && errno != ENOENT)
    throw_errno("unlink", kStagedStatePath);
}

}  // namespace ot::deploy
