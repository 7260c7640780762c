#pragma once
// Problems the filesystem answers with EIO (a missing or corrupt object) are
// also reported as one line each, so the user learns which object to fetch
// or repair. Safe to call from any FUSE worker thread.
#include "store/checksum.hpp"

#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

namespace ot::fuse {

// Receives one line of text, without a trailing newline.
using LogSink = std::function<void(std::string_view line)>;

class Log {
public:
  explicit Log(LogSink sink) : sink_(std::move(sink)) {}

  // Emits a line.
  void line(std::string_view text);
  // Emits a line the first time `object` is reported; later reports of the
  // same object are dropped, so a tool retrying a broken file cannot flood
  // the log.
  void once(const store::Digest& object, std::string_view text);

private:
  std::mutex mutex_;
  LogSink sink_;
  std::set<store::Digest> reported_;
};

}  // namespace ot::fuse
