#pragma once
// An INI ("GKeyFile") document: groups of key=value lines. Comments, blank
// lines and order survive a parse/serialize round trip, so editing one key of
// a user's config file leaves the rest of it as they wrote it.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ot {

class KeyFile {
public:
  // Throws ot::Error naming the line on malformed input.
  static KeyFile parse(std::string_view text);
  std::string serialize() const;

  std::optional<std::string> get(std::string_view group, std::string_view key) const;
  // Values "true"/"false" (and 1/0); throws on anything else.
  std::optional<bool> get_bool(std::string_view group, std::string_view key) const;
  // A ';'-separated list, as GKeyFile writes them.
  std::vector<std::string> get_list(std::string_view group, std::string_view key) const;
  void set(std::string_view group, std::string_view key, std::string_view value);
  // Like set(), but a key the group lacks goes at the very end of the group,
  // after its trailing blank lines and comments: where GLib 2.74 adds a key
  // to a file it loaded with G_KEY_FILE_KEEP_COMMENTS.
  void append(std::string_view group, std::string_view key, std::string_view value);
  // Returns false if the key was not present.
  bool remove_key(std::string_view group, std::string_view key);
  bool remove_group(std::string_view group);
  bool has_group(std::string_view group) const;
  std::vector<std::string> groups() const;
  std::vector<std::string> keys(std::string_view group) const;

private:
  struct Line {
    std::string raw;    // the line as written, for comments and blanks
    std::string key;    // empty for comments and blanks
    std::string value;  // unescaped
  };
  struct Group {
    std::string name;
    std::vector<Line> lines;
  };
  Group* find(std::string_view group);
  const Group* find(std::string_view group) const;

  std::vector<Line> preamble_;
  std::vector<Group> groups_;
};

}  // namespace ot
