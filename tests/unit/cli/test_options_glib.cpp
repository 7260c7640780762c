// Differential test: our option parser and help layout against GLib's own
// GOptionContext, loaded at run time from the libglib-2.0 that upstream
// ostree links. Random argument vectors (seed printed) must give the same
// values, the same remaining arguments and the same error messages.
#include "cli/options.hpp"
#include "cli/repo_path.hpp"

#include <dlfcn.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <random>

#include "base/error.hpp"

using namespace ot::cli;

namespace {

// The stable GLib ABI pieces we call (glib/goption.h, glib/gerror.h).
struct GError {
  std::uint32_t domain;
  int code;
  char* message;
};
struct GOptionEntry {
  const char* long_name;
  char short_name;
  int flags;
  int arg;
  void* arg_data;
  const char* description;
  const char* arg_description;
};
enum : int { ARG_NONE = 0, ARG_STRING = 1, ARG_INT = 2, ARG_CALLBACK = 3, ARG_FILENAME = 4,
             ARG_STRING_ARRAY = 5, ARG_FILENAME_ARRAY = 6, ARG_DOUBLE = 7, ARG_INT64 = 8 };
enum : int { FLAG_HIDDEN = 1 << 0, FLAG_REVERSE = 1 << 2, FLAG_NO_ARG = 1 << 3,
             FLAG_OPTIONAL_ARG = 1 << 5 };
using GOptionArgFunc = int (*)(const char*, const char*, void*, GError**);

struct GLib {
  void* handle = nullptr;
  void* (*context_new)(const char*);
  void (*context_free)(void*);
  void (*set_summary)(void*, const char*);
  void (*set_help_enabled)(void*, int);
  void (*add_main_entries)(void*, const GOptionEntry*, const char*);
  int (*parse)(void*, int*, char***, GError**);
  char* (*get_help)(void*, int, void*);
  void (*set_prgname)(const char*);
  char* (*canonicalize)(const char*, const char*);
  void (*free)(void*);
  void (*strfreev)(char**);
  void (*error_free)(GError*);

  static const GLib* load() {
    static GLib g;
    static bool tried = false;
    if (!tried) {
      tried = true;
      g.handle = dlopen("libglib-2.0.so.0", RTLD_NOW | RTLD_LOCAL);
      if (g.handle != nullptr) {
        const auto sym = [](const char* name, auto& fn) {
          fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(g.handle, name));
        };
        sym("g_option_context_new", g.context_new);
        sym("g_option_context_free", g.context_free);
        sym("g_option_context_set_summary", g.set_summary);
        sym("g_option_context_set_help_enabled", g.set_help_enabled);
        sym("g_option_context_add_main_entries", g.add_main_entries);
        sym("g_option_context_parse", g.parse);
        sym("g_option_context_get_help", g.get_help);
        sym("g_set_prgname", g.set_prgname);
        sym("g_canonicalize_filename", g.canonicalize);
        sym("g_free", g.free);
        sym("g_strfreev", g.strfreev);
        sym("g_error_free", g.error_free);
        g.set_prgname("prog");
      }
    }
    return g.handle != nullptr ? &g : nullptr;
  }
};

// Everything one parse can produce, comparable between the two parsers.
struct Outcome {
  std::string error;
  bool flag = false, reversed = true, hidden = false;
  std::string branch = "<unset>", repo = "<unset>";
  std::vector<std::string> adds, files, rest, calls;
  int num = 0;
  std::int64_t big = 0;
  double ratio = 0;

  bool operator==(const Outcome&) const = default;
};

std::string describe(const Outcome& o) {
  std::string s = "error=[" + o.error + "] flag=" + std::to_string(o.flag) +
                  " reversed=" + std::to_string(o.reversed) + " hidden=" +
                  std::to_string(o.hidden) + " branch=" + o.branch + " repo=" + o.repo +
                  " num=" + std::to_string(o.num) + " big=" + std::to_string(o.big) +
                  " ratio=" + std::to_string(o.ratio) + " adds=";
  for (const auto& a : o.adds) s += "[" + a + "]";
  s += " files=";
  for (const auto& a : o.files) s += "[" + a + "]";
  s += " calls=";
  for (const auto& a : o.calls) s += "[" + a + "]";
  s += " rest=";
  for (const auto& a : o.rest) s += "[" + a + "]";
  return s;
}

