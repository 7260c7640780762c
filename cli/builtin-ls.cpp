// ostree ls: list paths of a commit's tree without checking it out.
#include "base/sys.hpp"
#include "cli/invocation.hpp"
#include "store/repo.hpp"
#include "store/tree_path.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

namespace ot::cli {
namespace {

struct Options {
  bool dironly = false;
  bool recursive = false;
  bool checksum = false;
  bool xattrs = false;
  bool nul_filenames_only = false;
};

// --nul-filenames-only output. Upstream fwrite()s it without flushing, so
// it reaches stdout when the process exits, after any error message; to
// keep the same order when both streams share a pipe, we hold it until
// static destruction, which runs after main() has reported errors.
class DeferredStdout {
public:
  static DeferredStdout& instance() {
    static DeferredStdout out;
    return out;
  }
  void append(std::string_view bytes) { buffer_.append(bytes); }
  ~DeferredStdout() {
    std::fflush(stdout);
    try {
      sys::write_all(STDOUT_FILENO, buffer_);
    } catch (...) {
      // Nothing left to report to: stdout is gone.
    }
  }

private:
  DeferredStdout() = default;
  std::string buffer_;
};

char type_char(uint32_t mode) {
  if (S_ISREG(mode)) return '-';
  if (S_ISDIR(mode)) return 'd';
  if (S_ISLNK(mode)) return 'l';
  if (S_ISCHR(mode)) return 'c';
  if (S_ISBLK(mode)) return 'b';
  return '?';
}

void print_node(const store::CommitTree& tree, const store::TreeNode& node, const Options& opt) {
  const std::string path = node.path();
  // Upstream reads every entry's metadata while listing, even for bare
  // names, so a missing object fails the listing in both modes.
  const store::TreeNodeInfo info = tree.info(node);
  if (opt.nul_filenames_only) {
    // Raw bytes, for xargs -0: no charset conversion.
    DeferredStdout::instance().append(path);
    DeferredStdout::instance().append(std::string_view("\0", 1));
    return;
  }
  std::string line = fmt::format("{}0{:04o} {} {} {:6} ", type_char(info.mode), info.mode & ~S_IFMT,
                                 info.uid, info.gid, info.size);
  if (opt.checksum) {
    if (node.is_dir) line += store::digest_hex(node.checksum) + " " + store::digest_hex(node.meta) + " ";
    else line += store::digest_hex(node.checksum) + " ";
  }
  if (opt.xattrs) line += "{ " + store::gv::print(store::xattrs_value(info.xattrs)) + " } ";
  line += path;
  if (S_ISLNK(info.mode)) line += " -> " + info.symlink_target;
  print("{}\n", line);
}

// depth < 0: no limit; each level down uses one.
void print_directory(const store::CommitTree& tree, const store::TreeNode& dir, int depth,
                     const Options& opt) {
  if (depth == 0) return;
  if (depth > 0) --depth;
  for (const store::TreeNode& child : tree.children(dir)) {
    print_node(tree, child, opt);
    if (child.is_dir) print_directory(tree, child, depth, opt);
  }
}

void print_argument(const store::CommitTree& tree, const std::string& arg, const Options& opt) {
  const store::TreeNode node = with_context("Inspecting path '" + arg + "'", [&] {
    store::TreeNode n = tree.resolve(tree.root(), arg);
    (void)tree.info(n);
    return n;
  });
  print_node(tree, node, opt);
  if (!node.is_dir) return;
  if (opt.recursive) {
    print_directory(tree, node, -1, opt);
  } else if (!opt.dironly) {
    print_directory(tree, node, 1, opt);
  }
}

void run(Invocation& inv) {
  Options opt;
  const auto args = inv.parse("COMMIT [PATH...]",
                              {flag("dironly", 'd', opt.dironly, "Do not recurse into directory arguments"),
                               flag("recursive", 'R', opt.recursive, "Print directories recursively"),
                               flag("checksum", 'C', opt.checksum, "Print checksum"),
                               flag("xattrs", 'X', opt.xattrs, "Print extended attributes"),
                               flag("nul-filenames-only", 0, opt.nul_filenames_only,
                                    "Print only filenames, NUL separated")});
  const auto repo = inv.open_repo([](const std::string& p) { return store::Repo::open(AT_FDCWD, p); });
  if (args.empty()) inv.usage_error("An COMMIT argument is required");

  const store::CommitTree tree(repo, repo.resolve_rev(args[0]));
  if (args.size() == 1) {
    print_argument(tree, "/", opt);
    return;
  }
  for (size_t i = 1; i < args.size(); ++i) print_argument(tree, args[i], opt);
}

const Registrar registrar{{.name = "ls", .description = "List file paths", .run = run}};

}  // namespace
}  // namespace ot::cli
