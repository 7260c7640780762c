// ostree remote: add, delete, list and inspect remotes.
#include "base/sys.hpp"
#include "cli/invocation.hpp"
#include "store/remote/pull.hpp"
#include "store/remote/remote_config.hpp"
#include "store/remote/remote_keyring.hpp"
#include "store/remote/summary.hpp"
#include "store/repo.hpp"
#include "store/sign/ed25519.hpp"

#include <fcntl.h>

#include <unistd.h>

#include <algorithm>

namespace ot::cli {
namespace {

namespace rs = ot::store::remote;

store::Repo open(Invocation& inv) {
  return inv.open_repo([](const std::string& p) { return store::Repo::open(AT_FDCWD, p); });
}

// add and delete take --repo and --sysroot after their own options; with
// --sysroot the repository is the sysroot's.
std::string repo_for(Invocation& inv, const std::optional<std::string>& repo,
                     const std::optional<std::string>& sysroot) {
  if (sysroot) return inv.resolve_repo(*sysroot + "/ostree/repo");
  return inv.resolve_repo(repo);
}

void report_imported(unsigned n, const std::string& remote) {
  print("Imported {} GPG key{} to remote \"{}\"\n", n, n == 1 ? "" : "s", remote);
}

void run_add(Invocation& inv) {
  std::vector<std::string> sets;
  bool no_gpg = false, no_sign = false, if_not_exists = false, force = false;
  std::optional<std::string> sign_verify, gpg_import, custom_backend, contenturl, collection_id, repo, sysroot;
  std::vector<std::string> sign_verify_list;
  auto args = inv.parse(
      "NAME [metalink=|mirrorlist=]URL [BRANCH...]",
      {texts("set", 0, sets, "Set config option KEY=VALUE for remote", "KEY=VALUE"),
       flag("no-gpg-verify", 0, no_gpg, "Disable GPG verification"),
       flag("no-sign-verify", 0, no_sign, "Disable signature verification"),
       texts("sign-verify", 0, sign_verify_list,
             "Verify signatures using KEYTYPE=inline:PUBKEY or KEYTYPE=file:/path/to/key",
             "KEYTYPE=[inline|file]:PUBKEY"),
       flag("if-not-exists", 0, if_not_exists, "Do nothing if the provided remote exists"),
       flag("force", 0, force, "Replace the provided remote if it exists"),
       path("gpg-import", 0, gpg_import, "Import GPG key from FILE", "FILE"),
       text("custom-backend", 0, custom_backend, "This remote has content not fetched via libostree", "NAME"),
       text("contenturl", 0, contenturl, "Use URL when fetching content", "URL"),
       text("collection-id", 0, collection_id,
            "Globally unique ID for this repository as an collection of refs for redistribution to other "
            "repositories",
            "COLLECTION-ID"),
       path("repo", 0, repo, "Path to OSTree repository (defaults to /sysroot/ostree/repo)", "PATH"),
       path("sysroot", 0, sysroot, "Use sysroot at PATH (overrides --repo)", "PATH")});
  auto path = repo_for(inv, repo, sysroot);
  if (args.size() < 2) inv.usage_error("NAME and URL must be specified");
  if (if_not_exists && force) inv.usage_error("Can only specify one of --if-not-exists and --force");
  if (no_sign && !sign_verify_list.empty()) throw Error("Cannot specify both --sign-verify and --no-sign-verify");

  // Keys in the order upstream writes them.
  std::vector<rs::RemoteOption> options;
  if (args.size() > 2) options.push_back({"branches", std::vector<std::string>(args.begin() + 2, args.end())});
  if (contenturl) options.push_back({"contenturl", *contenturl});
  if (custom_backend) options.push_back({"custom-backend", *custom_backend});
  for (const auto& kv : sets) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) throw Error("Missing '=' in KEY=VALUE for --set");
    options.push_back({kv.substr(0, eq), kv.substr(eq + 1)});
  }
  if (no_gpg) options.push_back({"gpg-verify", false});
  if (no_sign) options.push_back({"sign-verify", false});
  // --sign-verify=TYPE=inline:KEY / TYPE=file:PATH: the key option, then
  // the list of types to require.
  std::string sign_types;
  for (const auto& spec : sign_verify_list) {
    auto eq = spec.find('=');
    if (eq == std::string::npos) throw Error("Failed to parse KEYTYPE=[inline|file]:DATA in " + spec);
    auto type = spec.substr(0, eq);
    if (type != "ed25519") throw Error("Requested signature type is not implemented");
    auto rest = spec.substr(eq + 1);
    auto colon = rest.find(':');
    auto ref = rest.substr(0, colon);
    if (ref != "inline" && ref != "file") throw Error("Invalid key reference " + ref + ", expected inline|file");
    if (colon == std::string::npos) throw Error("Failed to parse KEYTYPE=[inline|file]:DATA in " + spec);
    auto data = rest.substr(colon + 1);
    if (ref == "inline") store::sign::parse_ed25519_public_key(data);  // refuse a bad key now, not at pull time
    options.push_back({"verification-" + type + (ref == "inline" ? "-key" : "-file"), data});
    if (sign_types.find(type) == std::string::npos) sign_types += (sign_types.empty() ? "" : ",") + type;
  }
  if (!sign_types.empty()) options.push_back({"sign-verify", sign_types});
  if (collection_id) options.push_back({"collection-id", *collection_id});

  auto r = inv.open_repo([](const std::string& p) { return store::Repo::open(AT_FDCWD, p); });
  auto where = rs::remotes_location(path, sysroot);
  rs::add_remote(r, where, args[0], args[1], options,
                 force ? rs::IfExists::replace : if_not_exists ? rs::IfExists::skip : rs::IfExists::fail);
  if (gpg_import) {
    auto keys = with_context("Error opening file " + *gpg_import, [&] { return sys::read_file_at(AT_FDCWD, *gpg_import); });
    report_imported(rs::import_remote_gpg_keys(r, where, args[0], keys, {}), args[0]);
  }
}

