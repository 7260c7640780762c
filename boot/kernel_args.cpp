#include "boot/kernel_args.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"

#include <algorithm>
#include <fcntl.h>

namespace ot::boot {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

}  // namespace

KernelArgs::Entry KernelArgs::split(std::string_view arg) {
  const auto eq = arg.find('=');
  if (eq == std::string_view::npos) return {std::string(arg), std::nullopt};
  return {std::string(arg.substr(0, eq)), std::string(arg.substr(eq + 1))};
}

KernelArgs KernelArgs::parse(std::string_view cmdline) {
  KernelArgs out;
  std::string current;
  bool quoted = false;
  for (char c : cmdline) {
    if (c == '"') quoted = !quoted;
    if (!quoted && is_space(c)) {
      if (!current.empty()) out.append(current);
      current.clear();
      continue;
    }
    current += c;
  }
  if (!current.empty()) out.append(current);
  return out;
}

void KernelArgs::append(std::string_view arg) { entries_.push_back(split(arg)); }

void KernelArgs::append_if_missing(std::string_view arg) {
  if (!contains(arg)) append(arg);
}

void KernelArgs::replace(std::string_view arg) {
  Entry e = split(arg);
  auto first = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& x) { return x.key == e.key; });
  if (first == entries_.end()) {
    entries_.push_back(std::move(e));
    return;
  }
  // The first occurrence takes the new value; later ones go.
  first->value = std::move(e.value);
  const auto index = first - entries_.begin();
  entries_.erase(std::remove_if(entries_.begin() + index + 1, entries_.end(),
                                [&](const Entry& x) { return x.key == first->key; }),
                 entries_.end());
}

void KernelArgs::replace_value(std::string_view arg) {
  const Entry e = split(arg);
  std::vector<Entry*> same;
  for (auto& x : entries_)
    if (x.key == e.key) same.push_back(&x);
  if (same.empty()) throw Error("No key '" + e.key + "' found");
  if (e.value && e.value->find('=') != std::string::npos) {
    const Entry old_new = split(*e.value);  // OLD=NEW
    for (Entry* x : same) {
      if (x->value == old_new.key) {
        x->value = old_new.value;
        return;
      }
    }
    throw Error("No karg '" + e.key + "=" + old_new.key + "' found");
  }
  if (same.size() > 1) throw Error("Multiple values for key '" + e.key + "' found");
  same[0]->value = e.value;
}

void KernelArgs::remove(std::string_view arg) {
  const Entry e = split(arg);
  std::vector<size_t> same;
  for (size_t i = 0; i < entries_.size(); ++i)
    if (entries_[i].key == e.key) same.push_back(i);
  if (same.empty()) throw Error("No key '" + e.key + "' found");
  if (same.size() == 1) {
    // A bare KEY removes the only occurrence whatever its value.
    if (e.value && entries_[same[0]].value != e.value)
      throw Error("No karg '" + e.key + "=" + *e.value + "' found");
    entries_.erase(entries_.begin() + static_cast<ptrdiff_t>(same[0]));
    return;
  }
  for (size_t i : same) {
    if (entries_[i].value == e.value) {
      entries_.erase(entries_.begin() + static_cast<ptrdiff_t>(i));
      return;
    }
  }
  if (!e.value) throw Error("Multiple values for key '" + std::string(arg) + "' found");
  throw Error("No karg '" + std::string(arg) + "' found");
}

void KernelArgs::remove_if_present(std::string_view arg) {
  if (contains(arg)) remove(arg);
}

bool KernelArgs::contains(std::string_view key_or_arg) const {
  const std::string key = split(key_or_arg).key;
  return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& x) { return x.key == key; });
}

std::optional<std::string> KernelArgs::get_last_value(std::string_view key) const {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
    if (it->key == key) return it->value;
  return std::nullopt;
}

std::vector<std::string> KernelArgs::to_list() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) out.push_back(e.value ? e.key + "=" + *e.value : e.key);
  return out;
}

std::string KernelArgs::to_string() const {
  std::string out;
  for (const auto& arg : to_list()) {
    if (!out.empty()) out += ' ';
    out += arg;
  }
  return out;
}

KernelArgs kernel_args_from_proc_cmdline(const std::string& path) {
  const std::string text = sys::read_file_at(AT_FDCWD, path);
  KernelArgs all = KernelArgs::parse(text);
  KernelArgs out;
  for (const auto& arg : all.to_list()) {
    if (arg.starts_with("BOOT_IMAGE=") || arg.starts_with("initrd=")) continue;
    out.append(arg);
  }
  return out;
}

}  // namespace ot::boot
