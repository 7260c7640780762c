// ostree config: read and change the repository's config file.
//
// Upstream edits the file through GLib's GKeyFile, which drops comments and
// respells every line when it writes; we go through the same model
// (base/gkeyfile_text.hpp) so the file comes out byte-for-byte the same.
#include "base/gkeyfile_text.hpp"
#include "base/keyfile.hpp"
#include "base/sys.hpp"
#include "cli/invocation.hpp"
#include "cli/output.hpp"
#include "store/repo.hpp"

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#include <ctime>

namespace ot::cli {
namespace {

// "section.key": the section is up to the first dot, the key is the rest.
std::pair<std::string, std::string> split_key(const std::string& section_key) {
  const size_t dot = section_key.find('.');
  if (dot == std::string::npos) throw Error("Key must be of the form \"sectionname.keyname\"");
  return {section_key.substr(0, dot), section_key.substr(dot + 1)};
}

// What GLib's g_return_if_fail() prints when g_key_file_set_value() gets a
// name it cannot store; upstream then carries on and exits 0.
void glib_critical(const Invocation& inv, std::string_view assertion) {
  timeval tv{};
  ::gettimeofday(&tv, nullptr);
  tm local{};
  ::localtime_r(&tv.tv_sec, &local);
  char clock[16];
  std::strftime(clock, sizeof clock, "%H:%M:%S", &local);
  printerr("\n({}:{}): GLib-CRITICAL **: {}.{:03}: g_key_file_set_value: assertion '{}' failed\n", inv.prgname(),
           ::getpid(), clock, tv.tv_usec / 1000, assertion);
}

GKeyFileText read_config(const store::Repo& repo) {
  return GKeyFileText::parse(sys::read_file_at(repo.dfd(), "config"));
}

void write_config(store::Repo& repo, const GKeyFileText& config) {
  repo.write_config(KeyFile::parse(config.to_data()));
}

// Where the key is: --group names the section and KEY is taken whole,
// otherwise KEY is "section.key".
struct Target {
  std::string section;
  std::string key;
};

void do_get(const store::Repo& repo, const Target& t) {
  const GKeyFileText config = read_config(repo);
  if (!config.has_group(t.section)) throw Error("Key file does not have group “" + t.section + "”");
  const std::string* raw = config.raw_value(t.section, t.key);
  if (raw == nullptr) {
    throw Error("Key file does not have key “" + t.key + "” in group “" + t.section + "”");
  }
  if (!valid_utf8(*raw)) {
    throw Error("Key file contains key “" + t.key + "” with value “" + *raw + "” which is not UTF-8");
  }
  const GKeyFileString value = gkeyfile_unescape_string(*raw);
  // GLib hands back the text along with the error, and upstream prints it
  // before failing.
  print("{}\n", value.value);
  if (!value.valid) {
    throw Error("Key file contains key “" + t.key + "” which has a value that cannot be interpreted.");
  }
}

void do_set(const Invocation& inv, store::Repo& repo, const Target& t, const std::string& value) {
  GKeyFileText config = read_config(repo);
  if (!gkeyfile_is_group_name(t.section)) {
    glib_critical(inv, "group_name != NULL && g_key_file_is_group_name (group_name)");
  } else if (!gkeyfile_is_key_name(t.key)) {
    glib_critical(inv, "key != NULL && g_key_file_is_key_name (key, strlen (key))");
  } else {
    config.set_raw(t.section, t.key, gkeyfile_escape_string(value));
  }
  write_config(repo, config);
}

void do_unset(store::Repo& repo, const Target& t) {
  GKeyFileText config = read_config(repo);
  // A key that is not there is already unset: nothing to write.
  if (config.remove_key(t.section, t.key)) write_config(repo, config);
}

void run(Invocation& inv) {
  std::optional<std::string> group;
  const auto args = inv.parse("(get KEY|set KEY VALUE|unset KEY)", {text("group", 0, group, "Group name", "")});
  auto repo = inv.open_repo([](const std::string& p) { return store::Repo::open(AT_FDCWD, p); });
  if (args.empty()) inv.usage_error("OPERATION must be specified");
  const std::string& op = args[0];

  // Operand counts and messages differ with --group, as upstream's do.
  auto target = [&](size_t operands, const char* missing_group, const char* missing) {
    if (args.size() < operands + 1) throw Error(group ? missing_group : missing);
    if (args.size() > operands + 1) inv.usage_error("Too many arguments given");
    if (group) return Target{*group, args[1]};
    auto [section, key] = split_key(args[1]);
    return Target{std::move(section), std::move(key)};
  };

  if (op == "set") {
    const Target t = target(2, "GROUP name, KEY and VALUE must be specified", "KEY and VALUE must be specified");
    do_set(inv, repo, t, args[2]);
  } else if (op == "get") {
    do_get(repo, target(1, "Group name and key must be specified", "KEY must be specified"));
  } else if (op == "unset") {
    do_unset(repo, target(1, "Group name and key must be specified", "KEY must be specified"));
  } else {
    throw Error("Unknown operation " + op);
  }
}

const Registrar registrar{
    {.name = "config", .description = "Change repo configuration settings", .run = run}};

}  // namespace
}  // namespace ot::cli
