#include "base/error.hpp"
#include "rofiles/options.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using ot::rofiles::Options;
using ot::rofiles::parse_options;
using ot::rofiles::SharedFiles;

namespace {

Options parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv{"rofiles-fuse"};
  for (const char* a : args) argv.push_back(a);
  return parse_options(static_cast<int>(argv.size()), argv.data());
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  for (const auto& x : v)
    if (x == s) return true;
  return false;
}

}  // namespace

TEST_CASE("the two positional arguments are source and mountpoint", "[options]") {
  auto o = parse({"src", "mnt"});
  CHECK(o.source == "src");
  CHECK(o.mountpoint == "mnt");
  CHECK(o.shared_files == SharedFiles::refuse);
  CHECK_FALSE(o.foreground);
}

TEST_CASE("options may come anywhere, as with upstream's fuse_opt parsing", "[options]") {
  auto o = parse({"-f", "src", "--copyup", "mnt", "-s"});
  CHECK(o.source == "src");
  CHECK(o.mountpoint == "mnt");
  CHECK(o.shared_files == SharedFiles::copy_up);
  CHECK(o.foreground);
  CHECK(o.single_thread);
}

TEST_CASE("cache timeouts come from -o; other -o options go to libfuse", "[options]") {
  auto o = parse({"-o", "entry_timeout=30,allow_other,attr_timeout=0.5", "src", "mnt"});
  CHECK(o.passthrough);
  CHECK(o.timeouts.entry == 30.0);
  CHECK(o.timeouts.attr == 0.5);
  CHECK(o.timeouts.negative == 10.0);
  CHECK(o.fuse_args == std::vector<std::string>{"rofiles-fuse", "-o", "allow_other"});
  CHECK_FALSE(has(o.fuse_args, "src"));
}

TEST_CASE("option -o no_passthrough keeps file data on the classic path", "[options]") {
  auto o = parse({"-o", "no_passthrough", "src", "mnt"});
  CHECK_FALSE(o.passthrough);
  CHECK(o.fuse_args == std::vector<std::string>{"rofiles-fuse"});
}

TEST_CASE("upstream's high-level libfuse options are accepted and dropped", "[options]") {
  auto o = parse({"-o", "use_ino,kernel_cache,hard_remove,ac_attr_timeout=3", "src", "mnt"});
  CHECK(o.fuse_args == std::vector<std::string>{"rofiles-fuse"});
}

TEST_CASE("option -d turns on the protocol trace and stays in the foreground", "[options]") {
  auto o = parse({"-d", "src", "mnt"});
  CHECK(o.debug);
  CHECK(o.foreground);
  CHECK(has(o.fuse_args, "-d"));
}

TEST_CASE("bad command lines are one-line errors", "[options]") {
  auto message = [](std::initializer_list<const char*> args) -> std::string {
    try {
      parse(args);
    } catch (const ot::Error& e) {
      CHECK(e.errnum() == EINVAL);
      return e.what();
    }
    return "accepted";
  };
  CHECK(message({}) == "missing SRCDIR (see --help)");
  CHECK(message({"src"}) == "missing MOUNTPOINT (see --help)");
  CHECK(message({"a", "b", "c"}) == "unexpected argument 'c'");
  CHECK(message({"--frobnicate", "a", "b"}) == "unknown option '--frobnicate'");
  CHECK(message({"-o", "attr_timeout=-1", "a", "b"}) ==
        "cache timeouts must be zero or more seconds");
}

TEST_CASE("options --help and --version need no other argument", "[options]") {
  CHECK(parse({"--help"}).show_help);
  CHECK(parse({"-h"}).show_help);
  CHECK(parse({"-V"}).show_version);
}
