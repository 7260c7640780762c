#include "deploy/os_release.hpp"

#include "base/sys.hpp"

namespace ot::deploy {

namespace {

std::string unquote(std::string_view v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
    const char quote = v.front();
    v = v.substr(1, v.size() - 2);
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
      // Inside double quotes a backslash escapes only $ ` " \ and newline,
      // as the shell (and GLib's g_shell_unquote, which upstream uses) does.
      if (quote == '"' && v[i] == '\\' && i + 1 < v.size() && std::string_view("$`\"\\\n").find(v[i + 1]) != std::string_view::npos)
        ++i;
      out += v[i];
    }
    return out;
  }
  return std::string(v);
}

}  // namespace

std::map<std::string, std::string> parse_os_release(std::string_view text) {
  std::map<std::string, std::string> values;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos)
      eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
      line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
      line.remove_suffix(1);
    if (line.empty() || line.front() == '#')
      continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0)
      continue;
    values[std::string(line.substr(0, eq))] = unquote(line.substr(eq + 1));
  }
  return values;
}

std::map<std::string, std::string> read_os_release(int deployment_dfd) {
  // The tree's own file first: /etc is the machine's, and a merged /etc may
  // still hold an older release's copy.
  for (const char* path : {"usr/lib/os-release", "etc/os-release"}) {
    if (auto text = sys::read_file_at_opt(deployment_dfd, path))
      return parse_os_release(*text);
  }
  return {};
}

}  // namespace ot::deploy
