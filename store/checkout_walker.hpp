#pragma once
// Private to checkout.cpp: the parallel tree writer behind store::checkout().
#include "store/checkout.hpp"
#include "store/content.hpp"
#include "store/objects.hpp"
#include "store/traverse.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace ot::store::detail {

// What checkout() decided once per run, so the per-file path tests nothing twice.
struct CheckoutPlan {
  const Repo& repo;
  const CheckoutOptions& opts;
  bool user_mode = false;
  bool try_hardlinks = false;        // repo mode and checkout mode agree, and not -C
  bool symlinks_are_files = false;   // bare-user stores symlinks as regular files
  bool mask_dir_modes = false;       // bare-user-only repos and -M
  bool track_paths = false;          // a skip list needs every entry's path
  int cache_dfd = -1;                // uncompressed-objects-cache/, when archive user checkouts use it
};

struct AtomicStats {
  std::atomic<uint64_t> linked{0}, copied{0}, skipped{0}, dirs{0};
};

// Writes dirtrees into directories. Work is split into tasks (one per
// directory, plus chunks of large directories) on a stack served by a few
// threads; each directory's mode, owner and mtime are applied once every
// task below it has finished, so read-only directories can be filled.
class CheckoutWalker {
public:
  CheckoutWalker(const CheckoutPlan& plan, AtomicStats& stats);
  ~CheckoutWalker();

  // Fills root_fd (an open directory) with tree; applies meta to it unless
  // existed (a union checkout into a directory that was already there).
  void run(int root_fd, bool existed, const Digest& tree, const Digest& meta);
  // Checks out one file object as dfd/name (a subpath naming a file).
  void checkout_one_file(int dfd, const std::string& name, const Digest& csum);

private:
  struct Node {
    UniqueFd fd;
    Node* parent = nullptr;
    std::string name;  // "" for the root
    DirMeta meta;
    bool existed = false;
    std::atomic<int> pending{1};
  };
  struct Task {
    Node* node = nullptr;  // subdirectory task: the parent; file chunk: the directory
    std::string name;
    Digest tree{}, meta{};
    std::shared_ptr<const DirTree> files;  // set for a chunk of files
    size_t begin = 0, end = 0;
  };
  // kept: union modes left an existing file; absent: nothing to link from.
  enum class LinkResult { linked, kept, unsupported, absent };

  void work();
  void push(Task task);
  void run_task(Task& task);
  void make_dir(Node* parent, const std::string& name, const Digest& tree, const Digest& meta);
  void fill(Node* node, std::shared_ptr<const DirTree> tree);
  void finish(Node* node);
  void apply_dir_meta(Node* node);
  void file(Node* node, int dfd, const std::string& name, const Digest& csum);
  // Whether a hardlink would give the checkout upstream's result for this object.
  bool worth_linking(const Digest& csum) const;
  // Hardlinks src_dfd/loose (an object, or its uncompressed-cache copy) as
  // dfd/name, applying the overwrite mode when name exists.
  LinkResult link_file(int src_dfd, const std::string& loose, int dfd, const std::string& name, const Digest& csum);
  bool count_link(LinkResult r);  // true when the file is done
  bool cacheable(const ContentObject& obj) const;
  void add_to_cache(const ContentObject& obj, const std::string& loose);
  void copy_file(int dfd, const std::string& name, const Digest& csum, const ContentObject& obj);
  std::shared_ptr<const DirTree> load_tree(const Digest& csum);
  DirMeta load_meta(const Digest& csum);
  std::string path_of(const Node* node) const;  // "/a/b/" as upstream's filter sees directories

  const CheckoutPlan& plan_;
  AtomicStats& stats_;
  int objects_dfd_;

  std::mutex mutex_;  // guards the task stack, the node list and the error
  std::condition_variable cv_;
  std::vector<Task> stack_;
  int active_ = 0;
  bool failed_ = false;
  std::exception_ptr error_;
  std::deque<std::unique_ptr<Node>> nodes_;

  std::mutex meta_mutex_;
  std::unordered_map<Digest, DirMeta, DigestHash> meta_cache_;
};

}  // namespace ot::store::detail
