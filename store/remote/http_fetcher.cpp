// HTTP(S) backend: one curl multi handle drives every transfer of a pull on
// the caller's thread. Connections are reused (keep-alive, or one HTTP/2
// connection multiplexing many streams over TLS), so fetching tens of
// thousands of small objects costs neither a handshake nor a thread each.
#include "store/remote/fetcher.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"

#include <curl/curl.h>

#include <deque>
#include <mutex>
#include <unordered_map>

namespace ot::store::remote {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw Error("curl_global_init failed");
  });
}

struct Transfer {
  std::string path;
  std::string url;
  uint64_t max_size = 0;
  Fetcher::Done done;
  CURL* easy = nullptr;
  std::string body;
  SpillTo spill;
  TempFile file;          // the body, once spilled
  uint64_t received = 0;  // body bytes, in memory or in file
  bool too_large = false;
  std::string write_error;  // spilling failed (disk full, ...)
  char errbuf[CURL_ERROR_SIZE] = {};
};

class HttpFetcher final : public Fetcher {
public:
  explicit HttpFetcher(const HttpOptions& options) : options_(options) {
    global_init();
    multi_ = curl_multi_init();
    if (!multi_) throw Error("curl_multi_init failed");
    curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, long(options_.max_connections));
    curl_multi_setopt(multi_, CURLMOPT_PIPELINING, long(CURLPIPE_MULTIPLEX));
    curl_multi_setopt(multi_, CURLMOPT_MAX_CONCURRENT_STREAMS, 100L);
    share_ = curl_share_init();
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  }

  ~HttpFetcher() override {
    for (auto& [easy, t] : active_) {
      curl_multi_remove_handle(multi_, easy);
      curl_easy_cleanup(easy);
    }
    for (CURL* easy : idle_) curl_easy_cleanup(easy);
    curl_multi_cleanup(multi_);
    curl_share_cleanup(share_);
  }

  void fetch(const std::string& path, uint64_t max_size, Done done, SpillTo spill) override {
    auto t = std::make_unique<Transfer>();
    t->path = path;
    t->url = describe(path);
    t->max_size = max_size;
    t->done = std::move(done);
    t->spill = spill;
    queued_.push_back(std::move(t));
  }

  size_t pending() const override { return queued_.size() + active_.size(); }
  uint64_t bytes_transferred() const override { return bytes_; }
  std::string describe(const std::string& path) const override { return options_.base_url + "/" + path; }

  void run_once() override {
    start_queued();
    size_t completed = 0;
    while (completed == 0 && !active_.empty()) {
      int running = 0;
      CURLMcode mc = curl_multi_perform(multi_, &running);
      if (mc != CURLM_OK) throw Error(std::string("curl_multi_perform: ") + curl_multi_strerror(mc));
      completed += reap();
      if (completed) break;
      mc = curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
      if (mc != CURLM_OK) throw Error(std::string("curl_multi_poll: ") + curl_multi_strerror(mc));
    }
  }

