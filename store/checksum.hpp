#pragma once
// SHA-256, the object checksum of OSTree.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ot::store {

using Digest = std::array<uint8_t, 32>;

// Incremental SHA-256 (OpenSSL EVP).
class Sha256 {
public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  void update(const void* data, size_t n);
  void update(std::string_view s) { update(s.data(), s.size()); }
  Digest finish();

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

Digest sha256(std::string_view data);
std::string digest_hex(const Digest& d);
// 64 lowercase hex digits.
bool is_valid_checksum(std::string_view hex);
// Throws ot::Error when hex is not a valid checksum.
Digest digest_from_hex(std::string_view hex);
inline std::string_view digest_bytes(const Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

}  // namespace ot::store
