#include "fuse/archive_reader.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"
#include "store/content.hpp"
#include "store/objects.hpp"
#include "store/repo.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <random>

using namespace ot;
using namespace ot::fuse;

namespace {

// Deterministic content deflate can do something with: text lines mixed
// with runs of noise, so blocks and compression ratios vary.
std::string sample(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s;
  s.reserve(n + 64);
  while (s.size() < n) {
    if (rng() % 4 == 0) {
      for (int i = 0; i < 64; ++i) s += char(rng());
    } else {
      s += "line " + std::to_string(rng() % 100000) + " of a somewhat compressible text\n";
    }
  }
  s.resize(n);
  return s;
}

struct ArchiveRepo {
  TempDir dir{AT_FDCWD, "/tmp/ot-unit-fuse-"};
  store::Repo repo = store::Repo::init(dir.fd(), "repo", store::RepoMode::archive);

  ArchiveObject add(const std::string& content) {
    store::FileMeta meta;
    meta.mode = S_IFREG | 0644;
    auto csum = store::write_content(repo, meta, content);
    auto obj = store::load_content(repo, csum);
    return ArchiveObject{csum, obj.size, obj.payload_offset};
  }

  // A hand-made .filez declaring `declared` bytes with `payload` after the
  // header, under a made-up checksum.
  ArchiveObject forge(uint8_t id, uint64_t declared, const std::string& payload) {
    store::Digest csum{};
    csum.fill(id);
    store::FileMeta meta;
    meta.mode = S_IFREG | 0644;
    std::string header = store::size_prefixed(store::encode_archive_file_header(meta, declared));
    auto path = store::loose_object_path(csum, store::ObjectType::file, store::RepoMode::archive);
    sys::mkdir_at_opt(repo.objects_dfd(), path.substr(0, 2), 0755);
    auto fd = sys::open_at(repo.objects_dfd(), path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    sys::write_all(fd.get(), header + payload);
    return ArchiveObject{csum, declared, header.size()};
  }

  void truncate(const ArchiveObject& obj, uint64_t size) {
    auto path = store::loose_object_path(obj.checksum, store::ObjectType::file, store::RepoMode::archive);
    auto fd = sys::open_at(repo.objects_dfd(), path, O_WRONLY);
    REQUIRE(::ftruncate(fd.get(), off_t(size)) == 0);
  }
};

std::string read_all(ArchiveReader& reader, const ArchiveObject& obj, uint64_t off, size_t len) {
  std::string out;
  for (auto& p : reader.read(obj, off, len)) out.append(p.chunk->data() + p.offset, p.length);
  return out;
}

int errno_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.errnum();
  }
  return 0;
}

const ArchiveLimits kSmallChunks{.whole_object_max = 64 * 1024, .chunk = 64 * 1024,
                                 .max_streams = 4, .max_restart_points = 16};

}  // namespace

TEST_CASE("archive reader inflates a small object whole, once") {
  ArchiveRepo r;
  std::string content = sample(300 * 1024, 1);
  auto obj = r.add(content);
  ChunkCache cache(64 << 20);
  ArchiveReader reader(r.repo.objects_dfd(), cache);
  CHECK(read_all(reader, obj, 0, 4096) == content.substr(0, 4096));
  CHECK(read_all(reader, obj, 123457, 70000) == content.substr(123457, 70000));
  CHECK(read_all(reader, obj, content.size() - 10, 4096) == content.substr(content.size() - 10));
  CHECK(read_all(reader, obj, content.size(), 4096).empty());
  CHECK(cache.size() == 1);
  CHECK(reader.stream_restarts() == 0);
}