Outcome ours(const std::vector<std::string>& args) {
  Outcome o;
  std::optional<std::string> branch, repo;
  OptionContext c("[ARGS]");
  const auto record = [&o](std::string_view name, std::optional<std::string_view> v) {
    o.calls.push_back(std::string(name) + "=" + (v ? std::string(*v) : "<null>"));
  };
  c.add(flag("flag", 'a', o.flag, "A flag"));
  c.add(flag("no-thing", 'R', o.reversed, "Reversed").reverse());
  c.add(flag("hidden", 0, o.hidden, "Hidden").hidden());
  c.add(text("branch", 'b', branch, "Branch", "BRANCH"));
  c.add(path("repo", 0, repo, "Repo", "PATH"));
  c.add(texts("add", 0, o.adds, "Add", "K=V"));
  c.add(paths("file", 'f', o.files, "File", "FILE"));
  c.add(integer("num", 'n', o.num, "Num", "N"));
  c.add(integer64("big", 0, o.big, "Big", "N"));
  c.add(real("ratio", 0, o.ratio, "Ratio", "R"));
  c.add(callback("opt", 'o', record, "Optional", "V").optional_arg());
  c.add(callback("noarg", 0, record, "No arg", "").no_arg());
  try {
    o.rest = c.parse(args).args;
    o.branch = branch.value_or("<unset>");
    o.repo = repo.value_or("<unset>");
  } catch (const ot::Error& e) {
    Outcome failed;
    failed.error = e.what();
    return failed;
  }
  return o;
}

int glib_record(const char* name, const char* value, void*, GError**);
std::vector<std::string>* g_calls = nullptr;
int glib_record(const char* name, const char* value, void*, GError**) {
  g_calls->push_back(std::string(name) + "=" + (value ? value : "<null>"));
  return 1;
}

Outcome theirs(const GLib& g, const std::vector<std::string>& args) {
  Outcome o;
  int flag = 0, reversed = 1, hidden = 0, num = 0;
  std::int64_t big = 0;
  double ratio = 0;
  char *branch = nullptr, *repo = nullptr;
  char **adds = nullptr, **files = nullptr;
  g_calls = &o.calls;
  const GOptionEntry entries[] = {
      {"flag", 'a', 0, ARG_NONE, &flag, "A flag", nullptr},
      {"no-thing", 'R', FLAG_REVERSE, ARG_NONE, &reversed, "Reversed", nullptr},
      {"hidden", 0, FLAG_HIDDEN, ARG_NONE, &hidden, "Hidden", nullptr},
      {"branch", 'b', 0, ARG_STRING, &branch, "Branch", "BRANCH"},
      {"repo", 0, 0, ARG_FILENAME, &repo, "Repo", "PATH"},
      {"add", 0, 0, ARG_STRING_ARRAY, &adds, "Add", "K=V"},
      {"file", 'f', 0, ARG_FILENAME_ARRAY, &files, "File", "FILE"},
      {"num", 'n', 0, ARG_INT, &num, "Num", "N"},
      {"big", 0, 0, ARG_INT64, &big, "Big", "N"},
      {"ratio", 0, 0, ARG_DOUBLE, &ratio, "Ratio", "R"},
      {"opt", 'o', FLAG_OPTIONAL_ARG, ARG_CALLBACK, reinterpret_cast<void*>(&glib_record),
       "Optional", "V"},
      {"noarg", 0, FLAG_NO_ARG, ARG_CALLBACK, reinterpret_cast<void*>(&glib_record), "No arg",
       ""},
      {nullptr, 0, 0, 0, nullptr, nullptr, nullptr}};
  void* ctx = g.context_new("[ARGS]");
  // Help would exit(); the generated vectors never contain help options.
  g.set_help_enabled(ctx, 0);
  g.add_main_entries(ctx, entries, nullptr);
  std::vector<char*> argv{const_cast<char*>("prog")};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size() + 1);
  char** argvp = argv.data();
  GError* error = nullptr;
  if (g.parse(ctx, &argc, &argvp, &error) == 0) {
    Outcome failed;
    failed.error = error->message;
    g.error_free(error);
    g.context_free(ctx);
    return failed;
  }
  o.flag = flag != 0;
  o.reversed = reversed != 0;
  o.hidden = hidden != 0;
  o.branch = branch ? branch : "<unset>";
  o.repo = repo ? repo : "<unset>";
  for (char** p = adds; p && *p; ++p) o.adds.emplace_back(*p);
  for (char** p = files; p && *p; ++p) o.files.emplace_back(*p);
  o.num = num;
  o.big = big;
  o.ratio = ratio;
  for (int i = 1; i < argc; ++i) o.rest.emplace_back(argvp[i]);
  g.free(branch);
  g.free(repo);
  g.strfreev(adds);
  g.strfreev(files);
  g.context_free(ctx);
  return o;
}

const std::vector<std::string> kTokens = {
    "-a", "-R", "-b", "-ab", "-ba", "-bn", "-aR", "-x", "-ax", "-f", "-n", "-o", "-ao", "-",
    "--", "--flag", "--flag=1", "--no-thing", "--hidden", "--branch", "--branch=v", "--bra",
    "--branchx=1", "--repo", "--repo=/p", "--repo=", "--add", "--add=k=v", "--file=f",
    "--num", "--num=12", "--num=0x1f", "--num=010", "--num=1x", "--num=99999999999",
    "--num=-7", "--big=123456789012", "--big=", "--ratio=1.5", "--ratio=abc", "--ratio=1e999",
    "--opt", "--opt=val", "--noarg", "--noarg=x", "--unknown", "word", "12", "-5", "",
    "--help-foo", "caf\xc3\xa9", "\xff"};

}  // namespace

