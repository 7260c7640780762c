#include "cli/admin/upgrade_flow.hpp"

#include "base/error.hpp"
#include "cli/admin/admin_sysroot.hpp"
#include "cli/admin/staging.hpp"
#include "cli/output.hpp"
#include "deploy/deploy_tree.hpp"
#include "deploy/deployment_list.hpp"
#include "deploy/origin.hpp"
#include "store/remote/pull.hpp"

#include <ctime>
#include <langinfo.h>
#include <unistd.h>

namespace ot::cli::admin {

namespace {

// A commit's time as upstream's upgrader shows it: UTC, in GLib's "%c",
// the locale's date-and-time form ("Mon Jan  1 00:00:00 2024" in the C
// locale), where GLib pads a one-digit day with a figure space (U+2007);
// a console that is not UTF-8 shows it as '?', as upstream's does.
std::string locale_time(int64_t seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  std::string format = ::nl_langinfo(D_T_FMT);
  const std::string day = (tm.tm_mday < 10 ? std::string("\u2007") : std::string()) +
                          std::to_string(tm.tm_mday);
  for (size_t at = format.find("%e"); at != std::string::npos; at = format.find("%e", at + day.size()))
    format.replace(at, 2, day);
  char buf[256];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"  // the locale's format, by design
  const size_t n = std::strftime(buf, sizeof buf, format.c_str(), &tm);
#pragma GCC diagnostic pop
  return std::string(buf, n);
}

// A new ref without a remote stays on the current origin's remote, as
// upstream's `admin switch` does.
std::string resolve_new_refspec(const std::string& current, const std::string& requested) {
  const auto [new_remote, new_ref] = store::parse_refspec(requested);
  if (!new_remote.empty())
    return requested;
  const auto [remote, ref] = store::parse_refspec(current);
  return remote.empty() ? new_ref : remote + ":" + new_ref;
}

void pull_refspec(deploy::Sysroot& sysroot, const std::string& refspec) {
  const auto [remote, ref] = store::parse_refspec(refspec);
  if (remote.empty())
    return;  // a local ref: nothing to fetch
  store::remote::RemotesLocation where;
  where.remotes_d = sysroot.path() + "/etc/ostree/remotes.d";
  store::remote::PullOptions options;
  options.refs = {ref};
  const auto stats = store::remote::pull(sysroot.repo(), where, remote, options);
  // Upstream reports the pull through its terminal progress line only;
  // piped or logged, an upgrade says nothing about it.
  if (::isatty(STDOUT_FILENO) == 1)
    print("{}\n", store::remote::format_pull_summary(stats));
}

}  // namespace

void run_upgrade_flow(const Invocation& inv, const UpgradeRequest& request) {
  deploy::Sysroot sysroot = open_sysroot(inv);
  auto lock = sysroot.lock();
  const std::string stateroot =
      with_context("Looking for booted deployment", [&] { return sysroot.stateroot_or_booted(request.os); });
  const deploy::Deployment* merge = sysroot.merge_deployment(stateroot);
  if (!merge)
    throw Error("No previous deployment for OS '" + stateroot + "'");
  const auto current = merge->has_origin ? deploy::origin_refspec(merge->origin) : std::nullopt;
  if (!current)
    throw Error("No origin/refspec in current deployment origin; cannot upgrade via ostree");
  const std::string refspec = request.new_refspec ? resolve_new_refspec(*current, *request.new_refspec) : *current;
  if (request.new_refspec && refspec == *current)
    throw Error("Old and new refs are equal: " + refspec);
  // What the new deployment's origin says. A switch starts a fresh origin
  // that follows the new ref; an upgrade keeps the merge deployment's, with
  // the override asked for (or none: an upgrade goes to the newest commit)
  // and without a hotfix unlock.
  KeyFile origin;
  if (request.new_refspec) {
    origin = deploy::origin_for_refspec(refspec);
  } else {
    // Upstream edits a copy made by serializing and re-reading with
    // comments kept, so the blank lines between groups belong to the group
    // above them and a new key lands after them.
    origin = KeyFile::parse(merge->origin.serialize());
    if (request.override_commit)
      origin.append("origin", "override-commit", *request.override_commit);
    else
      origin.remove_key("origin", "override-commit");
    origin.remove_key("origin", "unlocked");
    origin = deploy::without_transient_state(std::move(origin));
  }

  if (!request.deploy_only)
    pull_refspec(sysroot, refspec);
  if (request.pull_only)
    return;

  const store::Digest target =
      request.override_commit ? sysroot.repo().resolve_rev(*request.override_commit) : sysroot.repo().resolve_rev(refspec);
  const std::string csum = store::digest_hex(target);
  if (csum == merge->csum && !request.new_refspec) {
    print("No update available.\n");
    return;
  }
  if (!request.allow_downgrade && !request.new_refspec) {
    const auto old_commit = sysroot.repo().load_commit(store::digest_from_hex(merge->csum));
    const auto new_commit = sysroot.repo().load_commit(target);
    if (new_commit.timestamp < old_commit.timestamp)
      throw Error("Upgrade target revision '" + csum + "' with timestamp '" +
                  locale_time(static_cast<int64_t>(new_commit.timestamp)) +
                  "' is chronologically older than current revision '" + merge->csum + "' with timestamp '" +
                  locale_time(static_cast<int64_t>(old_commit.timestamp)) + "'; use --allow-downgrade to permit");
  }
  const deploy::DeployTreeOptions tree{
      .stateroot = stateroot, .csum = csum, .origin = origin, .merge = merge, .kargs = merge->kargs};
  if (request.stage) {
    stage_deployment(sysroot, tree);
    return;
  }
  const auto deployed = deploy::deploy_tree(sysroot, tree);
  report_deployed(deployed, true);
  // The commit an override names becomes the ref's, as upstream's upgrader
  // does, so what the origin follows and what is deployed agree (and the
  // prune below frees what the ref held before). Only once the deployment
  // exists: a failed upgrade leaves the ref alone.
  if (request.override_commit)
    sysroot.repo().set_ref(refspec, target);
  commit_deployments(sysroot, deploy::list_with_new_deployment(sysroot, deployed.deployment, merge, {}));
  // A switch lets go of the ref it left, so its history can be pruned
  // (upstream prints a local ref's remote as "(null)").
  if (refspec != *current) {
    const auto [old_remote, old_ref] = store::parse_refspec(*current);
    print("Deleting ref '{}:{}'\n", old_remote.empty() ? "(null)" : old_remote, old_ref);
    sysroot.repo().delete_ref(*current);
  }
}

}  // namespace ot::cli::admin
