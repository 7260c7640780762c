#include "store/remote/remote_config.hpp"

#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "base/sys.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <fcntl.h>

namespace ot::store::remote {
namespace {

constexpr std::string_view kGroupPrefix = "remote \"";

std::optional<std::string> name_of_group(std::string_view group) {
  if (group.size() < kGroupPrefix.size() + 1 || !group.starts_with(kGroupPrefix) || group.back() != '"')
    return std::nullopt;
  return std::string(group.substr(kGroupPrefix.size(), group.size() - kGroupPrefix.size() - 1));
}

void collect(const KeyFile& kf, const std::optional<std::string>& file, std::vector<Remote>& out) {
  for (const auto& group : kf.groups()) {
    auto name = name_of_group(group);
    if (!name) continue;
    Remote r;
    r.name = *name;
    r.file = file;
    for (const auto& key : kf.keys(group)) r.options.emplace_back(key, *kf.get(group, key));
    for (const auto& existing : out)
      if (existing.name == r.name)
        throw Error("Multiple specifications found for remote \"" + r.name + "\"");
    out.push_back(std::move(r));
  }
}

// *.conf files of the remotes.d directory, by name.
std::vector<std::string> conf_files(const std::string& dir) {
  std::vector<std::string> out;
  auto dfd = sys::open_dir_opt(AT_FDCWD, dir);
  if (!dfd) return out;
  for (const auto& e : sys::list_dir(dfd->get()))
    if (e.name.size() > 5 && e.name.ends_with(".conf")) out.push_back(dir + "/" + e.name);
  std::sort(out.begin(), out.end());
  return out;
}

std::string value_text(const RemoteOption& opt) {
  if (auto* s = std::get_if<std::string>(&opt.value)) return *s;
  if (auto* b = std::get_if<bool>(&opt.value)) return *b ? "true" : "false";
  std::string joined;
  // GKeyFile lists end with the separator.
  for (const auto& item : std::get<std::vector<std::string>>(opt.value)) joined += item + ";";
  return joined;
}

void fill_group(KeyFile& kf, std::string_view name, std::string_view url,
                const std::vector<RemoteOption>& options) {
  auto group = remote_group(name);
  // Upstream gives metalinks their own key; a mirrorlist stays in url.
  std::string_view key = "url";
  if (url.starts_with("metalink=")) {
    key = "metalink";
    url.remove_prefix(9);
  }
  kf.set(group, key, url);
  for (const auto& opt : options) kf.set(group, opt.key, value_text(opt));
}

}  // namespace

std::optional<std::string> Remote::option(std::string_view key) const {
  for (const auto& [k, v] : options)
    if (k == key) return v;
  return std::nullopt;
}

bool Remote::option_bool(std::string_view key, bool fallback) const {
  auto v = option(key);
  if (!v) return fallback;
  if (*v == "true" || *v == "1") return true;
  if (*v == "false" || *v == "0") return false;
  throw Error("Remote \"" + name + "\": option " + std::string(key) + " is not a boolean: " + *v);
}

std::string Remote::url() const {
  if (auto u = option("url")) return *u;
  if (auto m = option("metalink")) return "metalink=" + *m;
  throw Error("No \"url\" option in remote \"" + name + "\"");
}

std::string remote_group(std::string_view name) { return std::string(kGroupPrefix) + std::string(name) + "\""; }

bool is_valid_remote_name(std::string_view name) {
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (name.empty() || !word(name[0])) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return word(c) || c == '-' || c == '.'; });
}

RemotesLocation remotes_location(const std::string& repo_path, const std::optional<std::string>& sysroot) {
  RemotesLocation where;
  if (sysroot) {
    where.remotes_d = (*sysroot == "/" ? std::string() : *sysroot) + "/etc/ostree/remotes.d";
    return where;
  }
  char* real = ::realpath(repo_path.c_str(), nullptr);
  std::string resolved = real ? real : repo_path;
  ::free(real);
  if (resolved == "/ostree/repo" || resolved == "/sysroot/ostree/repo") {
    where.remotes_d = "/etc/ostree/remotes.d";
    where.add_to_remotes_d = true;
  }
  return where;
}

std::vector<Remote> list_remotes(const Repo& repo, const RemotesLocation& where) {
  std::vector<Remote> out;
  collect(repo.config(), std::nullopt, out);
  if (where.remotes_d) {
    for (const auto& path : conf_files(*where.remotes_d)) {
      auto kf = with_context(path, [&] { return KeyFile::parse(sys::read_file_at(AT_FDCWD, path)); });
      collect(kf, path, out);
    }
  }
  std::sort(out.begin(), out.end(), [](const Remote& a, const Remote& b) { return a.name < b.name; });
  return out;
}

std::optional<Remote> find_remote(const Repo& repo, const RemotesLocation& where, std::string_view name) {
  for (auto& r : list_remotes(repo, where))
    if (r.name == name) return std::move(r);
  return std::nullopt;
}

Remote get_remote(const Repo& repo, const RemotesLocation& where, std::string_view name) {
  auto r = find_remote(repo, where, name);
  if (!r) throw Error("Remote \"" + std::string(name) + "\" not found", ENOENT);
  return std::move(*r);
}

bool add_remote(Repo& repo, const RemotesLocation& where, std::string_view name, std::string_view url,
                const std::vector<RemoteOption>& options, IfExists if_exists) {
  if (!is_valid_remote_name(name)) throw Error("Invalid remote name " + std::string(name));
  auto existing = find_remote(repo, where, name);
  if (existing) {
    if (if_exists == IfExists::skip) return false;
    if (if_exists == IfExists::fail)
      throw Error("Remote configuration for \"" + std::string(name) + "\" already exists: " +
                  (existing->file ? *existing->file : std::string("(in config)")));
    // Replace in place: the file (or config) that defines it gets the new group.
    if (existing->file) {
      auto kf = KeyFile::parse(sys::read_file_at(AT_FDCWD, *existing->file));
      kf.remove_group(remote_group(name));
      fill_group(kf, name, url, options);
      write_file_atomic(AT_FDCWD, *existing->file, kf.serialize());
      return true;
    }
    KeyFile kf = repo.config();
    kf.remove_group(remote_group(name));
    fill_group(kf, name, url, options);
    repo.write_config(kf);
    return true;
  }
  if (where.add_to_remotes_d && where.remotes_d) {
    KeyFile kf;
    fill_group(kf, name, url, options);
    sys::mkdirs_at(AT_FDCWD, *where.remotes_d, 0755);
    write_file_atomic(AT_FDCWD, *where.remotes_d + "/" + std::string(name) + ".conf", kf.serialize());
    return true;
  }
  KeyFile kf = repo.config();
  fill_group(kf, name, url, options);
  repo.write_config(kf);
  return true;
}

bool delete_remote(Repo& repo, const RemotesLocation& where, std::string_view name, IfMissing if_missing) {
  if (!is_valid_remote_name(name)) throw Error("Invalid remote name " + std::string(name));
  auto existing = find_remote(repo, where, name);
  if (!existing) {
    if (if_missing == IfMissing::ignore) return false;
    throw Error("Remote \"" + std::string(name) + "\" not found", ENOENT);
  }
  if (existing->file) {
    sys::unlink_at(AT_FDCWD, *existing->file);
    return true;
  }
  KeyFile kf = repo.config();
  kf.remove_group(remote_group(name));
  repo.write_config(kf);
  return true;
}

}  // namespace ot::store::remote
