#include "store/fsck.hpp"

#include "base/error.hpp"
#include "base/parallel.hpp"
#include "base/sys.hpp"
#include "store/commit_partial.hpp"
#include "store/content.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <tuple>

#include <sys/stat.h>

namespace ot::store {
namespace {

std::string mismatch(std::string_view what, const Digest& expected, const Digest& actual) {
  return "Corrupted " + std::string(what) + " object; checksum expected='" + digest_hex(expected) + "' actual='" +
         digest_hex(actual) + "'";
}

// SHA-256 of the object's header and content, streamed for stored bytes so a
// large file is never held in memory.
Digest hash_content(const ContentObject& obj) {
  if (obj.compressed || obj.is_symlink() || obj.size == 0) return content_checksum(obj.meta, read_content(obj));
  Sha256 h;
  h.update(size_prefixed(encode_file_header(obj.meta)));
  thread_local std::string buf(1 << 20, '\0');
  uint64_t off = obj.payload_offset, left = obj.size;
  while (left > 0) {
    size_t got = sys::pread_full(obj.fd.get(), buf.data(), std::min<uint64_t>(left, buf.size()), off);
    if (got == 0) throw Error("file object shorter than its size", EIO);
    h.update(buf.data(), got);
    off += got;
    left -= got;
  }
  return h.finish();
}

std::string join_commits(const std::vector<Digest>& commits) {
  std::string out;
  for (auto& c : commits) out += (out.empty() ? "" : ", ") + digest_hex(c);
  return out;
}

struct Verdict {
  bool missing = false;
  std::string detail;
};

}  // namespace

std::optional<std::string> check_content_object(const Repo& repo, const Digest& csum) {
  std::optional<ContentObject> obj;
  try {
    obj = load_content_opt(repo, csum);
  } catch (const Error& e) {
    return std::string("Corrupted file object; ") + e.what();
  }
  if (!obj) throw Error("No such file object " + digest_hex(csum), ENOENT);
  uint32_t fmt = obj->meta.mode & S_IFMT;
  if (fmt != S_IFREG && fmt != S_IFLNK) return "Invalid file mode " + std::to_string(obj->meta.mode);
  Digest actual;
  try {
    actual = hash_content(*obj);
  } catch (const Error& e) {
    return std::string("Corrupted file object; ") + e.what();
  }
  if (actual != csum) return mismatch("file", csum, actual);
  return std::nullopt;
}

std::optional<std::string> check_metadata_object(const Repo& repo, ObjectType type, const Digest& csum) {
  auto bytes = repo.load_metadata_opt(type, csum);
  if (!bytes)
    throw Error("No such metadata object " + digest_hex(csum) + "." + std::string(object_type_name(type)), ENOENT);
  // Detached metadata is named after its commit, not its own hash.
  if (type != ObjectType::commit_meta) {
    Digest actual = sha256(*bytes);
    if (actual != csum) return mismatch(object_type_name(type), csum, actual);
  }
  try {
    switch (type) {
      case ObjectType::commit:
        decode_commit(*bytes);
        break;
      case ObjectType::dir_tree:
        decode_dirtree(*bytes);
        break;
      case ObjectType::dir_meta: {
        auto m = decode_dirmeta(*bytes);
        if (!S_ISDIR(m.mode)) return "Invalid directory metadata mode " + std::to_string(m.mode);
        break;
      }
      default:
        gv::decode(metadata_variant_type(type), *bytes);
        break;
    }
  } catch (const Error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

std::string FsckProblem::describe() const {
  if (missing) return "Object missing in commits " + join_commits(commits) + ": " + object.str();
  std::string what = object.type == ObjectType::file ? "content object " + digest_hex(object.checksum) : object.str();
  return "In commits " + join_commits(commits) + ": fsck " + what + ": " + detail;
}

std::optional<std::string> FsckReport::error_message() const {
  if (stopped_early && !ref_problems.empty()) return ref_problems.front().message;
  if (stopped_early && !problems.empty()) return problems.back().describe();
  if (corruption_found()) return std::string("Repository corruption encountered");
  if (partial_by_fsck > 0) return std::to_string(partial_by_fsck) + " partial commits from fsck-detected corruption";
  return std::nullopt;
}

FsckReport fsck(Repo& repo, const FsckOptions& opts) {
  FsckReport report;

  // 1. Every ref must name a commit that loads.
  for (auto& [ref, commit] : repo.list_refs()) {
    std::string why;
    if (auto bytes = repo.load_metadata_opt(ObjectType::commit, commit)) {
      try {
        decode_commit(*bytes);
      } catch (const Error& e) {
        why = e.what();
      }
    } else {
      why = "No such metadata object " + digest_hex(commit) + ".commit";
    }
    if (why.empty()) continue;
    std::string name = parse_refspec(ref).second;
    report.ref_problems.push_back({ref, commit, "Loading commit for ref " + name + ": " + why});
  }
  if (!report.ref_problems.empty() && !opts.all) {
    report.stopped_early = true;
    return report;
  }

  // 2. Every commit object, except those already known to be incomplete.
  std::vector<Digest> commits;
  for (auto& [csum, type] : repo.list_objects()) {
    if (type != ObjectType::commit) continue;
    if (auto reason = commit_partial_reason(repo, csum)) {
      report.partial_skipped++;
      if (*reason == PartialReason::fsck) report.partial_by_fsck++;
      continue;
    }
    commits.push_back(csum);
  }
  std::sort(commits.begin(), commits.end());
  report.commits_checked = commits.size();

  // 3. Walk them; missing metadata shows up here already.
  Reachability reach(repo, RecordParents::yes);
  for (auto& c : commits) reach.add_commit(c, 0);
  ObjectSet known_missing;
  for (auto& p : reach.problems()) {
    if (!p.missing) continue;  // malformed: re-hashing below says what is wrong with it
    known_missing.insert(p.object);
    report.problems.push_back({p.object, true, reach.commits_containing(p.object), p.message, false});
  }

  // 4. Re-hash everything they need, on every core; objects are independent.
  std::vector<ObjectName> todo;
  todo.reserve(reach.objects().size());
  for (auto& o : reach.objects())
    if (!known_missing.count(o)) todo.push_back(o);
  std::sort(todo.begin(), todo.end(), [](const ObjectName& a, const ObjectName& b) {
    return std::tie(a.type, a.checksum) < std::tie(b.type, b.checksum);
  });
  std::vector<std::optional<Verdict>> verdicts(todo.size());
  std::atomic<bool> stop{false};
  std::atomic<size_t> done{0};
  std::mutex progress_mutex;
  const bool stop_at_corrupt = !opts.all && !opts.delete_corrupt;
  parallel_for(todo.size(), opts.threads, [&](size_t i) {
    if (stop.load(std::memory_order_relaxed)) return;
    const ObjectName& o = todo[i];
    try {
      auto why = o.type == ObjectType::file ? check_content_object(repo, o.checksum)
                                            : check_metadata_object(repo, o.type, o.checksum);
      if (why) {
        verdicts[i] = Verdict{false, std::move(*why)};
        if (stop_at_corrupt) stop = true;
      }
    } catch (const Error& e) {
      if (e.errnum() != ENOENT) throw;
      verdicts[i] = Verdict{true, e.what()};
    }
    size_t n = ++done;
    if (opts.progress) {
      std::lock_guard lock(progress_mutex);
      opts.progress(n, todo.size());
    }
  });
  report.objects_checked = done;
  report.stopped_early = stop;
  for (size_t i = 0; i < todo.size(); i++) {
    if (!verdicts[i]) continue;
    report.problems.push_back(
        {todo[i], verdicts[i]->missing, reach.commits_containing(todo[i]), std::move(verdicts[i]->detail), false});
  }

  // 5. --delete, then mark what is now incomplete partial, so a pull refetches it.
  std::set<Digest> partial;
  for (auto& p : report.problems) {
    if (!p.missing && opts.delete_corrupt) {
      repo.delete_object(p.object.type, p.object.checksum);
      p.deleted = true;
    }
    if (p.missing || p.deleted) partial.insert(p.commits.begin(), p.commits.end());
  }
  if (opts.mark_partial) {
    for (auto& c : partial) mark_commit_partial(repo, c, PartialReason::fsck);
    report.marked_partial.assign(partial.begin(), partial.end());
  }
  return report;
}

}  // namespace ot::store
