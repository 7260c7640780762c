#include "store/remote/summary.hpp"

#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "base/format_size.hpp"
#include "base/sys.hpp"
#include "store/remote/glib_hash_order.hpp"

#include <endian.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <map>

namespace ot::store::remote {
namespace {

constexpr std::string_view kLastModified = "ostree.summary.last-modified";
constexpr std::string_view kExpires = "ostree.summary.expires";
constexpr std::string_view kCollectionId = "ostree.summary.collection-id";
constexpr std::string_view kMode = "ostree.summary.mode";
constexpr std::string_view kTombstones = "ostree.summary.tombstone-commits";
constexpr std::string_view kIndexedDeltas = "ostree.summary.indexed-deltas";
constexpr std::string_view kCommitTimestamp = "ostree.commit.timestamp";

gv::Value sv_dict(const std::vector<std::pair<std::string, gv::Value>>& entries) {
  gv::Children c;
  for (const auto& [k, v] : entries) c.push_back(gv::dict_entry(gv::str(k), gv::variant(v)));
  return gv::array("{sv}", std::move(c));
}

// Like a GVariantDict filled in insertion order: last value wins, entries
// come out in GLib's hash order.
gv::Value glib_ordered_dict(const std::vector<std::pair<std::string, gv::Value>>& inserted) {
  std::map<std::string, gv::Value> last;
  std::vector<std::string> order;
  for (const auto& [k, v] : inserted) {
    last.insert_or_assign(k, v);
    order.push_back(k);
  }
  std::vector<std::pair<std::string, gv::Value>> out;
  for (const auto& k : glib_str_hash_table_order(order)) out.emplace_back(k, last.at(k));
  return sv_dict(out);
}

// "2021-01-01T00:00:00+00", upstream's rendering of summary times (UTC).
std::string format_time(uint64_t seconds) {
  time_t t = time_t(seconds);
  struct tm tm {};
  if (!gmtime_r(&t, &tm)) return "invalid";
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+00", &tm);
  return buf;
}

const gv::Value& unwrap(const gv::Value& variant) { return variant.children().at(0); }

}  // namespace

const SummaryRef* Summary::find(std::string_view ref) const {
  auto it = std::lower_bound(refs.begin(), refs.end(), ref,
                             [](const SummaryRef& r, std::string_view n) { return r.name < n; });
  return it != refs.end() && it->name == ref ? &*it : nullptr;
}

std::string generate_summary(const Repo& repo, const SummaryMetadata& extra, uint64_t now) {
  if (repo.config().get("core", "collection-id"))
    throw Error("summary: repositories with a collection ID are not supported yet");
  // Local branches only, sorted by name, as upstream lists them.
  auto refs = repo.list_refs();
  std::erase_if(refs, [](const auto& r) { return r.first.find(':') != std::string::npos; });
  std::sort(refs.begin(), refs.end());

  gv::Children ref_entries;
  for (const auto& [name, csum] : refs) {
    auto bytes = repo.load_metadata(ObjectType::commit, csum);
    auto commit = with_context("ref " + name, [&] { return decode_commit(bytes); });
    auto meta = sv_dict({{std::string(kCommitTimestamp), gv::u64(htobe64(commit.timestamp))}});
    ref_entries.push_back(gv::tuple(
        {gv::str(name),
         gv::tuple({gv::u64(bytes.size()), gv::bytes(std::string(digest_bytes(csum))), std::move(meta)})}));
  }

  // Upstream starts from the user's entries, then sets its own keys.
  SummaryMetadata inserted = extra;
  inserted.emplace_back(std::string(kLastModified), gv::u64(htobe64(now)));
  bool tombstones = repo.config().get_bool("core", "tombstone-commits").value_or(false);
  inserted.emplace_back(std::string(kTombstones), gv::boolean(tombstones));
  inserted.emplace_back(std::string(kIndexedDeltas), gv::boolean(true));
  inserted.emplace_back(std::string(kMode), gv::str(std::string(repo_mode_name(repo.mode()))));

  auto summary = gv::tuple({gv::array("(s(taya{sv}))", std::move(ref_entries)), glib_ordered_dict(inserted)});
  return gv::encode(summary);
}

void update_summary(Repo& repo, const SummaryMetadata& extra) {
  auto bytes = generate_summary(repo, extra, uint64_t(::time(nullptr)));
  auto durability = repo.fsync_enabled() ? Durability::fsync : Durability::nosync;
  write_file_atomic(repo.dfd(), "summary", bytes, 0644, durability);
  // A signature of the previous summary would make clients reject this one.
  sys::unlink_at_opt(repo.dfd(), "summary.sig");
}

Summary parse_summary(std::string_view bytes) {
  return with_context("Invalid summary", [&] {
    auto v = gv::decode(kSummaryType, bytes);
    Summary s;
    for (const auto& entry : v[0].children()) {
      SummaryRef r;
      r.name = entry[0].str();
      if (!is_valid_ref_name(r.name)) throw Error("invalid ref name '" + r.name + "'");
      const auto& info = entry[1];
      r.commit_size = info[0].u64();
      const auto& csum = info[1].str();
      if (csum.size() != 32) throw Error("ref '" + r.name + "' has a checksum of " + std::to_string(csum.size()) + " bytes");
      std::copy(csum.begin(), csum.end(), reinterpret_cast<char*>(r.checksum.data()));
      r.metadata = info[2];
      s.refs.push_back(std::move(r));
    }
    std::sort(s.refs.begin(), s.refs.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    s.metadata = v[1];
    return s;
  });
}

std::string format_summary_view(std::string_view bytes) {
  auto v = with_context("Invalid summary", [&] { return gv::decode(kSummaryType, bytes); });
  std::string out;
  for (const auto& entry : v[0].children()) {
    const auto& info = entry[1];
    const auto& csum = info[1].str();
    out += "* " + entry[0].str() + "\n";
    out += "    Latest Commit (" + format_size(info[0].u64()) + "):\n";
    Digest d{};
    std::copy_n(csum.begin(), std::min<size_t>(csum.size(), 32), reinterpret_cast<char*>(d.data()));
    out += "      " + (csum.size() == 32 ? digest_hex(d) : std::string("(invalid)")) + "\n";
    for (const auto& kv : info[2].children()) {
      const auto& key = kv[0].str();
      const auto& val = unwrap(kv[1]);
      if (key == kCommitTimestamp && val.type == "t")
        out += "    Timestamp (" + key + "): " + format_time(be64toh(val.u64())) + "\n";
      else
        out += "    " + key + ": " + gv::print(val, false) + "\n";
    }
    out += "\n";
  }
  for (const auto& kv : v[1].children()) {
    const auto& key = kv[0].str();
    const auto& val = unwrap(kv[1]);
    if (key == kLastModified && val.type == "t")
      out += "Last-Modified (" + key + "): " + format_time(be64toh(val.u64())) + "\n";
    else if (key == kExpires && val.type == "t")
      out += "Expires (" + key + "): " + format_time(be64toh(val.u64())) + "\n";
    else if (key == kCollectionId && val.type == "s")
      out += "Collection ID (" + key + "): " + val.str() + "\n";
    else if (key == kMode && val.type == "s")
      out += "Repository Mode (" + key + "): " + val.str() + "\n";
    else if (key == kTombstones && val.type == "b")
      out += "Has Tombstone Commits (" + key + "): " + (val.boolean() ? "Yes" : "No") + "\n";
    else
      out += key + ": " + gv::print(val, false) + "\n";
  }
  return out;
}

std::string format_summary_raw(std::string_view bytes) {
  auto v = with_context("Invalid summary", [&] { return gv::decode(kSummaryType, bytes); });
  // Upstream treats the summary as big-endian and swaps it before printing.
  if constexpr (__BYTE_ORDER == __LITTLE_ENDIAN) v = gv::byteswap(v);
  return gv::print(v, true) + "\n";
}

}  // namespace ot::store::remote
