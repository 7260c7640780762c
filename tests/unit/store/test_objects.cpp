#include "store/objects.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>

using namespace ot::store;

TEST_CASE("dirmeta of a root-owned 0755 directory has upstream's well-known checksum") {
  DirMeta m{0, 0, S_IFDIR | 0755, {}};
  CHECK(digest_hex(sha256(encode_dirmeta(m))) ==
        "446a0ef11b7cc167f3b603e585c7eeeeb675faa412d5ec73f62988eb0b6c5488");
  CHECK(decode_dirmeta(encode_dirmeta(m)) == m);
}

TEST_CASE("content checksum hashes the size-prefixed header then the bytes") {
  // `echo "Hello world!" > hello.txt` committed by upstream as root, mode 0644.
  FileMeta m{0, 0, S_IFREG | 0644, "", {}};
  Sha256 h;
  h.update(size_prefixed(encode_file_header(m)));
  h.update("Hello world!\n");
  CHECK(digest_hex(h.finish()) == "29050f989f6313f6c5cdd0e72e48754827b8905a600972bbaa0505252285625b");
}

TEST_CASE("dirtree of the hello-world tree matches upstream's") {
  DirTree t;
  t.files.push_back({"hello.txt", digest_from_hex("29050f989f6313f6c5cdd0e72e48754827b8905a600972bbaa0505252285625b")});
  auto bytes = encode_dirtree(t);
  CHECK(digest_hex(sha256(bytes)) == "064d062997ffb274f15a80635d652811a48421d78c483b493a531b6b50d7f6a9");
  auto back = decode_dirtree(bytes);
  REQUIRE(back.files.size() == 1);
  CHECK(back.files[0].name == "hello.txt");
}

TEST_CASE("hostile dirtree names are rejected") {
  for (const char* bad : {"", ".", "..", "a/b", "/"}) {
    DirTree t;
    t.files.push_back({bad, Digest{}});
    CHECK_THROWS_WITH(decode_dirtree(encode_dirtree(t)), Catch::Contains("invalid file name"));
  }
  DirTree unsorted;
  unsorted.files.push_back({"b", Digest{}});
  unsorted.files.push_back({"a", Digest{}});
  CHECK_THROWS_WITH(decode_dirtree(encode_dirtree(unsorted)), Catch::Contains("not sorted"));
}

TEST_CASE("truncated or garbage metadata objects raise errors") {
  DirTree t;
  t.files.push_back({"hello.txt", Digest{}});
  auto bytes = encode_dirtree(t);
  for (size_t n = 0; n < bytes.size(); n++) {
    CHECK_THROWS(decode_dirtree(bytes.substr(0, n)));
  }
  CHECK_THROWS(decode_commit("garbage"));
}
