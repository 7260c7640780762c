// The streaming content writer and the chunked deflate behind archive mode:
// large objects get the checksums upstream gives them, read back intact (with
// zlib, as upstream reads them), and nothing is left behind on failure.
#include "base/sys.hpp"
#include "base/temp_dir.hpp"
#include "store/chunked_deflate.hpp"
#include "store/commit.hpp"
#include "store/content.hpp"
#include "store/content_writer.hpp"
#include "scratch.hpp"

#include <catch2/catch.hpp>
#include <libdeflate.h>
#include <zlib.h>

#include <random>

using namespace ot;
using namespace ot::store;

namespace {

// Half text-like (compressible), half random: exercises both kinds of block.
std::string sample(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s;
  s.reserve(n);
  while (s.size() < n) {
    if ((s.size() / 100000) % 2 == 0)
      s += "Package: libfoo" + std::to_string(rng() % 1000) + "\nVersion: 1.2." + std::to_string(rng() % 50) + "\n";
    else
      s.push_back(char(rng()));
  }
  s.resize(n);
  return s;
}

std::string zlib_inflate(std::string_view in) {
  z_stream zs{};
  REQUIRE(inflateInit2(&zs, -15) == Z_OK);
  std::string out;
  char buf[65536];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = uInt(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  }
  CHECK(rc == Z_STREAM_END);
  CHECK(zs.avail_in == 0);  // the stream ends where the data does
  inflateEnd(&zs);
  return out;
}

FileMeta regular(uint32_t mode = S_IFREG | 0644) { return FileMeta{0, 0, mode, "", {}}; }

// Files in the repo's tmp/ (left behind by a failed write).
size_t tmp_objects(const Repo& repo) {
  size_t n = 0;
  for (auto& e : sys::list_dir(repo.tmp_dfd()))
    if (e.name.starts_with("tmpobject-")) ++n;
  return n;
}

}  // namespace

TEST_CASE("chunked deflate joins chunks into one stream that zlib and libdeflate inflate") {
  for (size_t size : {size_t(0), size_t(1), size_t(70000), size_t(3 * 100000 + 17), size_t(1 << 20)}) {
    for (size_t chunk : {size_t(1000), size_t(65536), size_t(200000)}) {
      auto data = sample(size, unsigned(size + chunk));
      ChunkedDeflate d(6);
      std::string stream;
      size_t off = 0;
      do {
        size_t n = std::min(chunk, data.size() - off);
        bool last = off + n == data.size();
        stream += d.compress(std::string_view(data).substr(off, n), last);
        off += n;
      } while (off < data.size());
      INFO("size " << size << ", chunk " << chunk);
      CHECK(zlib_inflate(stream) == data);
      std::string out(data.size(), '\0');
      size_t actual = 0;
      auto* dec = libdeflate_alloc_decompressor();
      CHECK(libdeflate_deflate_decompress(dec, stream.data(), stream.size(), out.data(), out.size(), &actual) ==
            LIBDEFLATE_SUCCESS);
      libdeflate_free_decompressor(dec);
      CHECK(actual == data.size());
      CHECK(out == data);
    }
  }
}

TEST_CASE("a single chunk is libdeflate's whole-buffer output, after the prefix") {
  auto data = sample(300000, 7);
  ChunkedDeflate d(6);
  auto out = std::string(d.compress(data, true, "HDR"));
  CHECK(out.substr(0, 3) == "HDR");
  CHECK(out.substr(3) == compress_payload(data, 6));
}

TEST_CASE("streamed large objects match whole-buffer checksums and read back in every mode") {
  auto content = sample(2 * kContentChunk + 12345, 1);
  auto meta = regular(S_IFREG | 0755);
  auto expected = content_checksum(meta, content);
  for (auto mode : {RepoMode::bare, RepoMode::archive, RepoMode::bare_user, RepoMode::bare_user_only}) {
    INFO("mode " << repo_mode_name(mode));
    test::Scratch s;
    auto repo = Repo::init(s.fd(), "repo", mode);
    repo.set_fsync(false);
    ContentWriter w(repo, meta, content.size());
    // Pieces of odd sizes, so chunk boundaries fall inside them.
    for (size_t off = 0, step = 777; off < content.size(); off += step, step = step * 3 % 500009 + 1)
      w.write(std::string_view(content).substr(off, std::min(step, content.size() - off)));
    CHECK(w.written() == content.size());
    CHECK(w.finish() == expected);
    auto obj = load_content(repo, expected);
    CHECK(obj.size == content.size());
    CHECK(read_content(obj) == content);
    CHECK(verify_content(obj, expected));
    CHECK(tmp_objects(repo) == 0);
  }
}

TEST_CASE("a commit with large files has upstream's checksum, and upstream's fsck accepts the objects") {
  test::Scratch s;
  sys::mkdir_at(s.fd(), "tree", 0755);
  {
    auto tree = sys::open_dir(s.fd(), "tree");
    sys::fchmod(tree.get(), 0755);
    for (auto [name, size] : {std::pair{"big", 3 * kContentChunk + 1}, std::pair{"exact", 2 * kContentChunk},
                              std::pair{"small", size_t(1000)}}) {
      auto fd = sys::open_at(tree.get(), name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      sys::write_all(fd.get(), sample(size, unsigned(size)));
      sys::fchmod(fd.get(), 0644);
    }
  }
  for (const char* mode : {"archive", "bare-user"}) {
    INFO("mode " << mode);
    std::string name = std::string("repo-") + mode;
    auto repo = Repo::init(s.fd(), name, *repo_mode_from_name(mode));
    repo.set_fsync(false);
    CommitRequest req;
    req.trees = {{TreeSource::Kind::dir, s / "tree"}};
    req.branch = "big";
    req.subject = "s";
    req.timestamp = 1622548800;  // 2021-06-01T12:00:00Z
    auto ours = commit(repo, req).commit;
    s.ref_init("ref-" + std::string(mode), mode);
    auto ref = test::sh_out(s.ref("ref-" + std::string(mode), "commit -b big --tree=dir=" + (s / "tree") +
                                                                 " -s s --timestamp=2021-06-01T12:00:00Z"));
    CHECK(digest_hex(ours) == ref);
    // Upstream reads every object back (through zlib in archive mode) and re-hashes it.
    test::sh(s.ref(name, "fsck --quiet >/dev/null"));
  }
}

TEST_CASE("a streamed object that is short, long or corrupt never lands") {
  test::Scratch s;
  auto repo = Repo::init(s.fd(), "repo", RepoMode::archive);
  auto content = sample(kContentChunk + 10, 3);
  auto meta = regular();
  SECTION("short") {
    ContentWriter w(repo, meta, content.size());
    w.write(std::string_view(content).substr(0, content.size() - 1));
    CHECK_THROWS_WITH(w.finish(), Catch::Contains("shorter than the announced"));
  }
  SECTION("long") {
    ContentWriter w(repo, meta, content.size() - 1);
    CHECK_THROWS_WITH(w.write(content), Catch::Contains("longer than the announced"));
  }
  SECTION("corrupt") {
    ContentWriter w(repo, meta, content.size());
    w.write(content);
    Digest wrong{};
    CHECK_THROWS_WITH(w.finish(wrong), Catch::Contains("Corrupted file object"));
  }
  SECTION("abandoned") {
    ContentWriter w(repo, meta, content.size());
    w.write(std::string_view(content).substr(0, 100));
  }
  CHECK(!repo.has_object(ObjectType::file, content_checksum(meta, content)));
  CHECK(tmp_objects(repo) == 0);
  CHECK(repo.list_objects().empty());
}
