// `admin status`: upstream's listing, byte for byte (scripts parse it), and
// `--json` for programs.
#include "base/error.hpp"
#include "cli/admin/admin_sysroot.hpp"
#include "cli/command.hpp"
#include "cli/output.hpp"
#include "deploy/origin.hpp"
#include "store/objects.hpp"

#include <unistd.h>

namespace {
using namespace ot::cli;
using ot::deploy::Deployment;

struct Roles {
  const Deployment* booted = nullptr;
  const Deployment* pending = nullptr;   // newer, same stateroot, boots next
  const Deployment* rollback = nullptr;  // older, same stateroot
};

Roles roles_of(const ot::deploy::Sysroot& sysroot) {
  Roles r;
  r.booted = sysroot.booted();
  if (!r.booted)
    return r;
  for (const Deployment& d : sysroot.deployments()) {
    if (d.stateroot != r.booted->stateroot || d.index == r.booted->index)
      continue;
    if (d.index < r.booted->index && !r.pending)
      r.pending = &d;
    if (d.index > r.booted->index && !r.rollback)
      r.rollback = &d;
  }
  return r;
}

struct CommitInfo {
  std::string version;
  std::string source_title;
};

CommitInfo commit_info(const ot::store::Repo& repo, const std::string& csum) {
  CommitInfo info;
  try {
    const auto commit = repo.load_commit(ot::store::digest_from_hex(csum));
    if (auto* v = ot::store::lookup_metadata(commit.metadata, "version"); v && v->type == "s")
      info.version = v->str();
    if (auto* v = ot::store::lookup_metadata(commit.metadata, "ostree.source-title"); v && v->type == "s")
      info.source_title = v->str();
  } catch (const ot::Error&) {
    // The commit may have been pruned; the deployment is still listed.
  }
  return info;
}

// Only a hotfix unlock persists in the origin; upstream ignores any other
// value there (a development unlock lives in /run for the booted system).
std::string unlocked_state(const Deployment& d) {
  if (!d.has_origin)
    return {};
  auto v = d.origin.get("origin", "unlocked");
  return v && *v == "hotfix" ? *v : std::string();
}

void print_text(const ot::deploy::Sysroot& sysroot, const Roles& roles) {
  if (sysroot.deployments().empty()) {
    print("No deployments.\n");
    return;
  }
  const bool tty = ::isatty(STDOUT_FILENO) == 1;
  for (const Deployment& d : sysroot.deployments()) {
    const CommitInfo info = commit_info(sysroot.repo(), d.csum);
    const char* status = d.staged ? " (staged)" : &d == roles.pending ? " (pending)" : &d == roles.rollback ? " (rollback)" : "";
    print("{} {} {}{}\n", &d == roles.booted ? '*' : ' ', d.stateroot, d.dirname(), status);
    if (!info.version.empty())
      print("    Version: {}\n", info.version);
    if (const std::string unlocked = unlocked_state(d); !unlocked.empty())
      print("    {}{}Unlocked: {}{}{}\n", tty ? "\x1b[31m" : "", tty ? "\x1b[1m" : "", unlocked, tty ? "\x1b[0m" : "",
            tty ? "\x1b[22m" : "");
    if (ot::deploy::is_pinned(d))
      print("    Pinned: yes\n");
    if (!d.has_origin) {
      print("    origin: none\n");
    } else {
      if (auto refspec = ot::deploy::origin_refspec(d.origin))
        print("    origin refspec: {}\n", *refspec);
      else
        print("    origin: <unknown origin type>\n");
      if (!info.source_title.empty())
        print("    `- {}\n", info.source_title);
    }
  }
}

// A JSON string in pure ASCII: anything else as \uXXXX (UTF-16, invalid
// UTF-8 as U+FFFD), so the console's charset conversion cannot alter it.
std::string json_string(std::string_view s) {
  std::string out = "\"";
  auto escape = [&](unsigned cp) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\u%04x", cp & 0xffffu);
    out += buf;
  };
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      if (c == '"')
        out += "\\\"";
      else if (c == '\\')
        out += "\\\\";
      else if (c == '\n')
        out += "\\n";
      else if (c == '\t')
        out += "\\t";
      else if (c < 0x20 || c == 0x7f)
        escape(c);
      else
        out += static_cast<char>(c);
      continue;
    }
    // Decode one UTF-8 sequence; anything malformed is one U+FFFD per byte.
    const int len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    unsigned cp = len == 4 ? c & 0x07u : len == 3 ? c & 0x0fu : c & 0x1fu;
    bool ok = len > 0 && i + static_cast<size_t>(len) <= s.size();
    for (int k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
      ok = (cc & 0xc0) == 0x80;
      cp = (cp << 6) | (cc & 0x3fu);
    }
    ok = ok && !(len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) && !(len == 4 && (cp < 0x10000 || cp > 0x10ffff));
    if (!ok) {
      escape(0xfffd);
      ++i;
      continue;
    }
    i += static_cast<size_t>(len);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      escape(0xd800 + (cp >> 10));
      escape(0xdc00 + (cp & 0x3ff));
    } else {
      escape(cp);
    }
  }
  return out + "\"";
}

void print_json(const ot::deploy::Sysroot& sysroot, const Roles& roles) {
  std::string out = "{\"deployments\":[";
  for (const Deployment& d : sysroot.deployments()) {
    const CommitInfo info = commit_info(sysroot.repo(), d.csum);
    if (d.index > 0)
      out += ",";
    out += "{\"index\":" + std::to_string(d.index) + ",\"stateroot\":" + json_string(d.stateroot) +
           ",\"checksum\":" + json_string(d.csum) + ",\"serial\":" + std::to_string(d.deployserial) +
           ",\"bootcsum\":" + json_string(d.bootcsum) + ",\"kargs\":" + json_string(d.kargs);
    if (!info.version.empty())
      out += ",\"version\":" + json_string(info.version);
    if (auto refspec = d.has_origin ? ot::deploy::origin_refspec(d.origin) : std::nullopt)
      out += ",\"origin\":" + json_string(*refspec);
    const std::string unlocked = unlocked_state(d);
    out += ",\"unlocked\":" + json_string(unlocked.empty() ? "none" : unlocked);
    auto b = [](bool v) { return v ? std::string("true") : std::string("false"); };
    out += ",\"booted\":" + b(&d == roles.booted) + ",\"pending\":" + b(&d == roles.pending) +
           ",\"rollback\":" + b(&d == roles.rollback) + ",\"staged\":" + b(d.staged) +
           ",\"pinned\":" + b(ot::deploy::is_pinned(d)) + "}";
  }
  print("{}]}}\n", out);
}

void run_status(Invocation& inv) {
  bool verify = false, json = false;
  inv.parse("", {flag("verify", 'V', verify, "Print the commit verification status"),
                 flag("json", 0, json, "Print the deployments as JSON")},
            Scope::admin);
  ot::deploy::Sysroot sysroot = admin::open_sysroot(inv);
  const Roles roles = roles_of(sysroot);
  if (json)
    print_json(sysroot, roles);
  else
    print_text(sysroot, roles);
}

const Registrar registrar{{.group = "admin",
                           .name = "status",
                           .description = "List deployments",
                           .run = run_status,
                           .flags = CommandFlags::no_repo}};
}  // namespace
