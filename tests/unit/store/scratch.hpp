#pragma once
// Shared by the store tests: a scratch directory removed afterwards, shell
// commands that must succeed, and the reference ostree (upstream 2022.7) to
// build repositories our library has to read.
#include "base/sys.hpp"
#include "base/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace ot::test {

// $REF_OSTREE, else Debian's /usr/bin/ostree.
inline std::string ref_ostree() {
  const char* env = std::getenv("REF_OSTREE");
  return env && *env ? env : "/usr/bin/ostree";
}

// Runs cmd with sh; the test fails (naming cmd) unless it exits 0.
inline void sh(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  INFO("command: " << cmd);
  REQUIRE(rc == 0);
}

// Runs cmd with sh and returns its stdout with the final newline dropped.
inline std::string sh_out(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(cmd.c_str(), "r"), ::pclose);
  REQUIRE(p);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p.get())) > 0) out.append(buf, n);
  int rc = ::pclose(p.release());
  INFO("command: " << cmd);
  REQUIRE(rc == 0);
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// A fresh directory under /tmp, removed with everything in it at scope exit.
struct Scratch {
  TempDir dir{AT_FDCWD, "/tmp/ot-unit-"};
  int fd() const { return dir.fd(); }
  // Absolute path of name inside the scratch directory.
  std::string operator/(const std::string& name) const { return dir.name() + "/" + name; }
  // Creates repo with the reference binary; fsync off, or the reference
  // spends seconds per commit waiting for the disk.
  void ref_init(const std::string& repo, const std::string& mode) const {
    sh(ref(repo, "init --mode=" + mode) + " && " + ref(repo, "config set core.fsync false"));
  }
  // `ostree --repo=<scratch>/<repo> <args>` with the reference binary.
  std::string ref(const std::string& repo, const std::string& args) const {
    return ref_ostree() + " --repo=" + (*this / repo) + " " + args;
  }
};

}  // namespace ot::test
