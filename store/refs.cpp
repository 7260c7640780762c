#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/unicode_word.hpp"
#include "store/repo.hpp"
#include "store/rev_parse.hpp"

#include <algorithm>
#include <cctype>

namespace ot::store {
namespace {


// refs/heads/<ref>, or refs/remotes/<remote>/<ref>.
std::string ref_path(const std::string& remote, const std::string& ref) {
  return remote.empty() ? "refs/heads/" + ref : "refs/remotes/" + remote + "/" + ref;
}

std::optional<Digest> read_ref_file(int dfd, const std::string& path) {
  auto st = sys::stat_at_opt(dfd, path, 0);
  if (!st || !S_ISREG(st->st_mode)) return std::nullopt;
  auto text = sys::read_file_at(dfd, path);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (!is_valid_checksum(text)) throw Error("Invalid checksum in ref file " + path + ": '" + text + "'");
  return digest_from_hex(text);
}

void walk_refs(int dfd, const std::string& dir, const std::string& prefix,
               std::vector<std::pair<std::string, std::string>>& out) {
  auto fd = sys::open_dir_opt(dfd, dir, sys::FollowLinks::no);
  if (!fd) return;
  for (auto& e : sys::list_dir(fd->get())) {
    std::string rel = prefix.empty() ? e.name : prefix + "/" + e.name;
    auto st = sys::stat_at(fd->get(), e.name);
    if (S_ISDIR(st.st_mode))
      walk_refs(dfd, dir + "/" + e.name, rel, out);  // paths stay relative to the repo
    else if (S_ISREG(st.st_mode))
      out.emplace_back(rel, dir + "/" + e.name);
  }
}

}  // namespace

// Upstream matches refs against [\w\d][-._\w\d]*(/[\w\d][-._\w\d]*)* with
// GRegex, whose \w takes Unicode letters and digits too.
bool is_valid_ref_name(std::string_view name) {
  bool component_start = true;
  for (size_t i = 0; i < name.size();) {
    const auto c = next_utf8_char(name, i);
    if (!c) return false;
    if (*c == '/') {
      if (component_start) return false;
      component_start = true;
    } else if (is_unicode_word_char(*c)) {
      component_start = false;
    } else if (*c == '-' || *c == '.') {
      if (component_start) return false;
    } else {
      return false;
    }
  }
  return !component_start;
}

std::pair<std::string, std::string> parse_refspec(const std::string& refspec) {
  auto colon = refspec.find(':');
  if (colon == std::string::npos) return {"", refspec};
  return {refspec.substr(0, colon), refspec.substr(colon + 1)};
}

// Resolution follows upstream exactly (partial checksums, "^" parents, the
// remote and mirror fallback, its error messages); see rev_parse.hpp.
std::optional<Digest> Repo::resolve_rev_opt(const std::string& rev) const {
  return resolve_rev_ext(*this, rev, /*allow_noent=*/true, RemoteFallback::yes);
}

Digest Repo::resolve_rev(const std::string& rev) const {
  return *resolve_rev_ext(*this, rev, /*allow_noent=*/false, RemoteFallback::yes);
}

std::vector<std::pair<std::string, Digest>> Repo::list_refs(const std::string& prefix) const {
  std::vector<std::pair<std::string, std::string>> files;
  walk_refs(dfd(), "refs/heads", "", files);
  std::vector<std::pair<std::string, std::string>> remote_files;
  walk_refs(dfd(), "refs/remotes", "", remote_files);
  for (auto& [rel, path] : remote_files) {
    auto slash = rel.find('/');
    if (slash == std::string::npos) continue;
    files.emplace_back(rel.substr(0, slash) + ":" + rel.substr(slash + 1), path);
  }
  std::vector<std::pair<std::string, Digest>> out;
  for (auto& [name, path] : files) {
    if (!prefix.empty() && name.compare(0, prefix.size(), prefix) != 0) continue;
    if (auto d = read_ref_file(dfd(), path)) out.emplace_back(name, *d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void Repo::set_ref(const std::string& refspec, const Digest& csum) {
  auto [remote, ref] = parse_refspec(refspec);
  if (!is_valid_ref_name(ref) || (!remote.empty() && !is_valid_ref_name(remote)))
    throw Error("Invalid ref name " + refspec);
  std::string path = ref_path(remote, ref);
  auto slash = path.find_last_of('/');
  sys::mkdirs_at(dfd(), path.substr(0, slash), 0755);
  write_file_atomic(dfd(), path, digest_hex(csum) + "\n", 0644,
                    fsync_enabled() ? Durability::fsync : Durability::nosync);
}

bool Repo::delete_ref(const std::string& refspec) {
  auto [remote, ref] = parse_refspec(refspec);
  if (!is_valid_ref_name(ref)) throw Error("Invalid ref name " + refspec);
  return sys::unlink_at_opt(dfd(), ref_path(remote, ref));
}

}  // namespace ot::store
