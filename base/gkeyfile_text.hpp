#pragma once
// GLib's GKeyFile as upstream ostree uses it for `ostree config`: a file
// loaded without comments, values kept as written (escapes and trailing
// blanks included), written back as "[group]" and "key=value" lines with one
// blank line between groups. Matching it byte for byte keeps a config edited
// by either tool the same file; base/keyfile.hpp is the general-purpose,
// comment-preserving editor.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ot {

class GKeyFileText {
public:
  // g_key_file_load_from_data() without G_KEY_FILE_KEEP_COMMENTS; lines that
  // are neither groups, comments nor key=value pairs are skipped.
  static GKeyFileText parse(std::string_view text);
  // g_key_file_to_data().
  std::string to_data() const;

  bool has_group(std::string_view group) const;
  // The stored (still escaped) value; the last assignment wins.
  const std::string* raw_value(std::string_view group, std::string_view key) const;
  // Replaces the value in place, or appends the key (and the group) at the end.
  void set_raw(std::string_view group, std::string_view key, std::string value);
  // false when the group or key is absent.
  bool remove_key(std::string_view group, std::string_view key);

private:
  struct Group {
    std::string name;
    std::vector<std::pair<std::string, std::string>> entries;  // key, raw value
  };
  Group* find(std::string_view group);
  const Group* find(std::string_view group) const;
  std::vector<Group> groups_;
};

// g_key_file_set_string()'s escaping: \n \r \\ everywhere, and leading
// spaces and tabs as \s and \t.
std::string gkeyfile_escape_string(std::string_view value);

// g_key_file_get_string()'s unescaping. valid is false where GLib reports
// "a value that cannot be interpreted" (an unknown escape, which is kept
// verbatim, or a trailing backslash, which is dropped) while still
// returning the text.
struct GKeyFileString {
  std::string value;
  bool valid = true;
};
GKeyFileString gkeyfile_unescape_string(std::string_view raw);

// g_key_file_is_group_name() and g_key_file_is_key_name(): what
// g_key_file_set_value() accepts.
bool gkeyfile_is_group_name(std::string_view name);
bool gkeyfile_is_key_name(std::string_view name);

}  // namespace ot
