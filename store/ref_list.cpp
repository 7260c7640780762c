#include "store/ref_list.hpp"

#include "base/error.hpp"
#include "base/ghash_order.hpp"
#include "base/sys.hpp"
#include "store/opendir.hpp"
#include "store/rev_parse.hpp"

#include <dirent.h>

#include <cstring>
#include <functional>

namespace ot::store {
namespace {

// g_strchomp().
void chomp(std::string& s) {
  while (!s.empty() && std::strchr(" \t\n\v\f\r", s.back()) != nullptr && s.back() != '\0') s.pop_back();
}

// d_type, asking the filesystem when readdir does not say (as libglnx's
// next_dent_ensure_dtype does); symlinks stay symlinks.
unsigned char entry_type(int dfd, const sys::DirEntry& e) {
  if (e.type != DT_UNKNOWN) return e.type;
  const auto st = sys::stat_at(dfd, e.name, AT_SYMLINK_NOFOLLOW);
  if (S_ISDIR(st.st_mode)) return DT_DIR;
  if (S_ISLNK(st.st_mode)) return DT_LNK;
  if (S_ISREG(st.st_mode)) return DT_REG;
  return DT_UNKNOWN;
}

std::string read_ref_contents(int base_dfd, const std::string& path) {
  std::string text = sys::read_file_at(base_dfd, path);
  chomp(text);
  return text;
}

// The walk shared by both listings. Each found ref is reported with its path
// relative to base_dfd (what upstream keys the table by), in readdir order,
// which decides the table layout when hashes collide.
struct Walker {
  bool aliases_only = false;
  // (path relative to base, value) for ref files; aliases report their target.
  std::function<void(const std::string& path, std::string value)> on_ref;

