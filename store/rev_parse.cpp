#include "store/rev_parse.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "store/opendir.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ot::store {
namespace {

bool is_hex_lower(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// g_strchomp(): trailing ASCII whitespace goes.
void chomp(std::string& s) {
  while (!s.empty() && std::strchr(" \t\n\v\f\r", s.back()) != nullptr && s.back() != '\0') s.pop_back();
}

// The contents of a ref file as upstream reads them: the open follows
// symlinks (aliases), a missing file is "absent", and reading a directory is
// an error of its own that `refs --create` tells apart.
std::optional<std::string> read_ref_text(int dfd, const std::string& path, const std::string& ref) {
  auto fd = sys::open_at_opt(dfd, path, O_RDONLY);
  if (!fd) return std::nullopt;
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd->get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      throw Error("Couldn't open ref '" + ref + "': " + std::strerror(err), err);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  chomp(text);
  if (!is_checksum_string(text)) throw Error("Invalid rev " + text);
  return text;
}

// The first remote, in directory order, that has the ref.
std::optional<std::string> find_ref_in_remotes(const Repo& repo, const std::string& ref) {
  auto remotes = opendir_at(repo.dfd(), "refs/remotes");
  for (const auto& e : sys::list_dir(remotes.get())) {
    unsigned char type = e.type;
    if (type == DT_UNKNOWN) {
      const auto st = sys::stat_at(remotes.get(), e.name, AT_SYMLINK_NOFOLLOW);
      type = S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
    }
    if (type != DT_DIR) continue;
    auto remote = opendir_at(remotes.get(), e.name);
    if (auto text = read_ref_text(remote.get(), ref, ref)) return text;
  }
  return std::nullopt;
}

// resolve_refspec(): the ref file, or nullopt when there is none. A bare
// name missing from refs/heads is, with the fallback, looked for as
// "remote/ref" and then under every remote.
std::optional<Digest> resolve_refspec(const Repo& repo, const Refspec& spec,
                                      RemoteFallback fallback) {
  if (is_checksum_string(spec.ref)) return digest_from_hex(spec.ref);
  std::optional<std::string> text;
  if (spec.remote) {
    text = read_ref_text(repo.dfd(), "refs/remotes/" + *spec.remote + "/" + spec.ref, spec.ref);
  } else {
    text = read_ref_text(repo.dfd(), "refs/heads/" + spec.ref, spec.ref);
    if (!text && fallback == RemoteFallback::yes) {
      text = read_ref_text(repo.dfd(), "refs/remotes/" + spec.ref, spec.ref);
      if (!text) text = find_ref_in_remotes(repo, spec.ref);
    }
  }
  if (!text) return std::nullopt;
  return digest_from_hex(*text);
}

// A rev made only of lowercase hex digits (at most 64) is first looked up as
// a prefix of a commit checksum; nullopt means "no commit matches, treat it
// as a ref".
std::optional<Digest> resolve_partial_checksum(const Repo& repo, std::string_view rev) {
  size_t hex = 0;
  while (hex < rev.size() && is_hex_lower(rev[hex])) ++hex;
  if (hex > 64 || hex != rev.size()) return std::nullopt;
  auto matches = list_commit_objects_starting_with(repo, rev);
  if (matches.size() > 1) throw Error("Refspec " + std::string(rev) + " not unique");
  if (matches.empty()) return std::nullopt;
  return matches.front();
}

}  // namespace

bool is_checksum_string(std::string_view s) { return is_valid_checksum(s); }

bool is_valid_remote_name(std::string_view name) {
  return !name.empty() && name.find('/') == std::string_view::npos && is_valid_ref_name(name);
}

bool is_valid_collection_id(std::string_view id) {
  if (id.empty() || id.size() > 255) return false;
  auto initial = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  bool element_start = true;
  bool dotted = false;
  for (char c : id) {
    if (c == '.') {
      if (element_start) return false;
      element_start = true;
      dotted = true;
    } else if (element_start ? initial(c) : initial(c) || (c >= '0' && c <= '9')) {
      element_start = false;
    } else {
      return false;
    }
  }
  return dotted && !element_start;
}

Refspec parse_refspec_checked(std::string_view refspec) {
  const size_t colon = refspec.find(':');
  Refspec out;
  std::string_view ref = refspec;
  if (colon != std::string_view::npos) {
    const std::string_view remote = refspec.substr(0, colon);
    if (!is_valid_remote_name(remote)) throw Error("Invalid refspec " + std::string(refspec));
    out.remote = std::string(remote);
    ref = refspec.substr(colon + 1);
  }
  if (!is_valid_ref_name(ref)) throw Error("Invalid refspec " + std::string(refspec));
  out.ref = std::string(ref);
  return out;
}

std::optional<Digest> resolve_rev_ext(const Repo& repo, std::string_view rev, bool allow_noent,
                                      RemoteFallback fallback) {
  if (is_checksum_string(rev)) return digest_from_hex(rev);
  if (auto found = resolve_partial_checksum(repo, rev)) return found;

  if (rev.ends_with('^')) {
    const std::string base(rev.substr(0, rev.size() - 1));
    // The base is always resolved with the remote fallback, as upstream's
    // recursion goes through ostree_repo_resolve_rev.
    auto parent_of = resolve_rev_ext(repo, base, allow_noent, RemoteFallback::yes);
    if (!parent_of) return std::nullopt;
    const Commit commit = decode_commit(repo.load_metadata(ObjectType::commit, *parent_of));
    if (!commit.parent) throw Error("Commit " + digest_hex(*parent_of) + " has no parent");
    return commit.parent;
  }

  const Refspec spec = parse_refspec_checked(rev);
  auto found = resolve_refspec(repo, spec, fallback);
  if (!found && !allow_noent) {
    throw Error("Refspec '" + (spec.remote ? *spec.remote + ":" : std::string()) + spec.ref +
                    "' not found",
                ENOENT);
  }
  return found;
}

std::vector<Digest> list_commit_objects_starting_with(const Repo& repo, std::string_view prefix) {
  std::vector<Digest> out;
  constexpr std::string_view kSuffix = ".commit";
  auto scan = [&](const std::string& subdir) {
    auto dfd = sys::open_dir_opt(repo.objects_dfd(), subdir);
    if (!dfd) return;
    const std::string_view rest = prefix.size() > 2 ? prefix.substr(2) : std::string_view();
    for (const auto& e : sys::list_dir(dfd->get())) {
      std::string_view name = e.name;
      if (!name.ends_with(kSuffix)) continue;
      name.remove_suffix(kSuffix.size());
      if (!name.starts_with(rest)) continue;
      const std::string hex = subdir + std::string(name);
      if (is_checksum_string(hex)) out.push_back(digest_from_hex(hex));
    }
  };
  if (prefix.size() >= 2) {
    scan(std::string(prefix.substr(0, 2)));
    return out;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (char a : std::string_view(kHex, 16)) {
    if (!prefix.empty() && prefix[0] != a) continue;
    for (char b : std::string_view(kHex, 16)) scan(std::string{a, b});
  }
  return out;
}

}  // namespace ot::store