TEST_CASE("archive reader reads a large object sequentially with one stream") {
  ArchiveRepo r;
  std::string content = sample(3 << 20, 2);
  auto obj = r.add(content);
  ChunkCache cache(64 << 20);
  ArchiveReader reader(r.repo.objects_dfd(), cache, kSmallChunks);
  std::string got;
  // Reads that do not line up with chunks, as a reader at odd offsets does.
  for (uint64_t off = 0; off < content.size(); off += 100000) got += read_all(reader, obj, off, 100000);
  CHECK(got == content);
  CHECK(reader.stream_restarts() == 1);
  CHECK(reader.streamed_bytes() == content.size());
  std::string streamed;
  reader.for_each_chunk(obj, [&](std::string_view b) { streamed += b; });
  CHECK(streamed == content);
}

TEST_CASE("archive reader serves random reads of a large object from restart points") {
  ArchiveRepo r;
  std::string content = sample(4 << 20, 3);
  auto obj = r.add(content);
  // A cache too small to hold the object: every read below inflates.
  ChunkCache cache(128 * 1024);
  ArchiveReader reader(r.repo.objects_dfd(), cache, kSmallChunks);
  reader.for_each_chunk(obj, [](std::string_view) {});  // records restart points
  const uint64_t before = reader.streamed_bytes();

  std::mt19937_64 rng(4);
  const int reads = 60;
  for (int i = 0; i < reads; ++i) {
    uint64_t off = rng() % content.size();
    size_t len = 1 + rng() % 200000;
    INFO("read " << len << " at " << off);
    REQUIRE(read_all(reader, obj, off, len) == content.substr(off, len));
  }
  // Each read inflates at most a restart span (size / 16 = 256 KiB, plus
  // the deflate block it ends in) and its own chunks; from the beginning it
  // would average 2 MiB.
  const uint64_t per_read = (reader.streamed_bytes() - before) / reads;
  CHECK(per_read < 700 * 1024);
}

TEST_CASE("archive reader never serves a corrupt object") {
  ArchiveRepo r;
  ChunkCache cache(64 << 20);
  ArchiveReader whole(r.repo.objects_dfd(), cache);
  ArchiveReader chunked(r.repo.objects_dfd(), cache, kSmallChunks);
  const std::string content = sample(1 << 20, 5);
  const std::string deflated = store::compress_payload(content, 6);

  SECTION("the header promises more than the payload holds") {
    auto small = r.forge(1, content.size() + 10, deflated);
    CHECK(errno_of([&] { whole.read(small, 0, 10); }) == EIO);
    auto big = r.forge(2, content.size() + 10, deflated);
    CHECK(read_all(chunked, big, 0, 10) == content.substr(0, 10));  // early chunks are fine
    CHECK(errno_of([&] { chunked.read(big, content.size() - 5, 10); }) == EIO);
  }
  SECTION("the payload holds more than the header says") {
    auto small = r.forge(3, content.size() - 10, deflated);
    CHECK(errno_of([&] { whole.read(small, 0, 10); }) == EIO);
    auto big = r.forge(4, content.size() - 10, deflated);
    CHECK(errno_of([&] { chunked.read(big, content.size() - 100, 10); }) == EIO);
  }
  SECTION("a truncated payload") {
    auto obj = r.add(content);
    r.truncate(obj, obj.payload_offset + deflated.size() / 2);
    CHECK(errno_of([&] { whole.read(obj, 0, 10); }) == EIO);
    CHECK(errno_of([&] { chunked.read(obj, content.size() - 10, 10); }) == EIO);
  }
  SECTION("garbage instead of deflate") {
    std::string garbage = deflated;
    for (size_t i = 100; i < garbage.size(); i += 7) garbage[i] = char(garbage[i] ^ 0x5a);
    auto small = r.forge(5, content.size(), garbage);
    CHECK(errno_of([&] { whole.read(small, 0, content.size()); }) == EIO);
    auto big = r.forge(6, content.size(), garbage);
    CHECK(errno_of([&] { chunked.for_each_chunk(big, [](std::string_view) {}); }) == EIO);
  }
  SECTION("a missing object") {
    store::Digest none{};
    none.fill(0xee);
    CHECK(errno_of([&] { whole.read(ArchiveObject{none, 100, 20}, 0, 10); }) == ENOENT);
  }
}
