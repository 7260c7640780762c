#pragma once
// Remotes: the `[remote "NAME"]` groups of the repo config, plus those of
// `<sysroot>/etc/ostree/remotes.d/*.conf` for a system repository. Groups are
// written key by key in the order upstream writes them, so a config edited
// by either tool reads the same.
#include "base/keyfile.hpp"
#include "store/repo.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ot::store::remote {

// Where remote definitions live besides the repo config.
struct RemotesLocation {
  // Directory of *.conf files read after the repo config (absolute or
  // relative to the cwd); nullopt for a plain repository.
  std::optional<std::string> remotes_d;
  // New remotes go to remotes_d/NAME.conf instead of the repo config (a
  // booted system's /etc, as upstream does for /ostree/repo).
  bool add_to_remotes_d = false;
};

struct Remote {
  std::string name;
  std::vector<std::pair<std::string, std::string>> options;  // unescaped, in file order
  std::optional<std::string> file;   // the remotes.d file it came from; nullopt: repo config

  std::optional<std::string> option(std::string_view key) const;
  // A boolean option; throws naming the remote when it is not a boolean.
  bool option_bool(std::string_view key, bool fallback) const;
  // "url" (possibly "mirrorlist=…"), or "metalink=…". Throws when unset.
  std::string url() const;
};

// The group name of a remote: `remote "NAME"`.
std::string remote_group(std::string_view name);
// Remote names: [A-Za-z0-9_][-._A-Za-z0-9_]*.
bool is_valid_remote_name(std::string_view name);

// Where remotes live for the repository at repo_path (absolute): with a
// sysroot (`--sysroot`), its etc/ostree/remotes.d is read too; the booted
// system's /ostree/repo also gets new remotes in /etc/ostree/remotes.d, as
// upstream does.
RemotesLocation remotes_location(const std::string& repo_path, const std::optional<std::string>& sysroot);

// Every remote, sorted by name. Throws if a name is defined twice.
std::vector<Remote> list_remotes(const Repo& repo, const RemotesLocation& where);
std::optional<Remote> find_remote(const Repo& repo, const RemotesLocation& where, std::string_view name);
// Throws `Remote "NAME" not found`.
Remote get_remote(const Repo& repo, const RemotesLocation& where, std::string_view name);

// One option for add_remote: a string, a boolean or a list.
struct RemoteOption {
  std::string key;
  std::variant<std::string, bool, std::vector<std::string>> value;
};

enum class IfExists { fail, skip, replace };

// Adds NAME with url (the "url" key, or "metalink" for a metalink= URL) and
// options, in order. Returns false when it existed
// and if_exists is skip.
bool add_remote(Repo& repo, const RemotesLocation& where, std::string_view name, std::string_view url,
                const std::vector<RemoteOption>& options, IfExists if_exists);

enum class IfMissing { fail, ignore };
// Removes the remote's group (or its whole remotes.d file, as upstream).
// Returns false when absent and if_missing is ignore.
bool delete_remote(Repo& repo, const RemotesLocation& where, std::string_view name, IfMissing if_missing);

}  // namespace ot::store::remote