  void walk(int base_dfd, std::string& base_path, int child_dfd, const std::string& dir) {
    auto fd = opendir_at(child_dfd, dir);
    for (const auto& e : sys::list_dir(fd.get())) {
      const size_t len = base_path.size();
      base_path += e.name;
      const unsigned char type = entry_type(fd.get(), e);
      if (type == DT_DIR) {
        base_path += '/';
        walk(base_dfd, base_path, fd.get(), e.name);
      } else if (aliases_only && type == DT_LNK) {
        std::string target = sys::readlink_at(base_dfd, base_path);
        // Aliases are stored relative to their own directory.
        size_t skip = 0;
        while (target.compare(skip, 3, "../") == 0) skip += 3;
        on_ref(base_path, target.substr(skip));
      } else if ((!aliases_only && type == DT_REG) || type == DT_LNK) {
        on_ref(base_path, read_ref_contents(base_dfd, base_path));
      }
      base_path.resize(len);
    }
  }
};

std::vector<std::pair<std::string, std::string>> list_refs_impl(const Repo& repo,
                                                                const std::optional<std::string>& prefix,
                                                                RefListOptions options) {
  GHashOrder<std::string> refs;
  std::optional<std::string> remote;
  Walker walker{.aliases_only = options.aliases_only, .on_ref = {}};
  // Aliases are keyed by their path alone, even under a remote, as upstream does.
  auto key_for = [&](const std::string& path) {
    return remote && !options.aliases_only ? *remote + ":" + path : path;
  };
  walker.on_ref = [&](const std::string& path, std::string value) {
    refs.insert(key_for(path), std::move(value));
  };

  if (prefix) {
    std::optional<std::string> ref_prefix;
    // "remote:" and "remote:." name all of a remote's refs; the refspec
    // parser would reject them.
    if (prefix->ends_with(':') || prefix->ends_with(":.")) {
      const std::string r = prefix->substr(0, prefix->rfind(':'));
      if (is_valid_remote_name(r)) {
        remote = r;
        ref_prefix.emplace(1, '.');
      }
    }
    if (!ref_prefix) {
      Refspec spec = parse_refspec_checked(*prefix);
      remote = std::move(spec.remote);
      ref_prefix = std::move(spec.ref);
    }
    const std::string prefix_path =
        !options.exclude_remotes && remote ? "refs/remotes/" + *remote + "/" : "refs/heads/";
    const std::string path = prefix_path + *ref_prefix;
    const auto st = sys::stat_at_opt(repo.dfd(), path, 0);
    if (!st) return {};
    if (S_ISDIR(st->st_mode)) {
      std::string base_path = options.cut_prefix ? std::string() : *ref_prefix + "/";
      auto base = opendir_at(repo.dfd(), options.cut_prefix ? path : prefix_path);
      walker.walk(base.get(), base_path, base.get(), options.cut_prefix ? "." : *ref_prefix);
    } else {
      auto base = opendir_at(repo.dfd(), prefix_path);
      refs.insert(key_for(*ref_prefix), read_ref_contents(base.get(), *ref_prefix));
    }
    return refs.entries();
  }

  {
    auto heads = opendir_at(repo.dfd(), "refs/heads");
    std::string base_path;
    walker.walk(heads.get(), base_path, heads.get(), ".");
  }
  if (!options.exclude_remotes) {
    auto remotes = opendir_at(repo.dfd(), "refs/remotes");
    for (const auto& e : sys::list_dir(remotes.get())) {
      if (entry_type(remotes.get(), e) != DT_DIR) continue;
      remote = e.name;
      auto rdfd = opendir_at(remotes.get(), e.name);
      std::string base_path;
      walker.walk(rdfd.get(), base_path, rdfd.get(), ".");
    }
  }
  return refs.entries();
}

// ostree_collection_ref_hash().
uint32_t collection_ref_hash(const std::string& collection_id, const std::string& ref) {
  return g_str_hash(collection_id) ^ g_str_hash(ref);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> list_refs_ordered(
    const Repo& repo, const std::optional<std::string>& prefix, RefListOptions options) {
  return with_context("Listing refs", [&] { return list_refs_impl(repo, prefix, options); });
}

namespace {

std::vector<std::pair<std::pair<std::string, std::string>, std::string>> list_collection_refs_impl(
    const Repo& repo, const std::optional<std::string>& match_collection_id, bool exclude_remotes) {
  if (match_collection_id && !is_valid_collection_id(*match_collection_id)) {
    throw Error("Invalid collection ID " + *match_collection_id);
  }
  // Keys are "collection\0ref" so equal pairs compare equal as strings.
  GHashOrder<std::pair<std::pair<std::string, std::string>, std::string>> refs;
  std::string collection;
  Walker walker{.aliases_only = false, .on_ref = [&](const std::string& path, std::string value) {
                  std::string key = collection + '\0' + path;
                  refs.insert(std::move(key), {{collection, path}, std::move(value)},
                              collection_ref_hash(collection, path));
                }};

  const auto main_collection = repo.config().get("core", "collection-id");
  if (main_collection && (!match_collection_id || *match_collection_id == *main_collection)) {
    collection = *main_collection;
    auto heads = opendir_at(repo.dfd(), "refs/heads");
    std::string base_path;
    walker.walk(heads.get(), base_path, heads.get(), ".");
  }

  for (const char* refs_dir : {"refs/mirrors", "refs/remotes"}) {
    const bool mirrors = std::string_view(refs_dir) == "refs/mirrors";
    if (!mirrors && exclude_remotes) continue;
    auto dir = sys::open_dir_opt(repo.dfd(), refs_dir);
    if (!dir) continue;
    for (const auto& e : sys::list_dir(dir->get())) {
      if (entry_type(dir->get(), e) != DT_DIR) continue;
      if (mirrors) {
        collection = e.name;
      } else {
        // Remotes count only when their config names a collection.
        auto id = repo.config().get("remote \"" + e.name + "\"", "collection-id");
        if (!id || id->empty()) continue;
        collection = *id;
      }
      if (match_collection_id && *match_collection_id != collection) continue;
      auto sub = opendir_at(dir->get(), e.name);
      std::string base_path;
      walker.walk(sub.get(), base_path, sub.get(), ".");
    }
  }

  std::vector<std::pair<std::pair<std::string, std::string>, std::string>> out;
  for (auto& [key, value] : refs.entries()) out.push_back(std::move(value));
  return out;
}

}  // namespace

std::vector<std::pair<std::pair<std::string, std::string>, std::string>> list_collection_refs_ordered(
    const Repo& repo, const std::optional<std::string>& match_collection_id, bool exclude_remotes) {
  return with_context("Listing refs",
                      [&] { return list_collection_refs_impl(repo, match_collection_id, exclude_remotes); });
}

}  // namespace ot::store