TEST_CASE("random argument vectors parse as GLib's GOptionContext parses them") {
  const GLib* g = GLib::load();
  if (g == nullptr) {
    WARN("libglib-2.0.so.0 not loadable; differential parse check not run");
    return;
  }
  const auto seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> length(0, 6);
  std::uniform_int_distribution<std::size_t> pick(0, kTokens.size() - 1);
  for (int round = 0; round < 4000; ++round) {
    std::vector<std::string> args(length(rng));
    for (auto& a : args) a = kTokens[pick(rng)];
    const Outcome expected = theirs(*g, args);
    const Outcome actual = ours(args);
    if (!(actual == expected)) {
      std::string line;
      for (const auto& a : args) line += "[" + a + "] ";
      FAIL("args " << line << "\n ours:   " << describe(actual)
                   << "\n theirs: " << describe(expected));
    }
  }
}

TEST_CASE("help text is byte-identical to g_option_context_get_help") {
  const GLib* g = GLib::load();
  if (g == nullptr) {
    WARN("libglib-2.0.so.0 not loadable; differential help check not run");
    return;
  }
  bool b = false;
  std::optional<std::string> s;
  std::vector<std::string> v;
  struct Case {
    std::vector<GOptionEntry> entries;
    const char* parameter;
    const char* summary;
  };
  const std::vector<Case> cases = {
      {{}, "COMMAND", "Builtin Commands:\n  admin             Commands"},
      {{{"verbose", 'v', 0, ARG_NONE, &b, "Print debug information", nullptr},
        {"version", 0, 0, ARG_NONE, &b, "Print version information and exit", nullptr}},
       nullptr,
       nullptr},
      {{{"repo", 0, 0, ARG_FILENAME, &s, "Path to OSTree repository", "PATH"},
        {"tree", 0, 0, ARG_STRING_ARRAY, &v, "Overlay", "dir=PATH or tar=TARFILE or ref=COMMIT"},
        {"secret", 'S', FLAG_HIDDEN, ARG_NONE, &b, "Hidden", nullptr},
        {"subject", 's', 0, ARG_STRING, &s, "One line subject", "SUBJECT"},
        {"again", 's', 0, ARG_NONE, &b, "Duplicate short name", nullptr},
        {"human", 'h', 0, ARG_NONE, &b, "Takes -h", nullptr},
        {"noarg-with-desc", 0, 0, ARG_NONE, &b, "Flag showing an arg description",
         "AN-EXTREMELY-LONG-ARGUMENT-DESCRIPTION-THAT-OVERFLOWS"},
        {"wide", 'w', 0, ARG_STRING, &s, nullptr, "\xe6\x97\xa5\xe6\x9c\xac"}},
       "[PATH]",
       "Commit a new revision"}};
  for (const Case& c : cases) {
    OptionContext ours_ctx(c.parameter ? c.parameter : "");
    if (c.summary) ours_ctx.set_summary(c.summary);
    for (const GOptionEntry& e : c.entries) {
      Option o = e.arg == ARG_NONE ? flag(e.long_name, e.short_name, b, e.description ? e.description : "")
                                   : text(e.long_name, e.short_name, s,
                                          e.description ? e.description : "", "");
      o.arg_description = e.arg_description ? e.arg_description : "";
      o.is_hidden = (e.flags & FLAG_HIDDEN) != 0;
      ours_ctx.add(std::move(o));
    }
    std::vector<GOptionEntry> entries = c.entries;
    entries.push_back({nullptr, 0, 0, 0, nullptr, nullptr, nullptr});
    void* ctx = g->context_new(c.parameter);
    if (c.summary) g->set_summary(ctx, c.summary);
    if (c.entries.size() > 0) g->add_main_entries(ctx, entries.data(), nullptr);
    char* help = g->get_help(ctx, 1, nullptr);
    const std::string expected = help;
    g->free(help);
    g->context_free(ctx);
    CHECK(ours_ctx.help("prog") == expected);
  }
}

TEST_CASE("paths are made absolute the way g_canonicalize_filename does") {
  const GLib* g = GLib::load();
  if (g == nullptr || g->canonicalize == nullptr) {
    WARN("g_canonicalize_filename not available; differential path check not run");
    return;
  }
  const std::vector<std::string> parts = {"a", "b", ".", "..", "", "/", "//", "c.d", "..."};
  const auto seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> length(0, 6);
  std::uniform_int_distribution<std::size_t> pick(0, parts.size() - 1);
  for (int round = 0; round < 2000; ++round) {
    std::string path;
    for (std::size_t i = length(rng); i > 0; --i) path += parts[pick(rng)] + (i % 2 ? "/" : "");
    for (const char* cwd : {"/tmp/x", "/", "//net/share"}) {
      char* expected = g->canonicalize(path.c_str(), cwd);
      const std::string want = expected;
      g->free(expected);
      INFO("path [" << path << "] cwd " << cwd);
      REQUIRE(absolute_path(path, cwd) == want);
    }
  }
}
