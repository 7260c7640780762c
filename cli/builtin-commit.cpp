// ostree commit: store a directory tree (or layers of them) as a new commit.
#include "base/datetime.hpp"
#include "base/sys.hpp"
#include "cli/invocation.hpp"
#include "store/commit.hpp"
#include "store/sign/signatures.hpp"

#include <fcntl.h>

namespace ot::cli {
namespace {

std::pair<std::string, std::string> split_key_value(const std::string& arg) {
  auto eq = arg.find('=');
  if (eq == std::string::npos) throw Error("Missing '=' in KEY=VALUE metadata '" + arg + "'");
  return {arg.substr(0, eq), arg.substr(eq + 1)};
}

uint32_t parse_id(const std::string& text, const char* what) {
  char* end = nullptr;
  unsigned long v = std::strtoul(text.c_str(), &end, 10);
  if (text.empty() || *end || v > 0xffffffffu) throw Error(std::string("Invalid ") + what + " '" + text + "'");
  return static_cast<uint32_t>(v);
}

void run(Invocation& inv) {
  std::optional<std::string> parent, subject, body, body_file, branch, base, owner_uid, owner_gid,
      timestamp, fsync_policy, statoverride, skip_list, gpg_homedir, sign_type;
  std::vector<std::string> gpg_key_ids, sign_keys;
  std::vector<std::string> trees, meta_strings, meta_values, keep_meta, detached_strings, bind_refs;
  bool orphan = false, no_bindings = false, canonical = false, ro_exec = false, no_xattrs = false,
       link_speedup = false, devino = false, skip_unchanged = false, consume = false, table = false,
       editor = false;
  auto args = inv.parse(
      "[PATH]",
      {text("parent", 0, parent, "Parent commit checksum, or \"none\"", "COMMIT"),
       text("subject", 's', subject, "One line subject", "SUBJECT"),
       text("body", 'm', body, "Full description", "BODY"),
       path("body-file", 'F', body_file, "Commit message from FILE path", "FILE"),
       flag("editor", 'e', editor, "Use an editor to write the commit message"),
       text("branch", 'b', branch, "Branch", "BRANCH"),
       flag("orphan", 0, orphan, "Create a commit without writing a ref"),
       flag("no-bindings", 0, no_bindings, "Do not write any ref bindings"),
       texts("bind-ref", 0, bind_refs, "Add a ref to ref binding commit metadata", "BRANCH"),
       text("base", 0, base, "Start from the given commit as a base (no modifiers apply)", "REV"),
       texts("tree", 0, trees, "Overlay the given argument as a tree", "dir=PATH or tar=TARFILE or ref=COMMIT"),
       texts("add-metadata-string", 0, meta_strings, "Add a key/value pair to metadata", "KEY=VALUE"),
       texts("add-metadata", 0, meta_values,
             "Add a key/value pair to metadata, where the KEY is a string, and VALUE is in GVariant Text Format",
             "KEY=VALUE"),
       texts("keep-metadata", 0, keep_meta, "Keep metadata KEY and its associated VALUE from parent", "KEY"),
       texts("add-detached-metadata-string", 0, detached_strings, "Add a key/value pair to detached metadata",
             "KEY=VALUE"),
       text("owner-uid", 0, owner_uid, "Set file ownership user id", "UID"),
       text("owner-gid", 0, owner_gid, "Set file ownership group id", "GID"),
       flag("canonical-permissions", 0, canonical,
            "Canonicalize permissions in the same way bare-user does for hardlinked files"),
       flag("mode-ro-executables", 0, ro_exec, "Ensure executable files are not writable"),
       flag("no-xattrs", 0, no_xattrs, "Do not import extended attributes"),
       flag("link-checkout-speedup", 0, link_speedup,
            "Optimize for commits of trees composed of hardlinks into the repository"),
       flag("devino-canonical", 'I', devino,
            "Assume hardlinked objects are unmodified.  Implies --link-checkout-speedup"),
       flag("skip-if-unchanged", 0, skip_unchanged, "If the contents are unchanged from previous commit, do nothing"),
       path("statoverride", 0, statoverride, "File containing list of modifications to make to permissions", "PATH"),
       path("skip-list", 0, skip_list, "File containing list of files to skip", "PATH"),
       flag("consume", 0, consume, "Consume (delete) content after commit (for local directories)"),
       flag("table-output", 0, table, "Output more information in a KEY: VALUE format"),
       texts("gpg-sign", 0, gpg_key_ids, "GPG Key ID to sign the commit with", "KEY-ID"),
       path("gpg-homedir", 0, gpg_homedir, "GPG Homedir to use when looking for keyrings", "HOMEDIR"),
       texts("sign", 0, sign_keys, "Sign the commit with", "KEY_ID"),
       text("sign-type", 0, sign_type, "Signature type to use (defaults to 'ed25519')", "NAME"),
       text("fsync", 0, fsync_policy, "Specify how to invoke fsync()", "POLICY"),
       text("timestamp", 0, timestamp, "Override the timestamp of the commit", "TIMESTAMP")});
  auto repo = inv.open_repo([](const std::string& p) { return store::Repo::open(AT_FDCWD, p); });

  if (editor) throw Error("--editor is not supported; use -s/-m or -F");
  if (statoverride || skip_list) throw Error("--statoverride and --skip-list are not supported yet");

  store::CommitRequest req;
  req.branch = branch;
  req.orphan = orphan;
  req.parent = parent;
  if (base) req.trees.push_back({store::TreeSource::Kind::ref, *base});
  for (auto& t : trees) {
    if (t.rfind("dir=", 0) == 0)
      req.trees.push_back({store::TreeSource::Kind::dir, t.substr(4)});
    else if (t.rfind("ref=", 0) == 0)
      req.trees.push_back({store::TreeSource::Kind::ref, t.substr(4)});
    else if (t.rfind("tar=", 0) == 0)
      throw Error("--tree=tar= is not supported yet");
    else
      throw Error("Invalid --tree argument '" + t + "': expected dir=PATH, tar=TARFILE or ref=COMMIT");
  }
  if (args.size() > 1) throw Error("Too many arguments");
  if (!args.empty()) req.trees.push_back({store::TreeSource::Kind::dir, args[0]});
  if (req.trees.empty()) req.trees.push_back({store::TreeSource::Kind::dir, "."});
  if (!branch && !orphan) throw Error("A branch must be specified with --branch, or use --orphan");

  req.subject = subject.value_or("");
  req.body = body.value_or("");
  if (body_file) req.body = sys::read_file_at(AT_FDCWD, *body_file);
  if (timestamp) {
    auto ts = parse_timestamp(*timestamp);
    if (!ts) throw Error("Could not parse '" + *timestamp + "'");
    req.timestamp = static_cast<uint64_t>(*ts);
  }
  for (auto& s : meta_strings) req.metadata_strings.push_back(split_key_value(s));
  for (auto& s : meta_values) {
    auto [k, v] = split_key_value(s);
    req.metadata_values.emplace_back(k, store::gv::parse_text(v));
  }
  req.keep_metadata = keep_meta;
  for (auto& s : detached_strings) req.detached_metadata_strings.push_back(split_key_value(s));
  req.no_bindings = no_bindings;
  req.bind_refs = bind_refs;
  if (owner_uid) req.modifiers.owner_uid = parse_id(*owner_uid, "uid");
  if (owner_gid) req.modifiers.owner_gid = parse_id(*owner_gid, "gid");
  req.modifiers.canonical_permissions = canonical;
  req.modifiers.no_xattrs = no_xattrs;
  req.modifiers.mode_ro_executables = ro_exec;
  req.modifiers.link_checkout_speedup = link_speedup || devino;
  req.skip_if_unchanged = skip_unchanged;
  req.consume = consume;
  if (fsync_policy) {
    if (*fsync_policy == "false" || *fsync_policy == "none") repo.set_fsync(false);
    else if (*fsync_policy != "true" && *fsync_policy != "default") throw Error("Invalid fsync policy '" + *fsync_policy + "'");
  }

  // Keys are checked before the commit exists, so a bad one leaves no
  // unsigned commit behind a moved branch.
  std::vector<store::sign::Ed25519SecretKey> ed25519_keys;
  if (!sign_keys.empty() && sign_type.value_or("ed25519") != "ed25519")
    throw Error("Requested signature type is not implemented");
  for (const auto& k : sign_keys) ed25519_keys.push_back(store::sign::parse_ed25519_secret_key(k));
  for (const auto& id : gpg_key_ids) store::sign::gpg_check_secret_key(id, gpg_homedir);

  auto result = store::commit(repo, req);
  if (!result.unchanged) {
    if (!ed25519_keys.empty()) store::sign::ed25519_sign_commit(repo, result.commit, ed25519_keys);
    if (!gpg_key_ids.empty()) store::sign::gpg_sign_commit(repo, result.commit, gpg_key_ids, gpg_homedir);
  }
  if (table) {
    print(fmt::format("Commit: {}\n", store::digest_hex(result.commit)));
  } else {
    print(store::digest_hex(result.commit) + "\n");
  }
}

const Registrar registrar{{.name = "commit", .description = "Commit a new revision", .run = run}};

}  // namespace
}  // namespace ot::cli
