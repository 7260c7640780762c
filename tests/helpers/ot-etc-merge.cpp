// Lets shell tests run the /etc merge of deploy/ on directories they built,
// before (and independently of) `ostree admin deploy`:
//   ot-etc-merge merge OLD_DEPLOYMENT NEW_DEPLOYMENT
//   ot-etc-merge defaults NEW_DEPLOYMENT
//   ot-etc-merge config-diff DEPLOYMENT
// merge and defaults print upstream's message, then how content was copied.
#include "base/error.hpp"
#include "base/sys.hpp"
#include "deploy/etc_merge.hpp"

#include <fcntl.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

void print_stats(const ot::deploy::CopyStats& s) {
  std::printf("copied: %llu reflinked, %llu copy_file_range, %llu read_write, %llu bytes\n",
              static_cast<unsigned long long>(s.reflinked), static_cast<unsigned long long>(s.kernel_copied),
              static_cast<unsigned long long>(s.buffer_copied), static_cast<unsigned long long>(s.bytes));
}

int usage() {
  std::fprintf(stderr, "usage: ot-etc-merge merge OLD NEW | defaults NEW | config-diff DEPLOYMENT\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  const std::string cmd = argv[1];
  try {
    auto first = ot::sys::open_dir(AT_FDCWD, argv[2]);
    if (cmd == "merge" && argc == 4) {
      auto second = ot::sys::open_dir(AT_FDCWD, argv[3]);
      ot::deploy::CopyStats stats;
      auto changes = ot::deploy::merge_etc(first.get(), second.get(), stats);
      std::printf("%s\n", ot::deploy::etc_changes_message(changes).c_str());
      print_stats(stats);
    } else if (cmd == "defaults" && argc == 3) {
      ot::deploy::CopyStats stats;
      ot::deploy::copy_etc_defaults(first.get(), stats);
      print_stats(stats);
    } else if (cmd == "config-diff" && argc == 3) {
      for (auto& line : ot::deploy::config_diff_lines(first.get())) std::fputs(line.c_str(), stdout);
    } else {
      return usage();
    }
  } catch (const ot::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
