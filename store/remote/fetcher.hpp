#pragma once
// Where a pull reads from: a small interface with one backend per transport
// (HTTP(S) through libcurl, a local repository). The pull engine asks for
// files by repository-relative path and gets completions back on its own
// thread, so its bookkeeping needs no locks.
#include "base/temp_file.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace ot::store::remote {

struct FetchResult {
  enum class Status { ok, not_found, failed };
  Status status = Status::failed;
  std::string body;   // ok: the file's bytes, unless they went to file
  TempFile file;      // ok, spilled: the bytes, written to a file as they arrived
  std::string error;  // failed: one line, e.g. "Server returned HTTP 500"
};

// Where a fetch keeps a large body: bodies longer than above bytes (as
// announced, or once they grow past it) are written to a new file in dfd as
// they arrive instead of being held in memory. A fetch that fails removes it.
struct SpillTo {
  int dfd = -1;  // -1: always in memory
  uint64_t above = 0;
};

class Fetcher {
public:
  using Done = std::function<void(FetchResult&&)>;
  virtual ~Fetcher() = default;

  // Queues a fetch of path (relative to the repository root, e.g.
  // "objects/ab/cd….dirtree"). max_size bounds the body: a larger one fails.
  // spill says where a large body goes instead of memory.
  virtual void fetch(const std::string& path, uint64_t max_size, Done done, SpillTo spill = {}) = 0;
  // Runs transfers until at least one fetch has completed (its callback has
  // run) or nothing is pending. Callbacks run on the calling thread.
  virtual void run_once() = 0;
  // Fetches queued or in flight.
  virtual size_t pending() const = 0;
  // Body bytes received so far.
  virtual uint64_t bytes_transferred() const = 0;
  // The URL (or path) a relative path maps to, for messages.
  virtual std::string describe(const std::string& path) const = 0;
};

// TLS and connection settings of an HTTP remote (its config keys).
struct HttpOptions {
  std::string base_url;                       // without trailing slash
  std::string tls_ca_path;                    // tls-ca-path
  std::string tls_client_cert_path;           // tls-client-cert-path
  std::string tls_client_key_path;            // tls-client-key-path
  bool tls_permissive = false;                // tls-permissive: skip peer verification
  std::string proxy;                          // proxy
  bool http2 = true;                          // http2 (false forces HTTP/1.1)
  unsigned max_connections = 8;               // per host; HTTP/2 multiplexes over fewer
  unsigned max_in_flight = 64;                // requests handed to curl at once
  long low_speed_time = 30;                   // seconds below 1000 B/s before failing a transfer
};

std::unique_ptr<Fetcher> make_http_fetcher(const HttpOptions& options);

}  // namespace ot::store::remote
