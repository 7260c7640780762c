#include "fuse/log.hpp"

namespace ot::fuse {

void Log::line(std::string_view text) {
  std::lock_guard lock(mutex_);
  if (sink_) sink_(text);
}

void Log::once(const store::Digest& object, std::string_view text) {
  std::lock_guard lock(mutex_);
  if (!reported_.insert(object).second) return;
  if (sink_) sink_(text);
}

}  // namespace ot::fuse
