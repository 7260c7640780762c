// The option parser's rules as a user of upstream ostree meets them. The
// differential test beside this one checks the same parser against GLib.
#include "cli/options.hpp"

#include <catch2/catch.hpp>

#include "base/error.hpp"

using namespace ot::cli;

namespace {

struct Table {
  bool all = false;
  bool quiet = false;
  std::optional<std::string> branch;
  std::optional<std::string> repo;
  std::vector<std::string> metadata;
  int depth = 0;
  std::int64_t timestamp = 0;
  std::vector<std::string> calls;

  OptionContext context() {
    OptionContext c("[PATH]");
    c.add(flag("all", 'a', all, "Everything"));
    c.add(flag("quiet", 'q', quiet, "Say less"));
    c.add(text("branch", 'b', branch, "Branch", "BRANCH"));
    c.add(path("repo", 0, repo, "Repository", "PATH"));
    c.add(texts("add-metadata-string", 0, metadata, "Add metadata", "KEY=VALUE"));
    c.add(integer("depth", 'd', depth, "Depth", "DEPTH"));
    c.add(integer64("timestamp", 0, timestamp, "Time", "SECONDS"));
    c.add(callback("fsync", 0,
                   [this](std::string_view name, std::optional<std::string_view> v) {
                     calls.push_back(std::string(name) + "=" + std::string(v.value_or("<none>")));
                   },
                   "Fsync policy", "POLICY")
              .optional_arg());
    return c;
  }