void run_gpg_import(Invocation& inv) {
  std::vector<std::string> keyrings;
  bool from_stdin = false;
  auto args = inv.parse("NAME [KEY-ID...]",
                        {paths("keyring", 'k', keyrings, "Import keys from a keyring file (repeatable)", "FILE"),
                         flag("stdin", 0, from_stdin, "Import keys from standard input")});
  auto r = open(inv);
  if (args.empty()) inv.usage_error("NAME must be specified");
  if (from_stdin && !keyrings.empty()) throw Error("--keyring and --stdin are mutually exclusive");
  std::optional<std::string> source;
  if (from_stdin) source = sys::read_all(STDIN_FILENO);
  for (const auto& k : keyrings) {
    auto bytes = with_context("Error opening file " + k, [&] { return sys::read_file_at(AT_FDCWD, k); });
    source = source.value_or("") + bytes;
  }
  std::vector<std::string> key_ids(args.begin() + 1, args.end());
  report_imported(
      rs::import_remote_gpg_keys(r, rs::remotes_location(inv.repo_path(), std::nullopt), args[0], source, key_ids),
      args[0]);
}

void run_delete(Invocation& inv) {
  bool if_exists = false;
  std::optional<std::string> repo, sysroot;
  auto args = inv.parse(
      "NAME", {flag("if-exists", 0, if_exists, "Do nothing if the provided remote does not exist"),
               path("repo", 0, repo, "Path to OSTree repository (defaults to /sysroot/ostree/repo)", "PATH"),
               path("sysroot", 0, sysroot, "Use sysroot at PATH (overrides --repo)", "PATH")});
  auto path = repo_for(inv, repo, sysroot);
  if (args.empty()) inv.usage_error("NAME must be specified");
  auto r = inv.open_repo([](const std::string& p) { return store::Repo::open(AT_FDCWD, p); });
  rs::delete_remote(r, rs::remotes_location(path, sysroot), args[0],
                    if_exists ? rs::IfMissing::ignore : rs::IfMissing::fail);
}

void run_show_url(Invocation& inv) {
  auto args = inv.parse("NAME");
  auto r = open(inv);
  if (args.empty()) inv.usage_error("NAME must be specified");
  print("{}\n", rs::get_remote(r, rs::remotes_location(inv.repo_path(), std::nullopt), args[0]).url());
}

void run_list(Invocation& inv) {
  bool show_urls = false;
  inv.parse("", {flag("show-urls", 'u', show_urls, "Show remote URLs in list")});
  auto r = open(inv);
  auto remotes = rs::list_remotes(r, rs::remotes_location(inv.repo_path(), std::nullopt));
  size_t width = 0;
  for (const auto& rem : remotes) width = std::max(width, rem.name.size());
  for (const auto& rem : remotes) {
    if (show_urls)
      print("{:<{}}  {}\n", rem.name, width, rem.option("url").value_or("(invalid)"));
    else
      print("{}\n", rem.name);
  }
}

std::string summary_of(Invocation& inv, const store::Repo& r, const std::string& name) {
  auto bytes = rs::fetch_remote_summary(r, rs::remotes_location(inv.repo_path(), std::nullopt), name);
  if (!bytes) throw Error("Remote refs not available; server has no summary file");
  return std::move(*bytes);
}

void run_refs(Invocation& inv) {
  std::optional<std::string> cache_dir;
  auto args = inv.parse("NAME", {path("cache-dir", 0, cache_dir, "Use custom cache dir", "")});
  auto r = open(inv);
  if (args.empty()) inv.usage_error("NAME must be specified");
  auto summary = rs::parse_summary(summary_of(inv, r, args[0]));
  for (const auto& ref : summary.refs) print("{}:{}\n", args[0], ref.name);
}

void run_summary(Invocation& inv) {
  std::optional<std::string> cache_dir;
  bool raw = false;
  auto args = inv.parse("NAME", {path("cache-dir", 0, cache_dir, "Use custom cache dir", ""),
                                 flag("raw", 0, raw, "Show raw variant data")});
  auto r = open(inv);
  if (args.empty()) inv.usage_error("NAME must be specified");
  auto bytes = summary_of(inv, r, args[0]);
  print(raw ? rs::format_summary_raw(bytes) : rs::format_summary_view(bytes));
}

void run_group(Invocation& inv) { inv.dispatch(); }

const Registrar group{{.name = "remote",
                       .description = "Remote commands that may involve internet access",
                       .run = run_group,
                       .flags = CommandFlags::no_repo}};
const Registrar add{{.group = "remote", .name = "add", .description = "Add a remote repository",
                     .run = run_add, .flags = CommandFlags::no_repo}};
const Registrar del{{.group = "remote", .name = "delete", .description = "Delete a remote repository",
                     .run = run_delete, .flags = CommandFlags::no_repo}};
const Registrar show_url{{.group = "remote", .name = "show-url", .description = "Show remote repository URL",
                          .run = run_show_url}};
const Registrar list{{.group = "remote", .name = "list", .description = "List remote repository names",
                      .run = run_list}};
const Registrar gpg_import{{.group = "remote", .name = "gpg-import", .description = "Import GPG keys",
                            .run = run_gpg_import}};
const Registrar refs{{.group = "remote", .name = "refs", .description = "List remote refs", .run = run_refs}};
const Registrar summary{{.group = "remote", .name = "summary", .description = "Show remote summary",
                         .run = run_summary}};

}  // namespace
}  // namespace ot::cli
