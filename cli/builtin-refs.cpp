// ostree refs: list, create, alias and delete refs.
#include "cli/invocation.hpp"
#include "store/ref_list.hpp"
#include "store/ref_write.hpp"
#include "store/repo.hpp"
#include "store/rev_parse.hpp"

#include <fcntl.h>

#include <algorithm>

namespace ot::cli {
namespace {

struct Options {
  bool delete_refs = false;
  bool list = false;
  bool alias = false;
  std::optional<std::string> create;
  bool collections = false;
  bool force = false;
};

using RefTable = std::vector<std::pair<std::string, std::string>>;

bool table_has(const RefTable& table, const std::string& name) {
  return std::any_of(table.begin(), table.end(), [&](const auto& e) { return e.first == name; });
}

// refs -c: refs qualified by collection ID; PREFIX is a collection ID.
void do_collection_refs(store::Repo& repo, const Options& opt, const std::optional<std::string>& prefix) {
  const auto refs = store::list_collection_refs_ordered(repo, opt.create ? std::nullopt : prefix, false);
  if (!opt.delete_refs && !opt.create) {
    for (const auto& [ref, value] : refs) print("({}, {})\n", ref.first, ref.second);
    return;
  }
  if (!opt.create) {
    for (const auto& [ref, value] : refs) store::write_collection_ref(repo, ref.first, ref.second, std::nullopt);
    return;
  }
  std::optional<store::Digest> existing;
  try {
    existing = store::resolve_rev_ext(repo, *opt.create, true, store::RemoteFallback::no);
  } catch (const Error& e) {
    if (e.errnum() != EISDIR) throw;
  }
  if (!opt.force && existing) throw Error("--create specified but ref " + *opt.create + " already exists");
  const store::Digest csum = repo.resolve_rev(*prefix);
  // NEWREF is "COLLECTION-ID:REF" here.
  const size_t colon = opt.create->find(':');
  const std::string collection_id = opt.create->substr(0, colon);
  if (!store::is_valid_collection_id(collection_id)) throw Error("Invalid collection ID " + collection_id);
  const std::string ref = colon == std::string::npos ? std::string("(null)") : opt.create->substr(colon + 1);
  if (colon == std::string::npos || !store::is_valid_ref_name(ref)) throw Error("Invalid ref name " + ref);
  store::write_collection_ref(repo, collection_id, ref, csum);
}

// --create: point a new ref (or, with --alias, an alias) at prefix.
void do_create(store::Repo& repo, const Options& opt, const std::string& target) {
  // Both listings come first, as upstream's do, so a broken refs/ directory
  // is reported before anything else.
  RefTable aliases;
  if (opt.alias) aliases = store::list_refs_ordered(repo, std::nullopt, {.aliases_only = true});
  const RefTable all = store::list_refs_ordered(repo, std::nullopt, {});
  std::optional<store::Digest> existing;
  try {
    existing = store::resolve_rev_ext(repo, *opt.create, true, store::RemoteFallback::no);
  } catch (const Error& e) {
    // A directory of that name is dealt with when the ref is written.
    if (e.errnum() != EISDIR) throw;
  }

  const bool replacing_alias = opt.alias && table_has(aliases, *opt.create);
  if (!opt.force && !replacing_alias && existing) {
    throw Error("--create specified but ref " + *opt.create + " already exists");
  }

  const store::Refspec spec = store::parse_refspec_checked(*opt.create);
  if (opt.alias) {
    if (spec.remote) throw Error("Cannot create alias to remote ref: " + *spec.remote);
    // Any listed ref will do, a remote one ("origin:main") included.
    if (!table_has(all, target)) throw Error("Cannot create alias to non-existent ref: " + target);
    store::write_alias_ref(repo, spec.ref, target);
    return;
  }
  const store::Digest csum = repo.resolve_rev(target);
  store::write_ref_checked(repo, spec.remote, spec.ref, csum);
}

void do_ref(store::Repo& repo, const Options& opt, const std::optional<std::string>& prefix) {
  if (opt.collections) return do_collection_refs(repo, opt, prefix);

  if (opt.create) return do_create(repo, opt, *prefix);

  // Upstream reads every alias before deleting (even when nothing matches),
  // so an unreadable refs/ directory fails a delete the same way here.
  if (opt.delete_refs) (void)store::list_refs_ordered(repo, std::nullopt, {.aliases_only = true});

  // Listing shows names relative to the prefix unless --list; deleting
  // needs full names.
  const bool full_names = opt.delete_refs || opt.list || opt.alias;
  const RefTable refs =
      store::list_refs_ordered(repo, prefix, {.cut_prefix = !full_names, .aliases_only = opt.alias});

  if (!opt.delete_refs) {
    for (const auto& [name, value] : refs) {
      if (opt.alias) {
        print("{} -> {}\n", name, value);
      } else {
        print("{}\n", name);
      }
    }
    return;
  }
  for (const auto& [name, value] : refs) {
    const store::Refspec spec = store::parse_refspec_checked(name);
    store::delete_ref_checked(repo, spec.remote, spec.ref);
  }
}

void run(Invocation& inv) {
  Options opt;
  const auto args = inv.parse(
      "[PREFIX]",
      {flag("delete", 0, opt.delete_refs, "Delete refs which match PREFIX, rather than listing them"),
       flag("list", 0, opt.list, "Do not remove the prefix from the refs"),
       flag("alias", 'A', opt.alias, "If used with --create, create an alias, otherwise just list aliases"),
       text("create", 0, opt.create, "Create a new ref for an existing commit", "NEWREF"),
       flag("collections", 'c', opt.collections, "Enable listing collection IDs for refs"),
       flag("force", 0, opt.force, "Overwrite existing refs when creating")});
  auto repo = inv.open_repo([](const std::string& p) { return store::Repo::open(AT_FDCWD, p); });

  if (args.empty()) {
    // A prefix is required to delete, so a slip cannot remove every ref.
    if (opt.delete_refs) throw Error("At least one PREFIX is required when deleting refs");
    if (opt.create) throw Error("You must specify a revision when creating a new ref");
    do_ref(repo, opt, std::nullopt);
    return;
  }
  if (opt.create && args.size() > 1) throw Error("You must specify only 1 existing ref when creating a new ref");
  for (const std::string& prefix : args) do_ref(repo, opt, prefix);
}

const Registrar registrar{{.name = "refs", .description = "List refs", .run = run}};

}  // namespace
}  // namespace ot::cli
