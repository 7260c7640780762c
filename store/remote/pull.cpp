// The pull workflow. One thread owns the bookkeeping and the network; a
// worker pool verifies and stores content objects as they arrive:
//
//   1. open the source (HTTP fetcher, or a local repository)
//   2. resolve the requested refs to commits (summary, or refs/heads/X)
//   3. in a transaction: fetch commits, walk their trees fetching every
//      dirtree/dirmeta/file not already present, verifying each one
//   4. land the transaction, then detached metadata, then move the refs
#include "store/remote/pull.hpp"

#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "base/format_size.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"
#include "store/commit_partial.hpp"
#include "store/content.hpp"
#include "store/content_writer.hpp"
#include "store/remote/fetcher.hpp"
#include "store/remote/filez_import.hpp"
#include "store/remote/summary.hpp"
#include "store/remote/worker_pool.hpp"
#include "store/traverse.hpp"

#include <sys/stat.h>

#include <atomic>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <unordered_set>

namespace ot::store::remote {
namespace {

using Clock = std::chrono::steady_clock;

// Upstream's limits: metadata above 10 MiB is refused outright.
constexpr uint64_t kMaxMetadataSize = 10u << 20;
constexpr uint64_t kMaxContentSize = uint64_t(1) << 36;
// Fetched content objects above this size are written to a file in tmp/ as
// they arrive rather than held in memory: at most this much per transfer in
// flight is in memory, and an archive repo lands the file itself.
constexpr uint64_t kSpillAbove = 64u << 10;

std::string object_path(const Digest& csum, ObjectType type, bool archive_content = true) {
  return "objects/" + loose_object_path(csum, type, archive_content ? RepoMode::archive : RepoMode::bare);
}

// Which part of a tree a subpath pull wants at a directory.
enum class Want { all, ancestor, none };

Want want_dir(const std::vector<std::string>& subpaths, const std::string& path) {
  if (subpaths.empty()) return Want::all;
  Want best = Want::none;
  for (const auto& sp : subpaths) {
    if (sp == "/" || path == sp || (path.starts_with(sp) && path[sp.size()] == '/')) return Want::all;
    if (path == "/" || (sp.starts_with(path) && sp[path.size()] == '/')) best = Want::ancestor;
  }
  return best;
}

std::string child_path(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

std::string normalize_subpath(std::string p) {
  if (p.empty() || p[0] != '/') p = "/" + p;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

// One requested ref and the commit it resolved to.
struct Target {
  std::string ref;  // empty when a checksum was requested
  Digest commit{};
};

class Puller {
public:
  Puller(Repo& repo, const PullOptions& options) : repo_(repo), options_(options), start_(Clock::now()) {
    for (const auto& sp : options.subpaths) subpaths_.push_back(normalize_subpath(sp));
  }

  void set_http(std::unique_ptr<Fetcher> f) { fetcher_ = std::move(f); }
  void set_local(const Repo* src) { local_ = src; }

  // Fetches a required small file (config, summary, ref); nullopt on 404
  // when optional.
  std::optional<std::string> fetch_file(const std::string& path, bool optional) {
    std::optional<std::string> out;
    std::optional<std::string> error;
    bool done = false;
    fetcher_->fetch(path, kMaxMetadataSize, [&](FetchResult&& r) {
      done = true;
      if (r.status == FetchResult::Status::ok) out = std::move(r.body);
      else if (r.status == FetchResult::Status::failed) error = r.error;
      else if (!optional) error = "While fetching " + fetcher_->describe(path) + ": " + r.error;
    });
    while (!done) fetcher_->run_once();
    if (error) throw Error(*error);
    return out;
  }

  // Steps 3 and 4 for resolved targets.
  PullStats run(const std::vector<Target>& targets, const std::vector<std::pair<std::string, Digest>>& ref_updates) {
    // Like upstream, count object traffic, not the config and summary.
    if (fetcher_) bytes_baseline_ = fetcher_->bytes_transferred();
    repo_.begin_transaction();
    try {
      for (const auto& t : targets) request_commit(t.commit, options_.depth, /*is_parent=*/false);
      drive();
      if (options_.verifier) {
        std::vector<Digest> commits = fetched_commits_;
        for (const auto& t : targets) commits.push_back(t.commit);
        verify_pulled_commits(*options_.verifier, repo_, commits, commitmeta_);
      }
      if (options_.verify_bindings)
        for (const auto& t : targets)
          if (!t.ref.empty()) verify_binding(t);
      repo_.commit_transaction();
    } catch (...) {
      // Workers still storing objects must be done before the staging
      // directory goes, or they would write into objects/ directly.
      pool_.cancel_and_wait();
      repo_.abort_transaction();
      for (const auto& c : marked_commits_)
        if (!repo_.has_object(ObjectType::commit, c)) unmark_commit_partial(repo_, c);
      throw;
    }

    // Detached metadata cannot be verified against a checksum; it lands only
    // with its commit.
    for (auto& [commit, dict] : commitmeta_) repo_.write_commitmeta(commit, dict);
    bool complete = !options_.commit_metadata_only && subpaths_.empty();
    if (complete)
      for (const auto& c : fetched_commits_) unmark_commit_partial(repo_, c);
    for (const auto& [refspec, csum] : ref_updates) {
      repo_.set_ref(refspec, csum);
      stats_.refs_updated.emplace_back(refspec, csum);
    }
    finish_stats();
    return stats_;
  }

  PullStats& stats() { return stats_; }
  void finish_stats() {
    stats_.elapsed = Clock::now() - start_;
    stats_.content_bytes_written = content_bytes_.load();
    stats_.content_fetched = content_done_.load();
    if (fetcher_) stats_.bytes_transferred = fetcher_->bytes_transferred() - bytes_baseline_;
  }

private:
  void verify_binding(const Target& t) {
    auto commit = repo_.load_commit(t.commit);
    const auto* bound = lookup_metadata(commit.metadata, "ostree.ref-binding");
    if (!bound || bound->type != "as") return;
    std::string list;
    for (const auto& r : bound->children()) {
      if (r.str() == t.ref) return;
      list += (list.empty() ? "" : ", ") + r.str();
    }
    throw Error("Commit " + digest_hex(t.commit) + ": Commit has no requested ref ‘" + t.ref +
                "’ in ref binding metadata (" + list + ")");
  }

  // --- requests ---------------------------------------------------------------

  void request_commit(const Digest& csum, int depth, bool is_parent) {
    if (!seen_commits_.insert(csum).second) return;
    bool have = repo_.has_object(ObjectType::commit, csum);
    if (have && !is_commit_partial(repo_, csum)) {
      // Complete already: only its history may still be wanted.
      if (depth != 0) {
        auto c = repo_.load_commit(csum);
        if (c.parent) request_commit(*c.parent, depth > 0 ? depth - 1 : depth, true);
      }
      return;
    }
    if (have) {
      fetched_commits_.push_back(csum);
      on_commit(repo_.load_commit(csum), depth);
      return;
    }
    request_detached_metadata(csum);
    fetch_metadata(ObjectType::commit, csum, is_parent, [this, csum, depth](std::optional<std::string> bytes) {
      if (!bytes) return;  // a pruned parent: history ends here
      auto commit = with_context("commit " + digest_hex(csum), [&] { return decode_commit(*bytes); });
      repo_.write_metadata(ObjectType::commit, *bytes, csum);
      mark_commit_partial(repo_, csum, PartialReason::none);
      marked_commits_.push_back(csum);
      fetched_commits_.push_back(csum);
      ++stats_.metadata_fetched;
      on_commit(commit, depth);
    });
  }

  void on_commit(const Commit& commit, int depth) {
    if (!options_.commit_metadata_only) {
      request_dirmeta(commit.root_meta);
      request_dirtree(commit.root_tree, "/");
    }
    if (depth != 0 && commit.parent) request_commit(*commit.parent, depth > 0 ? depth - 1 : depth, true);
  }

  void request_detached_metadata(const Digest& commit) {
    // Upstream counts the lookup over HTTP whether or not the server has it.
    auto on_bytes = [this, commit](std::optional<std::string> bytes) {
      if (bytes || !local_) ++stats_.metadata_fetched;
      if (!bytes) return;
      auto dict = with_context("detached metadata of " + digest_hex(commit),
                               [&] { return gv::decode(kCommitMetaType, *bytes); });
      commitmeta_.emplace_back(commit, std::move(dict));
    };
    if (local_) {
      auto path = loose_object_path(commit, ObjectType::commit_meta, local_->mode());
      auto bytes = sys::read_file_at_opt(local_->objects_dfd(), path);
      if (bytes) on_bytes(std::move(bytes));
      return;
    }
    auto path = object_path(commit, ObjectType::commit_meta);
    fetcher_->fetch(path, kMaxMetadataSize, [this, path, on_bytes](FetchResult&& r) {
      if (r.status == FetchResult::Status::failed) throw Error(r.error);
      on_bytes(r.status == FetchResult::Status::ok ? std::optional(std::move(r.body)) : std::nullopt);
    });
  }

  void request_dirtree(const Digest& csum, const std::string& path) {
    Want want = want_dir(subpaths_, path);
    if (want == Want::none) return;
    // Full walks are shared; a subpath's ancestors are walked per path.
    if (want == Want::all && !seen_trees_.insert(csum).second) return;
    auto on_tree = [this, csum, path, want](const std::string& bytes) {
      auto tree = with_context("dirtree " + digest_hex(csum), [&] { return decode_dirtree(bytes); });
      for (const auto& f : tree.files) {
        if (want == Want::all || want_dir(subpaths_, child_path(path, f.name)) == Want::all)
          request_content(f.checksum);
      }
      for (const auto& d : tree.dirs) {
        auto sub = child_path(path, d.name);
        if (want_dir(subpaths_, sub) == Want::none) continue;
        request_dirmeta(d.meta);
        request_dirtree(d.tree, sub);
      }
    };
    if (auto local = repo_.load_metadata_opt(ObjectType::dir_tree, csum)) {
      on_tree(*local);
      return;
    }
    fetch_metadata(ObjectType::dir_tree, csum, false, [this, csum, on_tree](std::optional<std::string> bytes) {
      // Names are validated before anything lands or is requested.
      with_context("dirtree " + digest_hex(csum), [&] { decode_dirtree(*bytes); });
      repo_.write_metadata(ObjectType::dir_tree, *bytes, csum);
      ++stats_.metadata_fetched;
      on_tree(*bytes);
    });
  }

  void request_dirmeta(const Digest& csum) {
    if (!seen_meta_.insert(csum).second) return;
    if (repo_.has_object(ObjectType::dir_meta, csum)) return;
    fetch_metadata(ObjectType::dir_meta, csum, false, [this, csum](std::optional<std::string> bytes) {
      auto meta = with_context("dirmeta " + digest_hex(csum), [&] { return decode_dirmeta(*bytes); });
      if (!S_ISDIR(meta.mode)) throw Error("dirmeta " + digest_hex(csum) + ": not a directory mode");
      repo_.write_metadata(ObjectType::dir_meta, *bytes, csum);
      ++stats_.metadata_fetched;
    });
  }

  void request_content(const Digest& csum) {
    if (!seen_content_.insert(csum).second) return;
    if (repo_.has_object(ObjectType::file, csum)) return;
    ++stats_.content_requested;
    content_backlog_.push_back(csum);
  }

  // Metadata goes out at once: each one unlocks more requests. With
  // allow_missing, a 404 calls back with nullopt.
  void fetch_metadata(ObjectType type, const Digest& csum, bool allow_missing,
                      std::function<void(std::optional<std::string>)> done) {
    ++stats_.metadata_requested;
    if (local_) {
      auto bytes = local_->load_metadata_opt(type, csum);
      if (!bytes && !allow_missing)
        throw Error("No such metadata object " + digest_hex(csum) + "." + std::string(object_type_name(type)) +
                    " in " + local_->path());
      with_context(digest_hex(csum) + "." + std::string(object_type_name(type)), [&] { done(std::move(bytes)); });
      return;
    }
    auto path = object_path(csum, type);
    fetcher_->fetch(path, kMaxMetadataSize, [this, path, allow_missing, done = std::move(done)](FetchResult&& r) {
      if (r.status == FetchResult::Status::failed) throw Error(r.error);
      if (r.status == FetchResult::Status::not_found) {
        if (!allow_missing) throw Error("While fetching " + fetcher_->describe(path) + ": " + r.error);
        done(std::nullopt);
        return;
      }
      with_context(fetcher_->describe(path), [&] { done(std::move(r.body)); });
    });
  }

  // --- content --------------------------------------------------------------

  // Hands queued content to the network (or, for a local source, straight
  // to the workers) while the workers keep up.
  void pump_content() {
    size_t worker_limit = 4 * workers_count_;
    while (!content_backlog_.empty()) {
      if (pool_.outstanding() >= worker_limit) return;
      if (fetcher_ && fetcher_->pending() >= 64) return;
      Digest csum = content_backlog_.front();
      content_backlog_.pop_front();
      if (local_) {
        pool_.submit([this, csum] { import_local_content(csum); });
        continue;
      }
      auto path = object_path(csum, ObjectType::file);
      auto on_fetched = [this, csum, path](FetchResult&& r) {
        if (r.status != FetchResult::Status::ok)
          throw Error(r.status == FetchResult::Status::not_found
                          ? "While fetching " + fetcher_->describe(path) + ": " + r.error
                          : r.error);
        // Shared so the task stays copyable; a spilled file goes with it.
        auto fetched = std::make_shared<FetchResult>(std::move(r));
        auto where = "file object " + digest_hex(csum) + " from " + fetcher_->describe(path);
        pool_.submit([this, csum, fetched, where] {
          FilezBody body;
          if (fetched->file) {
            body.fd = fetched->file.fd();
            body.owned = &fetched->file;
          } else {
            body.bytes = fetched->body;
          }
          auto n = with_context(where, [&] { return import_filez(repo_, csum, body); });
          content_bytes_ += n;
          ++content_done_;
        });
      };
      fetcher_->fetch(path, kMaxContentSize, std::move(on_fetched), SpillTo{repo_.tmp_dfd(), kSpillAbove});
    }
  }

  void import_local_content(const Digest& csum) {
    auto where = digest_hex(csum) + ".file in " + local_->path();
    with_context(where, [&] {
      if (local_->mode() == RepoMode::archive) {
        auto fd = sys::open_at(local_->objects_dfd(), loose_object_path(csum, ObjectType::file, RepoMode::archive),
                               O_RDONLY | O_NOFOLLOW);
        content_bytes_ += import_filez(repo_, csum, FilezBody{{}, fd.get(), nullptr});
        return;
      }
      auto obj = load_content(*local_, csum);
      check_mode_for_repo(repo_, obj.meta, csum);
      if (obj.is_symlink() || obj.size <= kContentChunk) {
        write_content(repo_, obj.meta, read_content(obj), csum);
      } else {
        // Streamed through a chunk, re-hashed on the way.
        ContentWriter w(repo_, obj.meta, obj.size);
        thread_local auto buf = std::make_unique_for_overwrite<char[]>(kContentChunk);
        for (uint64_t off = 0; off < obj.size;) {
          size_t n = sys::pread_full(obj.fd.get(), buf.get(), std::min<uint64_t>(kContentChunk, obj.size - off),
                                     off_t(obj.payload_offset + off));
          if (n == 0) throw Error("object shorter than its size", EIO);
          w.write(std::string_view(buf.get(), n));
          off += n;
        }
        w.finish(csum);
      }
      content_bytes_ += obj.size;
    });
    ++content_done_;
  }

  // Runs until every request has been answered and every object stored.
  void drive() {
    auto last_progress = Clock::now();
    for (;;) {
      pool_.rethrow_if_failed();
      pump_content();
      if (fetcher_ && fetcher_->pending() > 0) {
        fetcher_->run_once();
      } else if (pool_.outstanding() > 0) {
        pool_.wait_below(content_backlog_.empty() ? 1 : pool_.outstanding());
      } else if (content_backlog_.empty()) {
        break;
      }
      if (options_.progress && Clock::now() - last_progress > std::chrono::milliseconds(200)) {
        last_progress = Clock::now();
        finish_stats();
        options_.progress(stats_);
      }
    }
    pool_.rethrow_if_failed();
  }

  Repo& repo_;
  const PullOptions& options_;
  Clock::time_point start_;
  std::vector<std::string> subpaths_;
  std::unique_ptr<Fetcher> fetcher_;
  const Repo* local_ = nullptr;
  unsigned workers_count_ = std::max(2u, std::thread::hardware_concurrency());
  WorkerPool pool_{workers_count_};

  std::unordered_set<Digest, DigestHash> seen_commits_, seen_trees_, seen_meta_, seen_content_;
  std::vector<Digest> fetched_commits_;
  std::vector<Digest> marked_commits_;  // markers this pull created
  std::vector<std::pair<Digest, gv::Value>> commitmeta_;
  std::deque<Digest> content_backlog_;
  std::atomic<uint64_t> content_bytes_{0};
  std::atomic<unsigned> content_done_{0};
  PullStats stats_;
  uint64_t bytes_baseline_ = 0;
};

bool is_checksum_ref(const std::string& ref) { return is_valid_checksum(ref); }

Digest parse_ref_file(const std::string& ref, const std::string& body) {
  std::string s = body;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  if (!is_valid_checksum(s)) throw Error("Invalid commit checksum in ref " + ref);
  return digest_from_hex(s);
}

HttpOptions http_options(const Remote& remote, const std::string& url) {
  HttpOptions o;
  o.base_url = url;
  while (!o.base_url.empty() && o.base_url.back() == '/') o.base_url.pop_back();
  o.tls_ca_path = remote.option("tls-ca-path").value_or("");
  o.tls_client_cert_path = remote.option("tls-client-cert-path").value_or("");
  o.tls_client_key_path = remote.option("tls-client-key-path").value_or("");
  o.tls_permissive = remote.option_bool("tls-permissive", false);
  o.proxy = remote.option("proxy").value_or("");
  o.http2 = remote.option_bool("http2", true);
  return o;
}

std::optional<std::string> file_url_path(const std::string& url) {
  if (url.starts_with("file://")) return url.substr(7);
  return std::nullopt;
}

}  // namespace

PullStats pull(Repo& repo, const RemotesLocation& where, const std::string& remote_name,
               const PullOptions& given_options) {
  auto remote = get_remote(repo, where, remote_name);
  auto url = remote.url();
  if (url.starts_with("metalink=") || url.starts_with("mirrorlist="))
    throw Error("Remote \"" + remote_name + "\": metalink and mirrorlist URLs are not supported");
  PullOptions options = given_options;
  if (!options.verifier) options.verifier = std::make_shared<PullVerifier>(PullVerifier::for_remote(repo, remote));

  Puller puller(repo, options);
  std::optional<Repo> local_src;
  std::optional<Summary> summary;
  std::optional<std::string> summary_bytes;
  if (auto path = file_url_path(url)) {
    local_src.emplace(Repo::open(AT_FDCWD, *path));
    puller.set_local(&*local_src);
    summary_bytes = sys::read_file_at_opt(local_src->dfd(), "summary");
  } else {
    puller.set_http(make_http_fetcher(http_options(remote, url)));
    // The remote must be an archive: only .filez objects are served.
    auto config = puller.fetch_file("config", false);
    auto mode = with_context("remote config", [&] { return KeyFile::parse(*config).get("core", "mode"); });
    auto parsed = mode ? repo_mode_from_name(*mode) : std::nullopt;
    if (!parsed || *parsed != RepoMode::archive)
      throw Error("Can't pull from archives with mode \"" + mode.value_or("") + "\"");
    summary_bytes = puller.fetch_file("summary", true);
  }
  std::optional<std::string> summary_sig;
  if (options.verifier->checks_summary()) {
    summary_sig = local_src ? sys::read_file_at_opt(local_src->dfd(), "summary.sig")
                            : puller.fetch_file("summary.sig", true);
    options.verifier->verify_summary(summary_bytes, summary_sig);
  }
  if (summary_bytes) summary = parse_summary(*summary_bytes);

  // Which refs: as asked, else configured branches, else (mirror) all.
  std::vector<std::string> refs = options.refs;
  if (refs.empty()) refs = KeyFile::parse("[r]\nb=" + remote.option("branches").value_or("") + "\n").get_list("r", "b");
  bool all_refs = false;
  if (refs.empty()) {
    if (!options.mirror || !summary) throw Error("No configured branches for remote " + remote_name);
    for (const auto& r : summary->refs) refs.push_back(r.name);
    all_refs = true;
  }

  std::vector<Target> targets;
  std::vector<std::pair<std::string, Digest>> updates;
  for (const auto& ref : refs) {
    Target t;
    if (is_checksum_ref(ref)) {
      t.commit = digest_from_hex(ref);
    } else {
      if (!is_valid_ref_name(ref)) throw Error("Invalid ref name " + ref);
      t.ref = ref;
      if (summary) {
        auto* e = summary->find(ref);
        if (!e) throw Error("No such branch '" + ref + "' in repository summary");
        t.commit = e->checksum;
      } else if (local_src) {
        auto c = local_src->resolve_rev_opt(ref);
        if (!c) throw Error("Refspec '" + ref + "' not found");
        t.commit = *c;
      } else {
        t.commit = parse_ref_file(ref, *puller.fetch_file("refs/heads/" + ref, false));
      }
      updates.emplace_back(options.mirror ? ref : remote_name + ":" + ref, t.commit);
    }
    targets.push_back(std::move(t));
  }

  auto stats = puller.run(targets, updates);
  // A full mirror serves the same summary as its source.
  if (options.mirror && all_refs && summary_bytes && !options.commit_metadata_only) {
    write_file_atomic(repo.dfd(), "summary", *summary_bytes, 0644,
                      repo.fsync_enabled() ? Durability::fsync : Durability::nosync);
    if (summary_sig)
      write_file_atomic(repo.dfd(), "summary.sig", *summary_sig, 0644,
                        repo.fsync_enabled() ? Durability::fsync : Durability::nosync);
    else
      sys::unlink_at_opt(repo.dfd(), "summary.sig");
  }
  return stats;
}

PullStats pull_local(Repo& repo, const std::string& src_path, const PullOptions& options) {
  auto src = Repo::open(AT_FDCWD, src_path);
  if (options.verifier && options.verifier->checks_summary())
    options.verifier->verify_summary(sys::read_file_at_opt(src.dfd(), "summary"),
                                     sys::read_file_at_opt(src.dfd(), "summary.sig"));
  Puller puller(repo, options);
  puller.set_local(&src);
  std::vector<std::string> refs = options.refs;
  if (refs.empty())
    for (const auto& [name, csum] : src.list_refs())
      if (name.find(':') == std::string::npos) refs.push_back(name);
  std::vector<Target> targets;
  std::vector<std::pair<std::string, Digest>> updates;
  for (const auto& ref : refs) {
    Target t;
    t.commit = src.resolve_rev(ref);
    if (!is_checksum_ref(ref)) {
      auto stored = parse_refspec(ref).second;
      t.ref = stored;
      updates.emplace_back(options.local_ref_remote.empty() ? stored : options.local_ref_remote + ":" + stored,
                           t.commit);
    }
    targets.push_back(std::move(t));
  }
  auto stats = puller.run(targets, updates);
  stats.local = true;
  return stats;
}

std::string format_pull_summary(const PullStats& s) {
  std::string out = std::to_string(s.metadata_fetched) + " metadata, " + std::to_string(s.content_fetched) +
                    " content objects " + (s.local ? "imported" : "fetched");
  if (s.bytes_transferred > 0) {
    bool kib = s.bytes_transferred >= 1024;
    out += "; " + std::to_string(kib ? s.bytes_transferred / 1024 : s.bytes_transferred) + (kib ? " KiB" : " B") +
           " transferred in " +
           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(s.elapsed).count()) + " seconds";
  }
  out += "; " + format_size(s.content_bytes_written) + " content written";
  return out;
}

std::optional<std::string> fetch_remote_summary(const Repo& repo, const RemotesLocation& where,
                                                const std::string& remote_name) {
  auto remote = get_remote(repo, where, remote_name);
  auto url = remote.url();
  if (auto path = file_url_path(url)) {
    auto src = Repo::open(AT_FDCWD, *path);
    return sys::read_file_at_opt(src.dfd(), "summary");
  }
  auto fetcher = make_http_fetcher(http_options(remote, url));
  std::optional<std::string> out;
  std::optional<std::string> error;
  bool done = false;
  fetcher->fetch("summary", kMaxMetadataSize, [&](FetchResult&& r) {
    done = true;
    if (r.status == FetchResult::Status::ok) out = std::move(r.body);
    else if (r.status == FetchResult::Status::failed) error = r.error;
  });
  while (!done) fetcher->run_once();
  if (error) throw Error(*error);
  return out;
}

}  // namespace ot::store::remote
