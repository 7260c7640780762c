#include "store/checksum.hpp"

#include "base/error.hpp"
#include "base/hex.hpp"

#include <openssl/evp.h>

#include <cstring>

namespace ot::store {

struct Sha256::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) != 1)
    throw Error("sha256: initialisation failed");
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, size_t n) { EVP_DigestUpdate(impl_->ctx, data, n); }

Digest Sha256::finish() {
  Digest d;
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, d.data(), &len);
  return d;
}

Digest sha256(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.finish();
}

std::string digest_hex(const Digest& d) { return to_hex(d); }

bool is_valid_checksum(std::string_view hex) {
  if (hex.size() != 64) return false;
  for (char c : hex)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Digest digest_from_hex(std::string_view hex) {
  if (!is_valid_checksum(hex)) throw Error("invalid checksum: " + std::string(hex));
  auto bytes = from_hex(hex);
  Digest d;
  std::memcpy(d.data(), bytes->data(), 32);
  return d;
}

}  // namespace ot::store
