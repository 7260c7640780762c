#include "base/error.hpp"
#include "base/reflink_copy.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <random>
#include <string>

using ot::CopyMethod;

namespace {

std::string random_bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

struct Files {
  ot::UniqueFd tmp = ot::sys::open_dir(AT_FDCWD, "/tmp");
  ot::TempDir dir{tmp.get(), "reflink-copy-test-"};

  ot::UniqueFd make(const std::string& name, const std::string& content) {
    auto fd = ot::sys::open_at(dir.fd(), name, O_RDWR | O_CREAT | O_EXCL, 0644);
    ot::sys::write_all(fd.get(), content);
    return fd;
  }
  std::string read(const std::string& name) { return ot::sys::read_file_at(dir.fd(), name); }
};

}  // namespace

TEST_CASE("copy_file_data copies every byte with each method", "[reflink_copy]") {
  // 3 MiB + 17 bytes: several read/write buffers and an unaligned tail.
  const std::string content = random_bytes(3 * 1024 * 1024 + 17, 42);
  auto first = GENERATE(CopyMethod::reflink, CopyMethod::copy_file_range, CopyMethod::read_write);
  Files f;
  auto src = f.make("src", content);
  auto dst = f.make("dst", "");
  CopyMethod used = ot::copy_file_data(src.get(), dst.get(), first);
  CHECK(static_cast<int>(used) >= static_cast<int>(first));
  CHECK(f.read("dst") == content);
  if (first == CopyMethod::read_write) CHECK(used == CopyMethod::read_write);
}

TEST_CASE("copy_file_data ignores the source file position", "[reflink_copy]") {
  Files f;
  auto src = f.make("src", "0123456789");  // position is now at the end
  auto dst = f.make("dst", "");
  ot::copy_file_data(src.get(), dst.get(), CopyMethod::copy_file_range);
  CHECK(f.read("dst") == "0123456789");
}

TEST_CASE("copy_file_data leaves the destination as long as the source", "[reflink_copy]") {
  auto first = GENERATE(CopyMethod::copy_file_range, CopyMethod::read_write);
  Files f;
  auto src = f.make("src", "short");
  auto dst = f.make("dst", "a much longer previous content");
  ot::copy_file_data(src.get(), dst.get(), first);
  CHECK(f.read("dst") == "short");

  auto empty = f.make("empty", "");
  ot::copy_file_data(empty.get(), dst.get(), first);
  CHECK(f.read("dst").empty());
}

TEST_CASE("copy_file_data reports an unreadable source with its errno", "[reflink_copy]") {
  Files f;
  f.make("src", "data");
  auto wronly = ot::sys::open_at(f.dir.fd(), "src", O_WRONLY);
  auto dst = f.make("dst", "");
  try {
    ot::copy_file_data(wronly.get(), dst.get());
    FAIL("copy from a write-only fd succeeded");
  } catch (const ot::Error& e) {
    CHECK(e.errnum() == EBADF);
  }
}
