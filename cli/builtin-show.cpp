// ostree show: print a commit, another metadata object, or a file object.
#include "base/format_size.hpp"
#include "base/sys.hpp"
#include "cli/commit_dump.hpp"
#include "cli/invocation.hpp"
#include "store/commit_sizes.hpp"
#include "store/content.hpp"
#include "store/repo.hpp"
#include "store/rev_parse.hpp"
#include "store/tree_path.hpp"

#include <fcntl.h>
#include <sys/stat.h>

namespace ot::cli {
namespace {

// Missing commits are reported as upstream words it: "No such metadata
// object X.commit".
store::Commit load_commit(const store::Repo& repo, const store::Digest& csum) {
  return store::decode_commit(repo.load_metadata(store::ObjectType::commit, csum));
}

struct Options {
  bool print_related = false;
  std::optional<std::string> variant_type;
  std::optional<std::string> metadata_key;
  std::optional<std::string> detached_metadata_key;
  bool print_sizes = false;
  bool raw = false;
  bool no_byteswap = false;
  std::optional<std::string> gpg_homedir;
  std::optional<std::string> gpg_verify_remote;
};

void print_value(const store::gv::Value& value, const Options& opt) {
  if (opt.no_byteswap) {
    print("{}\n", store::gv::print(value, true));
  } else {
    dump_variant(value);
  }
}

void print_metadata_key(const store::Repo& repo, const store::Digest& commit, bool detached,
                        const std::string& key, const Options& opt) {
  store::gv::Value metadata;
  if (!detached) {
    metadata = load_commit(repo, commit).metadata;
  } else {
    if (!repo.has_object(store::ObjectType::commit_meta, commit)) {
      throw Error("No detached metadata for commit " + store::digest_hex(commit), ENOENT);
    }
    metadata = repo.load_commitmeta(commit);
  }
  const store::gv::Value* value = store::lookup_metadata(metadata, key);
  if (value == nullptr) throw Error("No such metadata key '" + key + "'", ENOENT);
  print_value(*value, opt);
}

void print_related(const store::Repo& repo, const store::Digest& commit) {
  for (const auto& [name, csum] : load_commit(repo, commit).related) {
    print("{} {}\n", name, store::digest_hex(csum));
  }
}

// --print-variant-type: OBJECT is a file holding a variant of that type.
void print_variant_file(const std::string& type, const std::string& file) {
  if (!store::gv::is_valid_type(type)) throw Error("Invalid GVariant type string '" + type + "'");
  const std::string bytes = sys::read_all(sys::open_at(AT_FDCWD, file, O_RDONLY).get());
  // Always byte-swapped, whatever -B says, as upstream does.
  dump_variant(store::gv::decode(type, bytes));
}

void print_sizes(const store::Repo& repo, const store::Digest& commit) {
  const store::Commit loaded = with_context("Failed to read commit", [&] { return load_commit(repo, commit); });
  const auto entries = store::commit_object_sizes(loaded);
  uint64_t archived = 0, unpacked = 0, new_archived = 0, new_unpacked = 0;
  size_t needed = 0;
  for (const auto& e : entries) {
    archived += e.archived;
    unpacked += e.unpacked;
    if (!repo.has_object(e.type, e.checksum)) {
      ++needed;
      new_archived += e.archived;
      new_unpacked += e.unpacked;
    }
  }
  print("Compressed size (needed/total): {}/{}\n"
        "Unpacked size (needed/total): {}/{}\n"
        "Number of objects (needed/total): {}/{}\n",
        format_size(new_archived), format_size(archived), format_size(new_unpacked), format_size(unpacked),
        needed, entries.size());
}

DumpStyle style_of(const Options& opt) {
  if (opt.no_byteswap) return DumpStyle::unswapped;
  return opt.raw ? DumpStyle::raw : DumpStyle::pretty;
}

void print_metadata_object(const store::Repo& repo, store::ObjectType type, const store::Digest& csum,
                           const Options& opt) {
  const std::string bytes = repo.load_metadata(type, csum);
  dump_object(type, csum, store::gv::decode(store::metadata_variant_type(type), bytes), style_of(opt));
}

void print_file_object(const store::Repo& repo, const std::string& rev) {
  const store::Digest csum = store::digest_from_hex(rev);
  const auto obj = store::load_content_reported(repo, csum);
  print("Object: {}\nType: file\n", rev);
  print("File Type: ");
  if (obj.is_symlink()) {
    print("symlink\nTarget: {}\n", obj.meta.symlink_target);
  } else {
    print("regular\nSize: {}\n", obj.size);
  }
  print("Mode: 0{:04o}\n", obj.meta.mode);
  print("Uid: {}\nGid: {}\n", obj.meta.uid, obj.meta.gid);
  print("Extended Attributes: {{ {} }}\n", store::gv::print(store::xattrs_value(obj.meta.xattrs), true));
}

void run(Invocation& inv) {
  Options opt;
  const auto args = inv.parse(
      "OBJECT",
      {flag("print-related", 0, opt.print_related, "Show the \"related\" commits"),
       text("print-variant-type", 0, opt.variant_type,
            "Memory map OBJECT (in this case a filename) to the GVariant type string", "TYPE"),
       text("print-metadata-key", 0, opt.metadata_key, "Print string value of metadata key", "KEY"),
       text("print-detached-metadata-key", 0, opt.detached_metadata_key,
            "Print string value of detached metadata key", "KEY"),
       flag("print-sizes", 0, opt.print_sizes, "Show the commit size metadata"),
       flag("raw", 0, opt.raw, "Show raw variant data"),
       flag("no-byteswap", 'B', opt.no_byteswap, "Do not automatically convert variant data from big endian"),
       path("gpg-homedir", 0, opt.gpg_homedir, "GPG Homedir to use when looking for keyrings", "HOMEDIR"),
       text("gpg-verify-remote", 0, opt.gpg_verify_remote, "Use REMOTE name for GPG configuration", "REMOTE")});
  const auto repo = inv.open_repo([](const std::string& p) { return store::Repo::open(AT_FDCWD, p); });
  if (args.empty()) inv.usage_error("An object argument is required");
  const std::string& rev = args[0];

  // The first of these options given decides, in upstream's order.
  if (opt.metadata_key || opt.detached_metadata_key) {
    const bool detached = opt.detached_metadata_key.has_value();
    print_metadata_key(repo, repo.resolve_rev(rev), detached,
                       detached ? *opt.detached_metadata_key : *opt.metadata_key, opt);
  } else if (opt.print_related) {
    print_related(repo, repo.resolve_rev(rev));
  } else if (opt.variant_type) {
    print_variant_file(*opt.variant_type, rev);
  } else if (opt.print_sizes) {
    print_sizes(repo, repo.resolve_rev(rev));
  } else if (!store::is_checksum_string(rev)) {
    print_metadata_object(repo, store::ObjectType::commit, repo.resolve_rev(rev), opt);
  } else {
    // A full checksum may name any object: try the metadata types in
    // upstream's order, then content.
    const store::Digest csum = store::digest_from_hex(rev);
    for (auto type : {store::ObjectType::commit, store::ObjectType::dir_meta, store::ObjectType::dir_tree}) {
      if (repo.has_object(type, csum)) return print_metadata_object(repo, type, csum, opt);
    }
    print_file_object(repo, rev);
  }
}

const Registrar registrar{{.name = "show", .description = "Output a metadata object", .run = run}};

}  // namespace
}  // namespace ot::cli