  std::vector<std::string> parse(std::vector<std::string> args) {
    return context().parse(args).args;
  }
};

std::string parse_error(std::vector<std::string> args) {
  Table t;
  try {
    t.parse(std::move(args));
  } catch (const ot::Error& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace

TEST_CASE("long options take values after '=' or as the next argument") {
  Table t;
  CHECK(t.parse({"--branch=main", "--repo", "/r", "tree"}) == std::vector<std::string>{"tree"});
  CHECK(t.branch == "main");
  CHECK(t.repo == "/r");
}

TEST_CASE("short options take the next argument, never the rest of their own word") {
  Table t;
  CHECK(t.parse({"-b", "main"}).empty());
  CHECK(t.branch == "main");
  // GOption reads "-bmain" as -b -m -a -i -n, not as branch=main.
  CHECK(parse_error({"-bmain"}) == "Missing argument for -b");
  CHECK(parse_error({"-bmain", "x"}) == "Unknown option -bmain");
}

TEST_CASE("boolean short options combine, and one value-taker may take the next word") {
  Table t;
  CHECK(t.parse({"-aqb", "main", "x"}) == std::vector<std::string>{"x"});
  CHECK(t.all);
  CHECK(t.quiet);
  CHECK(t.branch == "main");
  CHECK(parse_error({"-bd", "x", "1"}) == "Error parsing option -d");
}

TEST_CASE("repeated array options accumulate in order; scalars keep the last") {
  Table t;
  t.parse({"--add-metadata-string=a=1", "--branch=x", "--add-metadata-string", "b=2",
           "--branch=y"});
  CHECK(t.metadata == std::vector<std::string>{"a=1", "b=2"});
  CHECK(t.branch == "y");
}

TEST_CASE("options and positional arguments interleave") {
  Table t;
  CHECK(t.parse({"one", "-a", "two", "--depth=3", "three"}) ==
        std::vector<std::string>{"one", "two", "three"});
  CHECK(t.all);
  CHECK(t.depth == 3);
}

TEST_CASE("'--' ends options and is removed unless an option-like word follows") {
  Table t;
  CHECK(t.parse({"--", "-a", "x"}) == std::vector<std::string>{"--", "-a", "x"});
  CHECK_FALSE(t.all);
  CHECK(t.parse({"x", "--", "y"}) == std::vector<std::string>{"x", "y"});
  CHECK(t.parse({"-", "x"}) == std::vector<std::string>{"-", "x"});
}

TEST_CASE("a flag given a value is simply set, as GOption does") {
  Table t;
  t.parse({"--all=no"});
  CHECK(t.all);
}

TEST_CASE("integers parse like strtol with base 0 and report GOption's errors") {
  Table t;
  t.parse({"--depth=0x10", "--timestamp", "1700000000000"});
  CHECK(t.depth == 16);
  CHECK(t.timestamp == 1700000000000);
  CHECK(parse_error({"--depth=1x"}) == "Cannot parse integer value \u201c1x\u201d for --depth");
  CHECK(parse_error({"-d", "99999999999"}) ==
        "Integer value \u201c99999999999\u201d for -d out of range");
}

TEST_CASE("errors name the option as the user typed it") {
  CHECK(parse_error({"--nope"}) == "Unknown option --nope");
  CHECK(parse_error({"--rep=x"}) == "Unknown option --rep=x");
  CHECK(parse_error({"-x"}) == "Unknown option -x");
  CHECK(parse_error({"-ax"}) == "Unknown option -ax");
  CHECK(parse_error({"--branch"}) == "Missing argument for --branch");
  CHECK(parse_error({"-b"}) == "Missing argument for -b");
}

TEST_CASE("a value that looks like an option is still a value") {
  Table t;
  t.parse({"--branch", "--all"});
  CHECK(t.branch == "--all");
  CHECK_FALSE(t.all);
}

TEST_CASE("optional-value callbacks take the next word only when it is not an option") {
  Table t;
  t.parse({"--fsync", "-a", "--fsync", "false", "--fsync=true", "--fsync"});
  CHECK(t.calls ==
        std::vector<std::string>{"--fsync=<none>", "--fsync=false", "--fsync=true", "--fsync=<none>"});
  CHECK(t.all);
}

TEST_CASE("help options stop parsing and are reported to the caller") {
  Table t;
  for (const auto& h : {"-h", "--help", "-?", "--help-all", "-ah"}) {
    INFO(h);
    CHECK(t.context().parse({h, "--nope"}).help_requested);
  }
  CHECK(parse_error({"--nope", "--help"}) == "Unknown option --nope");
  CHECK(parse_error({"--help-foo"}) == "Unknown option --help-foo");
}

TEST_CASE("help lists options in order, aligned the way GOption aligns them") {
  Table t;
  OptionContext c = t.context();
  c.set_summary("Commit a new revision");
  bool secret = false;
  c.add(flag("secret", 0, secret, "Not shown").hidden());
  CHECK(c.help("ostree commit") ==
        "Usage:\n"
        "  ostree commit [OPTION\u2026] [PATH]\n"
        "\n"
        "Commit a new revision\n"
        "\n"
        "Help Options:\n"
        "  -h, --help                          Show help options\n"
        "\n"
        "Application Options:\n"
        "  -a, --all                           Everything\n"
        "  -q, --quiet                         Say less\n"
        "  -b, --branch=BRANCH                 Branch\n"
        "  --repo=PATH                         Repository\n"
        "  --add-metadata-string=KEY=VALUE     Add metadata\n"
        "  -d, --depth=DEPTH                   Depth\n"
        "  --timestamp=SECONDS                 Time\n"
        "  --fsync=POLICY                      Fsync policy\n"
        "\n");
}

TEST_CASE("an option using -h moves help to -?") {
  bool human = false;
  OptionContext c;
  c.add(flag("human", 'h', human, "Readable sizes"));
  CHECK(c.parse({"-h"}).help_requested == false);
  CHECK(human);
  CHECK(c.help("p").find("  -?, --help") != std::string::npos);
}

TEST_CASE("display width counts characters, wide ones twice") {
  CHECK(display_width("abc") == 3);
  CHECK(display_width("[OPTION\u2026]") == 9);
  CHECK(display_width("\u65e5\u672c") == 4);
  CHECK(display_width("e\u0301") == 1);
}
