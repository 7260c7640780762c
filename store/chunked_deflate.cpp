#include "store/chunked_deflate.hpp"

#include "base/error.hpp"

#include <libdeflate.h>
#include <zlib.h>

namespace ot::store {

// Finds, in a complete raw-deflate stream, the bit where its last block
// starts and the bit where the stream ends, by inflating it with zlib, which
// can stop at every block boundary (Z_BLOCK) and say how many bits of the
// last byte it used.
struct ChunkedDeflate::Scanner {
  z_stream zs{};
  std::string scratch = std::string(64 << 10, '\0');

  Scanner() {
    if (inflateInit2(&zs, -15) != Z_OK) throw Error("inflateInit2 failed");
  }
  ~Scanner() { inflateEnd(&zs); }

  struct Bounds {
    uint64_t last_block_bit;
    uint64_t end_bit;
  };

  Bounds scan(std::string_view stream) {
    inflateReset(&zs);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(stream.data()));
    zs.avail_in = uInt(stream.size());
    uint64_t boundary = 0;  // where the block being decoded starts
    for (;;) {
      zs.next_out = reinterpret_cast<Bytef*>(scratch.data());
      zs.avail_out = uInt(scratch.size());
      int rc = inflate(&zs, Z_BLOCK);
      if (rc != Z_OK && rc != Z_BUF_ERROR) throw Error("deflate produced an invalid stream");
      if (rc == Z_BUF_ERROR && zs.avail_in == 0) throw Error("deflate produced a truncated stream");
      // 128: stopped at a block boundary (not merely for output space); 64:
      // the block just ended was the last. The low bits count the unused
      // bits of the last byte read.
      if (zs.data_type & 128) {
        uint64_t bit = uint64_t(zs.total_in) * 8 - (zs.data_type & 7);
        if (zs.data_type & 64) return {boundary, bit};
        boundary = bit;
      }
    }
  }
};

ChunkedDeflate::ChunkedDeflate(int level) : compressor_(libdeflate_alloc_compressor(level)) {
  if (!compressor_) throw Error("libdeflate_alloc_compressor failed");
}

ChunkedDeflate::~ChunkedDeflate() { libdeflate_free_compressor(compressor_); }

std::string_view ChunkedDeflate::compress(std::string_view chunk, bool last, std::string_view prefix) {
  out_.assign(prefix);
  if (chunk.empty() && !last) return out_;
  // Room for the padding block of a non-final chunk too.
  out_.resize(prefix.size() + libdeflate_deflate_compress_bound(compressor_, chunk.size()) + 8);
  size_t n = libdeflate_deflate_compress(compressor_, chunk.data(), chunk.size(), out_.data() + prefix.size(),
                                         out_.size() - prefix.size());
  if (n == 0) throw Error("deflate failed");
  out_.resize(prefix.size() + n);
  if (!last) make_non_final(prefix.size());
  return out_;
}

void ChunkedDeflate::make_non_final(size_t start) {
  if (!scanner_) scanner_ = std::make_unique<Scanner>();
  auto [last_block, end] = scanner_->scan(std::string_view(out_).substr(start));
  auto* bytes = reinterpret_cast<unsigned char*>(out_.data() + start);
  // Deflate packs bits from the least significant end of each byte; a block
  // header's first bit is BFINAL.
  bytes[last_block / 8] &= ~(1u << (last_block % 8));
  // An empty stored block (BFINAL 0, BTYPE 00, padding to the byte, LEN 0,
  // NLEN 0xffff) continues the stream from the next byte boundary. Its three
  // header bits are zeros after the end; a byte is added if they do not fit.
  size_t used = (end + 7) / 8;
  unsigned spare = unsigned(used * 8 - end);
  if (spare > 0) bytes[used - 1] &= (1u << (8 - spare)) - 1;
  out_.resize(start + used);
  if (spare < 3) out_.push_back('\0');
  out_.append("\x00\x00\xff\xff", 4);
}

}  // namespace ot::store