private:
  static size_t on_data(char* ptr, size_t size, size_t nmemb, void* userdata) {
    auto* t = static_cast<Transfer*>(userdata);
    size_t n = size * nmemb;
    if (t->received + n > t->max_size) {
      t->too_large = true;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    if (t->received == 0) {
      curl_off_t announced = -1;
      curl_easy_getinfo(t->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced);
      if (t->spill.dfd >= 0 && announced > 0 && uint64_t(announced) > t->spill.above) {
        if (!start_file(t)) return 0;
      } else if (announced > 0 && uint64_t(announced) <= t->max_size) {
        // One allocation of the announced size instead of doubling growth,
        // which would hold up to twice a large object during the copy.
        t->body.reserve(size_t(announced));
      }
    }
    t->received += n;
    if (!t->file && t->spill.dfd >= 0 && t->received > t->spill.above) {
      if (!start_file(t)) return 0;
    }
    if (!t->file) {
      t->body.append(ptr, n);
      return n;
    }
    // Runs inside curl: errors become a failed transfer, never an exception.
    try {
      sys::write_all(t->file.fd(), ptr, n);
    } catch (const std::exception& e) {
      t->write_error = e.what();
      return 0;
    }
    return n;
  }

  // Moves the body to a new file in the spill directory; false (with
  // write_error set) when that fails.
  static bool start_file(Transfer* t) {
    try {
      t->file = TempFile(t->spill.dfd, "tmpfetch-");
      sys::write_all(t->file.fd(), t->body);
      std::string().swap(t->body);
      return true;
    } catch (const std::exception& e) {
      t->write_error = e.what();
      return false;
    }
  }

  CURL* make_easy() {
    if (!idle_.empty()) {
      CURL* e = idle_.back();
      idle_.pop_back();
      return e;
    }
    CURL* e = curl_easy_init();
    if (!e) throw Error("curl_easy_init failed");
    curl_easy_setopt(e, CURLOPT_SHARE, share_);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &HttpFetcher::on_data);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1000L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, options_.low_speed_time);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "libostree/2022.7 ostree-cpp");
    // Objects are compressed already; asking for gzip would only cost CPU.
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                     options_.http2 ? long(CURL_HTTP_VERSION_2TLS) : long(CURL_HTTP_VERSION_1_1));
    // Waiting for a multiplexed stream only pays where HTTP/2 can happen;
    // over plain HTTP it would serialise every request on one connection.
    if (options_.http2 && options_.base_url.starts_with("https:")) curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    if (!options_.tls_ca_path.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options_.tls_ca_path.c_str());
    if (!options_.tls_client_cert_path.empty())
      curl_easy_setopt(e, CURLOPT_SSLCERT, options_.tls_client_cert_path.c_str());
    if (!options_.tls_client_key_path.empty())
      curl_easy_setopt(e, CURLOPT_SSLKEY, options_.tls_client_key_path.c_str());
    if (options_.tls_permissive) {
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!options_.proxy.empty()) curl_easy_setopt(e, CURLOPT_PROXY, options_.proxy.c_str());
    return e;
  }

  void start_queued() {
    while (!queued_.empty() && active_.size() < options_.max_in_flight) {
      auto t = std::move(queued_.front());
      queued_.pop_front();
      CURL* e = make_easy();
      t->easy = e;
      curl_easy_setopt(e, CURLOPT_URL, t->url.c_str());
      curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
      curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
      CURLMcode mc = curl_multi_add_handle(multi_, e);
      if (mc != CURLM_OK) {
        curl_easy_cleanup(e);
        throw Error(std::string("curl_multi_add_handle: ") + curl_multi_strerror(mc));
      }
      active_.emplace(e, std::move(t));
    }
  }

  size_t reap() {
    size_t n = 0;
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* e = msg->easy_handle;
      CURLcode code = msg->data.result;
      curl_multi_remove_handle(multi_, e);
      auto it = active_.find(e);
      if (it == active_.end()) continue;
      auto t = std::move(it->second);
      active_.erase(it);
      long status = 0;
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
      curl_easy_reset_keep(e);
      idle_.push_back(e);
      bytes_ += t->received;

      FetchResult r;
      if (!t->write_error.empty()) {
        r.error = "While fetching " + t->url + ": " + t->write_error;
      } else if (t->too_large) {
        r.error = "While fetching " + t->url + ": object larger than " + std::to_string(t->max_size) + " bytes";
      } else if (code != CURLE_OK) {
        r.error = "While fetching " + t->url + ": [" + std::to_string(int(code)) + "] " +
                  (t->errbuf[0] ? std::string(t->errbuf) : std::string(curl_easy_strerror(code)));
      } else if (status == 404 || status == 403 || status == 410) {
        r.status = FetchResult::Status::not_found;
        r.error = "Server returned HTTP " + std::to_string(status);
      } else if (status != 200) {
        r.error = "While fetching " + t->url + ": Server returned HTTP " + std::to_string(status);
      } else {
        r.status = FetchResult::Status::ok;
        r.body = std::move(t->body);
        r.file = std::move(t->file);
      }
      ++n;
      t->done(std::move(r));
    }
    return n;
  }

  // Keeps the handle's connection settings; only per-request state changes.
  static void curl_easy_reset_keep(CURL* e) { curl_easy_setopt(e, CURLOPT_ERRORBUFFER, nullptr); }

  HttpOptions options_;
  CURLM* multi_ = nullptr;
  CURLSH* share_ = nullptr;
  std::deque<std::unique_ptr<Transfer>> queued_;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active_;
  std::vector<CURL*> idle_;
  uint64_t bytes_ = 0;
};

}  // namespace

std::unique_ptr<Fetcher> make_http_fetcher(const HttpOptions& options) {
  return std::make_unique<HttpFetcher>(options);
}

}  // namespace ot::store::remote
