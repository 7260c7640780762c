#include "base/gkeyfile_text.hpp"

#include <algorithm>

namespace ot {
namespace {

bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }
bool is_ascii_cntrl(char c) { return (c >= 0 && c < 32) || c == 127; }

// Whether s (after leading blanks) is "[name]" with only blanks after it.
std::optional<std::string_view> group_header(std::string_view s) {
  if (s.empty() || s.front() != '[') return std::nullopt;
  const size_t close = s.find(']');
  if (close == std::string_view::npos) return std::nullopt;
  for (char c : s.substr(close + 1)) {
    if (c != ' ' && c != '\t') return std::nullopt;
  }
  return s.substr(1, close - 1);
}

}  // namespace

GKeyFileText GKeyFileText::parse(std::string_view text) {
  GKeyFileText kf;
  // An index, not a pointer: adding a group may move the others.
  std::optional<size_t> current;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && is_ascii_space(line.front())) line.remove_prefix(1);
    // Blank lines count as comments, and comments are not kept.
    if (line.empty() || line.front() == '#') continue;
    if (auto name = group_header(line)) {
      // A repeated group header continues the existing group, as in GLib.
      auto it = std::find_if(kf.groups_.begin(), kf.groups_.end(), [&](const Group& g) { return g.name == *name; });
      if (it == kf.groups_.end()) it = kf.groups_.insert(it, Group{std::string(*name), {}});
      current = static_cast<size_t>(it - kf.groups_.begin());
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0 || !current) continue;
    std::string_view key = line.substr(0, eq);
    while (!key.empty() && is_ascii_space(key.back())) key.remove_suffix(1);
    std::string_view value = line.substr(eq + 1);
    while (!value.empty() && is_ascii_space(value.front())) value.remove_prefix(1);
    kf.groups_[*current].entries.emplace_back(std::string(key), std::string(value));
  }
  return kf;
}

std::string GKeyFileText::to_data() const {
  std::string out;
  for (const Group& g : groups_) {
    // Groups are separated by at least one empty line.
    if (out.size() >= 2 && out[out.size() - 2] != '\n') out += '\n';
    out += "[" + g.name + "]\n";
    for (const auto& [key, value] : g.entries) out += key + "=" + value + "\n";
  }
  return out;
}

GKeyFileText::Group* GKeyFileText::find(std::string_view group) {
  for (Group& g : groups_) {
    if (g.name == group) return &g;
  }
  return nullptr;
}

const GKeyFileText::Group* GKeyFileText::find(std::string_view group) const {
  return const_cast<GKeyFileText*>(this)->find(group);
}

bool GKeyFileText::has_group(std::string_view group) const { return find(group) != nullptr; }

const std::string* GKeyFileText::raw_value(std::string_view group, std::string_view key) const {
  const Group* g = find(group);
  if (g == nullptr) return nullptr;
  for (auto it = g->entries.rbegin(); it != g->entries.rend(); ++it) {
    if (it->first == key) return &it->second;
  }
  return nullptr;
}

void GKeyFileText::set_raw(std::string_view group, std::string_view key, std::string value) {
  Group* g = find(group);
  if (g == nullptr) {
    groups_.push_back(Group{std::string(group), {}});
    g = &groups_.back();
  }
  for (auto it = g->entries.rbegin(); it != g->entries.rend(); ++it) {
    if (it->first == key) {
      it->second = std::move(value);
      return;
    }
  }
  g->entries.emplace_back(std::string(key), std::move(value));
}

bool GKeyFileText::remove_key(std::string_view group, std::string_view key) {
  Group* g = find(group);
  if (g == nullptr) return false;
  return std::erase_if(g->entries, [&](const auto& e) { return e.first == key; }) > 0;
}

std::string gkeyfile_escape_string(std::string_view value) {
  std::string out;
  bool leading = true;
  for (char c : value) {
    switch (c) {
      case ' ': out += leading ? "\\s" : " "; break;
      case '\t': out += leading ? "\\t" : "\t"; break;
      // GLib leaves "leading" as it is after these two.
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\\':
        out += "\\\\";
        leading = false;
        break;
      default:
        out += c;
        leading = false;
        break;
    }
  }
  return out;
}

GKeyFileString gkeyfile_unescape_string(std::string_view raw) {
  GKeyFileString out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out.value += raw[i];
      continue;
    }
    if (++i == raw.size()) {
      out.valid = false;  // a trailing backslash is dropped
      break;
    }
    switch (raw[i]) {
      case 's': out.value += ' '; break;
      case 'n': out.value += '\n'; break;
      case 't': out.value += '\t'; break;
      case 'r': out.value += '\r'; break;
      case '\\': out.value += '\\'; break;
      default:
        out.value += '\\';
        out.value += raw[i];
        out.valid = false;
        break;
    }
  }
  return out;
}

bool gkeyfile_is_group_name(std::string_view name) {
  if (name.empty()) return false;
  return std::none_of(name.begin(), name.end(),
                      [](char c) { return c == '[' || c == ']' || is_ascii_cntrl(c); });
}

bool gkeyfile_is_key_name(std::string_view name) {
  size_t q = 0;
  while (q < name.size() && name[q] != '\0' && name[q] != '=' && name[q] != '[' && name[q] != ']') ++q;
  // No empty keys, and no blanks at either end: they would not survive a
  // reload.
  if (q == 0) return false;
  if (name.front() == ' ' || name[q - 1] == ' ') return false;
  if (q < name.size() && name[q] == '[') {
    ++q;
    auto locale_char = [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return u >= 0x80 || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
             c == '-' || c == '_' || c == '.' || c == '@';
    };
    while (q < name.size() && locale_char(name[q])) ++q;
    if (q >= name.size() || name[q] != ']') return false;
    ++q;
  }
  return q >= name.size();
}

}  // namespace ot
