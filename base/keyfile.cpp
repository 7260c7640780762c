#include "base/keyfile.hpp"

#include "base/error.hpp"

#include <algorithm>

namespace ot {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string unescape(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); i++) {
    if (v[i] != '\\' || i + 1 == v.size()) {
      out += v[i];
      continue;
    }
    char c = v[++i];
    switch (c) {
      case 's': out += ' '; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '\\': out += '\\'; break;
      default: out += '\\'; out += c; break;
    }
  }
  return out;
}

std::string escape(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); i++) {
    char c = v[i];
    if (c == ' ' && i == 0) out += "\\s";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (c == '\\') out += "\\\\";
    else out += c;
  }
  return out;
}

}  // namespace

KeyFile KeyFile::parse(std::string_view text) {
  KeyFile kf;
  size_t lineno = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    lineno++;
    auto line = trim(raw);
    auto* lines = kf.groups_.empty() ? &kf.preamble_ : &kf.groups_.back().lines;
    if (line.empty() || line[0] == '#') {
      lines->push_back({std::string(raw), {}, {}});
      continue;
    }
    if (line[0] == '[') {
      if (line.back() != ']' || line.size() < 3)
        throw Error("keyfile line " + std::to_string(lineno) + ": malformed group header");
      kf.groups_.push_back({std::string(line.substr(1, line.size() - 2)), {}});
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos || kf.groups_.empty())
      throw Error("keyfile line " + std::to_string(lineno) + ": expected key=value");
    auto key = trim(line.substr(0, eq));
    if (key.empty()) throw Error("keyfile line " + std::to_string(lineno) + ": empty key");
    lines->push_back({std::string(raw), std::string(key), unescape(trim(line.substr(eq + 1)))});
  }
  return kf;
}

std::string KeyFile::serialize() const {
  std::string out;
  for (auto& l : preamble_) out += l.raw + "\n";
  for (size_t i = 0; i < groups_.size(); i++) {
    // GKeyFile separates groups by one blank line; keep the user's if present.
    if (i > 0 && !out.empty() && out.size() >= 2 && out.substr(out.size() - 2) != "\n\n") out += "\n";
    out += "[" + groups_[i].name + "]\n";
    for (auto& l : groups_[i].lines) out += l.raw + "\n";
  }
  return out;
}

KeyFile::Group* KeyFile::find(std::string_view group) {
  for (auto& g : groups_)
    if (g.name == group) return &g;
  return nullptr;
}

const KeyFile::Group* KeyFile::find(std::string_view group) const {
  return const_cast<KeyFile*>(this)->find(group);
}

std::optional<std::string> KeyFile::get(std::string_view group, std::string_view key) const {
  auto* g = find(group);
  if (!g) return std::nullopt;
  // The last assignment wins, as in GKeyFile.
  for (auto it = g->lines.rbegin(); it != g->lines.rend(); ++it)
    if (it->key == key) return it->value;
  return std::nullopt;
}

std::optional<bool> KeyFile::get_bool(std::string_view group, std::string_view key) const {
  auto v = get(group, key);
  if (!v) return std::nullopt;
  if (*v == "true" || *v == "1") return true;
  if (*v == "false" || *v == "0") return false;
  throw Error("key " + std::string(key) + " in group " + std::string(group) +
              ": not a boolean: " + *v);
}

std::vector<std::string> KeyFile::get_list(std::string_view group, std::string_view key) const {
  std::vector<std::string> out;
  auto v = get(group, key);
  if (!v) return out;
  std::string cur;
  for (char c : *v) {
    if (c == ';') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

void KeyFile::set(std::string_view group, std::string_view key, std::string_view value) {
  auto* g = find(group);
  if (!g) {
    groups_.push_back({std::string(group), {}});
    g = &groups_.back();
  }
  std::string raw = std::string(key) + "=" + escape(value);
  for (auto& l : g->lines) {
    if (l.key == key) {
      l.raw = raw;
      l.value = value;
      return;
    }
  }
  // Insert after the last key, so trailing blank lines and a comment that
  // introduces the next group stay where they are; in a group without keys,
  // before its trailing blank lines.
  auto last_key = std::find_if(g->lines.rbegin(), g->lines.rend(),
                               [](const Line& l) { return !l.key.empty(); });
  auto pos = last_key.base();
  if (last_key == g->lines.rend()) {
    pos = g->lines.end();
    while (pos != g->lines.begin() && std::prev(pos)->key.empty() && trim(std::prev(pos)->raw).empty())
      --pos;
  }
  g->lines.insert(pos, {raw, std::string(key), std::string(value)});
}

void KeyFile::append(std::string_view group, std::string_view key, std::string_view value) {
  auto* g = find(group);
  if (!g || std::none_of(g->lines.begin(), g->lines.end(), [&](const Line& l) { return l.key == key; })) {
    if (!g) {
      groups_.push_back({std::string(group), {}});
      g = &groups_.back();
    }
    g->lines.push_back({std::string(key) + "=" + escape(value), std::string(key), std::string(value)});
    return;
  }
  set(group, key, value);
}

bool KeyFile::remove_key(std::string_view group, std::string_view key) {
  auto* g = find(group);
  if (!g) return false;
  auto n = std::erase_if(g->lines, [&](const Line& l) { return l.key == key; });
  return n > 0;
}

bool KeyFile::remove_group(std::string_view group) {
  return std::erase_if(groups_, [&](const Group& g) { return g.name == group; }) > 0;
}

bool KeyFile::has_group(std::string_view group) const { return find(group) != nullptr; }

std::vector<std::string> KeyFile::groups() const {
  std::vector<std::string> out;
  for (auto& g : groups_) out.push_back(g.name);
  return out;
}

std::vector<std::string> KeyFile::keys(std::string_view group) const {
  std::vector<std::string> out;
  if (auto* g = find(group))
    for (auto& l : g->lines)
      if (!l.key.empty() && std::find(out.begin(), out.end(), l.key) == out.end())
        out.push_back(l.key);
  return out;
}

}  // namespace ot
