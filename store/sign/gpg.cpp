#include "store/sign/gpg.hpp"

#include "base/atomic_file.hpp"
#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"

#include <gpgme.h>

#include <fcntl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <mutex>

namespace ot::store::sign {
namespace {

void init_gpgme() {
  static std::once_flag once;
  std::call_once(once, [] {
    gpgme_check_version(nullptr);
    if (gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP) != 0)
      throw Error("GnuPG is not available (gpgme found no usable gpg engine)");
  });
}

std::string gpg_error_text(gpgme_error_t err) {
  char buf[256];
  gpgme_strerror_r(err, buf, sizeof buf);
  return buf;
}

void check(gpgme_error_t err, std::string_view what) {
  if (err != 0) throw Error(std::string(what) + ": " + gpg_error_text(err));
}

struct CtxFree {
  void operator()(gpgme_ctx_t c) const { gpgme_release(c); }
};
struct DataFree {
  void operator()(gpgme_data_t d) const { gpgme_data_release(d); }
};
struct KeyFree {
  void operator()(gpgme_key_t k) const { gpgme_key_unref(k); }
};
using Ctx = std::unique_ptr<std::remove_pointer_t<gpgme_ctx_t>, CtxFree>;
using Data = std::unique_ptr<std::remove_pointer_t<gpgme_data_t>, DataFree>;
using Key = std::unique_ptr<std::remove_pointer_t<gpgme_key_t>, KeyFree>;

// An OpenPGP context on homedir (nullopt: GnuPG's default), binary output.
Ctx make_ctx(const std::optional<std::string>& homedir) {
  init_gpgme();
  gpgme_ctx_t raw = nullptr;
  check(gpgme_new(&raw), "gpgme_new");
  Ctx ctx(raw);
  check(gpgme_set_protocol(raw, GPGME_PROTOCOL_OpenPGP), "gpgme_set_protocol");
  if (homedir)
    check(gpgme_ctx_set_engine_info(raw, GPGME_PROTOCOL_OpenPGP, nullptr, homedir->c_str()), "GnuPG home " + *homedir);
  gpgme_set_armor(raw, 0);
  return ctx;
}

// gpgme copies the bytes, so a caller's buffer need not outlive the data.
Data data_from(std::string_view bytes) {
  gpgme_data_t raw = nullptr;
  check(gpgme_data_new_from_mem(&raw, bytes.data(), bytes.size(), 1), "gpgme_data_new_from_mem");
  return Data(raw);
}

Data empty_data() {
  gpgme_data_t raw = nullptr;
  check(gpgme_data_new(&raw), "gpgme_data_new");
  return Data(raw);
}

std::string take_data(Data& d) {
  size_t len = 0;
  char* buf = gpgme_data_release_and_get_mem(d.release(), &len);
  std::string out(buf ? buf : "", buf ? len : 0);
  gpgme_free(buf);
  return out;
}

// A GnuPG home that exists only for one operation: it holds exactly the
// keys the caller trusts, and goes away with everything gpg wrote into it.
class ScratchHome {
public:
  ScratchHome() : parent_(open_tmp()), dir_(parent_.get(), "ostree-gpg-") {
    path_ = tmp_path() + "/" + dir_.name();
    sys::fchmod(dir_.fd(), 0700);
  }
  const std::string& path() const { return path_; }
  int fd() const { return dir_.fd(); }

private:
  static std::string tmp_path() {
    const char* t = std::getenv("TMPDIR");
    return t && *t ? t : "/tmp";
  }
  static UniqueFd open_tmp() { return sys::open_dir(AT_FDCWD, tmp_path()); }
  UniqueFd parent_;
  TempDir dir_;
  std::string path_;
};

// GnuPG 2.2 keeps using the legacy pubring.gpg format (which is what keyring
// files are) when that file exists and pubring.kbx does not.
void write_pubring(const ScratchHome& home, std::string_view bytes) {
  write_file_atomic(home.fd(), "pubring.gpg", bytes, 0600, Durability::nosync);
}

void import_into(gpgme_ctx_t ctx, std::string_view bytes, unsigned* imported = nullptr) {
  auto d = data_from(bytes);
  check(gpgme_op_import(ctx, d.get()), "importing GPG keys");
  if (imported)
    if (auto r = gpgme_op_import_result(ctx)) *imported += static_cast<unsigned>(r->imported);
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// "%c" of the C locale in UTC, as upstream prints signature dates.
std::string format_date(int64_t t) {
  static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t tt = static_cast<time_t>(t);
  struct tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  snprintf(buf, sizeof buf, "%s %s %2d %02d:%02d:%02d %d", days[tm.tm_wday], months[tm.tm_mon], tm.tm_mday, tm.tm_hour,
           tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
  return buf;
}

GpgSignature::Status classify(gpgme_signature_t sig) {
  switch (gpgme_err_code(sig->status)) {
    case GPG_ERR_NO_ERROR:
      // A good signature by a key without certified trust has an empty
      // summary; upstream accepts it (the keyring itself is the trust).
      if ((sig->summary & (GPGME_SIGSUM_VALID | GPGME_SIGSUM_GREEN)) || sig->summary == 0) return GpgSignature::Status::good;
      if (sig->summary & GPGME_SIGSUM_KEY_REVOKED) return GpgSignature::Status::revoked_key;
      if (sig->summary & GPGME_SIGSUM_KEY_EXPIRED) return GpgSignature::Status::expired_key;
      if (sig->summary & GPGME_SIGSUM_SIG_EXPIRED) return GpgSignature::Status::expired_signature;
      return GpgSignature::Status::good;
    case GPG_ERR_BAD_SIGNATURE: return GpgSignature::Status::bad;
    case GPG_ERR_NO_PUBKEY: return GpgSignature::Status::missing_key;
    case GPG_ERR_SIG_EXPIRED: return GpgSignature::Status::expired_signature;
    case GPG_ERR_KEY_EXPIRED: return GpgSignature::Status::expired_key;
    case GPG_ERR_CERT_REVOKED: return GpgSignature::Status::revoked_key;
    default: return GpgSignature::Status::error;
  }
}

}  // namespace

std::string GpgSignature::key_id() const {
  return fingerprint.size() > 16 ? fingerprint.substr(fingerprint.size() - 16) : fingerprint;
}

bool GpgSignature::made_by(std::string_view id) const {
  std::string want = upper(id);
  if (want.starts_with("0X")) want = want.substr(2);
  if (want.size() < 8) return false;
  for (const auto* fpr : {&fingerprint, &primary_fingerprint}) {
    std::string have = upper(*fpr);
    if (!have.empty() && have.size() >= want.size() && have.ends_with(want)) return true;
  }
  return false;
}

std::string GpgSignature::describe() const {
  std::string out = "Signature made " + format_date(timestamp) + " using " +
                    (algorithm.empty() ? std::string("[unknown name]") : algorithm) + " key ID " + key_id() + ": ";
  std::string who = "\"" + (user_id.empty() ? key_id() : user_id) + "\"";
  switch (status) {
    case Status::good: return out + "Good signature from " + who;
    case Status::bad: return out + "BAD signature from " + who;
    case Status::missing_key: return out + "Can't check signature: public key not found";
    case Status::expired_signature: return out + "Expired signature from " + who;
    case Status::expired_key: return out + "Signature from " + who + " made with an expired key";
    case Status::revoked_key: return out + "Signature from " + who + " made with a revoked key";
    case Status::error: break;
  }
  return out + "Can't check signature: " + error;
}

namespace {

Key secret_key(gpgme_ctx_t ctx, const std::string& key_id, const std::optional<std::string>& homedir) {
  gpgme_key_t raw_key = nullptr;
  auto err = gpgme_get_key(ctx, key_id.c_str(), &raw_key, 1);
  Key key(raw_key);
  if (gpgme_err_code(err) == GPG_ERR_EOF || (err == 0 && !key))
    throw Error("No gpg key found with ID " + key_id + " (homedir: " + homedir.value_or("<default>") + ")");
  check(err, "Unable to lookup key ID " + key_id);
  return key;
}

}  // namespace

void gpg_check_secret_key(const std::string& key_id, const std::optional<std::string>& homedir) {
  auto ctx = make_ctx(homedir);
  secret_key(ctx.get(), key_id, homedir);
}

std::string gpg_sign_detached(std::string_view data, const std::string& key_id,
                              const std::optional<std::string>& homedir) {
  auto ctx = make_ctx(homedir);
  auto key = secret_key(ctx.get(), key_id, homedir);
  check(gpgme_signers_add(ctx.get(), key.get()), "Error signing commit");
  auto in = data_from(data);
  auto out = empty_data();
  check(gpgme_op_sign(ctx.get(), in.get(), out.get(), GPGME_SIG_MODE_DETACH), "Failure signing commit");
  return take_data(out);
}

std::vector<GpgSignature> gpg_verify_detached(std::string_view data, const std::vector<std::string>& signatures,
                                              const GpgKeyrings& keyrings) {
  if (signatures.empty()) return {};
  std::optional<ScratchHome> home;
  if (!keyrings.homedir) {
    home.emplace();
    std::string pubring;
    for (const auto& k : keyrings.binary) pubring += k;
    write_pubring(*home, pubring);
  }
  auto ctx = make_ctx(home ? home->path() : *keyrings.homedir);
  for (const auto& k : keyrings.armored) import_into(ctx.get(), k);

  // Detached signatures concatenate into one: a single gpg run checks all.
  std::string joined;
  for (const auto& s : signatures) joined += s;
  auto sig = data_from(joined);
  auto signed_data = data_from(data);
  check(gpgme_op_verify(ctx.get(), sig.get(), signed_data.get(), nullptr), "Unable to complete signature verification");
  gpgme_verify_result_t result = gpgme_op_verify_result(ctx.get());
  std::vector<GpgSignature> out;
  for (gpgme_signature_t s = result ? result->signatures : nullptr; s; s = s->next) {
    GpgSignature g;
    g.status = classify(s);
    g.fingerprint = s->fpr ? s->fpr : "";
    g.timestamp = static_cast<int64_t>(s->timestamp);
    if (const char* a = gpgme_pubkey_algo_name(s->pubkey_algo)) g.algorithm = a;
    if (g.status == GpgSignature::Status::error) g.error = gpg_error_text(s->status);
    gpgme_key_t raw_key = nullptr;
    if (!g.fingerprint.empty() && gpgme_get_key(ctx.get(), g.fingerprint.c_str(), &raw_key, 0) == 0 && raw_key) {
      Key key(raw_key);
      if (key->subkeys && key->subkeys->fpr) g.primary_fingerprint = key->subkeys->fpr;
      if (key->uids && key->uids->uid) g.user_id = key->uids->uid;
    }
    out.push_back(std::move(g));
  }
  return out;
}

void require_valid_gpg_signature(const std::vector<GpgSignature>& signatures, std::string_view disable_hint) {
  if (signatures.empty())
    throw Error("GPG verification enabled, but no signatures found (use " + std::string(disable_hint) +
                " in remote config to disable)");
  if (std::any_of(signatures.begin(), signatures.end(), [](const GpgSignature& s) { return s.valid(); })) return;
  std::string msg;
  for (const auto& s : signatures) msg += (msg.empty() ? "" : "; ") + s.describe();
  throw Error(msg);
}

GpgImport gpg_import_keys(const std::optional<std::string>& existing, const std::optional<std::string>& source,
                          const std::vector<std::string>& key_ids) {
  // Read the source keys through their own home (or the user's default one).
  std::optional<ScratchHome> source_home;
  if (source) {
    source_home.emplace();
    write_pubring(*source_home, "");
  }
  auto src = make_ctx(source_home ? std::optional(source_home->path()) : std::nullopt);
  if (source) import_into(src.get(), *source);

  std::vector<Key> keys;
  auto collect = [&](const char* pattern, const std::string& label) {
    check(gpgme_op_keylist_start(src.get(), pattern, 0), "listing GPG keys");
    size_t before = keys.size();
    for (;;) {
      gpgme_key_t k = nullptr;
      auto err = gpgme_op_keylist_next(src.get(), &k);
      if (gpgme_err_code(err) == GPG_ERR_EOF) break;
      check(err, "listing GPG keys");
      keys.emplace_back(k);
    }
    gpgme_op_keylist_end(src.get());
    if (pattern && keys.size() == before) throw Error("Unable to find key \"" + label + "\"");
  };
  if (key_ids.empty()) collect(nullptr, "");
  for (const auto& id : key_ids) collect(id.c_str(), id);

  std::vector<gpgme_key_t> raw;
  for (auto& k : keys) raw.push_back(k.get());
  raw.push_back(nullptr);
  auto exported = empty_data();
  check(gpgme_op_export_keys(src.get(), raw.data(), 0, exported.get()), "exporting GPG keys");
  std::string bytes = take_data(exported);
  if (bytes.empty()) throw Error("Unable to export keys: no keys found");

  ScratchHome target;
  write_pubring(target, existing.value_or(""));
  auto dst = make_ctx(target.path());
  GpgImport out;
  if (!bytes.empty()) import_into(dst.get(), bytes, &out.imported);
  out.keyring = sys::read_file_at(target.fd(), "pubring.gpg");
  return out;
}

}  // namespace ot::store::sign
